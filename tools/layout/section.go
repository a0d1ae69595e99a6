package layout

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// Section is binman's section entry: it packs child entries one after
// another (or at their given offsets), fills gaps with its pad byte and
// becomes a single entry of its parent. The image is a Section too.
type Section struct {
	base
	entries      []Entry
	padByte      byte
	sortByOffset bool
	skipAtStart  uint64
	endAt4GB     bool
	alignDefault uint64
	namePrefix   string
	// The last data compressed and its result: every packing pass and the
	// final write rebuild a compressed section, usually from the same bytes,
	// and compressing (lz4hc above all) is the costliest step of a build.
	lastRaw, lastCompressed []byte
	lastPieces              content
	lastUncompSize          uint64 // len(lastRaw); lastRaw is nil when compressed from a file
	// gen, when set, makes the section's data from its children's data in
	// a format of its own (a FIT, a FIP) and places the children where
	// their data landed in it (fit.go, fip.go).
	gen func(s *Section, final bool) (content, error)
	// mapHidesChildren: binman's map lists the section alone (cbfs).
	mapHidesChildren bool
	// noCheck skips the children's bounds and overlap checks, as binman's
	// mkimage entry does (it places them where legacy mkimage would).
	noCheck bool
	// noImagePos leaves the section and its children without image
	// positions, as binman's mkimage entries do when their SetImagePos
	// gives up (a child without a size: the imagename node).
	noImagePos bool
}

// Entries returns the section's children in packing order.
func (s *Section) Entries() []Entry { return s.entries }

// PadByte is the byte used for gaps and the section's tail.
func (s *Section) PadByte() byte { return s.padByte }

// SkipAtStart is the offset of the section's first byte (end-at-4gb sets it).
func (s *Section) SkipAtStart() uint64 { return s.skipAtStart }

// EndAt4GB reports whether the section was placed to end at 4 GiB.
func (s *Section) EndAt4GB() bool { return s.endAt4GB }

func (s *Section) sectionErrorf(format string, args ...interface{}) error {
	return fmt.Errorf("Section '%s': %s", s.path, fmt.Sprintf(format, args...))
}

func (s *Section) readSection(n *Node, img *Image) error {
	if n.PadByte > 0xff {
		return s.errorf("pad-byte %s must fit in one byte", hx(uint64(n.PadByte)))
	}
	s.padByte = byte(n.PadByte)
	s.sortByOffset = n.SortByOffset
	s.endAt4GB = n.EndAt4GB
	if s.endAt4GB {
		if n.Size == nil || *n.Size == 0 {
			return s.errorf("Section size must be provided when using end-at-4gb")
		}
		if n.SkipAtStart != nil {
			return s.errorf("Provide either 'end-at-4gb' or 'skip-at-start'")
		}
		s.skipAtStart = 0x100000000 - uint64(*n.Size)
	} else if n.SkipAtStart != nil {
		s.skipAtStart = uint64(*n.SkipAtStart)
	}
	s.namePrefix = n.NamePrefix
	s.alignDefault = uint64(n.AlignDefault)
	registerEntryTypes()
	for i := range n.Entries {
		e, err := newEntry(&n.Entries[i], s, img, childPath(s.path, n.Entries[i].Name))
		if err != nil {
			return err
		}
		s.entries = append(s.entries, e)
	}
	return nil
}

// childPath joins a node path and a child name ("/" is the root of a
// device tree read back from an fdtmap).
func childPath(parent, name string) string {
	return strings.TrimSuffix(parent, "/") + "/" + name
}

func (s *Section) obtain() error {
	for _, e := range s.entries {
		if err := e.obtain(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Section) resetAll() {
	s.resetForPack()
	for _, e := range s.entries {
		if c, ok := e.(*Section); ok {
			c.resetAll()
		} else {
			e.b().resetForPack()
		}
	}
}

// pack is binman's Section.Pack: pack the children, sort, extend, build
// the section's data, check its size, place the section itself, then check
// the children fit and do not overlap.
func (s *Section) pack(offset uint64) (uint64, error) {
	var early *earlyWriter // the image's, in its first pass (earlywrite.go)
	if s.parent == nil && s.image != nil && s.image.placing {
		early = s.image.early
	}
	at := s.skipAtStart
	for _, e := range s.entries {
		if c, ok := e.(*Section); ok && early != nil {
			// A section may take long to pack (compressing, or holding
			// something that compresses): copy what is placed meanwhile,
			// and pad the image's tail before one that compresses.
			early.done()
			if c.compress != "none" {
				early.padTail(s)
			}
		}
		var err error
		if at, err = e.pack(at); err != nil {
			return 0, err
		}
		if early != nil {
			early.place(s, e)
		}
	}
	if early != nil {
		early.done()
	}
	if s.sortByOffset {
		sort.SliceStable(s.entries, func(i, j int) bool { return s.entries[i].b().offset < s.entries[j].b().offset })
	}
	if err := s.extendEntries(); err != nil {
		return 0, err
	}
	c, err := s.buildContents(false)
	if err != nil {
		return 0, err
	}
	s.setContents(c)
	if err := s.checkSize(); err != nil {
		return 0, err
	}
	next, err := s.packLeaf(offset)
	if err != nil {
		return 0, err
	}
	return next, s.checkEntries()
}

// extendEntries grows each extend-size entry to the next entry's offset,
// or the last one to the section's size.
func (s *Section) extendEntries() error {
	var pending Entry
	for _, e := range s.entries {
		if pending != nil {
			if err := extendToLimit(pending, e.b().offset); err != nil {
				return err
			}
			pending = nil
		}
		if e.b().extendSize {
			pending = e
		}
	}
	if pending != nil {
		return extendToLimit(pending, s.size)
	}
	return nil
}

func extendToLimit(e Entry, limit uint64) error {
	b := e.b()
	if b.offset+b.size < limit {
		b.size = limit - b.offset
		// A fill's contents depend on its size; sections keep their data
		// and are padded to the new size with their own pad byte.
		if _, isSection := e.(*Section); !isSection {
			return e.obtain()
		}
	}
	return nil
}

func (s *Section) checkSize() error {
	contentsSize := s.contentsSize
	size := s.size
	if size == 0 {
		size = alignUp(s.padBefore+contentsSize+s.padAfter, s.alignSize)
	}
	if s.size != 0 && contentsSize > s.size {
		return s.sectionErrorf("contents size %s exceeds section size %s", hx(contentsSize), hx(s.size))
	}
	if s.size == 0 {
		s.size = size
	}
	if s.size != alignUp(s.size, s.alignSize) {
		return s.sectionErrorf("Size %s does not match align-size %s", hx(s.size), hx(s.alignSize))
	}
	return nil
}

func (s *Section) checkEntries() error {
	if s.noCheck {
		return nil
	}
	maxSize := s.size
	if s.compressed {
		maxSize = s.uncompSize
	}
	var offset uint64
	prevName := "None"
	for _, e := range s.entries {
		b := e.b()
		if c, ok := e.(*Section); ok {
			if err := c.checkEntries(); err != nil {
				return err
			}
		}
		if b.offset < s.skipAtStart || b.offset+b.size > s.skipAtStart+maxSize {
			return b.errorf("Offset %s size %s is outside the section '%s' starting at %s of size %s",
				hx(b.offset), hx(b.size), s.path, hx(s.skipAtStart), hx(maxSize))
		}
		if !b.overlap {
			if b.offset < offset && b.size != 0 {
				return b.errorf("Offset %s overlaps with previous entry '%s' ending at %s", hx(b.offset), prevName, hx(offset))
			}
			offset = b.offset + b.size
			prevName = b.path
		}
	}
	return nil
}

// padded is binman's GetPaddedDataForEntry: pad-before and pad-after use
// this section's pad byte; the tail up to the entry size uses the entry's
// own pad byte if it is a section.
func (s *Section) padded(e Entry, data content) content {
	b := e.b()
	tailByte := s.padByte
	if c, ok := e.(*Section); ok {
		tailByte = c.padByte
	}
	var out content
	if b.padBefore > 0 {
		out.addSource(0, fill{s.padByte, b.padBefore})
	}
	out.add(b.padBefore, data)
	out.size = b.padBefore + data.size
	if b.padAfter > 0 {
		out.addSource(out.size, fill{s.padByte, b.padAfter})
	}
	if b.size > out.size {
		out.addSource(out.size, fill{tailByte, b.size - out.size})
	}
	return out
}

// buildContents is binman's BuildSectionData: each child's padded data at
// its offset, gaps filled with the pad byte, overlap entries written over
// what is already there. final drops optional entries that are absent, as
// binman does when writing the image. The result is compressed if the
// section asks for it.
func (s *Section) buildContents(final bool) (content, error) {
	build := s.packedContents
	if s.gen != nil {
		build = func(final bool) (content, error) { return s.gen(s, final) }
	}
	c, err := build(final)
	if err != nil {
		return content{}, err
	}
	return s.compressContents(c)
}

// packedContents is the section's data as a plain section lays it out,
// before compression; generated formats that wrap it call it too.
func (s *Section) packedContents(final bool) (content, error) {
	var out content
	for _, e := range s.entries {
		b := e.b()
		if final && b.absent && b.optional {
			continue
		}
		data := b.contents
		// Sections are rebuilt for the image, as binman's BuildImage does:
		// contents refreshed after packing (an fdtmap or image header
		// inside) must reach the output.
		if c, ok := e.(*Section); ok && final {
			var err error
			if data, err = c.buildContents(true); err != nil {
				return content{}, err
			}
			// A compressed section whose children changed after packing
			// may no longer fit the space it was given.
			if b.padBefore+data.size+b.padAfter > b.size {
				return content{}, c.sectionErrorf("contents size %s grew after packing beyond section size %s", hx(data.size), hx(b.size))
			}
		}
		data = s.padded(e, data)
		rel := b.offset - s.skipAtStart
		if b.offset >= s.skipAtStart && rel > out.size {
			out.addSource(out.size, fill{s.padByte, rel - out.size})
		}
		if b.overlap {
			end := b.offset + b.size
			if end > out.size+s.skipAtStart {
				return content{}, b.errorf("Offset %s ending at %s must overlap with existing entries", hx(b.offset), hx(end))
			}
			if _, null := e.(*Null); !null {
				out.add(rel, data)
			}
		} else {
			out.add(out.size, data)
		}
	}
	return out, nil
}

func (s *Section) compressContents(c content) (content, error) {
	if s.compress == "none" {
		return c, nil
	}
	if s.lastCompressed != nil && samePieces(c, s.lastPieces) {
		s.uncompSize, s.compressed = s.lastUncompSize, true
		return bytesContent(s.lastCompressed), nil
	}
	if r, ok := wholeRegion(c); ok {
		// One input file (a section holding one blob): compressed
		// from the file, never held whole.
		if comp, handled, err := compressRegion(s.compress, r); handled {
			if err != nil {
				return content{}, err
			}
			s.lastRaw, s.lastCompressed, s.lastPieces, s.lastUncompSize = nil, comp, c.snapshot(), r.n
			s.uncompSize, s.compressed = r.n, true
			return bytesContent(comp), nil
		}
	}
	raw, err := c.render()
	if err != nil {
		return content{}, err
	}
	comp := s.lastCompressed
	if comp == nil || s.lastRaw == nil || !bytes.Equal(raw, s.lastRaw) {
		if comp, err = compressBytes(s.compress, raw); err != nil {
			return content{}, s.errorf("cannot compress with %s: %v", s.compress, err)
		}
		s.lastRaw, s.lastCompressed = raw, comp
	}
	s.lastPieces, s.lastUncompSize = c.snapshot(), uint64(len(raw))
	s.uncompSize, s.compressed = uint64(len(raw)), true
	return bytesContent(comp), nil
}

func (s *Section) process() (bool, error) {
	ok := true
	for _, e := range s.entries {
		good, err := e.process()
		if err != nil {
			return false, err
		}
		ok = ok && good
	}
	if !ok || s.compress == "none" {
		return ok, nil
	}
	if s.parent == nil {
		// A compressed image keeps the size it packed to, as binman's
		// does (the map and -u record it); the file holds the data
		// compressed afresh when written, whatever its length.
		return true, nil
	}
	// Children changed after packing (a u-boot-dtb given its positions, an
	// fdtmap): the compressed size follows. Bigger data asks for another
	// pass, as binman's ProcessImage comment intends; binman itself never
	// notices and writes the section past its recorded size. Smaller data
	// is padded, as any entry's.
	c, err := s.buildContents(true)
	if err != nil {
		return false, err
	}
	return s.updateContents(c), nil
}

// setImagePos gives every entry its absolute position; entries inside a
// compressed section have none.
func setImagePos(e Entry, parentPos uint64) {
	b := e.b()
	b.imagePos, b.hasPos = parentPos+b.offset, true
	if s, ok := e.(*Section); ok && s.noImagePos {
		b.hasPos = false
		s.clearPos()
	} else if ok && !s.compressed {
		for _, c := range s.entries {
			setImagePos(c, b.imagePos)
		}
	} else if ok {
		s.clearPos()
	}
}

func (s *Section) clearPos() {
	for _, c := range s.entries {
		c.b().hasPos = false
		if cs, ok := c.(*Section); ok {
			cs.clearPos()
		}
	}
}

// siblingOrder is binman's GetSiblingOrder: "start" for the first entry,
// "end" for the last, else "middle".
func (s *Section) siblingOrder(e Entry) string {
	switch {
	case len(s.entries) > 0 && s.entries[0] == e:
		return "start"
	case len(s.entries) > 0 && s.entries[len(s.entries)-1] == e:
		return "end"
	}
	return "middle"
}

func (s *Section) sibling(name string) Entry {
	for _, e := range s.entries {
		if e.b().node.Name == name {
			return e
		}
	}
	return nil
}
