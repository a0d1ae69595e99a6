package ppcwrap

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
)

// ELF32 header and table sizes.
const (
	ehSize    = 52
	phSize    = 32
	shSize    = 40
	shtNull   = 0
	shtSymtab = 2
	shtStrtab = 3
	shtRela   = 4
	shtNobits = 8
	shtRel    = 9
	shfAlloc  = 2
	ptLoad    = 1
)

// elfFile is a parsed big-endian ELF32 file: enough of it to strip it the
// way objcopy does and to find its loadable bytes.
type elfFile struct {
	name     string
	data     []byte
	phdrs    []phdr
	sections []section
	shstrndx int
}

type phdr struct {
	typ, off, vaddr, paddr, filesz, memsz, flags, align uint32
}

type section struct {
	name                                             string
	nameOff, typ, flags, addr, off, size, link, info uint32
	align, entsize                                   uint32
}

// bytes is the section's contents; none for NOBITS and NULL sections
// (parseELF checks the others against the file, but not those two types,
// and a crafted file may name a NULL section as its name table).
func (s section) bytes(data []byte) []byte {
	if s.typ == shtNobits || s.typ == shtNull || uint64(s.off)+uint64(s.size) > uint64(len(data)) {
		return nil
	}
	return data[s.off : s.off+s.size]
}

// parseELF reads an ELF32 big-endian file, checking every table and section
// against the file size before using it.
func parseELF(name string, data []byte) (*elfFile, error) {
	if len(data) < ehSize || string(data[:4]) != "\x7fELF" {
		return nil, fmt.Errorf("%s: not an ELF file", name)
	}
	if data[4] == 2 {
		return nil, fmt.Errorf("%s: 64-bit ELF kernels are not supported (ELF class 2)", name)
	}
	if data[4] != 1 || data[5] != 2 {
		return nil, fmt.Errorf("%s: not a 32-bit big-endian ELF (class %d, data %d)", name, data[4], data[5])
	}
	f := &elfFile{name: name, data: data}
	phoff, shoff := binary.BigEndian.Uint32(data[28:]), binary.BigEndian.Uint32(data[32:])
	phent, phnum := binary.BigEndian.Uint16(data[42:]), binary.BigEndian.Uint16(data[44:])
	shent, shnum := binary.BigEndian.Uint16(data[46:]), binary.BigEndian.Uint16(data[48:])
	f.shstrndx = int(binary.BigEndian.Uint16(data[50:]))
	if phnum > 0 && (phent != phSize || uint64(phoff)+uint64(phnum)*phSize > uint64(len(data))) {
		return nil, fmt.Errorf("%s: program header table (offset %#x, %d entries of %d bytes) outside the file (%d bytes)", name, phoff, phnum, phent, len(data))
	}
	for i := 0; i < int(phnum); i++ {
		b := data[phoff+uint32(i)*phSize:]
		f.phdrs = append(f.phdrs, phdr{binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]), binary.BigEndian.Uint32(b[8:]), binary.BigEndian.Uint32(b[12:]),
			binary.BigEndian.Uint32(b[16:]), binary.BigEndian.Uint32(b[20:]), binary.BigEndian.Uint32(b[24:]), binary.BigEndian.Uint32(b[28:])})
		p := f.phdrs[i]
		// An empty segment's offset may lie past the end (nothing is read there).
		if p.typ == ptLoad && p.filesz > 0 && uint64(p.off)+uint64(p.filesz) > uint64(len(data)) {
			return nil, fmt.Errorf("%s: program header %d: segment (offset %#x, %d bytes) past the end of the file (%d bytes)", name, i, p.off, p.filesz, len(data))
		}
	}
	if shnum > 0 && (shent != shSize || uint64(shoff)+uint64(shnum)*shSize > uint64(len(data))) {
		return nil, fmt.Errorf("%s: section header table (offset %#x, %d entries of %d bytes) outside the file (%d bytes)", name, shoff, shnum, shent, len(data))
	}
	for i := 0; i < int(shnum); i++ {
		b := data[shoff+uint32(i)*shSize:]
		s := section{nameOff: binary.BigEndian.Uint32(b), typ: binary.BigEndian.Uint32(b[4:]), flags: binary.BigEndian.Uint32(b[8:]), addr: binary.BigEndian.Uint32(b[12:]),
			off: binary.BigEndian.Uint32(b[16:]), size: binary.BigEndian.Uint32(b[20:]), link: binary.BigEndian.Uint32(b[24:]), info: binary.BigEndian.Uint32(b[28:]),
			align: binary.BigEndian.Uint32(b[32:]), entsize: binary.BigEndian.Uint32(b[36:])}
		if s.typ != shtNobits && s.typ != shtNull && uint64(s.off)+uint64(s.size) > uint64(len(data)) {
			return nil, fmt.Errorf("%s: section %d: contents (offset %#x, %d bytes) past the end of the file (%d bytes)", name, i, s.off, s.size, len(data))
		}
		f.sections = append(f.sections, s)
	}
	if shnum > 0 {
		if f.shstrndx >= len(f.sections) {
			return nil, fmt.Errorf("%s: section name table index %d out of range (%d sections)", name, f.shstrndx, shnum)
		}
		strs := f.sections[f.shstrndx].bytes(data)
		for i := range f.sections {
			n := f.sections[i].nameOff
			if uint64(n) >= uint64(len(strs)) && n != 0 {
				return nil, fmt.Errorf("%s: section %d: name offset %#x outside the name table", name, i, n)
			}
			if n < uint32(len(strs)) {
				end := n
				for end < uint32(len(strs)) && strs[end] != 0 {
					end++
				}
				f.sections[i].name = string(strs[n:end])
			}
		}
	}
	return f, nil
}

// strippedAway reports whether objcopy -S (--strip-all) drops the section:
// symbol and string tables, non-allocated relocations, debugging sections.
func strippedAway(s section) bool {
	if s.flags&shfAlloc != 0 {
		return false
	}
	switch s.typ {
	case shtSymtab, shtStrtab, shtRel, shtRela:
		return true
	}
	for _, p := range []string{".debug", ".zdebug", ".gnu.debuglto_", ".line", ".stab", ".gnu.linkonce.wi."} {
		if strings.HasPrefix(s.name, p) {
			return true
		}
	}
	return false
}

// StripAll returns the ELF as `objcopy -S` (strip-all) writes it: symbols,
// relocations and debugging sections removed; loadable sections at their
// file offsets under unchanged program headers; the kept unloaded sections
// packed after the last segment at their alignment, then a new .shstrtab
// (strings merged by suffix as BFD merges them) and the section headers at
// a 4-byte boundary. The wrapper runs this on vmlinux before compressing
// it; only the ELF and program headers and the segments are read back at
// boot.
func StripAll(name string, data []byte) ([]byte, error) {
	f, err := parseELF(name, data)
	if err != nil {
		return nil, err
	}
	var kept []int
	for i, s := range f.sections {
		if i == 0 || i == f.shstrndx || strippedAway(s) {
			continue
		}
		kept = append(kept, i)
	}
	newIndex := map[int]uint32{}
	for j, i := range kept {
		newIndex[i] = uint32(j + 1)
	}
	names := []string{".shstrtab"}
	for _, i := range kept {
		names = append(names, f.sections[i].name)
	}
	strtab, offs := bfdStrtab(names)

	// Loadable bytes stay where they are; the end of the last one is where
	// unloaded sections start.
	end := uint64(ehSize + phSize*len(f.phdrs))
	for _, p := range f.phdrs {
		if e := uint64(p.off) + uint64(p.filesz); p.filesz > 0 && e > end {
			end = e
		}
	}
	out := make([]section, 0, len(kept)+2)
	out = append(out, section{})
	for _, i := range kept {
		s := f.sections[i]
		if s.flags&shfAlloc != 0 {
			if e := uint64(s.off) + uint64(s.size); s.typ != shtNobits && e > end {
				end = e
			}
		}
	}
	for _, i := range kept {
		s := f.sections[i]
		if s.flags&shfAlloc == 0 {
			end = alignUp(end, s.align)
			s.off = uint32(end)
			end += uint64(s.size)
		}
		s.link = newIndex[int(s.link)]
		if s.typ == shtRel || s.typ == shtRela {
			s.info = newIndex[int(s.info)]
		}
		out = append(out, s)
	}
	shstr := section{typ: shtStrtab, off: uint32(end), size: uint32(len(strtab)), align: 1}
	end += uint64(len(strtab))
	out = append(out, shstr)
	shoff := alignUp(end, 4)
	total := shoff + uint64(len(out))*shSize
	// Only alignment padding is added, never more than the input holds
	// plus a little: a wild sh_addralign is an error, not a huge file.
	if total > 2*uint64(len(data))+1<<20 {
		return nil, fmt.Errorf("%s: stripped file would be %d bytes from %d (section alignments out of proportion)", name, total, len(data))
	}
	buf := make([]byte, total)
	// Section contents first: the headers written next win over a crafted
	// section that claims to overlap them.
	for j, i := range kept {
		s := f.sections[i]
		copy(buf[out[j+1].off:], s.bytes(f.data))
	}
	copy(buf[:16], f.data[:16])
	copy(buf[16:28], f.data[16:28]) // e_type, e_machine, e_version, e_entry
	binary.BigEndian.PutUint32(buf[28:], ehSize)
	if len(f.phdrs) == 0 {
		binary.BigEndian.PutUint32(buf[28:], 0)
	}
	binary.BigEndian.PutUint32(buf[32:], uint32(shoff))
	copy(buf[36:40], f.data[36:40]) // e_flags
	binary.BigEndian.PutUint16(buf[40:], ehSize)
	binary.BigEndian.PutUint16(buf[42:], phSize)
	binary.BigEndian.PutUint16(buf[44:], uint16(len(f.phdrs)))
	binary.BigEndian.PutUint16(buf[46:], shSize)
	binary.BigEndian.PutUint16(buf[48:], uint16(len(out)))
	binary.BigEndian.PutUint16(buf[50:], uint16(len(out)-1))
	for i, p := range f.phdrs {
		b := buf[ehSize+i*phSize:]
		for j, v := range []uint32{p.typ, p.off, p.vaddr, p.paddr, p.filesz, p.memsz, p.flags, p.align} {
			binary.BigEndian.PutUint32(b[4*j:], v)
		}
	}
	copy(buf[shstr.off:], strtab)
	for j := range out {
		s := out[j]
		switch {
		case j == 0:
			s = section{} // the null section header is all zeros, as objcopy writes it
		case j == len(out)-1:
			s.nameOff = offs[0]
		case j > 0:
			s.nameOff = offs[j]
		}
		b := buf[shoff+uint64(j)*shSize:]
		for k, v := range []uint32{s.nameOff, s.typ, s.flags, s.addr, s.off, s.size, s.link, s.info, s.align, s.entsize} {
			binary.BigEndian.PutUint32(b[4*k:], v)
		}
	}
	return buf, nil
}

func alignUp(v uint64, a uint32) uint64 {
	if a <= 1 {
		return v
	}
	return (v + uint64(a) - 1) / uint64(a) * uint64(a)
}

// bfdStrtab lays out a string table the way BFD's elf-strtab does: a
// string that is the tail of a longer one is not stored but pointed into
// it; the others follow a leading NUL in the order they were added. It
// returns the table and each name's offset.
func bfdStrtab(names []string) ([]byte, []uint32) {
	type entry struct {
		s      string
		parent int // index of the string this one is a suffix of, or -1
	}
	uniq := map[string]int{}
	var entries []entry
	idx := make([]int, len(names))
	for i, n := range names {
		if n == "" {
			idx[i] = -1
			continue
		}
		j, ok := uniq[n]
		if !ok {
			j = len(entries)
			uniq[n] = j
			entries = append(entries, entry{s: n, parent: -1})
		}
		idx[i] = j
	}
	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	// Sorted by reversed string, a suffix right before the strings it ends.
	sort.SliceStable(order, func(a, b int) bool { return revLess(entries[order[a]].s, entries[order[b]].s) })
	if len(order) > 0 {
		last := order[len(order)-1]
		for k := len(order) - 2; k >= 0; k-- {
			e := order[k]
			if len(entries[e].s) < len(entries[last].s) && strings.HasSuffix(entries[last].s, entries[e].s) {
				entries[e].parent = last
			} else {
				last = e
			}
		}
	}
	tab := []byte{0}
	off := make([]uint32, len(entries))
	for i, e := range entries {
		if e.parent < 0 {
			off[i] = uint32(len(tab))
			tab = append(append(tab, e.s...), 0)
		}
	}
	for i, e := range entries {
		if e.parent >= 0 {
			p := e.parent
			off[i] = off[p] + uint32(len(entries[p].s)-len(e.s))
		}
	}
	res := make([]uint32, len(names))
	for i, j := range idx {
		if j >= 0 {
			res[i] = off[j]
		}
	}
	return tab, res
}

// revLess compares strings from their last byte backwards; of two where one
// ends the other, the shorter sorts first.
func revLess(a, b string) bool {
	i, j := len(a)-1, len(b)-1
	for i >= 0 && j >= 0 {
		if a[i] != b[j] {
			return a[i] < b[j]
		}
		i--
		j--
	}
	return len(a) < len(b)
}

// LoadBinary returns what `objcopy -O binary` makes of an ELF executable:
// the allocated, non-NOBITS sections placed by load (physical) address from
// the lowest to the highest, gaps zero-filled. It also returns the lowest
// address, the physical address of the first PT_LOAD (the wrapper's
// "membase").
func LoadBinary(name string, data []byte) ([]byte, uint32, error) {
	f, err := parseELF(name, data)
	if err != nil {
		return nil, 0, err
	}
	type piece struct {
		lma  uint64
		data []byte
	}
	var pieces []piece
	for _, s := range f.sections {
		if s.flags&shfAlloc == 0 || s.typ == shtNobits || s.typ == shtNull || s.size == 0 {
			continue
		}
		lma := uint64(s.addr)
		for _, p := range f.phdrs {
			if p.typ == ptLoad && s.off >= p.off && uint64(s.off)+uint64(s.size) <= uint64(p.off)+uint64(p.filesz) {
				lma = uint64(p.paddr) + uint64(s.off-p.off)
				break
			}
		}
		pieces = append(pieces, piece{lma, s.bytes(f.data)})
	}
	membase, ok := f.firstLoadPaddr()
	if !ok {
		return nil, 0, fmt.Errorf("%s: no PT_LOAD program header", name)
	}
	if len(pieces) == 0 {
		return []byte{}, membase, nil
	}
	lo, hi := pieces[0].lma, uint64(0)
	for _, p := range pieces {
		if p.lma < lo {
			lo = p.lma
		}
		if e := p.lma + uint64(len(p.data)); e > hi {
			hi = e
		}
	}
	if hi-lo > 256<<20 {
		return nil, 0, fmt.Errorf("%s: loadable sections span %#x bytes (from %#x to %#x); refusing a raw image that large", name, hi-lo, lo, hi)
	}
	out := make([]byte, hi-lo)
	for _, p := range pieces {
		copy(out[p.lma-lo:], p.data)
	}
	return out, membase, nil
}

func (f *elfFile) firstLoadPaddr() (uint32, bool) {
	for _, p := range f.phdrs {
		if p.typ == ptLoad {
			return p.paddr, true
		}
	}
	return 0, false
}

// KernelVersion finds "Linux version X" in the kernel the way the wrapper
// does (`strings | grep '^Linux version [-0-9.]' | head -n1 | cut -d' '
// -f3`): the first run of printable characters that starts so; "" if none.
func KernelVersion(data []byte) string {
	const prefix = "Linux version "
	start := -1
	for i := 0; i <= len(data); i++ {
		if i < len(data) && (data[i] >= 0x20 && data[i] < 0x7f || data[i] == '\t') {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= 4 {
			run := string(data[start:i])
			if strings.HasPrefix(run, prefix) && len(run) > len(prefix) && strings.ContainsRune("-0123456789.", rune(run[len(prefix)])) {
				fields := strings.Split(run, " ")
				return fields[2]
			}
		}
		start = -1
	}
	return ""
}
