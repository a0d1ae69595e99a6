package fdtmap

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

// A tree where a later name ("uncomp-size") contains an earlier one
// ("size") as its tail: libfdt's sequential writer puts the new name in
// front and later lookups of "size" reuse the tail of "uncomp-size".
func sample() *fdt.Node {
	return &fdt.Node{Properties: []*fdt.Property{
		{Name: "image-node", Value: fdt.String("binman")},
		{Name: "size", Value: fdt.U32(0x40)},
	}, Children: []*fdt.Node{
		{Name: "a", Properties: []*fdt.Property{
			{Name: "uncomp-size", Value: fdt.U32(9)},
			{Name: "size", Value: fdt.U32(4)},
		}},
	}}
}

func TestEncodeDTBLayout(t *testing.T) {
	got := EncodeDTB(sample())
	// Worked by hand from libfdt's fdt_sw.c rules: strings block is
	// "uncomp-size\0size\0image-node\0" (newest first); "size" in node a
	// reuses offset 7, the tail of "uncomp-size".
	want := "d00dfeed" + "000000b4" + "00000038" + "00000098" + "00000028" + "00000011" + "00000010" + "00000000" + "0000001c" + "00000060" +
		strings.Repeat("00", 16) +
		"00000001" + "00000000" +
		"00000003" + "00000007" + "00000011" + "62696e6d616e0000" +
		"00000003" + "00000004" + "0000000c" + "00000040" +
		"00000001" + "61000000" +
		"00000003" + "00000004" + "00000000" + "00000009" +
		"00000003" + "00000004" + "00000007" + "00000004" +
		"00000002" + "00000002" + "00000009" +
		hex.EncodeToString([]byte("uncomp-size\x00size\x00image-node\x00"))
	if hex.EncodeToString(got) != want {
		t.Fatalf("got\n%x\nwant\n%s", got, want)
	}
	tree, err := fdt.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := tree.Root.Lookup("/a").PropU32("size"); v != 4 {
		t.Fatalf("size %d", v)
	}
}

func TestLocate(t *testing.T) {
	fm := Encode(sample())
	img := make([]byte, 0x200)
	copy(img[0x40:], fm)
	tests := []struct {
		name   string
		header []byte
		at     int
		want   int64
	}{
		{"no-header", nil, 0, 0x40},
		{"start", ImageHeader(0x40, 0x200, false), 0, 0x40},
		{"end", ImageHeader(0x40, 0x200, true), 0x200 - ImageHeaderLen, 0x40},
	}
	for _, tc := range tests {
		b := append([]byte(nil), img...)
		copy(b[tc.at:], tc.header)
		got, err := Locate(bytes.NewReader(b), int64(len(b)))
		if err != nil || got != tc.want {
			t.Errorf("%s: got %#x, %v", tc.name, got, err)
		}
	}
	if hex.EncodeToString(ImageHeader(0x40, 0x200, true)) != "42696e4d40feffff" {
		t.Errorf("end header %x", ImageHeader(0x40, 0x200, true))
	}
	if _, err := Locate(bytes.NewReader(make([]byte, 64)), 64); err != ErrNotFound {
		t.Errorf("empty image: %v", err)
	}
	for _, tc := range tests {
		b := append([]byte(nil), img...)
		copy(b[tc.at:], tc.header)
		m, err := ReadQuick(bytes.NewReader(b), int64(len(b)))
		if tc.header == nil {
			if err != ErrNotFound {
				t.Errorf("%s: ReadQuick without a header: %v", tc.name, err)
			}
			continue
		}
		if err != nil || m.Pos != tc.want {
			t.Errorf("%s: ReadQuick: %v", tc.name, err)
		}
	}
}

func TestReadAndSelect(t *testing.T) {
	root := &fdt.Node{Properties: []*fdt.Property{{Name: "image-node", Value: fdt.String("binman")}, {Name: "size", Value: fdt.U32(0x100)}},
		Children: []*fdt.Node{
			{Name: "u-boot", Properties: []*fdt.Property{{Name: "offset", Value: fdt.U32(0)}, {Name: "size", Value: fdt.U32(4)}, {Name: "image-pos", Value: fdt.U32(0)}}},
			{Name: "sec", Properties: []*fdt.Property{{Name: "type", Value: fdt.String("section")}, {Name: "offset", Value: fdt.U32(8)}, {Name: "size", Value: fdt.U32(4)}, {Name: "image-pos", Value: fdt.U32(8)}},
				Children: []*fdt.Node{{Name: "u-boot-dtb", Properties: []*fdt.Property{{Name: "offset", Value: fdt.U32(0)}, {Name: "size", Value: fdt.U32(4)}, {Name: "image-pos", Value: fdt.U32(8)}}}}},
		}}
	img := make([]byte, 0x200)
	copy(img, "UBOO")
	copy(img[8:], "DTB!")
	copy(img[0x20:], Encode(root))
	m, err := Read(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	e, err := m.Find("sec/u-boot-dtb")
	if err != nil {
		t.Fatal(err)
	}
	data, err := m.ReadEntry(bytes.NewReader(img), int64(len(img)), e, nil)
	if err != nil || string(data) != "DTB!" {
		t.Fatalf("read %q, %v", data, err)
	}
	if _, err := m.Find("sec/nope"); err == nil || err.Error() != "Entry 'nope' not found in '/sec'" {
		t.Fatalf("find error %v", err)
	}
	got, _, _ := m.Select([]string{"*dtb*"})
	if len(got) != 1 || got[0].Path != "sec/u-boot-dtb" {
		t.Fatalf("select %v", got)
	}
	got, _, _ = m.Select([]string{"sec"})
	if len(got) != 2 {
		t.Fatalf("section selects its children too: %d", len(got))
	}
}

func FuzzRead(f *testing.F) {
	img := make([]byte, 0x80)
	copy(img[8:], Encode(sample()))
	f.Add(img)
	f.Add(append(ImageHeader(8, 0x80, false), img[8:]...))
	f.Add([]byte(Magic + "\x00\x00\x00\x00\x00\x00\x00\x00\xd0\x0d\xfe\xed"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ReadQuick(bytes.NewReader(data), int64(len(data)))
		m, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		var sb strings.Builder
		if err := m.List(&sb, []string{"*"}); err != nil {
			t.Fatal(err)
		}
		m.Root.Walk(func(e *Entry, _ int) {
			if e.Size < 1<<20 {
				m.ReadEntry(bytes.NewReader(data), int64(len(data)), e, nil)
			}
		})
	})
}

func TestListLikeBinman(t *testing.T) {
	u := fdt.U32
	root := &fdt.Node{Properties: []*fdt.Property{{Name: "image-node", Value: fdt.String("binman")}, {Name: "image-pos", Value: u(0)}, {Name: "size", Value: u(0x1000000)}, {Name: "offset", Value: u(0)}},
		Children: []*fdt.Node{
			{Name: "p", Properties: []*fdt.Property{{Name: "uncomp-size", Value: u(0x1a64)}, {Name: "image-pos", Value: u(0)}, {Name: "size", Value: u(0x1a73)}, {Name: "offset", Value: u(0)}, {Name: "type", Value: fdt.String("blob")}, {Name: "compress", Value: fdt.String("lz4")}}},
			{Name: "s", Properties: []*fdt.Property{{Name: "uncomp-size", Value: u(0x1a64)}, {Name: "image-pos", Value: u(0x1a73)}, {Name: "size", Value: u(0x1a73)}, {Name: "offset", Value: u(0x1a73)}, {Name: "type", Value: fdt.String("section")}, {Name: "compress", Value: fdt.String("lz4")}},
				Children: []*fdt.Node{{Name: "q", Properties: []*fdt.Property{{Name: "size", Value: u(0x1a64)}, {Name: "offset", Value: u(0)}, {Name: "type", Value: fdt.String("blob")}}}}},
		}}
	m, err := Decode(EncodeDTB(root))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := m.List(&sb, nil); err != nil {
		t.Fatal(err)
	}
	// Columns as binman ls prints them: widths count the right-align
	// marker, sections show no uncompressed size, entries inside a
	// compressed section have no image position.
	// binman ls's output for this fdtmap (put in an image of that size).
	want := `Name   Image-pos  Size      Entry-type  Offset  Uncomp-size
-------------------------------------------------------------
image          0   1000000  section          0
  p            0      1a73  blob             0         1a64
  s         1a73      1a73  section       1a73
    q                 1a64  blob             0
`
	if sb.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", sb.String(), want)
	}
}
