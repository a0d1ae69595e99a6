package layout

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// writeFill writes exactly n pad bytes at the offset, whatever n is next
// to its buffer and per-call sizes, and nothing else.
func TestWriteFillSizes(t *testing.T) {
	for _, n := range []uint64{1, fillChunk - 1, fillChunk, fillChunk + 1, fillCall + 3, 5*fillCall/2 + 1} {
		path := filepath.Join(t.TempDir(), "f")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := writeFill(f, 7, 0xa5, n); err != nil {
			t.Fatal(err)
		}
		// writeEach, pwritev's fallback, writes the same bytes after them.
		if err := writeEach(f, 7+n, bytes.Repeat([]byte{0x5a}, fillChunk), n); err != nil {
			t.Fatal(err)
		}
		f.Close()
		got, _ := os.ReadFile(path)
		want := append(make([]byte, 7), bytes.Repeat([]byte{0xa5}, int(n))...)
		want = append(want, bytes.Repeat([]byte{0x5a}, int(n))...)
		if !bytes.Equal(got, want) {
			t.Fatalf("fill of %d bytes: file of %d bytes differs", n, len(got))
		}
	}
}
