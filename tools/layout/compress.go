package layout

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// knownCompression lists binman's compress values we implement in Go.
func knownCompression(algo string) bool {
	switch algo {
	case "lz4", "gzip", "lzma", "xz", "zstd", "bzip2":
		return true
	}
	return false
}

// compressBytes compresses data with the named algorithm. lz4 writes a
// frame with 64 KiB independent blocks and no content checksum, which is
// what binman asks the lz4 tool for (--no-frame-crc -B4), so `lz4 -dc` and
// U-Boot read it. Deterministic: no timestamps or names in gzip headers.
func compressBytes(algo string, data []byte) ([]byte, error) {
	var buf bytes.Buffer
	var w io.WriteCloser
	var err error
	switch algo {
	case "lz4":
		zw := lz4.NewWriter(&buf)
		if err := zw.Apply(lz4.BlockSizeOption(lz4.Block64Kb), lz4.ChecksumOption(false), lz4.CompressionLevelOption(lz4.Level5)); err != nil {
			return nil, err
		}
		w = zw
	case "gzip":
		w, err = gzip.NewWriterLevel(&buf, gzip.BestCompression)
	case "lzma":
		// binman's lzma_alone uses lc=1 lp=0 pb=0.
		w, err = lzma.WriterConfig{Properties: &lzma.Properties{LC: 1, LP: 0, PB: 0}, SizeInHeader: true, Size: int64(len(data))}.NewWriter(&buf)
	case "xz":
		w, err = xz.NewWriter(&buf)
	case "zstd":
		w, err = zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1))
	case "bzip2":
		w, err = bzip2.NewWriter(&buf, &bzip2.WriterConfig{Level: 9})
	default:
		return nil, fmt.Errorf("unknown compression '%s'", algo)
	}
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decompress undoes compressBytes (and reads what binman's tools write).
func Decompress(algo string, data []byte) ([]byte, error) {
	var r io.Reader
	var err error
	in := bytes.NewReader(data)
	switch algo {
	case "none", "":
		return data, nil
	case "lz4":
		r = lz4.NewReader(in)
	case "gzip":
		r, err = gzip.NewReader(in)
	case "lzma":
		r, err = lzma.NewReader(in)
	case "xz":
		r, err = xz.NewReader(in)
	case "zstd":
		var d *zstd.Decoder
		d, err = zstd.NewReader(in, zstd.WithDecoderConcurrency(1))
		if err == nil {
			defer d.Close()
			r = d
		}
	case "bzip2":
		r, err = bzip2.NewReader(in, nil)
	default:
		return nil, fmt.Errorf("unknown compression '%s'", algo)
	}
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// Compress is compressBytes for callers outside the package (replace).
func Compress(algo string, data []byte) ([]byte, error) { return compressBytes(algo, data) }
