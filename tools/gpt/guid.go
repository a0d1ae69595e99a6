package gpt

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
)

// GUID is a GUID in its on-disk byte order: the first three fields are
// little-endian, the last two are stored as written.
type GUID [16]byte

// ParseGUID parses the textual form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx
// (either case).
func ParseGUID(s string) (GUID, error) {
	var g GUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return g, fmt.Errorf("invalid GUID %q: want the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", s)
	}
	raw, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil {
		return g, fmt.Errorf("invalid GUID %q: not hexadecimal", s)
	}
	return fromBigEndian(raw), nil
}

// fromBigEndian converts the 16 bytes of the textual (RFC 4122) order into
// the on-disk mixed-endian order.
func fromBigEndian(b []byte) GUID {
	var g GUID
	g[0], g[1], g[2], g[3] = b[3], b[2], b[1], b[0]
	g[4], g[5] = b[5], b[4]
	g[6], g[7] = b[7], b[6]
	copy(g[8:], b[8:16])
	return g
}

func (g GUID) bigEndian() [16]byte {
	var b [16]byte
	b[0], b[1], b[2], b[3] = g[3], g[2], g[1], g[0]
	b[4], b[5] = g[5], g[4]
	b[6], b[7] = g[7], g[6]
	copy(b[8:], g[8:16])
	return b
}

// String returns the lowercase textual form.
func (g GUID) String() string {
	b := g.bigEndian()
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// IsZero reports whether g is the all-zero (unused entry) GUID.
func (g GUID) IsZero() bool { return g == GUID{} }

// NameSpace is the namespace of the name-based GUIDs that DeriveGUID makes:
// itself the RFC 4122 version 5 GUID of "rules_firmware disk" in the URL
// namespace, so it is reproducible from that sentence alone
// (TestNameSpaceDerived derives it). Written out so that it is static data,
// not a SHA-1 computed at every start of fwtool.
var NameSpace = GUID{0xd0, 0x2d, 0x62, 0x98, 0x79, 0x59, 0xc5, 0x5f, 0x94, 0x7a, 0x02, 0x4d, 0xa7, 0x45, 0x8d, 0xe4}

// NewV5 returns the RFC 4122 version 5 (SHA-1, name-based) GUID of name in
// namespace ns.
func NewV5(ns GUID, name string) GUID {
	nsb := ns.bigEndian()
	h := sha1.New()
	h.Write(nsb[:])
	h.Write([]byte(name))
	sum := h.Sum(nil)
	sum[6] = sum[6]&0x0f | 0x50
	sum[8] = sum[8]&0x3f | 0x80
	return fromBigEndian(sum[:16])
}

// DeriveGUID is how disk and partition GUIDs are made when not given: a
// version 5 GUID of seed (the build target's label) and what (for example
// "disk" or "partition/rootfs") in NameSpace. Same inputs, same GUID.
func DeriveGUID(seed, what string) GUID {
	return NewV5(NameSpace, seed+"\x00"+what)
}

func mustParse(s string) GUID {
	g, err := ParseGUID(s)
	if err != nil {
		panic(err)
	}
	return g
}
