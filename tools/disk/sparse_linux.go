package disk

import (
	"errors"
	"os"
	"syscall"
)

// lseek whence values for finding data and holes (Linux numbering).
const (
	seekData = 3
	seekHole = 4

	fallocKeepSize  = 0x01
	fallocPunchHole = 0x02
)

// dataRanges calls fn for each range of f within [from, size) that holds
// data, skipping holes. A filesystem without hole reporting makes the whole
// file one range.
func dataRanges(f *os.File, from, size int64, fn func(start, end int64) error) error {
	off := from
	for off < size {
		start, err := f.Seek(off, seekData)
		if err != nil {
			if errors.Is(err, syscall.ENXIO) {
				return nil // only a hole is left
			}
			if errors.Is(err, syscall.EINVAL) {
				return fn(off, size)
			}
			return err
		}
		if start >= size {
			return nil
		}
		end, err := f.Seek(start, seekHole)
		if err != nil || end > size {
			end = size
		}
		if err := fn(start, end); err != nil {
			return err
		}
		off = end
	}
	return nil
}

// zeroRange makes [off, off+n) of f read as zeros, punching a hole where
// the filesystem supports it.
func zeroRange(f *os.File, off, n int64, buf []byte) error {
	if err := syscall.Fallocate(int(f.Fd()), fallocPunchHole|fallocKeepSize, off, n); err == nil {
		return nil
	}
	return writeZeros(f, off, n, buf)
}
