package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An image type fwtool cannot write fails the whole run in one line
// naming the image and the type, and writes nothing (android-sparse used
// to be skipped with exit 0; fwtool writes it now, ubi not).
func TestGenimageUnsupportedTypeFails(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	os.MkdirAll(filepath.Join(dir, "in"), 0o755)
	os.MkdirAll(out, 0o755)
	os.WriteFile(filepath.Join(dir, "in", "a.bin"), []byte("a"), 0o644)
	cfg := filepath.Join(dir, "g.cfg")
	os.WriteFile(cfg, []byte(`image x.img { hdimage {} partition a { image = "a.bin" partition-type = 0x83 } }
image x.simg { ubi { } }
`), 0o644)
	code, _, errs := diskRun("genimage", "--config", cfg, "--inputpath", filepath.Join(dir, "in"), "--outputpath", out)
	if code != 1 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "'x.simg'") || !strings.Contains(errs, "'ubi'") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("wrote %v", ents)
	}
}

// include() searches --includepath, then the working directory; ${VAR}
// reads the environment.
func TestGenimageIncludePath(t *testing.T) {
	dir := t.TempDir()
	inc := filepath.Join(dir, "inc")
	os.MkdirAll(filepath.Join(dir, "in"), 0o755)
	os.MkdirAll(inc, 0o755)
	os.WriteFile(filepath.Join(dir, "in", "a.bin"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(inc, "part.cfg"), []byte(`partition a { image = "${FWTOOL_TEST_IMAGE:-missing}" partition-type = 0x83 }`), 0o644)
	cfg := filepath.Join(dir, "g.cfg")
	os.WriteFile(cfg, []byte(`image x.img { hdimage {} include("part.cfg") }`), 0o644)
	t.Setenv("FWTOOL_TEST_IMAGE", "a.bin")
	code, _, errs := diskRun("genimage", "--config", cfg, "--includepath", "/nonexistent:"+inc, "--inputpath", filepath.Join(dir, "in"), "--outputpath", dir)
	if code != 0 {
		t.Fatalf("fwtool genimage: %s", errs)
	}
	if code, out, _ := diskRun("ls", filepath.Join(dir, "x.img")); code != 0 || !strings.Contains(out, "0x83") {
		t.Errorf("ls: %s", out)
	}
	code, _, errs = diskRun("genimage", "--config", cfg, "--inputpath", filepath.Join(dir, "in"), "--outputpath", dir)
	if code != 1 || !strings.Contains(errs, "part.cfg") {
		t.Errorf("without --includepath: exit %d, %q", code, errs)
	}
	// A device is refused, not read forever.
	os.WriteFile(cfg, []byte(`include("/dev/zero")`), 0o644)
	code, _, errs = diskRun("genimage", "--config", cfg, "--outputpath", dir)
	if code != 1 || !strings.Contains(errs, "/dev/zero") {
		t.Errorf("include of a device: exit %d, %q", code, errs)
	}
}
