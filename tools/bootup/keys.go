package bootup

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// Signer makes an image's authenticity tag.
type Signer interface {
	TagType() uint16
	TagLen() int
	Sign(msg []byte) ([]byte, error)
}

// Verifier checks an authenticity tag.
type Verifier interface {
	Verify(tagType uint16, msg, tag []byte) error
}

type ed25519Key struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
}

func (k ed25519Key) TagType() uint16 { return TagEd25519 }
func (k ed25519Key) TagLen() int     { return ed25519.SignatureSize }
func (k ed25519Key) Sign(msg []byte) ([]byte, error) {
	return ed25519.Sign(k.priv, msg), nil
}
func (k ed25519Key) Verify(typ uint16, msg, tag []byte) error {
	if typ != TagEd25519 {
		return fmt.Errorf("tag type %d but the key is Ed25519", typ)
	}
	if !ed25519.Verify(k.pub, msg, tag) {
		return errors.New("Ed25519 signature does not verify with the given key")
	}
	return nil
}

type rsaKey struct {
	priv *rsa.PrivateKey
	pub  *rsa.PublicKey
}

func (k rsaKey) TagType() uint16 { return TagRSA }
func (k rsaKey) TagLen() int     { return k.pub.Size() }

// Sign uses PKCS#1 v1.5, which is deterministic: same key and image, same
// bytes (PSS would salt every build differently).
func (k rsaKey) Sign(msg []byte) ([]byte, error) {
	d := sha256.Sum256(msg)
	return rsa.SignPKCS1v15(rand.Reader, k.priv, crypto.SHA256, d[:])
}
func (k rsaKey) Verify(typ uint16, msg, tag []byte) error {
	if typ != TagRSA {
		return fmt.Errorf("tag type %d but the key is RSA", typ)
	}
	d := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(k.pub, crypto.SHA256, d[:], tag); err != nil {
		return errors.New("RSA signature does not verify with the given key")
	}
	return nil
}

// NewEd25519Signer wraps a private key (also a Verifier).
func NewEd25519Signer(priv ed25519.PrivateKey) interface {
	Signer
	Verifier
} {
	return ed25519Key{priv: priv, pub: priv.Public().(ed25519.PublicKey)}
}

// NewRSASigner wraps a private key (also a Verifier).
func NewRSASigner(priv *rsa.PrivateKey) interface {
	Signer
	Verifier
} {
	return rsaKey{priv: priv, pub: &priv.PublicKey}
}

// LoadSigner reads an Ed25519 or RSA private key from a PEM file (PKCS#8,
// or PKCS#1 for RSA). Errors name the file, never key material.
func LoadSigner(path string) (Signer, error) {
	blocks, err := pemBlocks(path)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		if k, err := privateKey(b); err == nil && k != nil {
			return k.(Signer), nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
	}
	return nil, fmt.Errorf("%s: no Ed25519 or RSA private key PEM block", path)
}

// LoadVerifier reads an Ed25519 or RSA public key (PKIX "PUBLIC KEY",
// certificate, or a private key file).
func LoadVerifier(path string) (Verifier, error) {
	blocks, err := pemBlocks(path)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		var pub interface{}
		switch b.Type {
		case "PUBLIC KEY":
			if pub, err = x509.ParsePKIXPublicKey(b.Bytes); err != nil {
				return nil, fmt.Errorf("%s: bad public key", path)
			}
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%s: bad certificate", path)
			}
			pub = c.PublicKey
		default:
			k, err := privateKey(b)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", path, err)
			}
			if k != nil {
				return k.(Verifier), nil
			}
			continue
		}
		switch p := pub.(type) {
		case ed25519.PublicKey:
			return ed25519Key{pub: p}, nil
		case *rsa.PublicKey:
			return rsaKey{pub: p}, nil
		}
		return nil, fmt.Errorf("%s: key is neither Ed25519 nor RSA", path)
	}
	return nil, fmt.Errorf("%s: no public key, certificate or private key PEM block", path)
}

func pemBlocks(path string) ([]*pem.Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*pem.Block
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out, nil
		}
		out = append(out, b)
	}
}

// privateKey returns nil, nil for blocks that hold no private key.
func privateKey(b *pem.Block) (interface{}, error) {
	switch b.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
		if err != nil {
			return nil, errors.New("bad RSA private key")
		}
		return NewRSASigner(k), nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return nil, errors.New("bad private key")
		}
		switch p := k.(type) {
		case ed25519.PrivateKey:
			return NewEd25519Signer(p), nil
		case *rsa.PrivateKey:
			return NewRSASigner(p), nil
		}
		return nil, errors.New("private key is neither Ed25519 nor RSA")
	}
	return nil, nil
}
