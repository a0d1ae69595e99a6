//go:build linux

package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/dts"
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/fip"
)

// A command that fails leaves the output directory as it was: no file of
// an entry that came before the failing one, no directory it made, no
// temporary file; and a build whose map cannot be written leaves no image.

func TestFailedExtractLeavesNothing(t *testing.T) {
	// A FIT whose second image claims gzip but holds garbage.
	tree := fdt.NewTree()
	images := tree.Root.AddChild("images")
	good := images.AddChild("good")
	good.SetProp("data", []byte("good payload"))
	good.SetProp("compression", fdt.String("none"))
	bad := images.AddChild("bad")
	bad.SetProp("data", []byte("not gzip at all"))
	bad.SetProp("compression", fdt.String("gzip"))
	tree.Root.AddChild("configurations")

	s := newEscapeSandbox(t)
	img := writeFile(t, filepath.Join(s.in, "x.itb"), tree.Bytes())
	s.refuse(t, "Node '/images/bad'", "extract", "-i", img, "-O", filepath.Join(s.out, "new", "dir"), "good", "bad")
	s.refuse(t, "Node '/images/bad'", "extract", "-i", img, "-O", s.out, "good", "bad")
}

// fiptool unpack of a FIP listing tb-fw twice: the first copy is not left
// behind when the second is refused.
func TestFiptoolUnpackDuplicateLeavesNothing(t *testing.T) {
	s := newEscapeSandbox(t)
	writeFile(t, filepath.Join(s.in, "bl2"), []byte("BL2 code"))
	one := filepath.Join(s.in, "one.fip")
	if code, _, stderr := runFwtool(t, "", "fiptool", "create", "--tb-fw", filepath.Join(s.in, "bl2"), one); code != 0 {
		t.Fatal(stderr)
	}
	b := readFile(t, one)
	entry := append([]byte(nil), b[fip.HeaderSize:fip.HeaderSize+fip.EntrySize]...)
	data := []byte("BL2 code")
	binary.LittleEndian.PutUint64(entry[16:], uint64(fip.HeaderSize+3*fip.EntrySize))
	binary.LittleEndian.PutUint64(entry[24:], uint64(len(data)))
	dup := append(append(append(append(append([]byte(nil), b[:fip.HeaderSize]...), entry...), entry...), make([]byte, fip.EntrySize)...), data...)
	img := writeFile(t, filepath.Join(s.in, "dup.fip"), dup)
	s.refuse(t, "tb-fw.bin", "fiptool", "unpack", "--out", filepath.Join(s.out, "new"), img)
	s.refuse(t, "tb-fw.bin", "fiptool", "unpack", "--out", s.out, img)
}

func TestFailedBuildLeavesNoImage(t *testing.T) {
	s := newEscapeSandbox(t)
	writeFile(t, filepath.Join(s.in, "a.bin"), []byte("AAAA"))
	m := writeFile(t, filepath.Join(s.in, "m.json"), []byte(`{"version":1,"image":{"entries":[{"name":"a","path":"`+s.in+`/a.bin"}]}}`))
	s.refuse(t, "missing-dir", "build", "--manifest", m, "--output", filepath.Join(s.out, "img"), "--map", filepath.Join(s.out, "missing-dir", "img.map"))
	s.refuse(t, "missing-dir", "build", "--manifest", m, "--output", filepath.Join(s.out, "img"), "--svg", filepath.Join(s.out, "missing-dir", "img.svg"))

	// binman: the second image's blob is missing, so the first image
	// and its map are not left in -O either.
	tree, err := dts.Compile("b.dts", []byte(`/dts-v1/;
/ { binman { multiple-images; first { blob { filename = "a.bin"; }; }; second { blob { filename = "missing.bin"; }; }; }; };
`), dts.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	dtb := writeFile(t, filepath.Join(s.in, "u-boot.dtb"), tree.Bytes())
	s.refuse(t, "missing.bin", "build", "-d", dtb, "-I", s.in, "-O", filepath.Join(s.out, "new"), "-m")
	s.refuse(t, "missing.bin", "build", "-d", dtb, "-I", s.in, "-O", s.out, "-m")
}

// fwtool build -d with the description's own DTB (u-boot-dtb entries)
// leaves nothing in TMPDIR, whether it succeeds or fails.
func TestBinmanBuildLeavesNoTemporaryFiles(t *testing.T) {
	s := newEscapeSandbox(t)
	tmp := filepath.Join(s.root, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)
	writeFile(t, filepath.Join(s.in, "u-boot-nodtb.bin"), []byte("U-BOOT"))
	for _, c := range []struct {
		extra string
		ok    bool
	}{{"", true}, {`blob { filename = "missing.bin"; };`, false}} {
		tree, err := dts.Compile("b.dts", []byte(`/dts-v1/;
/ { model = "m"; binman { u-boot { }; `+c.extra+` }; };
`), dts.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		dtb := writeFile(t, filepath.Join(s.in, "u-boot.dtb"), tree.Bytes())
		code, _, stderr := runFwtool(t, "", "build", "-d", dtb, "-I", s.in, "-O", s.out)
		if (code == 0) != c.ok {
			t.Fatalf("build -d (ok=%v): exit %d: %s", c.ok, code, stderr)
		}
		if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Errorf("build -d (ok=%v) left %s in TMPDIR", c.ok, strings.Join(names, " "))
		}
	}
	if _, err := os.Stat(filepath.Join(s.out, "image.bin")); err != nil {
		t.Errorf("the successful build wrote no image: %v", err)
	}
}
