package compress

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ulikunitz/xz/lzma"
)

// lzmaAlone runs the reference, LZMA SDK 9.22's lzma_alone (Debian's
// lzma-alone, which bazelw installs; binman runs the same program), on
// data as a file, as binman does, with the switches of o. It returns the
// stream and the banner naming lzma_alone's version.
func lzmaAlone(t testing.TB, data []byte, o LZMAAloneOptions) ([]byte, string) {
	t.Helper()
	path, err := exec.LookPath("lzma_alone")
	if err != nil {
		t.Fatal("no lzma_alone on PATH (Debian lzma-alone): the reference for LZMAAlone")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"e", in, out, fmt.Sprintf("-lc%d", o.LC), fmt.Sprintf("-lp%d", o.LP),
		fmt.Sprintf("-pb%d", o.PB), fmt.Sprintf("-d%d", o.DictLog)}
	if o.FastBytes != 0 {
		args = append(args, fmt.Sprintf("-fb%d", o.FastBytes))
	}
	msg, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("lzma_alone %s: %v: %s", strings.Join(args, " "), err, msg)
	}
	packed, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return packed, strings.TrimSpace(string(msg))
}

// lzmaInputs covers the edge cases of the parser and the match finder:
// nothing, one byte, lengths around the 4-byte hash minimum, the 256-byte
// window, the 4096-position parse buffer and the 32 KiB block, text,
// incompressible data, long runs (matches past the 128 fast bytes and up
// to the 273 maximum) and firmware-like data of a few MiB.
func lzmaInputs(big bool) map[string][]byte {
	r := rand.New(rand.NewSource(9))
	random := make([]byte, 70000)
	r.Read(random)
	var text bytes.Buffer
	for i := 0; text.Len() < 200000; i++ {
		fmt.Fprintf(&text, "line %d: the quick brown fox %d jumps over the lazy dog %x\n", i, i%97, i*i)
	}
	in := map[string][]byte{
		"empty":  {},
		"1":      {0x42},
		"text":   text.Bytes(),
		"random": random,
		"zeros":  make([]byte, 300000),
		"fw150k": firmwareLike(150 << 10),
	}
	for _, n := range []int{2, 3, 4, 5, 255, 256, 257, 258, 4095, 4096, 4097, 32767, 32768, 32769, 65537} {
		in[fmt.Sprintf("mixed%d", n)] = mixedBytes(r, n)
	}
	if big {
		in["fw3m"] = firmwareLike(3 << 20)
	}
	return in
}

// mixedBytes alternates literals, short and long repeats at distances
// in and beyond the window, and runs, so every kind of step occurs.
func mixedBytes(r *rand.Rand, n int) []byte {
	out := make([]byte, 0, n+600)
	for len(out) < n {
		switch k := r.Intn(10); {
		case k < 3:
			for m := 1 + r.Intn(40); m > 0; m-- {
				out = append(out, byte(r.Intn(256)))
			}
		case k < 7 && len(out) > 1:
			start := len(out) - 1 - r.Intn(minInt(len(out), 400))
			for m := 2 + r.Intn(300); m > 0; m-- {
				out = append(out, out[start])
				start++
			}
		default:
			out = append(out, bytes.Repeat([]byte{byte(r.Intn(4))}, 1+r.Intn(600))...)
		}
	}
	return out[:n]
}

func TestLZMAAloneMatchesSDK(t *testing.T) {
	for name, data := range lzmaInputs(!testing.Short()) {
		t.Run(name, func(t *testing.T) {
			checkLZMAAlone(t, data, BinmanLZMA)
		})
	}
}

// TestLZMAAloneOtherSwitches checks the other literal/position contexts,
// windows and fast-byte counts lzma_alone takes, on smaller inputs.
func TestLZMAAloneOtherSwitches(t *testing.T) {
	in := lzmaInputs(false)
	for _, o := range []LZMAAloneOptions{
		{LC: 3, LP: 0, PB: 2, DictLog: 23},
		{LC: 0, LP: 2, PB: 2, DictLog: 16, FastBytes: 32},
		{LC: 8, LP: 0, PB: 4, DictLog: 20, FastBytes: 273},
		{LC: 4, LP: 4, PB: 1, DictLog: 12, FastBytes: 5},
	} {
		for _, name := range []string{"text", "mixed65537", "fw150k"} {
			o, data := o, in[name]
			t.Run(fmt.Sprintf("lc%d_lp%d_pb%d_d%d_fb%d/%s", o.LC, o.LP, o.PB, o.DictLog, o.FastBytes, name), func(t *testing.T) {
				checkLZMAAlone(t, data, o)
			})
		}
	}
}

func checkLZMAAlone(t *testing.T, data []byte, o LZMAAloneOptions) {
	t.Helper()
	got, err := LZMAAlone(data, o)
	if err != nil {
		t.Fatal(err)
	}
	want, banner := lzmaAlone(t, data, o)
	if !bytes.Equal(got, want) {
		t.Fatalf("%d bytes in: we wrote %d bytes, lzma_alone %d; first difference at byte %d (the reference is LZMA 9.22; this one says %q)",
			len(data), len(got), len(want), firstDiff(got, want), banner)
	}
	checkLZMARoundTrip(t, data, got)
}

// checkLZMARoundTrip decodes packed with ulikunitz/xz (fwtool's lzma
// reader) and wants data back. That reader fails on an empty stream
// (lzma_alone's too: "unexpected EOF"), so empty input must give exactly
// lzma_alone's empty stream: the header and five zero bytes.
func checkLZMARoundTrip(t testing.TB, data, packed []byte) {
	t.Helper()
	if len(data) == 0 {
		if len(packed) != 18 || !bytes.Equal(packed[5:], make([]byte, 13)) {
			t.Fatalf("empty input gave % x", packed)
		}
		return
	}
	r, err := lzma.NewReader(bytes.NewReader(packed))
	if err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, data) {
		t.Fatalf("round trip gave %d bytes, want the %d we compressed", len(back), len(data))
	}
}

func TestLZMAAloneHeader(t *testing.T) {
	got, err := LZMAAlone([]byte("abc"), BinmanLZMA)
	if err != nil {
		t.Fatal(err)
	}
	// lc1 lp0 pb0 -> 1; a 256-byte window is written as 4 KiB; size 3.
	want := []byte{1, 0, 0x10, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0}
	if !bytes.Equal(got[:13], want) {
		t.Errorf("header % x, want % x", got[:13], want)
	}
	for _, o := range []LZMAAloneOptions{{LC: 9, DictLog: 8}, {LP: 5, DictLog: 8}, {PB: 5, DictLog: 8}, {DictLog: 7}, {DictLog: 28}} {
		if _, err := LZMAAlone(nil, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

// FuzzLZMAAlone round-trips arbitrary data through the encoder with
// arbitrary switches and fwtool's decoder.
func FuzzLZMAAlone(f *testing.F) {
	f.Add([]byte("hello hello hello world"), byte(1), byte(0), byte(0), byte(8), byte(0))
	f.Add(bytes.Repeat([]byte{0, 1, 2, 3}, 300), byte(3), byte(0), byte(2), byte(12), byte(32))
	f.Add(mixedBytes(rand.New(rand.NewSource(1)), 5000), byte(0), byte(4), byte(4), byte(9), byte(5))
	f.Fuzz(func(t *testing.T, data []byte, lc, lp, pb, dictLog, fb byte) {
		o := LZMAAloneOptions{LC: int(lc % 9), LP: int(lp % 5), PB: int(pb % 5), DictLog: 8 + int(dictLog%9), FastBytes: int(fb)}
		packed, err := LZMAAlone(data, o)
		if err != nil {
			t.Fatal(err)
		}
		checkLZMARoundTrip(t, data, packed)
	})
}
