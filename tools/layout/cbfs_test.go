package layout

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

// FuzzCbfs builds CBFS entries of fuzzed size, architecture, file sizes,
// placement and compression: the build either fails with an error or
// gives exactly the entry's size, the master-header pointer in the last
// four bytes naming a valid master header, and the files' data where
// the entries were placed.
func FuzzCbfs(f *testing.F) {
	f.Add(uint16(0x180), false, uint8(4), uint8(8), uint16(0), uint8(0))
	f.Add(uint16(0x200), true, uint8(4), uint8(60), uint16(0x100), uint8(1))
	f.Add(uint16(0x20), false, uint8(0), uint8(0), uint16(0), uint8(2))
	f.Fuzz(func(t *testing.T, size uint16, arm bool, lenA, lenB uint8, offB uint16, comp uint8) {
		arch := 1
		if arm {
			arch = 0xaa64
		}
		algo := []string{"none", "lz4", "lzma"}[int(comp)%3]
		files := map[string][]byte{"a": bytes.Repeat([]byte{'A'}, int(lenA)), "b": bytes.Repeat([]byte{'B'}, int(lenB))}
		off := ""
		if offB != 0 {
			off = fmt.Sprintf(`,"offset":%d`, offB)
		}
		m := fmt.Sprintf(`{"version":1,"image":{"entries":[{"name":"cbfs","type":"cbfs","size":%d,"cbfs":{"arch":%d,"files":[{"name":"a"},{"name":"fallback/b","compress":%q%s}]},
			"entries":[{"name":"a","path":"$DIR/a"},{"name":"b","path":"$DIR/b"}]}]}}`, size, arch, algo, off)
		img, _, err := build(t, files, m)
		if err != nil {
			if !strings.Contains(err.Error(), "No space") && !strings.Contains(err.Error(), "cbfs-offset") && !strings.Contains(err.Error(), "Internal error") {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		out, err := img.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != int(size) {
			t.Fatalf("image is %d bytes, want %d", len(out), size)
		}
		hdr := int(size) + int(int32(binary.LittleEndian.Uint32(out[len(out)-4:])))
		if hdr < 0 || hdr+cbfsHeaderLen > len(out) || binary.BigEndian.Uint32(out[hdr:]) != cbfsHeaderMagic {
			t.Fatalf("master header pointer %#x names no header", hdr)
		}
		a := img.Find("cbfs/a")
		if a == nil {
			t.Fatal("entry a not found")
		}
		if got := out[a.Offset() : a.Offset()+a.Size()]; !bytes.Equal(got, files["a"]) {
			t.Fatalf("file a's data %q at %#x, want %q", got, a.Offset(), files["a"])
		}
		if offB != 0 {
			if b := img.Find("cbfs/b"); b.Offset() != uint64(offB) {
				t.Fatalf("file b's data at %#x, want cbfs-offset %#x", b.Offset(), offB)
			}
		}
	})
}
