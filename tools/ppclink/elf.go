package ppclink

import (
	"encoding/binary"
	"fmt"
)

// ELF constants this linker needs (ELF32, PowerPC).
const (
	shtNull     = 0
	shtProgbits = 1
	shtSymtab   = 2
	shtStrtab   = 3
	shtRela     = 4
	shtNote     = 7
	shtNobits   = 8
	shtRel      = 9
	shtGroup    = 17
	shtGNUAttr  = 0x6ffffff5

	shfWrite     = 0x1
	shfAlloc     = 0x2
	shfExecinstr = 0x4
	shfMerge     = 0x10
	shfStrings   = 0x20
	shfInfoLink  = 0x40
	shfGroup     = 0x200
	shfExclude   = 0x80000000

	shnUndef  = 0
	shnAbs    = 0xfff1
	shnCommon = 0xfff2
	shnXindex = 0xffff

	stbLocal  = 0
	stbGlobal = 1
	stbWeak   = 2

	sttNotype  = 0
	sttObject  = 1
	sttFunc    = 2
	sttSection = 3
	sttFile    = 4

	emPPC = 20

	elfHeaderSize  = 52
	shdrSize       = 40
	symSize        = 16
	relaSize       = 12
	efPPCRelocLib  = 0x8000
	efPPCRelocable = 0x10000
)

// object is one parsed relocatable object.
type object struct {
	name      string // for messages: "file.o" or "lib.a(member.o)"
	base      string // file name as ld prints it in FILE symbols
	flags     uint32 // e_flags
	sections  []*inSection
	syms      []*inSym
	hasStack  bool // has .note.GNU-stack
	execStack bool
	hasFile   bool // has an STT_FILE symbol
	order     int
}

// inSection is one section of an input object.
type inSection struct {
	obj     *object
	index   int
	name    string
	typ     uint32
	flags   uint32
	size    uint32
	align   uint32
	entsize uint32
	link    uint32
	info    uint32
	data    []byte // nil for NOBITS
	relocs  []reloc
	hasRela bool

	out      *outSection
	offset   uint32 // offset within out
	merge    *mergeSec
	keep     bool    // placed in the output
	excluded bool    // merged away entirely
	eh       *ehInfo // edited .eh_frame
	linker   bool    // created by the linker (typeless for orphan matching)
}

type reloc struct {
	off    uint32
	typ    uint32
	sym    uint32
	addend int32
}

// inSym is one symbol of an input object's symbol table.
type inSym struct {
	name  string
	value uint32
	size  uint32
	info  byte
	other byte
	shndx uint16
	sec   *inSection // defining section, nil for UND/ABS/COMMON
	g     *global    // resolved global for non-local symbols
}

func (s *inSym) bind() byte { return s.info >> 4 }
func (s *inSym) typ() byte  { return s.info & 0xf }

func isELF(data []byte) bool {
	return len(data) >= 4 && string(data[:4]) == "\x7fELF"
}

// parseObject reads an ELF32-BE PowerPC relocatable object. Every header
// field that sizes or locates something is checked against the data before
// use, so truncated or hostile input gives an error, never a panic or a
// huge allocation.
func parseObject(name string, data []byte) (*object, error) {
	r := &elfReader{name: name, data: data}
	if err := r.readHeaders(); err != nil {
		return nil, err
	}
	o := &object{name: name, flags: binary.BigEndian.Uint32(data[36:])}
	symtabIdx, err := r.readSections(o)
	if err != nil {
		return nil, err
	}
	if symtabIdx >= 0 {
		h := r.hdrs[symtabIdx]
		if err := o.parseSymbols(h.link, uint32(len(r.hdrs)), r.section, cstring, symtabIdx); err != nil {
			return nil, err
		}
	}
	for _, s := range o.sections {
		if err := o.readRelocs(s, symtabIdx); err != nil {
			return nil, err
		}
	}
	return o, nil
}

type shdr struct{ name, typ, flags, addr, off, size, link, info, align, entsize uint32 }

type elfReader struct {
	name     string
	data     []byte
	hdrs     []shdr
	shstrndx uint32
}

func (r *elfReader) errorf(format string, args ...interface{}) error {
	return fmt.Errorf("%s: %s", r.name, fmt.Sprintf(format, args...))
}

// readHeaders checks the ELF header and reads the section headers.
func (r *elfReader) readHeaders() error {
	data := r.data
	switch {
	case len(data) < elfHeaderSize:
		return r.errorf("truncated ELF header (%d bytes)", len(data))
	case !isELF(data):
		return r.errorf("not an ELF object")
	case data[4] != 1 || data[5] != 2:
		return r.errorf("not ELF32 big-endian (class %d, data %d)", data[4], data[5])
	case binary.BigEndian.Uint16(data[16:]) != 1:
		return r.errorf("e_type %d is not a relocatable object (ET_REL)", binary.BigEndian.Uint16(data[16:]))
	case binary.BigEndian.Uint16(data[18:]) != emPPC:
		return r.errorf("e_machine %d is not PowerPC (20)", binary.BigEndian.Uint16(data[18:]))
	}
	shoff := binary.BigEndian.Uint32(data[32:])
	shentsize := binary.BigEndian.Uint16(data[46:])
	shnum := uint32(binary.BigEndian.Uint16(data[48:]))
	r.shstrndx = uint32(binary.BigEndian.Uint16(data[50:]))
	switch {
	case shnum == 0:
		return r.errorf("no section headers")
	case shentsize != shdrSize:
		return r.errorf("e_shentsize %d, want 40", shentsize)
	case uint64(shoff)+uint64(shnum)*shdrSize > uint64(len(data)):
		return r.errorf("section header table (offset %#x, %d entries) past end of file (%d bytes)", shoff, shnum, len(data))
	case r.shstrndx >= shnum:
		return r.errorf("e_shstrndx %d out of range (%d sections)", r.shstrndx, shnum)
	}
	r.hdrs = make([]shdr, shnum)
	for i := range r.hdrs {
		b := data[shoff+uint32(i)*shdrSize:]
		var f [10]uint32
		for k := range f {
			f[k] = binary.BigEndian.Uint32(b[4*k:])
		}
		h := shdr{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9]}
		if h.typ != shtNobits && h.typ != shtNull && uint64(h.off)+uint64(h.size) > uint64(len(data)) {
			return r.errorf("section %d: contents (offset %#x, size %#x) past end of file (%d bytes)", i, h.off, h.size, len(data))
		}
		r.hdrs[i] = h
	}
	return nil
}

// section returns a section's bytes (nil for NULL and NOBITS sections).
func (r *elfReader) section(idx uint32) []byte {
	h := r.hdrs[idx]
	if h.typ == shtNobits || h.typ == shtNull {
		return nil
	}
	return r.data[h.off : h.off+h.size]
}

// cstring reads the NUL-terminated string at off; ok is false when it is
// outside the table or unterminated.
func cstring(tab []byte, off uint32) (string, bool) {
	if off >= uint32(len(tab)) {
		return "", off == 0
	}
	end := off
	for end < uint32(len(tab)) && tab[end] != 0 {
		end++
	}
	if end == uint32(len(tab)) {
		return "", false
	}
	return string(tab[off:end]), true
}

// readSections makes the object's sections and returns the symbol table's
// index (-1 if none).
func (r *elfReader) readSections(o *object) (int, error) {
	shstr := r.section(r.shstrndx)
	o.sections = make([]*inSection, len(r.hdrs))
	symtabIdx := -1
	for i, h := range r.hdrs {
		n, ok := cstring(shstr, h.name)
		if !ok {
			return 0, r.errorf("section %d: name offset %#x outside .shstrtab", i, h.name)
		}
		s := &inSection{obj: o, index: i, name: n, typ: h.typ, flags: h.flags, size: h.size,
			align: h.align, entsize: h.entsize, link: h.link, info: h.info, data: r.section(uint32(i))}
		if s.align == 0 {
			s.align = 1
		}
		switch {
		case s.align&(s.align-1) != 0:
			return 0, r.errorf("section '%s': alignment %d is not a power of two", n, h.align)
		case s.align > maxPageSize && h.typ != shtNull:
			// Nothing a boot wrapper links needs more than a page; larger
			// alignments would only pad the image.
			return 0, r.errorf("section '%s': alignment %#x larger than the %#x this linker supports", n, h.align, maxPageSize)
		case h.typ == shtGroup:
			return 0, r.errorf("section '%s': section groups (COMDAT) are not supported", n)
		case h.typ == shtRel:
			return 0, r.errorf("section '%s': REL relocations are not supported (PowerPC uses RELA)", n)
		case h.typ == shtSymtab && symtabIdx >= 0:
			return 0, r.errorf("more than one symbol table")
		case h.typ == shtSymtab:
			symtabIdx = i
		case n == ".note.GNU-stack":
			o.hasStack = true
			o.execStack = h.flags&shfExecinstr != 0
		}
		o.sections[i] = s
	}
	return symtabIdx, nil
}

// readRelocs attaches a RELA section's entries to the section they patch,
// checking each entry's symbol, type and offset.
func (o *object) readRelocs(s *inSection, symtabIdx int) error {
	if s.typ != shtRela {
		return nil
	}
	fail := func(format string, args ...interface{}) error {
		return fmt.Errorf("%s: %s", o.name, fmt.Sprintf(format, args...))
	}
	switch {
	case s.info == 0 || s.info >= uint32(len(o.sections)):
		return fail("relocation section '%s': target section %d out of range", s.name, s.info)
	case int(s.link) != symtabIdx:
		return fail("relocation section '%s': sh_link %d is not the symbol table", s.name, s.link)
	case s.size%relaSize != 0:
		return fail("relocation section '%s': size %#x is not a multiple of 12", s.name, s.size)
	}
	t := o.sections[s.info]
	if t.hasRela {
		return fail("section '%s' has more than one relocation section", t.name)
	}
	t.hasRela = true
	n := s.size / relaSize
	t.relocs = make([]reloc, n)
	for i := uint32(0); i < n; i++ {
		b := s.data[i*relaSize:]
		info := binary.BigEndian.Uint32(b[4:])
		r := reloc{off: binary.BigEndian.Uint32(b), typ: info & 0xff, sym: info >> 8, addend: int32(binary.BigEndian.Uint32(b[8:]))}
		if r.sym >= uint32(len(o.syms)) {
			return fail("relocation section '%s': entry %d refers to symbol %d of %d", s.name, i, r.sym, len(o.syms))
		}
		if w := relocWidth(r.typ); w < 0 {
			return fail("section '%s' offset %#x: unsupported relocation type %d against '%s'", t.name, r.off, r.typ, o.syms[r.sym].displayName())
		} else if t.typ != shtNobits && uint64(r.off)+uint64(w) > uint64(t.size) {
			return fail("section '%s': relocation %d at offset %#x past the section's end (%#x)", t.name, i, r.off, t.size)
		}
		t.relocs[i] = r
	}
	return nil
}

// displayName names a symbol in messages: section symbols by their section.
func (s *inSym) displayName() string {
	if s.typ() == sttSection && s.sec != nil {
		return s.sec.name
	}
	return s.name
}

func (o *object) parseSymbols(strIdx, shnum uint32, strtab func(uint32) []byte,
	str func([]byte, uint32) (string, bool), symtabIdx int) error {
	st := o.sections[symtabIdx]
	if strIdx >= shnum || o.sections[strIdx].typ != shtStrtab {
		return fmt.Errorf("%s: symbol table's string table (section %d) is not a string table", o.name, strIdx)
	}
	if st.size%symSize != 0 {
		return fmt.Errorf("%s: symbol table size %#x is not a multiple of 16", o.name, st.size)
	}
	tab := strtab(strIdx)
	n := st.size / symSize
	o.syms = make([]*inSym, n)
	for i := uint32(0); i < n; i++ {
		b := st.data[i*symSize:]
		s := &inSym{value: binary.BigEndian.Uint32(b[4:]), size: binary.BigEndian.Uint32(b[8:]), info: b[12], other: b[13], shndx: binary.BigEndian.Uint16(b[14:])}
		name, ok := str(tab, binary.BigEndian.Uint32(b))
		if !ok {
			return fmt.Errorf("%s: symbol %d: name offset %#x outside the string table", o.name, i, binary.BigEndian.Uint32(b))
		}
		s.name = name
		switch {
		case s.shndx == shnXindex:
			return fmt.Errorf("%s: symbol '%s': extended section indexes are not supported", o.name, name)
		case s.shndx == shnUndef || s.shndx == shnAbs || s.shndx == shnCommon:
		case s.shndx >= 0xff00:
			return fmt.Errorf("%s: symbol '%s': unsupported section index %#x", o.name, name, s.shndx)
		case uint32(s.shndx) >= shnum:
			return fmt.Errorf("%s: symbol '%s': section index %d out of range", o.name, name, s.shndx)
		default:
			s.sec = o.sections[s.shndx]
		}
		if s.typ() == sttFile {
			o.hasFile = true
		}
		if i > 0 && s.bind() != stbLocal && s.bind() != stbGlobal && s.bind() != stbWeak {
			return fmt.Errorf("%s: symbol '%s': unsupported binding %d", o.name, name, s.bind())
		}
		o.syms[i] = s
	}
	return nil
}
