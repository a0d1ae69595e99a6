/*
 * A stand-in vmlinux compiled at test time (wrapper_compare_gcc_test) so the
 * comparison also covers what a compiler and ld leave in a kernel ELF:
 * two PT_LOAD segments, .rodata, .eh_frame, .sdata, .bss, .comment and
 * DWARF sections that stripping removes. It is never run.
 */
int counter = 5;
static int table[100];
const char banner[] = "Linux version 6.1.99-gcc-kernel (rules_firmware test) #1";

int start(int x)
{
	table[x & 63] = counter + x;
	return banner[x & 31] + table[3];
}
