package dts

import (
	"bytes"
	"fmt"
)

// SyntheticSource returns a large, valid DTS with about nodes nodes: an
// SoC bus of labelled devices cross-referencing each other by phandle and
// path, with reg/interrupt cells, string lists, byte strings and 64-bit
// values, plus a board-style override block per device. It exists to time
// the compiler against dtc on realistic-looking input.
func SyntheticSource(nodes int) []byte {
	const busSize = 256
	var b bytes.Buffer
	b.WriteString("/dts-v1/;\n/memreserve/ 0x80000000 0x100000;\n\n/ {\n")
	b.WriteString("\t#address-cells = <2>;\n\t#size-cells = <2>;\n\tcompatible = \"example,synthetic\";\n\tinterrupt-parent = <&gic>;\n\n")
	b.WriteString("\tgic: interrupt-controller@f0000000 {\n\t\tcompatible = \"arm,gic-v3\";\n\t\treg = <0x0 0xf0000000 0x0 0x10000>;\n\t\tinterrupt-controller;\n\t\t#interrupt-cells = <3>;\n\t};\n\n")
	b.WriteString("\tsoc {\n\t\tcompatible = \"simple-bus\";\n\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n\t\tranges;\n")
	devices := nodes / 3
	if devices < 1 {
		devices = 1
	}
	for i := 0; i < devices; i++ {
		// dtc's parser needs stack per sibling, so devices sit in buses
		// of busSize rather than all under /soc.
		if i%busSize == 0 {
			if i > 0 {
				b.WriteString("\t\t};\n")
			}
			fmt.Fprintf(&b, "\n\t\tbus@%x {\n\t\t\tcompatible = \"simple-bus\";\n\t\t\t#address-cells = <2>;\n\t\t\t#size-cells = <2>;\n\t\t\tranges;\n", i/busSize)
		}
		addr := 0x10000000 + i*0x1000
		fmt.Fprintf(&b, "\n\t\tdev%d: device@%x {\n", i, addr)
		fmt.Fprintf(&b, "\t\t\tcompatible = \"vendor,dev-v%d\", \"vendor,dev\";\n", i%7)
		fmt.Fprintf(&b, "\t\t\treg = <0x0 0x%x 0x0 0x1000>;\n", addr)
		fmt.Fprintf(&b, "\t\t\tinterrupts = <0 %d 4>, <0 (%d + 1) ((0xf << 8) | 4)>;\n", i%960, i%960)
		if i > 0 {
			fmt.Fprintf(&b, "\t\t\tclocks = <&dev%d %d>, <&dev%d 1>;\n", i-1, i%16, (i*7)%i)
		}
		fmt.Fprintf(&b, "\t\t\tclock-names = \"core\", \"bus\";\n")
		fmt.Fprintf(&b, "\t\t\t#clock-cells = <1>;\n")
		fmt.Fprintf(&b, "\t\t\tmac-address = [02 00 00 %02x %02x %02x];\n", i>>16&0xff, i>>8&0xff, i&0xff)
		fmt.Fprintf(&b, "\t\t\tvendor,range = /bits/ 64 <0x%x 0x1000>;\n", uint64(i)<<32)
		fmt.Fprintf(&b, "\t\t\tstatus = \"disabled\";\n")
		fmt.Fprintf(&b, "\n\t\t\tport@0 {\n\t\t\t\treg = <0 0>;\n\t\t\t\tlabel = \"port%d\";\n\t\t\t};\n", i)
		fmt.Fprintf(&b, "\n\t\t\tchannel@1 {\n\t\t\t\treg = <0 1>;\n\t\t\t\tdma-names = \"rx\", \"tx\";\n\t\t\t};\n")
		b.WriteString("\t\t};\n")
	}
	b.WriteString("\t\t};\n\t};\n\n\taliases {\n")
	for i := 0; i < devices && i < 64; i++ {
		fmt.Fprintf(&b, "\t\tdev%d = &dev%d;\n", i, i)
	}
	b.WriteString("\t};\n};\n")
	for i := 0; i < devices; i += 2 {
		fmt.Fprintf(&b, "\n&dev%d {\n\tstatus = \"okay\";\n\tvendor,board-specific = <%d>;\n};\n", i, i)
	}
	return b.Bytes()
}
