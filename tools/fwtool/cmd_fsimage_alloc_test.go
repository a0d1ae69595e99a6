//go:build !windows

package main

import (
	"os"
	"syscall"
)

// fsAllocated returns the bytes a file occupies on disk.
func fsAllocated(st os.FileInfo) int64 {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return sys.Blocks * 512
	}
	return st.Size()
}
