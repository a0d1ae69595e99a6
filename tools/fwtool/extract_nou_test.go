package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/dts"
)

// extract on an image built without -u (an fdtmap with no offsets or
// sizes) fails naming the entry and writes nothing; with -u it works.
func TestExtractWithoutPositions(t *testing.T) {
	dir := t.TempDir()
	tree, err := dts.Compile("b.dts", []byte(`/dts-v1/;
/ { binman { t { type = "text"; text = "hello"; }; fdtmap { }; }; };
`), dts.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	dtb := filepath.Join(dir, "b.dtb")
	if err := os.WriteFile(dtb, tree.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, update := range []bool{false, true} {
		out := filepath.Join(dir, "out")
		args := []string{"build", "-d", dtb, "-O", out}
		if update {
			args = append(args, "-u")
		}
		if code, _, stderr := runLayoutCmd(t, args...); code != 0 {
			t.Fatalf("build: %d %s", code, stderr)
		}
		got := filepath.Join(dir, "t.out")
		os.Remove(got)
		code, _, stderr := runLayoutCmd(t, "extract", "-i", filepath.Join(out, "image.bin"), "t", "-f", got)
		data, rerr := os.ReadFile(got)
		if update {
			if code != 0 || string(data) != "hello" {
				t.Fatalf("-u: extract %d %q %v %s", code, data, rerr, stderr)
			}
			continue
		}
		if code == 0 || !strings.Contains(stderr, "Entry 't'") || !strings.Contains(stderr, "-u") {
			t.Fatalf("without -u: code %d, stderr %q", code, stderr)
		}
		if rerr == nil {
			t.Fatalf("without -u: %s was written (%d bytes)", got, len(data))
		}
	}
}
