package elffile

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"io"
	"os"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/elfgen"
)

// samples: elfgen's 32- and 64-bit files (binman's test ELFs), the same
// converted to big-endian, and this test binary (a real linker's output,
// many sections and symbols).
func samples(t testing.TB) map[string][]byte {
	syms := []elfgen.Symbol{
		{Name: "_binman_u_boot_spl_prop_offset", Addr: 0x1010, Size: 4},
		{Name: "weak_one", Addr: 0x1014, Size: 8, Weak: true},
		{Name: "local_one", Addr: 0x1000, Local: true},
		{Name: "abs", Addr: 0x42, Shndx: SHN_ABS},
	}
	text := bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 16)
	out := map[string][]byte{
		"elfgen32": elfgen.Build(false, 0x1000, text, syms),
		"elfgen64": elfgen.Build(true, 0x1000, text, syms),
	}
	out["elfgen32be"] = bigEndian(t, out["elfgen32"])
	out["elfgen64be"] = bigEndian(t, out["elfgen64"])
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if out["self"], err = os.ReadFile(exe); err != nil {
		t.Fatal(err)
	}
	return out
}

// bigEndian rewrites a little-endian ELF file's headers and symbols in
// big-endian order, through debug/elf's reading of it.
func bigEndian(t testing.TB, le []byte) []byte {
	f, err := elf.NewFile(bytes.NewReader(le))
	if err != nil {
		t.Fatal(err)
	}
	b := append([]byte{}, le...)
	b[5] = 2
	is64 := f.Class == elf.ELFCLASS64
	bo := binary.BigEndian
	put := func(off int, v uint64, n int) {
		switch n {
		case 2:
			bo.PutUint16(b[off:], uint16(v))
		case 4:
			bo.PutUint32(b[off:], uint32(v))
		case 8:
			bo.PutUint64(b[off:], v)
		}
	}
	lo := binary.LittleEndian
	swap := func(off, n int) {
		switch n {
		case 2:
			put(off, uint64(lo.Uint16(le[off:])), 2)
		case 4:
			put(off, uint64(lo.Uint32(le[off:])), 4)
		case 8:
			put(off, lo.Uint64(le[off:]), 8)
		}
	}
	w := 4
	if is64 {
		w = 8
	}
	// ELF header: type, machine, version, entry, phoff, shoff, flags, sizes.
	swap(16, 2)
	swap(18, 2)
	swap(20, 4)
	o := 24
	for i := 0; i < 3; i++ {
		swap(o, w)
		o += w
	}
	swap(o, 4)
	for o += 4; o < 24+3*w+4+12; o += 2 {
		swap(o, 2)
	}
	phoff, shoff := int(lo.Uint32(le[24+w:])), int(lo.Uint32(le[24+2*w:]))
	phFields := []int{4, 4, 4, 4, 4, 4, 4, 4}
	shFields := []int{4, 4, 4, 4, 4, 4, 4, 4, 4, 4}
	symFields := []int{4, 4, 4, 1, 1, 2}
	if is64 {
		phFields = []int{4, 4, 8, 8, 8, 8, 8, 8}
		shFields = []int{4, 4, 8, 8, 8, 8, 4, 4, 8, 8}
		symFields = []int{4, 1, 1, 2, 8, 8}
	}
	fields := func(off int, sizes []int) int {
		for _, n := range sizes {
			if n > 1 {
				swap(off, n)
			}
			off += n
		}
		return off
	}
	for i := range f.Progs {
		fields(phoff+i*sum(phFields), phFields)
	}
	for i, s := range f.Sections {
		fields(shoff+i*sum(shFields), shFields)
		if s.Type == elf.SHT_SYMTAB {
			for off := int(s.Offset); off < int(s.Offset+s.Size); {
				off = fields(off, symFields)
			}
		}
	}
	return b
}

func sum(v []int) int {
	n := 0
	for _, x := range v {
		n += x
	}
	return n
}

// TestMatchesDebugElf: every field callers read, as debug/elf reads it.
func TestMatchesDebugElf(t *testing.T) {
	for name, data := range samples(t) {
		want, err := elf.NewFile(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: debug/elf: %v", name, err)
		}
		got, err := NewFile(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Entry != want.Entry || got.Machine != uint16(want.Machine) || got.Type != uint16(want.Type) || got.Class != byte(want.Class) || got.ByteOrder != want.ByteOrder {
			t.Errorf("%s: header %+v, debug/elf %+v", name, got, want.FileHeader)
		}
		if len(got.Progs) != len(want.Progs) {
			t.Fatalf("%s: %d segments, debug/elf %d", name, len(got.Progs), len(want.Progs))
		}
		for i, p := range want.Progs {
			g := got.Progs[i]
			if g.Type != uint32(p.Type) || g.Flags != uint32(p.Flags) || g.Off != p.Off || g.Vaddr != p.Vaddr || g.Paddr != p.Paddr || g.Filesz != p.Filesz || g.Memsz != p.Memsz || g.Align != p.Align {
				t.Errorf("%s: segment %d %+v, debug/elf %+v", name, i, *g, p.ProgHeader)
			}
			gb, _ := io.ReadAll(g.Open())
			wb, _ := io.ReadAll(p.Open())
			if !bytes.Equal(gb, wb) {
				t.Errorf("%s: segment %d contents differ", name, i)
			}
		}
		if len(got.Sections) != len(want.Sections) {
			t.Fatalf("%s: %d sections, debug/elf %d", name, len(got.Sections), len(want.Sections))
		}
		for i, s := range want.Sections {
			g := got.Sections[i]
			if g.Name != s.Name || g.Type != uint32(s.Type) || g.Flags != uint64(s.Flags) || g.Addr != s.Addr || g.Offset != s.Offset || g.Size != s.Size || g.Link != s.Link || g.Info != s.Info || g.Entsize != s.Entsize {
				t.Errorf("%s: section %d %+v, debug/elf %+v", name, i, *g, s.SectionHeader)
			}
			if s.Flags&elf.SHF_COMPRESSED != 0 || s.Type == elf.SHT_NOBITS {
				continue // refused here; NOBITS: Go 1.19 gives zeros, later Go an error
			}
			gd, gerr := g.Data()
			wd, werr := s.Data()
			if (gerr == nil) != (werr == nil) || !bytes.Equal(gd, wd) {
				t.Errorf("%s: section %q data: %v, debug/elf %v", name, s.Name, gerr, werr)
			}
		}
		gs, gerr := got.Symbols()
		ws, werr := want.Symbols()
		if (gerr == ErrNoSymbols) != (werr == elf.ErrNoSymbols) || len(gs) != len(ws) {
			t.Fatalf("%s: %d symbols (%v), debug/elf %d (%v)", name, len(gs), gerr, len(ws), werr)
		}
		for i, s := range ws {
			g := gs[i]
			if g.Name != s.Name || g.Info != s.Info || g.Other != s.Other || g.Section != uint16(s.Section) || g.Value != s.Value || g.Size != s.Size {
				t.Errorf("%s: symbol %d %+v, debug/elf %+v", name, i, g, s)
			}
		}
		if len(ws) > 0 && ST_BIND(gs[0].Info) != byte(elf.ST_BIND(ws[0].Info)) {
			t.Errorf("%s: ST_BIND differs", name)
		}
	}
}

func TestRejectsDamage(t *testing.T) {
	good := samples(t)["elfgen64"]
	for n := 0; n < 64; n++ {
		if _, err := NewFile(bytes.NewReader(good[:n])); err == nil {
			t.Errorf("header cut to %d bytes: no error", n)
		}
	}
	bad := append([]byte{}, good...)
	binary.LittleEndian.PutUint16(bad[60:], 0xfff0) // shnum far past the file
	if _, err := NewFile(bytes.NewReader(bad)); err == nil {
		t.Error("section table past the end of the file: no error")
	}
	f, err := NewFile(bytes.NewReader([]byte("\x7fELF\x02\x01\x01" + string(make([]byte, 57)))))
	if err != nil {
		t.Fatalf("an ELF file with no sections or segments: %v", err)
	}
	if _, err := f.Symbols(); err != ErrNoSymbols {
		t.Errorf("no sections: Symbols gave %v, want ErrNoSymbols", err)
	}
}

// FuzzNewFile: no input panics or allocates more than the file holds
// through a header, and sections' data stays within the file.
func FuzzNewFile(f *testing.F) {
	for _, b := range samples(f) {
		if len(b) < 1<<16 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ef, err := NewFile(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, s := range ef.Sections {
			if b, err := s.Data(); err == nil && s.Type != SHT_NOBITS && len(b) > len(data) {
				t.Fatalf("section %q: %d bytes from a %d-byte file", s.Name, len(b), len(data))
			}
		}
		ef.Symbols()
		for _, p := range ef.Progs {
			io.Copy(io.Discard, p.Open())
		}
	})
}
