package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func diskRun(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestDiskCommand(t *testing.T) {
	dir := t.TempDir()
	boot := bytes.Repeat([]byte("boot"), 300)
	if err := os.WriteFile(filepath.Join(dir, "boot.bin"), boot, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "root.bin"), []byte("root"), 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(dir, "m.json")
	os.WriteFile(manifest, []byte(`{"version": 1, "seed": "//t:disk", "partition_table": "gpt",
		"partitions": [
			{"name": "boot", "image": "boot.bin", "offset": "1M", "partition_type_uuid": "esp", "legacy_bios_bootable": true},
			{"name": "root", "image": "root.bin", "size": "2M", "partition_type": "0x83"}
		]}`), 0o644)
	img := filepath.Join(dir, "disk.img")
	if code, _, errs := diskRun("disk", "--manifest", manifest, "--inputpath", dir, "--output", img); code != 0 {
		t.Fatalf("fwtool disk: %d %s", code, errs)
	}
	code, out, errs := diskRun("ls", img)
	if code != 0 || !strings.Contains(out, "Disk image: GPT") ||
		!regexpLine(out, "1", "boot", "0x100000", "0x600", "uefi", "legacy-bios-bootable") ||
		!regexpLine(out, "2", "root", "0x100600", "0x200000", "linux", "-") {
		t.Fatalf("fwtool ls: %d\n%s%s", code, out, errs)
	}
	got := filepath.Join(dir, "boot.out")
	if code, _, errs := diskRun("extract", "-i", img, "-f", got, "boot"); code != 0 {
		t.Fatalf("fwtool extract: %s", errs)
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b[:len(boot)], boot) || len(b) != 0x600 {
		t.Errorf("extracted boot partition: %d bytes", len(b))
	}
	if code, _, errs := diskRun("disk", "extract", "-i", img, "-p", "2", "-f", got); code != 0 {
		t.Fatalf("fwtool disk extract: %s", errs)
	}
	if b, _ := os.ReadFile(got); string(b[:4]) != "root" || len(b) != 2<<20 {
		t.Errorf("extracted root partition: %q... %d bytes", b[:4], len(b))
	}

	// An overlap fails with one line naming both partitions, and leaves
	// no output behind.
	os.WriteFile(manifest, []byte(`{"version": 1, "partition_table": "gpt", "partitions": [
			{"name": "boot", "image": "boot.bin", "offset": "1M"},
			{"name": "root", "image": "root.bin", "offset": "0x100200"}]}`), 0o644)
	bad := filepath.Join(dir, "bad.img")
	code, _, errs = diskRun("disk", "--manifest", manifest, "--inputpath", dir, "--output", bad)
	if code == 0 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "'root'") || !strings.Contains(errs, "'boot'") ||
		!strings.Contains(errs, "0x100200 (1049088)") {
		t.Errorf("overlap: %d %q", code, errs)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("failed run left an output file")
	}
}

func regexpLine(out string, fields ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.Join(strings.Fields(line)[:min2(len(fields), len(strings.Fields(line)))], " ") == strings.Join(fields, " ") {
			return true
		}
	}
	return false
}

func min2(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func TestGenimageCommand(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "in"), 0o755)
	os.WriteFile(filepath.Join(dir, "in", "a.bin"), []byte("a"), 0o644)
	cfg := filepath.Join(dir, "g.cfg")
	os.WriteFile(cfg, []byte(`image x.img { hdimage { partition-table-type = "mbr" } partition a { image = "a.bin" partition-type = 0x83 } }`), 0o644)
	code, _, errs := diskRun("genimage", "--config", cfg, "--inputpath", filepath.Join(dir, "in"), "--outputpath", dir,
		"--rootpath", dir, "--tmppath", dir)
	if code != 0 {
		t.Fatalf("fwtool genimage: %s", errs)
	}
	if code, out, _ := diskRun("ls", filepath.Join(dir, "x.img")); code != 0 || !strings.Contains(out, "Disk image: MBR") || !strings.Contains(out, "0x83") {
		t.Errorf("ls of genimage output: %s", out)
	}
}

func TestDiskHelp(t *testing.T) {
	for _, args := range [][]string{{"disk", "--help"}, {"disk", "extract", "--help"}, {"genimage", "--help"}} {
		if code, out, _ := diskRun(args...); code != 0 || !strings.Contains(out, "usage:") {
			t.Errorf("%v: %d %q", args, code, out)
		}
	}
	if code, _, errs := diskRun("disk", "--manifest", "/nonexistent.json", "--output", "x"); code == 0 || strings.Count(errs, "\n") != 1 {
		t.Errorf("missing manifest: %d %q", code, errs)
	}
}
