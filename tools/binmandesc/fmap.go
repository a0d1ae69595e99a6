package binmandesc

import (
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's fmap: flashrom's FMAP of the image's entries, built by the
// layout engine after packing.
func registerFmap() {
	etypeReaders["fmap"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		out.Type = "fmap"
		return nil
	}
}
