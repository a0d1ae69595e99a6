package bigbuf

import (
	"bytes"
	"os"
	"path/filepath"
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
