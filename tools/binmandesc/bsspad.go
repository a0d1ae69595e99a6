package binmandesc

import (
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's u-boot-spl-bss-pad, -tpl- and -vpl-: zeros for the phase's BSS,
// sized by the __bss_size symbol of its ELF file (spl/u-boot-spl ...),
// which must be in the input path (binman's message otherwise). The
// layout engine's bsspad.go reads the symbol.
func init() {
	for _, phase := range []string{"spl", "tpl", "vpl"} {
		etype := "u-boot-" + phase + "-bss-pad"
		elfName := phase + "/u-boot-" + phase
		etypeReaders[etype] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
			if _, err := c.readInput(elfName); err != nil {
				return err
			}
			out.Type = etype
			out.Path = c.resolve(elfName)
			return nil
		}
	}
}
