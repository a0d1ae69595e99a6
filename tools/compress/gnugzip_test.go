package compress

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"testing"
)

// gzipInputs are generated test inputs covering the encoder's paths:
// empty and tiny inputs, text (dynamic trees), random bytes (stored
// blocks), long runs (258-byte matches, the periodic block split), data
// past 64 KiB (window slides) and firmware-like mixes of zeros, code-like
// words and text of several MiB.
func gzipInputs(big bool) map[string][]byte {
	r := rand.New(rand.NewSource(9))
	rnd := func(n int) []byte { b := make([]byte, n); r.Read(b); return b }
	text := func(n int) []byte {
		words := []string{"the ", "kernel ", "boot ", "wrapper ", "gzip ", "deflate ", "window ", "match ", "\n", "0x1f8b ", "device-tree ", "initrd "}
		var b bytes.Buffer
		for b.Len() < n {
			b.WriteString(words[r.Intn(len(words))])
		}
		return b.Bytes()[:n]
	}
	code := func(n int) []byte {
		// Big-endian instruction-like words from a small vocabulary with
		// varying immediates, like a kernel text section.
		b := make([]byte, 0, n)
		ops := []uint32{0x7c0802a6, 0x94210000, 0x38600000, 0x48000001, 0x4e800020, 0x80010000, 0x90010000, 0x3c600000}
		for len(b) < n {
			w := ops[r.Intn(len(ops))] | uint32(r.Intn(64))*4
			b = append(b, byte(w>>24), byte(w>>16), byte(w>>8), byte(w))
		}
		return b[:n]
	}
	firmware := func(n int) []byte {
		var b []byte
		for len(b) < n {
			k := 1 + r.Intn(64<<10)
			switch r.Intn(5) {
			case 0:
				b = append(b, make([]byte, k)...)
			case 1:
				b = append(b, code(k)...)
			case 2:
				b = append(b, text(k)...)
			case 3:
				b = append(b, rnd(k/8)...)
			default:
				if len(b) > 1000 {
					off := r.Intn(len(b) - 500)
					b = append(b, b[off:off+1+r.Intn(499)]...)
				}
			}
		}
		return b[:n]
	}
	in := map[string][]byte{
		"empty":     {},
		"one":       {'x'},
		"two":       {0, 0},
		"abc3":      []byte("abcabcabc"),
		"text":      text(20000),
		"random":    rnd(100000),
		"zeros":     make([]byte, 300000),
		"runs":      bytes.Repeat([]byte("aaaaaaaaaabbbbbbbbbbbbbbbbbbbbbbbbbbccc"), 5000),
		"code":      code(150000),
		"w65400":    text(65400),
		"w65536":    code(65536),
		"w65537":    firmware(65537),
		"w98304":    firmware(98304),
		"firmware1": firmware(700000),
	}
	if big {
		in["firmware3m"] = firmware(3 << 20)
	}
	return in
}

// gnuGzip runs the real gzip on data as a file (the kernel's wrapper
// compresses a file). gzip is Essential in Debian, so its absence fails.
func gnuGzip(t testing.TB, data []byte, level int) []byte {
	t.Helper()
	path, err := exec.LookPath("gzip")
	if err != nil {
		t.Fatal("no gzip on PATH: the reference for GNUGzip")
	}
	f, err := os.CreateTemp(t.TempDir(), "in")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(data)
	f.Seek(0, 0)
	defer f.Close()
	cmd := exec.Command(path, "-n", "-c", fmt.Sprintf("-%d", level))
	cmd.Stdin = f
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return out
}

func TestGNUGzipMatchesGzip(t *testing.T) {
	if v, err := exec.Command("gzip", "--version").Output(); err == nil {
		t.Logf("reference: %s", bytes.SplitN(v, []byte("\n"), 2)[0])
	}
	for name, data := range gzipInputs(!testing.Short()) {
		for level := 1; level <= 9; level++ {
			// Every level on the small inputs; the large ones at the fast,
			// default and best levels (-9 only past 1 MiB) to keep it quick.
			if len(data) > 200000 && level != 1 && level != 6 && level != 9 || len(data) > 1<<20 && level != 9 {
				continue
			}
			want := gnuGzip(t, data, level)
			got, err := GNUGzip(data, level)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s (%d bytes) -%d: %d bytes, gzip wrote %d; first difference at %d", name, len(data), level, len(got), len(want), firstDiff(got, want))
			}
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return len(a)
}

// TestGNUGzipPipe: the kernel's initramfs build pipes its archive into
// `gzip -n -9`; reads from a pipe come in pieces, which must not matter.
func TestGNUGzipPipe(t *testing.T) {
	data := gzipInputs(false)["firmware1"]
	cmd := exec.Command("gzip", "-n", "-9")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for p := data; len(p) > 0; {
			n := 1 + len(p)%7919
			if n > len(p) {
				n = len(p)
			}
			in.Write(p[:n])
			p = p[n:]
		}
		in.Close()
	}()
	want, err := cmd.Output()
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	if got, _ := GNUGzip(data, 9); !bytes.Equal(got, want) {
		t.Errorf("differs from gzip -9 fed through a pipe at byte %d", firstDiff(got, want))
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, fmt.Errorf("disk full")
	}
	return len(p), nil
}

func TestGNUGzipWriterAndLevels(t *testing.T) {
	data := gzipInputs(false)["firmware1"]
	var buf bytes.Buffer
	w, err := NewGNUGzipWriter(&buf, 9)
	if err != nil {
		t.Fatal(err)
	}
	// Odd-sized writes: the output must not depend on how input arrives.
	for p := data; len(p) > 0; {
		n := 1 + len(p)%40009
		if n > len(p) {
			n = len(p)
		}
		if _, err := w.Write(p[:n]); err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	whole, _ := GNUGzip(data, 9)
	if !bytes.Equal(buf.Bytes(), whole) {
		t.Error("writer output differs from GNUGzip of the same bytes")
	}
	// A failing destination fails the writes or Close, not silently.
	w, _ = NewGNUGzipWriter(&failWriter{n: 1000}, 9)
	_, werr := w.Write(data)
	if cerr := w.Close(); werr == nil && cerr == nil {
		t.Error("a destination that fails gave no error")
	}
	for _, l := range []int{0, 10, -1} {
		if _, err := GNUGzip(data, l); err == nil {
			t.Errorf("level %d accepted", l)
		}
		if _, err := NewGNUGzipWriter(io.Discard, l); err == nil {
			t.Errorf("writer level %d accepted", l)
		}
	}
}

// FuzzGNUGzip checks that every output inflates back to the input and,
// when gzip is on PATH, that it is what gzip writes.
func FuzzGNUGzip(f *testing.F) {
	f.Add([]byte{}, byte(9))
	f.Add([]byte("abcabcabcabcabcabcabd"), byte(9))
	f.Add(bytes.Repeat([]byte{0, 1, 2}, 3000), byte(5))
	f.Add(bytes.Repeat([]byte("xyzzy plugh "), 500), byte(1))
	_, errGzip := exec.LookPath("gzip")
	f.Fuzz(func(t *testing.T, data []byte, lv byte) {
		level := 1 + int(lv)%9
		got, err := GNUGzip(data, level)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(got))
		if err != nil {
			t.Fatal(err)
		}
		back, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("inflate: %v", err)
		}
		if !bytes.Equal(back, data) {
			t.Fatal("round trip changed the data")
		}
		if errGzip == nil {
			if want := gnuGzip(t, data, level); !bytes.Equal(got, want) {
				t.Fatalf("-%d: differs from gzip at byte %d", level, firstDiff(got, want))
			}
		}
	})
}
