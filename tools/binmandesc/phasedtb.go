package binmandesc

import (
	"fmt"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman also changes the SPL, TPL and VPL device trees it finds in its
// input directories (spl/u-boot-spl.dtb, ...): whatever it adds to a node
// of the description's tree it adds to the node of the same path in each
// of them (the subnodes of expanded entries and, with -u, the position
// properties, but not the repack ones), then packs them. The
// u-boot-spl-dtb / -tpl-dtb / -vpl-dtb entries hold the changed trees.

// phaseDTBFiles are binman's DTB_TYPE_FNAME, in its order.
var phaseDTBFiles = []struct{ etype, file string }{
	{"u-boot-spl-dtb", "spl/u-boot-spl.dtb"},
	{"u-boot-tpl-dtb", "tpl/u-boot-tpl.dtb"},
	{"u-boot-vpl-dtb", "vpl/u-boot-vpl.dtb"},
}

// phaseDTB is one SPL/TPL/VPL tree some entry holds.
type phaseDTB struct {
	etype   string
	file    string // the input file
	tree    *fdt.Tree
	strings []byte
	// nodes maps the description's nodes to this tree's of the same path.
	nodes map[*fdt.Node]*fdt.Node
	// entries are the entry paths holding the tree, by image name.
	entries     map[string][]string
	size        int
	placeholder string
}

func (ph *phaseDTB) encode() ([]byte, error) {
	return ph.tree.Encode(fdt.EncodeOptions{Strings: fdt.NewStringTable(stringNames(ph.strings)...)})
}

// usePhaseDTB registers the entry at rel as holding etype's tree and
// returns the tree; nil when binman has no such tree (no input file), so
// the entry reads the file as a plain blob.
func (c *converter) usePhaseDTB(etype, file, rel string) (*phaseDTB, error) {
	for _, ph := range c.upd.phases {
		if ph.etype == etype {
			ph.entries[c.image] = append(ph.entries[c.image], rel)
			return ph, nil
		}
	}
	p := c.resolve(file)
	if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
		return nil, nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	ph := &phaseDTB{etype: etype, file: p, entries: map[string][]string{c.image: {rel}}, placeholder: "\x00" + etype}
	if ph.tree, err = fdt.Parse(data); err != nil {
		return nil, fmt.Errorf("%s: %v", p, err)
	}
	h, err := fdt.ParseHeader(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", p, err)
	}
	ph.strings = data[h.OffDtStrings : h.OffDtStrings+h.SizeDtStrings]
	c.upd.phases = append(c.upd.phases, ph)
	return ph, nil
}

// preparePhaseDTBs applies the round r of the description's tree to each
// phase tree in use, before r is applied to the description's own, and
// points the entries at the changed trees.
func (c *converter) preparePhaseDTBs(r *syncRound, nodes []*layout.Node) error {
	for _, ph := range c.upd.phases {
		strs := fdt.NewStringTable(stringNames(ph.strings)...)
		ph.nodes = map[*fdt.Node]*fdt.Node{}
		mapSamePaths(c.tree.Root, ph.tree.Root, ph.nodes)
		ph.translate(r).apply(ph.tree.Root, strs)
		ph.strings = strs.Bytes()
		out, err := ph.encode()
		if err != nil {
			return err
		}
		ph.size = len(out)
		p, err := c.tempFile(ph.etype, ".dtb", out)
		if err != nil {
			return err
		}
		for _, n := range nodes {
			setPlaceholderPath(n, ph.placeholder, p)
		}
	}
	return nil
}

// mapSamePaths maps each node under main to the node of the same path
// under other, where there is one.
func mapSamePaths(main, other *fdt.Node, m map[*fdt.Node]*fdt.Node) {
	m[main] = other
	for _, k := range main.Children {
		if o := other.Child(k.Name); o != nil {
			mapSamePaths(k, o, m)
		}
	}
}

// translate is r for this tree: new subnodes copied under the nodes of
// the same path, new properties (less the repack ones) on them.
func (ph *phaseDTB) translate(r *syncRound) *syncRound {
	out := newRound()
	// New subnodes first, so properties added to them find their copies.
	var clone func(n *fdt.Node) *fdt.Node
	clone = func(n *fdt.Node) *fdt.Node {
		k := &fdt.Node{Name: n.Name}
		for _, p := range n.Properties {
			k.Properties = append(k.Properties, &fdt.Property{Name: p.Name, Value: append([]byte(nil), p.Value...)})
		}
		for _, sub := range n.Children {
			k.Children = append(k.Children, clone(sub))
		}
		ph.nodes[n] = k
		return k
	}
	for parent, kids := range r.kids {
		pp := ph.nodes[parent]
		if pp == nil {
			continue
		}
		for _, k := range kids {
			out.kids[pp] = append(out.kids[pp], clone(k))
		}
	}
	for n, props := range r.props {
		pn := ph.nodes[n]
		if pn == nil {
			continue
		}
		for _, p := range props {
			if p.Name == "orig-offset" || p.Name == "orig-size" {
				continue // binman records these in u-boot.dtb only
			}
			out.props[pn] = append(out.props[pn], &fdt.Property{Name: p.Name, Value: append([]byte(nil), p.Value...)})
		}
	}
	return out
}

func setPlaceholderPath(n *layout.Node, placeholder, path string) {
	if n.Path == placeholder {
		n.Path = path
	}
	for i := range n.Entries {
		setPlaceholderPath(&n.Entries[i], placeholder, path)
	}
}
