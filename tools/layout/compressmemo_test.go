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

// The piece-list shortcut must not match a literal whose buffer was
// changed in place, nor a fill of another byte.
func TestCompressContentsPiecesShortcut(t *testing.T) {
	s := &Section{}
	s.compress = "lz4"
	buf := bytes.Repeat([]byte("abcd"), 1000)
	mk := func(fillByte byte) content {
		var c content
		c.addSource(0, literal(buf))
		c.addSource(uint64(len(buf)), fill{fillByte, 5000})
		return c
	}
	check := func(c content) {
		t.Helper()
		raw, err := c.render()
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.compressContents(c)
		if err != nil {
			t.Fatal(err)
		}
		gotBytes, _ := got.render()
		if want := lz4FrameLevel5(raw); !bytes.Equal(gotBytes, want) {
			t.Fatalf("stale compressed data: got %d bytes, want %d", len(gotBytes), len(want))
		}
	}
	check(mk(0xff))
	check(mk(0xff))
	buf[10] = 'X'
	check(mk(0xff))
	check(mk(0x00))
}
