package xz

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"os/exec"
	"strings"
	"testing"

	ulxz "github.com/ulikunitz/xz"
)

// samples are inputs of the kinds fwtool compresses: empty, tiny, text,
// incompressible, and long runs with structure.
func samples() map[string][]byte {
	rng := rand.New(rand.NewSource(13))
	noise := make([]byte, 40000)
	rng.Read(noise)
	var text bytes.Buffer
	for i := 0; text.Len() < 100000; i++ {
		fmt.Fprintf(&text, "line %d: the quick brown fox %x jumps\n", i, i*i%977)
	}
	mixed := append(append([]byte{}, noise[:20000]...), text.Bytes()[:60000]...)
	mixed = append(mixed, make([]byte, 50000)...)
	return map[string][]byte{
		"empty": nil,
		"one":   {'x'},
		"text":  text.Bytes(),
		"noise": noise,
		"mixed": mixed,
	}
}

// ulikunitz compresses in as github.com/ulikunitz/xz's Writer does, the
// bytes fwtool wrote before this package.
func ulikunitz(t *testing.T, in []byte, check byte, dictCap int) []byte {
	t.Helper()
	cfg := ulxz.WriterConfig{DictCap: dictCap, CheckSum: check, NoCheckSum: check == CheckNone}
	var buf bytes.Buffer
	w, err := cfg.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(in); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func compress(t *testing.T, in []byte, check byte, dictCap, chunk int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, check, dictCap)
	if err != nil {
		t.Fatal(err)
	}
	for len(in) > 0 {
		k := len(in)
		if chunk > 0 && k > chunk {
			k = chunk
		}
		if _, err := w.Write(in[:k]); err != nil {
			t.Fatal(err)
		}
		in = in[k:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decompress(in []byte) ([]byte, error) {
	r, err := NewReader(bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// TestWriterMatchesUlikunitz: every check with the default dictionary
// (compress's xz, xz-crc32), CRC32 with squashfs's block-size
// dictionaries, whole and chunked writes.
func TestWriterMatchesUlikunitz(t *testing.T) {
	for name, in := range samples() {
		for _, check := range []byte{CheckNone, CheckCRC32, CheckCRC64, CheckSHA256} {
			for _, dict := range []int{0, 64 << 10, 1 << 20} {
				if dict != 0 && check != CheckCRC32 {
					continue // squashfs's blocks: CRC32, dictionary = block size
				}
				want := ulikunitz(t, in, check, dict)
				for _, chunk := range []int{0, 1000} {
					if chunk != 0 && check != CheckCRC64 {
						continue
					}
					got := compress(t, in, check, dict, chunk)
					if !bytes.Equal(got, want) {
						t.Errorf("%s check %d dict %d chunk %d: %d bytes differ from ulikunitz/xz's %d", name, check, dict, chunk, len(got), len(want))
					}
				}
				back, err := decompress(want)
				if err != nil || !bytes.Equal(back, in) {
					t.Errorf("%s check %d dict %d: reading back: %v (%d of %d bytes)", name, check, dict, err, len(back), len(in))
				}
			}
		}
	}
}

// TestReadsXZTool reads what xz 5 writes: several blocks with sizes in
// their headers, every check, concatenated streams with padding.
func TestReadsXZTool(t *testing.T) {
	path, err := exec.LookPath("xz")
	if err != nil {
		t.Fatalf("xz is needed to check the reader: %v", err)
	}
	in := samples()["mixed"]
	run := func(args ...string) []byte {
		cmd := exec.Command(path, append(args, "-c")...)
		cmd.Stdin = bytes.NewReader(in)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("xz %s: %v: %s", strings.Join(args, " "), err, stderr.String())
		}
		return out
	}
	cases := map[string][]byte{}
	for _, check := range []string{"none", "crc32", "crc64", "sha256"} {
		cases[check] = run("--check="+check, "--block-size=65536", "-3")
	}
	all := in
	in = nil
	cases["empty"] = run()
	in = all
	one := cases["crc32"]
	cases["two streams, padding"] = append(append(append([]byte{}, one...), 0, 0, 0, 0, 0, 0, 0, 0), one...)
	for name, packed := range cases {
		want := in
		switch name {
		case "empty":
			want = nil
		case "two streams, padding":
			want = append(append([]byte{}, in...), in...)
		}
		got, err := decompress(packed)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %v (%d of %d bytes)", name, err, len(got), len(want))
		}
	}
}

// TestReaderRejectsDamage: a flipped bit anywhere, a truncation anywhere,
// and bytes after the stream that are not a stream all fail (a flip the
// LZMA2 layer of ulikunitz/xz does not notice either is let through: the
// chunk's packed size, which its decoder does not need).
func TestReaderRejectsDamage(t *testing.T) {
	in := samples()["text"][:800]
	for _, check := range []byte{CheckCRC32, CheckCRC64, CheckSHA256} {
		good := compress(t, in, check, 0, 0)
		from := 0
		if check != CheckCRC64 {
			from = len(good) - 80 // the check, index and footer
		}
		for i := from; i < len(good); i++ {
			if i > 40 && i < len(good)-80 && i%5 != 0 {
				continue // the LZMA2 data: a sample is enough
			}
			bad := append([]byte{}, good...)
			bad[i] ^= 0x10
			if out, err := decompress(bad); err == nil && bytes.Equal(out, in) && !ulikunitzReads(bad, in) {
				t.Errorf("check %d: flipping a bit in byte %d of %d went unnoticed", check, i, len(good))
			}
		}
		for n := from; n < len(good); n++ {
			if _, err := decompress(good[:n]); err == nil {
				t.Errorf("check %d: truncated to %d of %d bytes: no error", check, n, len(good))
			}
		}
		if _, err := decompress(append(append([]byte{}, good...), 1, 2, 3, 4)); err == nil {
			t.Errorf("check %d: trailing garbage: no error", check)
		}
		if _, err := decompress(append(append([]byte{}, good...), 0, 0)); err == nil {
			t.Errorf("check %d: padding not a multiple of four: no error", check)
		}
	}
	if _, err := NewWriter(io.Discard, 0x02, 0); err == nil {
		t.Error("NewWriter took check 0x02")
	}
}

func ulikunitzReads(packed, want []byte) bool {
	r, err := ulxz.NewReader(bytes.NewReader(packed))
	if err != nil {
		return false
	}
	out, err := io.ReadAll(r)
	return err == nil && bytes.Equal(out, want)
}

// FuzzReader: no input panics, and whatever both this reader and
// ulikunitz/xz accept decodes to the same bytes.
func FuzzReader(f *testing.F) {
	f.Add(compress(&testing.T{}, []byte("hello, hello, hello"), CheckCRC64, 0, 0))
	f.Add(compress(&testing.T{}, nil, CheckCRC32, 0, 0))
	f.Add([]byte{0xfd, '7', 'z', 'X', 'Z', 0, 0, 1, 0x69, 0x22, 0xde, 0x36})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decompress(data)
		if err != nil {
			return
		}
		r, uerr := ulxz.NewReader(bytes.NewReader(data))
		if uerr != nil {
			return
		}
		want, uerr := io.ReadAll(r)
		if uerr == nil && !bytes.Equal(got, want) {
			t.Fatalf("accepted with %d bytes; ulikunitz/xz reads %d", len(got), len(want))
		}
	})
}
