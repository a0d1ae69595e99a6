package compress

// The range coder, bit models and price tables of the LZMA SDK encoder
// (see lzmasdk.go for provenance). Prices are in 1/16 bit units and come
// from the same integer approximation of -log2(p) as the SDK's
// LzmaEnc_InitPriceTables: the optimal parser compares these sums, so any
// other rounding would change which parse wins and thus the output bytes.

const (
	lzmaProbBits  = 11
	lzmaProbInit  = 1 << (lzmaProbBits - 1)
	lzmaMoveBits  = 5
	lzmaTopValue  = 1 << 24
	lzmaPriceBits = 4 // price units are 1/16 bit
	lzmaMoveRed   = 4 // probabilities are looked up with 4 low bits dropped
)

// lzmaProb is a probability (of a 0 bit) out of 1<<11.
type lzmaProb uint16

// makeLZMAProbPrices computes lzmaProbPrices (tables.go): [p>>4] is the
// price of a bit whose probability is p/2048.
func makeLZMAProbPrices() [(1 << lzmaProbBits) >> lzmaMoveRed]uint32 {
	var t [(1 << lzmaProbBits) >> lzmaMoveRed]uint32
	for i := uint32(1<<lzmaMoveRed) / 2; i < 1<<lzmaProbBits; i += 1 << lzmaMoveRed {
		w, bitCount := i, uint32(0)
		for j := 0; j < lzmaPriceBits; j++ {
			w *= w
			bitCount <<= 1
			for w >= 1<<16 {
				w >>= 1
				bitCount++
			}
		}
		t[i>>lzmaMoveRed] = (lzmaProbBits << lzmaPriceBits) - 15 - bitCount
	}
	return t
}

// price is what coding bit with probability model p costs.
func (p lzmaProb) price(bit uint32) uint32 {
	return lzmaProbPrices[(uint32(p)^((-bit)&((1<<lzmaProbBits)-1)))>>lzmaMoveRed]
}

func (p lzmaProb) price0() uint32 { return lzmaProbPrices[p>>lzmaMoveRed] }
func (p lzmaProb) price1() uint32 {
	return lzmaProbPrices[(p^((1<<lzmaProbBits)-1))>>lzmaMoveRed]
}

func initProbs(p []lzmaProb) {
	for i := range p {
		p[i] = lzmaProbInit
	}
}

// rangeEncoder appends the coded bytes to out. Its first byte is always
// the zero "cache" byte, as in every LZMA stream.
type rangeEncoder struct {
	low       uint64
	rng       uint32
	cache     byte
	cacheSize uint64
	out       []byte
}

func (rc *rangeEncoder) init(out []byte) {
	*rc = rangeEncoder{rng: 0xFFFFFFFF, cacheSize: 1, out: out}
}

// shiftLow emits the top byte of low, holding back 0xFF runs until a
// carry out of bit 32 is known or ruled out.
func (rc *rangeEncoder) shiftLow() {
	if uint32(rc.low) < 0xFF000000 || rc.low>>32 != 0 {
		carry := byte(rc.low >> 32)
		temp := rc.cache
		for {
			rc.out = append(rc.out, temp+carry)
			temp = 0xFF
			rc.cacheSize--
			if rc.cacheSize == 0 {
				break
			}
		}
		rc.cache = byte(uint32(rc.low) >> 24)
	}
	rc.cacheSize++
	rc.low = uint64(uint32(rc.low) << 8)
}

func (rc *rangeEncoder) flush() {
	for i := 0; i < 5; i++ {
		rc.shiftLow()
	}
}

func (rc *rangeEncoder) encodeBit(p *lzmaProb, bit uint32) {
	bound := (rc.rng >> lzmaProbBits) * uint32(*p)
	if bit == 0 {
		rc.rng = bound
		*p += ((1 << lzmaProbBits) - *p) >> lzmaMoveBits
	} else {
		rc.low += uint64(bound)
		rc.rng -= bound
		*p -= *p >> lzmaMoveBits
	}
	if rc.rng < lzmaTopValue {
		rc.rng <<= 8
		rc.shiftLow()
	}
}

func (rc *rangeEncoder) encodeDirect(value uint32, numBits int) {
	for numBits > 0 {
		numBits--
		rc.rng >>= 1
		rc.low += uint64(rc.rng & (0 - ((value >> uint(numBits)) & 1)))
		if rc.rng < lzmaTopValue {
			rc.rng <<= 8
			rc.shiftLow()
		}
	}
}

// Bit trees: probs[1] is the root, node m's children are 2m and 2m+1.

func (rc *rangeEncoder) encodeTree(probs []lzmaProb, numBits int, symbol uint32) {
	m := uint32(1)
	for i := numBits; i != 0; {
		i--
		bit := (symbol >> uint(i)) & 1
		rc.encodeBit(&probs[m], bit)
		m = m<<1 | bit
	}
}

func (rc *rangeEncoder) encodeReverseTree(probs []lzmaProb, numBits int, symbol uint32) {
	m := uint32(1)
	for i := 0; i < numBits; i++ {
		bit := symbol & 1
		rc.encodeBit(&probs[m], bit)
		m = m<<1 | bit
		symbol >>= 1
	}
}

func treePrice(probs []lzmaProb, numBits int, symbol uint32) uint32 {
	price := uint32(0)
	symbol |= 1 << uint(numBits)
	for symbol != 1 {
		price += probs[symbol>>1].price(symbol & 1)
		symbol >>= 1
	}
	return price
}

func reverseTreePrice(probs []lzmaProb, numBits int, symbol uint32) uint32 {
	price, m := uint32(0), uint32(1)
	for i := numBits; i != 0; i-- {
		bit := symbol & 1
		symbol >>= 1
		price += probs[m].price(bit)
		m = m<<1 | bit
	}
	return price
}

// Literals: eight bits through a 0x300-entry tree; after a match the
// tree is chosen by the byte at rep0 until the first differing bit.

func (rc *rangeEncoder) encodeLiteral(probs []lzmaProb, symbol uint32) {
	symbol |= 0x100
	for symbol < 0x10000 {
		rc.encodeBit(&probs[symbol>>8], (symbol>>7)&1)
		symbol <<= 1
	}
}

func (rc *rangeEncoder) encodeMatchedLiteral(probs []lzmaProb, symbol, matchByte uint32) {
	offs := uint32(0x100)
	symbol |= 0x100
	for symbol < 0x10000 {
		matchByte <<= 1
		rc.encodeBit(&probs[offs+(matchByte&offs)+(symbol>>8)], (symbol>>7)&1)
		symbol <<= 1
		offs &= ^(matchByte ^ symbol)
	}
}

func literalPrice(probs []lzmaProb, symbol uint32) uint32 {
	price := uint32(0)
	symbol |= 0x100
	for symbol < 0x10000 {
		price += probs[symbol>>8].price((symbol >> 7) & 1)
		symbol <<= 1
	}
	return price
}

func matchedLiteralPrice(probs []lzmaProb, symbol, matchByte uint32) uint32 {
	price, offs := uint32(0), uint32(0x100)
	symbol |= 0x100
	for symbol < 0x10000 {
		matchByte <<= 1
		price += probs[offs+(matchByte&offs)+(symbol>>8)].price((symbol >> 7) & 1)
		symbol <<= 1
		offs &= ^(matchByte ^ symbol)
	}
	return price
}

// Match lengths (2..273): low (8, per posState), mid (8, per posState)
// and high (256) trees behind two choice bits, with a price table per
// posState refreshed after tableSize uses of that posState.

const (
	lenLowBits    = 3
	lenMidBits    = 3
	lenHighBits   = 8
	lenLowSymbols = 1 << lenLowBits
	lenMidSymbols = 1 << lenMidBits
	lenSymbols    = lenLowSymbols + lenMidSymbols + (1 << lenHighBits)
	lzmaMatchMin  = 2
	lzmaMatchMax  = lzmaMatchMin + lenSymbols - 1
	lzmaPosStates = 1 << 4
)

type lenEncoder struct {
	choice, choice2 lzmaProb
	low             [lzmaPosStates << lenLowBits]lzmaProb
	mid             [lzmaPosStates << lenMidBits]lzmaProb
	high            [1 << lenHighBits]lzmaProb
	prices          [lzmaPosStates][lenSymbols]uint32
	tableSize       uint32
	counters        [lzmaPosStates]uint32
}

func (l *lenEncoder) init() {
	l.choice, l.choice2 = lzmaProbInit, lzmaProbInit
	initProbs(l.low[:])
	initProbs(l.mid[:])
	initProbs(l.high[:])
}

// encode codes symbol (length - 2) and refreshes the posState's prices
// once it has been used tableSize times, the SDK's cadence.
func (l *lenEncoder) encode(rc *rangeEncoder, symbol, posState uint32) {
	switch {
	case symbol < lenLowSymbols:
		rc.encodeBit(&l.choice, 0)
		rc.encodeTree(l.low[posState<<lenLowBits:], lenLowBits, symbol)
	case symbol < lenLowSymbols+lenMidSymbols:
		rc.encodeBit(&l.choice, 1)
		rc.encodeBit(&l.choice2, 0)
		rc.encodeTree(l.mid[posState<<lenMidBits:], lenMidBits, symbol-lenLowSymbols)
	default:
		rc.encodeBit(&l.choice, 1)
		rc.encodeBit(&l.choice2, 1)
		rc.encodeTree(l.high[:], lenHighBits, symbol-lenLowSymbols-lenMidSymbols)
	}
	l.counters[posState]--
	if l.counters[posState] == 0 {
		l.updatePrices(posState)
	}
}

func (l *lenEncoder) updatePrices(posState uint32) {
	a0, a1 := l.choice.price0(), l.choice.price1()
	b0, b1 := a1+l.choice2.price0(), a1+l.choice2.price1()
	prices := &l.prices[posState]
	for i := uint32(0); i < l.tableSize; i++ {
		switch {
		case i < lenLowSymbols:
			prices[i] = a0 + treePrice(l.low[posState<<lenLowBits:], lenLowBits, i)
		case i < lenLowSymbols+lenMidSymbols:
			prices[i] = b0 + treePrice(l.mid[posState<<lenMidBits:], lenMidBits, i-lenLowSymbols)
		default:
			prices[i] = b1 + treePrice(l.high[:], lenHighBits, i-lenLowSymbols-lenMidSymbols)
		}
	}
	l.counters[posState] = l.tableSize
}
