package compress

import (
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/staticerr"
)

// This file writes and reads raw LZO1X streams (no header, no checksum):
// what squashfs's "lzo" compressor stores per block and what Linux's
// lzo1x_decompress_safe reads. The format, as public descriptions of it
// give it (Linux's Documentation/staging/lzo.rst): a stream is a sequence
// of instructions, each a literal run or a match; the two low bits S of a
// match say how many literals (0..3) follow it with no instruction of
// their own, and the decoder's "state" (literals just copied: 0, 1..3, or
// 4 for a run of 4 or more) decides what an instruction byte below 16
// means. The stream ends with the M4 form at distance 16384 (11 00 00).
//
// The encoder is a hash-chain matcher: every position is linked to the
// earlier ones with the same next three bytes; up to lzoMaxChain of them
// (within the 49151-byte window) are tried and the longest match wins,
// with one step of lazy evaluation (a literal first when the next
// position has a longer match), much like LZO1X-999 at a lower effort.
// It writes only the M2 (distance <= 2048, length 3..8), M3 (distance <=
// 16384) and M4 (distance <= 49151) forms; the decoder reads every form.

const (
	lzoM2MaxLen  = 8
	lzoM2MaxDist = 2048
	lzoM3MaxDist = 16384
	lzoM4MaxDist = 49151
	lzoHashBits  = 15
	lzoMaxChain  = 64
)

// LZO1XCompress appends the LZO1X stream of src to dst. Like liblzo's
// encoders it may grow incompressible data by up to len(src)/16+67 bytes;
// callers store such blocks raw.
func LZO1XCompress(dst, src []byte) []byte {
	m := newLZOMatcher(src)
	start := len(dst)
	lit := 0 // start of the pending literal run
	i := 0
	for i+3 <= len(src) {
		n, dist := m.find(i)
		m.insert(i)
		if n == 0 {
			i++
			continue
		}
		if i+4 <= len(src) {
			if n2, _ := m.find(i + 1); n2 > n {
				i++ // lazy: the next position matches longer
				continue
			}
		}
		dst = lzoLiterals(dst, start, src[lit:i])
		dst = lzoMatch(dst, dist, n)
		for j := i + 1; j < i+n; j++ {
			m.insert(j)
		}
		i += n
		lit = i
	}
	dst = lzoLiterals(dst, start, src[lit:])
	return append(dst, 0x11, 0, 0)
}

// lzoMatcher keeps the hash chains: head is the latest position per hash
// of three bytes, prev links each position to the previous one with the
// same hash (-1 ends a chain).
type lzoMatcher struct {
	src  []byte
	head []int32
	prev []int32
}

func newLZOMatcher(src []byte) *lzoMatcher {
	m := &lzoMatcher{src: src, head: make([]int32, 1<<lzoHashBits), prev: make([]int32, len(src))}
	for i := range m.head {
		m.head[i] = -1
	}
	return m
}

func (m *lzoMatcher) hash(i int) uint32 {
	v := uint32(m.src[i]) | uint32(m.src[i+1])<<8 | uint32(m.src[i+2])<<16
	return (v * 2654435761) >> (32 - lzoHashBits)
}

func (m *lzoMatcher) insert(i int) {
	if i+3 > len(m.src) {
		return
	}
	h := m.hash(i)
	m.prev[i] = m.head[h]
	m.head[h] = int32(i)
}

// find returns the longest worthwhile match at i (length 0 if none): at
// least 4 bytes, or 3 within M2's 2048-byte reach (elsewhere a 3-byte
// match costs as much as its literals).
func (m *lzoMatcher) find(i int) (int, int) {
	src := m.src
	if i+3 > len(src) {
		return 0, 0
	}
	best, dist := 0, 0
	c := int(m.head[m.hash(i)])
	for k := 0; k < lzoMaxChain && c >= 0 && i-c <= lzoM4MaxDist && i+best < len(src); k++ {
		if src[c+best] == src[i+best] {
			n := 0
			for i+n < len(src) && src[c+n] == src[i+n] {
				n++
			}
			if n > best && (n >= 4 || (n == 3 && i-c <= lzoM2MaxDist)) {
				best, dist = n, i-c
			}
		}
		c = int(m.prev[c])
	}
	return best, dist
}

// lzoLiterals writes a literal run. A run of 1..3 after a match rides in
// that match's S bits (the low bits of the byte two back); the very first
// run uses the stream's first-byte form 17+n.
func lzoLiterals(dst []byte, start int, lits []byte) []byte {
	t := len(lits)
	switch {
	case t == 0:
		return dst
	case len(dst) == start && t <= 238:
		dst = append(dst, byte(17+t))
	case t <= 3:
		dst[len(dst)-2] |= byte(t)
	case t <= 18:
		dst = append(dst, byte(t-3))
	default:
		dst = append(dst, 0)
		dst = lzoLength(dst, t-18)
	}
	return append(dst, lits...)
}

// lzoLength writes the extension of a length whose instruction field is
// zero: one zero byte per 255, then the (non-zero) rest.
func lzoLength(dst []byte, n int) []byte {
	for n > 255 {
		dst = append(dst, 0)
		n -= 255
	}
	return append(dst, byte(n))
}

func lzoMatch(dst []byte, dist, n int) []byte {
	switch {
	case n <= lzoM2MaxLen && dist <= lzoM2MaxDist:
		d := dist - 1
		return append(dst, byte((n-1)<<5|(d&7)<<2), byte(d>>3))
	case dist <= lzoM3MaxDist:
		d := dist - 1
		if n <= 33 {
			dst = append(dst, byte(32|(n-2)))
		} else {
			dst = append(dst, 32)
			dst = lzoLength(dst, n-33)
		}
		return append(dst, byte(d<<2), byte(d>>6))
	default:
		d := dist - 16384
		hi := byte(d>>14) << 3
		if n <= 9 {
			dst = append(dst, 16|hi|byte(n-2))
		} else {
			dst = append(dst, 16|hi)
			dst = lzoLength(dst, n-9)
		}
		d &= 0x3fff
		return append(dst, byte(d<<2), byte(d>>6))
	}
}

var errLZOTruncated error = &staticerr.Error{Text: "lzo1x: stream truncated"}

// LZO1XDecompress unpacks a raw LZO1X stream that must unpack to at most
// limit bytes and end with the end marker.
func LZO1XDecompress(src []byte, limit int) ([]byte, error) {
	d := lzoDecoder{src: src, limit: limit}
	if err := d.run(); err != nil {
		return nil, err
	}
	return d.out, nil
}

type lzoDecoder struct {
	src   []byte
	ip    int
	out   []byte
	limit int
}

func (d *lzoDecoder) byte() (int, error) {
	if d.ip >= len(d.src) {
		return 0, errLZOTruncated
	}
	b := d.src[d.ip]
	d.ip++
	return int(b), nil
}

// length reads a zero-field length extension: zeros count 255 each, the
// first non-zero byte ends it.
func (d *lzoDecoder) length(base int) (int, error) {
	n := base
	for {
		b, err := d.byte()
		if err != nil {
			return 0, err
		}
		if b != 0 {
			return n + b, nil
		}
		n += 255
		if n > d.limit {
			return 0, fmt.Errorf("lzo1x: length past the %d-byte limit", d.limit)
		}
	}
}

func (d *lzoDecoder) literals(n int) error {
	if n > len(d.src)-d.ip {
		return errLZOTruncated
	}
	if len(d.out)+n > d.limit {
		return fmt.Errorf("lzo1x: output past the %d-byte limit", d.limit)
	}
	d.out = append(d.out, d.src[d.ip:d.ip+n]...)
	d.ip += n
	return nil
}

func (d *lzoDecoder) copyMatch(dist, n int) error {
	if dist <= 0 || dist > len(d.out) {
		return fmt.Errorf("lzo1x: match distance %d at output offset %d", dist, len(d.out))
	}
	if len(d.out)+n > d.limit {
		return fmt.Errorf("lzo1x: output past the %d-byte limit", d.limit)
	}
	from := len(d.out) - dist
	for k := 0; k < n; k++ { // byte by byte: matches may overlap their output
		d.out = append(d.out, d.out[from+k])
	}
	return nil
}

func (d *lzoDecoder) run() error {
	state := 0
	if len(d.src) > 0 && d.src[0] > 17 {
		d.ip = 1
		t := int(d.src[0]) - 17
		if err := d.literals(t); err != nil {
			return err
		}
		state = t
		if state > 4 {
			state = 4
		}
	}
	for {
		inst, err := d.byte()
		if err != nil {
			return err
		}
		var dist, n, s int
		switch {
		case inst >= 64: // M2: length 3..8, distance <= 2048
			h, err := d.byte()
			if err != nil {
				return err
			}
			n = inst>>5 + 1
			dist = h<<3 + (inst>>2)&7 + 1
			s = inst & 3
		case inst >= 32: // M3
			if n = inst & 31; n == 0 {
				if n, err = d.length(31); err != nil {
					return err
				}
			}
			n += 2
			lo, hi, err := d.le16()
			if err != nil {
				return err
			}
			dist = (hi<<8|lo)>>2 + 1
			s = lo & 3
		case inst >= 16: // M4, or the end marker
			if n = inst & 7; n == 0 {
				if n, err = d.length(7); err != nil {
					return err
				}
			}
			n += 2
			lo, hi, err := d.le16()
			if err != nil {
				return err
			}
			dist = 16384 + (inst&8)<<11 + (hi<<8|lo)>>2
			s = lo & 3
			if dist == 16384 {
				if d.ip != len(d.src) {
					return fmt.Errorf("lzo1x: %d bytes after the end marker", len(d.src)-d.ip)
				}
				return nil
			}
		case state == 0: // literal run of 4 or more
			n = inst
			if n == 0 {
				if n, err = d.length(15); err != nil {
					return err
				}
			}
			if err := d.literals(n + 3); err != nil {
				return err
			}
			state = 4
			continue
		default: // M1: two bytes (after 1..3 literals) or three (after a run)
			h, err := d.byte()
			if err != nil {
				return err
			}
			dist = h<<2 + inst>>2 + 1
			n = 2
			if state == 4 {
				dist += 2048
				n = 3
			}
			s = inst & 3
		}
		if err := d.copyMatch(dist, n); err != nil {
			return err
		}
		if err := d.literals(s); err != nil {
			return err
		}
		state = s
	}
}

func (d *lzoDecoder) le16() (int, int, error) {
	if d.ip+2 > len(d.src) {
		return 0, 0, errLZOTruncated
	}
	lo, hi := int(d.src[d.ip]), int(d.src[d.ip+1])
	d.ip += 2
	return lo, hi, nil
}
