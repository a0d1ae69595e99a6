package layout

import (
	"fmt"
	"os"
	"sync"
)

// Writing blobs while a section still compresses. In an image such as a
// SPI flash with a compressed section after its blobs, the compressor
// keeps every core busy for most of the build and the image write comes
// after it on one core; copying the blobs is the largest part of that
// write. The blobs' places are known once the image's first packing pass
// has reached the section, and their hash nodes read them anyway (on the
// cores the compressor leaves, hashprefetch.go): so the digest workers
// write what they read to the blob's place in the output file too, and
// the final write skips those pieces (blobs without a hash node are
// copied by the final write, as before). An image of a given size with a
// non-zero pad byte gets that byte written from the last blob placed to
// its end as well, so the final write only overwrites the section, the
// fdtmap and the like in pages that are already there, instead of
// allocating the whole padded tail. It is only an early copy: the final
// write checks that every piece written early is in the image at that
// place, and rewrites the file from scratch otherwise.

// earlyWriter collects where the image's leading blobs go and which of
// them the digest workers wrote there.
type earlyWriter struct {
	f       *os.File
	mu      sync.Mutex
	places  map[fileRegion]uint64 // region -> offset in the image
	claimed map[fileRegion]bool   // regions a digest worker copies
	end     uint64                // end of the last place (places only go up)
	settled chan struct{}         // closed when places no longer change
	closed  bool                  // placing is over
	wrote   []piece               // pieces written whole at their place
	tail    piece                 // the pad bytes written after them (a fill)
	tailing sync.WaitGroup        // the tail's writer
	dirty   bool                  // a write failed or stopped halfway
}

func newEarlyWriter(f *os.File) *earlyWriter {
	return &earlyWriter{f: f, places: map[fileRegion]uint64{}, claimed: map[fileRegion]bool{}, settled: make(chan struct{})}
}

// place records that a top-level entry of the first packing pass starts
// at its offset with exactly the bytes of a file region.
func (w *earlyWriter) place(s *Section, e Entry) {
	b := e.b()
	r, ok := wholeRegion(b.contents)
	if !ok || b.overlap || b.compressed || b.absent || b.offset < s.skipAtStart {
		return
	}
	at := b.offset - s.skipAtStart + b.padBefore
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, dup := w.places[r]; dup || at < w.end || w.closed {
		return
	}
	w.places[r] = at
	w.end = at + r.n
}

// done ends placing: the digest workers wait for it before they look up
// a region's place.
func (w *earlyWriter) done() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.closed = true
		close(w.settled)
	}
}

// padTail writes the pad byte of the image s from the last place to its
// end, while s packs a compressed section, where s has a size and the
// byte is not zero (zeros are a hole already). Placing must be over.
func (w *earlyWriter) padTail(s *Section) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s.size <= w.end || s.padByte == 0 || w.tail.src != nil {
		return
	}
	w.tail = piece{at: w.end, src: fill{s.padByte, s.size - w.end}}
	w.tailing.Add(1)
	go func(at uint64, fl fill) {
		defer w.tailing.Done()
		if err := writeFill(w.f, at, fl.value, fl.n); err != nil {
			w.mu.Lock()
			w.dirty = true
			w.mu.Unlock()
		}
	}(w.tail.at, w.tail.src.(fill))
}

// claim waits until placing is over and returns where r goes, if it was
// placed and no one copies it yet (a region hashed with two algorithms
// is copied once).
func (w *earlyWriter) claim(r fileRegion) (uint64, bool) {
	<-w.settled
	w.mu.Lock()
	defer w.mu.Unlock()
	at, ok := w.places[r]
	if !ok || w.claimed[r] {
		return 0, false
	}
	w.claimed[r] = true
	return at, true
}

// finished records the outcome of copying r to at: whole, or not.
func (w *earlyWriter) finished(at uint64, r fileRegion, whole bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if whole {
		w.wrote = append(w.wrote, piece{at: at, src: r})
	} else {
		w.dirty = true
	}
}

// remaining returns what is left to write of the final contents c once
// the digest workers are done: c without the pieces already in place, and
// how far the file is written (no hole may be left before that: the pad
// bytes are there). If something was written that is not in c at that
// place, f is emptied and all of c is left to write.
func (w *earlyWriter) remaining(c content) (content, uint64, error) {
	w.tailing.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.wrote) == 0 && w.tail.src == nil && !w.dirty {
		return c, 0, nil
	}
	inPlace := map[piece]bool{}
	for _, p := range w.wrote {
		inPlace[p] = true
	}
	// Skipping is safe only where no other piece overlaps the ones in
	// place (a later write of an overlapping piece would land on them);
	// the padded tail must be covered by pieces, without gaps.
	disjoint, tiled := true, true
	var end uint64
	for _, p := range c.pieces {
		disjoint = disjoint && p.at >= end
		tiled = tiled && p.at == end
		if e := p.at + p.src.len(); e > end {
			end = e
		}
	}
	tiled = tiled && end == c.size
	var tailEnd uint64
	tail, padded := w.tail.src.(fill)
	if padded {
		tailEnd = w.tail.at + tail.n
	}
	out := content{size: c.size}
	found := 0
	for _, p := range c.pieces {
		if r, ok := p.src.(fileRegion); ok && inPlace[piece{at: p.at, src: r}] {
			found++
			if disjoint {
				continue
			}
		}
		if fl, ok := p.src.(fill); ok && padded && disjoint && fl.value == tail.value && p.at >= w.tail.at && p.at+fl.n <= tailEnd {
			continue
		}
		out.pieces = append(out.pieces, p)
	}
	if w.dirty || found != len(w.wrote) || (padded && (!tiled || tailEnd != c.size)) {
		// Bytes in the file the image does not have there: start over.
		if err := w.f.Truncate(0); err != nil {
			return content{}, 0, err
		}
		return c, 0, nil
	}
	return out, tailEnd, nil
}

// WriteFile writes the image into f: an empty file, or the one Build was
// given as Options.Output, where the blobs copied early stay. name is
// the output's name for errors.
func (img *Image) WriteFile(f *os.File, name string) error {
	c, err := img.finalContents()
	if err != nil {
		return err
	}
	var written uint64
	if img.early != nil && img.early.f == f {
		<-img.digestsDone
		c, written, err = img.early.remaining(c)
	}
	if err == nil {
		err = writeContents(f, c, written)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %v", name, err)
	}
	return nil
}

// allZero reports whether b is all zero bytes; data fails at its first
// non-zero byte, so only runs of zeros cost a full scan.
func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
