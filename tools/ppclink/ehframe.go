package ppclink

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// .eh_frame editing as ld does it for the first output section named
// .eh_frame: identical CIEs (across all inputs) are kept once, FDEs point
// to the kept copy, relocations move with their entries.

type ehEntry struct {
	in, size uint32 // offset and size (length word included) in the input
	cie      bool
	removed  bool
	out      uint32   // offset in the edited input section
	cieOf    *ehEntry // for an FDE: its CIE (after merging)
	sec      *inSection
}

type ehInfo struct {
	entries []*ehEntry
	size    uint32
}

// parseEH splits an input .eh_frame into CIEs and FDEs.
func parseEH(s *inSection) (*ehInfo, error) {
	d := s.data
	info := &ehInfo{}
	byOff := map[uint32]*ehEntry{}
	for p := uint32(0); p < uint32(len(d)); {
		if uint64(p)+4 > uint64(len(d)) {
			return nil, fmt.Errorf("%s: section '%s': truncated entry at offset %#x", s.obj.name, s.name, p)
		}
		l := binary.BigEndian.Uint32(d[p:])
		if l == 0xffffffff {
			return nil, fmt.Errorf("%s: section '%s': 64-bit DWARF entry at offset %#x not supported", s.obj.name, s.name, p)
		}
		size := uint64(l) + 4
		if uint64(p)+size > uint64(len(d)) || (l != 0 && l < 4) {
			return nil, fmt.Errorf("%s: section '%s': entry at offset %#x (length %#x) runs past the section", s.obj.name, s.name, p, l)
		}
		e := &ehEntry{in: p, size: uint32(size), sec: s}
		if l != 0 {
			id := binary.BigEndian.Uint32(d[p+4:])
			if id == 0 {
				e.cie = true
			} else {
				if id > p+4 {
					return nil, fmt.Errorf("%s: section '%s': FDE at offset %#x points before the section", s.obj.name, s.name, p)
				}
				e.cieOf = byOff[p+4-id]
				if e.cieOf == nil || !e.cieOf.cie {
					return nil, fmt.Errorf("%s: section '%s': FDE at offset %#x points to no CIE", s.obj.name, s.name, p)
				}
			}
		}
		byOff[p] = e
		info.entries = append(info.entries, e)
		p += uint32(size)
	}
	return info, nil
}

// editEH merges identical CIEs across the inputs of one output section.
func editEH(secs []*inSection) error {
	seen := map[string]*ehEntry{}
	for _, s := range secs {
		if s.typ == shtNobits || s.excluded {
			continue
		}
		info, err := parseEH(s)
		if err != nil {
			return err
		}
		s.eh = info
		var relocAt []uint32
		for _, r := range s.relocs {
			relocAt = append(relocAt, r.off)
		}
		sort.Slice(relocAt, func(i, j int) bool { return relocAt[i] < relocAt[j] })
		for _, e := range info.entries {
			if !e.cie {
				continue
			}
			k := sort.Search(len(relocAt), func(i int) bool { return relocAt[i] >= e.in })
			hasReloc := k < len(relocAt) && relocAt[k] < e.in+e.size
			if hasReloc {
				continue // personality routines: keep as is
			}
			key := string(s.data[e.in : e.in+e.size])
			if first := seen[key]; first != nil {
				e.removed = true
				e.cieOf = first
			} else {
				seen[key] = e
			}
		}
		out := uint32(0)
		for _, e := range info.entries {
			if e.removed {
				continue
			}
			e.out = out
			out += e.size
		}
		info.size = out
	}
	return nil
}

// target returns the CIE an FDE finally uses.
func (e *ehEntry) target() *ehEntry {
	c := e.cieOf
	for c != nil && c.removed {
		c = c.cieOf
	}
	return c
}

// mapEH maps an input offset of an edited .eh_frame to its output offset;
// ok is false inside a removed entry.
func (info *ehInfo) mapOff(off uint32) (uint32, bool) {
	es := info.entries
	i := sort.Search(len(es), func(i int) bool { return es[i].in > off }) - 1
	if i < 0 || off >= es[i].in+es[i].size {
		return off, false
	}
	if es[i].removed {
		return 0, false
	}
	return es[i].out + off - es[i].in, true
}

// ehContents writes an edited input .eh_frame: kept entries moved down, FDE
// CIE pointers recomputed (they may now point into an earlier input's
// section of the same output section).
func (s *inSection) ehContents() []byte {
	out := make([]byte, s.eh.size)
	for _, e := range s.eh.entries {
		if e.removed {
			continue
		}
		copy(out[e.out:], s.data[e.in:e.in+e.size])
		if e.size > 4 && !e.cie && binary.BigEndian.Uint32(s.data[e.in:]) != 0 {
			c := e.target()
			here := s.offset + e.out + 4
			there := c.sec.offset + c.out
			binary.BigEndian.PutUint32(out[e.out+4:], here-there)
		}
	}
	return out
}
