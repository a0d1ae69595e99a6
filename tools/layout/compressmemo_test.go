package layout

import (
	"bytes"
	"runtime"
	"testing"
)

// A compressed section reuses its last compression only for identical
// data: changed children (an fdtmap filled in after packing) must reach
// the compressed bytes.
func TestCompressContentsFollowsChangedData(t *testing.T) {
	s := &Section{}
	s.compress = "lz4"
	first := bytes.Repeat([]byte("first data "), 10000)
	second := append(append([]byte(nil), first...), "changed"...)
	for _, data := range [][]byte{first, first, second, first} {
		got, err := s.compressContents(bytesContent(data))
		if err != nil {
			t.Fatal(err)
		}
		gotBytes, err := got.render()
		if err != nil {
			t.Fatal(err)
		}
		if want := lz4FrameLevel5(data); !bytes.Equal(gotBytes, want) {
			t.Fatalf("compressed %d bytes: got %d bytes, want %d", len(data), len(gotBytes), len(want))
		}
		if s.uncompSize != uint64(len(data)) {
			t.Fatalf("uncompSize %d, want %d", s.uncompSize, len(data))
		}
	}
}

// Blocks are compressed concurrently; the frame must not depend on how
// many workers ran.
func TestLz4FrameIndependentOfWorkers(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 5*lz4BlockSize/16+7)
	for i := 0; i < len(data); i += 97 {
		data[i] ^= byte(i)
	}
	parallel := lz4FrameLevel5(data)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if serial := lz4FrameLevel5(data); !bytes.Equal(parallel, serial) {
		t.Fatalf("frame differs with one worker: %d vs %d bytes", len(serial), len(parallel))
	}
}
