package binmandesc

import (
	"fmt"
	"os"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's u-boot-spl-pubkey-dtb is SPL's device tree with a public key
// added by U-Boot's fdt_add_pubkey (what mkimage -K does). fwtool does not
// build it (binman's SPL device tree carries binman's own changes), but
// checks the description as binman does first: key-name-hint present,
// SPL's device tree readable, a file name rather than a path, and
// NAME.crt in the input directories.
func registerSplpubkey() {
	etypeReaders["u-boot-spl-pubkey-dtb"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		if err := requireProps(n, path, "u-boot-spl-pubkey-dtb", "key-name-hint"); err != nil {
			return err
		}
		if _, err := os.Stat(c.resolve("spl/u-boot-spl.dtb")); err != nil {
			return fmt.Errorf("Node '%s': %v", path, err)
		}
		hint, _ := n.PropString("key-name-hint")
		if strings.Contains(hint, "/") {
			return fmt.Errorf("Node '%s': '%s' is a path not a filename", path, hint)
		}
		if _, err := c.readInput(hint + ".crt"); err != nil {
			return err
		}
		return fmt.Errorf("Node '%s': entry type 'u-boot-spl-pubkey-dtb' is not supported by fwtool (it runs fdt_add_pubkey on SPL's device tree)", path)
	}
}
