package layout

import (
	"crypto/sha1"
	"crypto/sha512"
	"hash"
	"hash/crc32"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/rules-firmware/rules_firmware/tools/fastsha256"
)

func newHash(algo string) hash.Hash {
	switch algo {
	case "sha256":
		return fastsha256.New()
	case "sha1":
		return sha1.New()
	case "sha512":
		return sha512.New()
	case "crc32":
		return crc32.NewIEEE()
	}
	return nil
}

// computeHashes sets each hashed entry's digest of its data (compressed
// data if compressed, padding excluded), as binman's hash subnode does.
// Data is streamed; only overlapping contents are rendered. Entries are
// hashed concurrently (each digest depends only on its own entry's data),
// the largest first so that no core is left hashing one big entry alone
// at the end; the first error in walk order is reported, as a sequential
// walk would.
func (img *Image) computeHashes(s *Section) error {
	var hashed []*base
	img.Walk(func(e Entry, _ int) {
		if b := e.b(); b.hashAlgo != "" {
			hashed = append(hashed, b)
		}
	})
	order := make([]int, len(hashed))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		return hashed[order[i]].contents.size > hashed[order[j]].contents.size
	})
	errs := make([]error, len(hashed))
	forEachIndex(len(hashed), func(k int) {
		i := order[k]
		b := hashed[i]
		h := newHash(b.hashAlgo)
		if h == nil {
			return // an algorithm binman never computes without -u
		}
		if sum := img.regionDigest(b); sum != nil {
			b.hashValue = sum
			return
		}
		if err := b.contents.writeTo(h); err != nil {
			errs[i] = b.errorf("cannot hash contents: %v", err)
			return
		}
		b.hashValue = h.Sum(nil)
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// forEachIndex calls fn(0) ... fn(n-1) on up to GOMAXPROCS goroutines and
// returns when all calls have returned. fn must only touch state of its
// own index.
func forEachIndex(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var next int64 = -1
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// placeholderHash gives the fdtmap a digest-sized value before the first
// pass, so the fdtmap does not change size when the digest is known.
func placeholderHash(algo string) []byte {
	if h := newHash(algo); h != nil {
		return make([]byte, h.Size())
	}
	return nil
}
