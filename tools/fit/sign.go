package fit

import (
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/lazymap"
)

// SigAlgo is a parsed signature "algo" value such as "sha256,rsa2048".
type SigAlgo struct {
	Name     string // the whole value, as written into key nodes
	Checksum string // sha1, sha256, sha384 or sha512
	KeyBits  int    // 2048, 3072 or 4096
}

var checksumHashes = &lazymap.Map[string, crypto.Hash]{New: func() map[string]crypto.Hash {
	return map[string]crypto.Hash{
		"sha1":   crypto.SHA1,
		"sha256": crypto.SHA256,
		"sha384": crypto.SHA384,
		"sha512": crypto.SHA512,
	}
}}

// ParseSigAlgo accepts U-Boot's "<checksum>,rsa<bits>" algorithm names.
func ParseSigAlgo(name string) (SigAlgo, error) {
	parts := strings.Split(name, ",")
	if len(parts) != 2 {
		return SigAlgo{}, fmt.Errorf("signature algo %q: want \"<checksum>,<crypto>\" such as \"sha256,rsa2048\"", name)
	}
	if _, ok := checksumHashes.Get()[parts[0]]; !ok {
		return SigAlgo{}, fmt.Errorf("signature algo %q: unsupported checksum %q (sha1, sha256, sha384, sha512)", name, parts[0])
	}
	var bits int
	switch parts[1] {
	case "rsa2048":
		bits = 2048
	case "rsa3072":
		bits = 3072
	case "rsa4096":
		bits = 4096
	default:
		return SigAlgo{}, fmt.Errorf("signature algo %q: unsupported crypto %q (rsa2048, rsa3072, rsa4096)", name, parts[1])
	}
	return SigAlgo{Name: name, Checksum: parts[0], KeyBits: bits}, nil
}

// Padding names as in a signature node's "padding" property.
const (
	PaddingPKCS15 = "pkcs-1.5"
	PaddingPSS    = "pss"
)

// regionDigest hashes the regions of fit in order with algo's checksum.
func regionDigest(algo SigAlgo, fit []byte, regions []Region) []byte {
	h := checksumHashes.Get()[algo.Checksum].New()
	for _, r := range regions {
		h.Write(fit[r.Offset : r.Offset+r.Size])
	}
	return h.Sum(nil)
}

// Sign signs digest (already computed with algo's checksum) with key.
// PSS uses the largest salt, like OpenSSL's default; the salt bytes come
// from an HMAC of the digest under the private exponent, so signing the
// same FIT with the same key gives the same bytes.
func Sign(key *rsa.PrivateKey, algo SigAlgo, padding string, digest []byte) ([]byte, error) {
	if key.N.BitLen() != algo.KeyBits {
		return nil, fmt.Errorf("key is %d bits but algo %q needs %d", key.N.BitLen(), algo.Name, algo.KeyBits)
	}
	hash := checksumHashes.Get()[algo.Checksum]
	switch padding {
	case "", PaddingPKCS15:
		return rsa.SignPKCS1v15(nil, key, hash, digest)
	case PaddingPSS:
		return rsa.SignPSS(&saltStream{key: key.D.Bytes(), seed: digest}, key, hash, digest,
			&rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: hash})
	}
	return nil, fmt.Errorf("unsupported padding %q (pkcs-1.5, pss)", padding)
}

// saltStream is an HMAC-SHA256 counter-mode byte stream.
type saltStream struct {
	key, seed []byte
	counter   uint32
	buf       []byte
}

func (s *saltStream) Read(p []byte) (int, error) {
	for len(s.buf) < len(p) {
		m := hmac.New(sha256.New, s.key)
		m.Write(s.seed)
		var c [4]byte
		binary.BigEndian.PutUint32(c[:], s.counter)
		s.counter++
		m.Write(c[:])
		s.buf = m.Sum(s.buf)
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// VerifySignature checks sig over digest with pub.
func VerifySignature(pub *rsa.PublicKey, algo SigAlgo, padding string, digest, sig []byte) error {
	hash := checksumHashes.Get()[algo.Checksum]
	switch padding {
	case "", PaddingPKCS15:
		return rsa.VerifyPKCS1v15(pub, hash, digest, sig)
	case PaddingPSS:
		return rsa.VerifyPSS(pub, hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: hash})
	}
	return fmt.Errorf("unsupported padding %q (pkcs-1.5, pss)", padding)
}

// LoadPrivateKey reads an RSA private key from a PEM file (PKCS#1 or
// PKCS#8). Errors name the file but never include key material.
func LoadPrivateKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for rest := data; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return nil, fmt.Errorf("%s: no RSA private key PEM block", path)
		}
		switch blk.Type {
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%s: bad RSA private key", path)
			}
			return k, nil
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%s: bad private key", path)
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("%s: private key is not RSA", path)
			}
			return rk, nil
		}
	}
}

// LoadPublicKey reads an RSA public key from a PEM certificate, public key
// or private key file (mkimage reads NAME.crt; a private key also works).
func LoadPublicKey(path string) (*rsa.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for rest := data; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return nil, fmt.Errorf("%s: no RSA certificate or key PEM block", path)
		}
		var pub interface{}
		switch blk.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%s: bad certificate: %v", path, err)
			}
			pub = c.PublicKey
		case "PUBLIC KEY":
			if pub, err = x509.ParsePKIXPublicKey(blk.Bytes); err != nil {
				return nil, fmt.Errorf("%s: bad public key", path)
			}
		case "RSA PUBLIC KEY":
			if pub, err = x509.ParsePKCS1PublicKey(blk.Bytes); err != nil {
				return nil, fmt.Errorf("%s: bad RSA public key", path)
			}
		case "RSA PRIVATE KEY", "PRIVATE KEY":
			k, err := LoadPrivateKey(path)
			if err != nil {
				return nil, err
			}
			return &k.PublicKey, nil
		default:
			continue
		}
		rk, ok := pub.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%s: key is not RSA", path)
		}
		return rk, nil
	}
}

// PublicKeyProps are the properties U-Boot's verifier reads from a
// /signature/key-NAME node: the modulus and R^2 mod n as big-endian 32-bit
// words (R = 2^bits), and -1/n mod 2^32 for Montgomery multiplication.
type PublicKeyProps struct {
	NumBits   uint32
	N0Inverse uint32
	Exponent  uint64
	Modulus   []byte
	RSquared  []byte
}

// KeyProps computes the public-key properties mkimage writes for pub.
func KeyProps(pub *rsa.PublicKey) PublicKeyProps {
	n := pub.N
	bits := n.BitLen()
	two32 := new(big.Int).Lsh(big.NewInt(1), 32)
	inv := new(big.Int).ModInverse(new(big.Int).Mod(n, two32), two32)
	n0inv := uint32(0)
	if inv != nil { // n is odd for any RSA key; an even one has no inverse
		n0inv = uint32(new(big.Int).Sub(two32, inv).Uint64())
	}
	r := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	rr := new(big.Int).Mod(new(big.Int).Mul(r, r), n)
	return PublicKeyProps{
		NumBits:   uint32(bits),
		N0Inverse: n0inv,
		Exponent:  uint64(pub.E),
		Modulus:   bigWords(n, bits/32),
		RSquared:  bigWords(rr, bits/32),
	}
}

// bigWords renders the low nwords 32-bit words of v, most significant first.
func bigWords(v *big.Int, nwords int) []byte {
	out := make([]byte, nwords*4)
	b := v.Bytes()
	if len(b) > len(out) {
		b = b[len(b)-len(out):]
	}
	copy(out[len(out)-len(b):], b)
	return out
}
