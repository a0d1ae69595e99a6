package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tests of `fwtool cpio` (and ls/extract of its archives) and `fwtool kmod`
// errors, as the initramfs and kernel_modules rules call them.

func TestCpioListExtractCompressed(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.WriteFile(data, []byte("payload\n"), 0o644)
	for _, comp := range []string{"none", "gzip", "xz", "lz4", "zstd"} {
		out := filepath.Join(dir, "a-"+comp)
		code, _, stderr := fsRun("cpio", "--output", out, "--compress", comp, "--mtime", "0",
			"--file", "etc/data="+data+":0600", "--hardlink", "bin/data=etc/data", "--symlink", "bin/sh=busybox",
			"--node", "dev/console=c:5:1")
		if code != 0 {
			t.Fatalf("%s: cpio: %s", comp, stderr)
		}
		code, stdout, stderr := fsRun("ls", out)
		if code != 0 {
			t.Fatalf("%s: ls: %s", comp, stderr)
		}
		for _, want := range []string{"newc cpio archive", "crw-------   1 0/0        5,1 1970-01-01 00:00 dev/console",
			"lrwxrwxrwx   1 0/0          7 1970-01-01 00:00 bin/sh -> busybox", "-rw-------   2 0/0          8 1970-01-01 00:00 etc/data"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%s: ls output lacks %q:\n%s", comp, want, stdout)
			}
		}
		// bin/data is the first name of the pair: its data comes with etc/data.
		got := filepath.Join(dir, "got-"+comp)
		if code, _, stderr := fsRun("extract", "-i", out, "-f", got, "bin/data"); code != 0 {
			t.Fatalf("%s: extract: %s", comp, stderr)
		}
		if b, _ := os.ReadFile(got); string(b) != "payload\n" {
			t.Errorf("%s: extracted %q", comp, b)
		}
	}
}

func TestCpioErrors(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "list")
	os.WriteFile(list, []byte("dir /dev 0755 0 0\nfile /init init.sh 0755 0 0\n"), 0o644)
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--compress", "lzo", "--dir", "x"}, []string{"--compress: compression \"lzo\" is not one of"}},
		{[]string{"--list", list, "--map-only"}, []string{list + ":2: location \"init.sh\": not one of the files given with the list"}},
		{[]string{"--list", list, "--list-root", dir}, []string{list + ":2:", "init.sh"}},
		{[]string{"--hardlink", "a=b", "--dir", "c"}, []string{"'/a': hard link to '/b', which is not in the archive"}},
		{[]string{"--dir", "a", "--dir", "a"}, []string{"'/a': given twice"}},
	} {
		code, _, stderr := fsRun(append([]string{"cpio", "--output", out}, tc.args...)...)
		fsFailsOneLine(t, strings.Join(tc.args, " "), code, stderr, tc.want...)
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: output written despite the error", tc.args)
		}
	}
}

// A gen_init_cpio list and tree entries below its directories combine:
// the list's dev is not written again as the tree's parent.
func TestCpioListPlusTree(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "list")
	os.WriteFile(list, []byte("dir /dev 0755 0 0\n"), 0o644)
	out := filepath.Join(dir, "out")
	code, _, stderr := fsRun("cpio", "--output", out, "--list", list, "--node", "dev/console=c:5:1", "--dir", "proc")
	if code != 0 {
		t.Fatal(stderr)
	}
	_, stdout, _ := fsRun("ls", out)
	if strings.Count(stdout, " dev\n") != 1 || !strings.Contains(stdout, "dev/console") || !strings.Contains(stdout, "3 entries") {
		t.Errorf("listing:\n%s", stdout)
	}
	code, _, stderr = fsRun("cpio", "--output", out, "--list", list, "--dir", "dev")
	fsFailsOneLine(t, "dev twice", code, stderr, "'/dev' is already in the archive ("+list+":1)")
}

func TestKmodErrors(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := fsRun("kmod", "--moddir", dir, "--output", filepath.Join(dir, "o"), "squashfs")
	fsFailsOneLine(t, "empty tree", code, stderr, "no .ko files")
	code, _, stderr = fsRun("kmod", "--moddir", dir)
	fsFailsOneLine(t, "no module", code, stderr, "at least one MODULE")
}
