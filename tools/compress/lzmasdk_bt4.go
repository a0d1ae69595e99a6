package compress

// The LZMA SDK's BT4 match finder (LzFind.c; provenance in lzmasdk.go):
// hash tables on the first 2, 3 and 4 bytes and a binary search tree
// per 4-byte hash over the last dictSize+1 positions. Which matches it
// reports (and so the encoder's output) depends on every detail kept
// here: the hash functions, the tree's cyclic buffer, the search depth
// ("cut value") and that positions start at cyclicSize, not 0.
//
// The SDK reads its input through a sliding buffer; it always keeps at
// least fastBytes+273 bytes ahead of the current position (or the rest of
// the input), which is more than any length limit it applies, so working
// on the whole input in memory gives the same matches.

const (
	bt4Hash2Size = 1 << 10
	bt4Hash3Size = 1 << 16
	bt4Fix3      = bt4Hash2Size
	bt4Fix4      = bt4Hash2Size + bt4Hash3Size
)

// makeBt4CRC computes bt4CRC (tables.go), the CRC-32 table the SDK's
// hashes mix bytes with.
func makeBt4CRC() (t [256]uint32) {
	for i := range t {
		r := uint32(i)
		for j := 0; j < 8; j++ {
			r = (r >> 1) ^ (0xEDB88320 & ^((r & 1) - 1))
		}
		t[i] = r
	}
	return t
}

type bt4 struct {
	data      []byte
	idx       int    // index in data of the next byte to look at
	pos       uint32 // the SDK's position of data[idx]: idx + cyclicSize
	cyclicPos uint32 // pos modulo cyclicSize: this position's tree node
	cyclic    uint32 // dictSize + 1
	cutValue  uint32
	maxLen    uint32 // the encoder's fast bytes: longest match searched
	hashMask  uint32
	hash      []uint32 // 2-byte, 3-byte, then 4-byte heads (0 = empty)
	son       []uint32 // two children per cyclic buffer slot
}

func newBT4(data []byte, dictSize, fastBytes, cutValue uint32) *bt4 {
	hs := dictSize - 1
	hs |= hs >> 1
	hs |= hs >> 2
	hs |= hs >> 4
	hs |= hs >> 8
	hs >>= 1
	hs |= 0xFFFF
	if hs > 1<<24 {
		hs >>= 1
	}
	cyclic := dictSize + 1
	return &bt4{
		data:     data,
		pos:      cyclic,
		cyclic:   cyclic,
		cutValue: cutValue,
		maxLen:   fastBytes,
		hashMask: hs,
		hash:     make([]uint32, bt4Fix4+int(hs)+1),
		son:      make([]uint32, 2*int(cyclic)),
	}
}

// avail is how many input bytes are left from the current position.
func (m *bt4) avail() uint32 { return uint32(len(m.data) - m.idx) }

func (m *bt4) lenLimit() uint32 {
	if a := m.avail(); a < m.maxLen {
		return a
	}
	return m.maxLen
}

func (m *bt4) movePos() {
	m.idx++
	m.pos++
	m.cyclicPos++
	if m.cyclicPos == m.cyclic {
		m.cyclicPos = 0
	}
}

// insertHashes records the current position under its 2, 3 and 4 byte
// hashes and returns the previous heads (as distances for the short
// hashes, as a position for the 4-byte one).
func (m *bt4) insertHashes() (delta2, delta3, curMatch uint32) {
	cur := m.data[m.idx:]
	temp := bt4CRC[cur[0]] ^ uint32(cur[1])
	h2 := temp & (bt4Hash2Size - 1)
	temp ^= uint32(cur[2]) << 8
	h3 := temp & (bt4Hash3Size - 1)
	h4 := (temp ^ bt4CRC[cur[3]]<<5) & m.hashMask
	delta2 = m.pos - m.hash[h2]
	delta3 = m.pos - m.hash[bt4Fix3+h3]
	curMatch = m.hash[bt4Fix4+h4]
	m.hash[h2] = m.pos
	m.hash[bt4Fix3+h3] = m.pos
	m.hash[bt4Fix4+h4] = m.pos
	return delta2, delta3, curMatch
}

// getMatches appends (length, distance-1) pairs with strictly growing
// lengths to out[:0] for the current position and moves past it.
func (m *bt4) getMatches(out []uint32) []uint32 {
	out = out[:0]
	lenLimit := m.lenLimit()
	if lenLimit < 4 {
		m.movePos()
		return out
	}
	delta2, delta3, curMatch := m.insertHashes()
	d, cur := m.data, m.idx
	maxLen := uint32(1)
	if delta2 < m.cyclic && d[cur-int(delta2)] == d[cur] {
		maxLen = 2
		out = append(out, 2, delta2-1)
	}
	if delta2 != delta3 && delta3 < m.cyclic && d[cur-int(delta3)] == d[cur] {
		// The 3-byte hash with an equal first byte implies 3 equal bytes.
		maxLen = 3
		out = append(out, 0, delta3-1)
		delta2 = delta3
	}
	if len(out) != 0 {
		for maxLen != lenLimit && d[cur+int(maxLen)-int(delta2)] == d[cur+int(maxLen)] {
			maxLen++
		}
		out[len(out)-2] = maxLen
		if maxLen == lenLimit {
			m.treeInsert(lenLimit, curMatch, maxLen, nil, false)
			m.movePos()
			return out
		}
	}
	if maxLen < 3 {
		maxLen = 3
	}
	out = m.treeInsert(lenLimit, curMatch, maxLen, out, true)
	m.movePos()
	return out
}

// skip inserts the next num positions without reporting matches.
func (m *bt4) skip(num uint32) {
	for ; num != 0; num-- {
		lenLimit := m.lenLimit()
		if lenLimit < 4 {
			m.movePos()
			continue
		}
		_, _, curMatch := m.insertHashes()
		m.treeInsert(lenLimit, curMatch, 0, nil, false)
		m.movePos()
	}
}

// treeInsert walks the binary tree from curMatch (newest first, at most
// cutValue nodes), re-rooting it at the current position, and, if
// record, appends each match longer than maxLen found on the way.
func (m *bt4) treeInsert(lenLimit, curMatch, maxLen uint32, out []uint32, record bool) []uint32 {
	d, cur := m.data, m.idx
	ptr0 := m.cyclicPos<<1 + 1
	ptr1 := m.cyclicPos << 1
	var len0, len1 uint32
	for cut := m.cutValue; ; cut-- {
		delta := m.pos - curMatch
		if cut == 0 || delta >= m.cyclic {
			m.son[ptr0], m.son[ptr1] = 0, 0
			return out
		}
		slot := m.cyclicPos - delta
		if delta > m.cyclicPos {
			slot += m.cyclic
		}
		pair := slot << 1
		pb := cur - int(delta)
		l := len0
		if len1 < l {
			l = len1
		}
		if d[pb+int(l)] == d[cur+int(l)] {
			l++
			for l != lenLimit && d[pb+int(l)] == d[cur+int(l)] {
				l++
			}
			if record && maxLen < l {
				maxLen = l
				out = append(out, l, delta-1)
			}
			if l == lenLimit {
				m.son[ptr1] = m.son[pair]
				m.son[ptr0] = m.son[pair+1]
				return out
			}
		}
		if d[pb+int(l)] < d[cur+int(l)] {
			m.son[ptr1] = curMatch
			ptr1 = pair + 1
			curMatch = m.son[ptr1]
			len1 = l
		} else {
			m.son[ptr0] = curMatch
			ptr0 = pair
			curMatch = m.son[ptr0]
			len0 = l
		}
	}
}
