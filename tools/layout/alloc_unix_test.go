//go:build !windows

package layout

import (
	"os"
	"syscall"
)

type statBlocks struct{}

// allocated returns the bytes the file occupies on disk.
func (statBlocks) allocated(path string) (int64, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return st.Blocks * 512, true
}
