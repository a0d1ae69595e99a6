package squashfs

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/rules-firmware/rules_firmware/tools/compress"
	"github.com/rules-firmware/rules_firmware/tools/xz"
)

// Compressor ids stored in the superblock.
const (
	compGzip = 1
	compLZMA = 2
	compLZO  = 3
	compXZ   = 4
	compLZ4  = 5
	compZstd = 6
)

// Compressors lists the names Build accepts. "none" stores every block
// uncompressed (recorded as gzip, with the "uncompressed" flags set, as
// mksquashfs -noI -noD -noF -noX does).
var Compressors = []string{"gzip", "lzo", "xz", "lz4", "zstd", "none"}

// compressor packs one block. compress returns nil when the packed form
// would not be smaller, so the caller stores the block uncompressed.
type compressor interface {
	id() uint16
	// options is the compressor options block stored after the
	// superblock, or nil.
	options() []byte
	compress(src []byte) ([]byte, error)
}

func newCompressor(name string, blockSize int) (compressor, error) {
	switch name {
	case "gzip", "":
		return &zlibComp{}, nil
	case "none":
		return noneComp{}, nil
	case "xz":
		return &xzComp{dict: blockSize}, nil
	case "lz4":
		return &lz4Comp{}, nil
	case "lzo":
		return &lzoComp{}, nil
	case "zstd":
		enc, err := zstd.NewWriter(nil,
			zstd.WithEncoderConcurrency(1),
			zstd.WithEncoderLevel(zstd.SpeedBestCompression),
			zstd.WithEncoderCRC(false),
			// Linux sizes its zstd workspace for a window of one block.
			zstd.WithWindowSize(blockSize))
		if err != nil {
			return nil, err
		}
		return &zstdComp{enc: enc}, nil
	}
	return nil, fmt.Errorf("compressor %q is not one of %v", name, Compressors)
}

type noneComp struct{}

func (noneComp) id() uint16                          { return compGzip }
func (noneComp) options() []byte                     { return nil }
func (noneComp) compress(src []byte) ([]byte, error) { return nil, nil }

// zlibComp writes zlib streams (what squashfs calls gzip) at level 9, the
// mksquashfs default, byte for byte as zlib 1.2.13 does (compress.
// ZlibEncoder, independent of the Go release). One encoder serves every
// block, as mksquashfs reuses its zlib stream with deflateReset.
type zlibComp struct {
	enc *compress.ZlibEncoder
	buf []byte
}

func (*zlibComp) id() uint16      { return compGzip }
func (*zlibComp) options() []byte { return nil }
func (c *zlibComp) compress(src []byte) ([]byte, error) {
	if c.enc == nil {
		enc, err := compress.NewZlibEncoder(9)
		if err != nil {
			return nil, err
		}
		c.enc = enc
	}
	c.buf = c.enc.Encode(c.buf[:0], src)
	return smaller(c.buf, src), nil
}

// xzComp writes .xz streams with a CRC32 check and a dictionary of one
// block: the kernel's decoder preallocates exactly that.
type xzComp struct {
	dict int
	buf  bytes.Buffer
}

func (*xzComp) id() uint16      { return compXZ }
func (*xzComp) options() []byte { return nil }
func (c *xzComp) compress(src []byte) ([]byte, error) {
	c.buf.Reset()
	w, err := xz.NewWriter(&c.buf, xz.CheckCRC32, c.dict)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(src); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return smaller(c.buf.Bytes(), src), nil
}

// lz4Comp writes raw LZ4 blocks. Like mksquashfs it always stores the
// options block (version 1 "legacy", no high-compression flag), which
// unsquashfs and the kernel check.
type lz4Comp struct {
	c   lz4.Compressor
	dst []byte
}

func (*lz4Comp) id() uint16 { return compLZ4 }
func (*lz4Comp) options() []byte {
	o := make([]byte, 8)
	binary.LittleEndian.PutUint32(o, 1)
	return o
}
func (c *lz4Comp) compress(src []byte) ([]byte, error) {
	if n := lz4.CompressBlockBound(len(src)); cap(c.dst) < n {
		c.dst = make([]byte, n)
	}
	n, err := c.c.CompressBlock(src, c.dst[:cap(c.dst)])
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	return smaller(c.dst[:n], src), nil
}

// lzoComp writes raw LZO1X blocks (compress.LZO1XCompress). mksquashfs
// stores no options block for its default (lzo1x_999, level 8), and the
// algorithm is only the encoder's search effort: any LZO1X stream reads
// back with the kernel's and unsquashfs's lzo1x_decompress_safe, so none
// is stored here either.
type lzoComp struct {
	dst []byte
}

func (*lzoComp) id() uint16      { return compLZO }
func (*lzoComp) options() []byte { return nil }
func (c *lzoComp) compress(src []byte) ([]byte, error) {
	c.dst = compress.LZO1XCompress(c.dst[:0], src)
	return smaller(c.dst, src), nil
}

type zstdComp struct {
	enc *zstd.Encoder
	dst []byte
}

func (*zstdComp) id() uint16      { return compZstd }
func (*zstdComp) options() []byte { return nil }
func (c *zstdComp) compress(src []byte) ([]byte, error) {
	c.dst = c.enc.EncodeAll(src, c.dst[:0])
	return smaller(c.dst, src), nil
}

func smaller(packed, src []byte) []byte {
	if len(packed) >= len(src) {
		return nil
	}
	return packed
}

// decompress unpacks one block of at most limit bytes.
func decompress(id uint16, src []byte, limit int) ([]byte, error) {
	var out []byte
	var err error
	switch id {
	case compGzip:
		var r io.ReadCloser
		r, err = zlib.NewReader(bytes.NewReader(src))
		if err == nil {
			out, err = readLimited(r, limit)
			r.Close()
		}
	case compXZ:
		var r *xz.Reader
		r, err = xz.NewReader(bytes.NewReader(src))
		if err == nil {
			out, err = readLimited(r, limit)
		}
	case compLZ4:
		out = make([]byte, limit)
		var n int
		n, err = lz4.UncompressBlock(src, out)
		out = out[:n]
	case compLZO:
		out, err = compress.LZO1XDecompress(src, limit)
	case compZstd:
		var d *zstd.Decoder
		d, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(limit)+1))
		if err == nil {
			out, err = d.DecodeAll(src, nil)
			d.Close()
		}
	default:
		return nil, fmt.Errorf("compressor id %d is not supported", id)
	}
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		return nil, fmt.Errorf("block unpacks to more than %d bytes", limit)
	}
	return out, nil
}

func readLimited(r io.Reader, limit int) ([]byte, error) {
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	return out, nil
}
