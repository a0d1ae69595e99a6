// This file writes lz4 frames the way the lz4 command-line tool (v1.9.x)
// does for `lz4 --no-frame-crc -B4 -5`, the command binman runs: 64 KiB
// independent blocks, each compressed by LZ4HC's hash-chain search with 16
// attempts (level 5), stored raw when that does not save at least one byte.
// Matching the tool byte for byte makes lz4-compressed entries identical to
// binman's. The match search and sequence choice are a Go rendering of the
// reference encoder's hash-chain mode (lib/lz4hc.c), whose licence follows:
//
//    LZ4 HC - High Compression Mode of LZ4
//    Copyright (C) 2011-2020, Yann Collet.
//
//    BSD 2-Clause License
//
//    Redistribution and use in source and binary forms, with or without
//    modification, are permitted provided that the following conditions are
//    met:
//
//    * Redistributions of source code must retain the above copyright
//    notice, this list of conditions and the following disclaimer.
//    * Redistributions in binary form must reproduce the above
//    copyright notice, this list of conditions and the following disclaimer
//    in the documentation and/or other materials provided with the
//    distribution.
//
//    THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
//    "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
//    LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
//    A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
//    OWNER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
//    SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
//    LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
//    DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
//    THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
//    (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
//    OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

package compress

import (
	"math/bits"
	"runtime"
	"sync"

	"github.com/rules-firmware/rules_firmware/tools/bigbuf"
)

const (
	lz4MinMatch     = 4
	lz4LastLiterals = 5
	lz4MFLimit      = 12
	lz4MinLength    = lz4MFLimit + 1
	lz4MLBits       = 4
	lz4MLMask       = 1<<lz4MLBits - 1
	lz4RunMask      = 1<<(8-lz4MLBits) - 1
	lz4OptimalML    = lz4MLMask - 1 + lz4MinMatch
	lz4DistanceMax  = 65535
	lz4HashLog      = 15
	lz4BlockSize    = 64 << 10
	// Positions are numbered from here, as a fresh LZ4HC context does, so
	// that index 0 in the hash table means "nothing yet".
	lz4IndexBase = 64 << 10
)

// lz4FrameHeader is the frame header for FLG 0x60 (version 1, independent
// blocks, no checksums, no content size) and BD 0x40 (64 KiB blocks); the
// last byte is the header checksum (xxHash32 of FLG and BD, second byte).
var lz4FrameHeader = []byte{0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82}

// lz4Attempts is the hash-chain search depth of level 5 (1 << (5-1)).
const lz4Attempts = 16

// LZ4HCFrame compresses data into an lz4 frame as the lz4 tool does with
// -5 -B4 --no-frame-crc, the command binman runs for lz4 entries. Blocks
// are independent, so on several cores they are compressed concurrently
// and appended in order; the bytes do not depend on the number of
// workers. The output is allocated once at its largest possible size
// (every block stored raw) and filled front to back, so only the pages it
// ends up using are ever touched, huge pages where the system has them.
func LZ4HCFrame(data []byte) []byte {
	nblocks := (len(data) + lz4BlockSize - 1) / lz4BlockSize
	out := bigbuf.Make(0, len(lz4FrameHeader)+4*nblocks+len(data)+4)
	out = append(out, lz4FrameHeader...)
	workers := runtime.GOMAXPROCS(0)
	if workers > nblocks {
		workers = nblocks
	}
	if workers <= 1 {
		c := lz4Finders.Get().(*lz4hc)
		for i := 0; i < nblocks; i++ {
			// Straight into place: the block's slot follows its size word.
			out = lz4AppendBlock(out, lz4Block(data, i), c.block(data, i, out[len(out)+4:len(out)+4]))
		}
		lz4Finders.Put(c)
	} else {
		lz4Parallel(data, nblocks, workers, func(block, comp []byte) { out = lz4AppendBlock(out, block, comp) })
	}
	return append(out, 0, 0, 0, 0) // end mark
}

// lz4AppendBlock appends a block's size word and data: comp when it is
// shorter than the block (it may already sit right after the size word,
// copy then moves nothing), else the block itself, flagged as stored.
func lz4AppendBlock(out, block, comp []byte) []byte {
	if comp == nil || len(comp) >= len(block) {
		return lz4AppendStored(out, block)
	}
	return lz4AppendPacked(out, comp)
}

// lz4AppendStored appends block's size word, flagged as stored, and block.
func lz4AppendStored(out, block []byte) []byte {
	out = append(out, byte(len(block)), byte(len(block)>>8), byte(len(block)>>16), byte(len(block)>>24)|0x80)
	return append(out, block...)
}

// lz4AppendPacked appends a compressed block's size word and bytes.
func lz4AppendPacked(out, comp []byte) []byte {
	out = append(out, byte(len(comp)), byte(len(comp)>>8), byte(len(comp)>>16), byte(len(comp)>>24))
	n := len(out)
	out = out[:n+len(comp)]
	if len(comp) > 0 && &out[n] != &comp[0] { // not compressed in place
		copy(out[n:], comp)
	}
	return out
}

// lz4Parallel compresses the blocks on workers goroutines, each with its
// own match finder, and hands them to emit in block order as they become
// ready, each in a pooled 64 KiB buffer.
func lz4Parallel(data []byte, nblocks, workers int, emit func(block, comp []byte)) {
	type result struct {
		buf  *[]byte
		comp []byte
	}
	results := make([]result, nblocks)
	lz4Ordered(nblocks, workers, func(c *lz4hc, i int) {
		r := &results[i]
		r.buf = lz4Scratch.Get().(*[]byte)
		r.comp = c.block(data, i, (*r.buf)[:0])
	}, func(i int) {
		r := &results[i]
		emit(lz4Block(data, i), r.comp)
		lz4Scratch.Put(r.buf)
		*r = result{}
	})
}

// lz4Ordered runs work(c, i) for the blocks 0..nblocks-1 on workers
// goroutines, each with its own match finder c, and calls done(i) in block
// order as each block is finished. At most a few blocks per worker are in
// flight, so the buffers work takes from a pool stay few.
func lz4Ordered(nblocks, workers int, work func(c *lz4hc, i int), done func(i int)) {
	finished := make([]chan struct{}, nblocks)
	for i := range finished {
		finished[i] = make(chan struct{})
	}
	window := make(chan struct{}, 4*workers)
	todo := make(chan int, 4*workers)
	go func() {
		for i := 0; i < nblocks; i++ {
			window <- struct{}{}
			todo <- i
		}
		close(todo)
	}()
	for w := 0; w < workers; w++ {
		go func() {
			c := lz4Finders.Get().(*lz4hc)
			defer lz4Finders.Put(c)
			for i := range todo {
				work(c, i)
				close(finished[i])
			}
		}()
	}
	for i := range finished {
		<-finished[i]
		done(i)
		<-window
	}
}

// lz4Scratch holds block-sized output buffers for lz4Parallel, cut from
// huge pages (a fresh 64 KiB buffer is 16 page faults).
var lz4Scratch = sync.Pool{New: func() interface{} {
	b := lz4ScratchRegion.Cut(lz4BlockSize)[:0]
	return &b
}}

var lz4ScratchRegion bigbuf.Region

// lz4Finders keeps match finders (about 320 KiB of tables each) across
// blocks and calls; a finder's tables never need clearing (see block).
var lz4Finders = sync.Pool{New: func() interface{} { return new(lz4hc) }}

// lz4Block is the i-th block of data.
func lz4Block(data []byte, i int) []byte {
	start, end := i*lz4BlockSize, (i+1)*lz4BlockSize
	if end > len(data) {
		end = len(data)
	}
	return data[start:end]
}

// lz4Window is a block and at least 8 bytes after it. The match finder
// reads it through uint16 positions (a block is at most 64 KiB), which
// lets the compiler drop the range checks of 2-, 4- and 8-byte loads;
// the bytes past the block are never used, only addressable.
const lz4WindowSize = lz4BlockSize + 8

type lz4Window = [lz4WindowSize]byte

// lz4hc is the match finder's state for one block. Positions are stored
// as indices: base plus the offset in the block. Each block gets a base
// past every index of the previous one, so entries left in the tables
// point below the block and end any chain search, exactly as an empty
// table would (the reference encoder reuses its tables the same way).
type lz4hc struct {
	src          *lz4Window // the block being compressed
	n            int        // its length
	copied       lz4Window  // the last block of an input, which has no 8 bytes after it
	hashTable    [1 << lz4HashLog]uint32
	chainTable   [1 << 16]uint16
	base         uint32 // index of src[0]
	nextToUpdate uint32
}

func lz4Hash(v uint32) uint32 { return (v * 2654435761) >> (32 - lz4HashLog) }

// insert adds every position before ip to the hash chains.
func (c *lz4hc) insert(ip int) {
	src, base := c.src, c.base
	hashTable, chainTable := &c.hashTable, &c.chainTable
	idx, end := c.nextToUpdate, base+uint32(ip)
	for ; idx < end; idx++ {
		h := lz4Hash(le32(src, uint16(idx-base)))
		delta := idx - hashTable[h]
		if delta > lz4DistanceMax {
			delta = lz4DistanceMax
		}
		chainTable[uint16(idx)] = uint16(delta)
		hashTable[h] = idx
	}
	c.nextToUpdate = idx
}

// lz4Count returns how many bytes from a and b are equal, a stopping at
// limit; eight bytes at a time while both fit (b < a always).
func lz4Count(src *lz4Window, a, b, limit int) int {
	start := a
	for a+8 <= limit {
		if x := le64(src, uint16(a)) ^ le64(src, uint16(b)); x != 0 {
			return a - start + bits.TrailingZeros64(x)>>3
		}
		a += 8
		b += 8
	}
	for a < limit && src[uint16(a)] == src[uint16(b)] {
		a++
		b++
	}
	return a - start
}

// scan is the main loop's search: from ip on, the first position up to
// mflimit with a match of lz4MinMatch or more (widerMatch without
// look-back), returned with the match's length and position; past mflimit
// it returns a length of 0. Each position is a hash-chain search of
// lz4Attempts candidates; the loop over positions, the chain insertion and
// the length count are written out here, as this is where the encoder
// spends most of its time, and Go keeps no registers across calls. The
// bytes that end the longest match so far lie inside the block (highLimit
// is 5 before its end), so no candidate needs a range check.
func (c *lz4hc) scan(ip, mflimit, highLimit int) (int, int, int) {
	src, base := c.src, c.base
	hashTable, chainTable := &c.hashTable, &c.chainTable
	idx := c.nextToUpdate
	// Insert every position before ip into the hash chains; from here on
	// each position is inserted right after its own search.
	for end := base + uint32(ip); idx < end; idx++ {
		h := lz4Hash(le32(src, uint16(idx-base)))
		delta := idx - hashTable[h]
		if delta > lz4DistanceMax {
			delta = lz4DistanceMax
		}
		chainTable[uint16(idx)] = uint16(delta)
		hashTable[h] = idx
	}
	if ip > mflimit {
		c.nextToUpdate = idx
		return ip, 0, 0
	}
	pattern := le32(src, uint16(ip))
	h := lz4Hash(pattern)
	head := hashTable[h]
	for {
		if idx == base+uint32(ip) {
			// ip and the positions after it that surely have no match
			// are settled (and inserted) in a loop of their own.
			if ip, pattern, h, head = c.scanMisses(ip, mflimit, pattern, h, head); ip > mflimit {
				idx = base + uint32(ip)
				break
			}
			idx = base + uint32(ip)
		}
		longest, matchPos := lz4MinMatch-1, -1
		want := uint16(pattern >> 16)
		matchIndex := head
		for attempts := lz4Attempts; matchIndex >= base && attempts > 0; attempts-- {
			m := int(matchIndex - base)
			matchIndex -= uint32(chainTable[uint16(matchIndex)])
			if le16(src, uint16(m+longest-1)) != want || le32(src, uint16(m)) != pattern {
				continue
			}
			// lz4Count from 4 bytes on.
			a, b := ip+lz4MinMatch, m+lz4MinMatch
			for a+8 <= highLimit {
				if x := le64(src, uint16(a)) ^ le64(src, uint16(b)); x != 0 {
					a += bits.TrailingZeros64(x) >> 3
					goto counted
				}
				a += 8
				b += 8
			}
			for a < highLimit && src[uint16(a)] == src[uint16(b)] {
				a++
				b++
			}
		counted:
			if length := a - ip; length > longest {
				longest, matchPos = length, m
				want = le16(src, uint16(ip+longest-1))
			}
		}
		if longest >= lz4MinMatch {
			c.nextToUpdate = idx
			return ip, longest, matchPos
		}
		// No match: insert ip now, with the hash and chain head just
		// looked up (nothing has changed the tables since).
		if idx == base+uint32(ip) {
			delta := idx - head
			if delta > lz4DistanceMax {
				delta = lz4DistanceMax
			}
			chainTable[uint16(idx)] = uint16(delta)
			hashTable[h&(1<<lz4HashLog-1)] = idx
			idx++
		}
		if ip++; ip > mflimit {
			break
		}
		pattern = le32(src, uint16(ip))
		h = lz4Hash(pattern)
		head = hashTable[h]
	}
	c.nextToUpdate = idx
	return ip, 0, 0
}

// scanMisses inserts ip and the positions after it, up to mflimit, while
// their searches surely find nothing: the first two candidates of their
// chain (if at or above base) differ in the first 4 bytes, and there is no
// third. This holds for most positions (94% of a firmware image's) and is
// decided without a branch per candidate, as such branches follow the data
// and are mispredicted about half the time. It returns the first position
// that needs a full search, with its pattern, hash and chain head (not yet
// inserted), or mflimit+1. Every position before ip must be inserted, and
// none from ip on. Indices are signed 64-bit here so that a chain, once
// below base, stays below it (deltas are at most 65535); a position
// outside the chain is still a valid uint16 window position, whose bytes
// are compared but never used.
func (c *lz4hc) scanMisses(ip, mflimit int, pattern, h, head uint32) (int, uint32, uint32, uint32) {
	src, base := c.src, c.base
	b := int64(base)
	for {
		// The next position's chain head is loaded first, so that its
		// table load overlaps this position's.
		nextPattern := le32(src, uint16(ip+1))
		nextH := lz4Hash(nextPattern)
		nextHead := c.hashTable[nextH]
		// A candidate below base is looked up at ip instead (its table
		// entry and bytes are in cache; the results are not used), as its
		// own would be a cache miss in a table the block does not use.
		cur := b + int64(ip)
		n0 := int64(head)
		v0 := (n0 - b) >> 63 // -1 if below base, else 0
		a0 := n0 ^ ((n0 ^ cur) & v0)
		n1 := n0 - int64(c.chainTable[uint16(a0)])
		v1 := (n1 - b) >> 63
		a1 := n1 ^ ((n1 ^ cur) & v1)
		n2 := n1 - int64(c.chainTable[uint16(a1)])
		d1 := uint64(le32(src, uint16(a0-b))^pattern) | uint64(v0)
		d2 := uint64(le32(src, uint16(a1-b))^pattern) | uint64(v1)
		// (x | -x) >> 63 is 1 when x is not 0.
		if ((d1|-d1)>>63)&((d2|-d2)>>63)&(uint64(n2-b)>>63) == 0 {
			return ip, pattern, h, head
		}
		idx := base + uint32(ip)
		delta := idx - head
		if delta > lz4DistanceMax {
			delta = lz4DistanceMax
		}
		c.chainTable[uint16(idx)] = uint16(delta)
		c.hashTable[h&(1<<lz4HashLog-1)] = idx
		if nextH == h {
			nextHead = idx
		}
		if ip++; ip > mflimit {
			return ip, 0, 0, 0
		}
		pattern, h, head = nextPattern, nextH, nextHead
	}
}

// widerMatch looks for a match at ip longer than longest, which may start
// up to ip-lowLimit bytes earlier; it returns the length and, if found,
// the match and start positions.
func (c *lz4hc) widerMatch(ip, lowLimit, highLimit, longest int) (int, int, int) {
	src, n := c.src, c.n
	matchPos, startPos := -1, ip
	lookBack := ip - lowLimit
	pattern := le32(src, uint16(ip))
	c.insert(ip)
	// A longer match must also hold the two bytes that end the current
	// longest one; candidates whose bytes there differ (or lie outside
	// the block) are skipped before anything else is compared.
	tail := lowLimit + longest - 1
	if uint(tail) > uint(n-2) {
		return longest, matchPos, startPos
	}
	want := le16(src, uint16(tail))
	// The candidate's bytes that line up with tail are at m+shift.
	shift := longest - 1 - lookBack
	// Blocks are at most 64 KiB, so every index from base is in reach.
	base, chainTable := c.base, &c.chainTable
	matchIndex := c.hashTable[lz4Hash(pattern)]
	for attempts := lz4Attempts; matchIndex >= base && attempts > 0; attempts-- {
		m := int(matchIndex - base)
		matchIndex -= uint32(chainTable[uint16(matchIndex)])
		j := m + shift
		if uint(j) > uint(n-2) || le16(src, uint16(j)) != want || le32(src, uint16(m)) != pattern {
			continue
		}
		back := 0
		if lookBack > 0 {
			min := lowLimit - ip
			if -m > min {
				min = -m
			}
			for back > min && src[uint16(ip+back-1)] == src[uint16(m+back-1)] {
				back--
			}
		}
		length := lz4MinMatch + lz4Count(src, ip+lz4MinMatch, m+lz4MinMatch, highLimit) - back
		if length > longest {
			longest = length
			matchPos = m + back
			startPos = ip + back
			tail = lowLimit + longest - 1
			if tail > n-2 {
				break
			}
			want = le16(src, uint16(tail))
			shift = longest - 1 - lookBack
		}
	}
	return longest, matchPos, startPos
}

// lz4Writer emits sequences into a buffer bounded like the reference
// encoder's limitedOutput mode: a block that would not fit in limit bytes
// (conservatively checked) is reported as incompressible.
type lz4Writer struct {
	out   []byte
	limit int
}

func (w *lz4Writer) sequence(src []byte, anchor, ip, matchLength, match int) bool {
	length := ip - anchor
	// The reference checks after reserving the token byte.
	if len(w.out)+1+length/255+length+2+1+lz4LastLiterals > w.limit {
		return false
	}
	token := len(w.out)
	w.out = append(w.out, 0)
	if length >= lz4RunMask {
		w.out[token] = lz4RunMask << lz4MLBits
		l := length - lz4RunMask
		for ; l >= 255; l -= 255 {
			w.out = append(w.out, 255)
		}
		w.out = append(w.out, byte(l))
	} else {
		w.out[token] = byte(length << lz4MLBits)
	}
	w.out = append(w.out, src[anchor:ip]...)
	w.out = append(w.out, byte(ip-match), byte((ip-match)>>8))
	length = matchLength - lz4MinMatch
	if len(w.out)+length/255+1+lz4LastLiterals > w.limit {
		return false
	}
	if length >= lz4MLMask {
		w.out[token] += lz4MLMask
		length -= lz4MLMask
		for ; length >= 510; length -= 510 {
			w.out = append(w.out, 255, 255)
		}
		if length >= 255 {
			length -= 255
			w.out = append(w.out, 255)
		}
		w.out = append(w.out, byte(length))
	} else {
		w.out[token] += byte(length)
	}
	return true
}

// block compresses data's i-th block with the hash-chain strategy,
// appending to out (which has room for the block), or returns nil when it
// would not fit in one byte less than the block. Each block starts from
// empty tables (independent blocks); the chain table needs no clearing, as
// an entry is always written before it is read.
func (c *lz4hc) block(data []byte, i int, out []byte) []byte {
	src := lz4Block(data, i)
	if start := i * lz4BlockSize; start+lz4WindowSize <= len(data) {
		c.src = (*lz4Window)(data[start : start+lz4WindowSize])
	} else {
		copy(c.copied[:], src)
		c.src = &c.copied
	}
	defer func() { c.src = nil }()
	return c.compress(src, out)
}

// copiedBlock is block for the first n bytes of c.copied, where a reader
// has put them (no copy).
func (c *lz4hc) copiedBlock(n int, out []byte) []byte {
	c.src = &c.copied
	defer func() { c.src = nil }()
	return c.compress(c.copied[:n], out)
}

// compress is block for src, which c.src holds.
func (c *lz4hc) compress(src, out []byte) []byte {
	// Start past every index the tables may hold (the previous block's
	// end, plus the longest distance, rounded up); clear them only when
	// the indices would overflow.
	next := c.nextToUpdate + uint32(c.n) + lz4IndexBase
	if c.base == 0 || next > 1<<30 {
		c.hashTable = [1 << lz4HashLog]uint32{}
		next = lz4IndexBase
	}
	c.base, c.nextToUpdate, c.n = next, next, len(src)
	w := &lz4Writer{out: out, limit: len(out) + len(src) - 1}
	iend := len(src)
	mflimit := iend - lz4MFLimit
	matchlimit := iend - lz4LastLiterals
	ip, anchor := 0, 0
	if len(src) >= lz4MinLength {
		var ml, ml0, ml2, ml3, ref, ref0, ref2, ref3, start0, start2, start3 int
	mainLoop:
		for ip <= mflimit {
			if ip, ml, ref = c.scan(ip, mflimit, matchlimit); ml < lz4MinMatch {
				break
			}
			start0, ref0, ml0 = ip, ref, ml
		search2:
			if ip+ml <= mflimit {
				ml2, ref2, start2 = c.widerMatch(ip+ml-2, ip, matchlimit, ml)
			} else {
				ml2 = ml
			}
			if ml2 == ml {
				if !w.sequence(src, anchor, ip, ml, ref) {
					return nil
				}
				ip += ml
				anchor = ip
				continue mainLoop
			}
			if start0 < ip && start2 < ip+ml0 {
				ip, ref, ml = start0, ref0, ml0
			}
			if start2-ip < 3 {
				ml, ip, ref = ml2, start2, ref2
				goto search2
			}
		search3:
			if start2-ip < lz4OptimalML {
				newML := ml
				if newML > lz4OptimalML {
					newML = lz4OptimalML
				}
				if ip+newML > start2+ml2-lz4MinMatch {
					newML = start2 - ip + ml2 - lz4MinMatch
				}
				if correction := newML - (start2 - ip); correction > 0 {
					start2 += correction
					ref2 += correction
					ml2 -= correction
				}
			}
			if start2+ml2 <= mflimit {
				ml3, ref3, start3 = c.widerMatch(start2+ml2-3, start2, matchlimit, ml2)
			} else {
				ml3 = ml2
			}
			if ml3 == ml2 {
				if start2 < ip+ml {
					ml = start2 - ip
				}
				if !w.sequence(src, anchor, ip, ml, ref) {
					return nil
				}
				ip += ml
				anchor = ip
				ip = start2
				if !w.sequence(src, anchor, ip, ml2, ref2) {
					return nil
				}
				ip += ml2
				anchor = ip
				continue mainLoop
			}
			if start3 < ip+ml+3 {
				if start3 >= ip+ml {
					if start2 < ip+ml {
						correction := ip + ml - start2
						start2 += correction
						ref2 += correction
						ml2 -= correction
						if ml2 < lz4MinMatch {
							start2, ref2, ml2 = start3, ref3, ml3
						}
					}
					if !w.sequence(src, anchor, ip, ml, ref) {
						return nil
					}
					ip += ml
					anchor = ip
					ip, ref, ml = start3, ref3, ml3
					start0, ref0, ml0 = start2, ref2, ml2
					goto search2
				}
				start2, ref2, ml2 = start3, ref3, ml3
				goto search3
			}
			if start2 < ip+ml {
				if start2-ip < lz4OptimalML {
					if ml > lz4OptimalML {
						ml = lz4OptimalML
					}
					if ip+ml > start2+ml2-lz4MinMatch {
						ml = start2 - ip + ml2 - lz4MinMatch
					}
					if correction := ml - (start2 - ip); correction > 0 {
						start2 += correction
						ref2 += correction
						ml2 -= correction
					}
				} else {
					ml = start2 - ip
				}
			}
			if !w.sequence(src, anchor, ip, ml, ref) {
				return nil
			}
			ip += ml
			anchor = ip
			ip, ref, ml = start2, ref2, ml2
			start2, ref2, ml2 = start3, ref3, ml3
			goto search3
		}
	}
	// Last literals.
	last := iend - anchor
	llAdd := (last + 255 - lz4RunMask) / 255
	if len(w.out)+1+llAdd+last > w.limit {
		return nil
	}
	if last >= lz4RunMask {
		w.out = append(w.out, lz4RunMask<<lz4MLBits)
		acc := last - lz4RunMask
		for ; acc >= 255; acc -= 255 {
			w.out = append(w.out, 255)
		}
		w.out = append(w.out, byte(acc))
	} else {
		w.out = append(w.out, byte(last<<lz4MLBits))
	}
	return append(w.out, src[anchor:]...)
}
