package ppclink

import (
	"path/filepath"
	"testing"
)

// BenchmarkSimpleImageLink links the simpleImage inputs of the kernel's
// wrapper (fixed-head.o, simpleboot.o, empty.o with a 4 MiB payload and a
// DTB, wrapper.a) and renders both outputs. bench/bench.sh compares the
// same link with ld + objcopy.
func BenchmarkSimpleImageLink(b *testing.B) {
	dir := ppcBootDir(b)
	payload := make([]byte, 4<<20)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	ins := []Input{
		{Name: "fixed-head.o", Data: readFile(b, filepath.Join(dir, "fixed-head.o"))},
		{Name: "simpleboot.o", Data: readFile(b, filepath.Join(dir, "simpleboot.o"))},
		Input{Name: "empty.o", Data: readFile(b, filepath.Join(dir, "empty.o"))}.
			WithSection(".kernel:vmlinux.strip", payload).WithSection(".kernel:dtb", payload[:4096]),
		{Name: "wrapper.a", Data: readFile(b, filepath.Join(dir, "wrapper.a"))},
	}
	b.SetBytes(int64(len(payload)))
	for i := 0; i < b.N; i++ {
		out, err := Link(ins, Options{TextAddr: 0x400000})
		if err != nil {
			b.Fatal(err)
		}
		if len(out.ELF()) == 0 || len(out.Binary()) == 0 {
			b.Fatal("empty output")
		}
	}
}
