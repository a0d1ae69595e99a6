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
