//go:build !(386 || amd64 || arm64 || loong64 || ppc64le)

package compress

import "encoding/binary"

// Loads from a match finder's window at a uint16 position (see
// lz4load_le.go); big-endian machines, and those where an unaligned load
// traps or is emulated by the kernel (arm, mips, riscv64), assemble the bytes.
func le16(w *lz4Window, i uint16) uint16 { return binary.LittleEndian.Uint16(w[i:]) }
func le32(w *lz4Window, i uint16) uint32 { return binary.LittleEndian.Uint32(w[i:]) }
func le64(w *lz4Window, i uint16) uint64 { return binary.LittleEndian.Uint64(w[i:]) }
