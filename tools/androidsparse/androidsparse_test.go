package androidsparse

import (
	"bytes"
	"encoding/binary"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// sample is 10 blocks of 4 KiB plus 1000 bytes: random data, a zero
// block, a block of one repeated word, random again, and a hole.
func sample() ([]byte, []Range) {
	r := rand.New(rand.NewSource(1))
	d := make([]byte, 10*4096+1000)
	r.Read(d[:2*4096])
	for i := 3 * 4096; i < 4*4096; i += 4 {
		binary.LittleEndian.PutUint32(d[i:], 0xdeadbeef)
	}
	r.Read(d[4*4096 : 5*4096+100])
	// bytes [6*4096, 8*4096) are a hole; the last 1000 bytes data.
	r.Read(d[10*4096:])
	return d, []Range{{0, 5*4096 + 100}, {8*4096 + 10, 8*4096 + 20}, {10 * 4096, int64(len(d))}}
}

// buf is an in-memory io.WriteSeeker.
type buf struct {
	b   []byte
	pos int64
}

func (w *buf) Write(p []byte) (int, error) {
	if n := w.pos + int64(len(p)); n > int64(len(w.b)) {
		w.b = append(w.b, make([]byte, n-int64(len(w.b)))...)
	}
	copy(w.b[w.pos:], p)
	w.pos += int64(len(p))
	return len(p), nil
}

func (w *buf) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case 1:
		off += w.pos
	case 2:
		off += int64(len(w.b))
	}
	w.pos = off
	return off, nil
}

func write(t *testing.T, d []byte, ranges []Range, o Options) []byte {
	t.Helper()
	var w buf
	if err := Write(&w, bytes.NewReader(d), int64(len(d)), ranges, o); err != nil {
		t.Fatal(err)
	}
	return w.b
}

func padded(d []byte, bs int) []byte {
	n := (len(d) + bs - 1) / bs * bs
	return append(append([]byte(nil), d...), make([]byte, n-len(d))...)
}

// The chunks genimage's rules give: data ranges widened to blocks, fill
// for blocks of one word, don't care for the rest, CRC last.
func TestWriteChunks(t *testing.T) {
	d, ranges := sample()
	img := write(t, d, ranges, Options{BlockSize: 4096, CRC: true})
	type chunk struct {
		typ    uint16
		blocks uint32
	}
	want := []chunk{{ChunkRaw, 2}, {ChunkFill, 1}, {ChunkFill, 1}, {ChunkRaw, 2}, {ChunkDontCare, 2}, {ChunkFill, 1}, {ChunkDontCare, 1}, {ChunkRaw, 1}, {ChunkCRC32, 0}}
	var got []chunk
	p := HeaderSize
	for p < len(img) {
		got = append(got, chunk{binary.LittleEndian.Uint16(img[p:]), binary.LittleEndian.Uint32(img[p+4:])})
		p += int(binary.LittleEndian.Uint32(img[p+8:]))
	}
	if len(got) != len(want) {
		t.Fatalf("chunks %x, want %x", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("chunk %d: %x, want %x", i, got[i], want[i])
		}
	}
	var out bytes.Buffer
	h, err := Expand(bytes.NewReader(img), &out)
	if err != nil {
		t.Fatal(err)
	}
	if h.Blocks != 11 || h.Chunks != uint32(len(want)) || !bytes.Equal(out.Bytes(), padded(d, 4096)) {
		t.Errorf("expanded %+v, %d bytes, differs from the input", h, out.Len())
	}
}

// simg2img (Debian's android-sdk-libsparse-utils, AOSP libsparse) expands
// our images to the input; our Expand reads what img2simg writes.
func TestAgainstLibsparse(t *testing.T) {
	for _, tool := range []string{"simg2img", "img2simg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed (bazelw installs android-sdk-libsparse-utils)", tool)
		}
	}
	dir := t.TempDir()
	d, _ := sample()
	for _, o := range []Options{{BlockSize: 4096}, {BlockSize: 512, CRC: true}, {BlockSize: 32768}} {
		img := write(t, d, []Range{{0, int64(len(d))}}, o)
		sp, raw := filepath.Join(dir, "s"), filepath.Join(dir, "raw")
		os.WriteFile(sp, img, 0o644)
		if out, err := exec.Command("simg2img", sp, raw).CombinedOutput(); err != nil {
			t.Fatalf("simg2img %+v: %v\n%s", o, err, out)
		}
		got, _ := os.ReadFile(raw)
		if !bytes.Equal(got, padded(d, int(o.BlockSize))) {
			t.Errorf("%+v: simg2img gives %d bytes that differ from the input", o, len(got))
		}
	}
	in, sp := filepath.Join(dir, "in"), filepath.Join(dir, "ref.simg")
	os.WriteFile(in, padded(d, 4096), 0o644)
	if out, err := exec.Command("img2simg", in, sp, "4096").CombinedOutput(); err != nil {
		t.Fatalf("img2simg: %v\n%s", err, out)
	}
	f, _ := os.Open(sp)
	defer f.Close()
	var out bytes.Buffer
	if _, err := Expand(f, &out); err != nil || !bytes.Equal(out.Bytes(), padded(d, 4096)) {
		t.Errorf("img2simg's image: %v, or the expansion differs", err)
	}
}

func TestBadInput(t *testing.T) {
	d, _ := sample()
	for _, bs := range []uint32{0, 100, 4100} {
		var w buf
		if err := Write(&w, bytes.NewReader(d), int64(len(d)), nil, Options{BlockSize: bs}); err == nil {
			t.Errorf("block size %d accepted", bs)
		}
	}
	img := write(t, d, []Range{{0, int64(len(d))}}, Options{BlockSize: 4096, CRC: true})
	for name, mut := range map[string]func(b []byte){
		"magic":  func(b []byte) { b[0] ^= 1 },
		"blocks": func(b []byte) { b[16]++ },
		"chunks": func(b []byte) { b[20]++ },
		"crc":    func(b []byte) { b[len(b)-1] ^= 1 },
		"type":   func(b []byte) { b[HeaderSize] = 0x55 },
		"size":   func(b []byte) { b[HeaderSize+8]++ },
	} {
		b := append([]byte(nil), img...)
		mut(b)
		if _, err := Expand(bytes.NewReader(b), &bytes.Buffer{}); err == nil {
			t.Errorf("%s: corrupt image accepted", name)
		}
	}
}

type limited struct{ n int }

func (l *limited) Write(p []byte) (int, error) {
	l.n += len(p)
	return len(p), nil
}

func FuzzExpand(f *testing.F) {
	d, ranges := sample()
	var w buf
	Write(&w, bytes.NewReader(d), int64(len(d)), ranges, Options{BlockSize: 512, CRC: true})
	f.Add(w.b)
	f.Fuzz(func(t *testing.T, b []byte) {
		// Keep the expansion small: at most 1 MiB.
		if len(b) >= HeaderSize && uint64(binary.LittleEndian.Uint32(b[12:]))*uint64(binary.LittleEndian.Uint32(b[16:])) > 1<<20 {
			return
		}
		var out limited
		if _, err := Expand(bytes.NewReader(b), &out); err == nil && len(b) >= HeaderSize &&
			uint64(out.n) != uint64(binary.LittleEndian.Uint32(b[12:]))*uint64(binary.LittleEndian.Uint32(b[16:])) {
			t.Fatalf("expanded %d bytes, header says otherwise", out.n)
		}
	})
}
