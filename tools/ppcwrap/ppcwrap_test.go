package ppcwrap

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	for _, c := range []struct {
		platform string
		objects  string
		addr     uint32
		kind     Kind
		space    bool
	}{
		{"of", "of.o epapr.o", 0x400000, KindELF, false},
		{"chrp", "of.o epapr.o", 0x400000, KindELFNotes, false},
		{"pseries", "pseries-head.o of.o epapr.o", 0x4000000, KindELFNotes, false},
		{"cuboot-mpc8544ds", "cuboot-85xx.o", 0x400000, KindCUImage, true},
		{"cuboot-tqm8541", "cuboot-85xx-cpm2.o", 0x400000, KindCUImage, true},
		{"cuboot-tqm8548", "cuboot-85xx.o", 0x400000, KindCUImage, true},
		{"cuboot-adder875-uboot", "cuboot-8xx.o", 0x400000, KindCUImage, true},
		{"cuboot-lite5200b", "cuboot-52xx.o", 0x400000, KindCUImage, true},
		{"cuboot-amigaone", "cuboot-amigaone.o", 0x800000, KindCUImage, true},
		{"cuboot-hotfoot", "cuboot-hotfoot.o", 0x400000, KindCUImage, true},
		{"simpleboot-virtex440-ml507", "fixed-head.o simpleboot.o", 0x400000, KindBinary, true},
		{"treeboot-ebony", "treeboot-ebony.o", 0x400000, KindTreeImage, true},
		{"treeboot-currituck", "treeboot-currituck.o", 0x1000000, KindTreeImage, true},
		{"treeboot-iss4xx-mpic", "treeboot-iss4xx.o", 0x400000, KindTreeImage, true},
		{"mvme7100", "motload-head.o mvme7100.o", 0x4000000, KindBinary, true},
		{"gamecube", "gamecube-head.o gamecube.o", 0x600000, KindELF, true},
		{"xpedite5200", "cuboot-85xx.o", 0x1400000, KindELF, true},
		{"holly", "holly.o", 0x400000, KindELF, true},
		{"epapr", "pseries-head.o epapr.o epapr-wrapper.o", 0x20000000, KindELF, true},
	} {
		p, err := Lookup(c.platform)
		if err != nil {
			t.Fatalf("%s: %v", c.platform, err)
		}
		if p.PIE != (c.platform == "epapr") {
			t.Errorf("%s: PIE=%v", c.platform, p.PIE)
		}
		if got := strings.Join(p.Objects, " "); got != c.objects || p.LinkAddress != c.addr || p.Kind != c.kind || p.MakeSpace != c.space {
			t.Errorf("%s: got %q %#x %s space=%v, want %q %#x %s space=%v", c.platform, got, p.LinkAddress, p.Kind, p.MakeSpace, c.objects, c.addr, c.kind, c.space)
		}
	}
	for _, bad := range []string{"", "ps3", "coff", "uboot-foo"} {
		if _, err := Lookup(bad); err == nil {
			t.Errorf("Lookup(%q) succeeded, want an error", bad)
		}
	}
}

func TestEffectiveLinkAddress(t *testing.T) {
	p, _ := Lookup("simpleboot-x")
	if got := p.EffectiveLinkAddress(0x400000); got != 0x400000 {
		t.Errorf("strip size equal to the link address: got %#x", got)
	}
	if got := p.EffectiveLinkAddress(0x400001); got != 0x500000 {
		t.Errorf("4 MiB + 1: got %#x, want 0x500000", got)
	}
	of, _ := Lookup("of")
	if got := of.EffectiveLinkAddress(0x900000); got != 0x400000 {
		t.Errorf("of does not make space: got %#x", got)
	}
}

// testELF builds a small ELF32-BE executable: .text at file offset 64 KiB
// in one PT_LOAD, a .comment, .symtab, .strtab and .shstrtab.
func testELF(text []byte) []byte {
	be := binary.BigEndian
	buf := make([]byte, 0x10000)
	copy(buf, "\x7fELF\x01\x02\x01")
	be.PutUint16(buf[16:], 2)
	be.PutUint16(buf[18:], 20)
	be.PutUint32(buf[20:], 1)
	be.PutUint32(buf[28:], 52)
	be.PutUint16(buf[40:], 52)
	be.PutUint16(buf[42:], 32)
	be.PutUint16(buf[44:], 1)
	be.PutUint16(buf[46:], 40)
	for i, v := range []uint32{1, 0x10000, 0, 0, uint32(len(text)), uint32(len(text)), 5, 0x10000} {
		be.PutUint32(buf[52+4*i:], v)
	}
	buf = append(buf, text...)
	comment := len(buf)
	buf = append(buf, "GCC: test\x00"...)
	sym := len(buf)
	buf = append(buf, make([]byte, 32)...)
	be.PutUint32(buf[sym+16:], 1) // "x"
	str := len(buf)
	buf = append(buf, "\x00x\x00"...)
	shstr := len(buf)
	names := "\x00.text\x00.comment\x00.symtab\x00.strtab\x00.shstrtab\x00"
	buf = append(buf, names...)
	for len(buf)%4 != 0 {
		buf = append(buf, 0)
	}
	shoff := len(buf)
	add := func(v ...uint32) {
		e := make([]byte, 40)
		for i, x := range v {
			be.PutUint32(e[4*i:], x)
		}
		buf = append(buf, e...)
	}
	add()
	add(1, 1, 6, 0, 0x10000, uint32(len(text)), 0, 0, 4, 0)
	add(7, 1, 0x30, 0, uint32(comment), 10, 0, 0, 1, 1)
	add(16, 2, 0, 0, uint32(sym), 32, 4, 1, 4, 16)
	add(24, 3, 0, 0, uint32(str), 3, 0, 0, 1, 0)
	add(32, 3, 0, 0, uint32(shstr), uint32(len(names)), 0, 0, 1, 0)
	be.PutUint32(buf[32:], uint32(shoff))
	be.PutUint16(buf[48:], 6)
	be.PutUint16(buf[50:], 5)
	return buf
}

func TestStripAll(t *testing.T) {
	text := []byte{0x48, 0, 0, 0, 1, 2, 3, 4}
	out, err := StripAll("vmlinux", testELF(text))
	if err != nil {
		t.Fatal(err)
	}
	f, err := parseELF("stripped", out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range f.sections[1:] {
		names = append(names, s.name)
	}
	if got := strings.Join(names, " "); got != ".text .comment .shstrtab" {
		t.Errorf("sections %q, want .text .comment .shstrtab", got)
	}
	if !bytes.Equal(f.sections[1].bytes(out), text) || f.sections[1].off != 0x10000 {
		t.Errorf(".text moved or changed")
	}
	if string(f.sections[2].bytes(out)) != "GCC: test\x00" || f.sections[2].off != 0x10000+uint32(len(text)) {
		t.Errorf(".comment not packed after the segment: offset %#x", f.sections[2].off)
	}
	if shoff := binary.BigEndian.Uint32(out[32:]); shoff%4 != 0 {
		t.Errorf("section headers at %#x, not 4-aligned", shoff)
	}
}

func TestStripAllErrors(t *testing.T) {
	good := testELF([]byte{1, 2, 3, 4})
	trunc := append([]byte{}, good[:0x10002]...)
	elf64 := append([]byte{}, good...)
	elf64[4] = 2
	for name, data := range map[string][]byte{
		"short":     good[:20],
		"truncated": trunc,
		"64-bit":    elf64,
		"not ELF":   []byte("hello, world, this is not an ELF file at all......"),
	} {
		if _, err := StripAll("vmlinux", data); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.HasPrefix(err.Error(), "vmlinux") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %q does not name the file on one line", name, err)
		}
	}
}

func TestBfdStrtab(t *testing.T) {
	tab, offs := bfdStrtab([]string{".shstrtab", ".text", ".init.text", ".rela.text"})
	if string(tab) != "\x00.shstrtab\x00.init.text\x00.rela.text\x00" {
		t.Errorf("table %q", tab)
	}
	want := []uint32{1, 27, 11, 22}
	for i := range want {
		if offs[i] != want[i] {
			t.Errorf("offsets %v, want %v", offs, want)
			break
		}
	}
}

func TestMkTree(t *testing.T) {
	elf := testELF(nil)[:0x10000]
	// 512 bytes of 0x11, then 100 bytes of 0x22: the second block's tail
	// repeats the first block's bytes, and the block count includes one
	// more block than the data needs.
	elf = append(elf, bytes.Repeat([]byte{0x11}, 512)...)
	elf = append(elf, bytes.Repeat([]byte{0x22}, 100)...)
	out, err := MkTree("img", elf, 0x400000, 0x400100, true)
	if err != nil {
		t.Fatal(err)
	}
	nblks := (len(elf) + 512) / 512
	if binary.BigEndian.Uint32(out) != TreeMagic || binary.BigEndian.Uint32(out[4:]) != 0x400000 || binary.BigEndian.Uint32(out[8:]) != uint32(nblks) || binary.BigEndian.Uint32(out[16:]) != 0x400100 {
		t.Fatalf("header % x", out[:32])
	}
	if len(out) != 32+(nblks-128)*512 {
		t.Fatalf("length %d, want %d", len(out), 32+(nblks-128)*512)
	}
	second := out[32+512 : 32+1024]
	if !bytes.Equal(second[:100], bytes.Repeat([]byte{0x22}, 100)) || !bytes.Equal(second[100:], bytes.Repeat([]byte{0x11}, 412)) {
		t.Errorf("second block does not keep the first block's tail")
	}
	var sum uint32
	hdr := append([]byte{}, out[:32]...)
	binary.BigEndian.PutUint32(hdr[20:], 0)
	for _, b := range [][]byte{hdr, out[32:]} {
		for i := 0; i < len(b); i += 4 {
			sum += binary.LittleEndian.Uint32(b[i:])
		}
	}
	if binary.BigEndian.Uint32(out[20:]) != sum {
		t.Errorf("checksum %#x, want %#x", binary.BigEndian.Uint32(out[20:]), sum)
	}
	if _, err := MkTree("img", elf[:100], 0, 0, true); err == nil {
		t.Error("short file accepted")
	}
}

func TestAddNote(t *testing.T) {
	elf := testELF([]byte{1, 2, 3, 4})
	out, err := AddNote("zImage", elf)
	if err != nil {
		t.Fatal(err)
	}
	if n := binary.BigEndian.Uint16(out[44:]); n != 3 {
		t.Fatalf("phnum %d, want 3", n)
	}
	ph := 52 + 32
	ns := int(binary.BigEndian.Uint32(out[ph+4:]))
	if binary.BigEndian.Uint32(out[ph:]) != ptNote || ns != 52+3*32 || binary.BigEndian.Uint32(out[ph+16:]) != 44 {
		t.Errorf("first note header % x", out[ph:ph+32])
	}
	if string(out[ns+12:ns+20]) != "PowerPC\x00" || binary.BigEndian.Uint32(out[ns+8:]) != 0x1275 {
		t.Errorf("first note % x", out[ns:ns+44])
	}
	ns2 := int(binary.BigEndian.Uint32(out[ph+32+4:]))
	if ns2 != ns+44 || string(out[ns2+12:ns2+33]) != "IBM,RPA-Client-Config" || binary.BigEndian.Uint32(out[ph+32+16:]) != 44 {
		t.Errorf("second note at %d: % x", ns2, out[ns2:ns2+40])
	}
	again, err := AddNote("zImage", out)
	if err != nil || !bytes.Equal(again, out) {
		t.Errorf("an image with notes must come back unchanged (err %v)", err)
	}
	dirty := append([]byte{}, elf...)
	dirty[52+32+10] = 1
	if _, err := AddNote("zImage", dirty); err == nil {
		t.Error("non-zero note area accepted")
	}
}

func TestKernelVersion(t *testing.T) {
	data := []byte("\x00\x01Linux version 6.1.0-test (x@y) #1\nLinux version 2.0\x00")
	if v := KernelVersion(data); v != "6.1.0-test" {
		t.Errorf("got %q", v)
	}
	if v := KernelVersion([]byte("Linux version x")); v != "" {
		t.Errorf("got %q for a non-numeric version", v)
	}
}

func TestWrapErrors(t *testing.T) {
	in := Inputs{Vmlinux: testELF([]byte{1, 2, 3, 4})}
	if _, err := Wrap(in, Objects{}, Options{Platform: "of"}); err == nil || !strings.Contains(err.Error(), "'of.o'") {
		t.Errorf("missing object: %v", err)
	}
	if _, err := Wrap(in, Objects{}, Options{Platform: "of", Compression: "lzo"}); err == nil || !strings.Contains(err.Error(), "lzo") {
		t.Errorf("bad compression: %v", err)
	}
	res, err := Wrap(in, Objects{}, Options{Platform: "uboot", Compression: "none"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Image[64:], []byte{1, 2, 3, 4}) || res.Image[31] != 0 {
		t.Errorf("uImage payload % x", res.Image[64:])
	}
}

func FuzzStripAll(f *testing.F) {
	f.Add(testELF([]byte{1, 2, 3, 4}))
	f.Fuzz(func(t *testing.T, data []byte) {
		if out, err := StripAll("f", data); err == nil {
			if _, err := parseELF("out", out); err != nil {
				t.Fatalf("stripped output does not parse: %v", err)
			}
		}
		LoadBinary("f", data)
	})
}

func FuzzDescribe(f *testing.F) {
	f.Add(testELF([]byte{1, 2, 3, 4}))
	f.Add(append([]byte{0, 0x52, 0x50, 0x4f}, make([]byte, 40)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		Describe(data)
		AddNote("f", data)
		MkTree("f", data, 0, 0, true)
	})
}
