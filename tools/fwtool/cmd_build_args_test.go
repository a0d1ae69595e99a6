package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/dts"
	"github.com/rules-firmware/rules_firmware/tools/fdt"
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

// fwtool build -d writes SOURCE_DATE_EPOCH into FIT and uImage headers
// where mkimage writes the time, and 0 without it.
func TestBuildBinmanSourceDateEpoch(t *testing.T) {
	dir := t.TempDir()
	tree, err := dts.Compile("b.dts", []byte(`/dts-v1/;
/ { binman {
	multiple-images;
	fit {
		fit {
			description = "t";
			images { k { description = "k"; type = "kernel"; arch = "arm"; os = "linux"; compression = "none";
				blob { filename = "k.bin"; }; }; };
		};
	};
	uimage {
		mkimage { args = "-A arm -O linux -T kernel -C none -n t"; blob { filename = "k.bin"; }; };
	};
}; };
`), dts.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	dtb := filepath.Join(dir, "u-boot.dtb")
	if err := os.WriteFile(dtb, tree.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "k.bin"), []byte("KERNEL"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  string
		want uint32
	}{{"1234567890", 1234567890}, {"", 0}} {
		if tc.env != "" {
			t.Setenv("SOURCE_DATE_EPOCH", tc.env)
		} else {
			os.Unsetenv("SOURCE_DATE_EPOCH")
		}
		out := filepath.Join(dir, "out"+tc.env)
		if code, _, stderr := runLayoutCmd(t, "build", "-d", dtb, "-I", dir, "-O", out); code != 0 {
			t.Fatalf("build -d: %d %s", code, stderr)
		}
		f, err := os.ReadFile(filepath.Join(out, "fit.bin"))
		if err != nil {
			t.Fatal(err)
		}
		ft, err := fdt.Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := ft.Root.PropU32("timestamp"); got != tc.want {
			t.Errorf("SOURCE_DATE_EPOCH=%q: FIT timestamp %d, want %d", tc.env, got, tc.want)
		}
		u, err := os.ReadFile(filepath.Join(out, "uimage.bin"))
		if err != nil || len(u) < 64 {
			t.Fatalf("uimage.bin: %v (%d bytes)", err, len(u))
		}
		if got := binary.BigEndian.Uint32(u[8:]); got != tc.want {
			t.Errorf("SOURCE_DATE_EPOCH=%q: uImage time %d, want %d", tc.env, got, tc.want)
		}
	}
}
