//go:build !windows

package extfs

import (
	"os"
	"syscall"
)

// hostFileID names the host file at path by device and inode number, so
// hard links to one file are found; ok is false if it cannot be read.
func hostFileID(path string) (id fileID, ok bool) {
	st, err := os.Stat(path)
	if err != nil {
		return fileID{}, false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{uint64(sys.Dev), uint64(sys.Ino)}, true
}
