//go:build 386 || amd64 || arm64 || loong64 || ppc64le

package compress

import "unsafe"

// Loads from the deflate window at a uint16 position: the window is longer
// than 64 KiB plus 8 bytes, so any such load stays inside it and Go 1.19
// needs no range check. On little-endian machines a plain (unaligned) load
// is the little-endian value.
func gzLoad16(w *gzWindow, i uint16) uint16 { return *(*uint16)(unsafe.Pointer(&w[i])) }
func gzLoad64(w *gzWindow, i uint16) uint64 { return *(*uint64)(unsafe.Pointer(&w[i])) }
