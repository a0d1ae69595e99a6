package hostile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

// Device trees: DTB header fields and tokens, DTS nesting, expressions,
// labels and /incbin/.
func TestDTB(t *testing.T) { runFamily(t, dtbCases(t)) }

func TestDTS(t *testing.T) { runFamily(t, dtsCases(t)) }

func smallDTB(t *testing.T) []byte {
	tr := fdt.NewTree()
	tr.Root.SetProp("compatible", fdt.String("x"))
	tr.Root.AddChild("n").SetProp("v", fdt.U32(1))
	return tr.Bytes()
}

// rawDTB lays out a struct block as given (tokens already encoded) with a
// strings block holding "p".
func rawDTB(structBlock []byte) []byte {
	strs := []byte("p\x00")
	var b []byte
	off := 40 + 16
	total := off + len(structBlock) + len(strs)
	for _, v := range []uint32{fdt.Magic, uint32(total), uint32(off), uint32(off + len(structBlock)), 40, 17, 16, 0, uint32(len(strs)), uint32(len(structBlock))} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	b = append(b, make([]byte, 16)...)
	b = append(b, structBlock...)
	return append(b, strs...)
}

// deepDTB nests depth nodes named "a".
func deepDTB(depth int) []byte {
	var s bytes.Buffer
	s.Write(be32(1))
	s.Write(make([]byte, 4)) // root name "" padded
	for i := 0; i < depth; i++ {
		s.Write(be32(1))
		s.Write([]byte{'a', 0, 0, 0})
	}
	for i := 0; i <= depth; i++ {
		s.Write(be32(2))
	}
	s.Write(be32(9))
	return rawDTB(s.Bytes())
}

// bigPropDTB has one property of n bytes.
func bigPropDTB(n int) []byte {
	var s bytes.Buffer
	s.Write(be32(1))
	s.Write(make([]byte, 4))
	s.Write(be32(3))
	s.Write(be32(uint32(n)))
	s.Write(be32(0))
	s.Write(bytes.Repeat([]byte{0x41}, n))
	s.Write(be32(2))
	s.Write(be32(9))
	return rawDTB(s.Bytes())
}

func dtbCases(t *testing.T) []Case {
	dtb := smallDTB(t)
	one := func(b []byte) map[string][]byte { return map[string][]byte{"t.dtb": b} }
	toDTS := []string{"dtc", "-I", "dtb", "-O", "dts", "-o", "{out}/t.dts", "{in}/t.dtb"}
	return []Case{
		{Name: "totalsize-huge", Files: one(patch(dtb, 4, be32(0xfffffff0))), Args: toDTS},
		{Name: "struct-offset-past-end", Files: one(patch(dtb, 8, be32(0x7ffffff0))), Args: toDTS},
		{Name: "struct-size-huge", Files: one(patch(dtb, 36, be32(0xfffffff0))), Args: toDTS},
		{Name: "strings-size-huge", Files: one(patch(dtb, 32, be32(0xfffffff0))), Args: toDTS},
		{Name: "truncated", Files: one(dtb[:30]), Args: []string{"ls", "{in}/t.dtb"}},
		{Name: "nested-100000", Files: one(deepDTB(100000)), Args: toDTS, WantErr: "deep"},
		{Name: "nested-100000-ls", Files: one(deepDTB(100000)), Args: []string{"ls", "{in}/t.dtb"}},
		// One 50 MB property: printing it must not take many copies.
		{Name: "property-50MB-print", WantOK: true, Timeout: 40e9, Files: one(bigPropDTB(50 << 20)), Args: toDTS},
		{Name: "property-50MB-ls", WantOK: true, Timeout: 40e9, Files: one(bigPropDTB(50 << 20)), Args: []string{"ls", "{in}/t.dtb"}},
		{Name: "fifo-dtb", Setup: fifo("t.dtb"), Args: toDTS},
	}
}

func dtsCases(t *testing.T) []Case {
	src := func(s string) map[string][]byte { return map[string][]byte{"t.dts": []byte(s)} }
	compile := []string{"dtc", "-I", "dts", "-O", "dtb", "-o", "{out}/t.dtb", "{in}/t.dts"}
	deep := "/dts-v1/;\n/ {" + strings.Repeat("a {", 100000) + strings.Repeat("};", 100000) + "};\n"
	parens := "/dts-v1/;\n/ { p = <(" + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000) + ")>; };\n"
	var labels strings.Builder
	labels.WriteString("/dts-v1/;\n/ {\n")
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&labels, "l%d: n%d { };\n", i, i)
	}
	labels.WriteString("};\n")
	return []Case{
		{Name: "nested-nodes-100000", Files: src(deep), Args: compile, WantErr: "deep"},
		{Name: "nested-parens-100000", Files: src(parens), Args: compile, WantErr: "deep"},
		{Name: "incbin-dev-zero-bounded", WantOK: true, Files: src(`/dts-v1/; / { b = /incbin/("/dev/zero", 0, 16); };`), Args: compile},
		{Name: "incbin-dev-zero-whole", Files: src(`/dts-v1/; / { b = /incbin/("/dev/zero"); };`), Args: compile},
		// A FIFO without a writer is an empty file: no hang.
		{Name: "incbin-fifo", WantOK: true, Setup: fifo("f"), Files: src(`/dts-v1/; / { b = /incbin/("f"); };`), Args: []string{"dtc", "-i", "{in}", "-o", "{out}/t.dtb", "{in}/t.dts"}},
		{Name: "incbin-huge-length", Files: map[string][]byte{"t.dts": []byte(`/dts-v1/; / { b = /incbin/("f", 0, 0xffffffffff); };`), "f": []byte("x")},
			Args: []string{"dtc", "-i", "{in}", "-o", "{out}/t.dtb", "{in}/t.dts"}},
		{Name: "reserve-100000000", Files: src("/dts-v1/; / { };"), Args: []string{"dtc", "-R", "100000000", "-o", "{out}/t.dtb", "{in}/t.dts"}},
		{Name: "pad-huge", Files: src("/dts-v1/; / { };"), Args: []string{"dtc", "-p", "100000000000", "-o", "{out}/t.dtb", "{in}/t.dts"}},
		{Name: "align-not-power-of-two", Files: src("/dts-v1/; / { };"), Args: []string{"dtc", "-a", "3", "-o", "{out}/t.dtb", "{in}/t.dts"}},
		{Name: "fifo-source", Setup: fifo("t.dts"), Args: compile},
		{Name: "dev-zero-source", Args: []string{"dtc", "-I", "dts", "-o", "{out}/t.dtb", "/dev/zero"}},
		// Linear label handling: 100,000 labels with -@ well inside the
		// limit (quadratic took 30 s). 100,000 parsed nodes take ~130 MiB.
		{Name: "labels-100000-symbols", WantOK: true, Timeout: 20e9, MemLimit: 256 << 20, Files: src(labels.String()), Args: []string{"dtc", "-@", "-o", "{out}/t.dtb", "{in}/t.dts"}},
	}
}
