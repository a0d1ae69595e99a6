package fit

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"sort"
	"strings"
	"sync"

	"github.com/rules-firmware/rules_firmware/tools/fastsha256"
	"github.com/rules-firmware/rules_firmware/tools/lazymap"
)

// hashAlgos are the digests a FIT hash node may name in its "algo"
// property: the set mkimage 2023.01 accepts. U-Boot stores crc32 (the
// zlib/IEEE polynomial) as 4 bytes and crc16-ccitt (XMODEM: polynomial
// 0x1021, initial value 0, no reflection) as 2 bytes, both big-endian; the
// others are the plain digest bytes.
var hashAlgos = &lazymap.Map[string, func() hash.Hash]{New: func() map[string]func() hash.Hash {
	return map[string]func() hash.Hash{
		"crc16-ccitt": func() hash.Hash { return new(crc16CCITT) },
		"crc32":       func() hash.Hash { return crc32BE{crc32.NewIEEE()} },
		"md5":         md5.New,
		"sha1":        sha1.New,
		"sha256":      fastsha256.New,
		"sha384":      sha512.New384,
		"sha512":      sha512.New,
	}
}}

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
	names := make([]string, 0, len(hashAlgos.Get()))
	for n := range hashAlgos.Get() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Digest computes the value a hash node with the given algo stores for data.
func Digest(algo string, data ...[]byte) ([]byte, error) {
	newHash, ok := hashAlgos.Get()[algo]
	if !ok {
		return nil, fmt.Errorf("unsupported hash algorithm %q (supported: %s)", algo, strings.Join(HashAlgorithms(), ", "))
	}
	h := newHash()
	for _, d := range data {
		h.Write(d)
	}
	return h.Sum(nil), nil
}

// crc16CCITT is CRC-16/XMODEM, what U-Boot calls crc16-ccitt when it starts
// from 0 (as its FIT hash code does).
type crc16CCITT uint16

// crc16Table is built by the first crc16-ccitt hash, not at every start of
// fwtool.
var (
	crc16Once sync.Once
	crc16Tab  [256]uint16
)

func crc16Table() *[256]uint16 {
	crc16Once.Do(func() { crc16Tab = makeCRC16Table() })
	return &crc16Tab
}

func makeCRC16Table() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for b := 0; b < 8; b++ {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}

func (c *crc16CCITT) Write(p []byte) (int, error) {
	v := uint16(*c)
	t := crc16Table()
	for _, b := range p {
		v = v<<8 ^ t[byte(v>>8)^b]
	}
	*c = crc16CCITT(v)
	return len(p), nil
}

func (c *crc16CCITT) Sum(b []byte) []byte { return append(b, byte(*c>>8), byte(*c)) }
func (c *crc16CCITT) Reset()              { *c = 0 }
func (c *crc16CCITT) Size() int           { return 2 }
func (c *crc16CCITT) BlockSize() int      { return 1 }
