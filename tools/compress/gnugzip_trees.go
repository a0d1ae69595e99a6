package compress

// Block output for the GNU-gzip-compatible encoder (gnugzip.go): per-block
// Huffman trees built the way gzip builds them, and the choice between a
// stored, a fixed-code and a dynamic-code block by their computed sizes.

import (
	"encoding/binary"
	"sync"
)

const (
	gzLCodes   = 286 // literal/length codes
	gzDCodes   = 30
	gzBLCodes  = 19
	gzHeapSize = 2*gzLCodes + 1
	gzMaxBits  = 15
	gzMaxBL    = 7
	gzEndBlock = 256
)

var (
	gzLengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	gzDistExtra   = [gzDCodes]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	gzBLExtra     = [gzBLCodes]uint8{16: 2, 17: 3, 18: 7}
	gzBLOrder     = [gzBLCodes]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

	gzLengthCode [256]uint8 // match length-3 -> length code 0..28
	gzLengthBase [29]uint32
	gzDistCodes  [512]uint8 // distance-1 -> code: below 256 direct, then by 128s
	gzDistBase   [gzDCodes]uint32
	gzStaticL    gzCodes
	gzStaticD    gzCodes
)

// gzCodes is a code table: bit-reversed codes ready to send, and lengths.
type gzCodes struct {
	code [gzLCodes + 2]uint16
	len  [gzLCodes + 2]uint16
}

var gzTablesOnce sync.Once

// buildGzTables fills the length and distance code tables and the static
// trees, once, when the first deflater starts (gzTrees.init), not at every
// start of fwtool.
func buildGzTables() {
	length := uint32(0)
	for c := 0; c < 28; c++ {
		gzLengthBase[c] = length
		for i := 0; i < 1<<gzLengthExtra[c]; i++ {
			gzLengthCode[length] = uint8(c)
			length++
		}
	}
	// Length 258 has its own code (285), not code 28's last slot.
	gzLengthBase[28] = 255
	gzLengthCode[255] = 28
	dist := uint32(0)
	for c := 0; c < gzDCodes; c++ {
		gzDistBase[c] = dist
		for i := uint32(0); i < 1<<gzDistExtra[c]; i++ {
			if d := dist + i; d < 256 {
				gzDistCodes[d] = uint8(c)
			} else if d%128 == 0 {
				gzDistCodes[256+d>>7] = uint8(c)
			}
		}
		dist += 1 << gzDistExtra[c]
	}
	var count [gzMaxBits + 1]int
	for n := 0; n < 288; n++ {
		l := 8
		switch {
		case n >= 144 && n < 256:
			l = 9
		case n >= 256 && n < 280:
			l = 7
		}
		gzStaticL.len[n] = uint16(l)
		count[l]++
	}
	gzStaticL.assign(count, 287)
	for n := 0; n < gzDCodes; n++ {
		gzStaticD.len[n] = 5
		gzStaticD.code[n] = reverseBits(uint16(n), 5)
	}
}

// gzDistCode maps distance-1 to its distance code.
func gzDistCode(dist uint32) int {
	if dist < 256 {
		return int(gzDistCodes[dist])
	}
	return int(gzDistCodes[256+dist>>7])
}

func reverseBits(v uint16, n int) uint16 {
	var r uint16
	for i := 0; i < n; i++ {
		r = r<<1 | v&1
		v >>= 1
	}
	return r
}

// assign gives canonical codes to symbols 0..maxCode from their lengths.
func (c *gzCodes) assign(count [gzMaxBits + 1]int, maxCode int) {
	var next [gzMaxBits + 1]uint16
	code := uint16(0)
	for b := 1; b <= gzMaxBits; b++ {
		code = (code + uint16(count[b-1])) << 1
		next[b] = code
	}
	for n := 0; n <= maxCode; n++ {
		l := c.len[n]
		if l == 0 {
			continue
		}
		c.code[n] = reverseBits(next[l], int(l))
		next[l]++
	}
}

// gzTree is one tree under construction: leaf frequencies, then parents,
// depths and lengths for leaves and internal nodes alike.
type gzTree struct {
	freq    []uint32
	dad     []int
	depth   []uint8
	codes   gzCodes
	elems   int
	maxLen  int
	extra   []uint8
	base    int
	static  *gzCodes
	maxCode int
}

// gzTrees holds one block's symbols and the trees for it.
type gzTrees struct {
	lfreq  [gzLCodes]uint32
	dfreq  [gzDCodes]uint32
	blfreq [gzBLCodes]uint32
	// The block's symbols in order: a literal is its byte, a match its
	// distance (1-32768) << 8 | length-3.
	syms    *[gzLitBufSize]uint32
	nsyms   int
	ndists  int
	l, d    gzTree
	bl      gzTree
	heap    [gzHeapSize]int
	heapLen int
	heapMax int
	count   [gzMaxBits + 1]int
	// Bit sizes of the block as dynamic and as fixed codes. gzip keeps
	// them unsigned and lets them dip below zero; only the sums matter.
	optLen, staticLen uint64
}

func newGzTree(elems, maxLen int, extra []uint8, base int, static *gzCodes) gzTree {
	return gzTree{
		freq: make([]uint32, gzHeapSize), dad: make([]int, gzHeapSize), depth: make([]uint8, gzHeapSize),
		elems: elems, maxLen: maxLen, extra: extra, base: base, static: static,
	}
}

func (t *gzTrees) init() {
	gzTablesOnce.Do(buildGzTables)
	t.l = newGzTree(gzLCodes, gzMaxBits, gzLengthExtra[:], 257, &gzStaticL)
	t.d = newGzTree(gzDCodes, gzMaxBits, gzDistExtra[:], 0, &gzStaticD)
	t.bl = newGzTree(gzBLCodes, gzMaxBL, gzBLExtra[:], 0, nil)
	t.syms = new([gzLitBufSize]uint32)
	t.reset()
}

func (t *gzTrees) reset() {
	t.lfreq = [gzLCodes]uint32{}
	t.dfreq = [gzDCodes]uint32{}
	t.blfreq = [gzBLCodes]uint32{}
	t.lfreq[gzEndBlock] = 1
	t.optLen, t.staticLen = 0, 0
	t.nsyms, t.ndists = 0, 0
}

// smaller orders heap entries by frequency, then by subtree depth.
func (t *gzTrees) smaller(tr *gzTree, n, m int) bool {
	return tr.freq[n] < tr.freq[m] || (tr.freq[n] == tr.freq[m] && tr.depth[n] <= tr.depth[m])
}

func (t *gzTrees) downHeap(tr *gzTree, k int) {
	v := t.heap[k]
	j := k << 1
	for j <= t.heapLen {
		if j < t.heapLen && t.smaller(tr, t.heap[j+1], t.heap[j]) {
			j++
		}
		if t.smaller(tr, v, t.heap[j]) {
			break
		}
		t.heap[k] = t.heap[j]
		k = j
		j <<= 1
	}
	t.heap[k] = v
}

// build makes tr's code lengths and codes from freq[0:elems].
func (t *gzTrees) build(tr *gzTree, freq []uint32) {
	copy(tr.freq, freq)
	t.heapLen, t.heapMax = 0, gzHeapSize
	maxCode := -1
	for n := 0; n < tr.elems; n++ {
		if tr.freq[n] != 0 {
			t.heapLen++
			t.heap[t.heapLen] = n
			maxCode = n
			tr.depth[n] = 0
		} else {
			tr.codes.len[n] = 0
		}
	}
	// At least two codes, so every code has at least one bit.
	for t.heapLen < 2 {
		n := 0
		if maxCode < 2 {
			maxCode++
			n = maxCode
		}
		t.heapLen++
		t.heap[t.heapLen] = n
		tr.freq[n] = 1
		tr.depth[n] = 0
		t.optLen--
		if tr.static != nil {
			t.staticLen -= uint64(tr.static.len[n])
		}
	}
	tr.maxCode = maxCode
	for n := t.heapLen / 2; n >= 1; n-- {
		t.downHeap(tr, n)
	}
	node := tr.elems
	for t.heapLen >= 2 {
		n := t.heap[1]
		t.heap[1] = t.heap[t.heapLen]
		t.heapLen--
		t.downHeap(tr, 1)
		m := t.heap[1]
		t.heapMax--
		t.heap[t.heapMax] = n
		t.heapMax--
		t.heap[t.heapMax] = m
		tr.freq[node] = tr.freq[n] + tr.freq[m]
		d := tr.depth[n]
		if tr.depth[m] > d {
			d = tr.depth[m]
		}
		tr.depth[node] = d + 1
		tr.dad[n], tr.dad[m] = node, node
		t.heap[1] = node
		node++
		t.downHeap(tr, 1)
	}
	t.heapMax--
	t.heap[t.heapMax] = t.heap[1]
	t.genLengths(tr)
	tr.codes.assign(t.count, maxCode)
}

// genLengths sets lengths from depths in the tree, then, if any exceed
// maxLen, re-deals the lengths by count (deepest leaves first, taken in
// increasing frequency) so the code is complete again.
func (t *gzTrees) genLengths(tr *gzTree) {
	t.count = [gzMaxBits + 1]int{}
	lens := make([]int, gzHeapSize)
	overflow := 0
	lens[t.heap[t.heapMax]] = 0
	h := t.heapMax + 1
	for ; h < gzHeapSize; h++ {
		n := t.heap[h]
		b := lens[tr.dad[n]] + 1
		if b > tr.maxLen {
			b = tr.maxLen
			overflow++
		}
		lens[n] = b
		if n > tr.maxCode {
			continue
		}
		tr.codes.len[n] = uint16(b)
		t.count[b]++
		x := 0
		if n >= tr.base {
			x = int(tr.extra[n-tr.base])
		}
		f := uint64(tr.freq[n])
		t.optLen += f * uint64(b+x)
		if tr.static != nil {
			t.staticLen += f * uint64(int(tr.static.len[n])+x)
		}
	}
	if overflow == 0 {
		return
	}
	for overflow > 0 {
		b := tr.maxLen - 1
		for t.count[b] == 0 {
			b--
		}
		t.count[b]--
		t.count[b+1] += 2
		t.count[tr.maxLen]--
		overflow -= 2
	}
	for b := tr.maxLen; b != 0; b-- {
		for n := t.count[b]; n != 0; {
			h--
			m := t.heap[h]
			if m > tr.maxCode {
				continue
			}
			if int(tr.codes.len[m]) != b {
				t.optLen += uint64(int64(b)-int64(tr.codes.len[m])) * uint64(tr.freq[m])
				tr.codes.len[m] = uint16(b)
			}
			n--
		}
	}
}

// lengthRuns walks a tree's lengths 0..maxCode as the run-length coding
// of RFC 1951 3.2.7 groups them: emit gets each run's length value, its
// count, the previous run's value and the least count worth a repeat code
// (which depends on what came before, as in gzip).
func lengthRuns(lens []uint16, maxCode int, emit func(cur, count, prev, minCount int)) {
	prev, next := -1, int(lens[0])
	count, maxCount, minCount := 0, 7, 4
	if next == 0 {
		maxCount, minCount = 138, 3
	}
	for n := 0; n <= maxCode; n++ {
		cur := next
		next = -1
		if n < maxCode {
			next = int(lens[n+1])
		}
		count++
		if count < maxCount && cur == next {
			continue
		}
		emit(cur, count, prev, minCount)
		count, prev = 0, cur
		switch {
		case next == 0:
			maxCount, minCount = 138, 3
		case cur == next:
			maxCount, minCount = 6, 3
		default:
			maxCount, minCount = 7, 4
		}
	}
}

// writeBlock sends the block's symbols as the smallest of a stored block
// (only when its bytes are still in the window), fixed codes (on a tie with
// dynamic) or dynamic codes.
func (d *gnuDeflater) writeBlock(stored []byte, storedLen uint32, last bool) {
	t := &d.trees
	t.build(&t.l, t.lfreq[:])
	t.build(&t.d, t.dfreq[:])
	maxBL := t.buildBL()
	optBytes := (t.optLen + 3 + 7) >> 3
	staticBytes := (t.staticLen + 3 + 7) >> 3
	if staticBytes <= optBytes {
		optBytes = staticBytes
	}
	fin := uint32(0)
	if last {
		fin = 1
	}
	switch {
	case uint64(storedLen)+4 <= optBytes && stored != nil:
		d.putBits(fin, 3)
		d.alignOut()
		n := uint16(storedLen)
		d.out = append(d.out, byte(n), byte(n>>8), byte(^n), byte(^n>>8))
		d.out = append(d.out, stored...)
	case staticBytes == optBytes:
		d.putBits(1<<1|fin, 3)
		d.compressBlock(&gzStaticL, &gzStaticD)
	default:
		d.putBits(2<<1|fin, 3)
		d.sendTrees(maxBL + 1)
		d.compressBlock(&t.l.codes, &t.d.codes)
	}
	t.reset()
	if last {
		d.alignOut()
	}
	if len(d.out) >= 64<<10 {
		d.emit()
	}
}

// buildBL counts the code-length symbols both trees need, builds their
// tree and returns the last position in the RFC's order that is used (at
// least 3).
func (t *gzTrees) buildBL() int {
	tally := func(cur, count, prev, minCount int) {
		switch {
		case count < minCount:
			t.blfreq[cur] += uint32(count)
		case cur != 0:
			if cur != prev {
				t.blfreq[cur]++
			}
			t.blfreq[16]++
		case count <= 10:
			t.blfreq[17]++
		default:
			t.blfreq[18]++
		}
	}
	lengthRuns(t.l.codes.len[:], t.l.maxCode, tally)
	lengthRuns(t.d.codes.len[:], t.d.maxCode, tally)
	t.build(&t.bl, t.blfreq[:])
	last := gzBLCodes - 1
	for last >= 3 && t.bl.codes.len[gzBLOrder[last]] == 0 {
		last--
	}
	t.optLen += uint64(3*(last+1) + 5 + 5 + 4)
	return last
}

func (d *gnuDeflater) sendTrees(blCodes int) {
	t := &d.trees
	d.putBits(uint32(t.l.maxCode+1-257), 5)
	d.putBits(uint32(t.d.maxCode+1-1), 5)
	d.putBits(uint32(blCodes-4), 4)
	for r := 0; r < blCodes; r++ {
		d.putBits(uint32(t.bl.codes.len[gzBLOrder[r]]), 3)
	}
	bl := &t.bl.codes
	send := func(c int) { d.putBits(uint32(bl.code[c]), uint(bl.len[c])) }
	emit := func(cur, count, prev, minCount int) {
		switch {
		case count < minCount:
			for ; count > 0; count-- {
				send(cur)
			}
		case cur != 0:
			if cur != prev {
				send(cur)
				count--
			}
			send(16)
			d.putBits(uint32(count-3), 2)
		case count <= 10:
			send(17)
			d.putBits(uint32(count-3), 3)
		default:
			send(18)
			d.putBits(uint32(count-11), 7)
		}
	}
	lengthRuns(t.l.codes.len[:], t.l.maxCode, emit)
	lengthRuns(t.d.codes.len[:], t.d.maxCode, emit)
}

// compressBlock sends the block's symbols with codes l and dc, keeping the
// bit buffer in registers: whole 32-bit words go out as they complete.
func (d *gnuDeflater) compressBlock(l, dc *gzCodes) {
	t := &d.trees
	acc, n, out := d.bits, d.nbits, d.out
	put := func(v uint32, k uint) {
		acc |= uint64(v) << n
		n += k
		if n >= 32 {
			out = binary.LittleEndian.AppendUint32(out, uint32(acc))
			acc >>= 32
			n -= 32
		}
	}
	for _, sym := range t.syms[:t.nsyms] {
		lc := sym & 0xff
		if sym < 0x100 {
			put(uint32(l.code[lc]), uint(l.len[lc]))
			continue
		}
		code := uint32(gzLengthCode[lc])
		put(uint32(l.code[code+257]), uint(l.len[code+257]))
		if x := gzLengthExtra[code]; x != 0 {
			put(lc-gzLengthBase[code], uint(x))
		}
		dist := sym>>8 - 1
		c := gzDistCode(dist)
		put(uint32(dc.code[c]), uint(dc.len[c]))
		if x := gzDistExtra[c]; x != 0 {
			put(dist-gzDistBase[c], uint(x))
		}
	}
	put(uint32(l.code[gzEndBlock]), uint(l.len[gzEndBlock]))
	d.bits, d.nbits, d.out = acc, n, out
}
