package compress

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// lz4Inputs are data shapes that exercise the match finder: text, runs,
// binaries, random data (stored raw), sizes around the block size and the
// minimum compressible length.
func lz4Inputs(t *testing.T) map[string][]byte {
	r := rand.New(rand.NewSource(1))
	random := make([]byte, 100000)
	r.Read(random)
	var text bytes.Buffer
	words := []string{"binman", "image", "section", "u-boot", "spl", "offset", "size", "align", "fdtmap", "the", "of", "and"}
	for text.Len() < 300000 {
		text.WriteString(words[r.Intn(len(words))])
		text.WriteByte(" \n,."[r.Intn(4)])
	}
	mixed := make([]byte, 0, 200000)
	for len(mixed) < 200000 {
		switch r.Intn(3) {
		case 0:
			mixed = append(mixed, bytes.Repeat([]byte{byte(r.Intn(256))}, r.Intn(300))...)
		case 1:
			n := r.Intn(200)
			b := make([]byte, n)
			r.Read(b)
			mixed = append(mixed, b...)
		case 2:
			if len(mixed) > 1000 {
				at := r.Intn(len(mixed) - 500)
				mixed = append(mixed, mixed[at:at+r.Intn(500)]...)
			}
		}
	}
	in := map[string][]byte{
		"empty":       nil,
		"tiny":        []byte("abc"),
		"twelve":      []byte("abcabcabcabc"),
		"thirteen":    []byte("abcabcabcabca"),
		"zeros":       make([]byte, 70000),
		"pattern":     bytes.Repeat([]byte("firmware payload "), 5000),
		"random":      random,
		"text":        text.Bytes(),
		"mixed":       mixed,
		"block":       text.Bytes()[:lz4BlockSize],
		"block+1":     text.Bytes()[:lz4BlockSize+1],
		"firmware":    firmwareLike(2<<20 + 12345),
		"almost-rand": append(append([]byte(nil), random[:60000]...), bytes.Repeat([]byte("ab"), 40)...),
	}
	if exe, err := os.ReadFile("/proc/self/exe"); err == nil {
		in["executable"] = exe[:minInt(len(exe), 600000)]
	}
	return in
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// The lz4 tool is the reference: binman runs `lz4 --no-frame-crc -B4 -5`.
func TestLz4MatchesTool(t *testing.T) {
	lz4, err := exec.LookPath("lz4")
	if err != nil {
		t.Fatalf("lz4 tool not found: %v", err)
	}
	for name, data := range lz4Inputs(t) {
		cmd := exec.Command(lz4, "--no-frame-crc", "-B4", "-5", "-c")
		cmd.Stdin = bytes.NewReader(data)
		want, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: lz4: %v", name, err)
		}
		got := LZ4HCFrame(data)
		if !bytes.Equal(got, want) {
			n := 0
			for n < len(got) && n < len(want) && got[n] == want[n] {
				n++
			}
			t.Errorf("%s (%d bytes): ours %d bytes, lz4 %d bytes, first difference at %d", name, len(data), len(got), len(want), n)
			continue
		}
		back, err := DecompressBytes("lz4", got)
		if err != nil || !bytes.Equal(back, data) {
			t.Errorf("%s: does not decompress: %v", name, err)
		}
	}
}

// On one core LZ4HCFrameAt reads each block into the match finder's window
// and compresses it in place (lz4FrameAtSerial): the same bytes as
// LZ4HCFrame, and a short reader is still an error.
func TestLZ4HCFrameAtOneCore(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for name, data := range lz4Inputs(t) {
		src := append([]byte("prefix"), data...)
		got, err := LZ4HCFrameAt(bytes.NewReader(src), 6, int64(len(data)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := LZ4HCFrame(data); !bytes.Equal(got, want) {
			t.Errorf("%s: frame of %d bytes differs from LZ4HCFrame's %d", name, len(got), len(want))
		}
	}
	data := bytes.Repeat([]byte("abc"), 50000)
	if _, err := LZ4HCFrameAt(bytes.NewReader(data), 0, int64(len(data))+10); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("short reader: error %v, want unexpected EOF", err)
	}
}
