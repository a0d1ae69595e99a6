package dts

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rules-firmware/rules_firmware/tools/cputime"
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
		t.Bytes()
		if sym := t.Root.Child("__symbols__"); sym == nil || len(sym.Properties) != n {
			b.Fatalf("__symbols__ has the wrong number of labels")
		}
	}
}

// TestSymbolsLinear fails if ten times the labels take far more than ten
// times as long (quadratic would be a hundred times). It measures the
// process's CPU time, not the wall clock, which a loaded machine skews.
func TestSymbolsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	opts := DefaultOptions()
	opts.Symbols = true
	run := func(n, tries int) time.Duration {
		src := labelsSource(n)
		best := time.Duration(1 << 62)
		for i := 0; i < tries; i++ {
			start := cpuTime()
			tr, err := Compile("labels.dts", src, opts)
			if err != nil {
				t.Fatal(err)
			}
			tr.Bytes() // the strings block holds every symbol name

			if d := cpuTime() - start; d < best {
				best = d
			}
		}
		return best
	}
	// 50 times the labels: linear measures 50-80x (GC included), the
	// quadratic strings block thousands of times.
	small, big := run(2000, 5), run(100000, 1)
	t.Logf("CPU: 2,000 labels %v, 100,000 labels %v (%.1fx)", small, big, float64(big)/float64(small))
	if big > 250*small {
		t.Errorf("100,000 labels took %v of CPU, 2,000 took %v: worse than linear", big, small)
	}
}

func cpuTime() time.Duration { return cputime.Process() }
