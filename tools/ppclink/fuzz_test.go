package ppclink

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
)

// tinyObject builds a relocatable object in Go (no toolchain needed for
// the fuzz seeds): .text with a call to an undefined symbol and a word
// pointing at a string in .rodata.str1.4, its .rela.text, .symtab, .strtab.
func tinyObject() []byte {
	text := []byte{0x48, 0, 0, 1, 0, 0, 0, 0, 0x4e, 0x80, 0, 0x20}
	rodata := []byte("hi\x00\x00there\x00\x00\x00")
	strtab := []byte("\x00_zimage_start\x00ext\x00")
	shstr := []byte("\x00.text\x00.rela.text\x00.rodata.str1.4\x00.symtab\x00.strtab\x00.shstrtab\x00")
	sym := func(name, value, size uint32, info byte, shndx uint16) []byte {
		b := make([]byte, 16)
		binary.BigEndian.PutUint32(b, name)
		binary.BigEndian.PutUint32(b[4:], value)
		binary.BigEndian.PutUint32(b[8:], size)
		b[12] = info
		binary.BigEndian.PutUint16(b[14:], shndx)
		return b
	}
	var symtab []byte
	symtab = append(symtab, sym(0, 0, 0, 0, 0)...)
	symtab = append(symtab, sym(0, 0, 0, sttSection, 3)...)          // 1: .rodata.str1.4
	symtab = append(symtab, sym(1, 0, 12, 1<<4|sttFunc, 1)...)       // 2: _zimage_start
	symtab = append(symtab, sym(15, 0, 0, stbWeak<<4|sttFunc, 0)...) // 3: ext (weak)
	rela := func(off, typ, s uint32, add int32) []byte {
		b := make([]byte, 12)
		binary.BigEndian.PutUint32(b, off)
		binary.BigEndian.PutUint32(b[4:], s<<8|typ)
		binary.BigEndian.PutUint32(b[8:], uint32(add))
		return b
	}
	relas := append(rela(0, rPPCRel24, 3, 0), rela(4, rPPCAddr32, 1, 4)...)
	type sec struct {
		name, typ, flags uint32
		data             []byte
		link, info       uint32
		align, entsize   uint32
	}
	secs := []sec{
		{},
		{1, shtProgbits, shfAlloc | shfExecinstr, text, 0, 0, 4, 0},
		{7, shtRela, shfInfoLink, relas, 4, 1, 4, 12},
		{18, shtProgbits, shfAlloc | shfMerge | shfStrings, rodata, 0, 0, 4, 1},
		{33, shtSymtab, 0, symtab, 5, 2, 4, 16},
		{41, shtStrtab, 0, strtab, 0, 0, 1, 0},
		{49, shtStrtab, 0, shstr, 0, 0, 1, 0},
	}
	var body bytes.Buffer
	offs := make([]uint32, len(secs))
	for i, s := range secs {
		for body.Len()%4 != 0 {
			body.WriteByte(0)
		}
		offs[i] = uint32(elfHeaderSize + body.Len())
		body.Write(s.data)
	}
	for body.Len()%4 != 0 {
		body.WriteByte(0)
	}
	shoff := uint32(elfHeaderSize + body.Len())
	img := make([]byte, shoff+uint32(len(secs))*shdrSize)
	copy(img, "\x7fELF\x01\x02\x01")
	binary.BigEndian.PutUint16(img[16:], 1)
	binary.BigEndian.PutUint16(img[18:], emPPC)
	binary.BigEndian.PutUint32(img[20:], 1)
	binary.BigEndian.PutUint32(img[32:], shoff)
	binary.BigEndian.PutUint16(img[40:], elfHeaderSize)
	binary.BigEndian.PutUint16(img[46:], shdrSize)
	binary.BigEndian.PutUint16(img[48:], uint16(len(secs)))
	binary.BigEndian.PutUint16(img[50:], 6)
	copy(img[elfHeaderSize:], body.Bytes())
	for i, s := range secs[1:] {
		h := img[shoff+uint32(i+1)*shdrSize:]
		for k, v := range []uint32{s.name, s.typ, s.flags, 0, offs[i+1], uint32(len(s.data)), s.link, s.info, s.align, s.entsize} {
			binary.BigEndian.PutUint32(h[4*k:], v)
		}
	}
	return img
}

// tinyArchive wraps an object in an ar archive with a symbol index.
func tinyArchive(obj []byte, sym string) []byte {
	var b bytes.Buffer
	b.WriteString(arMagic)
	idx := make([]byte, 8)
	binary.BigEndian.PutUint32(idx, 1)
	idx = append(idx, sym+"\x00"...)
	if len(idx)%2 != 0 {
		idx = append(idx, 0)
	}
	memberOff := uint32(len(arMagic) + 60 + len(idx))
	binary.BigEndian.PutUint32(idx[4:], memberOff)
	fmt.Fprintf(&b, "%-16s%-12s%-6s%-6s%-8s%-10d`\n", "/", "0", "0", "0", "0", len(idx))
	b.Write(idx)
	fmt.Fprintf(&b, "%-16s%-12s%-6s%-6s%-8s%-10d`\n", "t.o/", "0", "0", "0", "644", len(obj))
	b.Write(obj)
	if len(obj)%2 != 0 {
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func TestTinyObjectLinks(t *testing.T) {
	for _, in := range []Input{{Name: "t.o", Data: tinyObject()}, {Name: "t.a", Data: tinyArchive(tinyObject(), "_zimage_start")}} {
		out, err := Link([]Input{in}, Options{TextAddr: 0x10000})
		if err != nil {
			t.Fatalf("%s: %v", in.Name, err)
		}
		bin := out.Binary()
		// bl ext (undefined weak) goes to 0; the word points at "there".
		if binary.BigEndian.Uint32(bin) != 0x4bff0001 {
			t.Errorf("%s: call insn %#x", in.Name, binary.BigEndian.Uint32(bin))
		}
		ro, _ := out.Symbol("_start")
		if got := binary.BigEndian.Uint32(bin[4:]); got != ro+0x1000+4 {
			t.Errorf("%s: string pointer %#x, want %#x", in.Name, got, ro+0x1000+4)
		}
	}
}

// FuzzLink feeds arbitrary bytes through the object and archive readers
// and the whole link: errors are fine, panics and hangs are not.
func FuzzLink(f *testing.F) {
	f.Add(tinyObject())
	f.Add(tinyArchive(tinyObject(), "_zimage_start"))
	f.Add(emptyObject())
	// Keep each run small: a real limit of 1 GiB makes slow inputs.
	maxImage = 16 << 20
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Link([]Input{{Name: "f.o", Data: data}}, Options{TextAddr: 0x400000})
		if err == nil && len(out.ELF()) == 0 {
			t.Fatal("link succeeded with an empty ELF")
		}
		Link([]Input{{Name: "f.o", Data: data}, BlobObject("b.o", ".kernel:vmlinux.strip", data)}, Options{TextAddr: 0x400000})
		Link([]Input{{Name: "f.o", Data: data}}, Options{TextAddr: 0x20000000, PIE: true})
	})
}
