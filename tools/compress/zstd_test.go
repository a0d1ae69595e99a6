package compress

import (
	"bytes"
	"runtime/debug"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// TestZstdReuseMatchesFresh: an encoder taken back from the pool after
// other streams (large, small, empty) writes what a new encoder with the
// same options writes, so output never depends on what a process
// compressed before.
func TestZstdReuseMatchesFresh(t *testing.T) {
	// No GC while it runs: a collection empties the pool.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	inputs := [][]byte{
		firmwareLike(3 << 20),
		[]byte("short text short text short text"),
		nil,
		bytes.Repeat([]byte{0xa5, 0x5a, 1}, 300000),
		firmwareLike(700 << 10),
	}
	for round := 0; round < 2; round++ {
		for i, in := range inputs {
			got, err := Bytes("zstd", in)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			enc, err := zstd.NewWriter(&want, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithWindowSize(2<<20),
				zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(true), zstd.WithZeroFrames(true))
			if err != nil {
				t.Fatal(err)
			}
			enc.Write(in)
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("round %d input %d (%d bytes): pooled encoder wrote %d bytes, a new one %d", round, i, len(in), len(got), want.Len())
			}
			back, err := DecompressBytes("zstd", got)
			if err != nil || !bytes.Equal(back, in) {
				t.Errorf("round %d input %d: does not decompress to the input (%v)", round, i, err)
			}
		}
	}
	w, err := NewWriter("zstd", &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("Write after Close accepted")
	}
}
