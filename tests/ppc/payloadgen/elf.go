package main

import "encoding/binary"

// ELF lays out text (code, then the version string) as a PowerPC vmlinux
// the way ld would with -Ttext 0: ELF header, one R+X PT_LOAD at file
// offset 64 KiB and address 0, .text, then .symtab (with _start), .strtab,
// .shstrtab and the section headers, so stripping it has something to
// remove.
func ELF(code []byte) []byte {
	be := binary.BigEndian
	text := append(append([]byte{}, code...), Version...)
	text = append(text, 0)
	for len(text)%4 != 0 {
		text = append(text, 0)
	}
	const textOff = 0x10000
	buf := make([]byte, textOff, textOff+len(text)+512)
	copy(buf, "\x7fELF\x01\x02\x01")
	be.PutUint16(buf[16:], 2)  // ET_EXEC
	be.PutUint16(buf[18:], 20) // EM_PPC
	be.PutUint32(buf[20:], 1)
	be.PutUint32(buf[24:], 0) // entry
	be.PutUint32(buf[28:], 52)
	be.PutUint16(buf[40:], 52)
	be.PutUint16(buf[42:], 32)
	be.PutUint16(buf[44:], 1)
	be.PutUint16(buf[46:], 40)
	ph := buf[52:]
	for i, v := range []uint32{1, textOff, 0, 0, uint32(len(text)), uint32(len(text)), 5, 0x10000} {
		be.PutUint32(ph[4*i:], v)
	}
	buf = append(buf, text...)

	symOff := len(buf)
	sym := func(name, value, size uint32, info byte, shndx uint16) {
		e := make([]byte, 16)
		be.PutUint32(e, name)
		be.PutUint32(e[4:], value)
		be.PutUint32(e[8:], size)
		e[12] = info
		be.PutUint16(e[14:], shndx)
		buf = append(buf, e...)
	}
	strtab := "\x00_start\x00"
	sym(0, 0, 0, 0, 0)
	sym(0, 0, 0, 3, 1)    // STT_SECTION .text
	sym(1, 0, 0, 0x12, 1) // _start: GLOBAL FUNC
	strOff := len(buf)
	buf = append(buf, strtab...)
	shstr := "\x00.symtab\x00.strtab\x00.shstrtab\x00.text\x00"
	shstrOff := len(buf)
	buf = append(buf, shstr...)
	for len(buf)%4 != 0 {
		buf = append(buf, 0)
	}
	shoff := len(buf)
	sh := func(name, typ, flags, addr, off, size, link, info, align, entsize uint32) {
		e := make([]byte, 40)
		for i, v := range []uint32{name, typ, flags, addr, off, size, link, info, align, entsize} {
			be.PutUint32(e[4*i:], v)
		}
		buf = append(buf, e...)
	}
	sh(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	sh(27, 1, 6, 0, textOff, uint32(len(text)), 0, 0, 4, 0)           // .text AX
	sh(1, 2, 0, 0, uint32(symOff), 48, 3, 2, 4, 16)                   // .symtab
	sh(9, 3, 0, 0, uint32(strOff), uint32(len(strtab)), 0, 0, 1, 0)   // .strtab
	sh(17, 3, 0, 0, uint32(shstrOff), uint32(len(shstr)), 0, 0, 1, 0) // .shstrtab
	be.PutUint32(buf[32:], uint32(shoff))
	be.PutUint16(buf[48:], 5)
	be.PutUint16(buf[50:], 4)
	return buf
}
