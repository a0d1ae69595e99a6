/* A header in the style of include/dt-bindings: macros only. */
#define GPIO_ACTIVE_LOW 1
#define PIN(bank, n) (((bank) - 'A') * 16 + (n))
