package bigbuf

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestMapReadsTheFile(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, mapMin - 1, mapMin, mapMin + 4097} {
		want := make([]byte, size)
		for i := range want {
			want[i] = byte(i * 7)
		}
		path := filepath.Join(dir, "f")
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		got, release, err := Map(path)
		if err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%d bytes: contents differ", size)
		}
		release()
	}
}

func TestMapRefusesNonRegular(t *testing.T) {
	if _, _, err := Map(t.TempDir()); err == nil {
		t.Error("a directory was mapped")
	}
	if _, _, err := Map(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing file was mapped")
	}
}

func TestMakeIsZeroed(t *testing.T) {
	b := Make(hugeMin+3, hugeMin+4096)
	if len(b) != hugeMin+3 || cap(b) != hugeMin+4096 {
		t.Fatalf("len %d cap %d", len(b), cap(b))
	}
	for i, v := range b[:cap(b)] {
		if v != 0 {
			t.Fatalf("byte %d is %#x", i, v)
		}
	}
}

func TestMapRegion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	want := make([]byte, 3*mapMin)
	for i := range want {
		want[i] = byte(i * 13)
	}
	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 1, 4095, 4096, mapMin + 77} {
		got, ok, err := MapRegion(path, off, mapMin+5)
		if err != nil || !ok {
			t.Fatalf("off %d: ok %v, %v", off, ok, err)
		}
		if !bytes.Equal(got, want[off:off+mapMin+5]) {
			t.Errorf("off %d: contents differ", off)
		}
		got[0] ^= 0xff // copy-on-write: the file keeps its byte
	}
	if back, _ := os.ReadFile(path); !bytes.Equal(back, want) {
		t.Error("writing the mapping changed the file")
	}
	if _, ok, err := MapRegion(path, 0, 100); ok || err != nil {
		t.Errorf("a small region: ok %v, %v", ok, err)
	}
	if _, _, err := MapRegion(path, 2*mapMin+1, mapMin); err == nil {
		t.Error("a region past the end was mapped")
	}
}

// Region hands out zeroed buffers of the asked size that never share
// bytes, from several goroutines, across more than one region.
func TestRegionCut(t *testing.T) {
	var r Region
	const n, each = 8, 40
	bufs := make([][]byte, n*each)
	var wg sync.WaitGroup
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				b := r.Cut(64 << 10)
				for _, c := range b {
					if c != 0 {
						t.Error("buffer not zeroed")
						return
					}
				}
				b[0], b[len(b)-1] = byte(g), byte(i)
				bufs[g*each+i] = b
			}
		}(g)
	}
	wg.Wait()
	for k, b := range bufs {
		if len(b) != 64<<10 || cap(b) != 64<<10 || b[0] != byte(k/each) || b[len(b)-1] != byte(k%each) {
			t.Fatalf("buffer %d: len %d cap %d, or overwritten by another", k, len(b), cap(b))
		}
	}
	if big := r.Cut(5 << 20); len(big) != 5<<20 {
		t.Fatalf("large cut: len %d", len(big))
	}
}
