package layout

import (
	"encoding/binary"
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/fip"
)

// FipSpec is binman's atf-fip entry: a TF-A Firmware Image Package of the
// entry's children, in description order (binman's FipWriter, which is not
// fiptool create: no table order, no end offset in the terminator, empty
// images keep a ToC entry, no padding at the end).
type FipSpec struct {
	// HdrFlags is the ToC header's flags word (fip-hdr-flags).
	HdrFlags Num `json:"hdr_flags,omitempty"`
	// Align aligns each image's offset (fip-align; 0 means 1).
	Align Num `json:"align,omitempty"`
	// Entries give each child's UUID and flags, in the children's order.
	Entries []FipEntrySpec `json:"entries"`
}

// FipEntrySpec is one child's ToC entry.
type FipEntrySpec struct {
	UUID  Hex `json:"uuid"`
	Flags Num `json:"flags,omitempty"`
}

func newFip(n *Node, path string) (*Section, error) {
	if n.FIP == nil || len(n.FIP.Entries) != len(n.Entries) {
		return nil, fmt.Errorf("Node '%s': 'atf-fip' entry needs one ToC entry per subnode", path)
	}
	spec := *n.FIP
	if spec.Align == 0 {
		spec.Align = 1
	}
	if notPowerOfTwo(uint64(spec.Align)) {
		return nil, fmt.Errorf("Node '%s': FIP alignment %d must be a power of two", path, spec.Align)
	}
	for i, e := range spec.Entries {
		if len(e.UUID) != 16 {
			return nil, fmt.Errorf("Node '%s': ToC entry %d has a %d-byte UUID, expected 16", childPath(path, n.Entries[i].Name), i, len(e.UUID))
		}
	}
	s := &Section{}
	s.gen = func(s *Section, final bool) (content, error) { return buildFip(s, spec, final) }
	return s, nil
}

// buildFip lays the ToC out (header, one entry per child, a zero
// terminator), then each child's data at the next multiple of the
// alignment, and places the children there.
func buildFip(s *Section, spec FipSpec, final bool) (content, error) {
	datas := make([]content, len(s.entries))
	at := uint64(fip.HeaderSize + fip.EntrySize*(len(s.entries)+1))
	toc := make([]byte, at)
	le := binary.LittleEndian
	le.PutUint32(toc[0:], fip.TocName)
	le.PutUint32(toc[4:], fip.TocSerialNumber)
	le.PutUint64(toc[8:], uint64(spec.HdrFlags))
	end := at
	for i, e := range s.entries {
		b := e.b()
		c := b.contents
		if sec, ok := e.(*Section); ok && final {
			var err error
			if c, err = sec.buildContents(true); err != nil {
				return content{}, err
			}
		}
		datas[i] = c
		at = alignUp(at, uint64(spec.Align))
		b.offset, b.offsetSet, b.size = at, true, c.size
		ent := toc[fip.HeaderSize+fip.EntrySize*i:]
		copy(ent[0:16], spec.Entries[i].UUID)
		le.PutUint64(ent[16:], at)
		le.PutUint64(ent[24:], c.size)
		le.PutUint64(ent[32:], uint64(spec.Entries[i].Flags))
		if c.size > 0 && at+c.size > end {
			end = at + c.size
		}
		at += c.size
	}
	var out content
	out.addSource(0, literal(toc))
	for i, e := range s.entries {
		if datas[i].size > 0 {
			out.add(e.b().offset, datas[i])
		}
	}
	return out.padTo(end), nil
}
