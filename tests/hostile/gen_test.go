package hostile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// Generators shared by the families: crafted streams, special files and
// valid images built by fwtool itself to be corrupted afterwards.

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// patch returns a copy of b with v written at off.
func patch(b []byte, off int, v []byte) []byte {
	out := append([]byte(nil), b...)
	copy(out[off:], v)
	return out
}

// fifo makes a named pipe nobody writes to: a reader that does not check
// the file type waits forever.
func fifo(name string) func(t *testing.T, e *Env) {
	return func(t *testing.T, e *Env) {
		if err := syscall.Mkfifo(e.Path(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// sparse makes a file of the given apparent size holding only head.
func sparse(name string, head []byte, size int64) func(t *testing.T, e *Env) {
	return func(t *testing.T, e *Env) {
		f, err := os.Create(e.Path(name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.Write(head); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
	}
}

// both runs several setups in order.
func both(fns ...func(t *testing.T, e *Env)) func(t *testing.T, e *Env) {
	return func(t *testing.T, e *Env) {
		for _, fn := range fns {
			fn(t, e)
		}
	}
}

// gzipBomb is a gzip member (RFC 1952) inflating to n zero bytes, written
// by hand with fixed Huffman codes: one literal zero, then matches of
// length 258 at distance 1 (13 bits each), so 1 GiB costs about 6.5 MiB and
// a few milliseconds instead of seconds of real compression.
func gzipBomb(n int64) []byte {
	var w bitWriter
	w.buf = append(w.buf, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3)
	w.bits(1, 1)    // BFINAL
	w.bits(1, 2)    // BTYPE fixed Huffman
	w.code(0x30, 8) // literal 0
	left := n - 1
	for left >= 258 {
		w.code(0xc5, 8) // length symbol 285: 258
		w.code(0, 5)    // distance symbol 0: 1
		left -= 258
	}
	for ; left >= 3; left -= 3 {
		w.code(1, 7) // length symbol 257: 3
		w.code(0, 5)
	}
	for ; left > 0; left-- {
		w.code(0x30, 8)
	}
	w.code(0, 7) // end of block
	w.flush()
	zero := make([]byte, 1<<20)
	var crc uint32
	for done := int64(0); done < n; done += int64(len(zero)) {
		k := int64(len(zero))
		if n-done < k {
			k = n - done
		}
		crc = crc32.Update(crc, crc32.IEEETable, zero[:k])
	}
	w.buf = binary.LittleEndian.AppendUint32(w.buf, crc)
	return binary.LittleEndian.AppendUint32(w.buf, uint32(n))
}

type bitWriter struct {
	buf   []byte
	acc   uint64
	nbits uint
}

// bits writes v's n low bits least significant first (deflate's fields).
func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.nbits
	w.nbits += n
	for w.nbits >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.nbits -= 8
	}
}

// code writes a Huffman code most significant bit first.
func (w *bitWriter) code(c uint64, n uint) {
	var r uint64
	for i := uint(0); i < n; i++ {
		r = r<<1 | (c>>i)&1
	}
	w.bits(r, n)
}

func (w *bitWriter) flush() {
	if w.nbits > 0 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc, w.nbits = 0, 0
	}
}

var (
	bombOnce, smallBombOnce sync.Once
	bomb1G, bomb256M        []byte
)

// gigaBomb is gzipBomb(1 GiB), made once for all families.
func gigaBomb() []byte {
	bombOnce.Do(func() { bomb1G = gzipBomb(1 << 30) })
	return bomb1G
}

// bomb256 is gzipBomb(256 MiB): still four times the memory floor, for
// the cases that need not write a whole GiB to disk.
func bomb256() []byte {
	smallBombOnce.Do(func() { bomb256M = gzipBomb(256 << 20) })
	return bomb256M
}

// fwtoolOK runs fwtool to make a valid input (no limits: trusted input).
func fwtoolOK(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(fwtool, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("fwtool %v: %v\n%s", args, err, stderr.String())
	}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// outSize checks a file the case wrote below the output directory.
func outSize(name string, want int64) func(e *Env, r *Result) error {
	return func(e *Env, r *Result) error {
		st, err := os.Stat(filepath.Join(e.Out, name))
		if err != nil {
			return err
		}
		if st.Size() != want {
			return fmt.Errorf("%s is %d bytes, want %d", name, st.Size(), want)
		}
		return nil
	}
}
