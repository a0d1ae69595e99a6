package layout

// entryPlace is one entry an entry wants placed in its section.
type entryPlace struct {
	name         string
	offset, size uint64
}

// offsetSetter is an entry that places other entries of its section
// (binman's GetOffsets), once contents are known and before the first
// packing pass.
type offsetSetter interface {
	entryOffsets() []entryPlace
}

// applyEntryOffsets is binman's GetEntryOffsets, section by section: the
// named entry gets the offset and size for the first packing pass only
// (a repack starts again from the description's values).
func (s *Section) applyEntryOffsets() error {
	for _, e := range s.entries {
		if c, ok := e.(*Section); ok {
			if err := c.applyEntryOffsets(); err != nil {
				return err
			}
		}
		o, ok := e.(offsetSetter)
		if !ok {
			continue
		}
		for _, p := range o.entryOffsets() {
			t := s.sibling(p.name)
			if t == nil {
				return s.sectionErrorf("Unable to set offset/size for unknown entry '%s'", p.name)
			}
			b := t.b()
			b.offset, b.offsetSet = p.offset+s.skipAtStart, true
			b.size = p.size
		}
	}
	return nil
}
