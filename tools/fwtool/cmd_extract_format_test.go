package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fwtool extract -F fdt writes an fdtmap entry as a plain devicetree blob
// (dtc's fdtget reads it); -F list names the formats, as binman's does.
func TestExtractAltFormat(t *testing.T) {
	fdtget, err := exec.LookPath("fdtget")
	if err != nil {
		t.Fatal("fdtget needed: ", err)
	}
	dir := t.TempDir()
	manifest := filepath.Join(dir, "m.json")
	os.WriteFile(manifest, []byte(`{"version":1,"image":{"entries":[{"name":"t","type":"text","text":"hello"},{"name":"fdtmap","type":"fdtmap"}]}}`), 0o644)
	img := filepath.Join(dir, "image.bin")
	if code, _, stderr := runLayoutCmd(t, "build", "--manifest", manifest, "--output", img); code != 0 {
		t.Fatalf("build: %s", stderr)
	}
	withHeader, plain := filepath.Join(dir, "fdtmap.bin"), filepath.Join(dir, "fdtmap.dtb")
	if code, _, stderr := runLayoutCmd(t, "extract", "-i", img, "fdtmap", "-f", withHeader); code != 0 {
		t.Fatalf("extract: %s", stderr)
	}
	if code, _, stderr := runLayoutCmd(t, "extract", "-i", img, "-F", "fdt", "fdtmap", "-f", plain); code != 0 {
		t.Fatalf("extract -F fdt: %s", stderr)
	}
	a, _ := os.ReadFile(withHeader)
	b, _ := os.ReadFile(plain)
	if !bytes.HasPrefix(a, []byte("_FDTMAP_")) || !bytes.Equal(a[16:], b) {
		t.Fatalf("-F fdt gave %d bytes, the entry %d", len(b), len(a))
	}
	out, err := exec.Command(fdtget, "-t", "x", plain, "/t", "size").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "5" {
		t.Fatalf("fdtget /t size: %v %q", err, out)
	}
	// Other entries keep their data.
	text := filepath.Join(dir, "t.bin")
	if code, _, stderr := runLayoutCmd(t, "extract", "-i", img, "-F", "fdt", "t", "-f", text); code != 0 {
		t.Fatalf("extract -F fdt t: %s", stderr)
	}
	if got, _ := os.ReadFile(text); string(got) != "hello" {
		t.Fatalf("text entry with -F fdt: %q", got)
	}
	code, stdout, stderr := runLayoutCmd(t, "extract", "-i", img, "-F", "list")
	want := "Flag (-F)   Entry type            Description\n" +
		"fdt         fdtmap                Extract the devicetree blob from the fdtmap\n"
	if code != 0 || stdout != want {
		t.Fatalf("-F list: %d %q %s", code, stdout, stderr)
	}
}

// An image whose only fdtmap sits in a section is still listed and
// extracted through that map, as binman does: the map describes the
// section, placed at its image position.
func TestFdtmapInSectionOnly(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.bin"), []byte("AAAA"), 0o644)
	manifest := filepath.Join(dir, "m.json")
	os.WriteFile(manifest, []byte(`{"version":1,"image":{"entries":[{"name":"a","path":"`+filepath.Join(dir, "a.bin")+`"},`+
		`{"name":"sec","type":"section","align":16,"entries":[{"name":"b","path":"`+filepath.Join(dir, "a.bin")+`"},{"name":"fdtmap","type":"fdtmap"}]}]}}`), 0o644)
	img := filepath.Join(dir, "image.bin")
	mapFile := filepath.Join(dir, "image.map")
	if code, _, stderr := runLayoutCmd(t, "build", "--manifest", manifest, "--output", img, "--map", mapFile); code != 0 {
		t.Fatalf("build: %s", stderr)
	}
	code, stdout, stderr := runLayoutCmd(t, "ls", img)
	if code != 0 {
		t.Fatalf("ls: %d %s", code, stderr)
	}
	// The listing's image is the section: its position and size from the map.
	mapText, _ := os.ReadFile(mapFile)
	var secPos, secSize string
	for _, l := range strings.Split(string(mapText), "\n") {
		if f := strings.Fields(l); len(f) == 4 && f[3] == "sec" {
			secPos, secSize = strings.TrimLeft(f[0], "0"), strings.TrimLeft(f[2], "0")
		}
	}
	rows := strings.Split(stdout, "\n")
	if len(rows) < 5 || !strings.HasPrefix(rows[2], "image") {
		t.Fatalf("ls:\n%s", stdout)
	}
	if f := strings.Fields(rows[2]); f[1] != secPos || f[2] != secSize || strings.Fields(rows[3])[0] != "b" {
		t.Fatalf("ls:\n%s\nwant the image at %s size %s", stdout, secPos, secSize)
	}
	out := filepath.Join(dir, "b.out")
	if code, _, stderr := runLayoutCmd(t, "extract", "-i", img, "b", "-f", out); code != 0 {
		t.Fatalf("extract: %s", stderr)
	}
	if got, _ := os.ReadFile(out); string(got) != "AAAA" {
		t.Fatalf("extracted b = %q", got)
	}
}
