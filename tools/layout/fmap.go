package layout

import (
	"encoding/binary"
	"strings"
)

func registerFmap() {
	entryTypes["fmap"] = func(n *Node, path string) (Entry, error) { return &Fmap{}, nil }
}

// Fmap is binman's fmap entry: flashrom's FMAP (lib/fmap.h) listing the
// image's entries. The hierarchy is flattened as binman does: a section
// is an area ahead of its own entries' areas; names are upper case with
// '_' for '-'. Positions are taken again after packing.
type Fmap struct{ leaf }

const (
	fmapHeaderLen = 56
	fmapAreaLen   = 42
	fmapNameLen   = 32
	fmapPreserve  = 1 << 3 // FMAP_AREA_PRESERVE
)

func (e *Fmap) obtain() error {
	e.setContents(bytesContent(e.encode()))
	return nil
}

func (e *Fmap) process() (bool, error) {
	return e.updateContents(bytesContent(e.encode())), nil
}

func (e *Fmap) encode() []byte {
	var areas []byte
	n := 0
	var add func(c Entry)
	add = func(c Entry) {
		b := c.b()
		var flags uint16
		if hasProp(b, "preserve") {
			flags = fmapPreserve
		}
		pos := uint64(0)
		if b.hasPos {
			pos = b.imagePos
		}
		name := b.name
		s, isSection := c.(*Section)
		if isSection && len(s.entries) > 0 {
			name = strings.ReplaceAll(name, "@", "")
		}
		areas = fmapArea(areas, pos, b.size, name, flags)
		n++
		if isSection {
			for _, sub := range s.entries {
				add(sub)
			}
		}
	}
	for _, c := range e.image.Section.entries {
		add(c)
	}
	h := make([]byte, 0, fmapHeaderLen+len(areas))
	h = append(h, "__FMAP__"...)
	h = append(h, 1, 0)
	h = binary.LittleEndian.AppendUint64(h, 0)
	h = binary.LittleEndian.AppendUint32(h, uint32(e.image.Section.size))
	h = append(h, fmapName(e.name)...)
	h = binary.LittleEndian.AppendUint16(h, uint16(n))
	return append(h, areas...)
}

func fmapArea(out []byte, pos, size uint64, name string, flags uint16) []byte {
	out = binary.LittleEndian.AppendUint32(out, uint32(pos))
	out = binary.LittleEndian.AppendUint32(out, uint32(size))
	out = append(out, fmapName(name)...)
	return binary.LittleEndian.AppendUint16(out, flags)
}

// fmapName is binman's NameToFmap in a NUL-padded 32-byte field
// (struct.pack's "32s" truncates longer names).
func fmapName(name string) []byte {
	name = strings.ToUpper(strings.ReplaceAll(strings.ReplaceAll(name, "\x00", ""), "-", "_"))
	b := make([]byte, fmapNameLen)
	copy(b, name)
	return b
}

func hasProp(b *base, name string) bool {
	for _, p := range b.props {
		if p.Name == name {
			return true
		}
	}
	return false
}
