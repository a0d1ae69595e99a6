package fit

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/staticerr"
)

// This file edits a flattened device tree in place with the same memory
// layout rules as libfdt's read-write functions, because mkimage builds a FIT
// by running libfdt on the blob dtc produced and the resulting bytes depend
// on those rules: a new property goes first in its node, a new subnode goes
// right after its parent's properties, a new name is appended to the strings
// block (an existing name or name suffix is reused), every change moves the
// bytes behind it with memmove inside a fixed-size buffer (stale bytes stay
// behind in the free space), and running out of free space is an error the
// caller answers by retrying with a bigger buffer.

const (
	fdtMagic     = 0xd00dfeed
	fdtHeaderLen = 40

	tagBeginNode = 1
	tagEndNode   = 2
	tagProp      = 3
	tagNop       = 4
	tagEnd       = 9
)

// errNoSpace is libfdt's FDT_ERR_NOSPACE: the edit does not fit in totalsize.
var errNoSpace error = &staticerr.Error{Text: "no space left in the device tree blob"}

// errNotFound is libfdt's FDT_ERR_NOTFOUND.
var errNotFound error = &staticerr.Error{Text: "not found"}

// blob is a device tree held in a buffer whose length is its totalsize.
// Node and property offsets are relative to the structure block, as in libfdt.
type blob struct {
	b []byte
	// high is the largest data size any splice needed, so Process can
	// tell which totalsize would have been enough.
	high int
}

func (d *blob) u32(off int) uint32 { return binary.BigEndian.Uint32(d.b[off:]) }
func (d *blob) put32(off int, v uint32) {
	binary.BigEndian.PutUint32(d.b[off:], v)
}

func (d *blob) totalSize() int   { return int(d.u32(4)) }
func (d *blob) offStruct() int   { return int(d.u32(8)) }
func (d *blob) offStrings() int  { return int(d.u32(12)) }
func (d *blob) offMemRsv() int   { return int(d.u32(16)) }
func (d *blob) version() int     { return int(d.u32(20)) }
func (d *blob) sizeStrings() int { return int(d.u32(32)) }
func (d *blob) sizeStruct() int  { return int(d.u32(36)) }
func (d *blob) dataSize() int    { return d.offStrings() + d.sizeStrings() }

// checkBlob validates the header of b enough that every later read stays in
// bounds: blocks inside totalsize, totalsize inside the buffer.
func checkBlob(b []byte) error {
	if len(b) < fdtHeaderLen {
		return fmt.Errorf("FDT header: file is %d bytes, shorter than the 40-byte header", len(b))
	}
	d := &blob{b: b}
	if m := d.u32(0); m != fdtMagic {
		return fmt.Errorf("FDT header: bad magic %#08x (want 0xd00dfeed)", m)
	}
	if v := d.version(); v < 17 {
		return fmt.Errorf("FDT header: version %d not supported (need 17)", v)
	}
	total := d.u32(4)
	if uint64(total) > uint64(len(b)) || total < fdtHeaderLen {
		return fmt.Errorf("FDT header: totalsize %#x (%d) does not fit the %d-byte file", total, total, len(b))
	}
	for _, blk := range []struct {
		name      string
		off, size uint32
	}{
		{"structure block", d.u32(8), d.u32(36)},
		{"strings block", d.u32(12), d.u32(32)},
	} {
		if uint64(blk.off)+uint64(blk.size) > uint64(total) || blk.off < fdtHeaderLen {
			return fmt.Errorf("FDT header: %s at %#x size %#x lies outside totalsize %#x", blk.name, blk.off, blk.size, total)
		}
	}
	if r := d.u32(16); r < fdtHeaderLen || uint64(r)+16 > uint64(total) {
		return fmt.Errorf("FDT header: memory reservation block at %#x lies outside totalsize %#x", r, total)
	}
	if d.u32(36)%4 != 0 || d.u32(8)%4 != 0 {
		return fmt.Errorf("FDT header: structure block offset %#x / size %#x not 4-byte aligned", d.u32(8), d.u32(36))
	}
	return nil
}

// newBlob checks b and wraps exactly its totalsize bytes (shared, not copied).
func newBlob(b []byte) (*blob, error) {
	if err := checkBlob(b); err != nil {
		return nil, err
	}
	d := &blob{b: b}
	d.b = b[:d.totalSize()]
	return d, nil
}

// nextTag reads the tag at struct offset off and returns it with the offset
// of the following tag, like fdt_next_tag.
func (d *blob) nextTag(off int) (tag uint32, next int, err error) {
	size := d.sizeStruct()
	base := d.offStruct()
	if off < 0 || off+4 > size {
		return 0, 0, fmt.Errorf("structure block: tag offset %#x outside the %#x-byte block", off, size)
	}
	tag = d.u32(base + off)
	next = off + 4
	switch tag {
	case tagBeginNode:
		i := bytes.IndexByte(d.b[base+next:base+size], 0)
		if i < 0 {
			return 0, 0, fmt.Errorf("structure block: node name at %#x not terminated", off)
		}
		next += i + 1
	case tagProp:
		if next+8 > size {
			return 0, 0, fmt.Errorf("structure block: property at %#x truncated", off)
		}
		l := int(d.u32(base + next))
		if l < 0 || l > size {
			return 0, 0, fmt.Errorf("structure block: property at %#x has length %#x beyond the block", off, l)
		}
		next += 8 + l
	case tagEndNode, tagNop, tagEnd:
	default:
		return 0, 0, fmt.Errorf("structure block: bad tag %#x at %#x", tag, off)
	}
	next = align4(next)
	if next > size {
		return 0, 0, fmt.Errorf("structure block: item at %#x runs past the end of the block", off)
	}
	return tag, next, nil
}

func align4(n int) int { return (n + 3) &^ 3 }

// checkStructure walks the whole structure block once: one root node,
// balanced BEGIN/END_NODE, property names inside the strings block, an END
// tag at the end. Later walks can then rely on that shape.
func (d *blob) checkStructure() error {
	depth := 0
	roots := 0
	for off := 0; ; {
		tag, next, err := d.nextTag(off)
		if err != nil {
			return err
		}
		switch tag {
		case tagBeginNode:
			if depth == 0 {
				roots++
				if roots > 1 {
					return fmt.Errorf("structure block: second root node at %#x", off)
				}
			}
			depth++
		case tagEndNode:
			depth--
			if depth < 0 {
				return fmt.Errorf("structure block: unbalanced END_NODE at %#x", off)
			}
		case tagProp:
			if depth == 0 {
				return fmt.Errorf("structure block: property outside any node at %#x", off)
			}
			if _, err := d.stringAt(int(d.u32(d.offStruct() + off + 8))); err != nil {
				return err
			}
		case tagEnd:
			if depth != 0 || roots != 1 {
				return fmt.Errorf("structure block: END tag at %#x inside an open node or without a root node", off)
			}
			return nil
		}
		off = next
	}
}

// nodeName returns the name of the node whose BEGIN_NODE tag is at off.
func (d *blob) nodeName(off int) string {
	p := d.offStruct() + off + 4
	i := bytes.IndexByte(d.b[p:], 0)
	return string(d.b[p : p+i])
}

// stringAt returns the name at offset off of the strings block.
func (d *blob) stringAt(off int) (string, error) {
	if off < 0 || off >= d.sizeStrings() {
		return "", fmt.Errorf("strings block: name offset %#x outside the %#x-byte block", off, d.sizeStrings())
	}
	s := d.b[d.offStrings()+off : d.offStrings()+d.sizeStrings()]
	i := bytes.IndexByte(s, 0)
	if i < 0 {
		return "", fmt.Errorf("strings block: name at %#x not terminated", off)
	}
	return string(s[:i]), nil
}

// property is one property of a node as stored: off is its tag's offset.
type property struct {
	off   int
	name  string
	value []byte
}

// props lists the properties of the node at off, skipping NOPs.
func (d *blob) props(node int) ([]property, error) {
	tag, off, err := d.nextTag(node)
	if err != nil {
		return nil, err
	}
	if tag != tagBeginNode {
		return nil, fmt.Errorf("structure block: offset %#x is not a node", node)
	}
	var out []property
	for {
		tag, next, err := d.nextTag(off)
		if err != nil {
			return nil, err
		}
		switch tag {
		case tagProp:
			p := d.offStruct() + off
			l := int(d.u32(p + 4))
			name, err := d.stringAt(int(d.u32(p + 8)))
			if err != nil {
				return nil, err
			}
			out = append(out, property{off: off, name: name, value: d.b[p+12 : p+12+l]})
		case tagNop:
		default:
			return out, nil
		}
		off = next
	}
}

// prop returns the named property of node, or errNotFound.
func (d *blob) prop(node int, name string) (property, error) {
	ps, err := d.props(node)
	if err != nil {
		return property{}, err
	}
	for _, p := range ps {
		if p.name == name {
			return p, nil
		}
	}
	return property{}, errNotFound
}

// propString returns a property's value up to its first NUL.
func (d *blob) propString(node int, name string) (string, bool) {
	p, err := d.prop(node, name)
	if err != nil {
		return "", false
	}
	v := p.value
	if i := bytes.IndexByte(v, 0); i >= 0 {
		v = v[:i]
	}
	return string(v), true
}

// subnodes lists the offsets of the direct children of node.
func (d *blob) subnodes(node int) ([]int, error) {
	_, off, err := d.nextTag(node)
	if err != nil {
		return nil, err
	}
	var out []int
	depth := 0
	for {
		tag, next, err := d.nextTag(off)
		if err != nil {
			return nil, err
		}
		switch tag {
		case tagBeginNode:
			if depth == 0 {
				out = append(out, off)
			}
			depth++
		case tagEndNode:
			if depth == 0 {
				return out, nil
			}
			depth--
		case tagEnd:
			return nil, fmt.Errorf("structure block: node at %#x not closed", node)
		}
		off = next
	}
}

// nodeNameMatches is libfdt's rule: "name" also finds "name@unit".
func nodeNameMatches(have, want string) bool {
	if have == want {
		return true
	}
	return !strings.Contains(want, "@") && strings.HasPrefix(have, want+"@")
}

func (d *blob) subnode(parent int, name string) (int, error) {
	kids, err := d.subnodes(parent)
	if err != nil {
		return 0, err
	}
	for _, k := range kids {
		if nodeNameMatches(d.nodeName(k), name) {
			return k, nil
		}
	}
	return 0, errNotFound
}

// pathOffset resolves an absolute path such as "/images/kernel".
func (d *blob) pathOffset(path string) (int, error) {
	if !strings.HasPrefix(path, "/") {
		return 0, fmt.Errorf("path %q is not absolute", path)
	}
	off := 0
	for _, part := range strings.Split(path, "/") {
		if part == "" {
			continue
		}
		var err error
		if off, err = d.subnode(off, part); err != nil {
			return 0, err
		}
	}
	return off, nil
}

// path returns the full path of the node at off.
func (d *blob) path(node int) (string, error) {
	var stack []string
	off := 0
	for {
		tag, next, err := d.nextTag(off)
		if err != nil {
			return "", err
		}
		switch tag {
		case tagBeginNode:
			stack = append(stack, d.nodeName(off))
			if off == node {
				if len(stack) == 1 {
					return "/", nil
				}
				return strings.Join(stack, "/"), nil
			}
		case tagEndNode:
			if len(stack) == 0 {
				return "", fmt.Errorf("structure block: unbalanced END_NODE at %#x", off)
			}
			stack = stack[:len(stack)-1]
		case tagEnd:
			return "", errNotFound
		}
		off = next
	}
}

// splice moves the bytes from abs+oldLen to the end of the strings block so
// they start at abs+newLen, as fdt_splice_ does.
func (d *blob) splice(abs, oldLen, newLen int) error {
	end := d.dataSize()
	if abs+oldLen > end || abs < 0 {
		return fmt.Errorf("splice at %#x outside the data", abs)
	}
	need := end - oldLen + newLen
	if need > len(d.b) {
		return errNoSpace
	}
	if need > d.high {
		d.high = need
	}
	copy(d.b[abs+newLen:], d.b[abs+oldLen:end])
	return nil
}

func (d *blob) spliceStruct(abs, oldLen, newLen int) error {
	if err := d.splice(abs, oldLen, newLen); err != nil {
		return err
	}
	delta := newLen - oldLen
	d.put32(36, uint32(d.sizeStruct()+delta))
	d.put32(12, uint32(d.offStrings()+delta))
	return nil
}

// findAddString returns the strings-block offset of name, appending it when
// it (as a whole string or a suffix) is not there yet.
func (d *blob) findAddString(name string) (off int, added bool, err error) {
	tab := d.b[d.offStrings() : d.offStrings()+d.sizeStrings()]
	want := append([]byte(name), 0)
	if i := bytes.Index(tab, want); i >= 0 {
		return i, false, nil
	}
	off = d.sizeStrings()
	if err := d.splice(d.offStrings()+off, 0, len(want)); err != nil {
		return 0, false, err
	}
	copy(d.b[d.offStrings()+off:], want)
	d.put32(32, uint32(off+len(want)))
	return off, true, nil
}

// setProp is fdt_setprop: resize an existing property in place or insert a
// new one as the node's first property.
func (d *blob) setProp(node int, name string, value []byte) error {
	if p, err := d.prop(node, name); err == nil {
		abs := d.offStruct() + p.off
		if err := d.spliceStruct(abs+12, align4(len(p.value)), align4(len(value))); err != nil {
			return err
		}
		d.put32(abs+4, uint32(len(value)))
		copy(d.b[abs+12:], value)
		return nil
	} else if err != errNotFound {
		return err
	}
	tag, first, err := d.nextTag(node)
	if err != nil {
		return err
	}
	if tag != tagBeginNode {
		return fmt.Errorf("structure block: offset %#x is not a node", node)
	}
	nameOff, added, err := d.findAddString(name)
	if err != nil {
		return err
	}
	abs := d.offStruct() + first
	if err := d.spliceStruct(abs, 0, 12+align4(len(value))); err != nil {
		if added {
			d.put32(32, uint32(d.sizeStrings()-len(name)-1))
		}
		return err
	}
	d.put32(abs, tagProp)
	d.put32(abs+4, uint32(len(value)))
	d.put32(abs+8, uint32(nameOff))
	copy(d.b[abs+12:], value)
	return nil
}

func (d *blob) setPropU32(node int, name string, v uint32) error {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return d.setProp(node, name, b[:])
}

func (d *blob) setPropString(node int, name, v string) error {
	return d.setProp(node, name, append([]byte(v), 0))
}

// delProp is fdt_delprop.
func (d *blob) delProp(node int, name string) error {
	p, err := d.prop(node, name)
	if err != nil {
		return err
	}
	return d.spliceStruct(d.offStruct()+p.off, 12+align4(len(p.value)), 0)
}

// addSubnode is fdt_add_subnode: the new node goes after the parent's
// properties, before its existing children.
func (d *blob) addSubnode(parent int, name string) (int, error) {
	if _, err := d.subnode(parent, name); err == nil {
		return 0, fmt.Errorf("node %q already exists", name)
	} else if err != errNotFound {
		return 0, err
	}
	_, off, err := d.nextTag(parent)
	if err != nil {
		return 0, err
	}
	for {
		tag, next, err := d.nextTag(off)
		if err != nil {
			return 0, err
		}
		if tag != tagProp && tag != tagNop {
			break
		}
		off = next
	}
	nameLen := align4(len(name) + 1)
	nodeLen := 4 + nameLen + 4
	abs := d.offStruct() + off
	if err := d.spliceStruct(abs, 0, nodeLen); err != nil {
		return 0, err
	}
	d.put32(abs, tagBeginNode)
	for i := 0; i < nameLen; i++ {
		d.b[abs+4+i] = 0
	}
	copy(d.b[abs+4:], name)
	d.put32(abs+4+nameLen, tagEndNode)
	return off, nil
}

func (d *blob) memRsvSize() (int, error) {
	n := 0
	for off := d.offMemRsv(); ; off += 16 {
		if off+16 > len(d.b) {
			return 0, fmt.Errorf("memory reservation block not terminated")
		}
		if binary.BigEndian.Uint64(d.b[off:]) == 0 && binary.BigEndian.Uint64(d.b[off+8:]) == 0 {
			return (n + 1) * 16, nil
		}
		n++
	}
}

// packBlocks moves the three blocks of src into dst back to back after the
// header, as fdt_packblocks_ does (src and dst may be the same buffer).
func packBlocks(src, dst []byte, rsvSize int) {
	s := &blob{b: src}
	offRsv, offStruct, sizeStruct, offStrings, sizeStrings := s.offMemRsv(), s.offStruct(), s.sizeStruct(), s.offStrings(), s.sizeStrings()
	t := &blob{b: dst}
	copy(dst[fdtHeaderLen:], src[offRsv:offRsv+rsvSize])
	t.put32(16, fdtHeaderLen)
	structOff := fdtHeaderLen + rsvSize
	copy(dst[structOff:], src[offStruct:offStruct+sizeStruct])
	t.put32(8, uint32(structOff))
	t.put32(36, uint32(sizeStruct))
	stringsOff := structOff + sizeStruct
	copy(dst[stringsOff:], src[offStrings:offStrings+sizeStrings])
	t.put32(12, uint32(stringsOff))
	t.put32(32, uint32(sizeStrings))
}

// pack is fdt_pack: blocks back to back, totalsize cut to the data.
func (d *blob) pack() error {
	rsv, err := d.memRsvSize()
	if err != nil {
		return err
	}
	packBlocks(d.b, d.b, rsv)
	d.put32(4, uint32(d.dataSize()))
	d.b = d.b[:d.dataSize()]
	return nil
}

func (d *blob) misordered(rsvSize int) bool {
	return d.offMemRsv() < fdtHeaderLen ||
		d.offStruct() < d.offMemRsv()+rsvSize ||
		d.offStrings() < d.offStruct()+d.sizeStruct() ||
		d.totalSize() < d.dataSize()
}

// openInto is fdt_open_into applied in place to a buffer that the caller
// has grown (with zeros) to size bytes, as mkimage's mmap_fdt does after
// ftruncate. buf must hold the blob at its start.
func openInto(buf []byte, size int) (*blob, error) {
	d, err := newBlob(buf)
	if err != nil {
		return nil, err
	}
	if len(buf) < size {
		return nil, errNoSpace
	}
	rsv, err := d.memRsvSize()
	if err != nil {
		return nil, err
	}
	old := d.totalSize()
	d.b = buf[:size]
	if !d.misordered(rsv) {
		d.put32(20, 17)
		d.put32(4, uint32(size))
		return d, nil
	}
	newSize := fdtHeaderLen + rsv + d.sizeStruct() + d.sizeStrings()
	if size < newSize {
		return nil, errNoSpace
	}
	// libfdt builds the reordered tree after the old one when they would
	// overlap, then moves it to the start of the buffer.
	tmpStart := 0
	if newSize > 0 && old > 0 {
		tmpStart = old
		if tmpStart+newSize > size {
			return nil, errNoSpace
		}
	}
	src := append([]byte(nil), buf[:old]...)
	tmp := buf[tmpStart : tmpStart+newSize]
	copy(tmp, src[:fdtHeaderLen])
	packBlocks(src, tmp, rsv)
	copy(buf, tmp)
	d.put32(0, fdtMagic)
	d.put32(4, uint32(size))
	d.put32(20, 17)
	d.put32(24, 16)
	return d, nil
}
