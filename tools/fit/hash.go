package fit

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"sort"
)

// hashAlgos are the digests a FIT hash node may name in its "algo"
// property. U-Boot stores crc32 (the zlib/IEEE polynomial) as 4 bytes in
// big-endian order; the others are the plain digest bytes.
var hashAlgos = map[string]func() hash.Hash{
	"crc32":  func() hash.Hash { return crc32BE{crc32.NewIEEE()} },
	"sha1":   sha1.New,
	"sha256": sha256.New,
	"sha384": sha512.New384,
	"sha512": sha512.New,
}

// crc32BE renders the checksum big-endian, which is what hash.Hash32's Sum
// already does; the wrapper only documents that choice in one place.
type crc32BE struct{ hash.Hash32 }

func (c crc32BE) Sum(b []byte) []byte {
	var v [4]byte
	binary.BigEndian.PutUint32(v[:], c.Sum32())
	return append(b, v[:]...)
}

// HashAlgorithms lists the hash node algorithms in a stable order.
func HashAlgorithms() []string {
	names := make([]string, 0, len(hashAlgos))
	for n := range hashAlgos {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Digest computes the value a hash node with the given algo stores for data.
func Digest(algo string, data ...[]byte) ([]byte, error) {
	newHash, ok := hashAlgos[algo]
	if !ok {
		return nil, fmt.Errorf("unsupported hash algorithm %q (supported: crc32, sha1, sha256, sha384, sha512)", algo)
	}
	h := newHash()
	for _, d := range data {
		h.Write(d)
	}
	return h.Sum(nil), nil
}
