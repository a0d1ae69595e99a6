package binmandesc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-firmware/rules_firmware/tools/binsym"
	"github.com/rules-firmware/rules_firmware/tools/dts"
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

func compile(t testing.TB, binmanBody string) []byte {
	t.Helper()
	tree, err := dts.Compile("t.dts", []byte("/dts-v1/;\n/ {\n\tbinman {"+binmanBody+"};\n};\n"), dts.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return tree.Bytes()
}

func TestConvertErrors(t *testing.T) {
	for _, tc := range []struct {
		body   string
		update bool
		want   string
	}{
		{`foo { };`, false, "Unknown entry type 'foo' in node '/binman/foo'"},
		{`x { type = "no-such-type"; };`, false, "Unknown entry type 'no-such-type' in node '/binman/x'"},
		{`u: u-boot { }; x { type = "vblock"; content = <&u>; };`, false, "Node '/binman/x': entry type 'vblock' is not supported by fwtool (it runs futility for a Chrome OS verified-boot block)"},
		{`x { type = "vblock"; };`, false, "Node '/binman/x': Collection must have a 'content' property"},
		{`cros-ec-rw { filename = "x"; };`, false, "Node '/binman/cros-ec-rw': Missing required properties/entry args: cros-ec-rw-path"},
		{`g { type = "gbb"; };`, false, "Node '/binman/g': GBB must have a fixed size"},
		{`g { type = "gbb"; size = <0x217f>; };`, false, "Node '/binman/g': GBB is too small (minimum 0x2180 bytes)"},
		{`g { type = "gbb"; size = <0x2180>; };`, false, "Node '/binman/g': entry type 'gbb' is not supported by fwtool (it runs futility for a Chrome OS GBB)"},
		{`x { type = "cbfs"; size = <0x100>; u-boot { cbfs-type = "stage"; }; };`, false, "Node '/binman/x/u-boot': cbfs-type 'stage' (an ELF file's segments) is not supported by fwtool"},
		{`a { type = "blob"; hash { }; };`, true, "Node '/binman/a': Missing 'algo' property for hash node"},
		{`a { type = "blob"; hash { algo = "sha1"; }; };`, true, "Node '/binman/a': Unknown hash algorithm 'sha1'"},
		{`a { type = "blob"; size = [01 02]; };`, false, "Node '/binman/a': property 'size' has length 2, expected 4 or 8"},
		{`t { type = "text"; text-label = "x"; };`, false, "Node '/binman/t': No value provided for text label 'x'"},
		{`a { type = "blob"; write-symbols; };`, false, "Node '/binman/a': 'write-symbols' needs 'elf-filename'"},
		// binman itself fails here with a Python error (the phandle names no node).
		{`s { type = "section"; insert-template = <1>; };`, false, "Node '/binman/s': Cannot find node for phandle 1"},
	} {
		_, err := Convert(compile(t, tc.body), Options{UpdateFDT: tc.update, TempDir: t.TempDir()})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.body, err, tc.want)
		}
	}
	tree := fdt.NewTree()
	if _, err := Convert(tree.Bytes(), Options{}); err == nil || err.Error() != "Device tree does not have a 'binman' node" {
		t.Errorf("no binman node: %v", err)
	}
	if _, err := Convert([]byte("junk"), Options{}); err == nil {
		t.Error("junk accepted")
	}
}

// The manifest fields each description property becomes.
func TestConvertFields(t *testing.T) {
	dir := t.TempDir()
	in2 := filepath.Join(dir, "in2")
	for _, f := range []string{"in/a.bin", "in2/a.bin", "in2/spl/u-boot-spl.bin", "in/spl/u-boot-spl"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in := filepath.Join(dir, "in")
	ms, err := Convert(compile(t, `
		filename = "out.img";
		allow-repack;
		pad-byte = <0xff>;
		a@1 { type = "blob-ext"; filename = "a.bin"; offset = <0x10>; size = /bits/ 64 <0x20>;
		      align = <4>; align-size = <8>; align-end = <16>; pad-before = <1>; pad-after = <2>;
		      min-size = <3>; extend-size; optional; compress = "lz4"; missing-msg = "get it";
		      assume-size = <9>; hash { algo = "sha1"; }; };
		u-boot-spl { elf-base-sym = "_start"; symbols-base = <0x100>; };
		s { type = "section"; sort-by-offset; skip-at-start = <0x1000>; align-default = <2>;
		    name-prefix = "p-"; read-only; end-at-4gb; overlap; hash { algo = "sha256"; };
		    f { type = "fill"; size = <1>; fill-byte = [5a]; };
		    fill { size = <2>; };
		};
		image-header { location = "end"; };
		fdtmap { };
		x { type = "blob"; };
	`), Options{InputDirs: []string{in, in2}, AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 {
		t.Fatalf("%d manifests", len(ms))
	}
	m := ms[0]
	if !m.AllowMissing || m.UpdatesFDT() {
		t.Errorf("allow_missing %v, update_fdt %v", m.AllowMissing, m.UpdatesFDT())
	}
	img := m.Image
	if img.Name != "image" || img.NodePath != "/binman" || img.Filename != "out.img" || !img.AllowRepack || img.PadByte != 0xff {
		t.Errorf("image fields %+v", img)
	}
	n := func(v uint64) *layout.Num { x := layout.Num(v); return &x }
	var ignoreProps func(nodes []layout.Node) []layout.Node
	ignoreProps = func(nodes []layout.Node) []layout.Node {
		out := append([]layout.Node(nil), nodes...)
		for i := range out {
			out[i].Props = nil
			out[i].Entries = ignoreProps(out[i].Entries)
		}
		return out
	}
	symbolsBase := uint64(0x100)
	want := []layout.Node{
		{Name: "a@1", Type: "blob", External: true, Path: filepath.Join(in, "a.bin"), Offset: n(0x10), Size: n(0x20),
			Align: 4, AlignSize: 8, AlignEnd: 16, PadBefore: 1, PadAfter: 2, MinSize: 3, ExtendSize: true,
			Optional: true, Compress: "lz4", MissingMsg: "get it", AssumeSize: 9, Hash: "sha1"},
		{Name: "u-boot-spl", Type: "blob", Path: filepath.Join(in2, "spl/u-boot-spl.bin"),
			Symbols: binsym.Target{ELF: filepath.Join(in, "spl/u-boot-spl"), BaseSymbol: "_start", SymbolsBase: &symbolsBase}.Marshal()},
		{Name: "s", Type: "section", SortByOffset: true, SkipAtStart: n(0x1000), AlignDefault: 2, NamePrefix: "p-",
			ReadOnly: true, EndAt4GB: true, Overlap: true, Hash: "sha256", Entries: []layout.Node{
				{Name: "f", Type: "fill", Size: n(1), FillByte: 0x5a},
				{Name: "fill", Type: "fill", Size: n(2)},
			}},
		{Name: "image-header", Type: "image-header", Location: "end"},
		{Name: "fdtmap", Type: "fdtmap"},
		// binman's default file name for a blob is its type; found nowhere,
		// it is expected in the first input directory.
		{Name: "x", Type: "blob", Path: filepath.Join(in, "blob")},
	}
	// Compared as JSON: the manifest is what the engine reads.
	asJSON := func(v interface{}) string {
		b, err := json.MarshalIndent(v, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if diff := cmp.Diff(asJSON(want), asJSON(ignoreProps(img.Entries))); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	// Properties are kept verbatim, in order.
	var names []string
	for _, p := range img.Entries[0].Props {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, " "); got != "type filename offset size align align-size align-end pad-before pad-after min-size extend-size optional compress missing-msg assume-size" {
		t.Errorf("props of a@1: %s", got)
	}
}

func TestMultipleImagesNames(t *testing.T) {
	ms, err := Convert(compile(t, `multiple-images;
		template-1 { t { type = "text"; text = "0"; }; };
		one { t { type = "text"; text = "1"; }; };
		two { filename = "b.rom"; t { type = "text"; text = "2"; }; };`), Options{UpdateFDT: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.Image.Name+" "+m.Image.NodePath+" "+m.Image.Filename)
	}
	if diff := cmp.Diff([]string{"one /binman/one ", "two /binman/two b.rom"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func FuzzConvert(f *testing.F) {
	f.Add(compile(f, `a { type = "blob"; filename = "a.bin"; }; fdtmap { };`))
	f.Add(compile(f, `multiple-images; i { u-boot { }; s { type = "section"; fill { size = <1>; }; }; };`))
	f.Add(compile(f, `u-boot-spl { symbols-base = <1>; }; u-boot-dtb { };`))
	f.Add(compile(f, `s { type = "section"; bootph-all; compress = "lz4"; u-boot { }; }; u-boot-dtb { };`))
	f.Fuzz(func(t *testing.T, dtb []byte) {
		ms, err := Convert(dtb, Options{TempDir: t.TempDir(), UpdateFDT: len(dtb)%2 == 0})
		if err != nil {
			return
		}
		for _, m := range ms {
			if m.Image.Type != "section" || m.Image.NodePath == "" {
				t.Fatalf("image node %+v", m.Image)
			}
		}
	})
}

// A split-elf generator whose content entry is optional and missing adds
// no nodes, as binman does (it warns and builds the FIT without them); a
// required one that is missing is an error.
func TestSplitELFOptionalMissing(t *testing.T) {
	body := `fit { description = "d"; #address-cells = <1>; images { @tee-SEQ { fit,operation = "split-elf"; type = "tee"; fit,load; fit,data; tee-os { %s }; }; }; };`
	dir := t.TempDir()
	if _, err := Convert(compile(t, strings.Replace(body, "%s", "optional;", 1)), Options{InputDirs: []string{dir}, TempDir: t.TempDir()}); err != nil {
		t.Fatalf("optional: %v", err)
	}
	if _, err := Convert(compile(t, strings.Replace(body, "%s", "", 1)), Options{InputDirs: []string{dir}, TempDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "Failed to read ELF file") {
		t.Fatalf("required: %v", err)
	}
}
