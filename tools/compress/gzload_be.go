//go:build !(386 || amd64 || arm || arm64 || loong64 || mips64le || mipsle || ppc64le || riscv64 || wasm)

package compress

import "encoding/binary"

// Loads from the deflate window at a uint16 position (see gzload_le.go);
// big-endian machines assemble the bytes.
func gzLoad16(w *gzWindow, i uint16) uint16 { return binary.LittleEndian.Uint16(w[i:]) }
func gzLoad64(w *gzWindow, i uint16) uint64 { return binary.LittleEndian.Uint64(w[i:]) }
