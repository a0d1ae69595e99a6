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
	"encoding/binary"
	"math/bits"
	"runtime"
	"sync"
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

// LZ4HCFrame compresses data into an lz4 frame as the lz4 tool does with
// -5 -B4 --no-frame-crc, the command binman runs for lz4 entries. Blocks are independent, so they are
// compressed concurrently, each worker with its own match finder, straight
// into the output: block i gets a slot where it would sit if every block
// before it were stored raw, and the slots are then closed up in order.
// The bytes do not depend on the number of workers, and no memory but the
// output is allocated per call.
func LZ4HCFrame(data []byte) []byte {
	nblocks := (len(data) + lz4BlockSize - 1) / lz4BlockSize
	slot := func(i int) int { return len(lz4FrameHeader) + i*(4+lz4BlockSize) }
	out := make([]byte, slot(nblocks)+4)
	copy(out, lz4FrameHeader)
	sizes := make([]int, nblocks) // compressed size, or 0: store raw
	lz4EachBlock(nblocks, func(i int) {
		c := lz4Finders.Get().(*lz4hc)
		block := lz4Block(data, i)
		c.out = out[slot(i)+4 : slot(i)+4 : slot(i)+4+len(block)]
		if comp := c.block(block); comp != nil && len(comp) < len(block) {
			sizes[i] = len(comp)
		}
		c.src, c.out = nil, nil
		lz4Finders.Put(c)
	})
	n := len(lz4FrameHeader)
	for i, size := range sizes {
		block := lz4Block(data, i)
		if size == 0 {
			binary.LittleEndian.PutUint32(out[n:], uint32(len(block))|0x80000000)
			n += 4 + copy(out[n+4:], block)
			continue
		}
		binary.LittleEndian.PutUint32(out[n:], uint32(size))
		n += 4 + copy(out[n+4:], out[slot(i)+4:slot(i)+4+size])
	}
	binary.LittleEndian.PutUint32(out[n:], 0)
	return out[:n+4]
}

// lz4EachBlock calls fn(i) for every block index on GOMAXPROCS workers,
// which take the next index as they finish one (blocks of padding take
// far less time than blocks of code).
func lz4EachBlock(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	wg.Add(workers)
	for ; workers > 0; workers-- {
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// lz4Finders keeps match finders (192 KiB of tables each) across blocks
// and calls; a finder's tables never need clearing (see block).
var lz4Finders = sync.Pool{New: func() interface{} { return &lz4hc{attempts: 16} }}

// lz4Block is the i-th block of data.
func lz4Block(data []byte, i int) []byte {
	start, end := i*lz4BlockSize, (i+1)*lz4BlockSize
	if end > len(data) {
		end = len(data)
	}
	return data[start:end]
}

// lz4hc is the match finder's state for one block. Positions are stored
// as indices: base plus the offset in the block. Each block gets a base
// past every index of the previous one, so entries left in the tables
// point below the block and end any chain search, exactly as an empty
// table would (the reference encoder reuses its tables the same way).
type lz4hc struct {
	src          []byte
	out          []byte // block output buffer
	hashTable    [1 << lz4HashLog]uint32
	chainTable   [1 << 16]uint16
	base         uint32 // index of src[0]
	nextToUpdate uint32
	attempts     int
}

func lz4Hash(v uint32) uint32 { return (v * 2654435761) >> (32 - lz4HashLog) }

// insert adds every position before ip to the hash chains.
func (c *lz4hc) insert(ip int) {
	src, base := c.src, c.base
	idx := c.nextToUpdate
	for pos := int(idx - base); pos < ip; pos++ {
		h := lz4Hash(binary.LittleEndian.Uint32(src[pos : pos+4]))
		delta := idx - c.hashTable[h]
		if delta > lz4DistanceMax {
			delta = lz4DistanceMax
		}
		c.chainTable[uint16(idx)] = uint16(delta)
		c.hashTable[h] = idx
		idx++
	}
	c.nextToUpdate = idx
}

// lz4Count returns how many bytes from a and b are equal, a stopping at
// limit; eight bytes at a time while both fit (b < a always).
func lz4Count(src []byte, a, b, limit int) int {
	n := 0
	for a+n+8 <= limit {
		if x := binary.LittleEndian.Uint64(src[a+n:]) ^ binary.LittleEndian.Uint64(src[b+n:]); x != 0 {
			return n + bits.TrailingZeros64(x)/8
		}
		n += 8
	}
	for a+n < limit && src[a+n] == src[b+n] {
		n++
	}
	return n
}

// firstMatch is widerMatch for the main loop's call: no look-back and
// any match of lz4MinMatch or more. It returns the length (below
// lz4MinMatch: none) and the match position. The bytes that end the
// longest match so far lie inside the block (highLimit is 5 before its
// end), so no candidate needs a range check.
func (c *lz4hc) firstMatch(ip, highLimit int) (int, int) {
	src := c.src
	pattern := binary.LittleEndian.Uint32(src[ip : ip+4])
	c.insert(ip)
	longest, matchPos := lz4MinMatch-1, -1
	want := uint16(pattern >> 16)
	lowest := c.base
	matchIndex := c.hashTable[lz4Hash(pattern)]
	for attempts := c.attempts; matchIndex >= lowest && attempts > 0; attempts-- {
		m := int(matchIndex - lowest)
		matchIndex -= uint32(c.chainTable[uint16(matchIndex)])
		j := m + longest - 1
		if binary.LittleEndian.Uint16(src[j:j+2]) != want || binary.LittleEndian.Uint32(src[m:m+4]) != pattern {
			continue
		}
		if length := lz4MinMatch + lz4Count(src, ip+lz4MinMatch, m+lz4MinMatch, highLimit); length > longest {
			longest, matchPos = length, m
			tail := ip + longest - 1
			want = binary.LittleEndian.Uint16(src[tail : tail+2])
		}
	}
	return longest, matchPos
}

// widerMatch looks for a match at ip longer than longest, which may start
// up to ip-lowLimit bytes earlier; it returns the length and, if found,
// the match and start positions.
func (c *lz4hc) widerMatch(ip, lowLimit, highLimit, longest int) (int, int, int) {
	src := c.src
	matchPos, startPos := -1, ip
	lookBack := ip - lowLimit
	pattern := binary.LittleEndian.Uint32(src[ip:])
	c.insert(ip)
	// A longer match must also hold the two bytes that end the current
	// longest one; candidates whose bytes there differ (or lie outside
	// the block) are skipped before anything else is compared.
	tail := lowLimit + longest - 1
	if uint(tail) > uint(len(src)-2) {
		return longest, matchPos, startPos
	}
	want := binary.LittleEndian.Uint16(src[tail : tail+2])
	// The candidate's bytes that line up with tail are at m+shift.
	shift := longest - 1 - lookBack
	// Blocks are at most 64 KiB, so every index from base is in reach.
	lowest := c.base
	matchIndex := c.hashTable[lz4Hash(pattern)]
	for attempts := c.attempts; matchIndex >= lowest && attempts > 0; attempts-- {
		m := int(matchIndex - lowest)
		matchIndex -= uint32(c.chainTable[uint16(matchIndex)])
		j := m + shift
		if uint(j) > uint(len(src)-2) || binary.LittleEndian.Uint16(src[j:j+2]) != want ||
			binary.LittleEndian.Uint32(src[m:m+4]) != pattern {
			continue
		}
		back := 0
		if lookBack > 0 {
			min := lowLimit - ip
			if -m > min {
				min = -m
			}
			for back > min && src[ip+back-1] == src[m+back-1] {
				back--
			}
		}
		length := lz4MinMatch + lz4Count(src, ip+lz4MinMatch, m+lz4MinMatch, highLimit) - back
		if length > longest {
			longest = length
			matchPos = m + back
			startPos = ip + back
			tail = lowLimit + longest - 1
			if tail > len(src)-2 {
				break
			}
			want = binary.LittleEndian.Uint16(src[tail : tail+2])
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

// block compresses one block with the hash-chain strategy, or returns nil
// when it would not fit in len(src)-1 bytes. Each block starts from empty
// tables (independent blocks); the chain table needs no clearing, as an
// entry is always written before it is read.
func (c *lz4hc) block(src []byte) []byte {
	// Start past every index the tables may hold (the previous block's
	// end, plus the longest distance, rounded up); clear them only when
	// the indices would overflow.
	next := c.nextToUpdate + uint32(len(c.src)) + lz4IndexBase
	if c.base == 0 || next > 1<<30 {
		c.hashTable = [1 << lz4HashLog]uint32{}
		next = lz4IndexBase
	}
	c.src, c.base, c.nextToUpdate = src, next, next
	w := &lz4Writer{out: c.out[:0], limit: len(src) - 1}
	iend := len(src)
	mflimit := iend - lz4MFLimit
	matchlimit := iend - lz4LastLiterals
	ip, anchor := 0, 0
	if len(src) >= lz4MinLength {
		var ml, ml0, ml2, ml3, ref, ref0, ref2, ref3, start0, start2, start3 int
	mainLoop:
		for ip <= mflimit {
			ml, ref = c.firstMatch(ip, matchlimit)
			if ml < lz4MinMatch {
				ip++
				continue
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
