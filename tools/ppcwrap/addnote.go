package ppcwrap

import (
	"encoding/binary"
	"fmt"
)

// The two notes CHRP and IBM RPA (pSeries) firmware read from a 32-bit
// big-endian ELF's program headers before loading it, with the values the
// kernel's addnote tool writes.
var (
	chrpNoteDesc = []uint32{
		0xffffffff, // real-mode
		0x02000000, // real-base: where firmware is expected
		0xffffffff, // real-size
		0xffffffff, // virt-base
		0xffffffff, // virt-size
		0x4000,     // load-base
	}
	rpaNoteDesc = []uint32{
		0,          // lparaffinity
		64,         // min_rmo_size
		0,          // min_rmo_percent
		40,         // max_pft_size
		1,          // splpar
		0xffffffff, // min_load
		0,          // new_mem_def
		1,          // ignore_my_client_config
	}
)

const (
	chrpNoteName = "PowerPC"
	rpaNoteName  = "IBM,RPA-Client-Config"
	ptNote       = 4
	addnoteSpan  = 1024 // addnote reads, edits and writes back only this much
)

func noteSize(name string, desc []uint32) int {
	return 12 + (len(name)+1+3)&^3 + 4*len(desc)
}

// AddNote adds the CHRP ("PowerPC", type 0x1275) and RPA
// ("IBM,RPA-Client-Config", type 0x12759999) notes to a linked ELF32-BE the
// way the kernel's addnote does: two PT_NOTE program headers appended to the
// table, the notes right after them, all inside the first KiB, which must
// be zero there. As in the reference tool, the second header's file size
// is the first note's size (an ELF32 quirk of addnote kept for byte
// identity), and an ELF that already has a PT_NOTE is returned unchanged.
func AddNote(name string, elf []byte) ([]byte, error) {
	if len(elf) < ehSize || string(elf[:4]) != "\x7fELF" || elf[4] != 1 || elf[5] != 2 {
		return nil, fmt.Errorf("%s does not appear to be a 32-bit big-endian ELF file", name)
	}
	n := len(elf)
	if n > addnoteSpan {
		n = addnoteSpan
	}
	// The header's offset and sizes are summed in int64: a 32-bit int
	// would wrap on a hostile e_phoff.
	ph64 := int64(binary.BigEndian.Uint32(elf[28:]))
	ps := int(binary.BigEndian.Uint16(elf[42:]))
	np := int(binary.BigEndian.Uint16(elf[44:]))
	if ph64 < ehSize || ps < phSize || np < 1 {
		return nil, fmt.Errorf("%s: program header table (offset %d, entry size %d, %d entries) is not usable", name, ph64, ps, np)
	}
	nnote := noteSize(chrpNoteName, chrpNoteDesc)
	nnote2 := noteSize(rpaNoteName, rpaNoteDesc)
	if ph64+int64(np+2)*int64(ps)+int64(nnote+nnote2) > int64(n) {
		return nil, fmt.Errorf("%s: no room for the notes in the first %d bytes", name, addnoteSpan)
	}
	ph := int(ph64)
	for i := 0; i < np; i++ {
		if binary.BigEndian.Uint32(elf[ph+i*ps:]) == ptNote {
			return elf, nil
		}
	}
	ph += np * ps
	for i := 0; i < 2*ps+nnote+nnote2; i++ {
		if elf[ph+i] != 0 {
			return nil, fmt.Errorf("%s: bytes %#x..%#x, where the notes go, are not zero", name, ph, ph+2*ps+nnote+nnote2)
		}
	}
	out := append([]byte(nil), elf...)
	ns := ph + 2*ps
	putNote := func(ph, ns int, name string, typ uint32, desc []uint32, filesz int) int {
		binary.BigEndian.PutUint32(out[ph:], ptNote)
		binary.BigEndian.PutUint32(out[ph+4:], uint32(ns))
		binary.BigEndian.PutUint32(out[ph+16:], uint32(filesz))
		binary.BigEndian.PutUint32(out[ns:], uint32(len(name)+1))
		binary.BigEndian.PutUint32(out[ns+4:], uint32(4*len(desc)))
		binary.BigEndian.PutUint32(out[ns+8:], typ)
		copy(out[ns+12:], name)
		ns += 12 + (len(name)+1+3)&^3
		for _, d := range desc {
			binary.BigEndian.PutUint32(out[ns:], d)
			ns += 4
		}
		return ns
	}
	ns = putNote(ph, ns, chrpNoteName, 0x1275, chrpNoteDesc, nnote)
	putNote(ph+ps, ns, rpaNoteName, 0x12759999, rpaNoteDesc, nnote)
	binary.BigEndian.PutUint16(out[44:], uint16(np+2))
	return out, nil
}
