package dts

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestSyntheticSourceMatchesDtc checks the benchmark input itself, so the
// timing compares equal work, and logs both tools' times.
func TestSyntheticSourceMatchesDtc(t *testing.T) {
	src := SyntheticSource(3000)
	dir := writeFiles(t, map[string]string{"main.dts": string(src)})
	start := time.Now()
	want, stderr, ok := runDtc(t, dir)
	dtcTime := time.Since(start)
	if !ok {
		t.Fatalf("dtc rejects the synthetic source: %s", stderr)
	}
	start = time.Now()
	tree, err := Compile("main.dts", src, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	got := tree.Bytes()
	oursTime := time.Since(start)
	if !bytes.Equal(got, want) {
		t.Fatal("synthetic source: DTB differs from dtc")
	}
	t.Logf("%d bytes of DTS: dtc %v (including process start), ours %v", len(src), dtcTime, oursTime)
}

func BenchmarkCompileSynthetic(b *testing.B) {
	src := SyntheticSource(10000)
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		tree, err := Compile("bench.dts", src, DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		tree.Bytes()
	}
}

// BenchmarkDtcSynthetic runs the reference dtc on the same input.
func BenchmarkDtcSynthetic(b *testing.B) {
	dtc := dtcPath(b)
	dir := b.TempDir()
	in := filepath.Join(dir, "bench.dts")
	if err := os.WriteFile(in, SyntheticSource(10000), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if out, err := exec.Command(dtc, "-q", "-I", "dts", "-O", "dtb", "-o", filepath.Join(dir, "out.dtb"), in).CombinedOutput(); err != nil {
			b.Fatalf("dtc: %v\n%s", err, out)
		}
	}
}
