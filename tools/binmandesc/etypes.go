package binmandesc

import (
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// etypeReader reads one binman entry type into out (whose common fields
// are already set). hasPos is false inside a compressed section.
type etypeReader func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error

// etypeReaders are the entry types kept in files of their own, each
// registering itself from init; node's switch keeps the original ones.
var etypeReaders = map[string]etypeReader{}

func init() {
	// binman's null entry: the parent's pad byte, size required (the
	// layout engine checks it).
	etypeReaders["null"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		out.Type = "null"
		return nil
	}
}
