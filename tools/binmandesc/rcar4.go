package binmandesc

import (
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's renesas-rcar4-sa0: a section whose first 256 KiB become the
// R-Car Gen4 SA0 boot parameters (layout/rcar4.go).
func registerRcar4() {
	etypeReaders["renesas-rcar4-sa0"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		if err := requireProps(n, path, "renesas-rcar4-sa0", "renesas,loader-address"); err != nil {
			return err
		}
		load, err := intProp(n, path, "renesas,loader-address")
		if err != nil {
			return err
		}
		out.Type = "renesas-rcar4-sa0"
		out.Filename = v.strings["filename"] // a section: binman writes its data there too
		out.Rcar4 = &layout.Rcar4Spec{LoaderAddress: layout.Num(load)}
		out.Entries, err = c.children(n, path, rel, hasPos)
		return err
	}
}
