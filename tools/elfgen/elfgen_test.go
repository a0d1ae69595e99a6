package elfgen

import (
	"bytes"
	"debug/elf"
	"testing"
)

// Go's own ELF reader sees exactly the sections, segment and symbols we
// wrote, for both classes.
func TestReadBack(t *testing.T) {
	text := []byte("0123456789abcdef")
	syms := []Symbol{
		{Name: "g", Addr: 0x8000, Size: 4},
		{Name: "l", Addr: 0x8004, Size: 8, Local: true},
		{Name: "w", Addr: 0x8008, Size: 4, Weak: true},
		{Name: "a", Addr: 7, Shndx: uint16(elf.SHN_ABS)},
	}
	for _, is64 := range []bool{false, true} {
		f, err := elf.NewFile(bytes.NewReader(Build(is64, 0x8000, text, syms)))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Section(".text"); got == nil || got.Addr != 0x8000 || got.Offset != TextOffset {
			t.Fatalf("64=%v: .text %+v", is64, got)
		}
		data, err := f.Section(".text").Data()
		if err != nil || !bytes.Equal(data, text) {
			t.Fatalf("64=%v: .text data %q %v", is64, data, err)
		}
		if len(f.Progs) != 1 || f.Progs[0].Type != elf.PT_LOAD || f.Progs[0].Vaddr != 0x8000 || f.Progs[0].Off != TextOffset {
			t.Fatalf("64=%v: program headers %+v", is64, f.Progs)
		}
		got, err := f.Symbols()
		if err != nil {
			t.Fatal(err)
		}
		// Locals come first in the table.
		want := []struct {
			name string
			bind elf.SymBind
			sec  elf.SectionIndex
			addr uint64
		}{
			{"l", elf.STB_LOCAL, 1, 0x8004},
			{"g", elf.STB_GLOBAL, 1, 0x8000},
			{"w", elf.STB_WEAK, 1, 0x8008},
			{"a", elf.STB_GLOBAL, elf.SHN_ABS, 7},
		}
		if len(got) != len(want) {
			t.Fatalf("64=%v: %d symbols", is64, len(got))
		}
		for i, w := range want {
			s := got[i]
			if s.Name != w.name || elf.ST_BIND(s.Info) != w.bind || s.Section != w.sec || s.Value != w.addr {
				t.Errorf("64=%v: symbol %d = %+v, want %+v", is64, i, s, w)
			}
		}
	}
}
