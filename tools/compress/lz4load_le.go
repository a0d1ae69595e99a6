//go:build 386 || amd64 || arm64 || loong64 || ppc64le

package compress

import "unsafe"

// Loads from a match finder's window at a uint16 position: the window has
// 8 bytes past the largest position, so a 2-, 4- or 8-byte load there
// stays inside it. On little-endian machines a plain (unaligned) load is
// the value; this spares the range check Go 1.19, which builds fwtool
// under Bazel, cannot prove away for binary.LittleEndian on a sub-slice
// (newer compilers can, and compile lz4load_be.go's form to the same code).
func le16(w *lz4Window, i uint16) uint16 { return *(*uint16)(unsafe.Pointer(&w[i])) }
func le32(w *lz4Window, i uint16) uint32 { return *(*uint32)(unsafe.Pointer(&w[i])) }
func le64(w *lz4Window, i uint16) uint64 { return *(*uint64)(unsafe.Pointer(&w[i])) }
