//go:build !linux

package layout

import "os"

// writeRepeated writes chunk, one byte repeated, over and over to f from at until n bytes
// are written.
func writeRepeated(f *os.File, at uint64, chunk []byte, n uint64) error {
	return writeEach(f, at, chunk, n)
}
