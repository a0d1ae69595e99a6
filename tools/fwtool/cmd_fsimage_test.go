package main

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Tests of `fwtool vfat` and `fwtool squashfs` as the Starlark rules call
// them, checked with fsck.vfat, mtools and unsquashfs.

func fsRun(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// fsTool finds a reference tool, also in sbin (fsck.vfat lives there and
// sbin is not always on a test's PATH).
func fsTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err == nil && !st.IsDir() {
			return filepath.Join(dir, name)
		}
	}
	t.Fatalf("%s (Debian package %s) is needed for this oracle test", name, debianPackage)
	return ""
}

func fsFailsOneLine(t *testing.T, what string, code int, stderr string, fragments ...string) {
	t.Helper()
	if code == 0 {
		t.Errorf("%s: exit 0, want failure", what)
		return
	}
	if strings.Count(stderr, "\n") != 1 {
		t.Errorf("%s: stderr is not one line: %q", what, stderr)
	}
	for _, f := range fragments {
		if !strings.Contains(stderr, f) {
			t.Errorf("%s: stderr %q lacks %q", what, stderr, f)
		}
	}
}

func writeInputs(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func randomBytes(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func TestVfatCommandBootfs(t *testing.T) {
	in := writeInputs(t, map[string][]byte{
		"extlinux.conf": []byte("menu title boot\nlabel stm32mp157c-dk2\n  kernel /zImage\n  fdtdir /\n  append root=/dev/mmcblk0p5 rootwait\n"),
		"zImage":        randomBytes(700000, 1),
		"dk2.dtb":       randomBytes(60000, 2),
		"uEnv.txt":      []byte("x=1\n"),
	})
	manifest := filepath.Join(in, "m.json")
	os.WriteFile(manifest, []byte(fmt.Sprintf(`{"entries": [{"path": "uEnv.txt", "src": %q}, {"path": "overlays", "type": "dir"}]}`, filepath.Join(in, "uEnv.txt"))), 0o644)
	out := t.TempDir()
	img := filepath.Join(out, "bootfs.vfat")
	args := []string{"vfat", "--output", img, "--size", "32M", "--label", "bootfs", "--mtime", "1700000000",
		"--file", "extlinux/extlinux.conf=" + filepath.Join(in, "extlinux.conf"),
		"--file", "zImage=" + filepath.Join(in, "zImage"),
		"--file", "stm32mp157c-dk2.dtb=" + filepath.Join(in, "dk2.dtb"),
		"--manifest", manifest}
	if code, _, stderr := fsRun(args...); code != 0 {
		t.Fatalf("fwtool vfat: %d %s", code, stderr)
	}
	msg, err := exec.Command(fsTool(t, "fsck.vfat", "dosfstools"), "-n", img).CombinedOutput()
	if lines := strings.Split(strings.TrimSpace(string(msg)), "\n"); err != nil || len(lines) != 2 {
		t.Fatalf("fsck.vfat -n: %v\n%s", err, msg)
	}
	mcopy := fsTool(t, "mcopy", "mtools")
	for dest, src := range map[string]string{"extlinux/extlinux.conf": "extlinux.conf", "zImage": "zImage", "stm32mp157c-dk2.dtb": "dk2.dtb", "uEnv.txt": "uEnv.txt"} {
		got := filepath.Join(out, "got")
		os.Remove(got)
		if msg, err := exec.Command(mcopy, "-n", "-i", img, "::/"+dest, got).CombinedOutput(); err != nil {
			t.Fatalf("mcopy %s: %v\n%s", dest, err, msg)
		}
		a, _ := os.ReadFile(got)
		b, _ := os.ReadFile(filepath.Join(in, src))
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: mcopy returns different bytes", dest)
		}
	}
	msg, err = exec.Command(fsTool(t, "mdir", "mtools"), "-i", img, "::/").CombinedOutput()
	if err != nil || !strings.Contains(string(msg), "BOOTFS") || !strings.Contains(string(msg), "overlays") {
		t.Fatalf("mdir: %v\n%s", err, msg)
	}

	// Same command again: same bytes.
	first, _ := os.ReadFile(img)
	if code, _, stderr := fsRun(args...); code != 0 {
		t.Fatal(stderr)
	}
	second, _ := os.ReadFile(img)
	if !bytes.Equal(first, second) {
		t.Fatal("rebuilding the same image gave different bytes")
	}

	code, stdout, stderr := fsRun("ls", img)
	if code != 0 || !strings.Contains(stdout, "FAT16") || !strings.Contains(stdout, "extlinux/extlinux.conf") || !strings.Contains(stdout, "700000") {
		t.Fatalf("fwtool ls: %d\n%s%s", code, stdout, stderr)
	}
	got := filepath.Join(out, "x.dtb")
	if code, _, stderr := fsRun("extract", "-i", img, "-f", got, "stm32mp157c-dk2.dtb"); code != 0 {
		t.Fatal(stderr)
	}
	a, _ := os.ReadFile(got)
	b, _ := os.ReadFile(filepath.Join(in, "dk2.dtb"))
	if !bytes.Equal(a, b) {
		t.Fatal("fwtool extract returned different bytes")
	}
}

func TestVfatCommandErrors(t *testing.T) {
	in := writeInputs(t, map[string][]byte{"big": randomBytes(3<<20, 3)})
	out := filepath.Join(t.TempDir(), "o.img")
	code, stdout, _ := fsRun("vfat", "--help")
	if code != 0 || !strings.Contains(stdout, "usage: fwtool vfat") {
		t.Errorf("--help: %d %q", code, stdout)
	}
	code, _, stderr := fsRun("vfat", "--output", out, "--size", "1M", "--file", "a/b=/nonexistent-input")
	fsFailsOneLine(t, "missing input", code, stderr, "o.img", "'/a/b'")
	code, _, stderr = fsRun("vfat", "--output", out, "--size", "2M", "--file", "big="+filepath.Join(in, "big"))
	fsFailsOneLine(t, "too small", code, stderr, "Node '/big'", "image full")
	code, _, stderr = fsRun("vfat", "--output", out, "--size", "8M", "--fat", "32")
	fsFailsOneLine(t, "FAT32 too small", code, stderr, "FAT32")
	code, _, stderr = fsRun("vfat", "--output", out, "--size", "lots")
	fsFailsOneLine(t, "bad size", code, stderr, "--size")
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed run left an output file")
	}
}

func TestSquashfsCommandRootfs(t *testing.T) {
	initScript := "#!/bin/sh\nmount -t proc proc /proc\nmount -t sysfs sys /sys\nexec /bin/sh\n"
	in := writeInputs(t, map[string][]byte{
		"busybox": randomBytes(900000, 4),
		"init":    []byte(initScript),
	})
	manifest := filepath.Join(in, "m.json")
	os.WriteFile(manifest, []byte(`{"entries": [
		{"path": "bin/ls", "type": "symlink", "target": "busybox"},
		{"path": "etc", "type": "dir", "mode": "0755"},
		{"path": "dev/null", "type": "char", "major": 1, "minor": 3, "mode": "0666"}]}`), 0o644)
	unsquashfs := fsTool(t, "unsquashfs", "squashfs-tools")
	for _, comp := range []string{"gzip", "xz", "lz4", "zstd"} {
		img := filepath.Join(t.TempDir(), "rootfs."+comp)
		args := []string{"squashfs", "--output", img, "--comp", comp, "--mtime", "1700000000",
			"--file", "bin/busybox=" + filepath.Join(in, "busybox") + ":0755",
			"--symlink", "bin/sh=busybox",
			"--file", "init=" + filepath.Join(in, "init") + ":0755",
			"--dir", "proc:0555", "--dir", "sys:0555", "--dir", "dev",
			"--node", "dev/console=c:5:1:0600",
			"--manifest", manifest}
		if code, _, stderr := fsRun(args...); code != 0 {
			t.Fatalf("%s: %s", comp, stderr)
		}
		lls := exec.Command(unsquashfs, "-lls", "-d", "R", img)
		lls.Env = append(os.Environ(), "TZ=UTC") // it prints local time
		msg, err := lls.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: unsquashfs -lls: %v\n%s", comp, err, msg)
		}
		for _, want := range []string{
			"-rwxr-xr-x root/root            900000 2023-11-14 22:13 R/bin/busybox",
			"lrwxrwxrwx root/root                 7 2023-11-14 22:13 R/bin/sh -> busybox",
			"lrwxrwxrwx root/root                 7 2023-11-14 22:13 R/bin/ls -> busybox",
			"crw------- root/root             5,  1 2023-11-14 22:13 R/dev/console",
			"crw-rw-rw- root/root             1,  3 2023-11-14 22:13 R/dev/null",
			"dr-xr-xr-x root/root                 3 2023-11-14 22:13 R/proc",
			fmt.Sprintf("-rwxr-xr-x root/root %17d 2023-11-14 22:13 R/init", len(initScript)),
		} {
			if !strings.Contains(string(msg), want+"\n") {
				t.Errorf("%s: unsquashfs -lls lacks %q:\n%s", comp, want, msg)
			}
		}
		dst := filepath.Join(t.TempDir(), "x")
		if msg, err := exec.Command(unsquashfs, "-excludes", "-d", dst, img, "dev/console", "dev/null").CombinedOutput(); err != nil {
			t.Fatalf("%s: unsquashfs -d: %v\n%s", comp, err, msg)
		}
		for _, name := range []string{"busybox", "init"} {
			a, _ := os.ReadFile(filepath.Join(in, name))
			p := filepath.Join(dst, name)
			if name == "busybox" {
				p = filepath.Join(dst, "bin", name)
			}
			b, err := os.ReadFile(p)
			st, _ := os.Stat(p)
			if err != nil || !bytes.Equal(a, b) || st.Mode().Perm() != 0o755 {
				t.Errorf("%s: extracted %s differs or has mode %v (%v)", comp, name, st.Mode(), err)
			}
		}
		code, stdout, stderr := fsRun("ls", img)
		if code != 0 || !strings.Contains(stdout, "squashfs 4.0, "+comp) || !strings.Contains(stdout, "/bin/sh -> busybox") {
			t.Fatalf("fwtool ls: %d\n%s%s", code, stdout, stderr)
		}
	}
}

func TestSquashfsCommandErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "o.img")
	code, stdout, _ := fsRun("squashfs", "--help")
	if code != 0 || !strings.Contains(stdout, "usage: fwtool squashfs") {
		t.Errorf("--help: %d %q", code, stdout)
	}
	code, _, stderr := fsRun("squashfs", "--output", out, "--comp", "lzma")
	fsFailsOneLine(t, "bad compressor", code, stderr, "o.img", "lzma")
	code, _, stderr = fsRun("squashfs", "--output", out, "--node", "dev/x=q:1:2")
	fsFailsOneLine(t, "bad node", code, stderr, "dev/x")
	code, _, stderr = fsRun("squashfs", "--output", out, "--file", "a=/nonexistent-input", "--symlink", "a/b=c")
	fsFailsOneLine(t, "entry below a file", code, stderr, "'/a/b'", "not a directory")
	code, _, stderr = fsRun("squashfs", "--output", out, "--block-size", "3000")
	fsFailsOneLine(t, "bad block size", code, stderr, "block size 3000")
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed run left an output file")
	}
}

// TestFsSourceDateEpoch: without --mtime, SOURCE_DATE_EPOCH stamps the
// image; with neither, the time is fixed (never the clock).
func TestFsSourceDateEpoch(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "r.squashfs")
	t.Setenv("SOURCE_DATE_EPOCH", "1234567890")
	if code, _, stderr := fsRun("squashfs", "--output", img, "--dir", "etc"); code != 0 {
		t.Fatal(stderr)
	}
	b, _ := os.ReadFile(img)
	if got := uint32(b[8]) | uint32(b[9])<<8 | uint32(b[10])<<16 | uint32(b[11])<<24; got != 1234567890 {
		t.Fatalf("superblock mtime %d, want SOURCE_DATE_EPOCH 1234567890", got)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "")
	if code, _, stderr := fsRun("squashfs", "--output", img, "--dir", "etc"); code != 0 {
		t.Fatal(stderr)
	}
	b, _ = os.ReadFile(img)
	if got := uint32(b[8]) | uint32(b[9])<<8 | uint32(b[10])<<16 | uint32(b[11])<<24; got != 0 {
		t.Fatalf("superblock mtime %d without any epoch, want 0", got)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	code, _, stderr := fsRun("vfat", "--output", img, "--size", "1M")
	fsFailsOneLine(t, "bad SOURCE_DATE_EPOCH", code, stderr, "yesterday")
}

// TestVfatSparseInput: zero runs of an input are not written, so a
// mostly-empty input leaves the image mostly unallocated.
func TestVfatSparseInput(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "sparse.bin")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(64 << 20)
	f.WriteAt([]byte("end"), 64<<20-3)
	f.Close()
	img := filepath.Join(dir, "fat.img")
	if code, _, stderr := fsRun("vfat", "--output", img, "--size", "600M", "--file", "sparse.bin="+src); code != 0 {
		t.Fatal(stderr)
	}
	st, err := os.Stat(img)
	if err != nil {
		t.Fatal(err)
	}
	if alloc := fsAllocated(st); alloc > 16<<20 {
		t.Fatalf("600 MiB image with a 64 MiB hole-filled file allocates %d bytes", alloc)
	}
	msg, err := exec.Command(fsTool(t, "fsck.vfat", "dosfstools"), "-n", img).CombinedOutput()
	if err != nil || strings.Count(strings.TrimSpace(string(msg)), "\n") != 1 {
		t.Fatalf("fsck.vfat -n: %v\n%s", err, msg)
	}
}

func TestFsSafeJoinAndMatch(t *testing.T) {
	for _, bad := range []string{"../x", "a/../../x", "a//b", "./a", "a\\b"} {
		if _, err := fsSafeJoin("out", bad); err == nil {
			t.Errorf("fsSafeJoin accepted %q", bad)
		}
	}
	if p, err := fsSafeJoin("out", "a/b"); err != nil || p != filepath.Join("out", "a", "b") {
		t.Errorf("fsSafeJoin(a/b) = %q, %v", p, err)
	}
	cases := []struct {
		path     string
		patterns []string
		want     bool
	}{
		{"boot/zImage", nil, true},
		{"boot/zImage", []string{"/boot"}, true},
		{"boot/zImage", []string{"boot/*"}, true},
		{"boot/zImage", []string{"*.dtb"}, false},
		{"x.dtb", []string{"*.dtb"}, true},
		{"bootfs/x", []string{"boot"}, false},
	}
	for _, c := range cases {
		if got := fsMatch(c.path, c.patterns); got != c.want {
			t.Errorf("fsMatch(%q, %q) = %v", c.path, c.patterns, got)
		}
	}
}

func TestSquashfsExtractDir(t *testing.T) {
	in := writeInputs(t, map[string][]byte{"a": []byte("A"), "b": []byte("B")})
	img := filepath.Join(t.TempDir(), "r.squashfs")
	if code, _, stderr := fsRun("squashfs", "--output", img, "--file", "etc/a="+filepath.Join(in, "a")+":0600",
		"--file", "etc/sub/b="+filepath.Join(in, "b"), "--file", "other="+filepath.Join(in, "b")); code != 0 {
		t.Fatal(stderr)
	}
	out := t.TempDir()
	if code, _, stderr := fsRun("extract", "-i", img, "-O", out, "etc"); code != 0 {
		t.Fatal(stderr)
	}
	a, err := os.ReadFile(filepath.Join(out, "etc", "a"))
	st, _ := os.Stat(filepath.Join(out, "etc", "a"))
	b, _ := os.ReadFile(filepath.Join(out, "etc", "sub", "b"))
	if err != nil || string(a) != "A" || string(b) != "B" || st.Mode().Perm() != 0o600 {
		t.Fatalf("extracted a=%q b=%q mode %v (%v)", a, b, st.Mode(), err)
	}
	if _, err := os.Stat(filepath.Join(out, "other")); err == nil {
		t.Fatal("extract took a file outside the pattern")
	}
	code, _, stderr := fsRun("extract", "-i", img, "-O", out, "nothing-here")
	fsFailsOneLine(t, "no match", code, stderr, "nothing-here")
}
