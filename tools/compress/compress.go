// Package compress compresses and decompresses payloads in-process by
// algorithm name, so image rules need no host compressor.
//
// Algorithms and the exact stream each writes (all deterministic: the same
// input gives the same bytes on every run):
//
//   - none:  the data unchanged.
//   - gzip:  byte for byte what `gzip -n -9` (GNU gzip 1.12) writes: one
//     RFC 1952 member with no file name, mtime 0, XFL 2, OS 3 (Unix) and
//     GNU gzip's deflate stream (GNUGzip in gnugzip.go), so kernel boot
//     wrappers, initramfs archives and uImage payloads made with gzip -9
//     match the reference tools'.
//   - lz4:   the LZ4 frame format (magic 0x184D2204) with independent 4 MiB
//     blocks and a content checksum, as `lz4` writes by default; this is the
//     format U-Boot's lz4 decompressor expects (not the legacy format).
//   - lz4-legacy: the legacy LZ4 format (magic 0x184C2102, 8 MiB blocks)
//     Linux's decompressors read (initramfs, lz4 kernels); `lz4 -l` writes it.
//   - lzma:  the .lzma "alone" format `lzma` writes: 13-byte header with
//     lc=3 lp=0 pb=2, 8 MiB dictionary, size field "unknown" (all ones) and
//     an end-of-stream marker. This is what U-Boot's -C lzma wants.
//   - xz:    the .xz container with CRC64 check (U-Boot has no uImage code
//     for it; useful for root filesystems and payloads Linux unpacks).
//   - xz-crc32: .xz with CRC32 check, as `xz --check=crc32` writes it: the
//     only check Linux's xz decoder verifies.
//   - zstd:  one zstd frame from klauspost/compress at its default level
//     (the one it pairs with `zstd -3`, binman's; zstd.go) with a 2 MiB
//     window and a content checksum, single-threaded so block boundaries
//     never depend on the machine.
//   - bzip2: byte for byte what `bzip2 -9` (bzip2 1.0.8) writes: 900k
//     blocks (Bzip2Writer in bzip2enc.go).
//
// LZ4HCFrame (lz4hc.go) is the one LZ4 high-compression encoder: byte for
// byte what `lz4 --no-frame-crc -B4 -5` writes (binman's lz4 entries).
package compress

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/rules-firmware/rules_firmware/tools/bigbuf"
	"github.com/rules-firmware/rules_firmware/tools/lazymap"
	"github.com/rules-firmware/rules_firmware/tools/xz"
	"github.com/ulikunitz/xz/lzma"
)

type algorithm struct {
	newWriter func(w io.Writer) (io.WriteCloser, error)
	newReader func(r io.Reader) (io.ReadCloser, error)
}

var algorithms = &lazymap.Map[string, algorithm]{New: func() map[string]algorithm {
	return map[string]algorithm{
		"none": {
			newWriter: func(w io.Writer) (io.WriteCloser, error) { return nopWriteCloser{w}, nil },
			newReader: func(r io.Reader) (io.ReadCloser, error) { return io.NopCloser(r), nil },
		},
		"gzip": {
			newWriter: func(w io.Writer) (io.WriteCloser, error) {
				return NewGNUGzipWriter(w, 9)
			},
			newReader: func(r io.Reader) (io.ReadCloser, error) {
				zr, err := gzip.NewReader(r)
				if err != nil {
					return nil, err
				}
				// A payload is one member; trailing padding is not a second one.
				zr.Multistream(false)
				return zr, nil
			},
		},
		"lz4": {
			newWriter: func(w io.Writer) (io.WriteCloser, error) {
				zw := lz4.NewWriter(w)
				err := zw.Apply(
					lz4.BlockSizeOption(lz4.Block4Mb),
					lz4.ChecksumOption(true),
					lz4.BlockChecksumOption(false),
					lz4.ConcurrencyOption(1),
					lz4.CompressionLevelOption(lz4.Fast),
				)
				if err != nil {
					return nil, err
				}
				return zw, nil
			},
			newReader: func(r io.Reader) (io.ReadCloser, error) {
				return io.NopCloser(lz4.NewReader(r)), nil
			},
		},
		// Linux's own decompressors (initramfs, compressed kernels) read the
		// legacy LZ4 format: magic 0x184C2102, 8 MiB blocks, no checksums.
		"lz4-legacy": {
			newWriter: func(w io.Writer) (io.WriteCloser, error) {
				return &legacyLZ4Writer{w: w}, nil
			},
			newReader: func(r io.Reader) (io.ReadCloser, error) {
				return io.NopCloser(lz4.NewReader(r)), nil
			},
		},
		"lzma": {
			newWriter: func(w io.Writer) (io.WriteCloser, error) {
				cfg := lzma.WriterConfig{
					Properties: &lzma.Properties{LC: 3, LP: 0, PB: 2},
					DictCap:    8 << 20,
					EOSMarker:  true,
				}
				return cfg.NewWriter(w)
			},
			newReader: func(r io.Reader) (io.ReadCloser, error) {
				zr, err := lzma.NewReader(r)
				if err != nil {
					return nil, err
				}
				return io.NopCloser(zr), nil
			},
		},
		"xz": xzAlgorithm(xz.CheckCRC64),
		// The kernel's xz decoder checks CRC32 only (`xz --check=crc32`).
		"xz-crc32": xzAlgorithm(xz.CheckCRC32),
		"zstd": {
			newWriter: newZstdWriter,
			newReader: func(r io.Reader) (io.ReadCloser, error) {
				zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
				if err != nil {
					return nil, err
				}
				return zr.IOReadCloser(), nil
			},
		},
		"bzip2": {
			newWriter: func(w io.Writer) (io.WriteCloser, error) {
				return NewBzip2Writer(w, 9)
			},
			newReader: func(r io.Reader) (io.ReadCloser, error) {
				return io.NopCloser(bzip2.NewReader(r)), nil
			},
		},
	}
}}

// xzAlgorithm writes .xz streams with the given integrity check (the
// bytes ulikunitz/xz's Writer wrote, through tools/xz, which leaves out
// its start-up CRC-64 tables); the reader takes any check.
func xzAlgorithm(check byte) algorithm {
	return algorithm{
		newWriter: func(w io.Writer) (io.WriteCloser, error) {
			return xz.NewWriter(w, check, 0)
		},
		newReader: func(r io.Reader) (io.ReadCloser, error) {
			zr, err := xz.NewReader(r)
			if err != nil {
				return nil, err
			}
			return io.NopCloser(zr), nil
		},
	}
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// Names returns the supported algorithm names, sorted.
func Names() []string {
	names := make([]string, 0, len(algorithms.Get()))
	for n := range algorithms.Get() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Supported reports whether name is a known algorithm.
func Supported(name string) bool {
	_, ok := algorithms.Get()[name]
	return ok
}

func lookup(name string) (algorithm, error) {
	a, ok := algorithms.Get()[name]
	if !ok {
		return algorithm{}, fmt.Errorf("unknown compression %q (supported: %s)", name, strings.Join(Names(), ", "))
	}
	return a, nil
}

// NewWriter returns a writer that compresses into w with algorithm name.
// Close it to flush the end of the stream; Close does not close w.
func NewWriter(name string, w io.Writer) (io.WriteCloser, error) {
	a, err := lookup(name)
	if err != nil {
		return nil, err
	}
	zw, err := a.newWriter(w)
	if err != nil {
		return nil, err
	}
	// Hide the libraries' ReadFrom methods from io.Copy: lz4's fails
	// ("unhandled state") when called after Write.
	return writeCloser{zw}, nil
}

type writeCloser struct{ w io.WriteCloser }

func (w writeCloser) Write(p []byte) (int, error) { return w.w.Write(p) }
func (w writeCloser) Close() error                { return w.w.Close() }

// NewReader returns a reader of the data decompressed from r.
func NewReader(name string, r io.Reader) (io.ReadCloser, error) {
	a, err := lookup(name)
	if err != nil {
		return nil, err
	}
	return a.newReader(r)
}

// Bytes compresses data with algorithm name.
func Bytes(name string, data []byte) ([]byte, error) {
	out := newOutput(len(data))
	if name == "gzip" {
		// The encoder reads the input directly, not through the pipe
		// and goroutine NewWriter's streaming needs (same reads, same
		// bytes).
		if err := gnuGzipStream(out, bytes.NewReader(data), 9); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return out.b, nil
	}
	zw, err := NewWriter(name, out)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out.b, nil
}

// appendWriter collects a compressed stream in one buffer allocated up
// front for about the largest output (the input and 1/64 more: stored
// blocks and headers of every algorithm here stay below that; beyond it
// append still grows the buffer). A growing bytes.Buffer clears and
// copies at every doubling: for a 16 MiB input that is about twice the
// output in freshly faulted pages; here only the pages written are
// touched, huge pages for large outputs (bigbuf).
type appendWriter struct{ b []byte }

func newOutput(n int) *appendWriter {
	return &appendWriter{b: bigbuf.Make(0, n+n/64+1024)}
}

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// DecompressBytes decompresses data with algorithm name.
func DecompressBytes(name string, data []byte) ([]byte, error) {
	zr, err := NewReader(name, bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := zr.Close(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// legacyLZ4Writer writes the legacy LZ4 format: the magic, then per 8 MiB
// of input a little-endian compressed length and one LZ4 block. The
// library's own legacy writer stores a block that does not shrink with the
// frame format's "uncompressed" flag, which legacy readers (lz4 -d, Linux)
// take as a corrupt length; compressing into a CompressBlockBound-sized
// buffer always yields a real block.
type legacyLZ4Writer struct {
	w       io.Writer
	buf     []byte
	started bool
	err     error
}

const legacyLZ4Block = 8 << 20

func (z *legacyLZ4Writer) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 && z.err == nil {
		if z.buf == nil {
			z.buf = make([]byte, 0, legacyLZ4Block)
		}
		m := copy(z.buf[len(z.buf):cap(z.buf)], p)
		z.buf, p, n = z.buf[:len(z.buf)+m], p[m:], n+m
		if len(z.buf) == legacyLZ4Block {
			z.flush()
		}
	}
	return n, z.err
}

func (z *legacyLZ4Writer) flush() {
	if !z.started {
		_, z.err = z.w.Write([]byte{0x02, 0x21, 0x4c, 0x18})
		z.started = true
	}
	if len(z.buf) == 0 || z.err != nil {
		return
	}
	out := make([]byte, 4+lz4.CompressBlockBound(len(z.buf)))
	var c lz4.Compressor
	n, err := c.CompressBlock(z.buf, out[4:])
	if err != nil || n == 0 {
		z.err = fmt.Errorf("lz4-legacy: block of %d bytes did not compress (%v)", len(z.buf), err)
		return
	}
	binary.LittleEndian.PutUint32(out, uint32(n))
	_, z.err = z.w.Write(out[:4+n])
	z.buf = z.buf[:0]
}

func (z *legacyLZ4Writer) Close() error {
	z.flush()
	return z.err
}

// LimitError says decompressed data would exceed the bound the caller set
// (the size its container claims, or a flag).
type LimitError struct {
	Algo  string
	Limit int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s data inflates to more than %d bytes (the limit)", e.Algo, e.Limit)
}

// Copy decompresses r with algorithm name into w as a stream, failing
// with a LimitError once more than limit bytes come out; it never holds
// the output in memory, so a small bomb costs disk time, not RAM.
func Copy(w io.Writer, name string, r io.Reader, limit int64) (int64, error) {
	if name == "lzma" {
		r = ClampLZMADict(r, limit)
	}
	zr, err := NewReader(name, r)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	n, err := io.Copy(w, io.LimitReader(zr, limit+1))
	// Past the limit is the error to report even when the decoder failed
	// in the same read (a truncated stream that had already produced more
	// than limit bytes): the bound is what callers check for.
	if n > limit {
		return n, &LimitError{Algo: name, Limit: limit}
	}
	if err != nil {
		return n, fmt.Errorf("%s: %w", name, err)
	}
	if err := zr.Close(); err != nil {
		return n, fmt.Errorf("%s: %w", name, err)
	}
	return n, nil
}

// DecompressLimit is DecompressBytes for callers that need the result in
// memory, failing past limit bytes instead of growing without end.
func DecompressLimit(name string, data []byte, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := Copy(&buf, name, bytes.NewReader(data), limit); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ClampLZMADict lowers the dictionary size in an .lzma header (bytes 1-4,
// little-endian) to what limit bytes of output can use: the decoder
// allocates the size the header claims (a crafted 4 GiB claim would cost
// 4 GiB), but no match can reach further back than the output so far.
func ClampLZMADict(r io.Reader, limit int64) io.Reader {
	var hdr [5]byte
	n, err := io.ReadFull(r, hdr[:])
	if err != nil {
		return io.MultiReader(bytes.NewReader(hdr[:n]), r)
	}
	want := limit
	if want < 4096 {
		want = 4096 // the decoders' least dictionary
	}
	if d := int64(binary.LittleEndian.Uint32(hdr[1:])); d > want && want <= 0xffffffff {
		binary.LittleEndian.PutUint32(hdr[1:], uint32(want))
	}
	return io.MultiReader(bytes.NewReader(hdr[:]), r)
}
