package binmandesc

import (
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's blob-ext-list: the external files named by "filenames",
// joined in order.
func registerBlobextlist() {
	etypeReaders["blob-ext-list"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		var names []string
		if p := n.Prop("filenames"); p != nil {
			l, ok := fdt.SplitStrings(p.Value)
			if !ok {
				return fmt.Errorf("Node '%s': property 'filenames' is not a string list", path)
			}
			names = l
		}
		out.Type, out.External = "blob-ext-list", true
		for _, name := range names {
			out.Paths = append(out.Paths, c.resolve(name))
		}
		return nil
	}
}
