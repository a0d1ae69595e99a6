// Command bench times ppclink on one wrapper link, the way bench.sh times
// powerpc-linux-gnu-ld + objcopy on the same inputs: each iteration reads
// the inputs, adds the payload section to empty.o, links, and writes the
// ELF and the raw image.
//
//	go run ./tools/ppclink/bench -n 20 -addr 0x400000 -o OUT \
//	    -payload vmlinux.bin.gz -empty empty.o fixed-head.o simpleboot.o wrapper.a
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/rules-firmware/rules_firmware/tools/ppclink"
)

func main() {
	n := flag.Int("n", 20, "iterations")
	addr := flag.String("addr", "0x400000", "link address (-Ttext)")
	payload := flag.String("payload", "", "file for .kernel:vmlinux.strip")
	dtb := flag.String("dtb", "", "file for .kernel:dtb")
	empty := flag.String("empty", "", "the kernel build's empty.o")
	out := flag.String("o", "bench.out", "output prefix")
	flag.Parse()
	a, err := strconv.ParseUint(*addr, 0, 32)
	if err != nil {
		fail(err)
	}
	start := time.Now()
	for i := 0; i < *n; i++ {
		var ins []ppclink.Input
		objs := flag.Args()
		// The wrapper's order: platform objects, the payload object, wrapper.a.
		for _, f := range objs[:len(objs)-1] {
			ins = append(ins, read(f))
		}
		blob := read(*empty).WithSection(".kernel:vmlinux.strip", read(*payload).Data)
		if *dtb != "" {
			blob = blob.WithSection(".kernel:dtb", read(*dtb).Data)
		}
		ins = append(ins, blob, read(objs[len(objs)-1]))
		o, err := ppclink.Link(ins, ppclink.Options{TextAddr: uint32(a)})
		if err != nil {
			fail(err)
		}
		if err := os.WriteFile(*out+".elf", o.ELF(), 0o644); err != nil {
			fail(err)
		}
		if err := os.WriteFile(*out, o.Binary(), 0o644); err != nil {
			fail(err)
		}
	}
	el := time.Since(start)
	fmt.Printf("ppclink: %d links in %v, %.2f ms each\n", *n, el.Round(time.Millisecond), float64(el.Microseconds())/1000/float64(*n))
}

func read(path string) ppclink.Input {
	d, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	return ppclink.Input{Name: filepath.Base(path), Data: d}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}
