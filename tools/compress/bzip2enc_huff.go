package compress

import "math/bits"

// The back end of the bzip2 encoder: move-to-front with zero-run coding
// of the sorted block, then bzip2's choice of 2 to 6 Huffman tables over
// groups of 50 symbols, its code-length builder and its bit layout.

// bzEncoder holds one worker's buffers, reused from block to block.
type bzEncoder struct {
	ptr      []int32
	keys     []uint64 // eight-byte sort keys (bzip2enc_bwt.go)
	mtfv     []uint16
	last     []byte // the block's last column
	quadrant []uint16
	ftab     []uint32
	eclass   []int32
	bhtab    []uint32
	sel      []byte
	sa       []int32 // fast-sort work space (bzip2enc_bwt.go)
}

const (
	bzRunA     = 0
	bzRunB     = 1
	bzGroupLen = 50
	bzMaxAlpha = 258
	bzMaxLen   = 17 // bzip2 1.0.3 and later never write longer codes
)

// encode writes block b (header, origin, tables, symbols) into b.bits.
func (e *bzEncoder) encode(b *bzBlock) {
	n := b.n
	// Sized once for the largest block this writer makes, unless the
	// block is small (a short input need not pay for 900k).
	need := len(b.data) - bzBlockSlack
	if n < need/2 {
		need = n
	}
	e.ensure(need)
	ptr := e.ptr[:n]
	orig := e.bwtSort(b.data, n, ptr)
	b.crc = ^b.crc

	w := &b.bits
	w.reset()
	for _, c := range []byte{0x31, 0x41, 0x59, 0x26, 0x53, 0x59} {
		w.write(8, uint32(c))
	}
	w.write(32, b.crc)
	w.write(1, 0) // not randomised
	w.write(24, uint32(orig))

	var seqOf [256]byte
	nInUse := 0
	for i := 0; i < 256; i++ {
		if b.inUse[i] {
			seqOf[i] = byte(nInUse)
			nInUse++
		}
	}
	var freq [bzMaxAlpha]int32
	mtfv := e.mtfValues(b.data[:n], ptr, &seqOf, nInUse, &freq)
	e.sendMTF(w, b, mtfv, nInUse, &freq)
}

// mtfValues codes the last column (the byte before each sorted rotation)
// by move-to-front over the bytes in use; runs of the front symbol become
// their length in bijective base 2 with digits RUNA (1) and RUNB (2),
// least significant first; other positions p are p+1; EOB ends it.
func (e *bzEncoder) mtfValues(block []byte, ptr []int32, seqOf *[256]byte, nInUse int, freq *[bzMaxAlpha]int32) []uint16 {
	n := len(block)
	out := e.mtfv[:n+1]
	// The move-to-front list, eight symbols a word (the front is the low
	// byte of ww[0]). Positions past nInUse hold values no symbol has, so
	// searches stop in range.
	var ww [32]uint64
	for i := range ww {
		for b := 7; b >= 0; b-- {
			ww[i] = ww[i]<<8 | uint64(i*8+b)
		}
	}
	const ones = 0x0101010101010101
	const highs = 0x8080808080808080
	wr := 0
	zRun := 0
	// First the last column itself (the byte before each sorted
	// rotation, as its index among the bytes in use): a gather whose
	// loads do not wait on the move-to-front state.
	last := e.last[:n]
	for i, p := range ptr[:n] {
		j := int(p) - 1
		if j < 0 {
			j += n
		}
		last[i] = seqOf[block[j]]
	}
	for _, c := range last {
		if byte(ww[0]) == c {
			zRun++
			continue
		}
		if zRun > 0 {
			wr = bzPutRun(out, wr, zRun, freq)
			zRun = 0
		}
		// Shift the list one place back up to c's position (the lowest
		// zero byte of w^cc) and put c in front.
		cc := uint64(c) * ones
		carry := uint64(c)
		k := 0
		for m := 0; m < 32; m++ {
			w := ww[m]
			x := w ^ cc
			if z := (x - ones) &^ x & highs; z != 0 {
				b := bits.TrailingZeros64(z) >> 3
				mask := uint64(1)<<(uint(b+1)*8) - 1
				ww[m] = (w<<8|carry)&mask | w&^mask
				k = m*8 + b
				break
			}
			ww[m] = w<<8 | carry
			carry = w >> 56
		}
		out[wr] = uint16(k + 1)
		wr++
		freq[k+1]++
	}
	if zRun > 0 {
		wr = bzPutRun(out, wr, zRun, freq)
	}
	eob := nInUse + 1
	out[wr] = uint16(eob)
	wr++
	freq[eob]++
	return out[:wr]
}

// bzPutRun writes a run of r front symbols at out[wr:] as its length in
// bijective base 2 (RUNA 1, RUNB 2, least significant digit first) and
// returns the new end.
func bzPutRun(out []uint16, wr, r int, freq *[bzMaxAlpha]int32) int {
	r--
	for {
		sym := uint16(bzRunA)
		if r&1 != 0 {
			sym = bzRunB
		}
		out[wr] = sym
		wr++
		freq[sym]++
		if r < 2 {
			return wr
		}
		r = (r - 2) / 2
	}
}

// sendMTF picks the tables as bzip2 does and writes the rest of the block.
func (e *bzEncoder) sendMTF(w *bzBitWriter, b *bzBlock, mtfv []uint16, nInUse int, freq *[bzMaxAlpha]int32) {
	alpha := nInUse + 2
	nMTF := len(mtfv)
	var nGroups int
	switch {
	case nMTF < 200:
		nGroups = 2
	case nMTF < 600:
		nGroups = 3
	case nMTF < 1200:
		nGroups = 4
	case nMTF < 2400:
		nGroups = 5
	default:
		nGroups = 6
	}
	var length [6][bzMaxAlpha]uint8
	for t := range length {
		for v := 0; v < alpha; v++ {
			length[t][v] = 15
		}
	}

	// Initial tables: split the symbol range into nGroups runs of about
	// equal total frequency; table t costs 0 inside its run, 15 outside.
	remF := int32(nMTF)
	gs := 0
	for nPart := nGroups; nPart > 0; nPart-- {
		tFreq := remF / int32(nPart)
		ge := gs - 1
		aFreq := int32(0)
		for aFreq < tFreq && ge < alpha-1 {
			ge++
			aFreq += freq[ge]
		}
		if ge > gs && nPart != nGroups && nPart != 1 && (nGroups-nPart)%2 == 1 {
			aFreq -= freq[ge]
			ge--
		}
		for v := 0; v < alpha; v++ {
			if v >= gs && v <= ge {
				length[nPart-1][v] = 0
			} else {
				length[nPart-1][v] = 15
			}
		}
		gs = ge + 1
		remF -= aFreq
	}

	nSel := (nMTF + bzGroupLen - 1) / bzGroupLen
	if cap(e.sel) < nSel {
		e.sel = make([]byte, nSel)
	}
	sel := e.sel[:nSel]
	var rfreq [6][bzMaxAlpha]int32
	// The costs of all six tables in one word, ten bits each: a group's
	// cost stays below 50*17 < 1024, so the fields never carry.
	var pack [bzMaxAlpha]uint64
	for iter := 0; iter < 4; iter++ {
		rfreq = [6][bzMaxAlpha]int32{}
		for v := 0; v < alpha; v++ {
			var x uint64
			for t := 5; t >= 0; t-- {
				x = x<<10 | uint64(length[t][v])
			}
			pack[v] = x
		}
		for g := 0; g < nSel; g++ {
			gs := g * bzGroupLen
			ge := gs + bzGroupLen
			if ge > nMTF {
				ge = nMTF
			}
			var sum uint64
			for _, v := range mtfv[gs:ge] {
				sum += pack[v]
			}
			bt := 0
			bc := sum & 0x3ff
			for t := 1; t < nGroups; t++ {
				if c := sum >> (10 * uint(t)) & 0x3ff; c < bc {
					bc, bt = c, t
				}
			}
			sel[g] = byte(bt)
			rf := &rfreq[bt]
			for _, v := range mtfv[gs:ge] {
				rf[v]++
			}
		}
		for t := 0; t < nGroups; t++ {
			bzCodeLengths(length[t][:alpha], rfreq[t][:alpha], bzMaxLen)
		}
	}

	var code [6][bzMaxAlpha]uint32
	for t := 0; t < nGroups; t++ {
		bzAssignCodes(code[t][:alpha], length[t][:alpha])
	}

	// Which bytes occur: 16 bits for the 16-byte ranges, then 16 bits
	// for each range in use.
	var used16 uint32
	for i := 0; i < 16; i++ {
		for j := 0; j < 16; j++ {
			if b.inUse[i*16+j] {
				used16 |= 1 << uint(15-i)
				break
			}
		}
	}
	w.write(16, used16)
	for i := 0; i < 16; i++ {
		if used16&(1<<uint(15-i)) == 0 {
			continue
		}
		var bits uint32
		for j := 0; j < 16; j++ {
			if b.inUse[i*16+j] {
				bits |= 1 << uint(15-j)
			}
		}
		w.write(16, bits)
	}

	// Selectors, move-to-front coded, each in unary.
	w.write(3, uint32(nGroups))
	w.write(15, uint32(nSel))
	pos := [6]byte{0, 1, 2, 3, 4, 5}
	for _, s := range sel {
		j := 0
		for pos[j] != s {
			j++
		}
		copy(pos[1:j+1], pos[:j])
		pos[0] = s
		// j ones and a zero.
		w.write(uint(j+1), uint32(1<<uint(j+1)-2))
	}

	// Code lengths, each as the change from the previous one.
	for t := 0; t < nGroups; t++ {
		cur := int(length[t][0])
		w.write(5, uint32(cur))
		for v := 0; v < alpha; v++ {
			l := int(length[t][v])
			for cur < l {
				w.write(2, 2)
				cur++
			}
			for cur > l {
				w.write(2, 3)
				cur--
			}
			w.write(1, 0)
		}
	}

	for g := 0; g < nSel; g++ {
		gs := g * bzGroupLen
		ge := gs + bzGroupLen
		if ge > nMTF {
			ge = nMTF
		}
		ln, cd := &length[sel[g]], &code[sel[g]]
		for _, v := range mtfv[gs:ge] {
			w.write(uint(ln[v]), cd[v])
		}
	}
}

// bzCodeLengths builds Huffman code lengths for freq the way bzip2's
// BZ2_hbMakeCodeLengths does (its heap order decides ties, and a node's
// weight carries its depth in the low byte so that among equal weights
// the shallower merges first); while a code comes out longer than
// maxLen, every frequency is halved (plus one) and the tree rebuilt.
func bzCodeLengths(length []uint8, freq []int32, maxLen int) {
	alpha := len(freq)
	var heap [bzMaxAlpha + 2]int32
	var weight, parent [bzMaxAlpha * 2]int32
	for i := 0; i < alpha; i++ {
		f := freq[i]
		if f == 0 {
			f = 1
		}
		weight[i+1] = f << 8
	}
	for {
		nNodes := alpha
		nHeap := 0
		heap[0], weight[0], parent[0] = 0, 0, -2
		up := func(z int) {
			tmp := heap[z]
			for weight[tmp] < weight[heap[z>>1]] {
				heap[z] = heap[z>>1]
				z >>= 1
			}
			heap[z] = tmp
		}
		down := func(z int) {
			tmp := heap[z]
			for {
				y := z << 1
				if y > nHeap {
					break
				}
				if y < nHeap && weight[heap[y+1]] < weight[heap[y]] {
					y++
				}
				if weight[tmp] < weight[heap[y]] {
					break
				}
				heap[z] = heap[y]
				z = y
			}
			heap[z] = tmp
		}
		for i := 1; i <= alpha; i++ {
			parent[i] = -1
			nHeap++
			heap[nHeap] = int32(i)
			up(nHeap)
		}
		for nHeap > 1 {
			n1 := heap[1]
			heap[1] = heap[nHeap]
			nHeap--
			down(1)
			n2 := heap[1]
			heap[1] = heap[nHeap]
			nHeap--
			down(1)
			nNodes++
			parent[n1], parent[n2] = int32(nNodes), int32(nNodes)
			w1, w2 := weight[n1], weight[n2]
			d1, d2 := w1&0xff, w2&0xff
			if d2 > d1 {
				d1 = d2
			}
			weight[nNodes] = (w1&^0xff + w2&^0xff) | (1 + d1)
			parent[nNodes] = -1
			nHeap++
			heap[nHeap] = int32(nNodes)
			up(nHeap)
		}
		tooLong := false
		for i := 1; i <= alpha; i++ {
			j := 0
			for k := i; parent[k] >= 0; k = int(parent[k]) {
				j++
			}
			length[i-1] = uint8(j)
			if j > maxLen {
				tooLong = true
			}
		}
		if !tooLong {
			return
		}
		for i := 1; i <= alpha; i++ {
			j := weight[i] >> 8
			weight[i] = (1 + j/2) << 8
		}
	}
}

// bzAssignCodes gives canonical codes: shortest lengths first, in symbol
// order within a length.
func bzAssignCodes(code []uint32, length []uint8) {
	minLen, maxLen := 32, 0
	for _, l := range length {
		if int(l) > maxLen {
			maxLen = int(l)
		}
		if int(l) < minLen {
			minLen = int(l)
		}
	}
	vec := uint32(0)
	for n := minLen; n <= maxLen; n++ {
		for i, l := range length {
			if int(l) == n {
				code[i] = vec
				vec++
			}
		}
		vec <<= 1
	}
}
