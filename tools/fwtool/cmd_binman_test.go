package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/dts"
	"github.com/rules-firmware/rules_firmware/tools/elfgen"
)

// fwtool build -d: every image of a binman description, named as binman
// names them, with SPL's binman symbols written.
func TestBuildBinmanDescription(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	spl := bytes.Repeat([]byte{0xaa}, 16)
	files := map[string][]byte{
		"spl/u-boot-spl.bin": spl,
		"spl/u-boot-spl": elfgen.Build(false, 0x1000, spl, []elfgen.Symbol{
			{Name: "__image_copy_start", Addr: 0x1000},
			{Name: "_binman_u_boot_any_prop_offset", Addr: 0x1004, Size: 4},
			{Name: "_binman_u_boot_any_prop_image_pos", Addr: 0x1008, Size: 4},
		}),
		"u-boot-nodtb.bin": []byte("U-BOOT"),
	}
	for name, data := range files {
		p := filepath.Join(in, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tree, err := dts.Compile("b.dts", []byte(`/dts-v1/;
/ { binman { multiple-images;
	spi { u-boot-spl { }; u-boot { offset = <0x20>; }; };
	mmc { filename = "sd.img"; pad-byte = <0xff>; u-boot-spl { offset = <0x40>; }; u-boot { offset = <0x80>; }; };
}; };
`), dts.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	dtb := filepath.Join(dir, "u-boot.dtb")
	if err := os.WriteFile(dtb, tree.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runLayoutCmd(t, "build", "-d", dtb, "-I", filepath.Join(dir, "nothing-here"), "-I", in, "-O", out, "-m")
	if code != 0 {
		t.Fatalf("build -d: %d %s", code, stderr)
	}
	for _, c := range []struct {
		file      string
		offset    uint32
		uBootPos  uint32
		splOffset int
	}{{"spi.bin", 0x20, 0x1020, 0}, {"sd.img", 0x80, 0x1080, 0x40}} {
		img, err := os.ReadFile(filepath.Join(out, c.file))
		if err != nil {
			t.Fatal(err)
		}
		got := img[c.splOffset : c.splOffset+16]
		if binary.LittleEndian.Uint32(got[4:]) != c.offset || binary.LittleEndian.Uint32(got[8:]) != c.uBootPos {
			t.Errorf("%s: SPL symbols % x, want offset %#x and image-pos %#x", c.file, got, c.offset, c.uBootPos)
		}
		if !bytes.HasPrefix(img[c.offset:], []byte("U-BOOT")) {
			t.Errorf("%s: no U-Boot at %#x", c.file, c.offset)
		}
	}
	for _, m := range []string{"spi.map", "mmc.map"} {
		data, err := os.ReadFile(filepath.Join(out, m))
		if err != nil || !strings.HasPrefix(string(data), "ImagePos    Offset      Size  Name\n") {
			t.Errorf("%s: %v %q", m, err, data)
		}
	}

	// Bad input: one line naming the node.
	bad, err := dts.Compile("b.dts", []byte(`/dts-v1/; / { binman { foo { }; }; };`), dts.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dtb, bad.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runLayoutCmd(t, "build", "-d", dtb, "-I", in, "-O", out)
	if code == 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "Unknown entry type 'foo' in node '/binman/foo'") {
		t.Errorf("bad description: exit %d, stderr %q", code, stderr)
	}
}
