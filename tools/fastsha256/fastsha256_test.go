package fastsha256

import (
	"bytes"
	"crypto/sha256"
	"math/rand"
	"testing"
)

// TestMatchesCryptoSHA256 hashes every length up to a few blocks, and a
// large buffer written in random pieces, and compares with crypto/sha256,
// including Sum in the middle of a stream.
func TestMatchesCryptoSHA256(t *testing.T) {
	t.Logf("SHA instructions used: %v", useSHANI())
	rng := rand.New(rand.NewSource(1))
	data := make([]byte, 1<<20+77)
	rng.Read(data)
	for n := 0; n <= 4*blockSize+1; n++ {
		want := sha256.Sum256(data[:n])
		if got := Sum256(data[:n]); got != want {
			t.Fatalf("Sum256 of %d bytes: %x, want %x", n, got, want)
		}
		h := New()
		h.Write(data[:n])
		if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
			t.Fatalf("New().Sum of %d bytes: %x, want %x", n, got, want)
		}
	}
	h, ref := New(), sha256.New()
	for p := data; len(p) > 0; {
		k := rng.Intn(300)
		if rng.Intn(8) == 0 {
			k = rng.Intn(70000)
		}
		if k > len(p) {
			k = len(p)
		}
		h.Write(p[:k])
		ref.Write(p[:k])
		p = p[k:]
		if rng.Intn(50) == 0 {
			if got, want := h.Sum(nil), ref.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("mid-stream Sum: %x, want %x", got, want)
			}
		}
	}
	if got, want := h.Sum([]byte("x")), ref.Sum([]byte("x")); !bytes.Equal(got, want) {
		t.Fatalf("Sum: %x, want %x", got, want)
	}
	h.Reset()
	if got, want := h.Sum(nil), sha256.New().Sum(nil); !bytes.Equal(got, want) {
		t.Fatalf("after Reset: %x, want %x", got, want)
	}
	if h.Size() != sha256.Size || h.BlockSize() != sha256.BlockSize {
		t.Fatalf("Size %d BlockSize %d", h.Size(), h.BlockSize())
	}
}

func BenchmarkSum256(b *testing.B) {
	data := make([]byte, 1<<20)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		Sum256(data)
	}
}

func BenchmarkCryptoSum256(b *testing.B) {
	data := make([]byte, 1<<20)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		sha256.Sum256(data)
	}
}
