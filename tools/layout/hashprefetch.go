package layout

import (
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"github.com/rules-firmware/rules_firmware/tools/bigbuf"
)

// Digests of whole input files (and file regions) do not depend on
// packing: a blob's data is the file it names. Build starts hashing them
// when the entries have their contents, so the hashing runs on the cores
// the compressors leave idle (a compressed section's encoder ends every
// block on its own schedule) instead of after packing, in the middle of
// the build's critical path; computeHashes then takes the digest of any
// entry whose data is still exactly that region.

// digestKey names the digest of one input-file region.
type digestKey struct {
	algo   string
	region fileRegion
}

// pendingDigest is a digest being computed: sum and err are set before
// done is closed.
type pendingDigest struct {
	done chan struct{}
	sum  []byte
	err  error
}

// wholeRegion returns the file region c consists of, when c is exactly
// one region (a blob's contents).
func wholeRegion(c content) (fileRegion, bool) {
	if len(c.pieces) != 1 || c.pieces[0].at != 0 {
		return fileRegion{}, false
	}
	r, ok := c.pieces[0].src.(fileRegion)
	return r, ok && r.n == c.size
}

// startDigests starts hashing, in the background, every input-file region
// a hashed entry's contents are, largest first. The map is complete before
// any worker runs and only read afterwards.
func (img *Image) startDigests() {
	var keys []digestKey
	img.digests = map[digestKey]*pendingDigest{}
	img.Walk(func(e Entry, _ int) {
		b := e.b()
		if b.hashAlgo == "" || newHash(b.hashAlgo) == nil {
			return
		}
		r, ok := wholeRegion(b.contents)
		if !ok {
			return
		}
		k := digestKey{b.hashAlgo, r}
		if img.digests[k] == nil {
			img.digests[k] = &pendingDigest{done: make(chan struct{})}
			keys = append(keys, k)
		}
	})
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].region.n > keys[j].region.n })
	digests, early := img.digests, img.early
	img.digestsDone = make(chan struct{})
	go func() {
		defer close(img.digestsDone)
		forEachIndex(len(keys), func(i int) {
			k := keys[i]
			d := digests[k]
			var out *os.File
			at, placed := uint64(0), false
			if early != nil {
				if at, placed = early.claim(k.region); placed {
					out = early.f
				}
			}
			var copied bool
			d.sum, copied, d.err = hashRegion(k, out, at)
			if placed {
				early.finished(at, k.region, copied)
			}
			close(d.done)
		})
	}()
}

// regionDigest is the digest startDigests computed for e's contents, or
// nil when it has none for them (or failed: the caller then hashes the
// contents itself and reports the error in its own words).
func (img *Image) regionDigest(b *base) []byte {
	r, ok := wholeRegion(b.contents)
	if !ok {
		return nil
	}
	d := img.digests[digestKey{b.hashAlgo, r}]
	if d == nil {
		return nil
	}
	<-d.done
	if d.err != nil {
		return nil
	}
	return append([]byte(nil), d.sum...)
}

// hashBufSize is the read size for hashing: large enough that system
// calls cost little next to the copy, small enough to stay in cache.
const hashBufSize = 256 << 10

// hashBufs holds the digest workers' read buffers, cut from huge pages
// (two fresh 256 KiB slices took 128 page faults; the SPI layout: ~90
// fewer faults, CPU 0.95-0.97x paired).
var hashBufs = sync.Pool{New: func() interface{} {
	b := hashBufRegion.Cut(hashBufSize)
	return &b
}}

var hashBufRegion bigbuf.Region

// hashRegion hashes a file region, read in cache-sized pieces. With out
// set it also writes what it reads to out from at (below);
// copied says that all of it got there.
func hashRegion(k digestKey, out *os.File, at uint64) (sum []byte, copied bool, err error) {
	h := newHash(k.algo)
	f, err := os.Open(k.region.path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	bp := hashBufs.Get().(*[]byte)
	defer hashBufs.Put(bp)
	buf := *bp
	copied = out != nil
	for pos, end := k.region.off, k.region.off+k.region.n; pos < end; {
		n := int(minU64(uint64(len(buf)), end-pos))
		got, err := f.ReadAt(buf[:n], int64(pos))
		if got < n {
			if err == nil || err == io.EOF {
				err = fmt.Errorf("%s: file shrank while building", k.region.path)
			}
			return nil, false, err
		}
		h.Write(buf[:n])
		if copied && !allZero(buf[:n]) { // zeros stay a hole, as copyRegion keeps them
			_, werr := out.WriteAt(buf[:n], int64(at+pos-k.region.off))
			copied = werr == nil
		}
		pos += uint64(n)
	}
	return h.Sum(nil), copied, nil
}
