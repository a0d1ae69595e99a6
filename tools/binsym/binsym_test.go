package binsym

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-firmware/rules_firmware/tools/elfgen"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

const textAddr = 0x1000

// spl is a 0x20-byte "SPL" of 0xaa with the usual symbol set.
func splSyms() []elfgen.Symbol {
	return []elfgen.Symbol{
		{Name: "__image_copy_start", Addr: textAddr},
		{Name: "_binman_u_boot_prop_offset", Addr: textAddr + 4, Size: 4},
		{Name: "_binman_u_boot_any_prop_image_pos", Addr: textAddr + 8, Size: 8},
		{Name: "_binman_u_boot_prop_size", Addr: textAddr + 0x10, Size: 4},
		{Name: "_binman_sym_magic", Addr: textAddr + 0x14, Size: 4},
		{Name: "_binman_nowhere_prop_size", Addr: textAddr + 0x18, Size: 4, Weak: true},
		{Name: "other", Addr: textAddr + 0x1c, Size: 4},
	}
}

func fill(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

type fixture struct {
	dir string
}

func newFixture(t *testing.T, files map[string][]byte) *fixture {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &fixture{dir}
}

func (f *fixture) path(name string) string { return filepath.Join(f.dir, name) }

// build packs a manifest ($DIR is the fixture directory) with the hook and
// returns the image bytes.
func (f *fixture) build(t *testing.T, manifest string, hook func(*layout.Image) error) ([]byte, error) {
	t.Helper()
	m, err := layout.ParseManifest([]byte(strings.ReplaceAll(manifest, "$DIR", f.dir)))
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	img, err := layout.Build(m, layout.Options{AfterPack: hook})
	if err != nil {
		return nil, err
	}
	out := filepath.Join(f.dir, "out.bin")
	if err := img.WriteImage(out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data, nil
}

const splManifest = `{"version": 1, "image": {"entries": [
  {"name": "u-boot-spl", "path": "$DIR/spl.bin"},
  {"name": "u-boot", "path": "$DIR/u-boot.bin", "align": 64}
]}}`

func le32(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }
func le64(v uint64) []byte { return append(le32(uint32(v)), le32(uint32(v>>32))...) }

// expectedSPL is the SPL after binman's patching, spelt out field by field.
func expectedSPL(ubootOffset, ubootImagePos uint64, ubootSize uint32) []byte {
	var b []byte
	b = append(b, fill(0xaa, 4)...)
	b = append(b, le32(uint32(ubootOffset))...)
	b = append(b, le64(ubootImagePos)...)
	b = append(b, le32(ubootSize)...)
	b = append(b, le32(0x4d595342)...) // _binman_sym_magic
	b = append(b, le32(0xffffffff)...) // weak symbol, unknown entry
	b = append(b, fill(0xaa, 4)...)    // "other": not a binman symbol
	return b
}

func TestPatchELF32AndELF64(t *testing.T) {
	for _, is64 := range []bool{false, true} {
		f := newFixture(t, map[string][]byte{
			"spl.bin":    fill(0xaa, 0x20),
			"spl.elf":    elfgen.Build(is64, textAddr, fill(0xaa, 0x20), splSyms()),
			"u-boot.bin": []byte("UBOOT!"),
		})
		var warn bytes.Buffer
		w := &Writer{Targets: map[string]Target{"u-boot-spl": {ELF: f.path("spl.elf")}}, Warn: &warn}
		got, err := f.build(t, splManifest, w.AfterPack)
		if err != nil {
			t.Fatal(err)
		}
		want := append(expectedSPL(0x40, textAddr+0x40, 6), fill(0, 0x20)...)
		want = append(want, "UBOOT!"...)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("64-bit=%v: image (-want +got):\n%s", is64, diff)
		}
		wantWarn := "Warning: Section '/binman': Symbol '_binman_nowhere_prop_size' in entry '/binman/u-boot-spl': Entry 'nowhere' not found in list (u-boot-spl,u-boot,image)\n"
		if warn.String() != wantWarn {
			t.Errorf("warnings:\n%q\nwant\n%q", warn.String(), wantWarn)
		}
	}
}

func TestPatcherFunction(t *testing.T) {
	syms := splSyms()
	syms[0].Name = "_start_image" // custom base symbol, still matching binman's filter
	f := newFixture(t, map[string][]byte{
		"spl.bin":    fill(0xaa, 0x20),
		"spl.elf":    elfgen.Build(false, textAddr, fill(0xaa, 0x20), syms),
		"u-boot.bin": []byte("UBOOT!"),
	})
	got, err := f.build(t, splManifest, Patcher(map[string]string{"u-boot-spl": f.path("spl.elf")}, "_start_image"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(expectedSPL(0x40, textAddr+0x40, 6), got[:0x20]); diff != "" {
		t.Errorf("SPL (-want +got):\n%s", diff)
	}
}

// Symbols given through the manifest's "symbols" field, in a section, with
// symbols_base replacing the base address.
func TestManifestSymbolsField(t *testing.T) {
	f := newFixture(t, map[string][]byte{
		"spl.bin":    fill(0xaa, 0x20),
		"spl.elf":    elfgen.Build(true, textAddr, fill(0xaa, 0x20), splSyms()),
		"u-boot.bin": []byte("UBOOT!"),
	})
	spec := Target{ELF: f.path("spl.elf"), SymbolsBase: new(uint64)}
	*spec.SymbolsBase = 0x80000000
	manifest := `{"version": 1, "image": {"entries": [
	  {"name": "pre", "type": "fill", "size": 16, "fill_byte": 1},
	  {"name": "sec", "type": "section", "entries": [
	    {"name": "u-boot-spl", "path": "$DIR/spl.bin", "symbols": ` + string(spec.Marshal()) + `},
	    {"name": "u-boot", "path": "$DIR/u-boot.bin", "offset": "0x30"}
	  ]}
	]}}`
	got, err := f.build(t, manifest, ManifestPatcher(nil))
	if err != nil {
		t.Fatal(err)
	}
	// u-boot: offset 0x30 in sec, image-pos 0x10 + 0x30.
	if diff := cmp.Diff(expectedSPL(0x30, 0x80000040, 6), got[16:16+0x20]); diff != "" {
		t.Errorf("SPL (-want +got):\n%s", diff)
	}
}

// end-at-4gb images add no base to image_pos.
func TestEndAt4GB(t *testing.T) {
	f := newFixture(t, map[string][]byte{
		"spl.bin":    fill(0xaa, 0x20),
		"spl.elf":    elfgen.Build(false, textAddr, fill(0xaa, 0x20), splSyms()),
		"u-boot.bin": []byte("UBOOT!"),
	})
	manifest := `{"version": 1, "image": {"end_at_4gb": true, "size": 256, "entries": [
	  {"name": "u-boot-spl", "path": "$DIR/spl.bin", "offset": "0xffffff00"},
	  {"name": "u-boot", "path": "$DIR/u-boot.bin", "offset": "0xffffff80"}
	]}}`
	got, err := f.build(t, manifest, Patcher(map[string]string{"u-boot-spl": f.path("spl.elf")}, ""))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(expectedSPL(0xffffff80, 0xffffff80, 6), got[:0x20]); diff != "" {
		t.Errorf("SPL (-want +got):\n%s", diff)
	}
}

// binman tests image_pos for truth: an entry at image position 0 reads as
// unknown (-1), like one inside a compressed section.
func TestImagePosZeroAndCompressed(t *testing.T) {
	syms := []elfgen.Symbol{
		{Name: "__image_copy_start", Addr: textAddr},
		{Name: "_binman_first_prop_image_pos", Addr: textAddr, Size: 4},
		{Name: "_binman_inner_prop_image_pos", Addr: textAddr + 4, Size: 8},
		{Name: "_binman_inner_prop_size", Addr: textAddr + 12, Size: 4},
	}
	f := newFixture(t, map[string][]byte{
		"spl.bin":   fill(0xaa, 0x10),
		"spl.elf":   elfgen.Build(false, textAddr, fill(0xaa, 0x10), syms),
		"inner.bin": []byte("inner"),
	})
	manifest := `{"version": 1, "image": {"entries": [
	  {"name": "first", "type": "text", "text": "F"},
	  {"name": "u-boot-spl", "path": "$DIR/spl.bin"},
	  {"name": "z", "type": "section", "compress": "lz4", "entries": [
	    {"name": "inner", "path": "$DIR/inner.bin"}
	  ]}
	]}}`
	got, err := f.build(t, manifest, Patcher(map[string]string{"u-boot-spl": f.path("spl.elf")}, ""))
	if err != nil {
		t.Fatal(err)
	}
	want := append(append(le32(0xffffffff), le64(^uint64(0))...), le32(5)...)
	if diff := cmp.Diff(want, got[1:0x11]); diff != "" {
		t.Errorf("SPL (-want +got):\n%s", diff)
	}
}

// Without the base symbol binman writes nothing.
func TestNoBaseSymbol(t *testing.T) {
	syms := splSyms()[1:]
	f := newFixture(t, map[string][]byte{
		"spl.bin":    fill(0xaa, 0x20),
		"spl.elf":    elfgen.Build(false, textAddr, fill(0xaa, 0x20), syms),
		"u-boot.bin": []byte("UBOOT!"),
	})
	got, err := f.build(t, splManifest, Patcher(map[string]string{"u-boot-spl": f.path("spl.elf")}, ""))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[:0x20], fill(0xaa, 0x20)) {
		t.Errorf("SPL changed without a base symbol: % x", got[:0x20])
	}
}

// The entry's contents are the ELF file: symbols land at file offsets and
// image_pos gets no base.
func TestInELF(t *testing.T) {
	elfData := elfgen.Build(false, textAddr, fill(0xaa, 0x20), splSyms())
	f := newFixture(t, map[string][]byte{
		"spl.elf":    elfData,
		"u-boot.bin": []byte("UBOOT!"),
	})
	manifest := `{"version": 1, "image": {"entries": [
	  {"name": "u-boot", "path": "$DIR/u-boot.bin"},
	  {"name": "u-boot-spl-elf", "path": "$DIR/spl.elf", "align": 16, "symbols": {"elf": "$DIR/spl.elf", "in_elf": true}}
	]}}`
	got, err := f.build(t, manifest, ManifestPatcher(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte("UBOOT!"), fill(0, 10)...)
	patched := append([]byte(nil), elfData...)
	// .text is at file offset 0x100 in makeELF's layout; u-boot's image-pos
	// is 0, which binman writes as unknown.
	copy(patched[elfgen.TextOffset:], expectedSPL(0, ^uint64(0), 6))
	want = append(want, patched...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("image (-want +got):\n%s", diff)
	}
}

func TestErrors(t *testing.T) {
	base := elfgen.Symbol{Name: "__image_copy_start", Addr: textAddr}
	for _, tc := range []struct {
		name string
		sym  elfgen.Symbol
		want string
	}{
		{"unknown entry", elfgen.Symbol{Name: "_binman_nowhere_prop_size", Addr: textAddr, Size: 4},
			"Section '/binman': Symbol '_binman_nowhere_prop_size' in entry '/binman/u-boot-spl': Entry 'nowhere' not found in list (u-boot-spl,u-boot,image)"},
		{"bad size", elfgen.Symbol{Name: "_binman_u_boot_prop_size", Addr: textAddr, Size: 2},
			"Section '/binman': Symbol '_binman_u_boot_prop_size' in entry '/binman/u-boot-spl' has size 2: only 4 and 8 are supported"},
		{"bad property", elfgen.Symbol{Name: "_binman_u_boot_prop_colour", Addr: textAddr, Size: 4},
			"Section '/binman': Symbol '_binman_u_boot_prop_colour' in entry '/binman/u-boot-spl': No such property 'colour'"},
		{"bad format", elfgen.Symbol{Name: "_binman_u_boot_size", Addr: textAddr, Size: 4},
			"Section '/binman': Symbol '_binman_u_boot_size' in entry '/binman/u-boot-spl': Symbol '_binman_u_boot_size' has invalid format"},
		{"past the end", elfgen.Symbol{Name: "_binman_u_boot_prop_size", Addr: textAddr + 0x1e, Size: 4},
			"/binman/u-boot-spl has offset 1e (size 4) but the contents size is 20"},
		{"before the start", elfgen.Symbol{Name: "_binman_u_boot_prop_size", Addr: textAddr - 8, Size: 4},
			"/binman/u-boot-spl has offset -8 (size 4) but the contents size is 20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, map[string][]byte{
				"spl.bin":    fill(0xaa, 0x20),
				"spl.elf":    elfgen.Build(false, textAddr, fill(0xaa, 0x20), []elfgen.Symbol{base, tc.sym}),
				"u-boot.bin": []byte("UBOOT!"),
			})
			_, err := f.build(t, splManifest, Patcher(map[string]string{"u-boot-spl": f.path("spl.elf")}, ""))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error %v\nwant %s", err, tc.want)
			}
		})
	}
	t.Run("value too big for 4 bytes", func(t *testing.T) {
		syms := []elfgen.Symbol{base, {Name: "_binman_u_boot_prop_image_pos", Addr: textAddr, Size: 4}}
		f := newFixture(t, map[string][]byte{
			"spl.bin":    fill(0xaa, 0x20),
			"spl.elf":    elfgen.Build(false, textAddr, fill(0xaa, 0x20), syms),
			"u-boot.bin": []byte("UBOOT!"),
		})
		sb := uint64(0xffffffe0)
		w := &Writer{Targets: map[string]Target{"u-boot-spl": {ELF: f.path("spl.elf"), SymbolsBase: &sb}}}
		_, err := f.build(t, splManifest, w.AfterPack)
		want := "Section '/binman': Symbol '_binman_u_boot_prop_image_pos' in entry '/binman/u-boot-spl': value 0x100000020 does not fit in 4 bytes"
		if err == nil || err.Error() != want {
			t.Fatalf("error %v\nwant %s", err, want)
		}
	})
	t.Run("in ELF, address outside the segments", func(t *testing.T) {
		syms := []elfgen.Symbol{{Name: "_binman_u_boot_prop_size", Addr: 0x9000, Size: 4}}
		elfData := elfgen.Build(false, textAddr, fill(0xaa, 0x20), syms)
		f := newFixture(t, map[string][]byte{"spl.elf": elfData, "u-boot.bin": []byte("U")})
		m := `{"version": 1, "image": {"entries": [{"name": "u-boot", "path": "$DIR/u-boot.bin"},
		  {"name": "e", "path": "$DIR/spl.elf", "symbols": {"elf": "$DIR/spl.elf", "in_elf": true}}]}}`
		_, err := f.build(t, m, ManifestPatcher(nil))
		if err == nil || !strings.HasSuffix(err.Error(), ": address 0x9000 is in no loadable segment of '"+f.path("spl.elf")+"'") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("no such entry path", func(t *testing.T) {
		f := newFixture(t, map[string][]byte{"spl.bin": fill(0xaa, 0x20), "u-boot.bin": []byte("U")})
		_, err := f.build(t, splManifest, Patcher(map[string]string{"tpl": f.path("x")}, ""))
		if err == nil || err.Error() != "Image '/binman': symbols: no entry 'tpl'" {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("missing ELF", func(t *testing.T) {
		f := newFixture(t, map[string][]byte{"spl.bin": fill(0xaa, 0x20), "u-boot.bin": []byte("U")})
		_, err := f.build(t, splManifest, Patcher(map[string]string{"u-boot-spl": f.path("nope.elf")}, ""))
		if err == nil || !strings.HasPrefix(err.Error(), "Node '/binman/u-boot-spl': cannot read symbols: ") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("bad symbols field", func(t *testing.T) {
		f := newFixture(t, map[string][]byte{"spl.bin": fill(0xaa, 0x20)})
		m := `{"version": 1, "image": {"entries": [{"name": "u-boot-spl", "path": "$DIR/spl.bin", "symbols": {"elf": "x", "colour": 1}}]}}`
		_, err := f.build(t, m, ManifestPatcher(nil))
		if err == nil || !strings.HasPrefix(err.Error(), "Node '/binman/u-boot-spl': symbols: json: unknown field") {
			t.Fatalf("error %v", err)
		}
	})
}

// _any matches <name>, <name>-elf, <name>-img and <name>-nodtb, the last
// such entry in binman's collection order winning; nested entries come
// before their section.
func TestLookupOrder(t *testing.T) {
	syms := []elfgen.Symbol{
		{Name: "__image_copy_start", Addr: textAddr},
		{Name: "_binman_u_boot_any_prop_offset", Addr: textAddr, Size: 4},
		{Name: "_binman_dup_prop_offset", Addr: textAddr + 4, Size: 4},
		{Name: "_binman_sec_prop_size", Addr: textAddr + 8, Size: 4},
	}
	f := newFixture(t, map[string][]byte{
		"spl.bin": fill(0xaa, 12),
		"spl.elf": elfgen.Build(false, textAddr, fill(0xaa, 12), syms),
	})
	manifest := `{"version": 1, "image": {"entries": [
	  {"name": "u-boot-spl", "path": "$DIR/spl.bin"},
	  {"name": "u-boot-nodtb", "type": "text", "text": "n", "offset": 16},
	  {"name": "dup", "type": "text", "text": "d", "offset": 17},
	  {"name": "sec", "type": "section", "offset": 32, "entries": [
	    {"name": "u-boot-img", "type": "text", "text": "i", "offset": 3},
	    {"name": "dup", "type": "text", "text": "D", "offset": 5}
	  ]}
	]}}`
	got, err := f.build(t, manifest, Patcher(map[string]string{"u-boot-spl": f.path("spl.elf")}, ""))
	if err != nil {
		t.Fatal(err)
	}
	// Order: u-boot-spl, u-boot-nodtb, dup, u-boot-img, dup(nested, replaces), sec, image.
	want := append(append(le32(3), le32(5)...), le32(6)...)
	if diff := cmp.Diff(want, got[:12]); diff != "" {
		t.Errorf("SPL (-want +got):\n%s", diff)
	}
}

func TestReadSymbols(t *testing.T) {
	syms := []elfgen.Symbol{
		{Name: "_binman_b_prop_size", Addr: 0x1010, Size: 4},
		{Name: "_binman_a_prop_size", Addr: 0x1008, Size: 8, Weak: true},
		{Name: "unrelated", Addr: 0x1000, Size: 4},
		{Name: "__image_copy_start", Addr: 0x1000},
		{Name: "binman_local", Addr: 0x1004, Size: 4, Local: true},
		{Name: "_binman_abs_prop_size", Addr: 0x5, Size: 4, Shndx: uint16(elf.SHN_ABS)},
		{Name: "_binman_b_prop_size", Addr: 0x1018, Size: 4}, // later duplicate wins
	}
	for _, is64 := range []bool{false, true} {
		got, err := ReadSymbols(bytes.NewReader(elfgen.Build(is64, 0x1000, fill(0, 0x20), syms)))
		if err != nil {
			t.Fatal(err)
		}
		want := []Symbol{
			{Name: "_binman_abs_prop_size", Section: "*ABS*", Address: 5, Size: 4, FileOffset: -1},
			{Name: "__image_copy_start", Section: ".text", Address: 0x1000, FileOffset: 0x100},
			{Name: "binman_local", Section: ".text", Address: 0x1004, Size: 4, FileOffset: 0x104},
			{Name: "_binman_a_prop_size", Section: ".text", Address: 0x1008, Size: 8, Weak: true, FileOffset: 0x108},
			{Name: "_binman_b_prop_size", Section: ".text", Address: 0x1018, Size: 4, FileOffset: 0x118},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("64-bit=%v (-want +got):\n%s", is64, diff)
		}
	}
	if _, err := ReadSymbols(bytes.NewReader([]byte("not an ELF file at all"))); err == nil {
		t.Error("garbage accepted as ELF")
	}
}

func TestSpecRoundTrip(t *testing.T) {
	v := uint64(0x1234)
	in := Target{ELF: "spl/u-boot-spl", BaseSymbol: "_start", SymbolsBase: &v, InELF: true}
	raw := in.Marshal()
	out, err := ParseSpec(raw)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("(-in +out):\n%s", diff)
	}
	var generic map[string]interface{}
	if err := json.Unmarshal(raw, &generic); err != nil || generic["elf"] != "spl/u-boot-spl" {
		t.Errorf("marshalled %s", raw)
	}
	if _, err := ParseSpec(json.RawMessage(`{}`)); err == nil {
		t.Error("spec without elf accepted")
	}
}

func FuzzReadSymbols(f *testing.F) {
	f.Add(elfgen.Build(false, textAddr, fill(0xaa, 0x20), splSyms()))
	f.Add(elfgen.Build(true, textAddr, fill(0xaa, 0x20), splSyms()))
	f.Add([]byte("\x7fELF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		syms, err := ReadSymbols(bytes.NewReader(data))
		if err != nil {
			return
		}
		for i := 1; i < len(syms); i++ {
			if syms[i].Address < syms[i-1].Address {
				t.Fatalf("symbols not sorted by address: %+v", syms)
			}
		}
		for _, s := range syms {
			if !interesting(s.Name) && !interesting(s.Section) {
				t.Fatalf("symbol %q kept though binman's filter drops it", s.Name)
			}
		}
	})
}
