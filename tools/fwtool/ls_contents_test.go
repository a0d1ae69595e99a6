package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/stm32"
	"github.com/rules-firmware/rules_firmware/tools/uimage"
)

// writeBootImage writes what the stm32mp157 board's bootimage looks like:
// an STM32 FSBL at 0 and a uImage SSBL at 256 KiB in 1 MiB of 0xff.
func writeBootImage(t *testing.T, dir string) string {
	t.Helper()
	img := bytes.Repeat([]byte{0xff}, 1<<20)
	h, _ := stm32.NewHeader(1, 0x2ffc2500, 0x2ffc2500)
	fsbl, err := stm32.Wrap(h, bytes.Repeat([]byte{1}, 4000))
	if err != nil {
		t.Fatal(err)
	}
	copy(img, fsbl)
	ssbl, err := uimage.Build(uimage.Header{Load: 0xc0100000, Entry: 0xc0100000, OS: 17, Arch: 2, Type: 5, Name: "ssbl"}, bytes.Repeat([]byte{2}, 9000))
	if err != nil {
		t.Fatal(err)
	}
	copy(img[0x40000:], ssbl)
	p := filepath.Join(dir, "bootimage.bin")
	if err := os.WriteFile(p, img, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLsWholeBootImage(t *testing.T) {
	dir := t.TempDir()
	img := writeBootImage(t, dir)
	code, out, errs := diskRun("ls", img)
	if code != 0 || !strings.Contains(out, "Contents (recognised at 512-byte boundaries)") ||
		!lineHas(out, "0x00000000", "0x000010a0", "STM32") || !lineHas(out, "0x00040000", "0x00002368", "uImage", "uImage 'ssbl'") {
		t.Fatalf("ls without a map: %d\n%s%s", code, out, errs)
	}

	// With the layout's map beside it, the entries are named from it.
	os.WriteFile(filepath.Join(dir, "bootimage.map"), []byte("ImagePos    Offset      Size  Name\n"+
		"00000000  00000000  00100000  bootimage\n"+
		"00000000   00000000  000010a0  fsbl\n"+
		"00040000   00040000  00002368  ssbl\n"), 0o644)
	code, out, errs = diskRun("ls", img)
	if code != 0 || !strings.Contains(out, "Entries (from ") || !lineHas(out, "0x00000000", "0x000010a0", "fsbl", "STM32 image") ||
		!lineHas(out, "0x00040000", "0x00002368", "ssbl", "uImage 'ssbl'") {
		t.Fatalf("ls with a map: %d\n%s%s", code, out, errs)
	}

	// A map that does not fit the image is an error, not a wrong listing.
	os.WriteFile(filepath.Join(dir, "bootimage.map"), []byte("ImagePos    Offset      Size  Name\n00200000  00200000  00001000  spl\n"), 0o644)
	code, _, errs = diskRun("ls", img)
	if code == 0 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "entry 'spl'") {
		t.Fatalf("ls with a foreign map: %d %q", code, errs)
	}
}

func TestLsDiskPartitionsAndPaths(t *testing.T) {
	dir := t.TempDir()
	in := writeInputs(t, map[string][]byte{"extlinux.conf": []byte("label x\n  kernel /zImage\n"), "zImage": randomBytes(5000, 3)})
	vfatImg := filepath.Join(dir, "bootfs.vfat")
	if code, _, errs := diskRun("vfat", "--output", vfatImg, "--size", "4M", "--label", "bootfs",
		"--file", "extlinux/extlinux.conf="+filepath.Join(in, "extlinux.conf"), "--file", "zImage="+filepath.Join(in, "zImage")); code != 0 {
		t.Fatalf("fwtool vfat: %s", errs)
	}
	os.WriteFile(filepath.Join(dir, "raw.bin"), []byte("raw data"), 0o644)
	manifest := filepath.Join(dir, "m.json")
	os.WriteFile(manifest, []byte(`{"version": 1, "partition_table": "gpt", "partitions": [
		{"name": "bootfs", "image": "bootfs.vfat", "offset": "1M"},
		{"name": "data", "image": "raw.bin", "size": "1M"}]}`), 0o644)
	img := filepath.Join(dir, "sdcard.img")
	if code, _, errs := diskRun("disk", "--manifest", manifest, "--inputpath", dir, "--output", img); code != 0 {
		t.Fatalf("fwtool disk: %s", errs)
	}
	code, out, errs := diskRun("ls", img)
	if code != 0 || !lineHas(out, "1", "bootfs", "FAT", "label 'BOOTFS'") || !lineHas(out, "2", "data", "unrecognised data") {
		t.Fatalf("ls disk: %d\n%s%s", code, out, errs)
	}
	code, out, errs = diskRun("ls", img, "bootfs/extlinux")
	if code != 0 || !strings.Contains(out, "extlinux/extlinux.conf") || strings.Contains(out, "zImage") {
		t.Fatalf("ls disk bootfs/extlinux: %d\n%s%s", code, out, errs)
	}
	for _, c := range []struct{ arg, want string }{
		{"bootfs/missing", "no file or directory '/missing'"},
		{"data/", "holds no filesystem fwtool can read"},
		{"nosuch/", "no partition named or numbered 'nosuch'"},
		{"nosuch", "no partition named or numbered 'nosuch'"},
	} {
		code, _, errs := diskRun("ls", img, c.arg)
		if code == 0 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("ls %s: %d %q, want one line with %q", c.arg, code, errs, c.want)
		}
	}
}

// lineHas reports whether one line of out holds every part, in order.
func lineHas(out string, parts ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		rest, ok := line, true
		for _, p := range parts {
			i := strings.Index(rest, p)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(p):]
		}
		if ok {
			return true
		}
	}
	return false
}
