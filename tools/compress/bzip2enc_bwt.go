package compress

import (
	"bytes"
	"encoding/binary"
)

// The fast rotation sort. When no rotation of a block equals another
// (the block is not a shorter string repeated), the sorted order is
// unique, so any correct sort gives bzip2's transform and origin. This
// one keeps the plan of bzip2's main sort (two-byte buckets, finished
// big buckets giving the order of others by one scan, ranks cached per
// finished bucket) but compares eight bytes at a time, which is most of
// the work; it falls back to the doubling sort when a block is so
// repetitive that comparisons get long, as bzip2 does. Repeated blocks go
// to the step-for-step copy of bzip2's sort (bzip2enc_sort.go).

// bzFastOvershoot: the fast sort reads up to this many bytes past the
// block (a quicksort depth of at most bzFastDepth, then eight-byte loads
// before wrapping), so the block's first bytes are copied there.
const (
	bzFastDepth     = 18
	bzFastOvershoot = bzFastDepth + 40
	bzBlockSlack    = bzFastOvershoot + 8 // room past a block's bytes
)

// bwtSort sorts the rotations of block[:n] into ptr and returns the
// origin pointer (where rotation 0 lands), as bzip2 would.
func (e *bzEncoder) bwtSort(block []byte, n int, ptr []int32) int {
	if n < 10000 || bzRepeats(block[:n]) {
		return e.bzRefSort(block, n, ptr)
	}
	e.ensure(n)
	budget := n * 9
	if !bzFastMainSort(ptr, e.keys, block, e.quadrant, e.ftab, n, &budget) {
		e.bzFallbackSort(block, n, ptr)
	}
	for i, p := range ptr[:n] {
		if p == 0 {
			return i
		}
	}
	panic("bzip2: rotation 0 missing from the sorted block")
}

// bzRepeats reports whether b is a shorter string repeated (so some of
// its rotations are equal). If b is u repeated m times, every byte's
// count is a multiple of m, and b repeats with period len(b)/q for each
// prime q dividing m: it is enough to try the primes dividing the gcd
// of the counts.
func bzRepeats(b []byte) bool {
	var cnt [256]int
	for _, c := range b {
		cnt[c]++
	}
	g := 0
	for _, c := range cnt {
		if c != 0 {
			g = gcd(g, c)
		}
	}
	n := len(b)
	for q := 2; g > 1; q++ {
		if g%q != 0 {
			continue
		}
		for g%q == 0 {
			g /= q
		}
		p := n / q
		if bytes.Equal(b[:n-p], b[p:]) {
			return true
		}
	}
	return false
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// bzFastGt reports whether the rotation at i1 sorts after the one at
// i2, eight bytes per step; where eight bytes are equal, a difference
// in the cached ranks (quadrant) of any of those positions decides. It
// spends one unit of budget per step past the first two.
func bzFastGt(i1, i2 int, block []byte, quadrant []uint16, n int, budget *int) bool {
	for k := 0; ; k++ {
		a := binary.BigEndian.Uint64(block[i1 : i1+8])
		b := binary.BigEndian.Uint64(block[i2 : i2+8])
		if a != b {
			return a > b
		}
		q1 := quadrant[i1 : i1+8]
		q2 := quadrant[i2 : i2+8]
		for t := 0; t < 8; t++ {
			if q1[t] != q2[t] {
				return q1[t] > q2[t]
			}
		}
		i1 += 8
		i2 += 8
		if i1 >= n {
			i1 -= n
		}
		if i2 >= n {
			i2 -= n
		}
		if k >= 2 {
			*budget--
			if k > n/8+2 {
				return false // equal rotations: not in a primitive block
			}
		}
	}
}

// bzFastLess: does the rotation at a sort before the one at b, both
// equal in their first d bytes, keys[] holding their next eight?
func bzFastLess(ka, kb uint64, a, b int32, block []byte, quadrant []uint16, n, d int, budget *int) bool {
	if ka != kb {
		return ka < kb
	}
	return bzFastGt(int(b)+d+8, int(a)+d+8, block, quadrant, n, budget)
}

// bzFastShell shell-sorts ptr[lo..hi] (all equal in their first d
// bytes, keys[] holding their next eight) with bzip2's gaps.
func bzFastShell(ptr []int32, keys []uint64, block []byte, quadrant []uint16, n, lo, hi, d int, budget *int) {
	hp := 0
	for bzIncs[hp] < hi-lo+1 {
		hp++
	}
	for hp--; hp >= 0; hp-- {
		h := bzIncs[hp]
		for i := lo + h; i <= hi; i++ {
			v, kv := ptr[i], keys[i]
			j := i
			for bzFastLess(kv, keys[j-h], v, ptr[j-h], block, quadrant, n, d, budget) {
				ptr[j], keys[j] = ptr[j-h], keys[j-h]
				j -= h
				if j < lo+h {
					break
				}
			}
			ptr[j], keys[j] = v, kv
		}
		if *budget < 0 {
			return
		}
	}
}

// bzFastQSort is a three-way quicksort of ptr[loSt..hiSt] on eight-byte
// keys taken at depth d, going eight bytes deeper for the equal part;
// small or deep ranges are finished by shell sort. keys[i] caches the
// key of ptr[i] at the range's depth, so partitioning reads memory in
// order instead of the block at random.
func bzFastQSort(stack []bzSpan, ptr []int32, keys []uint64, block []byte, quadrant []uint16, n, loSt, hiSt, dSt int, budget *int) []bzSpan {
	type span = bzSpan
	stack = append(stack[:0], span{loSt, hiSt, dSt, false})
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		lo, hi, d := top.lo, top.hi, top.d
		if !top.fresh {
			for i, p := range ptr[lo : hi+1] {
				j := int(p) + d
				keys[lo+i] = binary.BigEndian.Uint64(block[j : j+8])
			}
		}
		if hi-lo < 16 || d > bzFastDepth {
			bzFastShell(ptr, keys, block, quadrant, n, lo, hi, d, budget)
			if *budget < 0 {
				return stack
			}
			continue
		}
		a, b, c := keys[lo], keys[hi], keys[(lo+hi)>>1]
		if a > b {
			a, b = b, a
		}
		if b > c {
			b = c
			if a > b {
				b = a
			}
		}
		med := b
		unLo, ltLo, unHi, gtHi := lo, lo, hi, hi
		for {
			for unLo <= unHi {
				k := keys[unLo]
				if k == med {
					ptr[unLo], ptr[ltLo] = ptr[ltLo], ptr[unLo]
					keys[unLo], keys[ltLo] = keys[ltLo], k
					ltLo++
					unLo++
					continue
				}
				if k > med {
					break
				}
				unLo++
			}
			for unLo <= unHi {
				k := keys[unHi]
				if k == med {
					ptr[unHi], ptr[gtHi] = ptr[gtHi], ptr[unHi]
					keys[unHi], keys[gtHi] = keys[gtHi], k
					gtHi--
					unHi--
					continue
				}
				if k < med {
					break
				}
				unHi--
			}
			if unLo > unHi {
				break
			}
			ptr[unLo], ptr[unHi] = ptr[unHi], ptr[unLo]
			keys[unLo], keys[unHi] = keys[unHi], keys[unLo]
			unLo++
			unHi--
		}
		m := ltLo - lo
		if unLo-ltLo < m {
			m = unLo - ltLo
		}
		swapRunKeyed(ptr, keys, lo, unLo-m, m)
		m = hi - gtHi
		if gtHi-unHi < m {
			m = gtHi - unHi
		}
		swapRunKeyed(ptr, keys, unLo, hi-m+1, m)
		nEnd := lo + unLo - ltLo - 1
		mStart := hi - (gtHi - unHi) + 1
		if nEnd > lo {
			stack = append(stack, span{lo, nEnd, d, true})
		}
		if hi > mStart {
			stack = append(stack, span{mStart, hi, d, true})
		}
		if mStart-1 > nEnd+1 {
			stack = append(stack, span{nEnd + 1, mStart - 1, d + 8, false})
		}
	}
	return stack
}

// bzSpan is a range of the quicksort's work list.
type bzSpan struct {
	lo, hi, d int
	fresh     bool // keys[lo..hi] are at depth d
}

func swapRunKeyed(p []int32, k []uint64, a, b, n int) {
	for ; n > 0; n-- {
		p[a], p[b] = p[b], p[a]
		k[a], k[b] = k[b], k[a]
		a++
		b++
	}
}

// bzFastMainSort is bzMainSort's plan with the eight-byte quicksort; it
// reports false when the budget ran out.
func bzFastMainSort(ptr []int32, keys []uint64, block []byte, quadrant []uint16, ftab []uint32, n int, budget *int) bool {
	for i := 0; i < n+bzFastOvershoot; i++ {
		quadrant[i] = 0
	}
	for i := 0; i < bzFastOvershoot; i++ {
		block[n+i] = block[i%n]
	}
	bzRadixPairs(ptr, block, ftab, n)
	bigFreq := func(b int) uint32 { return ftab[(b+1)<<8] - ftab[b<<8] }
	var order [256]int
	for i := range order {
		order[i] = i
	}
	// Smallest big buckets first (insertion sort; any order is correct,
	// small first leaves the most to the scans).
	for i := 1; i < 256; i++ {
		v := order[i]
		j := i
		for j > 0 && bigFreq(order[j-1]) > bigFreq(v) {
			order[j] = order[j-1]
			j--
		}
		order[j] = v
	}

	var bigDone [256]bool
	stack := make([]bzSpan, 0, 64)
	for i := 0; i <= 255; i++ {
		ss := order[i]
		for j := 0; j <= 255; j++ {
			if j == ss {
				continue
			}
			sb := ss<<8 + j
			if ftab[sb]&bzSetMask == 0 {
				lo := int(ftab[sb] &^ bzSetMask)
				hi := int(ftab[sb+1]&^bzSetMask) - 1
				if hi > lo {
					stack = bzFastQSort(stack, ptr, keys, block, quadrant, n, lo, hi, 2, budget)
					if *budget < 0 {
						return false
					}
				}
			}
			ftab[sb] |= bzSetMask
		}
		bzDeriveBuckets(ptr, block, ftab, n, ss, &bigDone)
		bigDone[ss] = true
		if i < 255 {
			bbStart := int(ftab[ss<<8] &^ bzSetMask)
			bbSize := int(ftab[(ss+1)<<8]&^bzSetMask) - bbStart
			shifts := uint(0)
			for bbSize>>shifts > 65534 {
				shifts++
			}
			for j, a := range ptr[bbStart : bbStart+bbSize] {
				quadrant[a] = uint16(j >> shifts)
			}
			// The copy past the end follows the block's start.
			copy(quadrant[n:n+bzFastOvershoot], quadrant[:bzFastOvershoot])
		}
	}
	return true
}
