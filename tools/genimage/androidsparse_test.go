package genimage

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/androidsparse"
)

const sparseCfg = `image test.hdimage {
	hdimage {
		align = 1M
		partition-table-type = "gpt"
		disk-uuid = "afcfea87-e41a-40e0-85ae-295c60773c7a"
	}
	partition part1 { image = "part1.img" size = 2M partition-uuid = "92762261-e854-45c1-b4c9-fc5e752034ab" }
	partition part2 { image = "part2.img" size = 1M partition-uuid = "41061242-1d5a-4657-892d-fcc1fdb11a6c" }
	size = 5M
}
image test.sparse { android-sparse { image = test.hdimage ADD } }
`

// normalizeSparse zeroes the reserved field of each chunk header of a
// sparse image: genimage 16 leaves it uninitialised (fixed after 16).
func normalizeSparse(t *testing.T, b []byte) []byte {
	t.Helper()
	b = append([]byte(nil), b...)
	for p := androidsparse.HeaderSize; p+androidsparse.ChunkHeaderSize <= len(b); {
		b[p+2], b[p+3] = 0, 0
		n := int(binary.LittleEndian.Uint32(b[p+8:]))
		if n < androidsparse.ChunkHeaderSize {
			t.Fatalf("chunk at %d: size %d", p, n)
		}
		p += n
	}
	return b
}

// The sparse image of an hdimage built in the same config: byte-identical
// to genimage 16's (which always appends the CRC32 chunk, our add-crc =
// true) but for the reserved fields, expanded by simg2img to the hdimage,
// its gaps don't-care chunks.
func TestAndroidSparseMatchesGenimage(t *testing.T) {
	part1 := strings.Repeat("\x00", 3584) + strings.Repeat("p1", 40000)
	tr := newTree(t, map[string]string{"in/part1.img": part1, "in/part2.img": strings.Repeat("\xa5", 5000)})
	tr.ref(strings.Replace(sparseCfg, "ADD", "", 1))
	if err := tr.ours(strings.Replace(sparseCfg, "ADD", "add-crc = true", 1), nil); err != nil {
		t.Fatal(err)
	}
	ours, ref := tr.read("out/test.sparse"), tr.read("ref/test.sparse")
	if !bytes.Equal(normalizeSparse(t, ours), normalizeSparse(t, ref)) {
		t.Fatalf("test.sparse: %d bytes differ from genimage's %d", len(ours), len(ref))
	}
	tool(t, "simg2img", tr.path("out/test.sparse"), tr.path("expanded"))
	if !bytes.Equal(tr.read("expanded"), tr.read("out/test.hdimage")) {
		t.Fatal("simg2img does not give back test.hdimage")
	}
	var dontCare int
	b := ours
	for p := androidsparse.HeaderSize; p < len(b); p += int(binary.LittleEndian.Uint32(b[p+8:])) {
		if binary.LittleEndian.Uint16(b[p:]) == androidsparse.ChunkDontCare {
			dontCare++
		}
	}
	if dontCare == 0 {
		t.Error("the hdimage's gaps are not don't-care chunks")
	}
}

// fill-holes = true writes the gaps as zero fill chunks (genimage 17+);
// block-size must be a multiple of 512; the image option is required.
func TestAndroidSparseOptions(t *testing.T) {
	tr := newTree(t, map[string]string{"in/a.img": strings.Repeat("\x00", 8192) + "data"})
	cfg := `image a.sparse { android-sparse { image = "a.img" fill-holes = true block-size = 1k } }`
	if err := tr.ours(cfg, nil); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	h, err := androidsparse.Expand(bytes.NewReader(tr.read("out/a.sparse")), &out)
	if err != nil || h.BlockSize != 1024 || h.Blocks != 9 || h.Chunks != 2 {
		t.Fatalf("header %+v, %v", h, err)
	}
	if want := strings.Repeat("\x00", 8192) + "data" + strings.Repeat("\x00", 1020); out.String() != want {
		t.Error("expansion differs from the input")
	}
	for cfg, want := range map[string]string{
		`image b.sparse { android-sparse { image = "a.img" block-size = 1000 } }`: "block-size",
		`image b.sparse { android-sparse { } }`:                                   "'image'",
		`image b.sparse { android-sparse { image = "nope" } }`:                    "nope",
		`image b.sparse { android-sparse { image = "a.img" colour = 1 } }`:        "colour",
	} {
		tr := newTree(t, map[string]string{"in/a.img": "x"})
		err := tr.ours(cfg, nil)
		if err == nil || !strings.Contains(err.Error(), "'b.sparse'") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one naming b.sparse and %s", cfg, err, want)
		}
	}
}
