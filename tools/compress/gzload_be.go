//go:build !(386 || amd64 || arm64 || loong64 || ppc64le)

package compress

import "encoding/binary"

// Loads from the deflate window at a uint16 position (see gzload_le.go);
// big-endian machines, and those where an unaligned load traps or is
// emulated by the kernel (arm, mips, riscv64), assemble the bytes.
func gzLoad16(w *gzWindow, i uint16) uint16 { return binary.LittleEndian.Uint16(w[i:]) }
func gzLoad64(w *gzWindow, i uint16) uint64 { return binary.LittleEndian.Uint64(w[i:]) }
