package compress

import (
	"bytes"
	"math/rand"
	"os"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/cputime"
)

// firmwareLike returns n bytes shaped like a flash image's payload:
// instruction-like words from a small vocabulary with varying operands,
// string tables, 0xff/0x00 padding and stretches of random (already
// compressed or encrypted) data. Deterministic, so runs compare.
func firmwareLike(n int) []byte {
	r := rand.New(rand.NewSource(42))
	opcodes := make([]uint32, 64)
	for i := range opcodes {
		opcodes[i] = r.Uint32() & 0xfff00000
	}
	words := []string{"u-boot", "spl", "mmc", "usb", "boot", "env", "error", "device", "failed", "init", "clock", "dram", "%s: %d\n", "0x%08x"}
	out := make([]byte, 0, n+4096)
	for len(out) < n {
		switch k := r.Intn(10); {
		case k < 5: // code: 1-8 KiB of 32-bit words
			for m := 256 + r.Intn(1792); m > 0; m-- {
				w := opcodes[r.Intn(len(opcodes))] | uint32(r.Intn(16))<<12 | uint32(r.Intn(64))
				out = append(out, byte(w), byte(w>>8), byte(w>>16), byte(w>>24))
			}
		case k < 7: // strings
			for m := 50 + r.Intn(200); m > 0; m-- {
				out = append(out, words[r.Intn(len(words))]...)
				out = append(out, 0)
			}
		case k < 9: // padding
			pad := byte(0xff)
			if r.Intn(2) == 0 {
				pad = 0
			}
			out = append(out, bytes.Repeat([]byte{pad}, 512+r.Intn(16384))...)
		default: // random
			b := make([]byte, 1024+r.Intn(8192))
			r.Read(b)
			out = append(out, b...)
		}
	}
	return out[:n]
}

// BenchmarkLz4Level5 compresses 16 MiB of firmware-like data; run with
// -cpu 1,2 for single-core and all-core throughput. With LZ4_BENCH_OUT
// set it also writes that input there, so benchmarks/lz4.sh can time the
// lz4 tool and fwtool on the same bytes.
func BenchmarkLz4Level5(b *testing.B) {
	data := firmwareLike(16 << 20)
	if path := os.Getenv("LZ4_BENCH_OUT"); path != "" {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(data)))
	before := cputime.Process()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		LZ4HCFrame(data)
	}
	b.StopTimer()
	// CPU time is steadier than wall time on a shared machine.
	cpu := cputime.Process() - before
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}
