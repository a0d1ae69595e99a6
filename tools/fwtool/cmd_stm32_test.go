package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// requireTool finds a reference tool; a missing one fails the test, since
// the bootstrap installs them all.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("reference tool %s not found (the bootstrap installs it): %v", name, err)
	}
	return p
}

// fwtoolIn runs `fwtool args...` in-process.
func fwtoolIn(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// oneLineError checks a failure: non-zero exit and exactly one stderr line
// containing every fragment.
func oneLineError(t *testing.T, what string, code int, stderr string, fragments ...string) {
	t.Helper()
	if code == 0 {
		t.Errorf("%s: exit 0, want failure", what)
		return
	}
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("%s: stderr is not one line: %q", what, stderr)
	}
	for _, f := range fragments {
		if !strings.Contains(stderr, f) {
			t.Errorf("%s: stderr %q lacks %q", what, stderr, f)
		}
	}
}

func sameFile(t *testing.T, got, want string) {
	t.Helper()
	a, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("%s (%d bytes) differs from reference %s (%d bytes)", got, len(a), want, len(b))
	}
}

// TestStm32MkimageCommandLine runs the same mkimage command line through
// fwtool and mkimage and compares the images and the printed headers.
func TestStm32MkimageCommandLine(t *testing.T) {
	mkimage := requireTool(t, "mkimage")
	dir := t.TempDir()
	payload := filepath.Join(dir, "spl.bin")
	data := make([]byte, 3001)
	for i := range data {
		data[i] = byte(i*31 + 7)
	}
	if err := os.WriteFile(payload, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for i, addrs := range [][]string{{"-a", "0x2ffc2500", "-e", "0x2ffc2500"}, {"-a", "2ffc2500"}, {"-a", "c0100000", "-e", "c0100004"}} {
		ref := filepath.Join(dir, fmt.Sprintf("ref-%d.stm32", i))
		ours := filepath.Join(dir, fmt.Sprintf("ours-%d.stm32", i))
		args := append(append([]string{"-T", "stm32image"}, addrs...), "-d", payload)
		refOut, err := exec.Command(mkimage, append(args, ref)...).CombinedOutput()
		if err != nil {
			t.Fatalf("mkimage %v: %v\n%s", args, err, refOut)
		}
		code, stdout, stderr := fwtoolIn(append(append([]string{"mkimage"}, args...), ours)...)
		if code != 0 {
			t.Fatalf("fwtool mkimage %v: exit %d: %s", args, code, stderr)
		}
		sameFile(t, ours, ref)
		if stdout != string(refOut) {
			t.Errorf("printed header differs:\nfwtool:\n%s\nmkimage:\n%s", stdout, refOut)
		}
		// fwtool stm32image with the same addresses writes the same v1 image.
		ours2 := filepath.Join(dir, fmt.Sprintf("ours2-%d.stm32", i))
		if code, _, stderr := fwtoolIn(append(append([]string{"stm32image", "-q"}, addrs...), "-d", payload, ours2)...); code != 0 {
			t.Fatalf("fwtool stm32image: %s", stderr)
		}
		sameFile(t, ours2, ref)
		// ls and mkimage -l both list it as mkimage -l does.
		want, _ := exec.Command(mkimage, "-l", ref).CombinedOutput()
		for _, cmd := range [][]string{{"ls", ours}, {"mkimage", "-l", ours}, {"mkimage", "-T", "stm32image", "-l", ours}} {
			if code, stdout, stderr := fwtoolIn(cmd...); code != 0 || stdout != string(want) {
				t.Errorf("fwtool %v: exit %d %s\n%s\nwant\n%s", cmd, code, stderr, stdout, want)
			}
		}
	}
}

func TestStm32imageV2AndErrors(t *testing.T) {
	dir := t.TempDir()
	payload := filepath.Join(dir, "bl2.bin")
	if err := os.WriteFile(payload, []byte("tf-a bl2 payload"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "bl2.stm32")
	code, stdout, stderr := fwtoolIn("stm32image", "-v", "2", "-a", "0x2ffe0000", "-binary-type", "0x10", "-image-version", "3", "-d", payload, out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"STM32 V2.0", "Image Size   : 16 bytes", "Extension    : 0x80000000", "Version      : 0x00000003", "(TF-A BL2)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("listing lacks %q:\n%s", want, stdout)
		}
	}
	img, _ := os.ReadFile(out)
	if len(img) != 512+16 || img[0x6c] != 0x10 || img[0x4a] != 2 {
		t.Errorf("v2 image wrong: %d bytes, binary type 0x%x, major %d", len(img), img[0x6c], img[0x4a])
	}

	empty := filepath.Join(dir, "empty.bin")
	os.WriteFile(empty, nil, 0o644)
	corrupt := filepath.Join(dir, "corrupt.stm32")
	bad := append([]byte(nil), img...)
	bad[600-80]++
	os.WriteFile(corrupt, bad, 0o644)

	code, _, stderr = fwtoolIn("stm32image", "-a", "0", "-d", empty, filepath.Join(dir, "x"))
	oneLineError(t, "empty payload", code, stderr, empty, "empty")
	code, _, stderr = fwtoolIn("stm32image", "-v", "3", "-a", "0", "-d", payload, filepath.Join(dir, "x"))
	oneLineError(t, "version 3", code, stderr, "header version 3")
	code, _, stderr = fwtoolIn("stm32image", "-a", "zz", "-d", payload, filepath.Join(dir, "x"))
	oneLineError(t, "bad address", code, stderr, "-a", "zz")
	code, _, stderr = fwtoolIn("mkimage", "-T", "stm32image", "-a", "100000000", "-d", payload, filepath.Join(dir, "x"))
	oneLineError(t, "address too wide", code, stderr, "-a", "32-bit")
	code, _, stderr = fwtoolIn("ls", corrupt)
	oneLineError(t, "corrupt", code, stderr, corrupt, "image_checksum")
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Error("a failed run left an output file")
	}
	if code, stdout, _ := fwtoolIn("stm32image", "--help"); code != 0 || !strings.Contains(stdout, "usage") {
		t.Errorf("--help: exit %d", code)
	}
}

// dk2Dir is where tools/bootstrap/fetch-debs.sh unpacked Debian's
// u-boot-stm32 (armhf) files for the STM32MP157C-DK2.
func dk2Dir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("RULES_FIRMWARE_DEBS")
	if root == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			base = filepath.Join(home, ".cache")
		}
		root = filepath.Join(base, "rules_firmware", "debs")
	}
	dir := filepath.Join(root, "u-boot-stm32", "usr", "lib", "u-boot", "stm32mp157c-dk2")
	if _, err := os.Stat(filepath.Join(dir, "u-boot-spl.stm32")); err != nil {
		t.Fatalf("Debian u-boot-stm32 (armhf) not unpacked; run tools/bootstrap/fetch-debs.sh u-boot-stm32:armhf or set RULES_FIRMWARE_DEBS: %v", err)
	}
	return dir
}

// TestDK2RoundTripThroughCommandLine rebuilds both DK2 boot files from
// their payloads with the command lines U-Boot's build uses, taking every
// field from the shipped headers: the SPL with -T stm32image, u-boot.img
// as a legacy uImage (firmware, U-Boot OS, ARM, header time from
// SOURCE_DATE_EPOCH).
func TestDK2RoundTripThroughCommandLine(t *testing.T) {
	dir := dk2Dir(t)
	tmp := t.TempDir()

	spl, err := os.ReadFile(filepath.Join(dir, "u-boot-spl.stm32"))
	if err != nil {
		t.Fatal(err)
	}
	splPayload := filepath.Join(tmp, "u-boot-spl.bin")
	os.WriteFile(splPayload, spl[256:], 0o644)
	load := fmt.Sprintf("%x", uint32(spl[0x58])|uint32(spl[0x59])<<8|uint32(spl[0x5a])<<16|uint32(spl[0x5b])<<24)
	entry := fmt.Sprintf("%x", uint32(spl[0x50])|uint32(spl[0x51])<<8|uint32(spl[0x52])<<16|uint32(spl[0x53])<<24)
	splOut := filepath.Join(tmp, "u-boot-spl.stm32")
	if code, _, stderr := fwtoolIn("mkimage", "-T", "stm32image", "-a", load, "-e", entry, "-d", splPayload, splOut); code != 0 {
		t.Fatal(stderr)
	}
	sameFile(t, splOut, filepath.Join(dir, "u-boot-spl.stm32"))

	img, err := os.ReadFile(filepath.Join(dir, "u-boot.img"))
	if err != nil {
		t.Fatal(err)
	}
	be32 := func(off int) uint32 {
		return uint32(img[off])<<24 | uint32(img[off+1])<<16 | uint32(img[off+2])<<8 | uint32(img[off+3])
	}
	if be32(0) != 0x27051956 || img[28] != 17 || img[29] != 2 || img[30] != 5 || img[31] != 0 {
		t.Fatalf("u-boot.img is not an uncompressed ARM U-Boot firmware uImage: % x", img[:32])
	}
	name := string(bytes.TrimRight(img[32:64], "\x00"))
	imgPayload := filepath.Join(tmp, "u-boot-nodtb.bin")
	os.WriteFile(imgPayload, img[64:], 0o644)
	imgOut := filepath.Join(tmp, "u-boot.img")
	t.Setenv("SOURCE_DATE_EPOCH", fmt.Sprint(be32(8)))
	code, _, stderr := fwtoolIn("mkimage", "-A", "arm", "-T", "firmware", "-C", "none", "-O", "u-boot",
		"-a", fmt.Sprintf("0x%x", be32(16)), "-e", fmt.Sprintf("0x%x", be32(20)), "-n", name, "-d", imgPayload, imgOut)
	if code != 0 {
		t.Fatal(stderr)
	}
	sameFile(t, imgOut, filepath.Join(dir, "u-boot.img"))
}

// TestStm32imageV2MkimageType checks -T stm32imagev2 (newer mkimage's type
// for the STM32MP13, used by U-Boot's binman descriptions) against the v2
// layout written by fwtool stm32image with default fields.
func TestStm32imageV2MkimageType(t *testing.T) {
	dir := t.TempDir()
	payload := filepath.Join(dir, "spl.bin")
	os.WriteFile(payload, []byte("mp13 spl"), 0o644)
	a, b := filepath.Join(dir, "a.stm32"), filepath.Join(dir, "b.stm32")
	if code, _, stderr := fwtoolIn("mkimage", "-T", "stm32imagev2", "-a", "0x2ffe0000", "-e", "0x2ffe0000", "-d", payload, a); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := fwtoolIn("stm32image", "-q", "-v", "2", "-a", "2ffe0000", "-d", payload, b); code != 0 {
		t.Fatal(stderr)
	}
	sameFile(t, a, b)
	img, _ := os.ReadFile(a)
	if len(img) != 512+8 || img[0x4a] != 2 || img[0x80] != 'S' || img[0x81] != 'T' || img[0x82] != 0xff || img[0x83] != 0xff {
		t.Errorf("not a v2 image with the padding extension: % x", img[0x40:0x88])
	}
}
