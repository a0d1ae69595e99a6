package dts

import (
	"strings"
)

// The live tree mirrors dtc's: deletions only mark properties, nodes and
// labels, so that a later definition of the same name revives the entry in
// its original position, exactly as dtc orders its output.

type markerKind int

// Marker kinds in dtc's order; kinds from typeU8 on carry the value's
// source type, which only matters when printing source (-O dts).
const (
	typeNone markerKind = iota
	refPhandle
	refPath
	valueLabel
	typeU8
	typeU16
	typeU32
	typeU64
	typeString
)

func (k markerKind) isType() bool { return k >= typeU8 }

// mark appends a marker at the current end of the value.
func (v *value) mark(kind markerKind, ref string, pos Pos) {
	v.markers = append(v.markers, marker{kind: kind, offset: len(v.b), ref: ref, pos: pos})
}

type marker struct {
	kind   markerKind
	offset int
	ref    string
	pos    Pos
}

type value struct {
	b       []byte
	markers []marker
}

func (v *value) merge(o value) {
	for _, m := range o.markers {
		m.offset += len(v.b)
		v.markers = append(v.markers, m)
	}
	v.b = append(v.b, o.b...)
}

type label struct {
	name    string
	deleted bool
}

type property struct {
	name    string
	val     value
	labels  []*label
	deleted bool
	pos     Pos
}

type node struct {
	name         string
	props        []*property
	children     []*node
	labels       []*label
	deleted      bool
	discarded    bool // merged into an earlier definition; not in the tree
	omitIfUnused bool
	referenced   bool
	phandle      uint32
	fullpath     string
	basenamelen  int
	pos          Pos
}

// addLabel puts a label at the front of the list (dtc prepends), or
// revives it if already there.
func addLabel(labels *[]*label, name string) {
	for _, l := range *labels {
		if l.name == name {
			l.deleted = false
			return
		}
	}
	*labels = append([]*label{{name: name}}, *labels...)
}

func deleteLabels(labels []*label) {
	for _, l := range labels {
		l.deleted = true
	}
}

func (n *node) liveChildren() []*node {
	out := make([]*node, 0, len(n.children))
	for _, c := range n.children {
		if !c.deleted {
			out = append(out, c)
		}
	}
	return out
}

// getProp finds a live property.
func (n *node) getProp(name string) *property {
	for _, p := range n.props {
		if !p.deleted && p.name == name {
			return p
		}
	}
	return nil
}

func mergeNodes(ix labelIndex, old, nw *node) {
	old.deleted = false
	nw.discarded = true
	for _, l := range nw.labels {
		ix.add(old, l.name)
	}
	for _, np := range nw.props {
		if np.deleted {
			deletePropByName(old, np.name)
			continue
		}
		merged := false
		for _, op := range old.props {
			if op.name == np.name {
				for _, l := range np.labels {
					addLabel(&op.labels, l.name)
				}
				op.val = np.val
				op.deleted = false
				op.pos = np.pos
				merged = true
				break
			}
		}
		if !merged {
			old.props = append(old.props, np)
		}
	}
	for _, nc := range nw.children {
		if nc.deleted {
			deleteNodeByName(old, nc.name)
			continue
		}
		merged := false
		for _, oc := range old.children {
			if oc.name == nc.name {
				mergeNodes(ix, oc, nc)
				merged = true
				break
			}
		}
		if !merged {
			old.children = append(old.children, nc)
		}
	}
}

func deletePropByName(n *node, name string) {
	for _, p := range n.props {
		if p.name == name {
			p.deleted = true
			deleteLabels(p.labels)
			return
		}
	}
}

func deleteNodeByName(parent *node, name string) {
	for _, c := range parent.children {
		if c.name == name {
			deleteNode(c)
			return
		}
	}
}

func deleteNode(n *node) {
	n.deleted = true
	for _, c := range n.children {
		if !c.deleted {
			deleteNode(c)
		}
	}
	for _, p := range n.props {
		if !p.deleted {
			p.deleted = true
			deleteLabels(p.labels)
		}
	}
	deleteLabels(n.labels)
}

// nodeByPath follows dtc's get_node_by_path: exact component names, live
// nodes only; "//" names a child with an empty name, which never exists.
func nodeByPath(n *node, path string) *node {
	if path == "" {
		if n.deleted {
			return nil
		}
		return n
	}
	path = strings.TrimLeft(path, "/")
	part, rest, more := strings.Cut(path, "/")
	for _, c := range n.children {
		if c.deleted || c.name != part {
			continue
		}
		if more {
			return nodeByPath(c, rest)
		}
		return c
	}
	return nil
}

func nodeByLabel(n *node, name string) *node {
	for _, l := range n.labels {
		if !l.deleted && l.name == name {
			return n
		}
	}
	for _, c := range n.children {
		if c.deleted {
			continue
		}
		if f := nodeByLabel(c, name); f != nil {
			return f
		}
	}
	return nil
}

// labelIndex remembers every node that was given each label, so that a
// reference checks a few candidates instead of walking the whole tree.
type labelIndex map[string][]*node

func (ix labelIndex) add(n *node, name string) {
	addLabel(&n.labels, name)
	ix[name] = append(ix[name], n)
}

// lookup returns what dtc's tree walk would find: the live node carrying
// the live label. Deleting a node deletes its whole subtree, so a node not
// marked deleted (or discarded) is reachable. With several candidates
// (an input dtc will reject as a duplicate label) the walk decides.
func (ix labelIndex) lookup(root *node, name string) *node {
	var found *node
	for _, n := range ix[name] {
		if n.discarded || n.deleted && n != root {
			continue
		}
		live := false
		for _, l := range n.labels {
			if l.name == name && !l.deleted {
				live = true
			}
		}
		if !live || n == found {
			continue
		}
		if found != nil {
			return nodeByLabel(root, name)
		}
		found = n
	}
	return found
}

func (ix labelIndex) nodeByRef(root *node, ref string) *node {
	switch {
	case ref == "/":
		return root
	case strings.HasPrefix(ref, "/"):
		return nodeByPath(root, ref)
	}
	return ix.lookup(root, ref)
}

func fillFullpaths(n *node, prefix string) {
	if strings.HasSuffix(prefix, "/") {
		n.fullpath = prefix + n.name
	} else {
		n.fullpath = prefix + "/" + n.name
	}
	if i := strings.IndexByte(n.name, '@'); i >= 0 {
		n.basenamelen = i
	} else {
		n.basenamelen = len(n.name)
	}
	for _, c := range n.children {
		if !c.deleted {
			fillFullpaths(c, n.fullpath)
		}
	}
}

// guessBootCPUID is dtc's: the first child of /cpus (deleted or not) with
// a one-cell reg gives the boot CPU.
func guessBootCPUID(root *node) uint32 {
	cpus := nodeByPath(root, "/cpus")
	if cpus == nil || len(cpus.children) == 0 {
		return 0
	}
	reg := cpus.children[0].getProp("reg")
	if reg == nil || len(reg.val.b) != 4 {
		return 0
	}
	return be32(reg.val.b)
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
