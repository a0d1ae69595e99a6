package binmandesc

import (
	"encoding/binary"
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

// expandTemplates is binman's template step, done on the description's
// tree before anything reads it (so u-boot-dtb and the fdtmap show the
// result, as binman's do): every node below /binman with an
// "insert-template" phandle list gets, per template in order, copies of
// the template's subnodes (merged into same-named subnodes, which move to
// the front; properties it already has win) and then the template's own
// properties, "phandle" aside; then the nodes named template* directly
// below /binman go. A phandle copied twice this way is an error, as
// binman's rescan finds it.
func expandTemplates(root, binman *fdt.Node) error {
	st := &tmplState{byPhandle: map[uint32]*fdt.Node{}, purged: map[*fdt.Node]bool{}, added: map[*fdt.Node]int{}}
	indexPhandles(root, st.byPhandle)
	found, err := st.insertTemplates(binman, "/binman")
	if err != nil || !found {
		return err
	}
	st.finish(root)
	kept := binman.Children[:0]
	for _, k := range binman.Children {
		if len(k.Name) < len("template") || k.Name[:len("template")] != "template" {
			kept = append(kept, k)
		}
	}
	binman.Children = kept
	return checkPhandles(root, "")
}

func indexPhandles(n *fdt.Node, m map[uint32]*fdt.Node) {
	if v, ok := n.PropU32("phandle"); ok {
		m[v] = n
	}
	for _, k := range n.Children {
		indexPhandles(k, m)
	}
}

// tmplState records what dtoc's sync will do to each node touched: a
// node deleted and re-added ("purged": a new node, or one whose parent
// got a child in front) has its properties written back in reverse; a
// node kept in place gets its new properties in front, newest first
// (libfdt adds a property before the others).
type tmplState struct {
	byPhandle map[uint32]*fdt.Node
	purged    map[*fdt.Node]bool
	added     map[*fdt.Node]int
}

func (st *tmplState) purge(n *fdt.Node) {
	st.purged[n] = true
	for _, k := range n.Children {
		st.purge(k)
	}
}

func (st *tmplState) insertTemplates(parent *fdt.Node, path string) (bool, error) {
	found := false
	// Children may be added in front while walking: walk a snapshot, as
	// binman walks its list of subnodes.
	for _, n := range append([]*fdt.Node(nil), parent.Children...) {
		p := path + "/" + n.Name
		if prop := n.Prop("insert-template"); prop != nil && len(prop.Value) > 0 {
			if len(prop.Value)%4 != 0 {
				return false, fmt.Errorf("Node '%s': property 'insert-template' has length %d, not a list of phandles", p, len(prop.Value))
			}
			for i := len(prop.Value) - 4; i >= 0; i -= 4 {
				ph := binary.BigEndian.Uint32(prop.Value[i:])
				tmpl, ok := st.byPhandle[ph]
				if !ok {
					return false, fmt.Errorf("Node '%s': Cannot find node for phandle %d", p, ph)
				}
				for j := len(tmpl.Children) - 1; j >= 0; j-- {
					st.copyNode(n, tmpl.Children[j], false)
				}
				st.mergeProps(n, tmpl, false)
			}
			found = true
		}
		more, err := st.insertTemplates(n, p)
		if err != nil {
			return false, err
		}
		found = found || more
	}
	return found, nil
}

// copyNode is dtoc's Node.copy_node: src copied into dst's children,
// first in the list.
func (st *tmplState) copyNode(dst, src *fdt.Node, copyPhandles bool) {
	var to *fdt.Node
	rest := make([]*fdt.Node, 0, len(dst.Children)+1)
	for _, k := range dst.Children {
		if k.Name == src.Name && to == nil {
			to = k
			continue
		}
		rest = append(rest, k)
	}
	if to == nil || dst.Children[0] != to {
		// insert_subnode and move_to_first delete the siblings first.
		for _, k := range dst.Children {
			st.purge(k)
		}
	}
	if to == nil {
		to = &fdt.Node{Name: src.Name}
		st.purged[to] = true
	}
	dst.Children = append([]*fdt.Node{to}, rest...)
	st.mergeProps(to, src, copyPhandles)
	for i := len(src.Children) - 1; i >= 0; i-- {
		st.copyNode(to, src.Children[i], true)
	}
}

// mergeProps adds src's properties dst lacks ("phandle" only when
// copyPhandles), after dst's own; finish puts them where sync does.
func (st *tmplState) mergeProps(dst, src *fdt.Node, copyPhandles bool) {
	for _, p := range src.Properties {
		if dst.Prop(p.Name) != nil || (!copyPhandles && p.Name == "phandle") {
			continue
		}
		dst.Properties = append(dst.Properties, &fdt.Property{Name: p.Name, Value: append([]byte(nil), p.Value...)})
		st.added[dst]++
	}
}

func (st *tmplState) finish(n *fdt.Node) {
	ps := n.Properties
	k := st.added[n]
	switch {
	case st.purged[n]:
		k = len(ps)
		fallthrough
	case k > 0:
		out := make([]*fdt.Property, 0, len(ps))
		for i := len(ps) - 1; i >= len(ps)-k; i-- {
			out = append(out, ps[i])
		}
		n.Properties = append(out, ps[:len(ps)-k]...)
	}
	for _, c := range n.Children {
		st.finish(c)
	}
}

// checkPhandles is dtoc's scan check: no phandle on two nodes.
func checkPhandles(root *fdt.Node, path string) error {
	seen := map[uint32]string{}
	var walk func(n *fdt.Node, p string) error
	walk = func(n *fdt.Node, p string) error {
		if v, ok := n.PropU32("phandle"); ok {
			if other, dup := seen[v]; dup {
				return fmt.Errorf("Duplicate phandle %d in nodes %s and %s", v, other, p)
			}
			seen[v] = p
		}
		for _, k := range n.Children {
			if err := walk(k, p+"/"+k.Name); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(root, path)
}
