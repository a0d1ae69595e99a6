//go:build !windows

package disk

import (
	"syscall"
	"testing"
)

// allocated returns the bytes path occupies on disk (st_blocks).
func allocated(t *testing.T, path string) int64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Blocks * 512
}
