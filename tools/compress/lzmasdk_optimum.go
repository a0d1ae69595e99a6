package compress

// The SDK's optimal parser (GetOptimum and Backward in LzmaEnc.c; see
// lzmasdk.go). From the current position it prices every literal, short
// rep, rep match and match (plus the "match, literal, rep0" and "rep,
// literal, rep0" sequences) into opt[1..lenEnd], walks forward taking the
// cheapest way into each later position, and stops at a position no
// choice reaches past, at a match of fastBytes or more, or after 4095
// positions; then it hands the chosen steps out one per call. Ties keep
// the first candidate, except a short rep, which wins ties: the order of
// the comparisons below is part of the output format.

// getOptimum returns the next step: its length and back (^0 literal,
// 0-3 rep index, else distance-1+4).
func (e *lzmaSDKEncoder) getOptimum(position uint32) (uint32, uint32) {
	if e.optimumEndIndex != e.optimumCurrentIndex {
		o := &e.opt[e.optimumCurrentIndex]
		length := o.posPrev - e.optimumCurrentIndex
		e.optimumCurrentIndex = o.posPrev
		return length, o.backPrev
	}
	e.optimumCurrentIndex, e.optimumEndIndex = 0, 0
	var mainLen, numPairs uint32
	if e.additionalOffset == 0 {
		mainLen, numPairs = e.readMatchDistances()
	} else {
		mainLen, numPairs = e.longestMatchLength, e.numPairs
	}
	lenEnd, done, length, back := e.firstStep(position, mainLen, numPairs)
	if done {
		return length, back
	}
	return e.walk(position, lenEnd)
}

// repLen is how far data[cur:] repeats data at distance rep+1, counting
// from 2 once the first two bytes match (0 if they do not), up to limit.
func (e *lzmaSDKEncoder) repLen(cur int, rep, limit uint32) uint32 {
	d := e.data
	back := cur - int(rep+1)
	if d[cur] != d[back] || d[cur+1] != d[back+1] {
		return 0
	}
	l := uint32(2)
	for l < limit && d[cur+int(l)] == d[back+int(l)] {
		l++
	}
	return l
}

// firstStep prices the choices at the current position into opt[1..]
// (or decides at once: a long rep or match, or nothing to match).
func (e *lzmaSDKEncoder) firstStep(position, mainLen, numPairs uint32) (lenEnd uint32, done bool, length, back uint32) {
	numAvail := e.numAvail
	if numAvail < 2 {
		return 0, true, 1, ^uint32(0)
	}
	if numAvail > lzmaMatchMax {
		numAvail = lzmaMatchMax
	}
	cur := e.mf.idx - 1
	var repLens [lzmaReps]uint32
	repMax := 0
	for i := range repLens {
		repLens[i] = e.repLen(cur, e.reps[i], numAvail)
		if repLens[i] > repLens[repMax] {
			repMax = i
		}
	}
	if repLens[repMax] >= e.fastBytes {
		e.movePos(repLens[repMax] - 1)
		return 0, true, repLens[repMax], uint32(repMax)
	}
	if mainLen >= e.fastBytes {
		e.movePos(mainLen - 1)
		return 0, true, mainLen, e.matches[numPairs-1] + lzmaReps
	}
	curByte, matchByte := e.data[cur], e.data[cur-int(e.reps[0])-1]
	if mainLen < 2 && curByte != matchByte && repLens[repMax] < 2 {
		return 0, true, 1, ^uint32(0)
	}

	state := e.state
	e.opt[0].state = state
	posState := position & e.pbMask
	e.opt[1].price = e.isMatch[state][posState].price0() + e.literalCost(state, position, cur, matchByte)
	e.opt[1].makeAsChar()
	matchPrice := e.isMatch[state][posState].price1()
	repMatchPrice := matchPrice + e.isRep[state].price1()
	if matchByte == curByte {
		shortRep := repMatchPrice + e.repLen1Price(state, posState)
		if shortRep < e.opt[1].price {
			e.opt[1].price = shortRep
			e.opt[1].makeAsShortRep()
		}
	}
	lenEnd = mainLen
	if repLens[repMax] > lenEnd {
		lenEnd = repLens[repMax]
	}
	if lenEnd < 2 {
		return 0, true, 1, e.opt[1].backPrev
	}

	e.opt[1].posPrev = 0
	e.opt[0].backs = e.reps
	for l := lenEnd; l >= 2; l-- {
		e.opt[l].price = lzmaInfinityPrice
	}
	for i, rl := range repLens {
		if rl < 2 {
			continue
		}
		price := repMatchPrice + e.pureRepPrice(uint32(i), state, posState)
		for ; rl >= 2; rl-- {
			e.offer(rl, price+e.repLenEnc.prices[posState][rl-2], 0, uint32(i))
		}
	}

	startLen := uint32(2)
	if repLens[0] >= 2 {
		startLen = repLens[0] + 1
	}
	if startLen <= mainLen {
		e.offerFirstMatches(matchPrice+e.isRep[state].price0(), posState, startLen, numPairs)
	}
	return lenEnd, false, 0, 0
}

// offerFirstMatches prices every length from startLen of the matches
// found at the current position, each length at its shortest distance.
func (e *lzmaSDKEncoder) offerFirstMatches(normalMatchPrice, posState, startLen, numPairs uint32) {
	matches := e.matches
	offs := uint32(0)
	for startLen > matches[offs] {
		offs += 2
	}
	for l := startLen; ; l++ {
		dist := matches[offs+1]
		e.offer(l, normalMatchPrice+e.lenEnc.prices[posState][l-lzmaMatchMin]+e.distPrice(dist, l), 0, dist+lzmaReps)
		if l == matches[offs] {
			offs += 2
			if offs == numPairs {
				return
			}
		}
	}
}

// literalCost prices data[at] as a literal at position in state: after
// a match its bits are coded against matchByte, the byte at rep0.
func (e *lzmaSDKEncoder) literalCost(state, position uint32, at int, matchByte byte) uint32 {
	probs := e.litProbs(position, e.data[at-1])
	if isCharState(state) {
		return literalPrice(probs, uint32(e.data[at]))
	}
	return matchedLiteralPrice(probs, uint32(e.data[at]), uint32(matchByte))
}

// offer makes opt[at] the step from posPrev with back if it is cheaper.
func (e *lzmaSDKEncoder) offer(at, price, posPrev, back uint32) {
	o := &e.opt[at]
	if price < o.price {
		o.price = price
		o.posPrev = posPrev
		o.backPrev = back
		o.prev1IsChar = false
	}
}

// offer3 is offer for a "X, literal, rep0" sequence starting at posPrev2
// with X = back2 (prev2) or with just a literal (!prev2).
func (e *lzmaSDKEncoder) offer3(at, price, posPrev uint32, prev2 bool, posPrev2, back2 uint32) {
	o := &e.opt[at]
	if price < o.price {
		o.price = price
		o.posPrev = posPrev
		o.backPrev = 0
		o.prev1IsChar = true
		o.prev2 = prev2
		if prev2 {
			o.posPrev2 = posPrev2
			o.backPrev2 = back2
		}
	}
}

func (e *lzmaSDKEncoder) repLen1Price(state, posState uint32) uint32 {
	return e.isRepG0[state].price0() + e.isRep0Long[state][posState].price0()
}

func (e *lzmaSDKEncoder) pureRepPrice(rep, state, posState uint32) uint32 {
	if rep == 0 {
		return e.isRepG0[state].price0() + e.isRep0Long[state][posState].price1()
	}
	price := e.isRepG0[state].price1()
	if rep == 1 {
		return price + e.isRepG1[state].price0()
	}
	return price + e.isRepG1[state].price1() + e.isRepG2[state].price(rep-2)
}

func (e *lzmaSDKEncoder) repPrice(rep, length, state, posState uint32) uint32 {
	return e.repLenEnc.prices[posState][length-lzmaMatchMin] + e.pureRepPrice(rep, state, posState)
}

func (e *lzmaSDKEncoder) distPrice(dist, length uint32) uint32 {
	lps := lenToPosState(length)
	if dist < fullDistances {
		return e.distancesPrices[lps][dist]
	}
	return e.alignPrices[dist&(alignSize-1)] + e.posSlotPrices[lps][posSlot(dist)]
}

// extendTo marks opt[lenEnd+1..end] unreached.
func (e *lzmaSDKEncoder) extendTo(lenEnd *uint32, end uint32) {
	for *lenEnd < end {
		*lenEnd++
		e.opt[*lenEnd].price = lzmaInfinityPrice
	}
}

// backward links the cheapest path to cur forwards from opt[0] and
// returns its first step.
func (e *lzmaSDKEncoder) backward(cur uint32) (uint32, uint32) {
	posMem, backMem := e.opt[cur].posPrev, e.opt[cur].backPrev
	e.optimumEndIndex = cur
	for {
		if e.opt[cur].prev1IsChar {
			e.opt[posMem].makeAsChar()
			e.opt[posMem].posPrev = posMem - 1
			if e.opt[cur].prev2 {
				e.opt[posMem-1].prev1IsChar = false
				e.opt[posMem-1].posPrev = e.opt[cur].posPrev2
				e.opt[posMem-1].backPrev = e.opt[cur].backPrev2
			}
		}
		posPrev, backCur := posMem, backMem
		backMem, posMem = e.opt[posPrev].backPrev, e.opt[posPrev].posPrev
		e.opt[posPrev].backPrev, e.opt[posPrev].posPrev = backCur, cur
		cur = posPrev
		if cur == 0 {
			break
		}
	}
	e.optimumCurrentIndex = e.opt[0].posPrev
	return e.optimumCurrentIndex, e.opt[0].backPrev
}

// stateAt works out the coder state and rep distances on arriving at
// opt[cur] by its chosen step, and records them there.
func (e *lzmaSDKEncoder) stateAt(cur uint32) (uint32, [lzmaReps]uint32) {
	o := &e.opt[cur]
	posPrev := o.posPrev
	var state uint32
	if o.prev1IsChar {
		posPrev--
		if o.prev2 {
			state = e.opt[o.posPrev2].state
			if o.backPrev2 < lzmaReps {
				state = repNextState[state]
			} else {
				state = matchNextState[state]
			}
		} else {
			state = e.opt[posPrev].state
		}
		state = literalNextState[state]
	} else {
		state = e.opt[posPrev].state
	}
	var reps [lzmaReps]uint32
	if posPrev == cur-1 {
		if o.isShortRep() {
			state = shortRepNextState[state]
		} else {
			state = literalNextState[state]
		}
		// Reps are unchanged by a literal or short rep; the SDK reuses
		// the previous position's, which this one inherits below.
		reps = e.opt[posPrev].backs
	} else {
		var pos uint32
		if o.prev1IsChar && o.prev2 {
			posPrev = o.posPrev2
			pos = o.backPrev2
			state = repNextState[state]
		} else {
			pos = o.backPrev
			if pos < lzmaReps {
				state = repNextState[state]
			} else {
				state = matchNextState[state]
			}
		}
		prev := &e.opt[posPrev].backs
		if pos < lzmaReps {
			reps[0] = prev[pos]
			i := uint32(1)
			for ; i <= pos; i++ {
				reps[i] = prev[i-1]
			}
			for ; i < lzmaReps; i++ {
				reps[i] = prev[i]
			}
		} else {
			reps[0] = pos - lzmaReps
			for i := 1; i < lzmaReps; i++ {
				reps[i] = prev[i-1]
			}
		}
	}
	o.state = state
	o.backs = reps
	return state, reps
}

// walk advances through opt[1..lenEnd], pricing the choices at each
// reached position, until the parse is settled; then returns its first
// step.
func (e *lzmaSDKEncoder) walk(position, lenEnd uint32) (uint32, uint32) {
	for cur := uint32(1); ; cur++ {
		if cur == lenEnd {
			return e.backward(cur)
		}
		newLen, numPairs := e.readMatchDistances()
		if newLen >= e.fastBytes {
			e.numPairs = numPairs
			e.longestMatchLength = newLen
			return e.backward(cur)
		}
		position++
		e.stepFrom(cur, position, newLen, numPairs, &lenEnd)
	}
}

// stepFrom prices every choice that starts at opt[cur].
func (e *lzmaSDKEncoder) stepFrom(cur, position, newLen, numPairs uint32, lenEnd *uint32) {
	state, reps := e.stateAt(cur)
	curPrice := e.opt[cur].price
	at := e.mf.idx - 1
	curByte, matchByte := e.data[at], e.data[at-int(reps[0])-1]
	posState := position & e.pbMask

	curAnd1Price := curPrice + e.isMatch[state][posState].price0() + e.literalCost(state, position, at, matchByte)
	next := &e.opt[cur+1]
	nextIsChar := false
	if curAnd1Price < next.price {
		next.price = curAnd1Price
		next.posPrev = cur
		next.makeAsChar()
		nextIsChar = true
	}
	matchPrice := curPrice + e.isMatch[state][posState].price1()
	repMatchPrice := matchPrice + e.isRep[state].price1()
	if matchByte == curByte && !(next.posPrev < cur && next.backPrev == 0) {
		shortRep := repMatchPrice + e.repLen1Price(state, posState)
		if shortRep <= next.price {
			next.price = shortRep
			next.posPrev = cur
			next.makeAsShortRep()
			nextIsChar = true
		}
	}
	numAvailFull := e.numAvail
	if t := lzmaOpts - 1 - cur; t < numAvailFull {
		numAvailFull = t
	}
	if numAvailFull < 2 {
		return
	}
	numAvail := numAvailFull
	if numAvail > e.fastBytes {
		numAvail = e.fastBytes
	}
	if !nextIsChar && matchByte != curByte {
		e.tryLiteralRep0(cur, position, at, state, reps[0], curAnd1Price, numAvailFull, lenEnd)
	}
	startLen := e.tryReps(cur, position, at, state, posState, reps, repMatchPrice, numAvail, numAvailFull, lenEnd)
	if newLen > numAvail {
		newLen = numAvail
		numPairs = 0
		for newLen > e.matches[numPairs] {
			numPairs += 2
		}
		e.matches[numPairs] = newLen
		numPairs += 2
	}
	if newLen >= startLen {
		e.tryMatches(cur, position, at, state, posState, matchPrice, startLen, newLen, numPairs, numAvailFull, lenEnd)
	}
}

// tryLiteralRep0 prices "literal, then rep0" from cur.
func (e *lzmaSDKEncoder) tryLiteralRep0(cur, position uint32, at int, state, rep0, curAnd1Price, numAvailFull uint32, lenEnd *uint32) {
	d := e.data
	back := at - int(rep0+1)
	limit := e.fastBytes + 1
	if limit > numAvailFull {
		limit = numAvailFull
	}
	t := uint32(1)
	for t < limit && d[at+int(t)] == d[back+int(t)] {
		t++
	}
	lenTest2 := t - 1
	if lenTest2 < 2 {
		return
	}
	state2 := literalNextState[state]
	posStateNext := (position + 1) & e.pbMask
	nextRepMatchPrice := curAnd1Price + e.isMatch[state2][posStateNext].price1() + e.isRep[state2].price1()
	offset := cur + 1 + lenTest2
	e.extendTo(lenEnd, offset)
	e.offer3(offset, nextRepMatchPrice+e.repPrice(0, lenTest2, state2, posStateNext), cur+1, false, 0, 0)
}

// tryReps prices the four rep matches from cur, each followed by
// "literal, rep0", and returns the least length worth trying as a new
// match (past rep0's length).
func (e *lzmaSDKEncoder) tryReps(cur, position uint32, at int, state, posState uint32, reps [lzmaReps]uint32, repMatchPrice, numAvail, numAvailFull uint32, lenEnd *uint32) uint32 {
	d := e.data
	startLen := uint32(2)
	for repIndex := uint32(0); repIndex < lzmaReps; repIndex++ {
		back := at - int(reps[repIndex]+1)
		if d[at] != d[back] || d[at+1] != d[back+1] {
			continue
		}
		lenTest := uint32(2)
		for lenTest < numAvail && d[at+int(lenTest)] == d[back+int(lenTest)] {
			lenTest++
		}
		e.extendTo(lenEnd, cur+lenTest)
		price := repMatchPrice + e.pureRepPrice(repIndex, state, posState)
		for l := lenTest; l >= 2; l-- {
			e.offer(cur+l, price+e.repLenEnc.prices[posState][l-2], cur, repIndex)
		}
		if repIndex == 0 {
			startLen = lenTest + 1
		}
		step := chosenStep{cur: cur, length: lenTest, back: repIndex, state: repNextState[state],
			price: price + e.repLenEnc.prices[posState][lenTest-2]}
		e.tryLiteralRep0After(step, position, at, back, numAvailFull, lenEnd)
	}
	return startLen
}

// chosenStep is a rep or match from opt[cur] priced on the way.
type chosenStep struct {
	cur, length, back uint32
	state             uint32 // the coder state after it
	price             uint32 // the price up to its end
}

// tryLiteralRep0After prices step followed by a literal and then rep0
// (the step's own distance, whose bytes at from continue to match).
func (e *lzmaSDKEncoder) tryLiteralRep0After(step chosenStep, position uint32, at, from int, numAvailFull uint32, lenEnd *uint32) {
	d := e.data
	lenTest := step.length
	lenTest2 := lenTest + 1
	limit := lenTest2 + e.fastBytes
	if limit > numAvailFull {
		limit = numAvailFull
	}
	for lenTest2 < limit && d[at+int(lenTest2)] == d[from+int(lenTest2)] {
		lenTest2++
	}
	lenTest2 -= lenTest + 1
	if lenTest2 < 2 {
		return
	}
	posStateNext := (position + lenTest) & e.pbMask
	litPrice := step.price + e.isMatch[step.state][posStateNext].price0() +
		matchedLiteralPrice(e.litProbs(position+lenTest, d[at+int(lenTest)-1]), uint32(d[at+int(lenTest)]), uint32(d[from+int(lenTest)]))
	state2 := literalNextState[step.state]
	posStateNext = (position + lenTest + 1) & e.pbMask
	nextRepMatchPrice := litPrice + e.isMatch[state2][posStateNext].price1() + e.isRep[state2].price1()
	offset := step.cur + lenTest + 1 + lenTest2
	e.extendTo(lenEnd, offset)
	e.offer3(offset, nextRepMatchPrice+e.repPrice(0, lenTest2, state2, posStateNext), step.cur+lenTest+1, true, step.cur, step.back)
}

// tryMatches prices new matches of startLen..newLen from cur, and after
// each pair's longest length "literal, then rep0".
func (e *lzmaSDKEncoder) tryMatches(cur, position uint32, at int, state, posState, matchPrice, startLen, newLen, numPairs, numAvailFull uint32, lenEnd *uint32) {
	matches := e.matches
	normalMatchPrice := matchPrice + e.isRep[state].price0()
	e.extendTo(lenEnd, cur+newLen)
	offs := uint32(0)
	for startLen > matches[offs] {
		offs += 2
	}
	curBack := matches[offs+1]
	for lenTest := startLen; ; lenTest++ {
		curAndLenPrice := normalMatchPrice + e.lenEnc.prices[posState][lenTest-lzmaMatchMin] + e.distPrice(curBack, lenTest)
		e.offer(cur+lenTest, curAndLenPrice, cur, curBack+lzmaReps)
		if lenTest != matches[offs] {
			continue
		}
		step := chosenStep{cur: cur, length: lenTest, back: curBack + lzmaReps, state: matchNextState[state], price: curAndLenPrice}
		e.tryLiteralRep0After(step, position, at, at-int(curBack+1), numAvailFull, lenEnd)
		offs += 2
		if offs == numPairs {
			break
		}
		curBack = matches[offs+1]
	}
}
