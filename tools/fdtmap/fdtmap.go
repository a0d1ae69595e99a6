// Package fdtmap encodes and finds binman's fdtmap (a 16-byte "_FDTMAP_"
// header followed by a flattened device tree describing the image) and
// binman's image header ("BinM" + little-endian u32 pointing at the
// fdtmap), so images we build can be listed by us and by binman.
package fdtmap

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/lazymap"
	"github.com/rules-firmware/rules_firmware/tools/staticerr"
)

const (
	// Magic starts an fdtmap; 8 zero bytes follow before the DTB.
	Magic     = "_FDTMAP_"
	HeaderLen = 16
	// ImageHeaderMagic starts binman's 8-byte image header.
	ImageHeaderMagic = "BinM"
	ImageHeaderLen   = 8
)

const (
	tokenBeginNode = 1
	tokenEndNode   = 2
	tokenProp      = 3
	tokenEnd       = 9
	dtbHeaderSize  = 40
)

// EncodeDTB writes root as libfdt's sequential-write API followed by
// fdt_pack lays it out, which is how binman builds the fdtmap: header,
// one empty reservation, struct block, then a strings block in which each
// new name is put in front of the older ones and a name is reused when it
// already occurs (also as the tail of a longer name).
func EncodeDTB(root *fdt.Node) []byte {
	var strtab []byte // newest first, as libfdt grows it downwards
	type fix struct{ at, fromEnd int }
	var fixes []fix
	var st []byte
	put32 := func(v uint32) { st = binary.BigEndian.AppendUint32(st, v) }
	pad := func() {
		for len(st)%4 != 0 {
			st = append(st, 0)
		}
	}
	var walk func(n *fdt.Node)
	walk = func(n *fdt.Node) {
		put32(tokenBeginNode)
		st = append(st, n.Name...)
		st = append(st, 0)
		pad()
		for _, p := range n.Properties {
			put32(tokenProp)
			put32(uint32(len(p.Value)))
			needle := append([]byte(p.Name), 0)
			i := bytes.Index(strtab, needle)
			if i < 0 {
				strtab = append(needle, strtab...)
				i = 0
			}
			// Offsets are fixed once the table is complete: libfdt keeps
			// them relative to the table's end while writing.
			fixes = append(fixes, fix{len(st), len(strtab) - i})
			put32(0)
			st = append(st, p.Value...)
			pad()
		}
		for _, c := range n.Children {
			walk(c)
		}
		put32(tokenEndNode)
	}
	walk(root)
	put32(tokenEnd)
	for _, f := range fixes {
		binary.BigEndian.PutUint32(st[f.at:], uint32(len(strtab)-f.fromEnd))
	}
	offRsv := dtbHeaderSize
	offStruct := offRsv + 16
	offStrings := offStruct + len(st)
	total := offStrings + len(strtab)
	out := make([]byte, 0, total)
	for _, v := range []uint32{fdt.Magic, uint32(total), uint32(offStruct), uint32(offStrings), uint32(offRsv), 17, 16, 0, uint32(len(strtab)), uint32(len(st))} {
		out = binary.BigEndian.AppendUint32(out, v)
	}
	out = append(out, make([]byte, 16)...)
	out = append(out, st...)
	out = append(out, strtab...)
	return out
}

// Encode returns a complete fdtmap: header plus DTB.
func Encode(root *fdt.Node) []byte {
	dtb := EncodeDTB(root)
	out := make([]byte, 0, HeaderLen+len(dtb))
	out = append(out, Magic...)
	out = append(out, make([]byte, 8)...)
	return append(out, dtb...)
}

// ImageHeader returns binman's image header pointing at fdtmapPos. An
// end-located header stores the position relative to the image end, in
// 32-bit two's complement.
func ImageHeader(fdtmapPos, imageSize uint64, atEnd bool) []byte {
	base := uint64(0)
	if atEnd {
		base = imageSize
	}
	out := []byte(ImageHeaderMagic)
	return binary.LittleEndian.AppendUint32(out, uint32((fdtmapPos-base)&0xffffffff))
}

// find returns the offset of the first occurrence of magic in r, reading
// in bounded chunks so big images are never loaded whole.
func find(r io.ReaderAt, size int64, magic string) (int64, error) {
	const chunk = 1 << 20
	buf := make([]byte, chunk+len(magic)-1)
	for at := int64(0); at < size; at += chunk {
		n, err := r.ReadAt(buf[:minInt64(int64(len(buf)), size-at)], at)
		if err != nil && err != io.EOF {
			return -1, err
		}
		if i := bytes.Index(buf[:n], []byte(magic)); i >= 0 {
			return at + int64(i), nil
		}
	}
	return -1, nil
}

func minInt64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}

// ErrNotFound means the image holds no fdtmap.
var ErrNotFound error = &staticerr.Error{Text: "Cannot find FDT map in image"}

// Locate finds the fdtmap as binman does: through the first image header
// if there is one, else the first "_FDTMAP_" in the image.
func Locate(r io.ReaderAt, size int64) (int64, error) {
	hdr, err := find(r, size, ImageHeaderMagic)
	if err != nil {
		return -1, err
	}
	if hdr >= 0 && hdr+ImageHeaderLen <= size {
		var b [ImageHeaderLen]byte
		if _, err := r.ReadAt(b[:], hdr); err != nil {
			return -1, err
		}
		off := int64(binary.LittleEndian.Uint32(b[4:]))
		pos := off
		if hdr == size-ImageHeaderLen {
			pos = size + off - (1 << 32)
		}
		// binman slices its image with this position in Python, where a
		// negative one counts from the end; end-at-4gb images rely on it.
		if pos < 0 {
			pos += size
		}
		return pos, nil
	}
	pos, err := find(r, size, Magic)
	if err != nil {
		return -1, err
	}
	if pos < 0 || pos+HeaderLen > size {
		return -1, ErrNotFound
	}
	return pos, nil
}

// Map is a decoded fdtmap.
type Map struct {
	Pos       int64 // position of the fdtmap header in the image
	Tree      *fdt.Tree
	ImageNode string // the "image-node" property: name of the image node
	Root      *Entry
}

// Entry is one node of the map, with binman's calculated properties.
type Entry struct {
	Name                                           string
	Path                                           string // slash-separated from the image, "" for the image
	Type                                           string
	Offset                                         uint64
	Size                                           uint64
	ImagePos                                       uint64
	UncompSize                                     uint64
	HasOffset, HasSize, HasImagePos, HasUncompSize bool
	Compress                                       string
	Node                                           *fdt.Node
	Children                                       []*Entry
	Parent                                         *Entry
}

// ReadQuick decodes the fdtmap of an image whose image header sits at its
// very start or end, without scanning the rest: cheap enough to try on any
// big file. Other images give ErrNotFound.
func ReadQuick(r io.ReaderAt, size int64) (*Map, error) {
	for _, at := range []int64{0, size - ImageHeaderLen} {
		if at < 0 {
			continue
		}
		var b [ImageHeaderLen]byte
		if _, err := r.ReadAt(b[:], at); err != nil {
			continue
		}
		if string(b[:4]) != ImageHeaderMagic {
			continue
		}
		pos := int64(binary.LittleEndian.Uint32(b[4:]))
		if at == size-ImageHeaderLen {
			pos = size + pos - (1 << 32)
		}
		if pos < 0 {
			pos += size
		}
		return readAt(r, size, pos)
	}
	return nil, ErrNotFound
}

// Read locates and decodes the fdtmap of an image.
func Read(r io.ReaderAt, size int64) (*Map, error) {
	pos, err := Locate(r, size)
	if err != nil {
		return nil, err
	}
	return readAt(r, size, pos)
}

func readAt(r io.ReaderAt, size, pos int64) (*Map, error) {
	if pos < 0 || pos+HeaderLen+dtbHeaderSize > size {
		return nil, fmt.Errorf("fdtmap at %#x (%d) lies outside the image of size %#x (%d)", pos, pos, size, size)
	}
	var hdr [HeaderLen + dtbHeaderSize]byte
	if _, err := r.ReadAt(hdr[:], pos); err != nil {
		return nil, err
	}
	if string(hdr[:8]) != Magic {
		return nil, fmt.Errorf("no fdtmap magic at %#x (%d)", pos, pos)
	}
	total := int64(binary.BigEndian.Uint32(hdr[HeaderLen+4:]))
	if total < dtbHeaderSize || pos+HeaderLen+total > size {
		return nil, fmt.Errorf("fdtmap at %#x (%d): DTB totalsize %#x (%d) runs past the image end", pos, pos, total, total)
	}
	dtb := make([]byte, total)
	if _, err := r.ReadAt(dtb, pos+HeaderLen); err != nil {
		return nil, err
	}
	m, err := Decode(dtb)
	if err != nil {
		return nil, fmt.Errorf("fdtmap at %#x (%d): %v", pos, pos, err)
	}
	m.Pos = pos
	return m, nil
}

// Decode parses the DTB part of an fdtmap into entries.
func Decode(dtb []byte) (*Map, error) {
	t, err := fdt.Parse(dtb)
	if err != nil {
		return nil, err
	}
	m := &Map{Tree: t, ImageNode: "image"}
	if s, ok := t.Root.PropString("image-node"); ok {
		m.ImageNode = s
	}
	m.Root = toEntry(t.Root, "image", "", nil)
	m.Root.Type = "section"
	return m, nil
}

// special subnodes describe their parent rather than being entries.
func special(name string) bool {
	for _, p := range []string{"cipher", "hash", "signature", "template"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func toEntry(n *fdt.Node, name, path string, parent *Entry) *Entry {
	e := &Entry{Name: name, Path: path, Node: n, Parent: parent}
	e.Offset, e.HasOffset = u32(n, "offset")
	e.Size, e.HasSize = u32(n, "size")
	e.ImagePos, e.HasImagePos = u32(n, "image-pos")
	e.UncompSize, e.HasUncompSize = u32(n, "uncomp-size")
	e.Compress, _ = n.PropString("compress")
	if e.Compress == "" {
		e.Compress = "none"
	}
	if t, ok := n.PropString("type"); ok {
		e.Type = t
	} else {
		e.Type = n.Name
		if i := strings.IndexByte(e.Type, '@'); i >= 0 {
			e.Type = e.Type[:i]
		}
	}
	if parent == nil {
		e.Type = "section" // the image
	}
	// As binman reads an image: only section types have entries below
	// them. Other nodes' subnodes (an expanded u-boot's u-boot-nodtb and
	// u-boot-dtb, recorded under a node without "type") are not listed.
	if !sectionTypes.Get()[e.Type] {
		return e
	}
	for _, c := range n.Children {
		if special(c.Name) {
			continue
		}
		cp := c.Name
		if path != "" {
			cp = path + "/" + c.Name
		}
		e.Children = append(e.Children, toEntry(c, c.Name, cp, e))
	}
	return e
}

// sectionTypes are binman's entry types built on its section type.
var sectionTypes = &lazymap.Map[string, bool]{New: func() map[string]bool {
	return map[string]bool{
		"section": true, "alternates-fdt": true, "atf-fip": true, "efi-capsule": true,
		"efi-empty-capsule": true, "files": true, "fit": true, "mkimage": true,
		"nxp-header-ddrfw": true, "renesas-rcar4-sa0": true, "ti-board-config": true,
		"xilinx-bootgen": true, "u-boot-expanded": true, "u-boot-spl-expanded": true,
		"u-boot-tpl-expanded": true, "u-boot-vpl-expanded": true,
	}
}}

func u32(n *fdt.Node, name string) (uint64, bool) {
	p := n.Prop(name)
	if p == nil {
		return 0, false
	}
	switch len(p.Value) {
	case 4:
		return uint64(binary.BigEndian.Uint32(p.Value)), true
	case 8:
		return binary.BigEndian.Uint64(p.Value), true
	}
	return 0, false
}

// Walk visits e and its descendants depth-first with their indent level.
func (e *Entry) Walk(fn func(e *Entry, indent int)) {
	var rec func(x *Entry, d int)
	rec = func(x *Entry, d int) {
		fn(x, d)
		for _, c := range x.Children {
			rec(c, d+1)
		}
	}
	rec(e, 0)
}
