package layout

import (
	"bytes"
	"testing"
)

// A section compressed straight from its one file keeps its uncompressed
// size through the passes that reuse the compressed data (process, the
// final write): the map, the fdtmap's uncomp-size and extraction use it.
func TestRegionCompressedSectionKeepsUncompSize(t *testing.T) {
	data := bytes.Repeat([]byte("lz4 section data "), 10000)
	img, _, err := build(t, map[string][]byte{"d": data},
		`{"version":1,"image":{"entries":[{"name":"z","type":"section","compress":"lz4","entries":[{"name":"d","path":"$DIR/d"}]},{"name":"fdtmap"}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Find("z").UncompSize(); got != uint64(len(data)) {
		t.Fatalf("uncomp-size %d after Build, want %d", got, len(data))
	}
	if _, err := img.Bytes(); err != nil {
		t.Fatal(err)
	}
	if got := img.Find("z").UncompSize(); got != uint64(len(data)) {
		t.Fatalf("uncomp-size %d after writing, want %d", got, len(data))
	}
}
