package compress

import (
	"bytes"
	stdbzip2 "compress/bzip2"
	"fmt"
	"io"
	"math/rand"
	"os/exec"
	"strings"
	"testing"
)

// bzip2Ref runs the bzip2 command (1.0.8, whose output is deterministic)
// on in at the given level.
func bzip2Ref(t testing.TB, in []byte, level int) []byte {
	t.Helper()
	path, err := exec.LookPath("bzip2")
	if err != nil {
		t.Fatalf("bzip2 is needed to check the encoder's output: %v", err)
	}
	cmd := exec.Command(path, fmt.Sprintf("-%dc", level))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bzip2 -%d: %v: %s", level, err, stderr.String())
	}
	return out
}

func bzip2Ours(t testing.TB, in []byte, level int, chunk int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := NewBzip2Writer(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	for p := in; len(p) > 0; {
		m := len(p)
		if chunk > 0 && m > chunk {
			m = chunk
		}
		if _, err := zw.Write(p[:m]); err != nil {
			t.Fatal(err)
		}
		p = p[m:]
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func checkBzip2Identical(t *testing.T, name string, in []byte, level int) {
	t.Helper()
	want := bzip2Ref(t, in, level)
	for _, chunk := range []int{0, 4093} {
		got := bzip2Ours(t, in, level, chunk)
		if !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Errorf("%s (%d bytes, -%d, writes of %d): %d bytes, bzip2 wrote %d; first difference at byte %d",
				name, len(in), level, chunk, len(got), len(want), i)
			return
		}
	}
}

// bzip2Cases are inputs that exercise every part of the format: runs
// around the run-length coder's limits, all byte values, blocks that
// repeat a shorter string (equal rotations), noise and text.
func bzip2Cases() map[string][]byte {
	r := rand.New(rand.NewSource(7))
	cases := map[string][]byte{
		"empty":  nil,
		"1 byte": {'x'},
		"2 same": {0, 0},
	}
	var runs []byte
	for n := 1; n <= 260; n++ {
		runs = append(runs, bytes.Repeat([]byte{byte(n)}, n)...)
		runs = append(runs, bytes.Repeat([]byte{0x55}, n%7+1)...)
	}
	for _, n := range []int{3, 4, 5, 254, 255, 256, 259, 510, 511, 512, 1000} {
		cases[fmt.Sprintf("run of %d", n)] = bytes.Repeat([]byte{'r'}, n)
		runs = append(runs, bytes.Repeat([]byte{0xff}, n)...)
		runs = append(runs, 1)
	}
	cases["runs"] = runs
	all := make([]byte, 256*3)
	for i := range all {
		all[i] = byte(i * 7)
	}
	cases["all bytes"] = all
	cases["abab small"] = bytes.Repeat([]byte("ab"), 3000)
	cases["abab large"] = bytes.Repeat([]byte("ab"), 60000)
	cases["abc 100k"] = bytes.Repeat([]byte("abc"), 40000)
	cases["period 1000"] = bytes.Repeat(randBytes(r, 1000), 50)
	cases["period 7 with runs"] = bytes.Repeat([]byte("xxxxxxy"), 20000)
	cases["251 x 1M"] = bytes.Repeat([]byte{251}, 1<<20)
	cases["zeros 3M"] = make([]byte, 3<<20)
	cases["half twice"] = bytes.Repeat(randBytes(r, 30000), 2)
	cases["random 300k"] = randBytes(r, 300000)
	var text strings.Builder
	words := []string{"the", "boot", "loader", "reads", "a", "kernel", "from", "flash", "and", "jumps", "to", "it", "\n"}
	for text.Len() < 500000 {
		text.WriteString(words[r.Intn(len(words))])
		text.WriteByte(' ')
	}
	cases["text"] = []byte(text.String())
	cases["sample"] = sample()
	return cases
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	r.Read(b)
	return b
}

// TestBzip2Identical compares our stream with bzip2's at -9 and -1 (100k
// blocks, so the larger cases span several).
func TestBzip2Identical(t *testing.T) {
	for name, in := range bzip2Cases() {
		for _, level := range []int{9, 1} {
			checkBzip2Identical(t, name, in, level)
		}
	}
}

// TestBzip2BlockBoundary: inputs whose runs end right at the point where
// bzip2 closes a -1 block, so the pending run moves to the next block.
func TestBzip2BlockBoundary(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	base := randBytes(r, 99981-5)
	for i := range base {
		if i > 0 && base[i] == base[i-1] {
			base[i] ^= 0x80 // no accidental runs: one byte in, one byte stored
		}
	}
	for extra := 0; extra < 8; extra++ {
		for _, run := range []int{1, 3, 4, 255, 300} {
			in := append(append([]byte{}, base...), bytes.Repeat([]byte{'z'}, extra)...)
			in = append(in, bytes.Repeat([]byte{'q'}, run)...)
			checkBzip2Identical(t, fmt.Sprintf("boundary+%d run %d", extra, run), in, 1)
		}
	}
}

// TestBzip2Levels checks every block size on data larger than a -1 block.
func TestBzip2Levels(t *testing.T) {
	in := firmwareLike(450000)
	for level := 1; level <= 9; level++ {
		checkBzip2Identical(t, "firmware", in, level)
	}
}

// TestBzip2Large: a few MiB of firmware-like data at -9 (several blocks,
// encoded in parallel when there are several CPUs).
func TestBzip2Large(t *testing.T) {
	checkBzip2Identical(t, "firmware 3M", firmwareLike(3<<20), 9)
}

// TestBzip2SortsAgree: the fast rotation sort and bzip2's own give the
// same order on blocks whose rotations are all distinct.
func TestBzip2SortsAgree(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	var e bzEncoder
	for _, in := range [][]byte{
		[]byte("b"), []byte("ba"), []byte("abb"), randBytes(r, 20000), firmwareLike(120000),
		append(bytes.Repeat([]byte("ab"), 10000), 'a'), append(bytes.Repeat([]byte{0}, 20000), 1),
	} {
		n := len(in)
		block := make([]byte, n+bzBlockSlack)
		copy(block, in)
		want := make([]int32, n)
		wantOrig := e.bzRefSort(block, n, want)
		got := make([]int32, n)
		gotOrig := e.bwtSort(block, n, got)
		if gotOrig != wantOrig {
			t.Errorf("%d bytes: origin %d, bzip2's sort %d", n, gotOrig, wantOrig)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%d bytes: rotation %d at %d, bzip2's sort has %d", n, got[i], i, want[i])
				break
			}
		}
	}
}

// FuzzBzip2Identical: whatever the input, our -1 stream is the bzip2
// command's, and Go's bzip2 reader gives the input back.
func FuzzBzip2Identical(f *testing.F) {
	f.Add([]byte("hello hello hello"))
	f.Add(bytes.Repeat([]byte("ab"), 100))
	f.Add(bytes.Repeat([]byte{0}, 1000))
	f.Fuzz(func(t *testing.T, in []byte) {
		packed := bzip2Ours(t, in, 1, 0)
		if want := bzip2Ref(t, in, 1); !bytes.Equal(packed, want) {
			t.Fatalf("%d bytes: our stream (%d bytes) differs from bzip2 -1's (%d)", len(in), len(packed), len(want))
		}
		out, err := io.ReadAll(stdbzip2.NewReader(bytes.NewReader(packed)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("round trip gave %d bytes, want %d", len(out), len(in))
		}
	})
}

// BenchmarkBzip2 encodes the 16 MiB firmware-like input of the other
// benchmarks at -9; -cpu 1 for one core.
func BenchmarkBzip2(b *testing.B) {
	data := firmwareLike(16 << 20)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		zw, _ := NewBzip2Writer(io.Discard, 9)
		zw.Write(data)
		zw.Close()
	}
}

// TestBzip2CRCSlices: the eight-byte CRC step equals the byte-wise one.
func TestBzip2CRCSlices(t *testing.T) {
	p := randBytes(rand.New(rand.NewSource(9)), 1000)
	for _, n := range []int{0, 1, 7, 8, 9, 63, 1000} {
		want := uint32(0xffffffff)
		for _, c := range p[:n] {
			want = want<<8 ^ bzCRCTable[byte(want>>24)^c]
		}
		if got := bzCRCUpdate(0xffffffff, p[:n]); got != want {
			t.Errorf("%d bytes: crc %08x, byte-wise %08x", n, got, want)
		}
	}
}
