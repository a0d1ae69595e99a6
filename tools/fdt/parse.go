package fdt

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Header is the decoded DTB header.
type Header struct {
	Magic           uint32
	TotalSize       uint32
	OffDtStruct     uint32
	OffDtStrings    uint32
	OffMemRsvmap    uint32
	Version         uint32
	LastCompVersion uint32
	BootCPUIDPhys   uint32
	SizeDtStrings   uint32
	SizeDtStruct    uint32
}

// ParseHeader decodes and checks the header of a DTB: magic, version and
// that every block lies inside totalsize and inside b.
func ParseHeader(b []byte) (*Header, error) {
	if len(b) < HeaderSize {
		return nil, fmt.Errorf("fdt: header: blob is %d bytes, need at least %d", len(b), HeaderSize)
	}
	w := func(i int) uint32 { return binary.BigEndian.Uint32(b[4*i:]) }
	h := &Header{w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7), w(8), w(9)}
	if h.Magic != Magic {
		return nil, fmt.Errorf("fdt: header: magic %#08x is not %#08x", h.Magic, uint32(Magic))
	}
	if h.Version < 16 || h.LastCompVersion > version {
		return nil, fmt.Errorf("fdt: header: version %d (last compatible %d) not supported; need 16 or 17", h.Version, h.LastCompVersion)
	}
	if uint64(h.TotalSize) > uint64(len(b)) {
		return nil, fmt.Errorf("fdt: header: totalsize %#x (%d) exceeds blob size %#x (%d)", h.TotalSize, h.TotalSize, len(b), len(b))
	}
	if h.TotalSize < HeaderSize {
		return nil, fmt.Errorf("fdt: header: totalsize %#x (%d) is smaller than the header", h.TotalSize, h.TotalSize)
	}
	if h.OffMemRsvmap < HeaderSize || h.OffMemRsvmap%8 != 0 || h.OffMemRsvmap >= h.TotalSize {
		return nil, fmt.Errorf("fdt: header: off_mem_rsvmap %#x is misaligned or outside totalsize %#x", h.OffMemRsvmap, h.TotalSize)
	}
	if h.OffDtStruct < HeaderSize || h.OffDtStruct%4 != 0 {
		return nil, fmt.Errorf("fdt: header: off_dt_struct %#x is misaligned or inside the header", h.OffDtStruct)
	}
	if h.Version < 17 {
		// Version 16 has no size_dt_struct: the struct block runs to the
		// end of the blob at most.
		h.SizeDtStruct = h.TotalSize - h.OffDtStruct
	}
	if uint64(h.OffDtStruct)+uint64(h.SizeDtStruct) > uint64(h.TotalSize) {
		return nil, fmt.Errorf("fdt: header: struct block %#x+%#x exceeds totalsize %#x", h.OffDtStruct, h.SizeDtStruct, h.TotalSize)
	}
	if uint64(h.OffDtStrings)+uint64(h.SizeDtStrings) > uint64(h.TotalSize) || h.OffDtStrings < HeaderSize && h.SizeDtStrings > 0 {
		return nil, fmt.Errorf("fdt: header: strings block %#x+%#x exceeds totalsize %#x", h.OffDtStrings, h.SizeDtStrings, h.TotalSize)
	}
	return h, nil
}

// maxDepth bounds nesting so hostile input cannot exhaust memory through
// deep recursion in callers that walk the tree recursively.
const maxDepth = 512

// Parse decodes a DTB. It is strict: any token, offset or string outside
// its block is an error naming the offset and the field.
func Parse(b []byte) (*Tree, error) {
	h, err := ParseHeader(b)
	if err != nil {
		return nil, err
	}
	t := &Tree{BootCPUID: h.BootCPUIDPhys}

	for off := h.OffMemRsvmap; ; off += 16 {
		if uint64(off)+16 > uint64(h.TotalSize) {
			return nil, fmt.Errorf("fdt: memory reservation block: entry at %#x runs past totalsize %#x without a terminating entry", off, h.TotalSize)
		}
		addr := binary.BigEndian.Uint64(b[off:])
		size := binary.BigEndian.Uint64(b[off+8:])
		if addr == 0 && size == 0 {
			break
		}
		t.Reserve = append(t.Reserve, Reservation{addr, size})
	}

	strs := b[h.OffDtStrings : h.OffDtStrings+h.SizeDtStrings]
	st := b[h.OffDtStruct : h.OffDtStruct+h.SizeDtStruct]
	pos := 0
	word := func(what string) (uint32, error) {
		if pos+4 > len(st) {
			return 0, fmt.Errorf("fdt: struct block offset %#x: %s runs past the end of the struct block (%#x bytes)", pos, what, len(st))
		}
		v := binary.BigEndian.Uint32(st[pos:])
		pos += 4
		return v, nil
	}
	var stack []*Node
	// A node's properties come before its children: they are gathered
	// here and given to the node in one block when its first child or its
	// end arrives (no pointer-slice growth, no allocation per property).
	// Names repeat, so each strings-block offset becomes a string once.
	var pending []Property
	names := map[uint32]string{}
	flush := func() {
		if len(pending) == 0 {
			return
		}
		n := stack[len(stack)-1]
		block := make([]Property, len(pending))
		copy(block, pending)
		n.Properties = make([]*Property, len(block))
		for i := range block {
			n.Properties[i] = &block[i]
		}
		pending = pending[:0]
	}
	for {
		tokOff := pos
		tok, err := word("token")
		if err != nil {
			return nil, err
		}
		switch tok {
		case tokenBeginNode:
			end := bytes.IndexByte(st[pos:], 0)
			if end < 0 {
				return nil, fmt.Errorf("fdt: struct block offset %#x: node name is not NUL-terminated", tokOff)
			}
			if len(stack) > 0 {
				flush()
			}
			n := &Node{Name: string(st[pos : pos+end])}
			pos = align4(pos + end + 1)
			if pos > len(st) {
				return nil, fmt.Errorf("fdt: struct block offset %#x: node name padding runs past the struct block", tokOff)
			}
			if len(stack) == 0 {
				if t.Root != nil {
					return nil, fmt.Errorf("fdt: struct block offset %#x: second root node %q", tokOff, n.Name)
				}
				if n.Name != "" {
					return nil, fmt.Errorf("fdt: struct block offset %#x: root node name is %q, want empty", tokOff, n.Name)
				}
				t.Root = n
			} else {
				if n.Name == "" {
					return nil, fmt.Errorf("fdt: struct block offset %#x: node %s has a child with an empty name", tokOff, pathOf(stack))
				}
				parent := stack[len(stack)-1]
				parent.Children = append(parent.Children, n)
			}
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("fdt: struct block offset %#x: nodes nested deeper than %d", tokOff, maxDepth)
			}
			stack = append(stack, n)
		case tokenEndNode:
			if len(stack) == 0 {
				return nil, fmt.Errorf("fdt: struct block offset %#x: FDT_END_NODE without an open node", tokOff)
			}
			flush()
			stack = stack[:len(stack)-1]
		case tokenProp:
			if len(stack) == 0 {
				return nil, fmt.Errorf("fdt: struct block offset %#x: property outside any node", tokOff)
			}
			n := stack[len(stack)-1]
			if len(n.Children) > 0 {
				return nil, fmt.Errorf("fdt: struct block offset %#x: node %s: property after a subnode", tokOff, pathOf(stack))
			}
			plen, err := word("property length")
			if err != nil {
				return nil, err
			}
			nameoff, err := word("property name offset")
			if err != nil {
				return nil, err
			}
			if uint64(pos)+uint64(plen) > uint64(len(st)) {
				return nil, fmt.Errorf("fdt: struct block offset %#x: node %s: property value of %d bytes runs past the struct block", tokOff, pathOf(stack), plen)
			}
			if nameoff >= uint32(len(strs)) {
				return nil, fmt.Errorf("fdt: struct block offset %#x: node %s: property nameoff %#x outside the strings block (%#x bytes)", tokOff, pathOf(stack), nameoff, len(strs))
			}
			nend := bytes.IndexByte(strs[nameoff:], 0)
			if nend < 0 {
				return nil, fmt.Errorf("fdt: struct block offset %#x: node %s: property name at strings offset %#x is not NUL-terminated", tokOff, pathOf(stack), nameoff)
			}
			name, ok := names[nameoff]
			if !ok {
				name = string(strs[nameoff : nameoff+uint32(nend)])
				names[nameoff] = name
			}
			val := append([]byte{}, st[pos:pos+int(plen)]...)
			pos = align4(pos + int(plen))
			if pos > len(st) {
				return nil, fmt.Errorf("fdt: struct block offset %#x: node %s: property %q padding runs past the struct block", tokOff, pathOf(stack), name)
			}
			pending = append(pending, Property{Name: name, Value: val})
		case tokenNop:
		case tokenEnd:
			if len(stack) != 0 {
				return nil, fmt.Errorf("fdt: struct block offset %#x: FDT_END inside node %s", tokOff, pathOf(stack))
			}
			if t.Root == nil {
				return nil, fmt.Errorf("fdt: struct block offset %#x: FDT_END before the root node", tokOff)
			}
			return t, nil
		default:
			return nil, fmt.Errorf("fdt: struct block offset %#x: unknown token %#x", tokOff, tok)
		}
	}
}

func align4(n int) int { return (n + 3) &^ 3 }

func pathOf(stack []*Node) string {
	if len(stack) <= 1 {
		return "/"
	}
	p := ""
	for _, n := range stack[1:] {
		p += "/" + n.Name
	}
	return p
}
