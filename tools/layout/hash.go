package layout

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"hash/crc32"
)

func newHash(algo string) hash.Hash {
	switch algo {
	case "sha256":
		return sha256.New()
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
// Data is streamed; only overlapping contents are rendered.
func (img *Image) computeHashes(s *Section) error {
	var err error
	img.Walk(func(e Entry, _ int) {
		b := e.b()
		if err != nil || b.hashAlgo == "" {
			return
		}
		h := newHash(b.hashAlgo)
		if werr := b.contents.writeTo(h); werr != nil {
			err = b.errorf("cannot hash contents: %v", werr)
			return
		}
		b.hashValue = h.Sum(nil)
	})
	return err
}

// placeholderHash gives the fdtmap a digest-sized value before the first
// pass, so the fdtmap does not change size when the digest is known.
func placeholderHash(algo string) []byte {
	if h := newHash(algo); h != nil {
		return make([]byte, h.Size())
	}
	return nil
}
