package ppclink

import (
	"bytes"
	"sort"
)

// Merging of SHF_MERGE sections as GNU ld 2.40 does it (bfd/merge.c as of
// that release): input sections with the same output section, flags,
// entity size and alignment form a group; their strings (or fixed-size
// entities) are entered into one table in link order, each keeping the
// alignment its input offset had; duplicates are dropped, strings that are
// the tail of a longer kept string with compatible alignment are dropped
// too, and every input section keeps only the entries it contributed first,
// laid out from its own start. Relocations into a merged section are mapped
// to where the referenced string ended up.

type mergeGroup struct {
	strings bool
	entsize uint32
	entries []*mergeEntry
	byKey   map[string]*mergeEntry
}

type mergeEntry struct {
	str    []byte // content including the terminator
	align  uint32 // 0 when dropped (duplicate superseded or tail-merged)
	owner  *mergeSec
	index  uint32 // offset within owner
	suffix *mergeEntry
	dead   bool
}

type mergeSec struct {
	starts  []uint32 // input offsets where recorded entities start
	keys    []string // their contents
	sec     *inSection
	group   *mergeGroup
	size    uint32
	entries []*mergeEntry // kept entries owned by this section, in order
}

func mergeable(s *inSection) bool {
	if s.flags&shfMerge == 0 || s.size == 0 || s.entsize == 0 || s.size%s.entsize != 0 || len(s.relocs) > 0 || s.typ == shtNobits {
		return false
	}
	a := s.align
	if s.entsize < a && (s.entsize&(s.entsize-1) != 0 || s.flags&shfStrings == 0) {
		return false
	}
	if s.entsize > a && s.entsize&(a-1) != 0 {
		return false
	}
	return true
}

func (l *linker) mergeSections(order []*outSection) error {
	type key struct {
		os               *outSection
		flags, ent, algn uint32
	}
	groups := map[key]*mergeGroup{}
	var glist []*mergeGroup
	members := map[*mergeGroup][]*mergeSec{}
	for _, os := range order {
		for _, s := range os.inputs {
			if !mergeable(s) {
				continue
			}
			k := key{os, s.flags & (shfMerge | shfStrings), s.entsize, s.align}
			g := groups[k]
			if g == nil {
				g = &mergeGroup{strings: s.flags&shfStrings != 0, entsize: s.entsize, byKey: map[string]*mergeEntry{}}
				groups[k] = g
				glist = append(glist, g)
			}
			ms := &mergeSec{sec: s, group: g}
			s.merge = ms
			members[g] = append(members[g], ms)
		}
	}
	for _, g := range glist {
		allAligned := true
		for _, ms := range members[g] {
			g.record(ms)
			if ms.sec.size&(ms.sec.align-1) != 0 {
				allAligned = false
			}
		}
		if g.strings {
			g.tailMerge()
		}
		var last *mergeSec
		for _, e := range g.entries {
			last = e.owner
			if e.align == 0 {
				continue
			}
			ms := e.owner
			ms.size = alignUp(ms.size, e.align)
			e.index = ms.size
			ms.size += uint32(len(e.str))
			ms.entries = append(ms.entries, e)
		}
		for _, e := range g.entries {
			if e.align == 0 && e.suffix != nil {
				e.index = e.suffix.index + uint32(len(e.suffix.str)-len(e.str))
				e.owner = e.suffix.owner
				e.align = 0
			}
		}
		if allAligned && last != nil {
			last.size = alignUp(last.size, last.sec.align)
		}
		for _, ms := range members[g] {
			if len(ms.entries) == 0 {
				ms.sec.excluded = true
			}
		}
	}
	return nil
}

// entryAt returns the content of the entity starting at p.
func (g *mergeGroup) entryAt(data []byte, p uint32) []byte {
	if !g.strings {
		return data[p : p+g.entsize]
	}
	e := g.entsize
	for q := p; q+e <= uint32(len(data)); q += e {
		if allZero(data[q : q+e]) {
			return data[p : q+e]
		}
	}
	// Unterminated last string: ld reads it with an extra terminator.
	out := append(append([]byte{}, data[p:]...), make([]byte, e)...)
	return out
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func (g *mergeGroup) add(str []byte, align uint32, ms *mergeSec) *mergeEntry {
	k := string(str)
	if e := g.byKey[k]; e != nil {
		if e.align >= align {
			return e
		}
		// The copy we have is less aligned: drop it, keep a new one.
		e.dead, e.align, e.str = true, 0, nil
	}
	e := &mergeEntry{str: str, align: align, owner: ms}
	g.byKey[k] = e
	g.entries = append(g.entries, e)
	return e
}

func (g *mergeGroup) record(ms *mergeSec) {
	s := ms.sec
	data := s.data
	mask := s.align - 1
	size := uint32(len(data))
	nul := false
	for p := uint32(0); p < size; {
		ea := p & -p
		if ea == 0 || ea > mask {
			ea = mask + 1
		}
		str := g.entryAt(data, p)
		g.add(str, ea, ms)
		ms.starts = append(ms.starts, p)
		ms.keys = append(ms.keys, string(str))
		p += uint32(len(str))
		if g.strings && g.entsize == 1 {
			for p < size && data[p] == 0 {
				if !nul && p&mask == 0 {
					nul = true
					g.add([]byte{0}, mask+1, ms)
					ms.starts = append(ms.starts, p)
					ms.keys = append(ms.keys, "\x00")
				}
				p++
			}
		}
	}
}

// tailMerge drops strings that are the tail of a longer kept string.
func (g *mergeGroup) tailMerge() {
	var arr []*mergeEntry
	common := uint32(0)
	mixed := false
	for _, e := range g.entries {
		if e.align == 0 {
			continue
		}
		arr = append(arr, e)
		if common == 0 {
			common = e.align
		} else if common != e.align {
			mixed = true
		}
	}
	if len(arr) == 0 {
		return
	}
	ent := int(g.entsize)
	byAlign := !mixed && common > g.entsize
	sort.Slice(arr, func(i, j int) bool { return revLess(arr[i], arr[j], ent, byAlign) })
	e := arr[len(arr)-1]
	for i := len(arr) - 2; i >= 0; i-- {
		c := arr[i]
		if e.align >= c.align && (uint32(len(e.str)-len(c.str)))&(c.align-1) == 0 && isSuffix(e.str, c.str) {
			c.suffix = e
			c.align = 0
		} else {
			e = c
		}
	}
}

// revLess orders strings (without terminator) by their reversed bytes, as
// merge.c's strrevcmp / strrevcmp_align do.
func revLess(a, b *mergeEntry, ent int, byAlign bool) bool {
	la, lb := len(a.str)-ent, len(b.str)-ent
	if byAlign {
		m := int(a.align) - 1
		if d := (la & m) - (lb & m); d != 0 {
			return d < 0
		}
	}
	n := la
	if lb < n {
		n = lb
	}
	for k := 1; k <= n; k++ {
		ca, cb := a.str[la-k], b.str[lb-k]
		if ca != cb {
			return ca < cb
		}
	}
	return la < lb
}

func isSuffix(long, short []byte) bool {
	return len(long) > len(short) && bytes.Equal(long[len(long)-len(short):], short)
}

// mapOffset maps an offset in the input section to its offset in the
// output (the same unless the section was merged).
func (s *inSection) mapOffset(off uint32) uint32 {
	o, _ := s.mapOffsetSec(off)
	return o
}

// mapOffsetSec maps an input offset to (offset, section) after merging: a
// string may have ended up in another section of the group.
func (s *inSection) mapOffsetSec(off uint32) (uint32, *inSection) {
	ms := s.merge
	if ms == nil {
		return off, s
	}
	g := ms.group
	if off >= s.size {
		if len(ms.entries) > 0 {
			return ms.size, s
		}
		return 0, s
	}
	// The entity containing off: the last one recorded at or before it.
	i := sort.Search(len(ms.starts), func(i int) bool { return ms.starts[i] > off }) - 1
	if i < 0 {
		return off, s
	}
	start := ms.starts[i]
	if g.strings && uint32(len(ms.keys[i])) <= off-start {
		// off points into padding between strings.
		return off, s
	}
	e := g.byKey[ms.keys[i]]
	if e == nil {
		return off, s
	}
	return e.index + (off - start), e.owner.sec
}

// contents writes a merged section's output bytes.
func (ms *mergeSec) contents() []byte {
	out := make([]byte, ms.size)
	for _, e := range ms.entries {
		copy(out[e.index:], e.str)
	}
	return out
}
