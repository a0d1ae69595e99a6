package binmandesc

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman changes the description's own device tree before (and, with -u,
// while) packing, and u-boot-dtb entries contain the changed tree. The
// changes are made by U-Boot's dtoc library and written back with libfdt
// in "sync" rounds; the byte layout that results is what this file
// reproduces:
//
//   - a new property goes in front of the node's existing properties, so
//     several new ones end up newest first;
//   - new subnodes go in front of the existing subnodes, in the order added;
//   - new property names are appended to the strings block in the order the
//     sync visits them: a node's existing subnodes last to first
//     (recursively), then its new subnodes last to first, then its own new
//     properties in the order they were added;
//   - the blob is packed (no free space).

// syncRound is one dtoc sync: properties and subnodes added since the
// last one.
type syncRound struct {
	props map[*fdt.Node][]*fdt.Property
	kids  map[*fdt.Node][]*fdt.Node
}

func newRound() *syncRound {
	return &syncRound{props: map[*fdt.Node][]*fdt.Property{}, kids: map[*fdt.Node][]*fdt.Node{}}
}

// has reports whether n has the property, counting ones added this round.
func (r *syncRound) has(n *fdt.Node, name string) bool {
	if n.Prop(name) != nil {
		return true
	}
	for _, p := range r.props[n] {
		if p.Name == name {
			return true
		}
	}
	return false
}

func (r *syncRound) addProp(n *fdt.Node, name string, value []byte) {
	r.props[n] = append(r.props[n], &fdt.Property{Name: name, Value: value})
}

func (r *syncRound) empty() bool { return len(r.props) == 0 && len(r.kids) == 0 }

// apply writes the round into the tree, appending new names to st.
func (r *syncRound) apply(root *fdt.Node, st *fdt.StringTable) {
	var sync func(n *fdt.Node)
	sync = func(n *fdt.Node) {
		old := n.Children
		for i := len(old) - 1; i >= 0; i-- {
			sync(old[i])
		}
		kids := r.kids[n]
		for i := len(kids) - 1; i >= 0; i-- {
			sync(kids[i])
		}
		if len(kids) > 0 {
			n.Children = append(append([]*fdt.Node(nil), kids...), old...)
		}
		for _, p := range r.props[n] {
			if existing := n.Prop(p.Name); existing != nil {
				existing.Value = p.Value // libfdt rewrites it in place
				continue
			}
			st.Add(p.Name)
			n.Properties = append([]*fdt.Property{p}, n.Properties...)
		}
	}
	sync(root)
}

// propagateBootph is binman's scan_and_prop_bootph: a node with
// bootph-all or bootph-some-ram gives the (empty) property to every
// ancestor lacking it. binman iterates the two names as a Python set, in an
// order that varies between runs when one node has both; bootph-all goes
// first here.
func propagateBootph(root *fdt.Node) *syncRound {
	r := newRound()
	var scan func(n *fdt.Node, ancestors []*fdt.Node)
	scan = func(n *fdt.Node, ancestors []*fdt.Node) {
		for _, name := range []string{"bootph-all", "bootph-some-ram"} {
			if n.Prop(name) == nil {
				continue
			}
			for i := len(ancestors) - 1; i >= 0; i-- {
				if !r.has(ancestors[i], name) {
					r.addProp(ancestors[i], name, []byte{})
				}
			}
		}
		next := append(append([]*fdt.Node(nil), ancestors...), n)
		for _, c := range n.Children {
			scan(c, next)
		}
	}
	scan(root, nil)
	return r
}

// stringNames splits a strings block into names for fdt.NewStringTable,
// which rebuilds the same block.
func stringNames(block []byte) []string {
	var names []string
	for _, s := range bytes.Split(block, []byte{0}) {
		if len(s) > 0 {
			names = append(names, string(s))
		}
	}
	return names
}

// slot is one entry whose positions binman -u records in the tree.
type slot struct {
	node      *fdt.Node
	entryPath string // below the image, as layout.Image.Find takes it; "" for the image
	hasPos    bool
	endAt4GB  bool
	compress  bool
	// hash is the entry's hash subnode: -u records the digest in it.
	hash *fdt.Node
	// orig-offset / orig-size values, recorded with allow-repack.
	origOffset, origSize       uint64
	hasOrigOffset, hasOrigSize bool
}

// dtbUpdater fills in the positions of each image's entries in the tree
// after every packing pass (binman's SetCalculatedProperties and sync) and
// rewrites the u-boot-dtb entries of that image with the new tree. Images
// built later see the final values of those built earlier, as in binman.
type dtbUpdater struct {
	tree        *fdt.Tree
	strings     []byte
	allowRepack map[string]bool
	slots       map[string][]slot   // by image name
	dtbEntries  map[string][]string // u-boot-dtb entry paths by image name
	size        int
	// mainUsed: some entry holds the description's tree.
	mainUsed bool
	// phases are the SPL/TPL/VPL trees entries hold (phasedtb.go).
	phases []*phaseDTB
}

func u32(v uint64) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

// addMissing is binman's AddMissingProperties for the recorded slots.
func (u *dtbUpdater) addMissing(r *syncRound) {
	for img, slots := range u.slots {
		for _, s := range slots {
			for _, name := range []string{"offset", "size"} {
				if !r.has(s.node, name) {
					r.addProp(s.node, name, u32(0))
				}
			}
			if s.hasPos && !r.has(s.node, "image-pos") {
				r.addProp(s.node, "image-pos", u32(0))
			}
			if u.allowRepack[img] {
				if s.hasOrigOffset {
					r.addProp(s.node, "orig-offset", u32(0))
				}
				if s.hasOrigSize {
					r.addProp(s.node, "orig-size", u32(0))
				}
			}
			if s.compress {
				r.addProp(s.node, "uncomp-size", u32(0))
			}
			if s.endAt4GB {
				r.addProp(s.node, "skip-at-start", u32(0))
			}
			if s.hash != nil && !r.has(s.hash, "value") {
				r.addProp(s.hash, "value", make([]byte, 32)) // sha256, the only algo binman hashes
			}
		}
	}
}

func (u *dtbUpdater) encode() ([]byte, error) {
	return u.tree.Encode(fdt.EncodeOptions{Strings: fdt.NewStringTable(stringNames(u.strings)...)})
}

// afterPack records img's positions in the description's tree and in the
// SPL/TPL/VPL trees (binman's GetUpdateNodes: the node of the same path,
// repack values left out) and rewrites the device-tree entries.
func (u *dtbUpdater) afterPack(img *layout.Image) error {
	slots, ok := u.slots[img.Name()]
	if !ok {
		return nil
	}
	for _, s := range slots {
		var e layout.Entry = &img.Section
		if s.entryPath != "" {
			e = img.Find(s.entryPath)
		}
		if e == nil {
			continue // dropped (optional and missing)
		}
		set := func(name string, value []byte, forRepack bool) {
			if p := s.node.Prop(name); p != nil {
				p.Value = value
			}
			if forRepack {
				return
			}
			for _, ph := range u.phases {
				if n := ph.nodes[s.node]; n != nil {
					if p := n.Prop(name); p != nil {
						p.Value = value
					}
				}
			}
		}
		set("offset", u32(e.Offset()), false)
		set("size", u32(e.Size()), false)
		if pos, ok := e.ImagePos(); ok && s.hasPos {
			set("image-pos", u32(pos), false)
		}
		if u.allowRepack[img.Name()] {
			if s.hasOrigOffset {
				set("orig-offset", u32(s.origOffset), true)
			}
			if s.hasOrigSize {
				set("orig-size", u32(s.origSize), true)
			}
		}
		if s.compress {
			set("uncomp-size", u32(e.UncompSize()), false)
		}
		if sec, ok := e.(*layout.Section); ok && s.endAt4GB {
			set("skip-at-start", u32(sec.SkipAtStart()), false)
		}
		if s.hash != nil {
			v := e.HashValue()
			if p := s.hash.Prop("value"); p != nil {
				p.Value = v
			}
			for _, ph := range u.phases {
				if n := ph.nodes[s.hash]; n != nil {
					if p := n.Prop("value"); p != nil {
						p.Value = v
					}
				}
			}
		}
	}
	if u.mainUsed {
		data, err := u.encode()
		if err != nil {
			return err
		}
		if err := rewriteDTBEntries(img, u.dtbEntries[img.Name()], data, u.size); err != nil {
			return err
		}
	}
	for _, ph := range u.phases {
		data, err := ph.encode()
		if err != nil {
			return err
		}
		if err := rewriteDTBEntries(img, ph.entries[img.Name()], data, ph.size); err != nil {
			return err
		}
	}
	return nil
}

// rewriteDTBEntries puts a tree re-encoded with new positions into the
// entries at paths; its size must not have changed.
func rewriteDTBEntries(img *layout.Image, paths []string, data []byte, size int) error {
	if len(data) != size {
		return fmt.Errorf("Image '%s': device tree changed size from %#x to %#x while recording positions", img.Path(), size, len(data))
	}
	for _, p := range paths {
		e := img.Find(p)
		if e == nil {
			continue
		}
		// A compressed or length-prefixed tree is encoded again (its size
		// may change); a plain one is patched in place.
		if b, ok := e.(interface{ ReplaceData([]byte) error }); ok {
			if err := b.ReplaceData(data); err != nil {
				return err
			}
		} else if err := e.SetPatch(0, data); err != nil {
			return err
		}
	}
	return nil
}
