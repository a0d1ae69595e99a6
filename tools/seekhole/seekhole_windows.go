// Package seekhole finds a file's data and holes with lseek's SEEK_DATA and
// SEEK_HOLE; see seekhole.go. Windows has neither, and its Seek takes an
// unknown whence as "from the start", so here both functions refuse.
package seekhole

import (
	"errors"
	"os"
)

// ErrUnsupported is returned on Windows: callers treat the file as data.
var ErrUnsupported = errors.New("no SEEK_DATA/SEEK_HOLE on Windows")

// Data would return the offset of the first data at or after off.
func Data(f *os.File, off int64) (int64, error) { return 0, ErrUnsupported }

// Hole would return the offset of the first hole at or after off.
func Hole(f *os.File, off int64) (int64, error) { return 0, ErrUnsupported }
