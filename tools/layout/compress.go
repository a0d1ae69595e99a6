package layout

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/ulikunitz/xz/lzma"

	"github.com/rules-firmware/rules_firmware/tools/compress"
)

// knownCompression lists binman's compress values we implement in Go.
func knownCompression(algo string) bool {
	switch algo {
	case "lz4", "gzip", "lzma", "xz", "zstd", "bzip2":
		return compress.Supported(algo) || algo == "lz4" || algo == "lzma"
	}
	return false
}

// compressBytes compresses an entry's data. lz4 gives exactly the bytes of
// the lz4 tool run as binman runs it (--no-frame-crc -B4 -5, see
// lz4hc.go), so lz4-compressed entries match binman's images; so does
// lzma (tools/compress's LZMA SDK 9.22 encoder with binman's lzma_alone
// switches); the other algorithms use tools/compress's deterministic streams.
func compressBytes(algo string, data []byte) ([]byte, error) {
	switch algo {
	case "lz4":
		return lz4FrameLevel5(data), nil
	case "lzma":
		// binman's `lzma_alone e -lc1 -lp0 -pb0 -d8`, byte for byte.
		return compress.LZMAAlone(data, compress.BinmanLZMA)
	default:
		return compress.Bytes(algo, data)
	}
}

// compressRegion compresses a region of an input file where the
// algorithm's encoder reads it block by block (lz4: LZ4HCFrameAt), so
// the file is neither mapped nor read whole; handled is false for the
// other algorithms, which take the data in memory.
func compressRegion(algo string, r fileRegion) (comp []byte, handled bool, err error) {
	if algo != "lz4" {
		return nil, false, nil
	}
	f, err := os.Open(r.path)
	if err != nil {
		return nil, true, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return nil, true, err
	} else if uint64(st.Size()) < r.off+r.n {
		return nil, true, fmt.Errorf("%s: file shrank while building (%d bytes, need %d)", r.path, st.Size(), r.off+r.n)
	}
	if comp, err = compress.LZ4HCFrameAt(f, int64(r.off), int64(r.n)); err != nil {
		return nil, true, fmt.Errorf("reading %s: %v", r.path, err)
	}
	return comp, true, nil
}

// Decompress undoes an entry's compression (ours or binman's tools').
func Decompress(algo string, data []byte) ([]byte, error) {
	switch algo {
	case "none", "":
		return data, nil
	case "lzma":
		// Our lzma header carries the size; tools/compress's reader
		// expects the lzma tool's header, which both decoders accept.
		r, err := lzma.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(r)
	}
	if !compress.Supported(algo) {
		return nil, fmt.Errorf("unknown compression '%s'", algo)
	}
	return compress.DecompressBytes(algo, data)
}

// DecompressTo streams an entry's decompressed data into w, failing past
// limit bytes (binman records the size in uncomp-size; callers pass it or
// their own bound).
func DecompressTo(w io.Writer, algo string, data []byte, limit int64) (int64, error) {
	switch algo {
	case "none", "":
		if int64(len(data)) > limit {
			return 0, &compress.LimitError{Algo: "stored", Limit: limit}
		}
		n, err := w.Write(data)
		return int64(n), err
	case "lzma":
		r, err := lzma.NewReader(compress.ClampLZMADict(bytes.NewReader(data), limit))
		if err != nil {
			return 0, err
		}
		n, err := io.Copy(w, io.LimitReader(r, limit+1))
		if err == nil && n > limit {
			err = &compress.LimitError{Algo: algo, Limit: limit}
		}
		return n, err
	}
	if !compress.Supported(algo) {
		return 0, fmt.Errorf("unknown compression '%s'", algo)
	}
	return compress.Copy(w, algo, bytes.NewReader(data), limit)
}

// DecompressLimit is Decompress into memory, failing past limit bytes.
func DecompressLimit(algo string, data []byte, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := DecompressTo(&buf, algo, data, limit); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Compress is compressBytes for callers outside the package (replace).
func Compress(algo string, data []byte) ([]byte, error) { return compressBytes(algo, data) }
