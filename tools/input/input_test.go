package input

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRegularFileCheckedBySize(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	f, _ := os.Create(p)
	f.Truncate(5 << 30) // sparse: reading it would take 5 GiB
	f.Close()
	_, err := ReadFile(p, 4<<30-1, "a 32-bit length")
	if !IsTooLarge(err) || !strings.Contains(err.Error(), "5368709120 bytes") || !strings.Contains(err.Error(), "32-bit") {
		t.Fatalf("err = %v", err)
	}
	os.WriteFile(p, []byte("abc"), 0o644)
	b, err := ReadFile(p, 3, "")
	if err != nil || string(b) != "abc" {
		t.Fatalf("ReadFile = %q, %v", b, err)
	}
}

func TestDevicesRefused(t *testing.T) {
	for _, dev := range []string{"/dev/zero", "/dev/urandom"} {
		if _, err := ReadFile(dev, 1<<20, ""); err == nil || !strings.Contains(err.Error(), "character device") {
			t.Errorf("%s: err = %v", dev, err)
		}
	}
	if _, err := ReadFile(t.TempDir(), 10, ""); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: %v", err)
	}
}

func TestFIFOWithoutWriterDoesNotHang(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	mkfifo(t, p)
	done := make(chan error, 1)
	go func() {
		b, err := ReadFile(p, 100, "")
		if err == nil && len(b) != 0 {
			err = os.ErrInvalid
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO without a writer hangs")
	}
}

func TestPipeBounded(t *testing.T) {
	r, w, _ := os.Pipe()
	go func() {
		chunk := make([]byte, 4096)
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}()
	defer r.Close()
	_, err := Read("-", r, 1<<20, "the test's limit")
	if !IsTooLarge(err) || !strings.Contains(err.Error(), "more than 1 MiB") {
		t.Fatalf("endless pipe: %v", err)
	}
	b, err := Read("x", bytes.NewReader([]byte("12345")), 5, "")
	if err != nil || string(b) != "12345" {
		t.Fatalf("Read = %q %v", b, err)
	}
	if _, err := Read("x", bytes.NewReader([]byte("123456")), 5, ""); !IsTooLarge(err) {
		t.Fatalf("6 bytes over a 5-byte limit: %v", err)
	}
}

func TestStdinDeviceRefused(t *testing.T) {
	f, err := os.Open("/dev/zero")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := Read("-", f, 1<<40, ""); err == nil || !strings.Contains(err.Error(), "character device") {
		t.Fatalf("stdin /dev/zero: %v", err)
	}
}

// TestMapLikeReadFile: Map gives ReadFile's bytes and errors, whether it
// maps (a file of mapMin bytes or more) or reads (smaller files, pipes).
func TestMapLikeReadFile(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 3, mapMin - 1, mapMin, 3*mapMin + 5} {
		p := filepath.Join(dir, "f")
		want := bytes.Repeat([]byte{byte(size), 7, 9}, size/3+1)[:size]
		if err := os.WriteFile(p, want, 0o644); err != nil {
			t.Fatal(err)
		}
		got, release, err := Map(p, int64(size), "")
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("Map of %d bytes: %d bytes, %v", size, len(got), err)
		}
		release()
		if size > 0 {
			_, _, err := Map(p, int64(size-1), "a test limit")
			_, rerr := ReadFile(p, int64(size-1), "a test limit")
			if !IsTooLarge(err) || err.Error() != rerr.Error() {
				t.Fatalf("Map over the limit: %v, ReadFile: %v", err, rerr)
			}
		}
	}
	if _, _, err := Map("/dev/zero", 1<<20, ""); err == nil || !strings.Contains(err.Error(), "character device") {
		t.Errorf("/dev/zero: err = %v", err)
	}
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	if b, _, err := Map(fifo, 10, ""); err != nil || len(b) != 0 {
		t.Errorf("FIFO without writer: %q, %v", b, err)
	}
}
