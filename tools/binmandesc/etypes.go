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
var etypeReaders map[string]etypeReader // setupTables fills it

// children converts n's subnodes as entries of a section-like entry,
// leaving out binman's special nodes (hash, signature, ...) and those skip
// names.
func (c *converter) children(n *fdt.Node, path, rel string, hasPos bool, skip ...string) ([]layout.Node, error) {
	var out []layout.Node
	for _, sub := range n.Children {
		if special(sub) || contains(skip, sub.Name) {
			continue
		}
		childRel := sub.Name
		if rel != "" {
			childRel = rel + "/" + sub.Name
		}
		child, err := c.node(sub, path+"/"+sub.Name, childRel, false, hasPos)
		if err != nil {
			return nil, err
		}
		out = append(out, *child)
	}
	return out, nil
}

func registerEtypes() {
	// binman's null entry: the parent's pad byte, size required (the
	// layout engine checks it).
	etypeReaders["null"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		out.Type = "null"
		return nil
	}
}

func registerEtypes2() {
	// binman's x86 16-bit start and reset code: plain blobs with fixed
	// file names, like U-Boot's own.
	for _, p := range []struct{ etype, file string }{
		{"x86-start16", "u-boot-x86-start16.bin"},
		{"x86-start16-spl", "spl/u-boot-x86-start16-spl.bin"},
		{"x86-start16-tpl", "tpl/u-boot-x86-start16-tpl.bin"},
		{"x86-reset16", "u-boot-x86-reset16.bin"},
		{"x86-reset16-spl", "spl/u-boot-x86-reset16-spl.bin"},
		{"x86-reset16-tpl", "tpl/u-boot-x86-reset16-tpl.bin"},
	} {
		namedBlobs[p.etype] = namedBlob{file: p.file}
	}
}
