package binmandesc

import (
	"encoding/binary"
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

func registerCollection() {
	etypeReaders["collection"] = readCollection
}

// readCollection is binman's collection entry: "content" lists phandles
// of entries of the same image whose data it joins.
func readCollection(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
	p := n.Prop("content")
	if p == nil || len(p.Value) == 0 {
		return fmt.Errorf("Node '%s': Collection must have a 'content' property", path)
	}
	if len(p.Value)%4 != 0 {
		return fmt.Errorf("Node '%s': property 'content' has length %d, not a list of phandles", path, len(p.Value))
	}
	byPhandle := map[uint32]string{}
	phandlePaths(c.imageNode, "", byPhandle)
	out.Type = "collection"
	for i := 0; i < len(p.Value); i += 4 {
		ph := binary.BigEndian.Uint32(p.Value[i:])
		target, ok := byPhandle[ph]
		if !ok {
			if other := nodeByPhandle(c.tree.Root, ph); other != nil {
				// A node of the device tree, but no entry of this image.
				return fmt.Errorf("Node '%s': Cannot find entry for node '%s'", path, other.Name)
			}
			return fmt.Errorf("Node '%s': Cannot find node for phandle %d", path, ph)
		}
		out.Collection = append(out.Collection, target)
	}
	return nil
}

// phandlePaths maps the phandle of every node below n to its path below
// n (the image), as layout.Image.Find takes it.
func phandlePaths(n *fdt.Node, prefix string, m map[uint32]string) {
	for _, k := range n.Children {
		p := k.Name
		if prefix != "" {
			p = prefix + "/" + k.Name
		}
		if v, ok := k.PropU32("phandle"); ok {
			m[v] = p
		}
		phandlePaths(k, p, m)
	}
}

// nodeByPhandle finds the node below n with that phandle, or nil.
func nodeByPhandle(n *fdt.Node, ph uint32) *fdt.Node {
	for _, k := range n.Children {
		if v, ok := k.PropU32("phandle"); ok && v == ph {
			return k
		}
		if f := nodeByPhandle(k, ph); f != nil {
			return f
		}
	}
	return nil
}
