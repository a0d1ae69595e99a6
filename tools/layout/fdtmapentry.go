package layout

import (
	"encoding/binary"
	"path"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/fdtmap"
)

// FdtMap is binman's fdtmap entry: a device tree describing the image so
// tools can list and extract it later.
type FdtMap struct{ leaf }

func (e *FdtMap) obtain() error {
	e.setContents(bytesContent(fdtmap.Encode(e.image.fdtTree(e.parent))))
	return nil
}

func (e *FdtMap) process() (bool, error) {
	return e.updateContents(bytesContent(fdtmap.Encode(e.image.fdtTree(e.parent)))), nil
}

// fdtTree builds the fdtmap's tree as binman does: a root holding
// "image-node" and the image node's properties, then every entry node with
// its properties. When positions are recorded (binman -u), each node gets
// offset, size and image-pos (not inside a compressed section), plus
// uncomp-size when compressed; properties the description lacked are put
// in front, newest first, which is where binman's device-tree sync leaves
// them.
//
// Like binman, the map describes the section holding the fdtmap entry:
// normally the image, but an fdtmap inside a section maps that section.
func (img *Image) fdtTree(s *Section) *fdt.Node {
	root := &fdt.Node{}
	imageNode := s.node.Name
	havePos := true
	if s == &img.Section {
		imageNode = img.node.ImageNode
		if imageNode == "" {
			imageNode = path.Base(img.path)
		}
	} else {
		for p := s.parent; p != nil; p = p.parent {
			if p.compress != "none" {
				havePos = false
			}
		}
	}
	root.Properties = append(root.Properties, &fdt.Property{Name: "image-node", Value: fdt.String(imageNode)})
	n := img.fdtNode(&s.base, havePos)
	root.Properties = append(root.Properties, n.Properties...)
	root.Children = n.Children
	return root
}

func (img *Image) fdtNode(e *base, havePos bool) *fdt.Node {
	n := &fdt.Node{Name: e.node.Name}
	var props []*fdt.Property
	for _, p := range originalProps(e) {
		props = append(props, &fdt.Property{Name: p.Name, Value: append([]byte(nil), p.Value...)})
	}
	if img.updateFDT {
		set := func(name string, v uint64) {
			for _, p := range props {
				if p.Name == name {
					p.Value = u32(v)
					return
				}
			}
			props = append([]*fdt.Property{{Name: name, Value: u32(v)}}, props...)
		}
		set("offset", e.offset)
		set("size", e.size)
		if havePos {
			set("image-pos", e.imagePos)
		}
		if e.image.allowRepack {
			if e.hasOrigOffset {
				set("orig-offset", e.origOffset)
			}
			if e.hasOrigSize {
				set("orig-size", e.origSize)
			}
		}
		if e.compress != "none" {
			set("uncomp-size", e.uncompSize)
		}
		if s, ok := img.sectionOf(e); ok && s.endAt4GB {
			set("skip-at-start", s.skipAtStart)
		}
	}
	n.Properties = props
	if s, ok := img.sectionOf(e); ok {
		childPos := havePos && !s.compressed && s.compress == "none"
		for _, c := range s.descOrder() {
			n.Children = append(n.Children, img.fdtNode(c.b(), childPos))
		}
		if s.gen != nil {
			img.fitMapNode(s, n, childPos)
		}
	}
	if e.hashAlgo != "" {
		h := &fdt.Node{Name: "hash"}
		if img.updateFDT {
			h.Properties = append(h.Properties, &fdt.Property{Name: "value", Value: e.hashValue})
		}
		h.Properties = append(h.Properties, &fdt.Property{Name: "algo", Value: fdt.String(e.hashAlgo)})
		at := int(e.node.HashAfter)
		if at > len(n.Children) {
			at = len(n.Children)
		}
		n.Children = append(n.Children[:at], append([]*fdt.Node{h}, n.Children[at:]...)...)
	}
	return n
}

func (img *Image) sectionOf(e *base) (*Section, bool) {
	s, ok := img.byBase[e].(*Section)
	return s, ok
}

func u32(v uint64) []byte {
	if v > 0xffffffff {
		return binary.BigEndian.AppendUint64(nil, v)
	}
	return binary.BigEndian.AppendUint32(nil, uint32(v))
}

// originalProps returns the description's properties: verbatim when the
// manifest carries them (a binman description), else the binman properties
// equivalent to the manifest fields, so binman's own tools read our map.
func originalProps(e *base) []Prop {
	if e.hasProp {
		return e.props
	}
	n := e.node
	var ps []Prop
	str := func(name, v string) { ps = append(ps, Prop{name, fdt.String(v)}) }
	num := func(name string, v uint64) {
		if v != 0 {
			ps = append(ps, Prop{name, u32(v)})
		}
	}
	flag := func(name string, v bool) {
		if v {
			ps = append(ps, Prop{name, nil})
		}
	}
	isImage := e.parent == nil
	if !isImage && e.etype != strings.SplitN(n.Name, "@", 2)[0] {
		str("type", e.etype)
	}
	if n.Offset != nil && !isImage {
		num("offset", uint64(*n.Offset))
	}
	if n.Size != nil {
		num("size", uint64(*n.Size))
	}
	num("min-size", uint64(n.MinSize))
	num("align", uint64(n.Align))
	num("align-size", uint64(n.AlignSize))
	num("align-end", uint64(n.AlignEnd))
	num("pad-before", uint64(n.PadBefore))
	num("pad-after", uint64(n.PadAfter))
	flag("extend-size", n.ExtendSize)
	flag("overlap", n.Overlap)
	flag("optional", n.Optional)
	if e.compress != "none" {
		str("compress", e.compress)
	}
	switch e.etype {
	case "blob", "blob-ext":
		if n.Path != "" {
			str("filename", path.Base(n.Path))
		}
	case "fill":
		if n.FillByte != 0 {
			ps = append(ps, Prop{"fill-byte", []byte{byte(n.FillByte)}})
		}
	case "text":
		str("text", n.Text)
	case "image-header":
		if n.Location != "" {
			str("location", n.Location)
		}
	case "section":
		num("pad-byte", uint64(n.PadByte))
		flag("sort-by-offset", n.SortByOffset)
		flag("end-at-4gb", n.EndAt4GB)
		if n.SkipAtStart != nil {
			num("skip-at-start", uint64(*n.SkipAtStart))
		}
		num("align-default", uint64(n.AlignDefault))
		if n.NamePrefix != "" {
			str("name-prefix", n.NamePrefix)
		}
		flag("read-only", n.ReadOnly)
		if isImage {
			flag("allow-repack", n.AllowRepack)
		}
	}
	return ps
}
