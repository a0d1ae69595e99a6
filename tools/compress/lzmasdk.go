package compress

// An LZMA encoder that writes the same bytes as `lzma_alone e` from
// Igor Pavlov's LZMA SDK 9.22 (Debian's lzma-alone 9.22, what binman runs
// for compress = "lzma" and CBFS lzma files) in its normal mode (-a1):
// optimal parsing over up to 4096 positions with the SDK's price tables
// and their refresh cadence, and the BT4 binary-tree match finder
// (lzmasdk_bt4.go). LZMA decoders accept any valid stream, but images
// holding one only match binman's byte for byte with this exact encoder.
//
// Provenance: the algorithm follows C/LzmaEnc.c (2011-01-27) and
// C/LzFind.c (2009-04-22) of LZMA SDK 9.22 and the option handling of its
// CPP/7zip/Bundles/LzmaCon/LzmaAlone.cpp. The LZMA SDK is placed in the
// public domain by Igor Pavlov; this is a Go re-implementation of it.
//
// Only what lzma_alone uses is kept: BT4, normal mode, one thread, the
// size in the header and no end marker (lzma_alone's choice for files).

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// LZMAAloneOptions are lzma_alone's encoder switches.
type LZMAAloneOptions struct {
	LC, LP, PB int // -lc -lp -pb
	DictLog    int // -d: dictionary (match window) of 1<<DictLog bytes
	FastBytes  int // -fb: 0 means lzma_alone's default, 128
}

// BinmanLZMA is `lzma_alone e IN OUT -lc1 -lp0 -pb0 -d8`, binman's
// command line (btool/lzma_alone.py): a 256-byte window.
var BinmanLZMA = LZMAAloneOptions{LC: 1, LP: 0, PB: 0, DictLog: 8}

// LZMAAlone compresses data into the .lzma format exactly as lzma_alone
// 9.22 does with options o: the properties byte, the dictionary size
// rounded up to 2^n or 3*2^n (at least 4 KiB, as the SDK writes it), the
// 64-bit uncompressed size, then the LZMA stream.
func LZMAAlone(data []byte, o LZMAAloneOptions) ([]byte, error) {
	if o.LC < 0 || o.LC > 8 || o.LP < 0 || o.LP > 4 || o.PB < 0 || o.PB > 4 {
		return nil, fmt.Errorf("lzma: lc %d, lp %d, pb %d out of range (0-8, 0-4, 0-4)", o.LC, o.LP, o.PB)
	}
	// Below 2^8 the SDK's distance price table would read slots it never
	// filled; above 2^27 the window costs more memory than a build should.
	if o.DictLog < 8 || o.DictLog > 27 {
		return nil, fmt.Errorf("lzma: dictionary 2^%d out of range (2^8 to 2^27)", o.DictLog)
	}
	fb := o.FastBytes
	if fb == 0 {
		fb = 128
	}
	if fb < 5 {
		fb = 5
	}
	if fb > lzmaMatchMax {
		fb = lzmaMatchMax
	}
	// Positions are 32-bit in the SDK; it renormalises them near 4 GiB,
	// which inputs here never reach.
	if int64(len(data)) > 1<<31 {
		return nil, fmt.Errorf("lzma: %d bytes is more than this encoder takes (2 GiB)", len(data))
	}
	dictSize := uint32(1) << uint(o.DictLog)
	out := make([]byte, 13, 13+len(data)/2+64)
	out[0] = byte((o.PB*5+o.LP)*9 + o.LC)
	binary.LittleEndian.PutUint32(out[1:], headerDictSize(dictSize))
	binary.LittleEndian.PutUint64(out[5:], uint64(len(data)))
	e := newLZMASDKEncoder(data, o, dictSize, uint32(fb))
	e.rc.init(out)
	e.encode()
	return e.rc.out, nil
}

// headerDictSize is LzmaEnc_WriteProperties's rounding.
func headerDictSize(d uint32) uint32 {
	for i := uint(11); i <= 30; i++ {
		if d <= 2<<i {
			return 2 << i
		}
		if d <= 3<<i {
			return 3 << i
		}
	}
	return d
}

const (
	lzmaStates        = 12
	lzmaReps          = 4
	lenToPosStates    = 4
	posSlotBits       = 6
	alignBits         = 4
	alignSize         = 1 << alignBits
	startPosModel     = 4
	endPosModel       = 14
	fullDistances     = 1 << (endPosModel >> 1)
	lzmaOpts          = 1 << 12
	lzmaInfinityPrice = 1 << 30
)

var (
	literalNextState  = [lzmaStates]uint32{0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 4, 5}
	matchNextState    = [lzmaStates]uint32{7, 7, 7, 7, 7, 7, 7, 10, 10, 10, 10, 10}
	repNextState      = [lzmaStates]uint32{8, 8, 8, 8, 8, 8, 8, 11, 11, 11, 11, 11}
	shortRepNextState = [lzmaStates]uint32{9, 9, 9, 9, 9, 9, 9, 11, 11, 11, 11, 11}
)

func isCharState(s uint32) bool { return s < 7 }

func lenToPosState(l uint32) uint32 {
	if l < lenToPosStates+1 {
		return l - 2
	}
	return lenToPosStates - 1
}

// posSlot is the distance's slot: 2*floor(log2) plus the next bit (the
// SDK's g_FastPos table computes the same).
func posSlot(dist uint32) uint32 {
	if dist < 4 {
		return dist
	}
	n := uint32(bits.Len32(dist)) - 1
	return n<<1 | (dist>>(n-1))&1
}

// optimal is one node of the optimal parser (the SDK's COptimal).
type optimal struct {
	price       uint32
	state       uint32
	prev1IsChar bool
	prev2       bool
	posPrev2    uint32
	backPrev2   uint32
	posPrev     uint32
	backPrev    uint32
	backs       [lzmaReps]uint32
}

func (o *optimal) makeAsChar()      { o.backPrev, o.prev1IsChar = ^uint32(0), false }
func (o *optimal) makeAsShortRep()  { o.backPrev, o.prev1IsChar = 0, false }
func (o *optimal) isShortRep() bool { return o.backPrev == 0 }

type lzmaSDKEncoder struct {
	data             []byte
	mf               *bt4
	rc               rangeEncoder
	lc               uint32
	lpMask, pbMask   uint32
	fastBytes        uint32
	state            uint32
	reps             [lzmaReps]uint32
	additionalOffset uint32

	isMatch    [lzmaStates][lzmaPosStates]lzmaProb
	isRep      [lzmaStates]lzmaProb
	isRepG0    [lzmaStates]lzmaProb
	isRepG1    [lzmaStates]lzmaProb
	isRepG2    [lzmaStates]lzmaProb
	isRep0Long [lzmaStates][lzmaPosStates]lzmaProb
	posSlots   [lenToPosStates][1 << posSlotBits]lzmaProb
	// posCoders[1:] are the SDK's posEncoders: the extra leading entry
	// lets reverse trees start at index base-slot (the SDK's base-slot-1
	// plus its 1-based tree index).
	posCoders [1 + fullDistances - endPosModel]lzmaProb
	posAlign  [alignSize]lzmaProb
	lenEnc    lenEncoder
	repLenEnc lenEncoder
	literals  []lzmaProb

	distTableSize   uint32
	posSlotPrices   [lenToPosStates][64]uint32
	distancesPrices [lenToPosStates][fullDistances]uint32
	alignPrices     [alignSize]uint32
	alignPriceCount uint32
	matchPriceCount uint32

	opt                 [lzmaOpts]optimal
	optimumEndIndex     uint32
	optimumCurrentIndex uint32
	longestMatchLength  uint32
	numPairs            uint32
	numAvail            uint32
	matches             []uint32
}

func newLZMASDKEncoder(data []byte, o LZMAAloneOptions, dictSize, fb uint32) *lzmaSDKEncoder {
	e := &lzmaSDKEncoder{
		data:      data,
		mf:        newBT4(data, dictSize, fb, 16+fb/2),
		lc:        uint32(o.LC),
		lpMask:    1<<uint(o.LP) - 1,
		pbMask:    1<<uint(o.PB) - 1,
		fastBytes: fb,
		literals:  make([]lzmaProb, 0x300<<uint(o.LC+o.LP)),
		matches:   make([]uint32, 0, lzmaMatchMax*2+3),
	}
	for e.distTableSize = 0; e.distTableSize < 31; e.distTableSize++ {
		if dictSize <= 1<<e.distTableSize {
			break
		}
	}
	e.distTableSize *= 2
	for i := range e.isMatch {
		initProbs(e.isMatch[i][:])
		initProbs(e.isRep0Long[i][:])
	}
	for _, p := range [][]lzmaProb{e.isRep[:], e.isRepG0[:], e.isRepG1[:], e.isRepG2[:], e.posCoders[:], e.posAlign[:], e.literals} {
		initProbs(p)
	}
	for i := range e.posSlots {
		initProbs(e.posSlots[i][:])
	}
	e.lenEnc.init()
	e.repLenEnc.init()
	e.fillDistancesPrices()
	e.fillAlignPrices()
	for _, l := range []*lenEncoder{&e.lenEnc, &e.repLenEnc} {
		l.tableSize = fb + 1 - lzmaMatchMin
		for ps := uint32(0); ps <= e.pbMask; ps++ {
			l.updatePrices(ps)
		}
	}
	return e
}

// litProbs is the literal coder for position pos after byte prev.
func (e *lzmaSDKEncoder) litProbs(pos uint32, prev byte) []lzmaProb {
	i := ((pos&e.lpMask)<<e.lc + uint32(prev)>>(8-e.lc)) * 0x300
	return e.literals[i : i+0x300]
}

func (e *lzmaSDKEncoder) fillAlignPrices() {
	for i := uint32(0); i < alignSize; i++ {
		e.alignPrices[i] = reverseTreePrice(e.posAlign[:], alignBits, i)
	}
	e.alignPriceCount = 0
}

func (e *lzmaSDKEncoder) fillDistancesPrices() {
	var tempPrices [fullDistances]uint32
	for i := uint32(startPosModel); i < fullDistances; i++ {
		slot := posSlot(i)
		footerBits := slot>>1 - 1
		base := (2 | slot&1) << footerBits
		tempPrices[i] = reverseTreePrice(e.posCoders[base-slot:], int(footerBits), i-base)
	}
	for lps := 0; lps < lenToPosStates; lps++ {
		prices := &e.posSlotPrices[lps]
		for slot := uint32(0); slot < e.distTableSize; slot++ {
			prices[slot] = treePrice(e.posSlots[lps][:], posSlotBits, slot)
		}
		for slot := uint32(endPosModel); slot < e.distTableSize; slot++ {
			prices[slot] += (slot>>1 - 1 - alignBits) << lzmaPriceBits
		}
		dist := &e.distancesPrices[lps]
		for i := uint32(0); i < fullDistances; i++ {
			dist[i] = prices[posSlot(i)]
			if i >= startPosModel {
				dist[i] += tempPrices[i]
			}
		}
	}
	e.matchPriceCount = 0
}

// readMatchDistances runs the match finder at the next position and
// returns the longest length, extended past fastBytes up to 273 by
// direct comparison (the tree stops at fastBytes).
func (e *lzmaSDKEncoder) readMatchDistances() (lenRes, numPairs uint32) {
	e.numAvail = e.mf.avail()
	e.matches = e.mf.getMatches(e.matches)
	numPairs = uint32(len(e.matches))
	if numPairs > 0 {
		lenRes = e.matches[numPairs-2]
		if lenRes == e.fastBytes {
			cur := e.mf.idx - 1
			back := cur - int(e.matches[numPairs-1]+1)
			limit := e.numAvail
			if limit > lzmaMatchMax {
				limit = lzmaMatchMax
			}
			for lenRes < limit && e.data[cur+int(lenRes)] == e.data[back+int(lenRes)] {
				lenRes++
			}
		}
	}
	e.additionalOffset++
	return lenRes, numPairs
}

func (e *lzmaSDKEncoder) movePos(num uint32) {
	if num != 0 {
		e.additionalOffset += num
		e.mf.skip(num)
	}
}

// encode is LzmaEnc_CodeOneBlock run to the end of the input: the first
// byte is always a literal, then each step codes what the optimal parser
// chose, refreshing the distance prices every 128 matches and the align
// prices every 16 aligned distances.
func (e *lzmaSDKEncoder) encode() {
	n := uint32(len(e.data))
	if n == 0 {
		e.rc.flush()
		return
	}
	e.readMatchDistances()
	e.rc.encodeBit(&e.isMatch[e.state][0], 0)
	e.state = literalNextState[e.state]
	e.rc.encodeLiteral(e.literals, uint32(e.data[0]))
	e.additionalOffset--
	nowPos := uint32(1)
	for nowPos < n || e.additionalOffset != 0 {
		length, back := e.getOptimum(nowPos)
		e.encodeChoice(nowPos, length, back)
		e.additionalOffset -= length
		nowPos += length
		if e.additionalOffset == 0 {
			if e.matchPriceCount >= 1<<7 {
				e.fillDistancesPrices()
			}
			if e.alignPriceCount >= alignSize {
				e.fillAlignPrices()
			}
		}
	}
	e.rc.flush()
}

// encodeChoice codes a literal (back == ^0, length 1), a short rep
// (back 0, length 1), a rep match (back < 4) or a new match at distance
// back-4+1.
func (e *lzmaSDKEncoder) encodeChoice(nowPos, length, back uint32) {
	posState := nowPos & e.pbMask
	if length == 1 && back == ^uint32(0) {
		e.encodeLiteralAt(nowPos, posState)
		return
	}
	e.rc.encodeBit(&e.isMatch[e.state][posState], 1)
	if back < lzmaReps {
		e.encodeRep(back, length, posState)
		return
	}
	e.rc.encodeBit(&e.isRep[e.state], 0)
	e.state = matchNextState[e.state]
	e.lenEnc.encode(&e.rc, length-lzmaMatchMin, posState)
	dist := back - lzmaReps
	e.encodeDistance(dist, length)
	e.reps[3], e.reps[2], e.reps[1], e.reps[0] = e.reps[2], e.reps[1], e.reps[0], dist
	e.matchPriceCount++
}

func (e *lzmaSDKEncoder) encodeLiteralAt(nowPos, posState uint32) {
	e.rc.encodeBit(&e.isMatch[e.state][posState], 0)
	cur := e.mf.idx - int(e.additionalOffset)
	probs := e.litProbs(nowPos, e.data[cur-1])
	if isCharState(e.state) {
		e.rc.encodeLiteral(probs, uint32(e.data[cur]))
	} else {
		e.rc.encodeMatchedLiteral(probs, uint32(e.data[cur]), uint32(e.data[cur-int(e.reps[0])-1]))
	}
	e.state = literalNextState[e.state]
}

func (e *lzmaSDKEncoder) encodeRep(rep, length, posState uint32) {
	e.rc.encodeBit(&e.isRep[e.state], 1)
	if rep == 0 {
		e.rc.encodeBit(&e.isRepG0[e.state], 0)
		long := uint32(1)
		if length == 1 {
			long = 0
		}
		e.rc.encodeBit(&e.isRep0Long[e.state][posState], long)
	} else {
		dist := e.reps[rep]
		e.rc.encodeBit(&e.isRepG0[e.state], 1)
		if rep == 1 {
			e.rc.encodeBit(&e.isRepG1[e.state], 0)
		} else {
			e.rc.encodeBit(&e.isRepG1[e.state], 1)
			e.rc.encodeBit(&e.isRepG2[e.state], rep-2)
			if rep == 3 {
				e.reps[3] = e.reps[2]
			}
			e.reps[2] = e.reps[1]
		}
		e.reps[1] = e.reps[0]
		e.reps[0] = dist
	}
	if length == 1 {
		e.state = shortRepNextState[e.state]
		return
	}
	e.repLenEnc.encode(&e.rc, length-lzmaMatchMin, posState)
	e.state = repNextState[e.state]
}

func (e *lzmaSDKEncoder) encodeDistance(dist, length uint32) {
	slot := posSlot(dist)
	e.rc.encodeTree(e.posSlots[lenToPosState(length)][:], posSlotBits, slot)
	if slot < startPosModel {
		return
	}
	footerBits := slot>>1 - 1
	base := (2 | slot&1) << footerBits
	reduced := dist - base
	if slot < endPosModel {
		e.rc.encodeReverseTree(e.posCoders[base-slot:], int(footerBits), reduced)
		return
	}
	e.rc.encodeDirect(reduced>>alignBits, int(footerBits-alignBits))
	e.rc.encodeReverseTree(e.posAlign[:], alignBits, reduced&(alignSize-1))
	e.alignPriceCount++
}
