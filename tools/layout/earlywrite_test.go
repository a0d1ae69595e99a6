package layout

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// buildInto builds a manifest into a file as fwtool does (Options.Output,
// then WriteFile) and returns the image and the file's bytes.
func buildInto(t *testing.T, dir, manifest string) (*Image, []byte) {
	t.Helper()
	m, err := ParseManifest([]byte(strings.ReplaceAll(manifest, "$DIR", dir)))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "image.bin")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := Build(m, Options{Output: f})
	if err != nil {
		t.Fatal(err)
	}
	if err := img.WriteFile(f, out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return img, got
}

// An image written while it packs has the bytes of one rendered after
// packing: blobs ahead of a compressed section (copied early), blobs
// after it, a file in two entries and under two algorithms, pad bytes,
// overlapping entries, a sparse input, a section with skip-at-start.
func TestEarlyWriteSameBytes(t *testing.T) {
	big := bytes.Repeat([]byte("early write, same bytes. "), (3*hashBufSize)/25+7)
	files := map[string][]byte{"big": big, "a": []byte("AAAA"), "b": bytes.Repeat([]byte("B"), 5000)}
	tests := []struct {
		name     string
		manifest string
		early    int  // pieces copied early and left in place
		tail     bool // the pad bytes after them written early too
	}{
		{"spi", `{"version":1,"image":{"size":2000000,"pad_byte":"0xff","entries":[
			{"name":"a","path":"$DIR/a","hash":"sha256"},
			{"name":"b","path":"$DIR/b","align":4096,"hash":"sha256"},
			{"name":"big","path":"$DIR/big","align":4096,"hash":"sha256"},
			{"name":"ro","type":"section","compress":"lz4","align":65536,"entries":[{"name":"in","path":"$DIR/big","hash":"sha256"}]},
			{"name":"after","path":"$DIR/b","hash":"sha256"},
			{"name":"fdtmap","type":"fdtmap"},
			{"name":"image-header","type":"image-header","location":"end"}]}}`, 3, true},
		{"zeros-in-padded-tail", `{"version":1,"image":{"size":5000000,"pad_byte":"0xff","entries":[
			{"name":"a","path":"$DIR/a","hash":"sha256"},
			{"name":"ro","type":"section","compress":"lz4","entries":[{"name":"in","path":"$DIR/big"}]},
			{"name":"z","type":"fill","size":3000,"fill_byte":0},
			{"name":"s","path":"$DIR/sparse"}]}}`, 1, true},
		{"overlap-in-padded-tail", `{"version":1,"image":{"size":5000000,"pad_byte":"0xff","entries":[
			{"name":"a","path":"$DIR/a","hash":"sha256"},
			{"name":"ro","type":"section","compress":"lz4","entries":[{"name":"in","path":"$DIR/big"}]},
			{"name":"s","path":"$DIR/sparse"},
			{"name":"o","path":"$DIR/a","offset":8,"size":4,"overlap":true}]}}`, 1, true},
		{"plain-section", `{"version":1,"image":{"size":100000,"pad_byte":"0xff","entries":[
			{"name":"a","path":"$DIR/a","hash":"sha256"},
			{"name":"s","type":"section","entries":[{"name":"in","path":"$DIR/b","hash":"sha256"}]},
			{"name":"c","path":"$DIR/b","hash":"sha1"}]}}`, 1, false},
		{"shared-file", `{"version":1,"image":{"entries":[
			{"name":"x","path":"$DIR/big","hash":"sha256"},
			{"name":"y","path":"$DIR/big","hash":"sha1"},
			{"name":"z","path":"$DIR/big","hash":"sha256"}]}}`, 1, false},
		{"no-hash", `{"version":1,"image":{"pad_byte":"0x5a","entries":[
			{"name":"a","path":"$DIR/a"},{"name":"b","path":"$DIR/b","align":16}]}}`, 0, false},
		{"overlap", `{"version":1,"image":{"entries":[
			{"name":"b","path":"$DIR/b","hash":"sha256"},
			{"name":"a","path":"$DIR/a","offset":8,"size":4,"overlap":true}]}}`, 1, false},
		{"sparse", `{"version":1,"image":{"pad_byte":"0xff","entries":[
			{"name":"s","path":"$DIR/sparse","hash":"sha256"},
			{"name":"a","path":"$DIR/a","hash":"sha256"}]}}`, 2, false},
		{"skip-at-start", `{"version":1,"image":{"skip_at_start":4096,"entries":[
			{"name":"b","path":"$DIR/b","hash":"sha256"},
			{"name":"a","path":"$DIR/a","align":16,"hash":"sha256"}]}}`, 2, false},
	}
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sparse, err := os.Create(filepath.Join(dir, "sparse"))
	if err == nil {
		_, err = sparse.WriteAt([]byte("end of a sparse file"), 3<<20)
		sparse.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img, err := buildIn(dir, tc.manifest)
			if err != nil {
				t.Fatal(err)
			}
			want, err := img.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			early, got := buildInto(t, dir, tc.manifest)
			if !bytes.Equal(got, want) {
				t.Fatalf("image written while packing differs (%d bytes, want %d)", len(got), len(want))
			}
			if n := len(early.early.wrote); n != tc.early {
				t.Errorf("%d pieces copied early, want %d", n, tc.early)
			}
			if tail := early.early.tail.src != nil; tail != tc.tail {
				t.Errorf("pad bytes written early %v, want %v", tail, tc.tail)
			}
		})
	}
}

// buildIn builds a manifest whose files are in dir.
func buildIn(dir, manifest string) (*Image, error) {
	m, err := ParseManifest([]byte(strings.ReplaceAll(manifest, "$DIR", dir)))
	if err != nil {
		return nil, err
	}
	return Build(m, Options{})
}

// A piece copied early that the final image does not have at that place
// (packing moved it, or its data changed) makes the write start over from
// an empty file; one that failed halfway does too.
func TestEarlyWriteStartsOver(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := fileRegion{path: "in", n: 5}
	final := content{size: 10, pieces: []piece{{at: 0, src: fill{0xff, 5}}, {at: 5, src: r}}}
	for _, tc := range []struct {
		name  string
		wrote []piece
		dirty bool
		keep  int // pieces left to write
	}{
		{"in place", []piece{{at: 5, src: r}}, false, 1},
		{"moved", []piece{{at: 0, src: r}}, false, 2},
		{"failed", nil, true, 2},
	} {
		if _, err := f.WriteAt([]byte("stale"), 0); err != nil {
			t.Fatal(err)
		}
		w := newEarlyWriter(f)
		w.wrote, w.dirty = tc.wrote, tc.dirty
		left, _, err := w.remaining(final)
		if err != nil {
			t.Fatal(err)
		}
		if len(left.pieces) != tc.keep || left.size != final.size {
			t.Errorf("%s: %d pieces of %d bytes left, want %d of %d", tc.name, len(left.pieces), left.size, tc.keep, final.size)
		}
		st, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		if emptied := st.Size() == 0; emptied != (tc.keep == 2) {
			t.Errorf("%s: file emptied %v, want %v", tc.name, emptied, tc.keep == 2)
		}
	}
}
