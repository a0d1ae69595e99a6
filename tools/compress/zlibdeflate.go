package compress

// A zlib-format encoder that makes the same bytes as zlib 1.2.13's
// compress2 / deflate(Z_FINISH) with windowBits 15 and memLevel 8 (what
// mksquashfs's gzip compressor and Python's zlib.compress write), so
// images holding zlib streams do not depend on the Go release that built
// fwtool (compress/flate's output changes between releases).
//
// It runs the GNU gzip encoder's matcher and block writer (gnugzip.go)
// with zlib's differences, taken from zlib's documented algorithm: a
// symbol buffer of 1<<(memLevel+6) = 16384 entries ending a block at
// 16383 symbols and no compressibility estimate; no string hashed with
// fewer than three input bytes left; a match search that stops once it
// reaches the end of the input; the window filled (and slid) whenever the
// lookahead runs short, even after the input ended, moving only the
// upper half's used bytes; the bytes just past the input zeroed up to a
// high-water mark that a reset keeps. The stream is framed by RFC 1950's
// header (0x78 then a level-dependent flag byte) and an Adler-32 trailer.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"io"
)

const zlibLitBufSize = 1 << (8 + 6) // memLevel 8

// ZlibDeflate compresses data into one zlib stream exactly as zlib 1.2.13's
// compress2(dst, data, level) does for level 1-9.
func ZlibDeflate(data []byte, level int) ([]byte, error) {
	e, err := NewZlibEncoder(level)
	if err != nil {
		return nil, err
	}
	return e.Encode(nil, data), nil
}

// ZlibEncoder compresses one buffer after another as a zlib stream reused
// with deflateReset does (mksquashfs compresses every block that way): the
// window's bytes and zlib's high-water mark carry over. Bytes past the
// input are compared by the match search but cannot change the output
// (the search stops at a match reaching the input's end, and a longer one
// found past it loses to the match already pending), so a reused encoder
// writes what a fresh one does; reuse saves the allocations.
type ZlibEncoder struct {
	d *gnuDeflater
}

// NewZlibEncoder returns an encoder for level 1-9.
func NewZlibEncoder(level int) (*ZlibEncoder, error) {
	if level < 1 || level > 9 {
		return nil, fmt.Errorf("zlib: level %d out of range 1-9", level)
	}
	d := newGNUDeflater(nil, nil, level)
	d.zlib = true
	d.symLimit = zlibLitBufSize - 1 // no compressibility estimate
	d.adler = adler32.New()
	return &ZlibEncoder{d: d}, nil
}

// Encode appends to dst the zlib stream of src and returns it.
func (e *ZlibEncoder) Encode(dst, src []byte) []byte {
	d := e.d
	d.reset(bytes.NewReader(src))
	d.out = append(dst, zlibHeader(d.level)...)
	d.run()
	d.out = binary.BigEndian.AppendUint32(d.out, d.adler.Sum32())
	out := d.out
	d.out = nil
	return out
}

// zlibHeader is deflate()'s two-byte header: CM 8, CINFO 7 (32 KiB window),
// FLEVEL 0 for level 1, 1 for 2-5, 2 for 6, 3 for 7-9, and FCHECK making the
// pair a multiple of 31.
func zlibHeader(level int) []byte {
	flevel := 3
	switch {
	case level < 2:
		flevel = 0
	case level < 6:
		flevel = 1
	case level == 6:
		flevel = 2
	}
	h := uint16(0x7800 | flevel<<6)
	h += 31 - h%31
	return []byte{byte(h >> 8), byte(h)}
}

// reset starts a new stream over src as deflateReset does: empty hash
// heads, positions back to zero; window bytes and high water are kept.
func (d *gnuDeflater) reset(src io.Reader) {
	d.src = src
	d.err = nil
	d.adler.Reset()
	d.size = 0
	for i := range d.head {
		d.head[i] = 0
	}
	d.insH, d.strstart, d.lookahead, d.matchStart, d.prevLength = 0, 0, 0, 0, 0
	d.blockStart = 0
	d.eofile = false
	d.trees.reset()
	d.bits, d.nbits = 0, 0
}

// zlibFill is zlib's fill_window: slide when strstart is deep in the upper
// half (copying only the bytes in use), read while the lookahead is short
// and input remains, then zero up to 258 bytes past the data that were
// never written.
func (d *gnuDeflater) zlibFill() {
	for {
		more := uint32(gzWindowSize) - d.lookahead - d.strstart
		if d.strstart >= gzWSize+gzMaxDist {
			copy(d.window[:gzWSize-more], d.window[gzWSize:gzWindowSize-more])
			d.matchStart -= gzWSize
			d.strstart -= gzWSize
			d.blockStart -= gzWSize
			slide(d.head)
			slide(d.prev)
			more += gzWSize
		}
		if d.eofile {
			break
		}
		at := d.strstart + d.lookahead
		n := d.read(d.window[at : at+more])
		d.lookahead += n
		d.eofile = n < more
		if d.lookahead >= gzMinLook || d.eofile {
			break
		}
	}
	const winInit = gzMaxMatch
	if d.highWater >= gzWindowSize {
		return
	}
	curr := d.strstart + d.lookahead
	switch {
	case d.highWater < curr:
		init := uint32(gzWindowSize) - curr
		if init > winInit {
			init = winInit
		}
		zero(d.window[curr : curr+init])
		d.highWater = curr + init
	case d.highWater < curr+winInit:
		init := curr + winInit - d.highWater
		if init > gzWindowSize-d.highWater {
			init = gzWindowSize - d.highWater
		}
		zero(d.window[d.highWater : d.highWater+init])
		d.highWater += init
	}
}

func zero(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
