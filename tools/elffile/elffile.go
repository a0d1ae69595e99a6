// Package elffile reads what fwtool needs of an ELF file: the header's
// entry point, section headers (with names and contents), program headers
// (segments) and the symbol table, for 32- and 64-bit files of either byte
// order.
//
// Why not debug/elf: importing it links debug/dwarf, whose package
// variables (maps of DWARF attribute names and classes) are built when
// the program starts: about ten page faults on every fwtool run, most of
// which never read an ELF file. Field names follow debug/elf's, so callers
// read the same; compressed sections (SHF_COMPRESSED, only ever debug
// info) are refused instead of inflated.
package elffile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Values of the fields callers compare (the ELF specification's names).
const (
	PT_LOAD        = 1
	SHT_SYMTAB     = 2
	SHT_NOBITS     = 8
	SHN_UNDEF      = 0
	SHN_ABS        = 0xfff1
	SHN_COMMON     = 0xfff2
	SHN_XINDEX     = 0xffff
	STB_WEAK       = 2
	shfCompressed  = 0x800
	elfClass32     = 1
	elfClass64     = 2
	elfData2LSB    = 1
	elfData2MSB    = 2
	ELFMAG         = "\x7fELF"
	maxSectionName = 1 << 16
)

// ST_BIND is a symbol's binding (STB_*), from its Info byte.
func ST_BIND(info byte) byte { return info >> 4 }

// ErrNoSymbols is returned by Symbols for a file without a symbol table.
var ErrNoSymbols = errors.New("no symbol section")

// File is an open ELF file.
type File struct {
	Class     byte // 1: 32-bit, 2: 64-bit
	ByteOrder binary.ByteOrder
	Type      uint16
	Machine   uint16
	Entry     uint64
	Sections  []*Section
	Progs     []*Prog
	r         io.ReaderAt
	size      int64
	closer    io.Closer
}

// Section is one section header.
type Section struct {
	Name      string
	Type      uint32
	Flags     uint64
	Addr      uint64
	Offset    uint64
	Size      uint64
	Link      uint32
	Info      uint32
	Addralign uint64
	Entsize   uint64
	r         io.ReaderAt
	fileSize  int64
}

// Prog is one program header.
type Prog struct {
	Type   uint32
	Flags  uint32
	Off    uint64
	Vaddr  uint64
	Paddr  uint64
	Filesz uint64
	Memsz  uint64
	Align  uint64
	r      io.ReaderAt
}

// Symbol is one symbol table entry.
type Symbol struct {
	Name    string
	Info    byte
	Other   byte
	Section uint16
	Value   uint64
	Size    uint64
}

// Open opens the named file; Close closes it.
func Open(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	f, err := NewFile(fh)
	if err != nil {
		fh.Close()
		return nil, err
	}
	f.closer = fh
	return f, nil
}

// Close closes the file Open opened (nothing for NewFile's).
func (f *File) Close() error {
	if f.closer == nil {
		return nil
	}
	err := f.closer.Close()
	f.closer = nil
	return err
}

// sizer is implemented by *os.File (Stat) and by *bytes.Reader and
// friends (Size).
type sizer interface{ Size() int64 }

func sizeOf(r io.ReaderAt) int64 {
	switch v := r.(type) {
	case sizer:
		return v.Size()
	case *os.File:
		if st, err := v.Stat(); err == nil {
			return st.Size()
		}
	}
	return -1
}

// formatError is a malformed file.
func formatError(format string, args ...interface{}) error {
	return fmt.Errorf("elf: "+format, args...)
}

// NewFile reads the headers of the ELF file in r.
func NewFile(r io.ReaderAt) (*File, error) {
	f := &File{r: r, size: sizeOf(r)}
	var ident [16]byte
	if _, err := r.ReadAt(ident[:], 0); err != nil {
		return nil, formatError("not an ELF file (too short)")
	}
	if string(ident[:4]) != ELFMAG {
		return nil, formatError("not an ELF file (bad magic number)")
	}
	f.Class = ident[4]
	switch ident[5] {
	case elfData2LSB:
		f.ByteOrder = binary.LittleEndian
	case elfData2MSB:
		f.ByteOrder = binary.BigEndian
	default:
		return nil, formatError("unknown data encoding %d", ident[5])
	}
	if ident[6] != 1 {
		return nil, formatError("unknown ELF version %d", ident[6])
	}
	var h header
	if err := f.readHeader(&h); err != nil {
		return nil, err
	}
	if err := f.readProgs(&h); err != nil {
		return nil, err
	}
	if err := f.readSections(&h); err != nil {
		return nil, err
	}
	return f, nil
}

// header holds the ELF header fields beyond File's.
type header struct {
	phoff, shoff               uint64
	phentsize, phnum           int
	shentsize, shnum, shstrndx int
}

func (f *File) readHeader(h *header) error {
	bo := f.ByteOrder
	switch f.Class {
	case elfClass32:
		var b [52]byte
		if _, err := f.r.ReadAt(b[:], 0); err != nil {
			return formatError("ELF header truncated")
		}
		f.Type, f.Machine = bo.Uint16(b[16:]), bo.Uint16(b[18:])
		f.Entry = uint64(bo.Uint32(b[24:]))
		h.phoff, h.shoff = uint64(bo.Uint32(b[28:])), uint64(bo.Uint32(b[32:]))
		h.phentsize, h.phnum = int(bo.Uint16(b[42:])), int(bo.Uint16(b[44:]))
		h.shentsize, h.shnum, h.shstrndx = int(bo.Uint16(b[46:])), int(bo.Uint16(b[48:])), int(bo.Uint16(b[50:]))
	case elfClass64:
		var b [64]byte
		if _, err := f.r.ReadAt(b[:], 0); err != nil {
			return formatError("ELF header truncated")
		}
		f.Type, f.Machine = bo.Uint16(b[16:]), bo.Uint16(b[18:])
		f.Entry = bo.Uint64(b[24:])
		h.phoff, h.shoff = bo.Uint64(b[32:]), bo.Uint64(b[40:])
		h.phentsize, h.phnum = int(bo.Uint16(b[54:])), int(bo.Uint16(b[56:]))
		h.shentsize, h.shnum, h.shstrndx = int(bo.Uint16(b[58:])), int(bo.Uint16(b[60:])), int(bo.Uint16(b[62:]))
	default:
		return formatError("unknown ELF class %d", f.Class)
	}
	return nil
}

// table reads n entries of size entsize at off, after checking they lie
// inside the file (so a header cannot make us allocate more than it).
func (f *File) table(what string, off uint64, n, entsize, want int) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	if entsize < want {
		return nil, formatError("%s entry size %d, want at least %d", what, entsize, want)
	}
	if n < 0 || n > 1<<24 {
		return nil, formatError("%d %s entries", n, what)
	}
	total := uint64(n) * uint64(entsize)
	if off+total < off || (f.size >= 0 && off+total > uint64(f.size)) {
		return nil, formatError("%s table (%d entries at offset %#x) runs past the end of the file", what, n, off)
	}
	b := make([]byte, total)
	if _, err := f.r.ReadAt(b, int64(off)); err != nil {
		return nil, formatError("reading the %s table: %v", what, err)
	}
	return b, nil
}

func (f *File) readProgs(h *header) error {
	want := 32
	if f.Class == elfClass64 {
		want = 56
	}
	b, err := f.table("program header", h.phoff, h.phnum, h.phentsize, want)
	if err != nil {
		return err
	}
	bo := f.ByteOrder
	f.Progs = make([]*Prog, h.phnum)
	for i := range f.Progs {
		e := b[i*h.phentsize:]
		p := &Prog{r: f.r}
		if f.Class == elfClass32 {
			p.Type, p.Off = bo.Uint32(e), uint64(bo.Uint32(e[4:]))
			p.Vaddr, p.Paddr = uint64(bo.Uint32(e[8:])), uint64(bo.Uint32(e[12:]))
			p.Filesz, p.Memsz = uint64(bo.Uint32(e[16:])), uint64(bo.Uint32(e[20:]))
			p.Flags, p.Align = bo.Uint32(e[24:]), uint64(bo.Uint32(e[28:]))
		} else {
			p.Type, p.Flags, p.Off = bo.Uint32(e), bo.Uint32(e[4:]), bo.Uint64(e[8:])
			p.Vaddr, p.Paddr = bo.Uint64(e[16:]), bo.Uint64(e[24:])
			p.Filesz, p.Memsz, p.Align = bo.Uint64(e[32:]), bo.Uint64(e[40:]), bo.Uint64(e[48:])
		}
		f.Progs[i] = p
	}
	return nil
}

func (f *File) readSections(h *header) error {
	want := 40
	if f.Class == elfClass64 {
		want = 64
	}
	if h.shoff == 0 {
		return nil
	}
	shnum, shstrndx := h.shnum, h.shstrndx
	if shnum == 0 || shstrndx == SHN_XINDEX {
		// Extended numbering: section 0 holds the real count and index.
		first, err := f.table("section header", h.shoff, 1, h.shentsize, want)
		if err != nil {
			return err
		}
		s0 := f.parseSection(first)
		if shnum == 0 {
			if s0.Size > 1<<24 {
				return formatError("%d sections", s0.Size)
			}
			shnum = int(s0.Size)
		}
		if shstrndx == SHN_XINDEX {
			shstrndx = int(s0.Link)
		}
	}
	if shnum > 0 && shstrndx >= shnum {
		return formatError("section name table index %d out of range (%d sections)", shstrndx, shnum)
	}
	b, err := f.table("section header", h.shoff, shnum, h.shentsize, want)
	if err != nil {
		return err
	}
	f.Sections = make([]*Section, shnum)
	names := make([]uint32, shnum)
	for i := range f.Sections {
		e := b[i*h.shentsize:]
		names[i] = f.ByteOrder.Uint32(e)
		f.Sections[i] = f.parseSection(e)
	}
	if shnum == 0 {
		return nil
	}
	strs := f.Sections[shstrndx]
	if strs.Type == SHT_NOBITS {
		return formatError("section name table has no contents")
	}
	tab, err := strs.Data()
	if err != nil {
		return err
	}
	for i, s := range f.Sections {
		name, ok := cstring(tab, names[i])
		if !ok {
			return formatError("section %d: name offset %d outside the name table", i, names[i])
		}
		s.Name = name
	}
	return nil
}

func (f *File) parseSection(e []byte) *Section {
	bo := f.ByteOrder
	s := &Section{r: f.r, fileSize: f.size}
	if f.Class == elfClass32 {
		s.Type, s.Flags = bo.Uint32(e[4:]), uint64(bo.Uint32(e[8:]))
		s.Addr, s.Offset, s.Size = uint64(bo.Uint32(e[12:])), uint64(bo.Uint32(e[16:])), uint64(bo.Uint32(e[20:]))
		s.Link, s.Info = bo.Uint32(e[24:]), bo.Uint32(e[28:])
		s.Addralign, s.Entsize = uint64(bo.Uint32(e[32:])), uint64(bo.Uint32(e[36:]))
	} else {
		s.Type, s.Flags = bo.Uint32(e[4:]), bo.Uint64(e[8:])
		s.Addr, s.Offset, s.Size = bo.Uint64(e[16:]), bo.Uint64(e[24:]), bo.Uint64(e[32:])
		s.Link, s.Info = bo.Uint32(e[40:]), bo.Uint32(e[44:])
		s.Addralign, s.Entsize = bo.Uint64(e[48:]), bo.Uint64(e[56:])
	}
	return s
}

// cstring is the NUL-terminated string at off in tab.
func cstring(tab []byte, off uint32) (string, bool) {
	if uint64(off) >= uint64(len(tab)) {
		return "", off == 0 && len(tab) == 0
	}
	end := bytes.IndexByte(tab[off:], 0)
	if end < 0 {
		return "", false
	}
	return string(tab[off : off+uint32(end)]), true
}

// Data reads the section's contents (zeros for SHT_NOBITS, as debug/elf).
func (s *Section) Data() ([]byte, error) {
	if s.Flags&shfCompressed != 0 {
		return nil, formatError("section %q is compressed, which is not supported", s.Name)
	}
	if s.Type != SHT_NOBITS && (s.Offset+s.Size < s.Offset || (s.fileSize >= 0 && s.Offset+s.Size > uint64(s.fileSize))) {
		return nil, formatError("section %q (%d bytes at %#x) runs past the end of the file", s.Name, s.Size, s.Offset)
	}
	if s.Type == SHT_NOBITS && s.fileSize >= 0 && s.Size > uint64(s.fileSize) {
		return nil, formatError("section %q: %d bytes of zeros, more than the file holds", s.Name, s.Size)
	}
	b := make([]byte, s.Size)
	if s.Type == SHT_NOBITS {
		return b, nil
	}
	if _, err := s.r.ReadAt(b, int64(s.Offset)); err != nil {
		return nil, formatError("reading section %q: %v", s.Name, err)
	}
	return b, nil
}

// Open reads the segment's file contents. A segment whose offset or size
// does not fit an int64 reads as an error.
func (p *Prog) Open() io.ReadSeeker {
	const maxInt64 = 1<<63 - 1
	if p.Off > maxInt64 || p.Filesz > maxInt64-p.Off {
		return io.NewSectionReader(badSegment{}, 0, 1)
	}
	return io.NewSectionReader(p.r, int64(p.Off), int64(p.Filesz))
}

type badSegment struct{}

func (badSegment) ReadAt([]byte, int64) (int, error) {
	return 0, formatError("segment offset or size out of range")
}

// Section returns the first section with the given name, or nil.
func (f *File) Section(name string) *Section {
	for _, s := range f.Sections {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Symbols returns the symbol table (SHT_SYMTAB) without its null first
// entry, in table order, as debug/elf does.
func (f *File) Symbols() ([]Symbol, error) {
	var tab *Section
	for _, s := range f.Sections {
		if s.Type == SHT_SYMTAB {
			tab = s
			break
		}
	}
	if tab == nil {
		return nil, ErrNoSymbols
	}
	data, err := tab.Data()
	if err != nil {
		return nil, err
	}
	size := 16
	if f.Class == elfClass64 {
		size = 24
	}
	if len(data)%size != 0 {
		return nil, formatError("symbol table size %d is not a multiple of %d", len(data), size)
	}
	if len(data) == 0 {
		return nil, ErrNoSymbols
	}
	if int(tab.Link) >= len(f.Sections) {
		return nil, formatError("symbol table's string table %d out of range", tab.Link)
	}
	strs, err := f.Sections[tab.Link].Data()
	if err != nil {
		return nil, err
	}
	bo := f.ByteOrder
	out := make([]Symbol, 0, len(data)/size-1)
	for e := data[size:]; len(e) >= size; e = e[size:] {
		var s Symbol
		name := bo.Uint32(e)
		if f.Class == elfClass32 {
			s.Value, s.Size = uint64(bo.Uint32(e[4:])), uint64(bo.Uint32(e[8:]))
			s.Info, s.Other, s.Section = e[12], e[13], bo.Uint16(e[14:])
		} else {
			s.Info, s.Other, s.Section = e[4], e[5], bo.Uint16(e[6:])
			s.Value, s.Size = bo.Uint64(e[8:]), bo.Uint64(e[16:])
		}
		s.Name, _ = cstring(strs, name)
		out = append(out, s)
	}
	return out, nil
}
