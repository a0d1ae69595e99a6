package fdt

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// dtsOf writes t as DTS source using only byte-string values, so dtc
// compiles exactly the bytes we hold and the comparison tests layout and
// string table alone.
func dtsOf(t *Tree) string {
	var b strings.Builder
	b.WriteString("/dts-v1/;\n")
	for _, r := range t.Reserve {
		fmt.Fprintf(&b, "/memreserve/ %#x %#x;\n", r.Address, r.Size)
	}
	var walk func(n *Node, depth int)
	walk = func(n *Node, depth int) {
		ind := strings.Repeat("\t", depth)
		name := n.Name
		if depth == 0 {
			name = "/"
		}
		fmt.Fprintf(&b, "%s%s {\n", ind, name)
		for _, p := range n.Properties {
			if len(p.Value) == 0 {
				fmt.Fprintf(&b, "%s\t%s;\n", ind, p.Name)
				continue
			}
			fmt.Fprintf(&b, "%s\t%s = [", ind, p.Name)
			for i, c := range p.Value {
				if i > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprintf(&b, "%02x", c)
			}
			b.WriteString("];\n")
		}
		for _, c := range n.Children {
			walk(c, depth+1)
		}
		fmt.Fprintf(&b, "%s};\n", ind)
	}
	walk(t.Root, 0)
	return b.String()
}

func runDtc(t *testing.T, src string, flags ...string) []byte {
	t.Helper()
	dtc, err := exec.LookPath("dtc")
	if err != nil {
		t.Fatalf("reference tool dtc not found: %v", err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.dts")
	out := filepath.Join(dir, "out.dtb")
	if err := os.WriteFile(in, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-q", "-I", "dts", "-O", "dtb", "-o", out}, flags...)
	args = append(args, in)
	cmd := exec.Command(dtc, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("dtc %v: %v\n%s\nsource:\n%s", args, err, stderr.String(), src)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Property names chosen so that many are suffixes of others, exercising the
// strings-block reuse rule.
var propNames = []string{"compatible", "patible", "ible", "le", "reg", "status", "tus", "s",
	"#address-cells", "#size-cells", "ranges", "interrupts", "rupts", "clock-names", "names", "a"}

var nodeNames = []string{"cpus", "cpu@0", "cpu@1", "soc", "uart@1000", "memory@80000000", "chosen", "gpio", "x"}

func randomNode(r *rand.Rand, name string, depth int) *Node {
	n := &Node{Name: name}
	for i, np := 0, r.Intn(5); i < np; i++ {
		pn := propNames[r.Intn(len(propNames))]
		if n.Prop(pn) != nil {
			continue
		}
		v := make([]byte, r.Intn(11))
		r.Read(v)
		n.Properties = append(n.Properties, &Property{Name: pn, Value: v})
	}
	if depth < 3 {
		for i, nc := 0, r.Intn(4); i < nc; i++ {
			cn := nodeNames[r.Intn(len(nodeNames))]
			if n.Child(cn) != nil {
				continue
			}
			n.Children = append(n.Children, randomNode(r, cn, depth+1))
		}
	}
	return n
}

func TestEncodeMatchesDtc(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 60; i++ {
		tree := &Tree{Root: randomNode(r, "", 0)}
		for j, nr := 0, r.Intn(3); j < nr; j++ {
			tree.Reserve = append(tree.Reserve, Reservation{uint64(r.Intn(1<<20)+1) << 12, uint64(r.Intn(256)+1) << 12})
		}
		var flags []string
		var opts EncodeOptions
		switch i % 5 {
		case 1:
			opts.Pad = 3 + i
			flags = []string{"-p", strconv.Itoa(opts.Pad)}
		case 2:
			opts.MinSize = 1024
			flags = []string{"-S", "1024"}
		case 3:
			opts.Align = 64
			flags = []string{"-a", "64"}
		case 4:
			tree.BootCPUID = uint32(i)
		}
		// Always pass -b: without it dtc guesses the boot CPU from a
		// /cpus/*/reg property, which random trees may contain.
		flags = append(flags, "-b", strconv.Itoa(int(tree.BootCPUID)))
		src := dtsOf(tree)
		want := runDtc(t, src, flags...)
		got, err := tree.Encode(opts)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("case %d (flags %v): encoding differs from dtc\nsource:\n%s\ngot  %x\nwant %x", i, flags, src, got, want)
		}
		back, err := Parse(want)
		if err != nil {
			t.Fatalf("case %d: Parse(dtc output): %v", i, err)
		}
		again, _ := back.Encode(opts)
		if !bytes.Equal(again, want) {
			t.Fatalf("case %d: Parse+Encode does not round-trip dtc's blob", i)
		}
	}
}

func TestStringTableReusesSuffixes(t *testing.T) {
	st := NewStringTable("compatible", "patible", "model", "del", "x")
	want := "compatible\x00model\x00x\x00"
	if got := string(st.Bytes()); got != want {
		t.Fatalf("table %q, want %q", got, want)
	}
	if off := st.Add("ible"); off != 6 {
		t.Fatalf("ible at %d, want 6", off)
	}
}

func TestTotalSizeOption(t *testing.T) {
	tree := NewTree()
	tree.Root.SetProp("a", U32(1))
	b, err := tree.Encode(EncodeOptions{TotalSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 4096 {
		t.Fatalf("len %d", len(b))
	}
	if _, err := tree.Encode(EncodeOptions{TotalSize: 10}); err == nil {
		t.Fatal("TotalSize smaller than the data accepted")
	}
	if _, err := Parse(b); err != nil {
		t.Fatal(err)
	}
}

func TestHelpers(t *testing.T) {
	tree := NewTree()
	soc := tree.Root.AddChild("soc")
	uart := soc.AddChild("uart@1000")
	uart.SetProp("reg", U32(0x1000, 0x100))
	uart.SetProp("compatible", Strings("vendor,uart", "ns16550a"))
	uart.SetProp("status", String("okay"))
	uart.SetProp("clock-frequency", U32(24000000))
	uart.SetProp("big", U64(1<<40))
	if tree.Lookup("/soc/uart@1000") != uart || tree.Lookup("/soc/uart") != uart || tree.Lookup("/") != tree.Root {
		t.Fatal("Lookup")
	}
	if tree.Lookup("/soc/nope") != nil || tree.Lookup("soc") != nil {
		t.Fatal("Lookup of missing node")
	}
	if v, ok := uart.PropU32("clock-frequency"); !ok || v != 24000000 {
		t.Fatal("PropU32")
	}
	if v, ok := uart.PropU64("big"); !ok || v != 1<<40 {
		t.Fatal("PropU64")
	}
	if s, ok := uart.PropString("status"); !ok || s != "okay" {
		t.Fatal("PropString")
	}
	if _, ok := uart.PropString("compatible"); ok {
		t.Fatal("PropString accepted a string list")
	}
	if ss, ok := uart.PropStrings("compatible"); !ok || len(ss) != 2 || ss[1] != "ns16550a" {
		t.Fatal("PropStrings")
	}
	if !uart.DeleteProp("big") || uart.Prop("big") != nil || uart.DeleteProp("big") {
		t.Fatal("DeleteProp")
	}
	if !soc.DeleteChild("uart@1000") || soc.Child("uart@1000") != nil {
		t.Fatal("DeleteChild")
	}
	// libfdt's rule: the first child whose name or base name matches.
	first := soc.AddChild("a@1")
	exact := soc.AddChild("a")
	if tree.Lookup("/soc/a") != first || tree.Lookup("/soc/a@1") != first || tree.Lookup("/soc/a@2") != nil || exact.Lookup("") != exact {
		t.Fatal("Lookup by base name")
	}
}

func TestParseErrors(t *testing.T) {
	tree := NewTree()
	tree.Root.AddChild("n").SetProp("p", U32(7))
	good := tree.Bytes()
	cases := []struct {
		name   string
		mutate func(b []byte) []byte
		want   string
	}{
		{"short", func(b []byte) []byte { return b[:20] }, "need at least 40"},
		{"magic", func(b []byte) []byte { b[0] = 0; return b }, "magic"},
		{"totalsize", func(b []byte) []byte { b[7] += 4; return b }, "exceeds blob size"},
		{"version", func(b []byte) []byte { b[23] = 3; return b }, "version 3"},
		{"token", func(b []byte) []byte { b[0x38+3] = 7; return b }, "unknown token 0x7"},
		{"nameoff", func(b []byte) []byte { b[0x50+3] = 0x40; return b }, "nameoff 0x40 outside"},
		{"truncated struct", func(b []byte) []byte { b[39] -= 12; return b }, "runs past"},
	}
	for _, c := range cases {
		b := c.mutate(append([]byte{}, good...))
		_, err := Parse(b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	tree := NewTree()
	tree.Reserve = []Reservation{{0x1000, 0x2000}}
	n := tree.Root.AddChild("soc")
	n.SetProp("compatible", Strings("a", "b"))
	n.AddChild("x@1").SetProp("reg", U32(1, 2))
	f.Add(tree.Bytes())
	f.Add(NewTree().Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := Parse(b)
		if err != nil {
			return
		}
		// Whatever parses must re-encode and parse to the same tree.
		again, err := Parse(tr.Bytes())
		if err != nil {
			t.Fatalf("re-encoded tree does not parse: %v", err)
		}
		if !bytes.Equal(again.Bytes(), tr.Bytes()) {
			t.Fatal("encode/parse not stable")
		}
	})
}
