// The block sorts below (bzFallbackSort, bzMainSort and their helpers)
// follow bzip2 1.0.8's blocksort.c step for step, re-expressed in Go, so
// that equal rotations land in the same order and the origin pointer comes
// out as bzip2's does; they are altered from the original (Go, our names,
// our comments, one work-array allocation) and are not the original
// software. bzip2's licence, whose conditions apply to that derived code,
// follows:
//
// Copyright (C) 1996-2010 Julian R Seward. All rights reserved.
//
// Redistribution and use in source and binary forms, with or without
// modification, are permitted provided that the following conditions
// are met:
//
// 1. Redistributions of source code must retain the above copyright
//    notice, this list of conditions and the following disclaimer.
//
// 2. The origin of this software must not be misrepresented; you must
//    not claim that you wrote the original software.  If you use this
//    software in a product, an acknowledgment in the product
//    documentation would be appreciated but is not required.
//
// 3. Altered source versions must be plainly marked as such, and must
//    not be misrepresented as being the original software.
//
// 4. The name of the author may not be used to endorse or promote
//    products derived from this software without specific prior written
//    permission.
//
// THIS SOFTWARE IS PROVIDED BY THE AUTHOR ``AS IS'' AND ANY EXPRESS
// OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
// WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
// ARE DISCLAIMED.  IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR ANY
// DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
// DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE
// GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS
// INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY,
// WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING
// NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS
// SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

package compress

import (
	"unsafe"

	"github.com/rules-firmware/rules_firmware/tools/bigbuf"
)

// The block sort of bzip2 1.0.8, kept step for step where the order of
// equal rotations can show. A block that repeats a shorter string has
// rotations that are equal; the transform (the last column) is the same
// in any order, but the origin pointer (where rotation 0 lands among its
// equals) is whatever bzip2's algorithms leave there. bzip2 sorts blocks
// under 10000 bytes with its doubling sort (bzFallbackSort), larger ones
// with its bucket + multikey quicksort (bzMainSort) under a work budget,
// falling back to the doubling sort when the budget runs out. Primitive
// blocks (all rotations distinct) have one sorted order; bwtSort
// (bzip2enc_bwt.go) takes the fast path for those.

// bzOvershoot is how far past the block the main sort reads (its
// comparisons run up to 34 bytes ahead before wrapping): the block and
// the quadrant array carry a copy of their first bytes there.
const bzOvershoot = 34

// bzRefSort sorts the rotations of block[:n] into ptr as bzip2 does and
// returns the origin pointer. block must have room for n+bzOvershoot bytes.
func (e *bzEncoder) bzRefSort(block []byte, n int, ptr []int32) int {
	if n < 10000 {
		e.bzFallbackSort(block, n, ptr)
	} else {
		// bzip2's default work factor 30: a budget of 9 per byte.
		budget := int32(n * 9)
		e.ensure(n)
		if !bzMainSort(ptr, block, e.quadrant, e.ftab, n, &budget) {
			e.bzFallbackSort(block, n, ptr)
		}
	}
	for i := 0; i < n; i++ {
		if ptr[i] == 0 {
			return i
		}
	}
	panic("bzip2: rotation 0 missing from the sorted block")
}

// ensure sizes the work arrays for blocks of up to n bytes. The large
// ones share one allocation on huge pages: a 900k block needs about 8 MB
// of them, 2000 page faults on ordinary pages.
func (e *bzEncoder) ensure(n int) {
	if len(e.ptr) >= n {
		return
	}
	nq := n + bzFastOvershoot
	size := 8*n + 4*n + 4*65537 + 2*nq + 2*(n+1) + n
	a := bigbuf.Make(size, size)
	off := 0
	e.keys = unsafe.Slice((*uint64)(unsafe.Pointer(&a[off])), n)
	off += 8 * n
	e.ptr = unsafe.Slice((*int32)(unsafe.Pointer(&a[off])), n)
	off += 4 * n
	e.ftab = unsafe.Slice((*uint32)(unsafe.Pointer(&a[off])), 65537)
	off += 4 * 65537
	e.quadrant = unsafe.Slice((*uint16)(unsafe.Pointer(&a[off])), nq)
	off += 2 * nq
	e.mtfv = unsafe.Slice((*uint16)(unsafe.Pointer(&a[off])), n+1)
	off += 2 * (n + 1)
	e.last = a[off : off+n]
}

// ---- doubling sort (bzip2's "fallback" sort) ----

// bzFallbackSort orders the rotations by prefix doubling: rotations are
// first grouped by their first byte, then every group is split by the
// group of the rotation H bytes further on, H doubling each pass. Group
// boundaries are one bit per position (bh).
func (e *bzEncoder) bzFallbackSort(block []byte, n int, fmap []int32) {
	if cap(e.eclass) < n {
		e.eclass = make([]int32, n)
	}
	eclass := e.eclass[:n]
	nbh := 2 + (n+64)/32
	if cap(e.bhtab) < nbh {
		e.bhtab = make([]uint32, nbh)
	}
	bh := e.bhtab[:nbh]
	for i := range bh {
		bh[i] = 0
	}
	set := func(i int) { bh[i>>5] |= 1 << uint(i&31) }
	isSet := func(i int) bool { return bh[i>>5]&(1<<uint(i&31)) != 0 }

	// Counting sort by the first byte; within a byte, positions go in
	// descending order (bzip2 fills each bucket from its end).
	var ftab [257]int
	for i := 0; i < n; i++ {
		ftab[block[i]]++
	}
	for i := 1; i < 257; i++ {
		ftab[i] += ftab[i-1]
	}
	for i := 0; i < n; i++ {
		c := block[i]
		ftab[c]--
		fmap[ftab[c]] = int32(i)
	}
	for i := 0; i < 256; i++ {
		set(ftab[i])
	}
	// Alternating marks past the end stop the bucket scans below.
	for i := 0; i < 32; i++ {
		set(n + 2*i)
		bh[(n+2*i+1)>>5] &^= 1 << uint((n+2*i+1)&31)
	}

	for h := 1; ; h *= 2 {
		j := 0
		for i := 0; i < n; i++ {
			if isSet(i) {
				j = i
			}
			k := int(fmap[i]) - h
			if k < 0 {
				k += n
			}
			eclass[k] = int32(j)
		}
		notDone := 0
		r := -1
		for {
			// Next group of more than one position: [l, r].
			k := r + 1
			for isSet(k) && k&31 != 0 {
				k++
			}
			if isSet(k) {
				for bh[k>>5] == 0xffffffff {
					k += 32
				}
				for isSet(k) {
					k++
				}
			}
			l := k - 1
			if l >= n {
				break
			}
			for !isSet(k) && k&31 != 0 {
				k++
			}
			if !isSet(k) {
				for bh[k>>5] == 0 {
					k += 32
				}
				for !isSet(k) {
					k++
				}
			}
			r = k - 1
			if r >= n {
				break
			}
			if r > l {
				notDone += r - l + 1
				bzFallbackQSort3(fmap, eclass, l, r)
				cc := int32(-1)
				for i := l; i <= r; i++ {
					if c := eclass[fmap[i]]; c != cc {
						set(i)
						cc = c
					}
				}
			}
		}
		if 2*h > n || notDone == 0 {
			break
		}
	}
}

// bzFallbackSimpleSort: insertion sort of fmap[lo..hi] by eclass, first
// with stride 4 then 1, as bzip2's (the order of equal keys depends on it).
func bzFallbackSimpleSort(fmap, eclass []int32, lo, hi int) {
	if lo == hi {
		return
	}
	if hi-lo > 3 {
		for i := hi - 4; i >= lo; i-- {
			tmp := fmap[i]
			ec := eclass[tmp]
			j := i + 4
			for ; j <= hi && ec > eclass[fmap[j]]; j += 4 {
				fmap[j-4] = fmap[j]
			}
			fmap[j-4] = tmp
		}
	}
	for i := hi - 1; i >= lo; i-- {
		tmp := fmap[i]
		ec := eclass[tmp]
		j := i + 1
		for ; j <= hi && ec > eclass[fmap[j]]; j++ {
			fmap[j-1] = fmap[j]
		}
		fmap[j-1] = tmp
	}
}

// bzFallbackQSort3 is a three-way quicksort of fmap[loSt..hiSt] by eclass
// with bzip2's pseudo-random pivot choice (first, middle or last by a
// linear congruential sequence restarted per call).
func bzFallbackQSort3(fmap, eclass []int32, loSt, hiSt int) {
	type span struct{ lo, hi int }
	stack := make([]span, 0, 32)
	stack = append(stack, span{loSt, hiSt})
	var r uint32
	for len(stack) > 0 {
		lo, hi := stack[len(stack)-1].lo, stack[len(stack)-1].hi
		stack = stack[:len(stack)-1]
		if hi-lo < 10 {
			bzFallbackSimpleSort(fmap, eclass, lo, hi)
			continue
		}
		r = (r*7621 + 1) % 32768
		var med int32
		switch r % 3 {
		case 0:
			med = eclass[fmap[lo]]
		case 1:
			med = eclass[fmap[(lo+hi)>>1]]
		default:
			med = eclass[fmap[hi]]
		}
		unLo, ltLo, unHi, gtHi := lo, lo, hi, hi
		for {
			for unLo <= unHi {
				c := eclass[fmap[unLo]]
				if c == med {
					fmap[unLo], fmap[ltLo] = fmap[ltLo], fmap[unLo]
					ltLo++
					unLo++
					continue
				}
				if c > med {
					break
				}
				unLo++
			}
			for unLo <= unHi {
				c := eclass[fmap[unHi]]
				if c == med {
					fmap[unHi], fmap[gtHi] = fmap[gtHi], fmap[unHi]
					gtHi--
					unHi--
					continue
				}
				if c < med {
					break
				}
				unHi--
			}
			if unLo > unHi {
				break
			}
			fmap[unLo], fmap[unHi] = fmap[unHi], fmap[unLo]
			unLo++
			unHi--
		}
		if gtHi < ltLo {
			continue
		}
		m := ltLo - lo
		if unLo-ltLo < m {
			m = unLo - ltLo
		}
		swapRun32(fmap, lo, unLo-m, m)
		m = hi - gtHi
		if gtHi-unHi < m {
			m = gtHi - unHi
		}
		swapRun32(fmap, unLo, hi-m+1, m)
		nEnd := lo + unLo - ltLo - 1
		mStart := hi - (gtHi - unHi) + 1
		if nEnd-lo > hi-mStart {
			stack = append(stack, span{lo, nEnd}, span{mStart, hi})
		} else {
			stack = append(stack, span{mStart, hi}, span{lo, nEnd})
		}
	}
}

func swapRun32(p []int32, a, b, n int) {
	for ; n > 0; n-- {
		p[a], p[b] = p[b], p[a]
		a++
		b++
	}
}

// ---- bucket + multikey quicksort (bzip2's "main" sort) ----

// bzDeriveBuckets: once big bucket [ss] (rotations starting with byte
// ss) is sorted, the rotations one byte earlier, [x, ss] for every x not
// finished yet, come in the same order: one scan forwards fills each
// [x, ss] from its start up to [ss, ss], one backwards from its end down
// past it ([ss, ss] itself gets filled on the way). All [x, ss] are then
// marked sorted.
func bzDeriveBuckets(ptr []int32, block []byte, ftab []uint32, n, ss int, bigDone *[256]bool) {
	var copyStart, copyEnd [256]int
	for j := 0; j <= 255; j++ {
		copyStart[j] = int(ftab[j<<8+ss] &^ bzSetMask)
		copyEnd[j] = int(ftab[j<<8+ss+1]&^bzSetMask) - 1
	}
	for j := int(ftab[ss<<8] &^ bzSetMask); j < copyStart[ss]; j++ {
		k := int(ptr[j]) - 1
		if k < 0 {
			k += n
		}
		c := block[k]
		if !bigDone[c] {
			ptr[copyStart[c]] = int32(k)
			copyStart[c]++
		}
	}
	for j := int(ftab[(ss+1)<<8]&^bzSetMask) - 1; j > copyEnd[ss]; j-- {
		k := int(ptr[j]) - 1
		if k < 0 {
			k += n
		}
		c := block[k]
		if !bigDone[c] {
			ptr[copyEnd[c]] = int32(k)
			copyEnd[c]--
		}
	}
	for j := 0; j <= 255; j++ {
		ftab[j<<8+ss] |= bzSetMask
	}
}

const bzSetMask = 1 << 21

// bzGtU reports whether the rotation at i1 sorts after the one at i2,
// comparing bytes and then, past 12 bytes, the quadrant ranks bzip2
// records for finished buckets. Each 8 bytes compared past that cost one
// unit of budget; equal rotations compare the whole block.
func bzGtU(i1, i2 int, block []byte, quadrant []uint16, n int, budget *int32) bool {
	for t := 0; t < 12; t++ {
		if c1, c2 := block[i1], block[i2]; c1 != c2 {
			return c1 > c2
		}
		i1++
		i2++
	}
	for k := n + 8; k >= 0; k -= 8 {
		for t := 0; t < 8; t++ {
			if c1, c2 := block[i1], block[i2]; c1 != c2 {
				return c1 > c2
			}
			if s1, s2 := quadrant[i1], quadrant[i2]; s1 != s2 {
				return s1 > s2
			}
			i1++
			i2++
		}
		if i1 >= n {
			i1 -= n
		}
		if i2 >= n {
			i2 -= n
		}
		*budget--
	}
	return false
}

// Shell sort gaps (Knuth's 3h+1).
var bzIncs = [...]int{1, 4, 13, 40, 121, 364, 1093, 3280, 9841, 29524, 88573, 265720, 797161, 2391484}

// bzSimpleSort shell-sorts ptr[lo..hi] comparing from depth d; it stops
// early once the budget is spent (the caller then gives up the main sort).
func bzSimpleSort(ptr []int32, block []byte, quadrant []uint16, n, lo, hi, d int, budget *int32) {
	bigN := hi - lo + 1
	if bigN < 2 {
		return
	}
	hp := 0
	for bzIncs[hp] < bigN {
		hp++
	}
	for hp--; hp >= 0; hp-- {
		h := bzIncs[hp]
		i := lo + h
		for {
			// bzip2 checks the budget after every third insertion.
			for c := 0; c < 3; c++ {
				if i > hi {
					break
				}
				v := ptr[i]
				j := i
				for bzGtU(int(ptr[j-h])+d, int(v)+d, block, quadrant, n, budget) {
					ptr[j] = ptr[j-h]
					j -= h
					if j <= lo+h-1 {
						break
					}
				}
				ptr[j] = v
				i++
			}
			if i > hi {
				break
			}
			if *budget < 0 {
				return
			}
		}
	}
}

func bzMed3(a, b, c byte) byte {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
		if a > b {
			b = a
		}
	}
	return b
}

// bzQSort3 is the multikey (three-way radix) quicksort of ptr[loSt..hiSt]
// from depth dSt; small or deep ranges go to the shell sort.
func bzQSort3(ptr []int32, block []byte, quadrant []uint16, n, loSt, hiSt, dSt int, budget *int32) {
	type span struct{ lo, hi, d int }
	stack := make([]span, 0, 64)
	stack = append(stack, span{loSt, hiSt, dSt})
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		lo, hi, d := top.lo, top.hi, top.d
		if hi-lo < 20 || d > 14 {
			bzSimpleSort(ptr, block, quadrant, n, lo, hi, d, budget)
			if *budget < 0 {
				return
			}
			continue
		}
		med := int(bzMed3(block[int(ptr[lo])+d], block[int(ptr[hi])+d], block[int(ptr[(lo+hi)>>1])+d]))
		unLo, ltLo, unHi, gtHi := lo, lo, hi, hi
		for {
			for unLo <= unHi {
				c := int(block[int(ptr[unLo])+d])
				if c == med {
					ptr[unLo], ptr[ltLo] = ptr[ltLo], ptr[unLo]
					ltLo++
					unLo++
					continue
				}
				if c > med {
					break
				}
				unLo++
			}
			for unLo <= unHi {
				c := int(block[int(ptr[unHi])+d])
				if c == med {
					ptr[unHi], ptr[gtHi] = ptr[gtHi], ptr[unHi]
					gtHi--
					unHi--
					continue
				}
				if c < med {
					break
				}
				unHi--
			}
			if unLo > unHi {
				break
			}
			ptr[unLo], ptr[unHi] = ptr[unHi], ptr[unLo]
			unLo++
			unHi--
		}
		if gtHi < ltLo {
			stack = append(stack, span{lo, hi, d + 1})
			continue
		}
		m := ltLo - lo
		if unLo-ltLo < m {
			m = unLo - ltLo
		}
		swapRun32(ptr, lo, unLo-m, m)
		m = hi - gtHi
		if gtHi-unHi < m {
			m = gtHi - unHi
		}
		swapRun32(ptr, unLo, hi-m+1, m)
		nEnd := lo + unLo - ltLo - 1
		mStart := hi - (gtHi - unHi) + 1
		next := [3]span{{lo, nEnd, d}, {mStart, hi, d}, {nEnd + 1, mStart - 1, d + 1}}
		size := func(s span) int { return s.hi - s.lo }
		if size(next[0]) < size(next[1]) {
			next[0], next[1] = next[1], next[0]
		}
		if size(next[1]) < size(next[2]) {
			next[1], next[2] = next[2], next[1]
		}
		if size(next[0]) < size(next[1]) {
			next[0], next[1] = next[1], next[0]
		}
		stack = append(stack, next[0], next[1], next[2])
	}
}

// bzRadixPairs puts the n rotations into ptr ordered by their first two
// bytes (block[n] must already repeat block[0]: the last pair wraps), and
// leaves in ftab[s] where the bucket of pair s starts. Within a bucket the
// positions ascend, as bzip2 fills each bucket from its end going down.
// Both main sorts start from this.
func bzRadixPairs(ptr []int32, block []byte, ftab []uint32, n int) {
	for i := range ftab {
		ftab[i] = 0
	}
	for i := 0; i < n; i++ {
		ftab[int(block[i])<<8|int(block[i+1])]++
	}
	for i := 1; i <= 65536; i++ {
		ftab[i] += ftab[i-1]
	}
	for i := n - 1; i >= 0; i-- {
		s := int(block[i])<<8 | int(block[i+1])
		ftab[s]--
		ptr[ftab[s]] = int32(i)
	}
}

// bzMainSort sorts with two-byte buckets: big buckets (first byte) are
// finished smallest first, each by quicksorting its unsorted two-byte
// buckets and then deriving every bucket [x, ss] from the finished
// [ss] in one scan. It reports false when the budget ran out.
func bzMainSort(ptr []int32, block []byte, quadrant []uint16, ftab []uint32, n int, budget *int32) bool {
	for i := 0; i < n; i++ {
		quadrant[i] = 0
	}
	for i := 0; i < bzOvershoot; i++ {
		block[n+i] = block[i%n]
		quadrant[n+i] = 0
	}
	bzRadixPairs(ptr, block, ftab, n)
	bigFreq := func(b int) uint32 { return ftab[(b+1)<<8] - ftab[b<<8] }

	// Big buckets in ascending size (bzip2's shell sort: ties keep the
	// order it leaves).
	var order [256]int
	for i := range order {
		order[i] = i
	}
	h := 1
	for h <= 256 {
		h = 3*h + 1
	}
	for h != 1 {
		h /= 3
		for i := h; i <= 255; i++ {
			vv := order[i]
			j := i
			for bigFreq(order[j-h]) > bigFreq(vv) {
				order[j] = order[j-h]
				j -= h
				if j <= h-1 {
					break
				}
			}
			order[j] = vv
		}
	}

	var bigDone [256]bool
	for i := 0; i <= 255; i++ {
		ss := order[i]
		// Step 1: quicksort the two-byte buckets [ss, j] not yet known.
		for j := 0; j <= 255; j++ {
			if j == ss {
				continue
			}
			sb := ss<<8 + j
			if ftab[sb]&bzSetMask == 0 {
				lo := int(ftab[sb] &^ bzSetMask)
				hi := int(ftab[sb+1]&^bzSetMask) - 1
				if hi > lo {
					bzQSort3(ptr, block, quadrant, n, lo, hi, 2, budget)
					if *budget < 0 {
						return false
					}
				}
			}
			ftab[sb] |= bzSetMask
		}
		// Step 2: the sorted [ss] gives the order of [x, ss] for every x
		// not finished yet.
		bzDeriveBuckets(ptr, block, ftab, n, ss, &bigDone)
		// Step 3: record each finished rotation's rank within [ss] so
		// later comparisons can stop at it.
		bigDone[ss] = true
		if i < 255 {
			bbStart := int(ftab[ss<<8] &^ bzSetMask)
			bbSize := int(ftab[(ss+1)<<8]&^bzSetMask) - bbStart
			shifts := uint(0)
			for bbSize>>shifts > 65534 {
				shifts++
			}
			for j := bbSize - 1; j >= 0; j-- {
				a := int(ptr[bbStart+j])
				q := uint16(j >> shifts)
				quadrant[a] = q
				if a < bzOvershoot {
					quadrant[a+n] = q
				}
			}
		}
	}
	return true
}
