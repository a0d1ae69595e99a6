// Package xz reads and writes the .xz container (the Tukaani file format:
// stream header, blocks, index, footer) around LZMA2 data from
// github.com/ulikunitz/xz/lzma.
//
// Why not github.com/ulikunitz/xz itself: its package builds CRC-64
// tables when the program starts (about 33 KB on the heap, two dozen page
// faults), which every fwtool run paid, including those that never touch
// xz. Here the CRC-64 table is made on first use. The writer lays out the
// stream exactly as ulikunitz/xz's Writer does (one block, LZMA2 filter
// only, no sizes in the block header), so output bytes are unchanged; the
// reader takes what it takes (any check, concatenated streams, stream
// padding, blocks with or without sizes, LZMA2 as the only filter).
package xz

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"sync"

	"github.com/ulikunitz/xz/lzma"
)

// Integrity checks a stream can carry (its header's flags byte).
const (
	CheckNone   byte = 0x00
	CheckCRC32  byte = 0x01
	CheckCRC64  byte = 0x04
	CheckSHA256 byte = 0x0a
)

// DefaultDictCap is the LZMA2 dictionary a zero dictCap means (xz -6's).
const DefaultDictCap = 8 << 20

const (
	lzma2FilterID   = 0x21
	headerLen       = 12
	footerLen       = 12
	sizesPresent    = 0xc0 // block flags: compressed, uncompressed size
	reservedFlags   = 0x3c
	maxVarintLen    = 9 // the format caps its integers at 63 bits
	lzmaBufSize     = 4096
	lzmaLC, lzmaLP  = 3, 0
	lzmaPB          = 2
	maxBlockHdrSize = 1024
)

var streamMagic = [6]byte{0xfd, '7', 'z', 'X', 'Z', 0}

var crc64Table struct {
	once sync.Once
	t    *crc64.Table
}

// newCheck returns the hash a stream with these flags stores after each
// block (little-endian for the CRCs, as the format says).
func newCheck(flags byte) (hash.Hash, error) {
	switch flags {
	case CheckNone:
		return noCheck{}, nil
	case CheckCRC32:
		return &leSum{h32: crc32.NewIEEE()}, nil
	case CheckCRC64:
		crc64Table.once.Do(func() { crc64Table.t = crc64.MakeTable(crc64.ECMA) })
		return &leSum{h64: crc64.New(crc64Table.t)}, nil
	case CheckSHA256:
		return sha256.New(), nil
	}
	return nil, fmt.Errorf("xz: unsupported integrity check 0x%02x", flags)
}

// leSum is a CRC whose Sum appends the value little-endian.
type leSum struct {
	h32 hash.Hash32
	h64 hash.Hash64
}

func (s *leSum) Write(p []byte) (int, error) {
	if s.h32 != nil {
		return s.h32.Write(p)
	}
	return s.h64.Write(p)
}

func (s *leSum) Sum(b []byte) []byte {
	if s.h32 != nil {
		return appendLE(b, uint64(s.h32.Sum32()), 4)
	}
	return appendLE(b, s.h64.Sum64(), 8)
}

func (s *leSum) Reset() {
	if s.h32 != nil {
		s.h32.Reset()
	} else {
		s.h64.Reset()
	}
}

func (s *leSum) Size() int {
	if s.h32 != nil {
		return 4
	}
	return 8
}

func (s *leSum) BlockSize() int { return 1 }

type noCheck struct{}

func (noCheck) Write(p []byte) (int, error) { return len(p), nil }
func (noCheck) Sum(b []byte) []byte         { return b }
func (noCheck) Reset()                      {}
func (noCheck) Size() int                   { return 0 }
func (noCheck) BlockSize() int              { return 1 }

func appendLE(b []byte, v uint64, n int) []byte {
	for i := 0; i < n; i++ {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

func le32(p []byte) uint32 {
	return uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16 | uint32(p[3])<<24
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// pad4 is how many zero bytes bring n to a multiple of four.
func pad4(n int64) int { return int(-n & 3) }

// streamHeader is the 12-byte header of a stream with the given check.
func streamHeader(check byte) []byte {
	h := append(streamMagic[:], 0, check)
	return appendLE(h, uint64(crc32.ChecksumIEEE(h[6:8])), 4)
}

// streamFooter closes a stream whose index took indexSize bytes.
func streamFooter(indexSize int64, check byte) []byte {
	f := appendLE(make([]byte, 4, footerLen), uint64(indexSize/4-1), 4)
	f = append(f, 0, check, 'Y', 'Z')
	crc := crc32.ChecksumIEEE(f[4:10])
	f[0], f[1], f[2], f[3] = byte(crc), byte(crc>>8), byte(crc>>16), byte(crc>>24)
	return f
}

// record is one block's entry in the index.
type record struct{ unpadded, uncompressed int64 }

// index encodes the index of a stream with these blocks.
func index(records []record) []byte {
	b := appendVarint([]byte{0}, uint64(len(records)))
	for _, r := range records {
		b = appendVarint(b, uint64(r.unpadded))
		b = appendVarint(b, uint64(r.uncompressed))
	}
	b = append(b, make([]byte, pad4(int64(len(b))))...)
	return appendLE(b, uint64(crc32.ChecksumIEEE(b)), 4)
}

// countingWriter counts what reaches w.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Writer writes one .xz stream holding a single block.
type Writer struct {
	out    countingWriter
	lz     *lzma.Writer2
	check  hash.Hash
	flags  byte
	hdrLen int
	n      int64
	closed bool
}

// NewWriter starts a stream on w with the given integrity check and LZMA2
// dictionary size (0: DefaultDictCap). It writes the stream and block
// headers at once.
func NewWriter(w io.Writer, check byte, dictCap int) (*Writer, error) {
	if dictCap == 0 {
		dictCap = DefaultDictCap
	}
	h, err := newCheck(check)
	if err != nil {
		return nil, err
	}
	x := &Writer{out: countingWriter{w: w}, check: h, flags: check}
	cfg := lzma.Writer2Config{
		Properties: &lzma.Properties{LC: lzmaLC, LP: lzmaLP, PB: lzmaPB},
		DictCap:    dictCap,
		BufSize:    lzmaBufSize,
	}
	if err := cfg.Verify(); err != nil {
		return nil, err
	}
	if _, err := w.Write(streamHeader(check)); err != nil {
		return nil, err
	}
	// Block header: size byte, flags (one filter, no sizes), the LZMA2
	// filter with its dictionary byte, padding, CRC32.
	bh := []byte{0, 0, lzma2FilterID, 1, lzma.EncodeDictCap(int64(dictCap))}
	bh = append(bh, make([]byte, pad4(int64(len(bh))))...)
	bh[0] = byte((len(bh)+4)/4 - 1)
	bh = appendLE(bh, uint64(crc32.ChecksumIEEE(bh)), 4)
	if _, err := w.Write(bh); err != nil {
		return nil, err
	}
	x.hdrLen = len(bh)
	if x.lz, err = cfg.NewWriter2(&x.out); err != nil {
		return nil, err
	}
	return x, nil
}

var errClosed = errors.New("xz: writer already closed")

// Write compresses p into the block.
func (x *Writer) Write(p []byte) (int, error) {
	if x.closed {
		return 0, errClosed
	}
	n, err := x.lz.Write(p)
	x.n += int64(n)
	if err != nil {
		return n, err
	}
	if n != len(p) {
		return n, io.ErrShortWrite
	}
	x.check.Write(p)
	return n, nil
}

// Close ends the LZMA2 data and writes the block's check, the index and
// the footer. It does not close the underlying writer.
func (x *Writer) Close() error {
	if x.closed {
		return errClosed
	}
	x.closed = true
	if err := x.lz.Close(); err != nil {
		return err
	}
	packed := x.out.n
	tail := x.check.Sum(make([]byte, pad4(packed), pad4(packed)+x.check.Size()))
	idx := index([]record{{int64(x.hdrLen) + packed + int64(x.check.Size()), x.n}})
	tail = append(tail, idx...)
	tail = append(tail, streamFooter(int64(len(idx)), x.flags)...)
	_, err := x.out.w.Write(tail)
	return err
}
