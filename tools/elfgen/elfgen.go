// Package elfgen writes minimal little-endian ELF executables with a
// symbol table, by hand, so tests of binman symbol writing need no
// toolchain. The layout is fixed: ELF header, one PT_LOAD program header,
// .text at file offset TextOffset, then .symtab, .strtab, .shstrtab and the
// section headers.
package elfgen

import (
	"debug/elf"
	"encoding/binary"
)

// TextOffset is where .text starts in the file.
const TextOffset = 0x100

// Symbol is one symbol-table entry (an STT_OBJECT).
type Symbol struct {
	Name  string
	Addr  uint64
	Size  uint64
	Weak  bool
	Local bool
	// Shndx is the section index; 0 means .text. Use elf.SHN_ABS etc. for
	// special sections.
	Shndx uint16
}

// Build returns an ELF file whose .text (and only PT_LOAD segment) holds
// text at address textAddr, with the given symbols. is64 picks ELFCLASS64
// (AArch64), else ELFCLASS32 (ARM).
func Build(is64 bool, textAddr uint64, text []byte, syms []Symbol) []byte {
	le := binary.LittleEndian
	ehsize, phentsize, shentsize, symentsize := 52, 32, 40, 16
	if is64 {
		ehsize, phentsize, shentsize, symentsize = 64, 56, 64, 24
	}
	textOff := TextOffset
	buf := make([]byte, textOff)
	buf = append(buf, text...)

	strtab := []byte{0}
	addStr := func(tab *[]byte, s string) uint32 {
		off := uint32(len(*tab))
		*tab = append(*tab, s...)
		*tab = append(*tab, 0)
		return off
	}
	// Locals first, as the ELF spec requires; sh_info is the first global.
	var ordered []Symbol
	for _, s := range syms {
		if s.Local {
			ordered = append(ordered, s)
		}
	}
	firstGlobal := len(ordered) + 1
	for _, s := range syms {
		if !s.Local {
			ordered = append(ordered, s)
		}
	}
	symtab := make([]byte, symentsize) // null symbol
	for _, s := range ordered {
		name := addStr(&strtab, s.Name)
		bind := elf.STB_GLOBAL
		if s.Weak {
			bind = elf.STB_WEAK
		}
		if s.Local {
			bind = elf.STB_LOCAL
		}
		info := byte(elf.ST_INFO(bind, elf.STT_OBJECT))
		shndx := s.Shndx
		if shndx == 0 {
			shndx = 1
		}
		e := make([]byte, symentsize)
		le.PutUint32(e[0:], name)
		if is64 {
			e[4] = info
			le.PutUint16(e[6:], shndx)
			le.PutUint64(e[8:], s.Addr)
			le.PutUint64(e[16:], s.Size)
		} else {
			le.PutUint32(e[4:], uint32(s.Addr))
			le.PutUint32(e[8:], uint32(s.Size))
			e[12] = info
			le.PutUint16(e[14:], shndx)
		}
		symtab = append(symtab, e...)
	}
	align := func() {
		for len(buf)%8 != 0 {
			buf = append(buf, 0)
		}
	}
	align()
	symOff := len(buf)
	buf = append(buf, symtab...)
	strOff := len(buf)
	buf = append(buf, strtab...)
	shstr := []byte{0}
	nText := addStr(&shstr, ".text")
	nSym := addStr(&shstr, ".symtab")
	nStr := addStr(&shstr, ".strtab")
	nShstr := addStr(&shstr, ".shstrtab")
	shstrOff := len(buf)
	buf = append(buf, shstr...)
	align()
	shOff := len(buf)

	type sh struct {
		name, typ              uint32
		flags, addr, off, size uint64
		link, info             uint32
		addralign, entsize     uint64
	}
	shs := []sh{
		{},
		{nText, uint32(elf.SHT_PROGBITS), uint64(elf.SHF_ALLOC | elf.SHF_EXECINSTR), textAddr, uint64(textOff), uint64(len(text)), 0, 0, 4, 0},
		{nSym, uint32(elf.SHT_SYMTAB), 0, 0, uint64(symOff), uint64(len(symtab)), 3, uint32(firstGlobal), 8, uint64(symentsize)},
		{nStr, uint32(elf.SHT_STRTAB), 0, 0, uint64(strOff), uint64(len(strtab)), 0, 0, 1, 0},
		{nShstr, uint32(elf.SHT_STRTAB), 0, 0, uint64(shstrOff), uint64(len(shstr)), 0, 0, 1, 0},
	}
	for _, s := range shs {
		e := make([]byte, shentsize)
		le.PutUint32(e[0:], s.name)
		le.PutUint32(e[4:], s.typ)
		if is64 {
			le.PutUint64(e[8:], s.flags)
			le.PutUint64(e[16:], s.addr)
			le.PutUint64(e[24:], s.off)
			le.PutUint64(e[32:], s.size)
			le.PutUint32(e[40:], s.link)
			le.PutUint32(e[44:], s.info)
			le.PutUint64(e[48:], s.addralign)
			le.PutUint64(e[56:], s.entsize)
		} else {
			le.PutUint32(e[8:], uint32(s.flags))
			le.PutUint32(e[12:], uint32(s.addr))
			le.PutUint32(e[16:], uint32(s.off))
			le.PutUint32(e[20:], uint32(s.size))
			le.PutUint32(e[24:], s.link)
			le.PutUint32(e[28:], s.info)
			le.PutUint32(e[32:], uint32(s.addralign))
			le.PutUint32(e[36:], uint32(s.entsize))
		}
		buf = append(buf, e...)
	}

	// ELF header and the one program header (right after it).
	h := buf[:ehsize]
	copy(h, []byte{0x7f, 'E', 'L', 'F'})
	h[4] = byte(elf.ELFCLASS32)
	machine := elf.EM_ARM
	if is64 {
		h[4] = byte(elf.ELFCLASS64)
		machine = elf.EM_AARCH64
	}
	h[5] = byte(elf.ELFDATA2LSB)
	h[6] = byte(elf.EV_CURRENT)
	le.PutUint16(h[16:], uint16(elf.ET_EXEC))
	le.PutUint16(h[18:], uint16(machine))
	le.PutUint32(h[20:], uint32(elf.EV_CURRENT))
	ph := buf[ehsize : ehsize+phentsize]
	if is64 {
		le.PutUint64(h[24:], textAddr)
		le.PutUint64(h[32:], uint64(ehsize))
		le.PutUint64(h[40:], uint64(shOff))
		le.PutUint16(h[52:], uint16(ehsize))
		le.PutUint16(h[54:], uint16(phentsize))
		le.PutUint16(h[56:], 1)
		le.PutUint16(h[58:], uint16(shentsize))
		le.PutUint16(h[60:], uint16(len(shs)))
		le.PutUint16(h[62:], 4)
		le.PutUint32(ph[0:], uint32(elf.PT_LOAD))
		le.PutUint32(ph[4:], uint32(elf.PF_R|elf.PF_X))
		le.PutUint64(ph[8:], uint64(textOff))
		le.PutUint64(ph[16:], textAddr)
		le.PutUint64(ph[24:], textAddr)
		le.PutUint64(ph[32:], uint64(len(text)))
		le.PutUint64(ph[40:], uint64(len(text)))
		le.PutUint64(ph[48:], 4)
	} else {
		le.PutUint32(h[24:], uint32(textAddr))
		le.PutUint32(h[28:], uint32(ehsize))
		le.PutUint32(h[32:], uint32(shOff))
		le.PutUint16(h[40:], uint16(ehsize))
		le.PutUint16(h[42:], uint16(phentsize))
		le.PutUint16(h[44:], 1)
		le.PutUint16(h[46:], uint16(shentsize))
		le.PutUint16(h[48:], uint16(len(shs)))
		le.PutUint16(h[50:], 4)
		le.PutUint32(ph[0:], uint32(elf.PT_LOAD))
		le.PutUint32(ph[4:], uint32(textOff))
		le.PutUint32(ph[8:], uint32(textAddr))
		le.PutUint32(ph[12:], uint32(textAddr))
		le.PutUint32(ph[16:], uint32(len(text)))
		le.PutUint32(ph[20:], uint32(len(text)))
		le.PutUint32(ph[24:], uint32(elf.PF_R|elf.PF_X))
		le.PutUint32(ph[28:], 4)
	}
	return buf
}
