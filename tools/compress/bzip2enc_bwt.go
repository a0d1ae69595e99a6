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
	bzFastOvershoot = bzFastDepth + 24
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
	if !bzFastMainSort(ptr, block, e.quadrant, e.ftab, n, &budget) {
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

// bzFastShell shell-sorts ptr[lo..hi] (all equal in their first d
// bytes) with bzFastGt, using bzip2's gaps.
func bzFastShell(ptr []int32, block []byte, quadrant []uint16, n, lo, hi, d int, budget *int) {
	hp := 0
	for bzIncs[hp] < hi-lo+1 {
		hp++
	}
	for hp--; hp >= 0; hp-- {
		h := bzIncs[hp]
		for i := lo + h; i <= hi; i++ {
			v := ptr[i]
			j := i
			for bzFastGt(int(ptr[j-h])+d, int(v)+d, block, quadrant, n, budget) {
				ptr[j] = ptr[j-h]
				j -= h
				if j < lo+h {
					break
				}
			}
			ptr[j] = v
		}
		if *budget < 0 {
			return
		}
	}
}

// bzFastQSort is a three-way quicksort of ptr[loSt..hiSt] on eight-byte
// keys taken at depth d, going eight bytes deeper for the equal part;
// small or deep ranges are finished by shell sort.
func bzFastQSort(ptr []int32, block []byte, quadrant []uint16, n, loSt, hiSt, dSt int, budget *int) {
	type span struct{ lo, hi, d int }
	stack := make([]span, 0, 64)
	stack = append(stack, span{loSt, hiSt, dSt})
	key := func(p int32, d int) uint64 {
		i := int(p) + d
		return binary.BigEndian.Uint64(block[i : i+8])
	}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		lo, hi, d := top.lo, top.hi, top.d
		if hi-lo < 16 || d > bzFastDepth {
			bzFastShell(ptr, block, quadrant, n, lo, hi, d, budget)
			if *budget < 0 {
				return
			}
			continue
		}
		a, b, c := key(ptr[lo], d), key(ptr[hi], d), key(ptr[(lo+hi)>>1], d)
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
				k := key(ptr[unLo], d)
				if k == med {
					ptr[unLo], ptr[ltLo] = ptr[ltLo], ptr[unLo]
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
				k := key(ptr[unHi], d)
				if k == med {
					ptr[unHi], ptr[gtHi] = ptr[gtHi], ptr[unHi]
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
			unLo++
			unHi--
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
		if nEnd > lo {
			stack = append(stack, span{lo, nEnd, d})
		}
		if hi > mStart {
			stack = append(stack, span{mStart, hi, d})
		}
		if mStart-1 > nEnd+1 {
			stack = append(stack, span{nEnd + 1, mStart - 1, d + 8})
		}
	}
}

// bzFastMainSort is bzMainSort's plan with the eight-byte quicksort; it
// reports false when the budget ran out.
func bzFastMainSort(ptr []int32, block []byte, quadrant []uint16, ftab []uint32, n int, budget *int) bool {
	for i := range ftab {
		ftab[i] = 0
	}
	for i := 0; i < n+bzFastOvershoot; i++ {
		quadrant[i] = 0
	}
	for i := 0; i < bzFastOvershoot; i++ {
		block[n+i] = block[i%n]
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
	var copyStart, copyEnd [256]int
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
					bzFastQSort(ptr, block, quadrant, n, lo, hi, 2, budget)
					if *budget < 0 {
						return false
					}
				}
			}
			ftab[sb] |= bzSetMask
		}
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
				if a < bzFastOvershoot {
					quadrant[a+n] = q
				}
			}
		}
	}
	return true
}
