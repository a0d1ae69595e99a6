package xz

import (
	"bytes"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"

	"github.com/ulikunitz/xz/lzma"
)

// Reader decompresses .xz data: one stream or several concatenated, with
// stream padding between them, each block checked against its integrity
// check and the index.
type Reader struct {
	r       io.Reader
	flags   byte     // the current stream's check; valid while inStream
	inBlock *block   // the block being read, if any
	records []record // blocks of the current stream read so far
	stream  bool     // inside a stream (header read, footer not yet)
	err     error    // sticky
	scratch [80]byte // headers and tails, so reading allocates little
}

// block is one block being decompressed.
type block struct {
	in           countingReader
	data         io.Reader // LZMA2 output, teed into check
	check        hash.Hash
	hdrLen       int
	dictCap      int
	packedSize   int64 // from the header, or -1
	unpackedSize int64 // from the header, or -1
	n            int64 // bytes produced
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// NewReader reads the first stream header from r; errors in the data
// come from Read.
func NewReader(r io.Reader) (*Reader, error) {
	x := &Reader{r: r}
	if err := x.startStream(true); err != nil {
		return nil, err
	}
	return x, nil
}

var errPadding = errors.New("xz: stream padding")

// startStream reads a stream header. Between streams four zero bytes are
// padding (errPadding) and a clean end of input is io.EOF.
func (x *Reader) startStream(first bool) error {
	h := x.scratch[:headerLen]
	if _, err := io.ReadFull(x.r, h[:4]); err != nil {
		if first && err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if !first && bytes.Equal(h[:4], []byte{0, 0, 0, 0}) {
		return errPadding
	}
	if _, err := io.ReadFull(x.r, h[4:]); err != nil {
		return unexpected(err)
	}
	if !bytes.Equal(h[:6], streamMagic[:]) {
		return errors.New("xz: not an .xz stream (bad magic bytes)")
	}
	if le32(h[8:]) != crc32.ChecksumIEEE(h[6:8]) {
		return errors.New("xz: stream header CRC32 mismatch")
	}
	if h[6] != 0 {
		return fmt.Errorf("xz: unsupported stream flags 0x%02x%02x", h[6], h[7])
	}
	if _, err := newCheck(h[7]); err != nil {
		return err
	}
	x.flags, x.stream, x.records = h[7], true, x.records[:0]
	return nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Read decompresses into p.
func (x *Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && x.err == nil {
		if !x.stream {
			err := x.startStream(false)
			for err == errPadding {
				err = x.startStream(false)
			}
			if err != nil {
				x.err = err
				break
			}
		}
		if x.inBlock == nil {
			if x.err = x.startBlock(); x.err != nil {
				break
			}
			if !x.stream {
				continue
			}
		}
		k, err := x.inBlock.data.Read(p[n:])
		n += k
		x.inBlock.n += int64(k)
		if err := x.inBlock.overrun(); err != nil {
			x.err = err
			break
		}
		if err == io.EOF {
			x.err = x.endBlock()
		} else if err != nil {
			x.err = err
		}
	}
	if n > 0 && x.err == io.EOF {
		return n, nil
	}
	return n, x.err
}

// startBlock reads a block header, or at the index indicator the index
// and footer that end the stream (then x.stream is false).
func (x *Reader) startBlock() error {
	h := x.scratch[:1]
	if _, err := io.ReadFull(x.r, h); err != nil {
		return unexpected(err)
	}
	if h[0] == 0 {
		return x.endStream()
	}
	size := (int(h[0]) + 1) * 4 // at most 1024: the size byte bounds it
	hdr := make([]byte, size)
	hdr[0] = h[0]
	if _, err := io.ReadFull(x.r, hdr[1:]); err != nil {
		return unexpected(err)
	}
	b, err := parseBlockHeader(hdr)
	if err != nil {
		return err
	}
	if b.check, err = newCheck(x.flags); err != nil {
		return err
	}
	b.hdrLen, b.in.r = size, x.r
	lz, err := lzma.Reader2Config{DictCap: b.dictCap}.NewReader2(&b.in)
	if err != nil {
		return err
	}
	b.data = io.TeeReader(lz, b.check)
	x.inBlock = b
	return nil
}

// parseBlockHeader checks a whole block header (size byte to CRC32).
func parseBlockHeader(hdr []byte) (*block, error) {
	n := len(hdr) - 4
	if le32(hdr[n:]) != crc32.ChecksumIEEE(hdr[:n]) {
		return nil, errors.New("xz: block header CRC32 mismatch")
	}
	flags := hdr[1]
	if flags&reservedFlags != 0 {
		return nil, fmt.Errorf("xz: reserved block header flags 0x%02x set", flags)
	}
	if flags&3 != 0 {
		return nil, fmt.Errorf("xz: %d filters in a block; only LZMA2 alone is supported", flags&3+1)
	}
	b := &block{packedSize: -1, unpackedSize: -1}
	r := bytes.NewReader(hdr[2:n])
	var err error
	if flags&0x40 != 0 {
		if b.packedSize, err = readSize(r); err != nil {
			return nil, err
		}
	}
	if flags&0x80 != 0 {
		if b.unpackedSize, err = readSize(r); err != nil {
			return nil, err
		}
	}
	id, err := readVarint(r)
	if err != nil {
		return nil, err
	}
	if id != lzma2FilterID {
		return nil, fmt.Errorf("xz: filter 0x%x is not supported (only LZMA2)", id)
	}
	var props [2]byte
	if _, err := io.ReadFull(r, props[:]); err != nil || props[0] != 1 {
		return nil, errors.New("xz: bad LZMA2 filter properties")
	}
	dc, err := lzma.DecodeDictCap(props[1])
	if err != nil {
		return nil, errors.New("xz: bad LZMA2 dictionary size")
	}
	b.dictCap = DefaultDictCap
	if dc > int64(b.dictCap) {
		b.dictCap = int(dc)
	}
	for r.Len() > 0 {
		if c, _ := r.ReadByte(); c != 0 {
			return nil, errors.New("xz: non-zero block header padding")
		}
	}
	return b, nil
}

func readSize(r io.ByteReader) (int64, error) {
	v, err := readVarint(r)
	if err != nil {
		return 0, err
	}
	return int64(v), nil
}

// readVarint reads one of the format's multibyte integers (at most 63
// bits, minimal encoding).
func readVarint(r io.ByteReader) (uint64, error) {
	var v uint64
	for i := 0; i < maxVarintLen; i++ {
		c, err := r.ReadByte()
		if err != nil {
			return 0, unexpected(err)
		}
		v |= uint64(c&0x7f) << (7 * uint(i))
		if c < 0x80 {
			if c == 0 && i > 0 {
				return 0, errors.New("xz: integer not minimally encoded")
			}
			return v, nil
		}
	}
	return 0, errors.New("xz: integer too large")
}

// overrun reports a block that has gone past a size its header declared.
func (b *block) overrun() error {
	if b.unpackedSize >= 0 && b.n > b.unpackedSize {
		return errors.New("xz: block larger than its header says (uncompressed size)")
	}
	if b.packedSize >= 0 && b.in.n > b.packedSize {
		return errors.New("xz: block larger than its header says (compressed size)")
	}
	return nil
}

// endBlock checks the end of a block's data: sizes, padding, check.
func (x *Reader) endBlock() error {
	b := x.inBlock
	x.inBlock = nil
	if b.n < b.unpackedSize || b.in.n < b.packedSize {
		return io.ErrUnexpectedEOF
	}
	k, s := pad4(b.in.n), b.check.Size()
	tail := x.scratch[:k+s]
	if _, err := io.ReadFull(x.r, tail); err != nil {
		return unexpected(err)
	}
	for _, c := range tail[:k] {
		if c != 0 {
			return errors.New("xz: non-zero block padding")
		}
	}
	if !bytes.Equal(tail[k:], b.check.Sum(x.scratch[k+s:k+s])) {
		return errors.New("xz: block check mismatch (data corrupt)")
	}
	x.records = append(x.records, record{int64(b.hdrLen) + b.in.n + int64(s), b.n})
	return nil
}

// endStream reads the index (its indicator byte already read) and the
// footer, and checks them against the blocks read.
func (x *Reader) endStream() error {
	crc := crc32.NewIEEE()
	crc.Write([]byte{0})
	br := &byteCounter{r: x.r, crc: crc, n: 1}
	count, err := readVarint(br)
	if err != nil {
		return err
	}
	if count != uint64(len(x.records)) {
		return fmt.Errorf("xz: index lists %d blocks, the stream has %d", count, len(x.records))
	}
	for i, rec := range x.records {
		u, err := readVarint(br)
		if err != nil {
			return err
		}
		v, err := readVarint(br)
		if err != nil {
			return err
		}
		if int64(u) != rec.unpadded || int64(v) != rec.uncompressed {
			return fmt.Errorf("xz: index entry %d does not match block %d", i, i)
		}
	}
	for k := pad4(br.n); k > 0; k-- {
		if c, err := br.ReadByte(); err != nil {
			return err
		} else if c != 0 {
			return errors.New("xz: non-zero index padding")
		}
	}
	sum := crc.Sum32()
	tail := x.scratch[:4+footerLen]
	if _, err := io.ReadFull(x.r, tail); err != nil {
		return unexpected(err)
	}
	if le32(tail) != sum {
		return errors.New("xz: index CRC32 mismatch")
	}
	f := tail[4:]
	if le32(f) != crc32.ChecksumIEEE(f[4:10]) {
		return errors.New("xz: stream footer CRC32 mismatch")
	}
	if f[10] != 'Y' || f[11] != 'Z' {
		return errors.New("xz: bad stream footer magic")
	}
	if f[8] != 0 || f[9] != x.flags {
		return errors.New("xz: stream footer flags differ from the header's")
	}
	if (int64(le32(f[4:]))+1)*4 != br.n+4 {
		return errors.New("xz: stream footer's index size is wrong")
	}
	x.stream = false
	return nil
}

// byteCounter reads single bytes of the index, hashing and counting them.
type byteCounter struct {
	r   io.Reader
	crc hash.Hash32
	n   int64
	b   [1]byte
}

func (c *byteCounter) ReadByte() (byte, error) {
	if _, err := io.ReadFull(c.r, c.b[:]); err != nil {
		return 0, unexpected(err)
	}
	c.crc.Write(c.b[:])
	c.n++
	return c.b[0], nil
}
