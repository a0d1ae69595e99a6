package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/dts"
)

// An image's "symlink" property: a link next to the image naming it (and
// a second build replaces the link, as binman does); a name leaving the
// output directory is refused.
func TestBuildBinmanSymlink(t *testing.T) {
	dir := t.TempDir()
	compile := func(name, link string) string {
		tree, err := dts.Compile("b.dts", []byte(`/dts-v1/;
/ { binman { multiple-images;
	img { filename = "test_image.bin"; symlink = "`+link+`"; t { type = "text"; text = "abc"; }; };
}; };
`), dts.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, tree.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	out := filepath.Join(dir, "out")
	dtb := compile("ok.dtb", "sub/link.bin")
	for i := 0; i < 2; i++ {
		if code, _, stderr := runLayoutCmd(t, "build", "-d", dtb, "-O", out); code != 0 {
			t.Fatalf("build %d: %d %s", i, code, stderr)
		}
	}
	if target, err := os.Readlink(filepath.Join(out, "sub/link.bin")); err != nil || target != "../test_image.bin" {
		t.Fatalf("link: %q %v", target, err)
	}
	if data, err := os.ReadFile(filepath.Join(out, "sub/link.bin")); err != nil || string(data) != "abc" {
		t.Fatalf("through the link: %q %v", data, err)
	}
	bad := compile("bad.dtb", "../escape.bin")
	if code, _, _ := runLayoutCmd(t, "build", "-d", bad, "-O", filepath.Join(dir, "out2")); code == 0 {
		t.Fatal("a link outside the output directory was made")
	}
	if _, err := os.Lstat(filepath.Join(dir, "escape.bin")); err == nil {
		t.Fatal("escape.bin exists")
	}
}
