package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestMkimageImx8m runs `fwtool mkimage -T imx8mimage -n CFG` and Debian's
// mkimage on the same configuration (second loader and HDMI firmware
// included) and compares the images; then the errors.
func TestMkimageImx8m(t *testing.T) {
	mkimage, err := exec.LookPath("mkimage")
	if err != nil {
		t.Fatalf("mkimage (Debian package u-boot-tools) is needed for this oracle test: %v", err)
	}
	dir := t.TempDir()
	file := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	spl := file("spl.bin", []byte("i.MX8M SPL, thirty-odd bytes long"))
	fit := make([]byte, 3000)
	copy(fit, []byte{0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0x0b, 0xb8})
	itb := file("u-boot.itb", fit)
	hdmi := file("hdmi.bin", make([]byte, 0x500))
	cfg := file("imx8m.cfg", []byte(fmt.Sprintf("ROM_VERSION v1\nBOOT_FROM sd\nSIGNED_HDMI %s\nLOADER %s 0x7e1000\nFIT\nSECOND_LOADER %s 0x40200000 0x60000\n", hdmi, spl, itb)))
	ref, ours := filepath.Join(dir, "ref.bin"), filepath.Join(dir, "ours.bin")
	if out, err := exec.Command(mkimage, "-n", cfg, "-T", "imx8mimage", "-d", spl, ref).CombinedOutput(); err != nil {
		t.Fatalf("mkimage: %v\n%s", err, out)
	}
	if code, _, stderr := fwtoolIn("mkimage", "-n", cfg, "-T", "imx8mimage", "-d", spl, ours); code != 0 {
		t.Fatalf("fwtool mkimage: exit %d: %s", code, stderr)
	}
	sameFile(t, ours, ref)

	bad := file("bad.cfg", []byte("BOOT_FROM nand\n"))
	out := filepath.Join(dir, "x.bin")
	code, _, stderr := fwtoolIn("mkimage", "-n", bad, "-T", "imx8mimage", "-d", spl, out)
	oneLineError(t, "unknown boot device", code, stderr, bad+":1: BOOT_FROM: unknown boot device 'nand'")
	code, _, stderr = fwtoolIn("mkimage", "-T", "imx8mimage", "-d", spl, out)
	oneLineError(t, "no -n", code, stderr, "-n: imx8mimage needs its configuration file")
	code, _, stderr = fwtoolIn("mkimage", "-n", cfg, "-T", "imx8mimage", out)
	oneLineError(t, "no -d", code, stderr, "Option -d with image data file was not specified")
	code, _, stderr = fwtoolIn("mkimage", "-n", cfg, "-T", "imx8mimage", "-d", filepath.Join(dir, "none"), out)
	oneLineError(t, "missing -d", code, stderr, "-d: ", "none")
	noLoader := file("noloader.cfg", []byte("BOOT_FROM sd\n"))
	code, _, stderr = fwtoolIn("mkimage", "-n", noLoader, "-T", "imx8mimage", "-d", spl, out)
	oneLineError(t, "no loader", code, stderr, "no LOADER image")
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed run left %s", out)
	}
}
