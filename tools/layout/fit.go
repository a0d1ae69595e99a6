package layout

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/fit"
)

// FitSpec is binman's fit entry: a FIT whose images take their data from
// the entry's children (one section per /images subnode, named after it).
type FitSpec struct {
	// Tree is the FIT's device tree as binman hands it to mkimage, with
	// the generator nodes expanded and without the "data" of images that
	// come from child entries (the engine adds it last in their nodes).
	Tree Hex `json:"tree"`
	// ExternalOffset moves the image data after the FDT from this offset
	// (fit,external-offset: mkimage -E, and -p when not 0).
	ExternalOffset *Num `json:"external_offset,omitempty"`
	// Align is mkimage's -B (fit,align).
	Align Num `json:"align,omitempty"`
	// KeyDir is mkimage's -k: signature nodes are signed with
	// KeyDir/NAME.key (binman's fit,sign).
	KeyDir string `json:"key_dir,omitempty"`
	// Desc is the entry's node as the description has it (a DTB whose
	// root stands for the node): the fdtmap keeps its subnodes.
	Desc Hex `json:"desc,omitempty"`
}

// fitDesc returns the parsed description subtree of a fit section, or nil.
func fitDesc(n *Node) *fdt.Node {
	if n.Fit == nil || len(n.Fit.Desc) == 0 {
		return nil
	}
	t, err := fdt.Parse(n.Fit.Desc)
	if err != nil {
		return nil
	}
	return t.Root
}

// fitMapNode gives a fit entry's fdtmap node binman's shape: the
// description's subnodes in its order (images, configurations, hash
// nodes), each image node carrying its entry's properties and positions
// with the entry's children in place of the content subnodes.
func (img *Image) fitMapNode(s *Section, n *fdt.Node, havePos bool) {
	desc := fitDesc(s.node)
	if desc == nil {
		return
	}
	byName := map[string]*fdt.Node{}
	for i, c := range s.entries {
		byName[c.b().node.Name] = n.Children[i]
	}
	var kids []*fdt.Node
	for _, d := range desc.Children {
		if d.Name != "images" {
			kids = append(kids, d)
			continue
		}
		images := &fdt.Node{Name: d.Name, Properties: d.Properties}
		for _, di := range d.Children {
			en, ok := byName[di.Name]
			switch {
			case ok:
				images.Children = append(images.Children, mergeMapNode(di, en))
			case strings.HasPrefix(di.Name, "@") && img.updateFDT:
				// A generator node was an entry to binman until the FIT
				// was built: -u gave it positions that stay 0, put in
				// front of its properties newest first.
				g := zeroPositions(di, havePos)
				for _, c := range di.Children {
					// Its content entries too; hash nodes are not entries.
					if strings.HasPrefix(c.Name, "hash") || strings.HasPrefix(c.Name, "signature") {
						g.Children = append(g.Children, c)
					} else {
						g.Children = append(g.Children, zeroPositions(c, havePos))
					}
				}
				images.Children = append(images.Children, g)
			default:
				images.Children = append(images.Children, di)
			}
		}
		kids = append(kids, images)
	}
	n.Children = kids
}

// zeroPositions copies n without subnodes, with offset, size and image-pos
// of 0 in front of its properties (newest first) where it lacks them.
func zeroPositions(n *fdt.Node, havePos bool) *fdt.Node {
	zero := []string{"size", "offset"}
	if havePos {
		zero = []string{"image-pos", "size", "offset"}
	}
	g := &fdt.Node{Name: n.Name}
	for _, z := range zero {
		if n.Prop(z) == nil {
			g.Properties = append(g.Properties, &fdt.Property{Name: z, Value: []byte{0, 0, 0, 0}})
		}
	}
	g.Properties = append(g.Properties, n.Properties...)
	return g
}

// mergeMapNode puts the description's non-entry subnodes of d (hash and
// signature nodes) among the entry node's children, in description order.
func mergeMapNode(d, en *fdt.Node) *fdt.Node {
	out := &fdt.Node{Name: en.Name, Properties: en.Properties}
	used := map[*fdt.Node]bool{}
	for _, dc := range d.Children {
		if ec := en.Child(dc.Name); ec != nil {
			out.Children = append(out.Children, ec)
			used[ec] = true
			continue
		}
		out.Children = append(out.Children, dc)
	}
	for _, ec := range en.Children {
		if !used[ec] {
			out.Children = append(out.Children, ec)
		}
	}
	return out
}

// newFit makes the section that builds a FIT from its children.
func newFit(n *Node, path string) (*Section, error) {
	if n.Fit == nil {
		return nil, fmt.Errorf("Node '%s': 'fit' entry has no FIT description", path)
	}
	tree, err := fdt.Parse(n.Fit.Tree)
	if err != nil {
		return nil, fmt.Errorf("Node '%s': FIT description: %v", path, err)
	}
	spec := *n.Fit
	s := &Section{}
	s.gen = func(s *Section, final bool) (content, error) { return buildFit(s, tree, spec, final) }
	return s, nil
}

// buildFit writes the FIT as binman does: the description in libfdt's
// sequential-write layout with each child's data as its image's "data",
// then mkimage -F -t (hashes, timestamp) and -E/-p/-B. Each child is then
// placed where its data landed, as binman's Entry_fit.SetImagePos does.
func buildFit(s *Section, tree *fdt.Tree, spec FitSpec, final bool) (content, error) {
	images := tree.Root.Child("images")
	data := map[*fdt.Node][]byte{}
	for _, e := range s.entries {
		b := e.b()
		c := b.contents
		if sec, ok := e.(*Section); ok && final {
			var err error
			if c, err = sec.buildContents(true); err != nil {
				return content{}, err
			}
		}
		raw, err := c.render()
		if err != nil {
			return content{}, err
		}
		var node *fdt.Node
		if images != nil {
			node = images.Child(b.node.Name)
		}
		if node == nil {
			return content{}, b.errorf("no node '/images/%s' in the FIT", b.node.Name)
		}
		data[node] = raw
	}
	opts := fit.Options{Align: int(spec.Align), Timestamp: s.image.timestamp}
	if spec.KeyDir != "" {
		opts.Keys = fit.KeyDir{Dir: spec.KeyDir}
	}
	if spec.ExternalOffset != nil {
		opts.External = true
		opts.Position = int(*spec.ExternalOffset)
	}
	res, err := fit.ProcessBuffer(encodeSequential(tree, data), opts)
	if err != nil {
		return content{}, s.errorf("%v", err)
	}
	f, err := fit.Parse(res.FIT)
	if err != nil {
		return content{}, s.errorf("%v", err)
	}
	imgs, err := f.Images()
	if err != nil {
		return content{}, s.errorf("%v", err)
	}
	for _, e := range s.entries {
		b := e.b()
		for _, img := range imgs {
			if img.Name != b.node.Name {
				continue
			}
			off, size, err := f.DataRange(img)
			if err != nil {
				return content{}, s.errorf("%v", err)
			}
			b.offset, b.offsetSet, b.size = off, true, size
		}
	}
	return bytesContent(res.FIT), nil
}

// encodeSequential writes tree as libfdt's sequential-write functions do
// (pylibfdt's FdtSw, which binman uses, then fdt_pack): nodes and
// properties in order, extra[node] appended as a "data" property after
// the node's own, and a strings block that grows at its front, each new
// name placed before the older ones unless it is already there (as a
// whole string or the tail of one).
func encodeSequential(tree *fdt.Tree, extra map[*fdt.Node][]byte) []byte {
	var strs []byte
	nameOff := func(name string) int {
		needle := append([]byte(name), 0)
		if i := bytes.Index(strs, needle); i >= 0 {
			return i - len(strs)
		}
		strs = append(needle, strs...)
		return -len(strs)
	}
	var st []byte
	var fixups []int // offsets in st of name offsets, relative to the end
	u32 := func(v uint32) { st = binary.BigEndian.AppendUint32(st, v) }
	pad := func() {
		for len(st)%4 != 0 {
			st = append(st, 0)
		}
	}
	prop := func(name string, v []byte) {
		u32(fdtProp)
		u32(uint32(len(v)))
		fixups = append(fixups, len(st))
		u32(uint32(int32(nameOff(name))))
		st = append(st, v...)
		pad()
	}
	var node func(n *fdt.Node)
	node = func(n *fdt.Node) {
		u32(fdtBeginNode)
		st = append(st, n.Name...)
		st = append(st, 0)
		pad()
		for _, p := range n.Properties {
			prop(p.Name, p.Value)
		}
		if v, ok := extra[n]; ok {
			prop("data", v)
		}
		for _, c := range n.Children {
			node(c)
		}
		u32(fdtEndNode)
	}
	node(tree.Root)
	u32(fdtEnd)
	for _, at := range fixups {
		rel := int32(binary.BigEndian.Uint32(st[at:]))
		binary.BigEndian.PutUint32(st[at:], uint32(int(rel)+len(strs)))
	}
	const offRsv, offStruct = 40, 56
	offStrings := offStruct + len(st)
	out := make([]byte, offStrings+len(strs), offStrings+len(strs)+fit.Headroom)
	for i, v := range []uint32{fdt.Magic, uint32(len(out)), offStruct, uint32(offStrings), offRsv, 17, 16, 0, uint32(len(strs)), uint32(len(st))} {
		binary.BigEndian.PutUint32(out[4*i:], v)
	}
	copy(out[offStruct:], st)
	copy(out[offStrings:], strs)
	return out
}

const (
	fdtBeginNode = 1
	fdtEndNode   = 2
	fdtProp      = 3
	fdtEnd       = 9
)
