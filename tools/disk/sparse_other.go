//go:build !linux

package disk

import "os"

// dataRanges treats the whole file as data where hole reporting is not
// available to us.
func dataRanges(f *os.File, from, size int64, fn func(start, end int64) error) error {
	if size <= from {
		return nil
	}
	return fn(from, size)
}

func zeroRange(f *os.File, off, n int64, buf []byte) error {
	return writeZeros(f, off, n, buf)
}
