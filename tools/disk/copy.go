package disk

import (
	"fmt"
	"os"
)

// CopyFile copies all of in to out (a new, empty file) keeping in's holes
// as holes: a sparse 4 GiB SD card image copied beside a flash layout costs
// only the blocks that hold data.
func CopyFile(out, in *os.File) error {
	st, err := in.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", in.Name())
	}
	size := st.Size()
	if err := out.Truncate(size); err != nil {
		return err
	}
	return dataRanges(in, 0, size, func(s, e int64) error {
		if err := copyRange(out, s, in, s, e-s); err != nil {
			return fmt.Errorf("%s: reading at %s: %v", in.Name(), hexDec(uint64(s)), err)
		}
		return nil
	})
}

// DataRanges calls fn for each range of f within [0, size) that holds
// data, skipping the holes the filesystem reports (none where it reports
// none), in order.
func DataRanges(f *os.File, size int64, fn func(start, end int64) error) error {
	return dataRanges(f, 0, size, fn)
}
