package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFlashlayoutStagesRealFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "fsbl.in"), []byte("fsbl"), 0o644)
	os.WriteFile(filepath.Join(dir, "ssbl.in"), []byte("ssbl"), 0o644)
	manifest := filepath.Join(dir, "m.json")
	os.WriteFile(manifest, []byte(`{"version": 1, "entries": [
		{"option": "-", "id": "0x01", "name": "fsbl-boot", "type": "Binary", "device": "none", "offset": "0x0", "binary": "fsbl.bin"},
		{"option": "-", "id": "0x03", "name": "ssbl-boot", "type": "Binary", "device": "none", "offset": "0x0", "binary": "ssbl.bin"}]}`), 0o644)
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	tsv := filepath.Join(out, "FlashLayout.tsv")
	stage := []string{"--stage", "fsbl.bin=" + filepath.Join(dir, "fsbl.in"), "--stage", "ssbl.bin=" + filepath.Join(dir, "ssbl.in")}
	code, _, errs := diskRun(append([]string{"flashlayout", "--manifest", manifest, "--output", tsv}, stage...)...)
	if code != 0 {
		t.Fatalf("flashlayout: %s", errs)
	}
	for _, n := range []string{"fsbl.bin", "ssbl.bin"} {
		st, err := os.Lstat(filepath.Join(out, n))
		if err != nil || !st.Mode().IsRegular() {
			t.Fatalf("%s beside the layout: %v %v (want a regular file)", n, st, err)
		}
	}

	// A binary the layout names without a --stage file: one line, nothing written.
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	code, _, errs = diskRun("flashlayout", "--manifest", manifest, "--output", filepath.Join(empty, "F.tsv"), "--stage", "fsbl.bin="+filepath.Join(dir, "fsbl.in"))
	if code == 0 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "binary 'ssbl.bin' has no --stage file") {
		t.Fatalf("missing stage: %d %q", code, errs)
	}
	if left, _ := os.ReadDir(empty); len(left) != 0 {
		t.Fatalf("failed run left %d files", len(left))
	}
	for _, bad := range []string{"../x=" + manifest, "=y", "x"} {
		if code, _, _ := diskRun("flashlayout", "--manifest", manifest, "--output", tsv, "--stage", bad); code == 0 {
			t.Errorf("--stage %q accepted", bad)
		}
	}
}
