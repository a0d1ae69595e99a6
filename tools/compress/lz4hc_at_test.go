package compress

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"testing"
)

// LZ4HCFrameAt gives LZ4HCFrame's bytes for data of every shape: empty,
// shorter than a block, whole blocks, a partial last block, random
// (stored) blocks, at an offset into the reader.
func TestLZ4HCFrameAtMatchesFrame(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	noise := make([]byte, 3*lz4BlockSize)
	rng.Read(noise)
	text := bytes.Repeat([]byte("firmware words, strings and padding 0123456789 "), 9000)
	for _, data := range [][]byte{nil, []byte("tiny"), text[:lz4BlockSize], text[:2*lz4BlockSize], text, noise, append(append([]byte{}, noise...), text...)} {
		src := append([]byte("prefix"), data...)
		got, err := LZ4HCFrameAt(bytes.NewReader(src), 6, int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if want := LZ4HCFrame(data); !bytes.Equal(got, want) {
			t.Fatalf("%d bytes: frame of %d bytes differs from LZ4HCFrame's %d", len(data), len(got), len(want))
		}
	}
}

// A reader shorter than asked for is an error, not a short frame.
func TestLZ4HCFrameAtShortReader(t *testing.T) {
	data := bytes.Repeat([]byte("abc"), 50000)
	_, err := LZ4HCFrameAt(bytes.NewReader(data), 0, int64(len(data))+10)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("error %v, want unexpected EOF", err)
	}
}
