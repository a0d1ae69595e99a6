//go:build linux

package outfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func withUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// New outputs get 0666 / 0777 less the umask, as open(2) and mkdir(2)
// give them; an output rewritten in place keeps its mode.
func TestModesFollowUmask(t *testing.T) {
	for _, tc := range []struct {
		umask     int
		file, dir os.FileMode
	}{
		{0o077, 0o600, 0o700},
		{0o022, 0o644, 0o755},
		{0o002, 0o664, 0o775},
	} {
		withUmask(t, tc.umask)
		dir := t.TempDir()
		out := filepath.Join(dir, "out")
		b := NewBatch()
		if err := b.WriteBytesIn(out, "sub/x", "Entry 'x'", []byte("x")); err != nil {
			t.Fatal(err)
		}
		if err := b.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := WriteBytes(filepath.Join(dir, "plain"), nil); err != nil {
			t.Fatal(err)
		}
		for p, want := range map[string]os.FileMode{
			filepath.Join(out, "sub", "x"): tc.file,
			filepath.Join(dir, "plain"):    tc.file,
			filepath.Join(out, "sub"):      tc.dir,
			out:                            tc.dir,
		} {
			if got := mode(t, p); got != want {
				t.Errorf("umask %03o: %s mode %03o, want %03o", tc.umask, p, got, want)
			}
		}
	}
}

func TestExistingOutputKeepsMode(t *testing.T) {
	withUmask(t, 0o022)
	p := filepath.Join(t.TempDir(), "ctl.dtb")
	if err := os.WriteFile(p, []byte("key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(p, []byte("key and more")); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, p); got != 0o600 {
		t.Fatalf("rewritten 0600 file now %03o", got)
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(p, nil); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, p); got != 0o640 {
		t.Fatalf("rewritten 0640 file now %03o", got)
	}
}
