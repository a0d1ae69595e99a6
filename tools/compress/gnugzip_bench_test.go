package compress

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// BenchmarkGNUGzipVsGzip compares GNUGzip with the real `gzip -n -9` on the
// files named in GNUGZIP_BENCH (colon-separated; e.g. a vmlinux, U-Boot
// images): each round times one gzip run and one GNUGzip run back to back,
// checks the outputs are identical, and the min and median of the paired
// times are reported. Run with
//
//	GNUGZIP_BENCH=file1:file2 go test -run - -bench GNUGzipVsGzip -benchtime 7x ./tools/compress/
func BenchmarkGNUGzipVsGzip(b *testing.B) {
	list := os.Getenv("GNUGZIP_BENCH")
	if list == "" {
		b.Skip("GNUGZIP_BENCH names no files")
	}
	for _, name := range strings.Split(list, ":") {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Base(name), func(b *testing.B) {
			var ours, theirs []time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				want := gnuGzip(b, data, 9)
				t1 := time.Now()
				got, _ := GNUGzip(data, 9)
				t2 := time.Now()
				if !bytes.Equal(got, want) {
					b.Fatalf("%s: differs from gzip -9 at byte %d", name, firstDiff(got, want))
				}
				theirs, ours = append(theirs, t1.Sub(t0)), append(ours, t2.Sub(t1))
			}
			b.Logf("%s: %d bytes -> %d; gzip -9 min %v median %v; GNUGzip min %v median %v (identical)",
				name, len(data), len(gnuGzip(b, data, 9)), minDur(theirs), medDur(theirs), minDur(ours), medDur(ours))
		})
	}
}

func minDur(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[0]
}

func medDur(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
