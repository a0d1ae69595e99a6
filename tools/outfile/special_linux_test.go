//go:build linux

package outfile

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Writing to a FIFO (as to /dev/null or /dev/stdout) goes through it and
// leaves the special file in place: a rename would replace it with a file.
func TestWriteThroughSpecialFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(p)
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	// Writers seek and truncate (image writers lay data out by offset);
	// that must work through a pipe too.
	err := Write(p, 0o644, func(f *os.File) error {
		if err := f.Truncate(7); err != nil {
			return err
		}
		_, err := f.WriteAt([]byte("through"), 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through" {
		t.Fatalf("reader got %q", s)
	}
	st, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("%s is no longer a FIFO: mode %v", p, st.Mode())
	}
}
