package compress

import (
	"bytes"
	"math/rand"
	"testing"
)

// lzoInputs are generated inputs that reach every form the encoder
// writes: literal-only data, short and long runs, M2/M3/M4 distances and
// long match and literal length extensions.
func lzoInputs() map[string][]byte {
	r := rand.New(rand.NewSource(1))
	random := func(n int) []byte {
		b := make([]byte, n)
		r.Read(b)
		return b
	}
	text := bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog 0123456789\n"), 300)
	far := append(append(random(1000), random(30000)...), 0)
	far = append(far, far[:1000]...) // distance ~31000: M4
	mid := append(random(500), random(9000)...)
	mid = append(mid, mid[:500]...) // distance 9500: M3
	mixed := []byte{}
	for i := 0; i < 200; i++ {
		mixed = append(mixed, random(r.Intn(40))...)
		mixed = append(mixed, text[:4+r.Intn(300)]...)
	}
	return map[string][]byte{
		"empty":   {},
		"one":     {7},
		"three":   {1, 2, 3},
		"random":  random(5000),
		"zeros":   make([]byte, 131072),
		"text":    text,
		"far":     far,
		"mid":     mid,
		"mixed":   mixed,
		"longlit": append(random(700), make([]byte, 40)...),
		"farrun":  append(append(make([]byte, 100), random(20000)...), make([]byte, 2000)...),
	}
}

func TestLZO1XRoundTrip(t *testing.T) {
	for name, in := range lzoInputs() {
		packed := LZO1XCompress(nil, in)
		out, err := LZO1XDecompress(packed, len(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("%s: %d bytes back of %d, differ", name, len(out), len(in))
		}
		if len(packed) > len(in)+len(in)/16+67 {
			t.Errorf("%s: %d bytes packed from %d, past liblzo's bound", name, len(packed), len(in))
		}
	}
}

// TestLZO1XCompresses makes sure the encoder finds matches (no
// literal-only stub): text and zeros must shrink well.
func TestLZO1XCompresses(t *testing.T) {
	in := lzoInputs()
	for _, name := range []string{"text", "zeros"} {
		packed := LZO1XCompress(nil, in[name])
		if len(packed)*10 > len(in[name]) {
			t.Errorf("%s: %d bytes packed from %d", name, len(packed), len(in[name]))
		}
	}
	// Random data with one repeat of 1000 (M4) or 500 (M3) bytes: the
	// repeat must become a match.
	for name, repeat := range map[string]int{"far": 1000, "mid": 500} {
		packed := LZO1XCompress(nil, in[name])
		if len(packed) > len(in[name])-repeat*8/10 {
			t.Errorf("%s: %d bytes packed from %d", name, len(packed), len(in[name]))
		}
	}
}

// TestLZO1XDecodeForms decodes hand-made streams using the forms our
// encoder never writes (M1 after short and long literal runs), as
// liblzo's lzo1x_999 does.
func TestLZO1XDecodeForms(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		// 1 literal by the first byte (state 1), M1 2-byte match at
		// distance 1 with S=0, then the end marker.
		{"m1-short", []byte{18, 'a', 0x00, 0x00, 0x11, 0, 0}, "aaa"},
		// 4 literals (state 4), then a 3-byte M1 at distance 2049 would
		// reach before the start: an error.
		{"m1-long-bad", []byte{21, 'a', 'b', 'c', 'd', 0x00, 0x00, 0x11, 0, 0}, ""},
		// M2 length 3 distance 2 with S=2 (two literals follow).
		{"m2", []byte{19, 'x', 'y', 64 | 1<<2 | 2, 0, 'p', 'q', 0x11, 0, 0}, "xyxyxpq"},
	}
	for _, c := range cases {
		out, err := LZO1XDecompress(c.in, 100)
		if c.want == "" {
			if err == nil {
				t.Errorf("%s: decoded %q, want an error", c.name, out)
			}
			continue
		}
		if err != nil || string(out) != c.want {
			t.Errorf("%s: %q, %v; want %q", c.name, out, err, c.want)
		}
	}
}

func TestLZO1XDecodeErrors(t *testing.T) {
	in := lzoInputs()["text"]
	packed := LZO1XCompress(nil, in)
	if _, err := LZO1XDecompress(packed, len(in)-1); err == nil {
		t.Error("output past the limit accepted")
	}
	if _, err := LZO1XDecompress(packed[:len(packed)-3], len(in)); err == nil {
		t.Error("stream without end marker accepted")
	}
	if _, err := LZO1XDecompress(append(packed, 0), len(in)); err == nil {
		t.Error("trailing byte accepted")
	}
}

func FuzzLZO1X(f *testing.F) {
	for _, in := range lzoInputs() {
		if len(in) < 10000 {
			f.Add(in)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		packed := LZO1XCompress(nil, in)
		out, err := LZO1XDecompress(packed, len(in))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("round trip of %d bytes gives %d different bytes", len(in), len(out))
		}
		LZO1XDecompress(in, 1<<16) // arbitrary streams must not panic
	})
}
