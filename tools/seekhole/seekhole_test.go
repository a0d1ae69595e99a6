package seekhole

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// A file that starts with data: SEEK_DATA from 0 is 0 and SEEK_HOLE lies
// at or after the data on every filesystem that answers at all. Swapped
// whence values (macOS numbers them the other way round) fail this.
func TestDataThenHole(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	const n = 3 << 16
	if err := os.WriteFile(p, bytes.Repeat([]byte{1}, n), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := Data(f, 0)
	if runtime.GOOS == "windows" {
		if err == nil {
			t.Fatalf("Data on Windows = %d, want an error (no SEEK_DATA there)", d)
		}
		return
	}
	if err != nil {
		t.Fatalf("SEEK_DATA: %v", err)
	}
	if d != 0 {
		t.Errorf("SEEK_DATA from 0 = %d, want 0", d)
	}
	h, err := Hole(f, 0)
	if err != nil {
		t.Fatalf("SEEK_HOLE: %v", err)
	}
	if h != n {
		t.Errorf("SEEK_HOLE from 0 = %d, want %d (the end of the file)", h, n)
	}
}
