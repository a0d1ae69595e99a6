// Package fdt reads and writes flattened device trees (DTB, version 17) with
// the same block layout and string-table order as dtc, so a tree encoded
// here is byte-identical to `dtc -I dts -O dtb` for the same tree.
//
// Layout written by Encode, as dtc does it: 40-byte header, memory
// reservation block at 0x28 (terminated by a zero entry), structure block,
// strings block, then optional zero padding counted in totalsize.
//
// The strings block follows dtc and libfdt: a property name is appended the
// first time it is seen, unless it already occurs in the table as the tail
// of an earlier entry ("ible" reuses the end of "compatible"). Callers that
// must reproduce libfdt's in-place editing (mkimage FIT) can pre-seed the
// table in libfdt's insertion order with a StringTable and choose the total
// size; properties are always emitted in the order of Node.Properties.
package fdt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Magic is the big-endian value of the first header word of a DTB.
const Magic = 0xd00dfeed

// Structure block tokens.
const (
	tokenBeginNode = 0x1
	tokenEndNode   = 0x2
	tokenProp      = 0x3
	tokenNop       = 0x4
	tokenEnd       = 0x9
)

// HeaderSize is the size of a version 17 header; dtc puts the memory
// reservation block right after it.
const HeaderSize = 40

const (
	version         = 17
	lastCompVersion = 16
)

// Property is one named value of a node. Value holds the raw big-endian
// bytes as stored in the blob.
type Property struct {
	Name  string
	Value []byte
}

// Node is a device tree node. Name includes any unit address ("uart@1000");
// the root node's name is empty.
type Node struct {
	Name       string
	Properties []*Property
	Children   []*Node
}

// Reservation is one memory reservation block entry.
type Reservation struct {
	Address uint64
	Size    uint64
}

// Tree is a whole device tree blob. Root is nil only for the degenerate
// blob with no nodes that dtc writes when a source deletes "/".
type Tree struct {
	Root      *Node
	Reserve   []Reservation
	BootCPUID uint32
}

// NewTree returns a tree with an empty root node.
func NewTree() *Tree { return &Tree{Root: &Node{}} }

// Child returns the direct child called name, or nil.
func (n *Node) Child(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Prop returns the property called name, or nil.
func (n *Node) Prop(name string) *Property {
	for _, p := range n.Properties {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// SetProp replaces the value of an existing property in place, or appends a
// new property at the end of the node (where dtc puts it).
func (n *Node) SetProp(name string, value []byte) *Property {
	if p := n.Prop(name); p != nil {
		p.Value = value
		return p
	}
	p := &Property{Name: name, Value: value}
	n.Properties = append(n.Properties, p)
	return p
}

// DeleteProp removes the property called name; it reports whether it existed.
func (n *Node) DeleteProp(name string) bool {
	for i, p := range n.Properties {
		if p.Name == name {
			n.Properties = append(n.Properties[:i:i], n.Properties[i+1:]...)
			return true
		}
	}
	return false
}

// AddChild returns the child called name, appending a new empty one if there
// is none yet.
func (n *Node) AddChild(name string) *Node {
	if c := n.Child(name); c != nil {
		return c
	}
	c := &Node{Name: name}
	n.Children = append(n.Children, c)
	return c
}

// DeleteChild removes the direct child called name; it reports whether it
// existed.
func (n *Node) DeleteChild(name string) bool {
	for i, c := range n.Children {
		if c.Name == name {
			n.Children = append(n.Children[:i:i], n.Children[i+1:]...)
			return true
		}
	}
	return false
}

// Lookup finds a node by absolute path ("/", "/soc/uart@1000"). As in
// libfdt, a component without a unit address also matches a node that has
// one ("uart" finds "uart@1000"); the first matching child wins.
func (t *Tree) Lookup(path string) *Node {
	if t.Root == nil || !strings.HasPrefix(path, "/") {
		return nil
	}
	return t.Root.Lookup(path[1:])
}

// Lookup finds a descendant by relative path ("soc/uart@1000"); an empty path
// is n itself.
func (n *Node) Lookup(path string) *Node {
	cur := n
	for _, part := range strings.Split(path, "/") {
		if part == "" {
			continue
		}
		var next *Node
		for _, c := range cur.Children {
			if c.Name == part || !strings.Contains(part, "@") && strings.HasPrefix(c.Name, part+"@") {
				next = c
				break
			}
		}
		if next == nil {
			return nil
		}
		cur = next
	}
	return cur
}

// PropU32 returns a one-cell property's value.
func (n *Node) PropU32(name string) (uint32, bool) {
	p := n.Prop(name)
	if p == nil || len(p.Value) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(p.Value), true
}

// PropU64 returns a two-cell (or one-cell) property's value.
func (n *Node) PropU64(name string) (uint64, bool) {
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

// PropString returns a property holding one NUL-terminated string.
func (n *Node) PropString(name string) (string, bool) {
	p := n.Prop(name)
	if p == nil || len(p.Value) == 0 || p.Value[len(p.Value)-1] != 0 {
		return "", false
	}
	s := p.Value[:len(p.Value)-1]
	if bytes.IndexByte(s, 0) >= 0 {
		return "", false
	}
	return string(s), true
}

// PropStrings returns a string-list property (each string NUL-terminated).
func (n *Node) PropStrings(name string) ([]string, bool) {
	p := n.Prop(name)
	if p == nil {
		return nil, false
	}
	return SplitStrings(p.Value)
}

// SplitStrings splits a string-list value; ok is false unless every string
// is NUL-terminated.
func SplitStrings(v []byte) ([]string, bool) {
	if len(v) == 0 || v[len(v)-1] != 0 {
		return nil, false
	}
	parts := strings.Split(string(v[:len(v)-1]), "\x00")
	return parts, true
}

// U32 encodes cells as a property value.
func U32(cells ...uint32) []byte {
	b := make([]byte, 4*len(cells))
	for i, c := range cells {
		binary.BigEndian.PutUint32(b[4*i:], c)
	}
	return b
}

// U64 encodes 64-bit values as pairs of cells (dtc's /bits/ 64).
func U64(vals ...uint64) []byte {
	b := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.BigEndian.PutUint64(b[8*i:], v)
	}
	return b
}

// Strings encodes a string list: each string followed by a NUL.
func Strings(ss ...string) []byte {
	var b []byte
	for _, s := range ss {
		b = append(b, s...)
		b = append(b, 0)
	}
	return b
}

// String encodes one NUL-terminated string.
func String(s string) []byte { return Strings(s) }

// StringTable is a strings block under construction, with dtc/libfdt's
// reuse rule: a name already present as the tail of an entry is not added.
type StringTable struct {
	data []byte
	// tails maps every suffix of every short entry to the offset where
	// it first occurs, so Add is a map lookup instead of a scan of the
	// whole table (which made 100,000 distinct names quadratic).
	tails map[string]uint32
}

// maxTail bounds the names whose suffixes are indexed: real property
// names are short; a longer one is found by a scan as before.
const maxTail = 64

// NewStringTable returns a table pre-seeded with names in order (each added
// with the reuse rule), for callers reproducing another tool's order.
func NewStringTable(names ...string) *StringTable {
	st := &StringTable{}
	for _, n := range names {
		st.Add(n)
	}
	return st
}

// Add returns the offset of name in the table, appending it if needed.
//
// The reuse rule is dtc's: the first offset at which the table holds name
// followed by NUL, i.e. the earliest entry ending with name. The table
// only grows, so the first entry to add a suffix holds its first
// occurrence.
func (st *StringTable) Add(name string) uint32 {
	if len(name) <= maxTail {
		if off, ok := st.tails[name]; ok {
			return off
		}
	} else {
		needle := append([]byte(name), 0)
		if i := bytes.Index(st.data, needle); i >= 0 {
			return uint32(i)
		}
	}
	off := uint32(len(st.data))
	st.data = append(st.data, name...)
	st.data = append(st.data, 0)
	if st.tails == nil {
		st.tails = map[string]uint32{}
	}
	for k := 0; k <= len(name); k++ {
		if len(name)-k > maxTail {
			continue
		}
		if _, ok := st.tails[name[k:]]; !ok {
			st.tails[name[k:]] = off + uint32(k)
		}
	}
	return off
}

// Bytes returns the table contents.
func (st *StringTable) Bytes() []byte { return st.data }

// Len returns the table size in bytes.
func (st *StringTable) Len() int { return len(st.data) }

// EncodeOptions control the blob size the way dtc's -S, -p and -a flags do.
type EncodeOptions struct {
	// MinSize: totalsize is at least this (dtc -S); extra bytes are zeros
	// after the strings block.
	MinSize int
	// Pad: exactly this many zero bytes after the strings block (dtc -p);
	// overrides MinSize.
	Pad int
	// Align: round totalsize up to a multiple of this (dtc -a).
	Align int
	// Strings, if set, is used (and extended) as the strings block, so a
	// caller can fix the order of names first seen elsewhere.
	Strings *StringTable
	// TotalSize, if non-zero, is the exact totalsize (libfdt-style free
	// space after the strings block); it must not be smaller than the data.
	TotalSize int
	// Spare is extra capacity (not length) of the returned slice, so a
	// caller that grows the blob in place (FIT's libfdt-style editing)
	// can do so without copying it.
	Spare int
}

// MaxTotalSize is the biggest blob the header's 32-bit totalsize can
// describe.
const MaxTotalSize = 0xffffffff

// Bytes encodes the tree as dtc does with no size options.
func (t *Tree) Bytes() []byte {
	b, err := t.Encode(EncodeOptions{})
	if err != nil {
		panic(err) // only size options can fail
	}
	return b
}

// Encode writes the tree as a version 17 DTB.
//
// The blob is allocated once at its final size: a first walk sizes the
// structure block and assigns the property name offsets (in the order dtc
// adds them), a second writes straight into place. Large property values
// (FIT payloads of tens of MiB) are therefore copied exactly once.
func (t *Tree) Encode(opts EncodeOptions) ([]byte, error) {
	st := opts.Strings
	if st == nil {
		st = &StringTable{}
	}
	var nameOffs []uint32
	structSize := 4 // FDT_END
	if t.Root != nil {
		// A nil root writes no node at all, as dtc does for a source
		// that deletes "/".
		structSize += sizeNode(t.Root, st, &nameOffs)
	}

	offRsv := HeaderSize
	offStruct := offRsv + 16*(len(t.Reserve)+1)
	offStrings := offStruct + structSize
	size := offStrings + st.Len()

	// Sizes are summed in int64 and each is held to the 32-bit totalsize
	// first, so no sum can wrap, on 32-bit machines (int is 32 bits) too.
	for _, v := range []int{opts.MinSize, opts.Pad, opts.Align, opts.TotalSize, size} {
		if int64(v) > MaxTotalSize {
			return nil, fmt.Errorf("fdt: blob size %#x (%d) is more than a 32-bit totalsize can hold", v, v)
		}
	}
	size64 := int64(size)
	var padlen int64
	if opts.MinSize > 0 && opts.MinSize > size {
		padlen = int64(opts.MinSize) - size64
	}
	if opts.Pad > 0 {
		padlen = int64(opts.Pad)
	}
	if opts.Align > 0 {
		align := int64(opts.Align)
		padlen = (size64+padlen+align-1)/align*align - size64
	}
	total64 := size64 + padlen
	if total64 > MaxTotalSize {
		return nil, fmt.Errorf("fdt: blob size %#x (%d) is more than a 32-bit totalsize can hold", total64, total64)
	}
	if opts.TotalSize != 0 {
		if opts.TotalSize < size {
			return nil, fmt.Errorf("fdt: total size %#x (%d) is smaller than the tree's %#x (%d) bytes", opts.TotalSize, opts.TotalSize, size, size)
		}
		total64 = int64(opts.TotalSize)
	}
	if total64 > math.MaxInt {
		// Only on 32-bit machines: a blob up to 4 GiB is valid but
		// cannot be one slice there.
		return nil, fmt.Errorf("fdt: blob size %#x (%d) is more than this machine's %d-bit int can hold", total64, total64, strconv.IntSize)
	}
	total := int(total64)
	spare := opts.Spare
	if spare < 0 {
		spare = 0
	}
	if spare > math.MaxInt-total {
		spare = math.MaxInt - total // capacity only: the bytes do not change
	}

	// make zeroes the buffer, so padding needs no writes.
	out := make([]byte, total, total+spare)
	for i, v := range []uint32{Magic, uint32(total), uint32(offStruct), uint32(offStrings), uint32(offRsv),
		version, lastCompVersion, t.BootCPUID, uint32(st.Len()), uint32(structSize)} {
		binary.BigEndian.PutUint32(out[4*i:], v)
	}
	pos := offRsv
	for _, r := range t.Reserve {
		binary.BigEndian.PutUint64(out[pos:], r.Address)
		binary.BigEndian.PutUint64(out[pos+8:], r.Size)
		pos += 16
	}
	pos = offStruct
	if t.Root != nil {
		w := structWriter{b: out, pos: pos, nameOffs: nameOffs}
		w.node(t.Root)
		pos = w.pos
	}
	binary.BigEndian.PutUint32(out[pos:], tokenEnd)
	copy(out[offStrings:], st.Bytes())
	return out, nil
}

// sizeNode returns the structure block bytes of n and its subtree and
// appends each property's name offset, adding names to st in the order
// the writer emits them.
func sizeNode(n *Node, st *StringTable, nameOffs *[]uint32) int {
	size := 4 + align4(len(n.Name)+1) + 4 // BEGIN_NODE, name, END_NODE
	for _, p := range n.Properties {
		*nameOffs = append(*nameOffs, st.Add(p.Name))
		size += 12 + align4(len(p.Value))
	}
	for _, c := range n.Children {
		size += sizeNode(c, st, nameOffs)
	}
	return size
}

// structWriter fills a structure block sized by sizeNode; the buffer is
// zeroed, so alignment padding is left as it is.
type structWriter struct {
	b        []byte
	pos      int
	nameOffs []uint32
	prop     int
}

func (w *structWriter) u32(v uint32) {
	binary.BigEndian.PutUint32(w.b[w.pos:], v)
	w.pos += 4
}

func (w *structWriter) node(n *Node) {
	w.u32(tokenBeginNode)
	copy(w.b[w.pos:], n.Name)
	w.pos += align4(len(n.Name) + 1)
	for _, p := range n.Properties {
		w.u32(tokenProp)
		w.u32(uint32(len(p.Value)))
		w.u32(w.nameOffs[w.prop])
		w.prop++
		copy(w.b[w.pos:], p.Value)
		w.pos += align4(len(p.Value))
	}
	for _, c := range n.Children {
		w.node(c)
	}
	w.u32(tokenEndNode)
}
