//go:build !linux

package layout

import "os"

// writeRepeated writes chunk, one byte repeated, over and over to f from at until n bytes
// are written.
func writeRepeated(f *os.File, at uint64, chunk []byte, n uint64) error {
	for n > 0 {
		k := minU64(n, uint64(len(chunk)))
		if _, err := f.WriteAt(chunk[:k], int64(at)); err != nil {
			return err
		}
		at += k
		n -= k
	}
	return nil
}
