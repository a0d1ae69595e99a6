package dts

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/lazymap"
)

// NormalizeDTB runs on a tree read from a blob the checks dtc runs before
// writing it out again: duplicate node and property names, bad name
// characters, bad or duplicate phandles and wrong "name" properties are
// errors, and a "name" property equal to the node's base name is dropped.
func NormalizeDTB(t *fdt.Tree) error {
	if t.Root == nil {
		return nil
	}
	var conv func(n *fdt.Node) *node
	// Slices of their final size and one block of properties per node:
	// a large blob's tree is most of what a dtb->dts run allocates.
	conv = func(n *fdt.Node) *node {
		out := &node{name: n.Name}
		if len(n.Properties) > 0 {
			props := make([]property, len(n.Properties))
			out.props = make([]*property, len(n.Properties))
			for i, p := range n.Properties {
				props[i] = property{name: p.Name, val: value{b: p.Value}}
				out.props[i] = &props[i]
			}
		}
		if len(n.Children) > 0 {
			out.children = make([]*node, len(n.Children))
			for i, c := range n.Children {
				out.children[i] = conv(c)
			}
		}
		return out
	}
	root := conv(t.Root)
	fillFullpaths(root, "")
	ck := &checker{root: root, labels: labelIndex{}, used: map[uint32]*node{}, next: 1, epaprPhandle: true}
	if err := ck.run(false); err != nil {
		return err
	}
	// The checks on a blob's tree rarely change its shape: then its own
	// nodes take the (possibly fixed-up) values, and no second tree is
	// built (a third of a dtb->dts run's allocations on a large blob).
	if !sameShape(t.Root, root) {
		t.Root = toFDT(root)
		return nil
	}
	takeValues(t.Root, root)
	return nil
}

// sameShape reports whether toFDT(n) would have f's nodes and
// properties, by name and in order.
func sameShape(f *fdt.Node, n *node) bool {
	if f.Name != n.name || len(f.Properties) != len(n.props) || len(f.Children) != len(n.children) {
		return false
	}
	for i, p := range n.props {
		if p.deleted || p.name != f.Properties[i].Name {
			return false
		}
	}
	for i, c := range n.children {
		if c.deleted || !sameShape(f.Children[i], c) {
			return false
		}
	}
	return true
}

// takeValues gives f (of n's shape) n's property values.
func takeValues(f *fdt.Node, n *node) {
	for i, p := range n.props {
		f.Properties[i].Value = p.val.b
	}
	for i, c := range n.children {
		takeValues(f.Children[i], c)
	}
}

// Format returns the tree as DTS text exactly as `dtc -I dtb -O dts`
// prints it: value types are guessed from the bytes (strings, 32-bit
// cells, else bytes), since a blob carries no type information.
func Format(t *fdt.Tree) string {
	var b strings.Builder
	Print(&b, t)
	return b.String()
}

// sink is what the printers write to: a strings.Builder for Format, a
// bufio.Writer for Print, so a big blob is printed without holding its
// (three to five times bigger) text in memory.
type sink interface {
	io.Writer
	io.StringWriter
	io.ByteWriter
}

// Print writes Format(t) to w as it goes.
func Print(w io.Writer, t *fdt.Tree) error {
	b, ok := w.(sink)
	var bw *bufio.Writer
	if !ok {
		bw = bufio.NewWriterSize(w, 64<<10)
		b = bw
	}
	b.WriteString("/dts-v1/;\n\n")
	for _, r := range t.Reserve {
		fmt.Fprintf(b, "/memreserve/\t0x%016x 0x%016x;\n", r.Address, r.Size)
	}
	root := t.Root
	if root == nil {
		root = &fdt.Node{}
	}
	printNode(b, root, 0)
	if bw != nil {
		return bw.Flush()
	}
	return nil
}

func printNode(b sink, n *fdt.Node, level int) {
	ind := strings.Repeat("\t", level)
	name := n.Name
	if name == "" {
		name = "/"
	}
	fmt.Fprintf(b, "%s%s {\n", ind, name)
	for _, p := range n.Properties {
		b.WriteString(ind + "\t" + p.Name)
		writePropval(b, p.Value, nil)
	}
	for _, c := range n.Children {
		b.WriteByte('\n')
		printNode(b, c, level+1)
	}
	b.WriteString(ind + "};\n")
}

func isPrint(c byte) bool { return c >= 0x20 && c < 0x7f }

func isStringByte(c byte) bool {
	return isPrint(c) || c == 0 || strings.IndexByte("\a\b\t\n\v\f\r", c) >= 0
}

// guessType is dtc's guess for a value without type markers: a string
// list if it looks like one, else 32-bit cells if the length allows and no
// label sits inside a cell, else bytes.
func guessType(v []byte, markers []marker) markerKind {
	notString, nul := 0, 0
	for _, c := range v {
		if !isStringByte(c) {
			notString++
		}
		if c == 0 {
			nul++
		}
	}
	notStringLabel, notCellLabel := 0, 0
	for _, m := range markers {
		if m.kind != valueLabel {
			continue
		}
		if m.offset > 0 && v[m.offset-1] != 0 {
			notStringLabel++
		}
		if m.offset%4 != 0 {
			notCellLabel++
		}
	}
	switch {
	case v[len(v)-1] == 0 && notString == 0 && nul <= len(v)-nul && notStringLabel == 0:
		return typeString
	case len(v)%4 == 0 && notCellLabel == 0:
		return typeU32
	}
	return typeU8
}

var delimStart = &lazymap.Map[markerKind, string]{New: func() map[markerKind]string {
	return map[markerKind]string{typeU8: "[", typeU16: "/bits/ 16 <", typeU32: "<", typeU64: "/bits/ 64 <", typeString: ""}
}}
var delimEnd = &lazymap.Map[markerKind, string]{New: func() map[markerKind]string {
	return map[markerKind]string{typeU8: "]", typeU16: ">", typeU32: ">", typeU64: ">", typeString: ""}
}}

// writePropval prints " = value;\n" (or ";\n") chunk by chunk between
// markers, the way dtc's source writer does, including its spacing.
func writePropval(b sink, v []byte, markers []marker) {
	if len(v) == 0 {
		b.WriteString(";\n")
		return
	}
	b.WriteString(" =")
	hasType := false
	for _, m := range markers {
		if m.kind.isType() {
			hasType = true
		}
	}
	if !hasType {
		markers = append([]marker{{kind: guessType(v, markers)}}, markers...)
	}
	// typeLength is the distance from marker i to the next type marker,
	// or 0 if there is none.
	typeLength := func(i int) int {
		for j := i + 1; j < len(markers); j++ {
			if markers[j].kind.isType() {
				return markers[j].offset - markers[i].offset
			}
		}
		return 0
	}
	emit := typeNone
	for i, m := range markers {
		end := len(v)
		if i+1 < len(markers) {
			end = markers[i+1].offset
		}
		chunk := v[m.offset:end]
		dataLen := typeLength(i)
		if dataLen == 0 {
			dataLen = len(v) - m.offset
		}
		switch {
		case m.kind.isType():
			emit = m.kind
			b.WriteString(" " + delimStart.Get()[emit])
		case m.kind == valueLabel:
			b.WriteString(" " + m.ref + ":")
		case m.offset > 0:
			b.WriteByte(' ')
		}
		if emit == typeNone {
			continue
		}
		switch emit {
		case typeU16:
			writeInts(b, chunk, 2)
		case typeU32:
			writeInts(b, chunk, 4)
		case typeU64:
			writeInts(b, chunk, 8)
		case typeString:
			writeString(b, chunk)
		default:
			for j, c := range chunk {
				if j > 0 {
					b.WriteByte(' ')
				}
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&15])
			}
		}
		if len(chunk) == dataLen {
			b.WriteString(delimEnd.Get()[emit])
			if m.offset+len(chunk) != len(v) {
				b.WriteByte(',')
			}
			emit = typeNone
		}
	}
	b.WriteString(";\n")
}

func writeInts(b sink, chunk []byte, width int) {
	buf := make([]byte, 0, 20) // one scratch: a 50 MB property is 12 million cells
	for i := 0; i+width <= len(chunk); i += width {
		if i > 0 {
			b.WriteByte(' ')
		}
		var x uint64
		for _, c := range chunk[i : i+width] {
			x = x<<8 | uint64(c)
		}
		// "0x%02x" without fmt.
		out := append(buf[:0], '0', 'x')
		if x < 16 {
			out = append(out, '0')
		}
		b.Write(strconv.AppendUint(out, x, 16))
	}
}

const hexDigits = "0123456789abcdef"

// writeString prints a NUL-terminated chunk as a quoted string; inner
// NULs print as \0, as dtc does for string lists read from a blob.
func writeString(b sink, chunk []byte) {
	if len(chunk) == 0 {
		return
	}
	b.WriteByte('"')
	for _, c := range chunk[:len(chunk)-1] {
		switch c {
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\v':
			b.WriteString(`\v`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case 0:
			b.WriteString(`\0`)
		default:
			if isPrint(c) {
				b.WriteByte(c)
			} else {
				// dtc prints a signed char: bytes from 0x80 sign-extend.
				fmt.Fprintf(b, "\\x%02x", uint32(int32(int8(c))))
			}
		}
	}
	b.WriteByte('"')
}

// formatSource prints the compiled tree with its labels and source types,
// as `dtc -I dts -O dts` does.
func formatSource(reserve []reserveEntry, root *node) string {
	var b strings.Builder
	b.WriteString("/dts-v1/;\n\n")
	for _, r := range reserve {
		for _, l := range r.labels {
			b.WriteString(l.name + ": ")
		}
		fmt.Fprintf(&b, "/memreserve/\t0x%016x 0x%016x;\n", r.addr, r.size)
	}
	var walk func(n *node, level int)
	walk = func(n *node, level int) {
		ind := strings.Repeat("\t", level)
		b.WriteString(ind)
		for _, l := range n.labels {
			if !l.deleted {
				b.WriteString(l.name + ": ")
			}
		}
		name := n.name
		if name == "" {
			name = "/"
		}
		b.WriteString(name + " {\n")
		for _, p := range n.props {
			if p.deleted {
				continue
			}
			b.WriteString(ind + "\t")
			for _, l := range p.labels {
				if !l.deleted {
					b.WriteString(l.name + ": ")
				}
			}
			b.WriteString(p.name)
			writePropval(&b, p.val.b, p.val.markers)
		}
		for _, c := range n.liveChildren() {
			b.WriteByte('\n')
			walk(c, level+1)
		}
		b.WriteString(ind + "};\n")
	}
	walk(root, 0)
	return b.String()
}

// SortTree orders reservations by address and size, and every node's
// properties and children by name, as dtc -s does.
func SortTree(t *fdt.Tree) {
	sort.Slice(t.Reserve, func(i, j int) bool {
		a, b := t.Reserve[i], t.Reserve[j]
		if a.Address != b.Address {
			return a.Address < b.Address
		}
		return a.Size < b.Size
	})
	var walk func(n *fdt.Node)
	walk = func(n *fdt.Node) {
		sort.SliceStable(n.Properties, func(i, j int) bool { return n.Properties[i].Name < n.Properties[j].Name })
		sort.SliceStable(n.Children, func(i, j int) bool { return n.Children[i].Name < n.Children[j].Name })
		for _, c := range n.Children {
			walk(c)
		}
	}
	if t.Root != nil {
		walk(t.Root)
	}
}
