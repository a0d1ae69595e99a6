package compress

// A deflate encoder that makes the same bytes as GNU gzip 1.12 (`gzip -n
// -LEVEL`), so images whose reference tool pipes through gzip (the kernel's
// PowerPC boot wrapper, initramfs builds) can be matched byte for byte.
//
// Written from the deflate format (RFC 1951/1952) and the algorithm GNU
// gzip documents: hash chains over 3-byte strings with lazy evaluation, a
// per-level (good, lazy, nice, chain) table, blocks ended when the symbol
// buffers fill or a periodic estimate says the block compresses well, and
// per-block Huffman trees built with a heap whose ties go to the shallower
// subtree. Every choice that decides output bytes is reproduced, including
// the ones that look accidental (the 64 KiB window slid by 32 KiB only when
// the lookahead runs short, matches reading stale window bytes past the end
// of input, the bit-length overflow repair).

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math/bits"
	"unsafe"
)

const (
	gzWSize       = 0x8000
	gzWMask       = gzWSize - 1
	gzWindowSize  = 2 * gzWSize
	gzHashBits    = 15
	gzHashSize    = 1 << gzHashBits
	gzHashMask    = gzHashSize - 1
	gzHashShift   = (gzHashBits + gzMinMatch - 1) / gzMinMatch
	gzMinMatch    = 3
	gzMaxMatch    = 258
	gzMinLook     = gzMaxMatch + gzMinMatch + 1
	gzMaxDist     = gzWSize - gzMinLook
	gzTooFar      = 4096
	gzLitBufSize  = 0x8000
	gzDistBufSize = gzLitBufSize
	// Match comparison reads up to MAX_MATCH bytes past strstart, which
	// near the window's end lies beyond it; the slack keeps those reads
	// (always of zero or stale bytes the length is later clipped to) in
	// bounds.
	gzSlack = 2 * gzMaxMatch
)

// gzWindow is the deflate window with its slack. It is longer than 64 KiB
// plus 8 bytes, so the match search indexes it with uint16 positions and
// 2- or 8-byte loads (gzload_le.go) without range checks.
type gzWindow [gzWindowSize + gzSlack]byte

// gzChain is a table of chain links or hash heads (both 32 Ki entries),
// indexed with masked positions so that no index needs a range check.
type gzChain [gzWSize]uint16

// gzLevel is one row of gzip's level table: reduce the chain search once a
// match of `good` is found, stop lazy evaluation past `lazy` (levels 1-3:
// the longest match whose strings are all hashed), stop searching at `nice`,
// follow at most `chain` links.
type gzLevel struct{ good, lazy, nice, chain uint32 }

var gzLevels = [10]gzLevel{
	{0, 0, 0, 0},
	{4, 4, 8, 4},
	{4, 5, 16, 8},
	{4, 6, 32, 32},
	{4, 4, 16, 16},
	{8, 16, 32, 32},
	{8, 16, 128, 128},
	{8, 32, 128, 256},
	{32, 128, 258, 1024},
	{32, 258, 258, 4096},
}

// GNUGzip compresses data into one gzip member exactly as `gzip -n -LEVEL
// < file` (GNU gzip 1.12) does for level 1-9: header without name or
// mtime, XFL 4 at level 1 and 2 at level 9, OS 3 (Unix).
func GNUGzip(data []byte, level int) ([]byte, error) {
	var buf bytes.Buffer
	if err := gnuGzipStream(&buf, bytes.NewReader(data), level); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// gnuGzipStream compresses r into w. The input is read in full-sized reads
// (as gzip reads a regular file) and the output written block by block, so
// memory stays at the window and one block's symbols whatever the size.
func gnuGzipStream(w io.Writer, r io.Reader, level int) error {
	if level < 1 || level > 9 {
		return fmt.Errorf("gzip: level %d out of range 1-9", level)
	}
	xfl := byte(0)
	switch level {
	case 1:
		xfl = 4
	case 9:
		xfl = 2
	}
	d := newGNUDeflater(r, w, level)
	aw, direct := w.(*appendWriter)
	if direct {
		// compress.Bytes: encode straight into its buffer.
		d.dst, d.out = nil, aw.b
	}
	d.out = append(d.out, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 3)
	d.run()
	var tr [8]byte
	binary.LittleEndian.PutUint32(tr[:4], d.crc)
	binary.LittleEndian.PutUint32(tr[4:], uint32(d.size))
	d.out = append(d.out, tr[:]...)
	d.emit()
	if direct {
		aw.b = d.out
	}
	return d.err
}

// gnuGzipWriter feeds what is written to an encoder goroutine through a
// pipe; Close ends the input and waits for the encoder.
type gnuGzipWriter struct {
	pw   *io.PipeWriter
	done chan error
}

// NewGNUGzipWriter returns a writer that writes to w what `gzip -n -LEVEL`
// writes for the same bytes. Close it to finish the stream.
func NewGNUGzipWriter(w io.Writer, level int) (io.WriteCloser, error) {
	if level < 1 || level > 9 {
		return nil, fmt.Errorf("gzip: level %d out of range 1-9", level)
	}
	pr, pw := io.Pipe()
	g := &gnuGzipWriter{pw: pw, done: make(chan error, 1)}
	go func() {
		err := gnuGzipStream(w, pr, level)
		pr.CloseWithError(err) // a failed encoder fails later Writes
		g.done <- err
	}()
	return g, nil
}

func (g *gnuGzipWriter) Write(p []byte) (int, error) { return g.pw.Write(p) }

func (g *gnuGzipWriter) Close() error {
	g.pw.Close()
	return <-g.done
}

// gnuDeflater is the matcher state. Positions are uint32 like gzip's
// unsigned ints: a stale match start slid below zero wraps, and the
// distances computed from it stay right modulo 2^32.
type gnuDeflater struct {
	cfg        gzLevel
	level      int
	src        io.Reader
	dst        io.Writer
	err        error // first read or write error; ends input and output
	crc        uint32
	size       uint64
	window     []byte // win[:]
	win        *gzWindow
	prev       *gzChain
	head       *gzChain
	insH       uint32
	strstart   uint32
	lookahead  uint32
	matchStart uint32
	prevLength uint32
	blockStart int64
	eofile     bool
	symLimit   int // symbols that end a block

	// zlib switches to zlib 1.2.13's deflate (zlibdeflate.go); its
	// window bytes and high-water mark outlive a reset, as zlib's do.
	zlib      bool
	highWater uint32
	adler     hash.Hash32
	touch     uint16 // keeps the early loads of deflateLazy

	trees gzTrees
	bits  uint64 // pending output bits, LSB first
	nbits uint
	out   []byte
}

func newGNUDeflater(src io.Reader, dst io.Writer, level int) *gnuDeflater {
	d := &gnuDeflater{
		cfg:   gzLevels[level],
		level: level,
		src:   src,
		dst:   dst,
		win:   new(gzWindow),
		prev:  new(gzChain),
		head:  new(gzChain),
	}
	d.window = d.win[:]
	d.symLimit = gzLitBufSize - 1
	d.trees.init()
	return d
}

// read fills dst from the input as one read(2) of a regular file would.
func (d *gnuDeflater) read(dst []byte) uint32 {
	if d.err != nil {
		return 0
	}
	n, err := io.ReadFull(d.src, dst)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		d.err = err
	}
	if d.zlib {
		d.adler.Write(dst[:n])
	} else {
		d.crc = crc32.Update(d.crc, crc32.IEEETable, dst[:n])
	}
	d.size += uint64(n)
	return uint32(n)
}

func (d *gnuDeflater) updateHash(c byte) {
	d.insH = ((d.insH << gzHashShift) ^ uint32(c)) & gzHashMask
}

// insert adds the string at s to its hash chain and returns the chain's
// previous head.
func (d *gnuDeflater) insert(s uint32) uint32 {
	ins := ((d.insH << gzHashShift) ^ uint32(d.window[s+gzMinMatch-1])) & gzHashMask
	d.insH = ins
	head := d.head
	h := head[ins]
	d.prev[s&gzWMask] = h
	head[ins] = uint16(s)
	return uint32(h)
}

// start reads the first 64 KiB and primes the hash with two bytes.
func (d *gnuDeflater) start() {
	if d.zlib {
		d.zlibFill()
		if d.lookahead >= 2 {
			d.insH = 0
			d.updateHash(d.window[0])
			d.updateHash(d.window[1])
		}
		return
	}
	d.lookahead = d.read(d.window[:gzWindowSize])
	if d.lookahead == 0 {
		d.eofile = true
		return
	}
	for d.lookahead < gzMinLook && !d.eofile {
		d.fill()
	}
	d.insH = 0
	d.updateHash(d.window[0])
	d.updateHash(d.window[1])
}

// fill reads more input; when the match position is deep in the upper
// half, the upper half first moves down and every chain link shifts by
// 32 KiB (links into the discarded half become 0, the end marker).
func (d *gnuDeflater) fill() {
	more := uint32(gzWindowSize) - d.lookahead - d.strstart
	if d.strstart >= gzWSize+gzMaxDist {
		copy(d.window[:gzWSize], d.window[gzWSize:gzWindowSize])
		d.matchStart -= gzWSize
		d.strstart -= gzWSize
		d.blockStart -= gzWSize
		slide(d.head)
		slide(d.prev)
		more += gzWSize
	}
	if d.eofile {
		return
	}
	at := d.strstart + d.lookahead
	n := d.read(d.window[at : at+more])
	if n == 0 {
		d.eofile = true
		// gzip zeroes the two bytes after the end so the last strings'
		// hashes do not depend on leftovers.
		d.window[at], d.window[at+1] = 0, 0
		return
	}
	d.lookahead += n
}

// refill tops up the lookahead the way the selected deflate does: gzip
// reads until the input ends; zlib also runs its fill (which may slide the
// window) after the input has ended.
func (d *gnuDeflater) refill() {
	if d.zlib {
		if d.lookahead < gzMinLook {
			d.zlibFill()
		}
		return
	}
	for d.lookahead < gzMinLook && !d.eofile {
		d.fill()
	}
}

// slide moves every link down by 32 KiB; links below that become 0.
// Four links at a time: a link with its top bit set keeps its low 15 bits,
// any other becomes 0 (hi - hi>>15 is 0x7fff in exactly those lanes).
func slide(links *gzChain) {
	words := (*[gzWSize / 4]uint64)(unsafe.Pointer(links))
	for i, x := range words {
		hi := x & 0x8000800080008000
		words[i] = x & (hi - hi>>15)
	}
}

// longestMatch follows the chain from cur and returns the best length,
// setting matchStart when it beats prevLength. Bytes 0, 1 and the ends of
// the best match so far are checked first; byte 2 is taken as equal (the
// hash and the first two bytes fix it), and later bytes are compared up to
// MAX_MATCH regardless of how much input is left. canMatch has made sure
// strstart+MAX_MATCH lies below 64 KiB, so every position here is a uint16.
func (d *gnuDeflater) longestMatch(cur uint32) uint32 {
	chain := d.cfg.chain
	w := d.win
	prev := d.prev[:]
	s := uint16(d.strstart)
	best := d.prevLength
	nice := d.cfg.nice
	if d.zlib && nice > d.lookahead {
		nice = d.lookahead // zlib stops at a match reaching the end
	}
	var limit uint16
	if d.strstart > gzMaxDist {
		limit = uint16(d.strstart - gzMaxDist)
	}
	if d.prevLength >= d.cfg.good {
		chain >>= 2
	}
	end := uint16(best) - 1 // offset of the 2 bytes a longer match must repeat
	scanStart := gzLoad16(w, s)
	scanEnd := gzLoad16(w, s+end)
	m := uint16(cur)
	for {
		if gzLoad16(w, m+end) == scanEnd && gzLoad16(w, m) == scanStart {
			n := 3 + gzMatchLen(w, s+3, m+3)
			if n > best {
				d.matchStart = uint32(m)
				best = n
				if n >= nice {
					break
				}
				end = uint16(best) - 1
				scanEnd = gzLoad16(w, s+end)
			}
		}
		m = prev[m&gzWMask]
		if m <= limit {
			break
		}
		chain--
		if chain == 0 {
			break
		}
	}
	return best
}

// gzMatchLen is the length of the common prefix of the strings at a and b,
// at most MAX_MATCH-3, eight bytes at a time (reading up to 256 bytes past
// each, inside the window).
func gzMatchLen(w *gzWindow, a, b uint16) uint32 {
	for i := uint16(0); i < 256; i += 8 {
		if x := gzLoad64(w, a+i) ^ gzLoad64(w, b+i); x != 0 {
			n := uint32(i) + uint32(bits.TrailingZeros64(x))>>3
			if n > gzMaxMatch-3 {
				n = gzMaxMatch - 3
			}
			return n
		}
	}
	return gzMaxMatch - 3
}

// canMatch says whether a chain head is worth searching: present, within
// reach, and strstart far enough from the window's end for a full-length
// comparison.
func (d *gnuDeflater) canMatch(head uint32) bool {
	return head != 0 && d.strstart-head <= gzMaxDist && d.strstart <= gzWindowSize-gzMinLook
}

func (d *gnuDeflater) run() {
	d.start()
	if d.level <= 3 {
		d.deflateFast()
	} else {
		d.deflateLazy()
	}
	d.alignOut()
}

// flushBlock ends the current block at strstart.
func (d *gnuDeflater) flushBlock(last bool) {
	var stored []byte
	if d.blockStart >= 0 {
		stored = d.window[d.blockStart:int64(d.strstart)]
	}
	d.writeBlock(stored, uint32(int64(d.strstart)-d.blockStart), last)
	d.blockStart = int64(d.strstart)
}

// insertAt hashes the string at strstart and returns its chain's previous
// head; zlib skips (head 0) when fewer than three input bytes are left.
func (d *gnuDeflater) insertAt() uint32 {
	if d.zlib && d.lookahead < gzMinMatch {
		return 0
	}
	return d.insert(d.strstart)
}

// deflateFast is levels 1-3: take the longest match at once; hash the
// strings inside it only if it is no longer than the level's lazy value.
func (d *gnuDeflater) deflateFast() {
	var matchLen uint32
	d.prevLength = gzMinMatch - 1
	for d.lookahead != 0 {
		head := d.insertAt()
		if d.canMatch(head) {
			matchLen = d.longestMatch(head)
			if matchLen > d.lookahead {
				matchLen = d.lookahead
			}
		}
		var flush bool
		if matchLen >= gzMinMatch {
			flush = d.tallyMatch(d.strstart-d.matchStart, matchLen-gzMinMatch) && d.blockEnds()
			d.lookahead -= matchLen
			if matchLen <= d.cfg.lazy && (!d.zlib || d.lookahead >= gzMinMatch) {
				for matchLen--; matchLen != 0; matchLen-- {
					d.strstart++
					d.insert(d.strstart)
				}
				d.strstart++
			} else {
				d.strstart += matchLen
				matchLen = 0
				d.insH = uint32(d.window[d.strstart])
				d.updateHash(d.window[d.strstart+1])
			}
		} else {
			flush = d.tallyLit(d.window[d.strstart]) && d.blockEnds()
			d.lookahead--
			d.strstart++
		}
		if flush {
			d.flushBlock(false)
		}
		if d.lookahead < gzMinLook {
			d.refill()
		}
	}
	d.flushBlock(true)
}

// deflateLazy is levels 4-9: a match found at one position is emitted only
// if the next position does not find a longer one.
func (d *gnuDeflater) deflateLazy() {
	var touch uint16
	matchLen := uint32(gzMinMatch - 1)
	available := false
	for d.lookahead != 0 {
		head := d.insertAt()
		d.prevLength = matchLen
		prevMatch := d.matchStart
		matchLen = gzMinMatch - 1
		if d.canMatch(head) && d.prevLength < d.cfg.lazy {
			// Load the next position's hash head now, so that its
			// cache miss overlaps the chain walk.
			next := ((d.insH << gzHashShift) ^ uint32(d.window[d.strstart+gzMinMatch])) & gzHashMask
			touch += d.head[next]
			matchLen = d.longestMatch(head)
			if matchLen > d.lookahead {
				matchLen = d.lookahead
			}
			// A 3-byte match far back costs more than three literals.
			if matchLen == gzMinMatch && d.strstart-d.matchStart > gzTooFar {
				matchLen--
			}
		}
		switch {
		case d.prevLength >= gzMinMatch && matchLen <= d.prevLength:
			flush := d.tallyMatch(d.strstart-1-prevMatch, d.prevLength-gzMinMatch) && d.blockEnds()
			// zlib hashes no string that runs past the input's end.
			maxInsert := d.strstart + d.lookahead - gzMinMatch
			d.lookahead -= d.prevLength - 1
			for n := d.prevLength - 2; n != 0; n-- {
				d.strstart++
				if !d.zlib || d.strstart <= maxInsert {
					d.insert(d.strstart)
				}
			}
			available = false
			matchLen = gzMinMatch - 1
			d.strstart++
			if flush {
				d.flushBlock(false)
			}
		case available:
			if d.tallyLit(d.window[d.strstart-1]) && d.blockEnds() {
				d.flushBlock(false)
			}
			d.strstart++
			d.lookahead--
		default:
			available = true
			d.strstart++
			d.lookahead--
		}
		if d.lookahead < gzMinLook {
			d.refill()
		}
	}
	if available {
		d.tallyLit(d.window[d.strstart-1])
	}
	d.flushBlock(true)
	d.touch = touch
}

// tallyLit records literal c and says whether the block may end here
// (then blockEnds decides).
func (d *gnuDeflater) tallyLit(c byte) bool {
	t := &d.trees
	n := t.nsyms
	t.syms[n&(gzLitBufSize-1)] = uint32(c)
	t.lfreq[c]++
	n++
	t.nsyms = n
	return (n+1)&0xfff <= 1
}

// tallyMatch records a match (lc = length-3) and says whether the block
// may end here (then blockEnds decides).
func (d *gnuDeflater) tallyMatch(dist, lc uint32) bool {
	t := &d.trees
	lc &= 0xff
	t.syms[t.nsyms&(gzLitBufSize-1)] = dist<<8 | lc
	t.nsyms++
	t.lfreq[int(gzLengthCode[lc])+257]++
	t.dfreq[gzDistCode(dist-1)]++
	t.ndists++
	return (t.nsyms+1)&0xfff <= 1
}

// blockEnds says whether the block ends after its nsyms-th symbol: at the
// symbol limit (4095 modulo 4096, as every count where the block can end
// is 0 or 4095 modulo 4096, which is what the tally functions test), or by
// gzip's check every 4096 symbols from level 3 up (zlib has none) when it
// is mostly matches that shrink the input to under half. (gzip's other
// limit, a full distance buffer, cannot come before the symbol limit.)
func (d *gnuDeflater) blockEnds() bool {
	t := &d.trees
	lits, dists := t.nsyms, t.ndists
	if lits == d.symLimit {
		return true
	}
	if d.zlib || d.level <= 2 || lits&0xfff != 0 {
		return false
	}
	est := uint64(lits) * 8
	in := uint64(int64(d.strstart) - d.blockStart)
	for c := 0; c < gzDCodes; c++ {
		est += uint64(t.dfreq[c]) * (5 + uint64(gzDistExtra[c]))
	}
	est >>= 3
	return dists < lits/2 && est < in/2
}

// putBits appends n bits of v, least significant first.
// Whole 32-bit words go out as soon as they are complete; alignOut sends
// the rest.
func (d *gnuDeflater) putBits(v uint32, n uint) {
	d.bits |= uint64(v) << d.nbits
	d.nbits += n
	if d.nbits >= 32 {
		d.out = binary.LittleEndian.AppendUint32(d.out, uint32(d.bits))
		d.bits >>= 32
		d.nbits -= 32
	}
}

// emit writes the finished output bytes; without a destination (zlib
// mode) they stay in out.
func (d *gnuDeflater) emit() {
	if d.dst == nil {
		return
	}
	if d.err == nil && len(d.out) > 0 {
		_, d.err = d.dst.Write(d.out)
	}
	d.out = d.out[:0]
}

// alignOut sends the pending bits, the last byte padded with zero bits.
func (d *gnuDeflater) alignOut() {
	for ; d.nbits > 0; d.nbits -= 8 {
		d.out = append(d.out, byte(d.bits))
		d.bits >>= 8
		if d.nbits < 8 {
			break
		}
	}
	d.bits, d.nbits = 0, 0
}
