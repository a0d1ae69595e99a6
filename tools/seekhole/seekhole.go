//go:build !windows

// Package seekhole finds a file's data and holes with lseek's SEEK_DATA and
// SEEK_HOLE, so sparse inputs can make sparse outputs on every system.
// Package syscall exports neither whence value, and they differ: Linux,
// FreeBSD and illumos number them 3 and 4, macOS 4 and 3. Windows' Seek
// takes any other whence as "from the start", so there the functions
// refuse instead of returning the offset they were given.
//
// Errors are the system's: ENXIO means only a hole is left after off;
// any other error means the system or filesystem cannot tell, and the
// caller treats the rest of the file as data.
package seekhole

import "os"

// Data returns the offset of the first data at or after off (SEEK_DATA).
func Data(f *os.File, off int64) (int64, error) { return f.Seek(off, whenceData) }

// Hole returns the offset of the first hole at or after off (SEEK_HOLE);
// the end of the file counts as a hole.
func Hole(f *os.File, off int64) (int64, error) { return f.Seek(off, whenceHole) }
