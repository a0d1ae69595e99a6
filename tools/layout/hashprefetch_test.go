package layout

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"testing"
)

// Digests computed in the background while packing are the digests of
// the entries' data: a file bigger than one read, the same file in two
// entries (one digest job), two algorithms on one file, and a blob inside
// a compressed section.
func TestBackgroundDigests(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef-"), (3*hashBufSize)/17+5)
	small := []byte("small blob")
	img, _, err := build(t, map[string][]byte{"big": big, "small": small},
		`{"version":1,"image":{"entries":[
			{"name":"a","path":"$DIR/big","hash":"sha256"},
			{"name":"b","path":"$DIR/big","hash":"sha256"},
			{"name":"c","path":"$DIR/big","hash":"sha1"},
			{"name":"s","path":"$DIR/small","hash":"sha256"},
			{"name":"z","type":"section","compress":"lz4","entries":[{"name":"in","path":"$DIR/big","hash":"sha256"}]}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	bigSum, smallSum, bigSha1 := sha256.Sum256(big), sha256.Sum256(small), sha1.Sum(big)
	for path, want := range map[string][]byte{"a": bigSum[:], "b": bigSum[:], "c": bigSha1[:], "s": smallSum[:], "z/in": bigSum[:]} {
		if got := img.Find(path).HashValue(); !bytes.Equal(got, want) {
			t.Errorf("%s: digest %x, want %x", path, got, want)
		}
	}
	if len(img.digests) != 3 {
		t.Errorf("%d digest jobs, want 3 (one per file and algorithm)", len(img.digests))
	}
}

// An entry whose data changed after the background digest was started
// (patched, here) is hashed afresh, not given the file's digest.
func TestBackgroundDigestNotUsedForChangedData(t *testing.T) {
	data := []byte("0123456789")
	img, _, err := build(t, map[string][]byte{"d": data},
		`{"version":1,"image":{"entries":[{"name":"d","path":"$DIR/d","hash":"sha256"}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	e := img.Find("d")
	if want := sha256.Sum256(data); !bytes.Equal(e.HashValue(), want[:]) {
		t.Fatalf("digest %x, want %x", e.HashValue(), want)
	}
	if err := e.SetPatch(2, []byte("XY")); err != nil {
		t.Fatal(err)
	}
	if err := img.computeHashes(&img.Section); err != nil {
		t.Fatal(err)
	}
	if want := sha256.Sum256([]byte("01XY456789")); !bytes.Equal(e.HashValue(), want[:]) {
		t.Fatalf("patched digest %x, want %x", e.HashValue(), want)
	}
}
