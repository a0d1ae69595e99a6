package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runLayoutCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestLayoutBuildLsExtractReplace(t *testing.T) {
	dir := t.TempDir()
	payload := bytes.Repeat([]byte("payload!"), 512)
	os.WriteFile(filepath.Join(dir, "spl.bin"), []byte("SPL!"), 0o644)
	os.WriteFile(filepath.Join(dir, "ub.bin"), payload, 0o644)
	manifest := `{"version":1,"image":{"size":"0x4000","pad_byte":"0xff","allow_repack":true,"entries":[
		{"name":"spl","path":"` + dir + `/spl.bin"},
		{"name":"ro","type":"section","align":"0x100","entries":[
			{"name":"u-boot","path":"` + dir + `/ub.bin","compress":"lz4"},
			{"name":"ver","type":"text","text":"v1"}]},
		{"name":"fdtmap"},
		{"name":"image-header","location":"end"}]}}`
	mpath := filepath.Join(dir, "m.json")
	os.WriteFile(mpath, []byte(manifest), 0o644)
	img := filepath.Join(dir, "image.bin")
	code, _, stderr := runLayoutCmd(t, "build", "--manifest", mpath, "--output", img, "--map", img+".map", "--svg", img+".svg")
	if code != 0 {
		t.Fatalf("build: %d %s", code, stderr)
	}
	for _, f := range []string{img + ".map", img + ".svg"} {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Fatalf("%s not written: %v", f, err)
		}
	}
	code, out, stderr := runLayoutCmd(t, "ls", img)
	if code != 0 || !strings.Contains(out, "    u-boot") || !strings.Contains(out, "image-header") {
		t.Fatalf("ls: %d %s %s", code, out, stderr)
	}
	code, out, _ = runLayoutCmd(t, "ls", "-i", img, "*ver")
	if code != 0 || strings.Count(out, "\n") != 3 || !strings.Contains(out, "ver") {
		t.Fatalf("ls with pattern:\n%s", out)
	}
	got := filepath.Join(dir, "got")
	if code, _, stderr = runLayoutCmd(t, "extract", "-i", img, "ro/u-boot", "-f", got); code != 0 {
		t.Fatalf("extract: %s", stderr)
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b, payload) {
		t.Fatalf("extracted %d bytes, want the original %d", len(b), len(payload))
	}
	outDir := filepath.Join(dir, "x")
	if code, _, stderr = runLayoutCmd(t, "extract", "-i", img, "-O", outDir, "ro"); code != 0 {
		t.Fatalf("extract -O: %s", stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(outDir, "ro", "ver")); string(b) != "v1" {
		t.Fatalf("ro/ver = %q", b)
	}
	if _, err := os.Stat(filepath.Join(outDir, "ro", "root")); err != nil {
		t.Fatalf("section data not in ro/root: %v", err)
	}
	// Bigger text: repack (allowed), then the entries read back.
	newv := filepath.Join(dir, "v2")
	os.WriteFile(newv, []byte("version-2.0"), 0o644)
	if code, _, stderr = runLayoutCmd(t, "replace", "-i", img, "-f", newv, "ro/ver"); code != 0 {
		t.Fatalf("replace: %s", stderr)
	}
	if code, _, stderr = runLayoutCmd(t, "extract", "-i", img, "ro/ver", "-f", got); code != 0 {
		t.Fatalf("extract after replace: %s", stderr)
	}
	if b, _ := os.ReadFile(got); string(b) != "version-2.0" {
		t.Fatalf("after replace: %q", b)
	}
	if code, _, _ = runLayoutCmd(t, "extract", "-i", img, "ro/u-boot", "-f", got); code != 0 {
		t.Fatal("extract u-boot after repack")
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b, payload) {
		t.Fatal("u-boot changed by repack")
	}
}

func TestLayoutCommandErrors(t *testing.T) {
	dir := t.TempDir()
	m := filepath.Join(dir, "m.json")
	os.WriteFile(m, []byte(`{"version":1,"image":{"size":3,"entries":[{"name":"t","type":"text","text":"abcd"}]}}`), 0o644)
	out := filepath.Join(dir, "out.bin")
	code, _, stderr := runLayoutCmd(t, "build", "--manifest", m, "--output", out)
	if code == 0 || stderr != "fwtool build: Section '/binman': contents size 0x4 (4) exceeds section size 0x3 (3)\n" {
		t.Fatalf("build error: %d %q", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("failed build left an output file")
	}
	for _, cmd := range []string{"build", "extract", "replace"} {
		if code, stdout, _ := runLayoutCmd(t, cmd, "--help"); code != 0 || !strings.Contains(stdout, "usage: fwtool "+cmd) {
			t.Errorf("%s --help: %d %q", cmd, code, stdout)
		}
	}
	os.WriteFile(filepath.Join(dir, "plain"), make([]byte, 64), 0o644)
	code, _, stderr = runLayoutCmd(t, "extract", "-i", filepath.Join(dir, "plain"), "x", "-f", out)
	if code == 0 || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("extract of unknown format: %d %q", code, stderr)
	}
}

func TestLayoutProbeNeedsWholeFile(t *testing.T) {
	dir := t.TempDir()
	m := filepath.Join(dir, "m.json")
	os.WriteFile(m, []byte(`{"version":1,"image":{"entries":[{"name":"t","type":"text","text":"abcd"},{"name":"fdtmap"}]}}`), 0o644)
	img := filepath.Join(dir, "img")
	if code, _, stderr := runLayoutCmd(t, "build", "--manifest", m, "--output", img); code != 0 {
		t.Fatal(stderr)
	}
	data, _ := os.ReadFile(img)
	// The same image inside a bigger file (a partition of a disk image).
	os.WriteFile(img+".disk", append(append(make([]byte, 512), data...), make([]byte, 512)...), 0o644)
	f, _ := os.Open(img + ".disk")
	defer f.Close()
	if probeFdtmap(f, int64(len(data)+1024)) {
		t.Fatal("an fdtmap image inside a bigger file was taken for the whole file")
	}
	g, _ := os.Open(img)
	defer g.Close()
	if !probeFdtmap(g, int64(len(data))) {
		t.Fatal("fdtmap image not recognised")
	}
}

func TestLayoutExtractEndAt4GB(t *testing.T) {
	dir := t.TempDir()
	m := filepath.Join(dir, "m.json")
	os.WriteFile(m, []byte(`{"version":1,"image":{"size":"0x800","end_at_4gb":true,"sort_by_offset":true,"entries":[
		{"name":"t","type":"text","text":"reset","offset":"0xfffffff0"},
		{"name":"fdtmap","offset":"0xfffff800"}]}}`), 0o644)
	img := filepath.Join(dir, "img")
	if code, _, stderr := runLayoutCmd(t, "build", "--manifest", m, "--output", img); code != 0 {
		t.Fatal(stderr)
	}
	got := filepath.Join(dir, "t")
	if code, _, stderr := runLayoutCmd(t, "extract", "-i", img, "t", "-f", got); code != 0 {
		t.Fatal(stderr)
	}
	if b, _ := os.ReadFile(got); string(b) != "reset" {
		t.Fatalf("extracted %q", b)
	}
}
