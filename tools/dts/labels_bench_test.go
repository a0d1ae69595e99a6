package dts

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// labelsSource is a root with n labelled children.
func labelsSource(n int) []byte {
	var b strings.Builder
	b.WriteString("/dts-v1/;\n/ {\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "l%d: n%d { p = <&l%d>; };\n", i, i, (i*7919)%n)
	}
	b.WriteString("};\n")
	return []byte(b.String())
}

// Label and symbol handling is linear: -@ with 100,000 labels took 30 s
// (10,000: 0.3 s) while every label was looked up in a list.
func BenchmarkSymbols10k(b *testing.B)  { benchSymbols(b, 10000) }
func BenchmarkSymbols100k(b *testing.B) { benchSymbols(b, 100000) }

func benchSymbols(b *testing.B, n int) {
	src := labelsSource(n)
	opts := DefaultOptions()
	opts.Symbols = true
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t, err := Compile("labels.dts", src, opts)
		if err != nil {
			b.Fatal(err)
		}
		if sym := t.Root.Child("__symbols__"); sym == nil || len(sym.Properties) != n {
			b.Fatalf("__symbols__ has the wrong number of labels")
		}
	}
}

// TestSymbolsLinear fails if ten times the labels take far more than ten
// times as long (quadratic would be a hundred times).
func TestSymbolsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	opts := DefaultOptions()
	opts.Symbols = true
	run := func(n int) time.Duration {
		src := labelsSource(n)
		best := time.Duration(1 << 62)
		for i := 0; i < 3; i++ {
			start := time.Now()
			if _, err := Compile("labels.dts", src, opts); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d < best {
				best = d
			}
		}
		return best
	}
	small, big := run(3000), run(30000)
	if big > 40*small {
		t.Errorf("30,000 labels took %v, 3,000 took %v: worse than linear", big, small)
	}
}
