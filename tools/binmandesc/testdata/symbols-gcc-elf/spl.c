typedef unsigned long ulong;
#define SYM(entry, prop) ulong _binman_##entry##_prop_##prop __attribute__((aligned(4), used, section(".binman_sym"))) = ~0UL
#define WSYM(entry, prop) ulong _binman_##entry##_prop_##prop __attribute__((aligned(4), weak, used, section(".binman_sym"))) = ~0UL
ulong _binman_sym_magic __attribute__((aligned(4), used, section(".binman_sym"))) = ~0UL;
SYM(u_boot_any, image_pos);
SYM(u_boot_any, size);
SYM(u_boot_spl, offset);
WSYM(missing_thing, size);
unsigned int _binman_u_boot_img_prop_offset __attribute__((aligned(4), used, section(".binman_sym"))) = ~0U;
void _start(void) { for (;;) ; }
