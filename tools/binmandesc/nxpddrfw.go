package binmandesc

import (
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's nxp-header-ddrfw: a section whose data starts with its
// children's sizes (layout/nxpddrfw.go).
func registerNxpddrfw() {
	etypeReaders["nxp-header-ddrfw"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		out.Type = "nxp-header-ddrfw"
		out.Filename = v.strings["filename"] // a section: binman writes its data there too
		var err error
		out.Entries, err = c.children(n, path, rel, hasPos)
		return err
	}
}
