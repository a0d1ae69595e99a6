// Package androidsparse writes and expands Android sparse images (the
// format of fastboot and libsparse's img2simg/simg2img): a 28-byte file
// header, then chunks of whole blocks, each raw data, a 32-bit fill
// pattern, "don't care" (left unwritten by the flasher) or a CRC32 of
// everything before it.
//
// The writer follows genimage's android-sparse image type, so that a
// config gives the same bytes through fwtool as through genimage: the
// input's data ranges are widened to whole blocks and merged, gaps between
// them become don't-care chunks, and inside a range every block whose
// 32-bit words are all equal becomes a fill chunk, the rest raw chunks.
package androidsparse

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

const (
	Magic           = 0xed26ff3a
	HeaderSize      = 28
	ChunkHeaderSize = 12

	ChunkRaw      = 0xcac1
	ChunkFill     = 0xcac2
	ChunkDontCare = 0xcac3
	ChunkCRC32    = 0xcac4

	// MaxBlockSize bounds what a header may make us allocate.
	MaxBlockSize = 64 << 20
)

// Options of the writer.
type Options struct {
	// BlockSize is a multiple of 512 (genimage's rule; libsparse needs a
	// multiple of 4).
	BlockSize uint32
	// CRC appends a CRC32 chunk over the expanded image.
	CRC bool
}

// Range is a byte range [Start, End) of the input that holds data.
type Range struct{ Start, End int64 }

// CheckBlockSize says why bs cannot be a block size.
func CheckBlockSize(bs uint64) error {
	if bs == 0 || bs%512 != 0 || bs > MaxBlockSize {
		return fmt.Errorf("block size %d is not a non-zero multiple of 512 up to 64 MiB", bs)
	}
	return nil
}

// blocks aligns each data range outwards to whole blocks (the end no
// further than size) and merges those that then touch or overlap.
func blocks(ranges []Range, size int64, bs int64) []Range {
	var out []Range
	for _, r := range ranges {
		if r.End <= r.Start {
			continue
		}
		s := r.Start / bs * bs
		e := (r.End + bs - 1) / bs * bs
		if e > size {
			e = size
		}
		if n := len(out); n > 0 && s <= out[n-1].End {
			if e > out[n-1].End {
				out[n-1].End = e
			}
			continue
		}
		out = append(out, Range{s, e})
	}
	return out
}

type writer struct {
	out     io.WriteSeeker
	bs      uint32
	crc     uint32
	chunks  uint32
	zeros   []byte
	typ     uint16 // open chunk: type, blocks, size, header position
	nblocks uint32
	size    uint32
	pos     int64
	fill    uint32
}

// Write writes the sparse image of in (size bytes, data in ranges, sorted;
// everything else a hole) to out, which must be empty.
func Write(out io.WriteSeeker, in io.ReaderAt, size int64, ranges []Range, o Options) error {
	if err := CheckBlockSize(uint64(o.BlockSize)); err != nil {
		return err
	}
	bs := int64(o.BlockSize)
	total := (size + bs - 1) / bs
	if total > 0xffffffff {
		return fmt.Errorf("%d bytes are more than 2^32 blocks of %d bytes", size, bs)
	}
	w := &writer{out: out, bs: o.BlockSize, zeros: make([]byte, bs)}
	if _, err := out.Write(make([]byte, HeaderSize)); err != nil {
		return err
	}
	buf := make([]byte, bs)
	var block int64
	for _, r := range blocks(ranges, size, bs) {
		if start := r.Start / bs; block < start {
			if err := w.dontCare(uint32(start - block)); err != nil {
				return err
			}
		}
		w.typ = 0
		for off := r.Start; off < r.End; off += bs {
			n := r.End - off
			if n > bs {
				n = bs
			}
			if _, err := in.ReadAt(buf[:n], off); err != nil {
				return fmt.Errorf("reading the input at %d: %v", off, err)
			}
			for i := n; i < bs; i++ {
				buf[i] = 0 // the format has whole blocks only
			}
			if err := w.block(buf); err != nil {
				return err
			}
		}
		if err := w.flush(); err != nil {
			return err
		}
		block = (r.End + bs - 1) / bs
	}
	if block < total {
		if err := w.dontCare(uint32(total - block)); err != nil {
			return err
		}
	}
	if o.CRC {
		var c [ChunkHeaderSize + 4]byte
		putChunk(c[:], ChunkCRC32, 0, uint32(len(c)))
		binary.LittleEndian.PutUint32(c[ChunkHeaderSize:], w.crc)
		w.chunks++
		if _, err := out.Write(c[:]); err != nil {
			return err
		}
	}
	var h [HeaderSize]byte
	binary.LittleEndian.PutUint32(h[0:], Magic)
	binary.LittleEndian.PutUint16(h[4:], 1)
	binary.LittleEndian.PutUint16(h[8:], HeaderSize)
	binary.LittleEndian.PutUint16(h[10:], ChunkHeaderSize)
	binary.LittleEndian.PutUint32(h[12:], o.BlockSize)
	binary.LittleEndian.PutUint32(h[16:], uint32(total))
	binary.LittleEndian.PutUint32(h[20:], w.chunks)
	// The header's image checksum stays 0, as genimage and img2simg
	// leave it.
	if _, err := out.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := out.Write(h[:])
	return err
}

func putChunk(b []byte, typ uint16, blocks, size uint32) {
	binary.LittleEndian.PutUint16(b[0:], typ)
	binary.LittleEndian.PutUint16(b[2:], 0)
	binary.LittleEndian.PutUint32(b[4:], blocks)
	binary.LittleEndian.PutUint32(b[8:], size)
}

func (w *writer) dontCare(n uint32) error {
	var c [ChunkHeaderSize]byte
	putChunk(c[:], ChunkDontCare, n, ChunkHeaderSize)
	w.chunks++
	for i := uint32(0); i < n; i++ {
		w.crc = crc32.Update(w.crc, crc32.IEEETable, w.zeros)
	}
	_, err := w.out.Write(c[:])
	return err
}

// open starts a chunk of type typ; its header is rewritten by flush once
// its block count is known.
func (w *writer) open(typ uint16, size uint32) error {
	if err := w.flush(); err != nil {
		return err
	}
	pos, err := w.out.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	w.typ, w.nblocks, w.size, w.pos = typ, 0, size, pos
	w.chunks++
	_, err = w.out.Write(make([]byte, ChunkHeaderSize))
	return err
}

func (w *writer) flush() error {
	if w.typ == 0 {
		return nil
	}
	var c [ChunkHeaderSize]byte
	putChunk(c[:], w.typ, w.nblocks, w.size)
	if _, err := w.out.Seek(w.pos, io.SeekStart); err != nil {
		return err
	}
	if _, err := w.out.Write(c[:]); err != nil {
		return err
	}
	w.typ = 0
	_, err := w.out.Seek(0, io.SeekEnd)
	return err
}

// block adds one whole block to the open chunk or a new one.
func (w *writer) block(b []byte) error {
	w.crc = crc32.Update(w.crc, crc32.IEEETable, b)
	v := binary.LittleEndian.Uint32(b)
	fill := true
	for i := 4; i < len(b); i += 4 {
		if binary.LittleEndian.Uint32(b[i:]) != v {
			fill = false
			break
		}
	}
	if fill {
		if w.typ != ChunkFill || w.fill != v {
			if err := w.open(ChunkFill, ChunkHeaderSize+4); err != nil {
				return err
			}
			w.fill = v
			if _, err := w.out.Write(b[:4]); err != nil {
				return err
			}
		}
		w.nblocks++
		return nil
	}
	maxRaw := (0xffffffff - ChunkHeaderSize) / w.bs
	if w.typ != ChunkRaw || w.nblocks >= maxRaw {
		if err := w.open(ChunkRaw, ChunkHeaderSize); err != nil {
			return err
		}
	}
	w.nblocks++
	w.size += w.bs
	_, err := w.out.Write(b)
	return err
}

// Header is a sparse image's file header.
type Header struct {
	BlockSize, Blocks, Chunks uint32
}

// Expand reads a sparse image from r and writes the image it stands for to
// out (don't-care blocks as zeros), checking every chunk's size and block
// count and any CRC32 chunk against the data before it.
func Expand(r io.Reader, out io.Writer) (Header, error) {
	var h [HeaderSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return Header{}, fmt.Errorf("sparse header: %v", err)
	}
	le := binary.LittleEndian
	hd := Header{BlockSize: le.Uint32(h[12:]), Blocks: le.Uint32(h[16:]), Chunks: le.Uint32(h[20:])}
	switch {
	case le.Uint32(h[0:]) != Magic:
		return hd, fmt.Errorf("sparse header: magic %#x is not %#x", le.Uint32(h[0:]), uint32(Magic))
	case le.Uint16(h[4:]) != 1:
		return hd, fmt.Errorf("sparse header: major version %d is not 1", le.Uint16(h[4:]))
	case le.Uint16(h[8:]) < HeaderSize || le.Uint16(h[10:]) < ChunkHeaderSize:
		return hd, fmt.Errorf("sparse header: header sizes %d/%d are below %d/%d", le.Uint16(h[8:]), le.Uint16(h[10:]), HeaderSize, ChunkHeaderSize)
	}
	if hd.BlockSize == 0 || hd.BlockSize%4 != 0 || hd.BlockSize > MaxBlockSize {
		return hd, fmt.Errorf("sparse header: block size %d is not a multiple of 4 up to 64 MiB", hd.BlockSize)
	}
	// Longer headers (later minor versions) are skipped.
	if _, err := io.CopyN(io.Discard, r, int64(le.Uint16(h[8:]))-HeaderSize); err != nil {
		return hd, fmt.Errorf("sparse header: %v", err)
	}
	chunkExtra := int64(le.Uint16(h[10:])) - ChunkHeaderSize
	bs := int64(hd.BlockSize)
	crc := crc32.NewIEEE()
	dst := io.MultiWriter(out, crc)
	var done uint64
	var blk []byte
	for i := uint32(0); i < hd.Chunks; i++ {
		var c [ChunkHeaderSize]byte
		if _, err := io.ReadFull(r, c[:]); err != nil {
			return hd, fmt.Errorf("chunk %d: header: %v", i, err)
		}
		if _, err := io.CopyN(io.Discard, r, chunkExtra); err != nil {
			return hd, fmt.Errorf("chunk %d: header: %v", i, err)
		}
		typ, n, size := le.Uint16(c[0:]), uint64(le.Uint32(c[4:])), int64(le.Uint32(c[8:]))
		body := size - int64(le.Uint16(h[10:]))
		if typ != ChunkCRC32 && done+n > uint64(hd.Blocks) {
			return hd, fmt.Errorf("chunk %d: %d blocks run past the image's %d", i, n, hd.Blocks)
		}
		var want int64
		switch typ {
		case ChunkRaw:
			want = int64(n) * bs
		case ChunkFill, ChunkCRC32:
			want = 4
		case ChunkDontCare:
		default:
			return hd, fmt.Errorf("chunk %d: type %#x is unknown", i, typ)
		}
		if body != want {
			return hd, fmt.Errorf("chunk %d (type %#x): size %d does not match its %d blocks", i, typ, size, n)
		}
		switch typ {
		case ChunkRaw:
			if _, err := io.CopyN(dst, r, want); err != nil {
				return hd, fmt.Errorf("chunk %d: %v", i, err)
			}
		case ChunkFill, ChunkDontCare:
			var pat [4]byte
			if typ == ChunkFill {
				if _, err := io.ReadFull(r, pat[:]); err != nil {
					return hd, fmt.Errorf("chunk %d: %v", i, err)
				}
			}
			if blk == nil {
				blk = make([]byte, bs)
			}
			for j := int64(0); j < bs; j += 4 {
				copy(blk[j:], pat[:])
			}
			for j := uint64(0); j < n; j++ {
				if _, err := dst.Write(blk); err != nil {
					return hd, err
				}
			}
		case ChunkCRC32:
			var v [4]byte
			if _, err := io.ReadFull(r, v[:]); err != nil {
				return hd, fmt.Errorf("chunk %d: %v", i, err)
			}
			if got := crc.Sum32(); le.Uint32(v[:]) != got {
				return hd, fmt.Errorf("chunk %d: CRC32 %#08x, the data before it has %#08x", i, le.Uint32(v[:]), got)
			}
		}
		done += n
	}
	if done != uint64(hd.Blocks) {
		return hd, fmt.Errorf("the chunks hold %d blocks, the header says %d", done, hd.Blocks)
	}
	if n, _ := io.Copy(io.Discard, r); n != 0 {
		return hd, errors.New("data after the last chunk")
	}
	return hd, nil
}
