package compress

import (
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// Bzip2Writer writes the stream `bzip2 -N` (bzip2 1.0.8) writes for the
// same input, byte for byte: the same first-stage run-length coding and
// block boundaries, the same Burrows-Wheeler origin, and the same
// Huffman table choices. Blocks are independent, so with several CPUs
// full blocks are encoded in parallel; the bytes do not depend on it.
type Bzip2Writer struct {
	w        io.Writer
	level    int
	maxBlock int // bzip2 closes a block once it holds this many bytes

	cur *bzBlock // the block being filled
	// The run being counted (bzip2 codes runs of 4 to 255 equal bytes
	// as four bytes and a count); ch 256 means none yet.
	ch, run int

	full     []*bzBlock // blocks waiting to be encoded
	spare    []*bzBlock
	encoders []*bzEncoder
	out      bzBitWriter // the stream, complete bytes go to w
	combined uint32
	started  bool
	closed   bool
	err      error
}

// bzBlock is one block's first-stage output and, once encoded, its bits.
type bzBlock struct {
	data  []byte // run-length coded bytes, with room past the end for the sort
	n     int
	crc   uint32
	inUse [256]bool
	bits  bzBitWriter
}

// NewBzip2Writer returns a writer of a bzip2 stream with blocks of
// level*100000 bytes (level 1 to 9), as `bzip2 -<level>`.
func NewBzip2Writer(w io.Writer, level int) (*Bzip2Writer, error) {
	if level < 1 || level > 9 {
		return nil, fmt.Errorf("bzip2: level %d out of range 1-9", level)
	}
	z := &Bzip2Writer{w: w, level: level, maxBlock: 100000*level - 19, ch: 256}
	return z, nil
}

func (z *Bzip2Writer) newBlock() *bzBlock {
	if n := len(z.spare); n > 0 {
		b := z.spare[n-1]
		z.spare = z.spare[:n-1]
		b.n, b.crc, b.inUse = 0, 0xffffffff, [256]bool{}
		b.bits.reset()
		return b
	}
	// A block can end 5 bytes past maxBlock (the run pending at the
	// end), and the sorts read past its end.
	b := &bzBlock{data: make([]byte, z.maxBlock+5+bzBlockSlack), crc: 0xffffffff}
	// Room for the block's code: about a quarter of it for most data, a
	// little over all of it for noise (append grows it then).
	b.bits.buf = make([]byte, 0, len(b.data)/2)
	return b
}

// Write codes p's runs into blocks, encoding each block once full.
func (z *Bzip2Writer) Write(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	if z.closed {
		return 0, fmt.Errorf("bzip2: write after close")
	}
	if z.cur == nil {
		z.cur = z.newBlock()
	}
	b := z.cur
	ch, run := z.ch, z.run
	for i := 0; i < len(p); i++ {
		if b.n >= z.maxBlock {
			// bzip2 closes the block as soon as it is full; the pending
			// run goes to the next one.
			z.finishBlock(b)
			if z.err != nil {
				return i, z.err
			}
			b = z.newBlock()
			z.cur = b
		}
		c := int(p[i])
		if c == ch && run < 255 {
			run++
			continue
		}
		if ch < 256 {
			b.addRun(byte(ch), run)
		}
		ch, run = c, 1
		// Fast path: a byte unlike the next is stored as is, so a
		// stretch without two equal neighbours is copied whole (as
		// long as the block has room: bzip2 checks before each byte).
		start := i
		end := len(p) - 1
		if room := z.maxBlock - b.n; end > start+room {
			end = start + room
		}
		k := start
		for k < end && p[k+1] != p[k] {
			k++
		}
		if k > start {
			b.addBytes(p[start:k])
			i = k
			ch = int(p[k])
		}
	}
	z.ch, z.run = ch, run
	return len(p), nil
}

// addBytes appends bytes that are each a run of one.
func (b *bzBlock) addBytes(p []byte) {
	b.n += copy(b.data[b.n:], p)
	for _, c := range p {
		b.inUse[c] = true
	}
	b.crc = bzCRCUpdate(b.crc, p)
}

// bzCRCUpdate adds p to a bzip2 CRC eight bytes a step (slicing by 8:
// table k gives a byte's effect k bytes further on).
func bzCRCUpdate(crc uint32, p []byte) uint32 {
	t := bzCRCSlices()
	for ; len(p) >= 8; p = p[8:] {
		x := crc ^ binary.BigEndian.Uint32(p)
		crc = t[7][x>>24] ^ t[6][x>>16&0xff] ^ t[5][x>>8&0xff] ^ t[4][x&0xff] ^
			t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]]
	}
	for _, c := range p {
		crc = crc<<8 ^ bzCRCTable[byte(crc>>24)^c]
	}
	return crc
}

var (
	bzCRC8     *[8][256]uint32
	bzCRC8Once sync.Once
)

// bzCRCSlices builds the slicing tables on first use (8 KiB, so not at
// start-up).
func bzCRCSlices() *[8][256]uint32 {
	bzCRC8Once.Do(func() {
		t := new([8][256]uint32)
		t[0] = bzCRCTable
		for k := 1; k < 8; k++ {
			for i := 0; i < 256; i++ {
				v := t[k-1][i]
				t[k][i] = v<<8 ^ bzCRCTable[v>>24]
			}
		}
		bzCRC8 = t
	})
	return bzCRC8
}

// addRun appends a run of n (1..255) bytes c as bzip2 stores it: up to
// three bytes as they are, four or more as four and the count minus 4.
func (b *bzBlock) addRun(c byte, n int) {
	crc := b.crc
	for i := 0; i < n; i++ {
		crc = crc<<8 ^ bzCRCTable[byte(crc>>24)^c]
	}
	b.crc = crc
	b.inUse[c] = true
	d := b.data[b.n:]
	switch n {
	case 1:
		d[0] = c
		b.n++
	case 2:
		d[0], d[1] = c, c
		b.n += 2
	case 3:
		d[0], d[1], d[2] = c, c, c
		b.n += 3
	default:
		d[0], d[1], d[2], d[3], d[4] = c, c, c, c, byte(n-4)
		b.inUse[n-4] = true
		b.n += 5
	}
}

// finishBlock queues a full block; queued blocks are encoded together
// once there is one per CPU.
func (z *Bzip2Writer) finishBlock(b *bzBlock) {
	z.full = append(z.full, b)
	z.cur = nil
	if len(z.full) >= bzWorkers() {
		z.flushBlocks()
	}
}

// bzWorkers is how many blocks are encoded at once: one per CPU, at most
// four (each worker holds about 16 MB of sort arrays for a 900k block).
func bzWorkers() int {
	n := runtime.GOMAXPROCS(0)
	if n > 4 {
		n = 4
	}
	return n
}

// flushBlocks encodes the queued blocks (in parallel when there are
// several) and appends them to the stream in order.
func (z *Bzip2Writer) flushBlocks() {
	blocks := z.full
	z.full = z.full[:0]
	for len(z.encoders) < len(blocks) {
		z.encoders = append(z.encoders, &bzEncoder{})
	}
	if len(blocks) == 1 {
		z.encoders[0].encode(blocks[0])
	} else {
		var wg sync.WaitGroup
		for i, b := range blocks {
			wg.Add(1)
			go func(e *bzEncoder, b *bzBlock) {
				defer wg.Done()
				e.encode(b)
			}(z.encoders[i], b)
		}
		wg.Wait()
	}
	z.header()
	for _, b := range blocks {
		z.combined = (z.combined<<1 | z.combined>>31) ^ b.crc
		z.out.appendBits(&b.bits)
		z.spare = append(z.spare, b)
		z.drain()
	}
}

func (z *Bzip2Writer) header() {
	if !z.started {
		z.started = true
		for _, c := range []byte{'B', 'Z', 'h', byte('0' + z.level)} {
			z.out.write(8, uint32(c))
		}
	}
}

// drain hands the stream's complete bytes to w.
func (z *Bzip2Writer) drain() {
	if z.err != nil || len(z.out.buf) < 64<<10 {
		return
	}
	z.out.flushWhole()
	_, z.err = z.w.Write(z.out.buf)
	z.out.buf = z.out.buf[:0]
}

// Close ends the last block and the stream; it does not close w.
func (z *Bzip2Writer) Close() error {
	if z.closed {
		return z.err
	}
	z.closed = true
	if z.err != nil {
		return z.err
	}
	b := z.cur
	if b != nil && b.n >= z.maxBlock {
		z.finishBlock(b)
		b = nil
	}
	if z.ch < 256 {
		if b == nil {
			b = z.newBlock()
		}
		b.addRun(byte(z.ch), z.run)
		z.ch, z.run = 256, 0
	}
	if b != nil && b.n > 0 {
		z.full = append(z.full, b)
	}
	z.cur = nil
	if len(z.full) > 0 {
		z.flushBlocks()
	}
	z.header()
	for _, c := range []byte{0x17, 0x72, 0x45, 0x38, 0x50, 0x90} {
		z.out.write(8, uint32(c))
	}
	z.out.write(32, z.combined)
	z.out.pad()
	if z.err == nil {
		_, z.err = z.w.Write(z.out.buf)
		z.out.buf = z.out.buf[:0]
	}
	return z.err
}

// bzBitWriter collects bits most significant first.
type bzBitWriter struct {
	buf  []byte
	acc  uint64 // pending bits, the oldest highest
	nacc uint   // how many
}

func (w *bzBitWriter) reset() {
	w.buf, w.acc, w.nacc = w.buf[:0], 0, 0
}

// write appends the low n bits of v (n <= 32).
func (w *bzBitWriter) write(n uint, v uint32) {
	w.acc = w.acc<<n | uint64(v)&(1<<n-1)
	w.nacc += n
	if w.nacc >= 32 {
		w.nacc -= 32
		x := uint32(w.acc >> w.nacc)
		w.buf = append(w.buf, byte(x>>24), byte(x>>16), byte(x>>8), byte(x))
	}
}

// flushWhole moves every complete byte to buf.
func (w *bzBitWriter) flushWhole() {
	for w.nacc >= 8 {
		w.nacc -= 8
		w.buf = append(w.buf, byte(w.acc>>w.nacc))
	}
}

// pad completes the last byte with zero bits.
func (w *bzBitWriter) pad() {
	w.flushWhole()
	if w.nacc > 0 {
		w.buf = append(w.buf, byte(w.acc<<(8-w.nacc)))
		w.nacc = 0
	}
}

// appendBits appends all of o's bits.
func (w *bzBitWriter) appendBits(o *bzBitWriter) {
	o.flushWhole()
	if w.nacc%8 == 0 {
		w.flushWhole()
		w.buf = append(w.buf, o.buf...)
	} else {
		p := o.buf
		for ; len(p) >= 4; p = p[4:] {
			w.write(32, uint32(p[0])<<24|uint32(p[1])<<16|uint32(p[2])<<8|uint32(p[3]))
		}
		for _, c := range p {
			w.write(8, uint32(c))
		}
	}
	if o.nacc > 0 {
		w.write(o.nacc, uint32(o.acc))
	}
}

// makeBzCRCTable computes bzCRCTable (tables.go): CRC-32 with polynomial
// 0x04c11db7 shifted left (most significant bit first), the CRC bzip2 uses.
func makeBzCRCTable() (t [256]uint32) {
	for i := range t {
		c := uint32(i) << 24
		for k := 0; k < 8; k++ {
			if c&0x80000000 != 0 {
				c = c<<1 ^ 0x04c11db7
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}
