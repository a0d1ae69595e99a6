package compress

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sample is compressible text followed by incompressible bytes, large
// enough to span several deflate/bzip2 blocks but quick to test.
func sample() []byte {
	var b bytes.Buffer
	for i := 0; i < 8000; i++ {
		fmt.Fprintf(&b, "line %d of a firmware payload\n", i%977)
	}
	noise := make([]byte, 32<<10)
	rand.New(rand.NewSource(1)).Read(noise)
	b.Write(noise)
	return b.Bytes()
}

func TestNames(t *testing.T) {
	want := []string{"bzip2", "gzip", "lz4", "lz4-legacy", "lzma", "none", "xz", "xz-crc32", "zstd"}
	if diff := cmp.Diff(want, Names()); diff != "" {
		t.Errorf("Names mismatch (-want +got):\n%s", diff)
	}
}

func TestRoundTrip(t *testing.T) {
	in := sample()
	for _, name := range Names() {
		for _, data := range [][]byte{in, nil, []byte("x")} {
			packed, err := Bytes(name, data)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if name != "none" && len(data) == len(in) && len(packed) >= len(in) {
				t.Errorf("%s: %d bytes compressed to %d", name, len(in), len(packed))
			}
			out, err := DecompressBytes(name, packed)
			if err != nil {
				t.Fatalf("%s: decompress: %v", name, err)
			}
			if !bytes.Equal(out, data) {
				t.Errorf("%s: round trip of %d bytes gave %d different bytes", name, len(data), len(out))
			}
		}
	}
}

// TestStreamingMatchesBytes checks that writing in small pieces gives
// the same stream as one Bytes call (so rules may use either).
func TestStreamingMatchesBytes(t *testing.T) {
	in := sample()
	for _, name := range Names() {
		want, err := Bytes(name, in)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		w, err := NewWriter(name, &buf)
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < len(in); off += 1000 {
			end := off + 1000
			if end > len(in) {
				end = len(in)
			}
			if _, err := w.Write(in[off:end]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s: streamed output differs from Bytes output", name)
		}
		// io.Copy, as pipelines use it, must give the same stream too.
		var copied bytes.Buffer
		w, err = NewWriter(name, &copied)
		if err != nil {
			t.Fatal(err)
		}
		// A Write then io.Copy, as io.MultiReader pipelines do; the
		// struct{io.Reader} hides bytes.Reader's WriteTo, so io.Copy takes
		// the writer's ReadFrom path where the library has one.
		if _, err := w.Write(in[:1]); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, struct{ io.Reader }{bytes.NewReader(in[1:])}); err != nil {
			t.Fatalf("%s: io.Copy: %v", name, err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("%s: Close after io.Copy: %v", name, err)
		}
		if !bytes.Equal(copied.Bytes(), want) {
			t.Errorf("%s: io.Copy output differs from Bytes output", name)
		}
		r, err := NewReader(name, &buf)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, in) {
			t.Errorf("%s: streaming reader gave different bytes", name)
		}
	}
}

func TestDeterministic(t *testing.T) {
	in := sample()
	for _, name := range Names() {
		a, err := Bytes(name, in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Bytes(name, in)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two runs gave different bytes", name)
		}
	}
}

// TestStreamHeaders pins the container headers each algorithm documents.
func TestStreamHeaders(t *testing.T) {
	for name, want := range map[string][]byte{
		// gzip -n: magic, deflate, no flags, mtime 0, XFL 2 (best), OS 3.
		"gzip": {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3},
		// LZ4 frame magic, then FLG: version 01, independent blocks, content
		// checksum; BD: 4 MiB blocks.
		"lz4": {0x04, 0x22, 0x4d, 0x18, 0x64, 0x70},
		// lzma_alone: lc=3 lp=0 pb=2, 8 MiB dictionary, size unknown.
		"lzma": {0x5d, 0, 0, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"xz":   {0xfd, '7', 'z', 'X', 'Z', 0, 0, 4},
		// Stream flags: check type 1, CRC32.
		"xz-crc32": {0xfd, '7', 'z', 'X', 'Z', 0, 0, 1},
		// Legacy LZ4 magic 0x184C2102, little endian.
		"lz4-legacy": {0x02, 0x21, 0x4c, 0x18},
		"zstd":       {0x28, 0xb5, 0x2f, 0xfd},
		// bzip2 -9.
		"bzip2": []byte("BZh9"),
	} {
		got, err := Bytes(name, []byte("hello"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(got, want) {
			t.Errorf("%s: stream starts % x, want % x", name, got[:len(want)], want)
		}
	}
}

// TestCommandLineToolsRead has the reference command-line tools decompress
// our output: the bytes U-Boot and Linux will see must be the standard
// formats, not just something our own reader accepts.
func TestCommandLineToolsRead(t *testing.T) {
	// Random bytes do not compress: formats must store such blocks in a
	// way the reference tools read (legacy LZ4 has no stored-block flag).
	for _, in := range [][]byte{sample(), nil} {
		commandLineToolsRead(t, in)
	}
}

// TestLegacyLZ4Incompressible: legacy LZ4 has no stored-block flag, so an
// 8 MiB block of noise must still be a real LZ4 block lz4 -d reads; two
// blocks check the framing between them.
func TestLegacyLZ4Incompressible(t *testing.T) {
	noise := make([]byte, 9<<20)
	rand.New(rand.NewSource(1)).Read(noise)
	packed, err := Bytes("lz4-legacy", noise)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("lz4", "-dc")
	cmd.Stdin = bytes.NewReader(packed)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("lz4 -dc: %v", err)
	}
	if !bytes.Equal(out, noise) {
		t.Errorf("lz4 -dc gave %d bytes, want the %d we compressed", len(out), len(noise))
	}
}

func commandLineToolsRead(t *testing.T, in []byte) {
	for _, tc := range []struct {
		name string
		tool []string
	}{
		{"gzip", []string{"gzip", "-dc"}},
		{"lz4", []string{"lz4", "-dc"}},
		{"lz4-legacy", []string{"lz4", "-dc"}},
		{"xz-crc32", []string{"xz", "-dc"}},
		{"lzma", []string{"xz", "--format=lzma", "-dc"}},
		{"xz", []string{"xz", "-dc"}},
		{"zstd", []string{"zstd", "-dc"}},
		{"bzip2", []string{"bzip2", "-dc"}},
	} {
		t.Run(fmt.Sprintf("%s/%d_bytes", tc.name, len(in)), func(t *testing.T) {
			path, err := exec.LookPath(tc.tool[0])
			if err != nil {
				t.Fatalf("%s is needed to check %s output: %v", tc.tool[0], tc.name, err)
			}
			packed, err := Bytes(tc.name, in)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(path, tc.tool[1:]...)
			cmd.Stdin = bytes.NewReader(packed)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v: %s", strings.Join(tc.tool, " "), err, stderr.String())
			}
			if !bytes.Equal(out, in) {
				t.Errorf("%s gave %d bytes, want the %d we compressed", strings.Join(tc.tool, " "), len(out), len(in))
			}
		})
	}
}

// TestReadsCommandLineToolOutput decompresses what the reference tools
// write, so payloads compressed outside the build are accepted too.
func TestReadsCommandLineToolOutput(t *testing.T) {
	in := sample()
	for _, tc := range []struct {
		name string
		tool []string
	}{
		{"gzip", []string{"gzip", "-9nc"}},
		{"lz4", []string{"lz4", "-9c"}},
		{"lz4-legacy", []string{"lz4", "-l", "-9c"}},
		{"xz-crc32", []string{"xz", "--check=crc32", "-c"}},
		{"lzma", []string{"xz", "--format=lzma", "-c"}},
		{"xz", []string{"xz", "-c"}},
		{"zstd", []string{"zstd", "-19c"}},
		{"bzip2", []string{"bzip2", "-9c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, err := exec.LookPath(tc.tool[0])
			if err != nil {
				t.Fatalf("%s is needed: %v", tc.tool[0], err)
			}
			cmd := exec.Command(path, tc.tool[1:]...)
			cmd.Stdin = bytes.NewReader(in)
			packed, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v", strings.Join(tc.tool, " "), err)
			}
			out, err := DecompressBytes(tc.name, packed)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, in) {
				t.Errorf("decompressing %s output gave different bytes", tc.tool[0])
			}
		})
	}
}

func TestErrors(t *testing.T) {
	if _, err := NewWriter("lzo", io.Discard); err == nil || !strings.Contains(err.Error(), `unknown compression "lzo"`) {
		t.Errorf("NewWriter(lzo) error = %v", err)
	}
	if _, err := Bytes("brotli", nil); err == nil {
		t.Error("Bytes(brotli) succeeded")
	}
	for _, name := range Names() {
		if name == "none" {
			continue
		}
		if _, err := DecompressBytes(name, []byte("definitely not compressed data")); err == nil {
			t.Errorf("%s: decompressing garbage succeeded", name)
		}
	}
}

// FuzzDecompress feeds arbitrary streams to every decoder: they must fail
// cleanly, never panic or hang.
func FuzzDecompress(f *testing.F) {
	for _, name := range Names() {
		packed, err := Bytes(name, []byte("seed payload seed payload"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(name, packed)
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if !Supported(name) {
			return
		}
		r, err := NewReader(name, bytes.NewReader(data))
		if err != nil {
			return
		}
		// Bound the output: a tiny stream may legitimately expand a lot.
		_, _ = io.Copy(io.Discard, io.LimitReader(r, 16<<20))
		r.Close()
	})
}

// countingWriter counts what a decoder wrote.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// FuzzCopyLimit checks the size bound of every decoder: Copy never writes
// more than limit+1 bytes, and succeeds only within the limit.
func FuzzCopyLimit(f *testing.F) {
	for _, name := range Names() {
		packed, err := Bytes(name, bytes.Repeat([]byte("0123456789abcdef"), 256))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(name, packed, uint16(100))
		f.Add(name, packed, uint16(4096))
	}
	f.Fuzz(func(t *testing.T, name string, data []byte, limit uint16) {
		if !Supported(name) {
			return
		}
		var w countingWriter
		n, err := Copy(&w, name, bytes.NewReader(data), int64(limit))
		if w.n != n || n > int64(limit)+1 {
			t.Fatalf("%s: wrote %d (reported %d) with limit %d", name, w.n, n, limit)
		}
		var le *LimitError
		if n > int64(limit) && !errors.As(err, &le) {
			t.Fatalf("%s: %d bytes past limit %d without a LimitError: %v", name, n, limit, err)
		}
		if err == nil {
			out, err := DecompressLimit(name, data, int64(limit))
			if err != nil || int64(len(out)) != n {
				t.Fatalf("%s: DecompressLimit disagrees with Copy: %d bytes, %v", name, len(out), err)
			}
		}
	})
}

func TestCopyLimit(t *testing.T) {
	packed, err := Bytes("gzip", make([]byte, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	var w countingWriter
	if _, err := Copy(&w, "gzip", bytes.NewReader(packed), 1000); err == nil || !strings.Contains(err.Error(), "more than 1000 bytes") {
		t.Fatalf("1 MiB through a 1000-byte limit: %v", err)
	}
	if n, err := Copy(&w, "gzip", bytes.NewReader(packed), 1<<20); err != nil || n != 1<<20 {
		t.Fatalf("exact limit: %d, %v", n, err)
	}
}
