package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/elfgen"
)

func bootupRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	rc := run(args, &out, &errb)
	return out.String(), errb.String(), rc
}

func TestBootupCLIRoundTrip(t *testing.T) {
	dir := t.TempDir()
	app := filepath.Join(dir, "app.bin")
	os.WriteFile(app, bytes.Repeat([]byte{0x5a}, 1024), 0o644)
	img := filepath.Join(dir, "app.img")
	if _, e, rc := bootupRun(t, "bootup", "create", "-o", img, "--signature", "0x0102", "--load", "0x08000000", "--header-offset", "0x200", app); rc != 0 {
		t.Fatal(e)
	}
	out, e, rc := bootupRun(t, "ls", img)
	if rc != 0 || !strings.Contains(out, "BootUp application image (valid)") || !strings.Contains(out, "embedded at 0x200") || !strings.Contains(out, "Signature:    0201000000000000") {
		t.Fatalf("ls: %s%s", out, e)
	}
	inv := filepath.Join(dir, "inv.img")
	if _, e, rc := bootupRun(t, "bootup", "invalidate", "-o", inv, img); rc != 0 {
		t.Fatal(e)
	}
	if out, _, _ := bootupRun(t, "ls", inv); !strings.Contains(out, "(invalidated)") {
		t.Fatalf("ls invalidated: %s", out)
	}
	if _, e, rc := bootupRun(t, "bootup", "verify", inv); rc != 1 || strings.Count(e, "\n") != 1 || !strings.Contains(e, "invalidated") {
		t.Fatalf("verify invalidated: rc %d %q", rc, e)
	}
}

func TestBootupCLIFromELF(t *testing.T) {
	dir := t.TempDir()
	elfPath := filepath.Join(dir, "app.elf")
	text := bytes.Repeat([]byte{0x11}, 0x300)
	os.WriteFile(elfPath, elfgen.Build(false, 0x08000000, text, nil), 0o644)
	img := filepath.Join(dir, "app.img")
	if _, e, rc := bootupRun(t, "bootup", "create", "-o", img, "--signature", "5", "--preamble", elfPath); rc != 0 {
		t.Fatal(e)
	}
	out, _, _ := bootupRun(t, "ls", img)
	if !strings.Contains(out, "Load address: 0x8000000") || !strings.Contains(out, "Body:         768 bytes") {
		t.Fatalf("ls: %s", out)
	}
}

// Bad input: one line on stderr, exit 1, no output file.
func TestBootupCLIBadInputLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	app := filepath.Join(dir, "app.bin")
	os.WriteFile(app, make([]byte, 5000), 0o644)
	data := filepath.Join(dir, "data.bin")
	os.WriteFile(data, []byte("data"), 0o644)
	bun := filepath.Join(dir, "good.bun")
	if _, e, rc := bootupRun(t, "bundle", "create", "-o", bun, "--signature", "9", "app="+app+":lz4", "data="+data); rc != 0 {
		t.Fatal(e)
	}
	good, _ := os.ReadFile(bun)
	corrupt := filepath.Join(dir, "corrupt.bun")
	bad := append([]byte(nil), good...)
	bad[len(bad)-9] ^= 0xff // inside app's lz4 data
	os.WriteFile(corrupt, bad, 0o644)
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bootup", "create", "-o", out, "--signature", "1", "--preamble", "--max-size", "4096", app}, "exceeds region size 4096"},
		{[]string{"bundle", "create", "-o", out, "--signature", "1", "app=" + app + ":lzo"}, `unknown compression "lzo"`},
		{[]string{"bundle", "extract", "-C", out, corrupt}, `file "app"`},
		{[]string{"bootup", "create", "-o", out, app}, "--signature is required"},
	} {
		os.MkdirAll(filepath.Dir(out), 0o755)
		_, e, rc := bootupRun(t, tc.args...)
		if rc != 1 || strings.Count(e, "\n") != 1 || !strings.Contains(e, tc.want) {
			t.Errorf("%v: rc %d, stderr %q, want %q", tc.args, rc, e, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: left output %s", tc.args, out)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 4 {
			t.Errorf("%v: directory has %d entries, want the 4 inputs", tc.args, len(ents))
		}
	}
	if _, e, rc := bootupRun(t, "bundle", "verify", corrupt); rc != 1 || !strings.Contains(e, "corrupt.bun") {
		t.Errorf("verify corrupt: %d %q", rc, e)
	}
	x := filepath.Join(dir, "x")
	os.Mkdir(x, 0o755)
	if _, e, rc := bootupRun(t, "bundle", "extract", "-C", x, bun); rc != 0 {
		t.Fatal(e)
	}
	if got, _ := os.ReadFile(filepath.Join(x, "app")); len(got) != 5000 {
		t.Fatalf("extracted app: %d bytes", len(got))
	}
}

// A bundle extract that fails on its second file leaves the directory as it
// was: the first file is not left behind.
func TestBundleExtractAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"a.bin": "first", "b.bin": "second"} {
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
	}
	bun := filepath.Join(dir, "x.bun")
	if _, e, rc := bootupRun(t, "bundle", "create", "-o", bun, "--signature", "1", "a="+filepath.Join(dir, "a.bin"), "b="+filepath.Join(dir, "b.bin")); rc != 0 {
		t.Fatal(e)
	}
	out := filepath.Join(dir, "out")
	os.MkdirAll(filepath.Join(out, "b", "busy"), 0o755) // a non-empty directory where file b goes
	if _, e, rc := bootupRun(t, "bundle", "extract", "-C", out, bun); rc == 0 || strings.Count(e, "\n") != 1 {
		t.Fatalf("extract over a directory: rc %d %q", rc, e)
	}
	if _, err := os.Stat(filepath.Join(out, "a")); err == nil {
		t.Fatal("a failed extract left the first file behind")
	}
}
