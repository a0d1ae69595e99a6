// Command gendts writes a large synthetic DTS (dts.SyntheticSource) for
// timing `fwtool dtc` against dtc:
//
//	gendts -nodes 30000 > big.dts
//	time dtc -I dts -O dtb -o a.dtb big.dts
//	time fwtool dtc -I dts -O dtb -o b.dtb big.dts
//	cmp a.dtb b.dtb
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/dts"
)

func main() {
	nodes := flag.Int("nodes", 10000, "approximate number of nodes")
	flag.Parse()
	if _, err := os.Stdout.Write(dts.SyntheticSource(*nodes)); err != nil {
		fmt.Fprintln(os.Stderr, "gendts:", err)
		os.Exit(1)
	}
}
