package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/dts"
)

// fwtool build -d -O DIR creates DIR, as binman does, and -a NAME=VALUE
// gives text entries their text-label'd text.
func TestBuildBinmanEntryArgsAndOutDir(t *testing.T) {
	dir := t.TempDir()
	tree, err := dts.Compile("b.dts", []byte(`/dts-v1/;
/ { binman {
	msg { type = "text"; text-label = "message"; };
	dflt { type = "text"; text-label = "greeting"; greeting = "-node"; };
}; };
`), dts.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	dtb := filepath.Join(dir, "u-boot.dtb")
	if err := os.WriteFile(dtb, tree.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "not", "there", "yet")
	code, _, stderr := runLayoutCmd(t, "build", "-d", dtb, "-O", out, "-a", "message=from -a")
	if code != 0 {
		t.Fatalf("build -d: %d %s", code, stderr)
	}
	img, err := os.ReadFile(filepath.Join(out, "image.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if string(img) != "from -a-node" {
		t.Errorf("image.bin = %q, want %q", img, "from -a-node")
	}

	code, _, stderr = runLayoutCmd(t, "build", "-d", dtb, "-O", out)
	if code == 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "Node '/binman/msg': No value provided for text label 'message'") {
		t.Errorf("without -a: %d %q", code, stderr)
	}
	code, _, stderr = runLayoutCmd(t, "build", "-d", dtb, "-O", out, "-a", "novalue")
	if code == 0 || !strings.Contains(stderr, `-a "novalue": expected NAME=VALUE`) {
		t.Errorf("bad -a: %d %q", code, stderr)
	}
}
