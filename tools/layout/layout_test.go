package layout

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/fdtmap"
)

// build parses a manifest whose "$DIR" is replaced by a temp dir holding
// the given files, builds it and returns the image.
func build(t *testing.T, files map[string][]byte, manifest string) (*Image, string, error) {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := ParseManifest([]byte(strings.ReplaceAll(manifest, "$DIR", dir)))
	if err != nil {
		return nil, dir, err
	}
	img, err := Build(m, Options{})
	return img, dir, err
}

func TestPropertiesExactBytes(t *testing.T) {
	files := map[string][]byte{"a": []byte("AAAA"), "b": []byte("BB")}
	tests := []struct {
		name    string
		entries string
		image   string
		want    string // hex
	}{
		{"text-fixed-size", `{"name":"t","type":"text","text":"hi","size":4}`, ``, "68690000"},
		{"fill", `{"name":"f","type":"fill","size":3,"fill_byte":"0xa5"}`, ``, "a5a5a5"},
		{"blob-then-align", `{"name":"a","path":"$DIR/a"},{"name":"b","path":"$DIR/b","align":8}`, `"pad_byte":1,`, "41414141010101014242"},
		{"pad-before-after-parent-byte", `{"name":"a","path":"$DIR/a","pad_before":1,"pad_after":2}`, `"pad_byte":"0x77",`, "774141414177" + "77"},
		{"section-tail-own-pad-byte", `{"name":"s","type":"section","size":6,"pad_byte":"0xee","entries":[{"name":"b","path":"$DIR/b"}]}`, `"pad_byte":"0x11",`, "4242eeeeeeee"},
		{"image-size-tail", `{"name":"b","path":"$DIR/b"}`, `"size":5,"pad_byte":"0xff",`, "4242ffffff"},
		{"align-end", `{"name":"b","path":"$DIR/b","align_end":4},{"name":"t","type":"text","text":"x"}`, ``, "4242000078"},
		{"offset-gap", `{"name":"b","path":"$DIR/b","offset":3}`, `"pad_byte":9,`, "0909094242"},
		{"skip-at-start", `{"name":"b","path":"$DIR/b","offset":"0x102"}`, `"skip_at_start":"0x100",`, "00004242"},
		{"overlap", `{"name":"a","path":"$DIR/a"},{"name":"b","path":"$DIR/b","offset":1,"size":2,"overlap":true}`, ``, "41424241"},
		{"extend-last-to-section-end", `{"name":"b","path":"$DIR/b","extend_size":true}`, `"size":4,"pad_byte":3,`, "42420303"},
		{"extend-fill-to-next", `{"name":"f","type":"fill","size":1,"fill_byte":8,"extend_size":true},{"name":"b","path":"$DIR/b","offset":3}`, ``, "0808084242"},
		{"name-prefix-keeps-bytes", `{"name":"s","type":"section","name_prefix":"p-","entries":[{"name":"b","path":"$DIR/b"}]}`, ``, "4242"},
		{"min-size-padded-with-parent-byte", `{"name":"b","path":"$DIR/b","min_size":4}`, `"pad_byte":6,`, "42420606"},
		{"align-size", `{"name":"b","path":"$DIR/b","align_size":8}`, ``, "4242000000000000"},
		{"sort-by-offset", `{"name":"b","path":"$DIR/b","offset":4},{"name":"a","path":"$DIR/a","offset":0}`, `"sort_by_offset":true,`, "414141414242"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img, _, err := build(t, files, `{"version":1,"image":{`+tc.image+`"entries":[`+tc.entries+`]}}`)
			if err != nil {
				t.Fatal(err)
			}
			got, err := img.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != tc.want {
				t.Fatalf("got %x, want %s\n%s", got, tc.want, img.Map())
			}
		})
	}
}

func TestErrors(t *testing.T) {
	files := map[string][]byte{"a": []byte("AAAA"), "b": []byte("BB")}
	tests := []struct {
		name, manifest, want string
	}{
		{"bad-version", `{"version":2,"image":{}}`, "manifest: version 2 not supported (want 1)"},
		{"unknown-field", `{"version":1,"image":{"sise":3}}`, `manifest: json: unknown field "sise"`},
		{"unknown-type", `{"version":1,"image":{"entries":[{"name":"x","type":"u-boot-elf"}]}}`, "Node '/binman/x': Unknown entry type 'u-boot-elf'"},
		{"duplicate", `{"version":1,"image":{"entries":[{"name":"x","path":"$DIR/a"},{"name":"x","path":"$DIR/a"}]}}`, "Node '/binman': duplicate entry name 'x'"},
		{"fill-no-size", `{"version":1,"image":{"entries":[{"name":"f","type":"fill"}]}}`, "Node '/binman/f': 'fill' entry is missing properties: size"},
		{"overlap-needs-offset", `{"version":1,"image":{"entries":[{"name":"a","path":"$DIR/a","overlap":true,"size":2}]}}`, "Node '/binman/a': 'blob' entry is missing properties: offset"},
		{"missing-blob", `{"version":1,"image":{"entries":[{"name":"a","path":"$DIR/nope"}]}}`, "Node '/binman/a': Cannot find file '$DIR/nope' (blob entry 'a' expects it)"},
		{"missing-ext-not-allowed", `{"version":1,"image":{"entries":[{"name":"a","type":"blob-ext","path":"$DIR/nope"}]}}`, "Node '/binman/a': Cannot find file '$DIR/nope' (blob entry 'a' expects it)"},
		{"bad-compress", `{"version":1,"image":{"entries":[{"name":"a","path":"$DIR/a","compress":"lzo"}]}}`, "Node '/binman/a': Unknown algorithm 'lzo'"},
		{"bad-hash", `{"version":1,"image":{"entries":[{"name":"a","path":"$DIR/a","hash":"md5"}]}}`, "Node '/binman/a': Unknown hash algorithm 'md5'"},
		{"header-no-fdtmap", `{"version":1,"image":{"entries":[{"name":"image-header","location":"start"}]}}`, "Node '/binman/image-header': 'image_header' section must have an 'fdtmap' sibling"},
		{"header-bad-location", `{"version":1,"image":{"entries":[{"name":"image-header","location":"middle"},{"name":"fdtmap"}]}}`, "Node '/binman/image-header': Invalid location 'middle', expected 'start' or 'end'"},
		{"nested-overlap", `{"version":1,"image":{"entries":[{"name":"s","type":"section","entries":[{"name":"a","path":"$DIR/a"},{"name":"b","path":"$DIR/b","offset":2}]}]}}`, "Node '/binman/s/b': Offset 0x2 (2) overlaps with previous entry '/binman/s/a' ending at 0x4 (4)"},
		{"section-too-small", `{"version":1,"image":{"entries":[{"name":"s","type":"section","size":1,"entries":[{"name":"b","path":"$DIR/b"}]}]}}`, "Section '/binman/s': contents size 0x2 (2) exceeds section size 0x1 (1)"},
		{"text-empty", `{"version":1,"image":{"entries":[{"name":"t","type":"text"}]}}`, "Node '/binman/t': No value provided for text label 'None'"},
		{"pad-byte-range", `{"version":1,"image":{"pad_byte":256}}`, "Image '/binman': pad-byte 0x100 (256) must fit in one byte"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, dir, err := build(t, files, tc.manifest)
			want := strings.ReplaceAll(tc.want, "$DIR", dir)
			if err == nil || err.Error() != want {
				t.Fatalf("error %v, want %q", err, want)
			}
		})
	}
}

func TestCompressedEntriesRoundTrip(t *testing.T) {
	payload := bytes.Repeat([]byte("firmware payload "), 5000)
	for _, algo := range []string{"lz4", "gzip", "lzma", "xz", "zstd", "bzip2"} {
		t.Run(algo, func(t *testing.T) {
			img, dir, err := build(t, map[string][]byte{"p": payload},
				`{"version":1,"image":{"entries":[{"name":"p","path":"$DIR/p","compress":"`+algo+`"},{"name":"fdtmap"}]}}`)
			if err != nil {
				t.Fatal(err)
			}
			p := img.Find("p").(*Blob)
			if p.UncompSize() != uint64(len(payload)) || p.Size() >= uint64(len(payload)) {
				t.Fatalf("uncomp-size %d size %d for %d bytes", p.UncompSize(), p.Size(), len(payload))
			}
			out := filepath.Join(dir, "img")
			if err := img.WriteImage(out); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			m, err := fdtmap.Read(f, st.Size())
			if err != nil {
				t.Fatal(err)
			}
			e, err := m.Find("p")
			if err != nil {
				t.Fatal(err)
			}
			if !e.HasUncompSize || e.UncompSize != uint64(len(payload)) || e.Compress != algo {
				t.Fatalf("fdtmap entry %+v", e)
			}
			got, err := m.ReadEntry(f, st.Size(), e, Decompress)
			if err != nil || !bytes.Equal(got, payload) {
				t.Fatalf("extracted %d bytes, err %v", len(got), err)
			}
			// The stream must be what the standard tool binman runs for
			// this algorithm reads (lzma: the .lzma format xz reads).
			raw, err := m.ReadEntry(f, st.Size(), e, nil)
			if err != nil {
				t.Fatal(err)
			}
			tool := map[string][]string{"lz4": {"lz4", "-dc"}, "gzip": {"gzip", "-dc"}, "lzma": {"xz", "--format=lzma", "-dc"},
				"xz": {"xz", "-dc"}, "zstd": {"zstd", "-qdc"}, "bzip2": {"bzip2", "-dc"}}[algo]
			path, err := exec.LookPath(tool[0])
			if err != nil {
				t.Fatalf("%s tool not found: %v", tool[0], err)
			}
			cmd := exec.Command(path, tool[1:]...)
			cmd.Stdin = bytes.NewReader(raw)
			dec, err := cmd.Output()
			if err != nil || !bytes.Equal(dec, payload) {
				t.Fatalf("%s: %v, %d bytes", strings.Join(tool, " "), err, len(dec))
			}
		})
	}
}

func TestCompressedSectionHidesPositions(t *testing.T) {
	img, _, err := build(t, map[string][]byte{"a": bytes.Repeat([]byte{'A'}, 4096)},
		`{"version":1,"image":{"entries":[{"name":"s","type":"section","compress":"lz4","entries":[{"name":"a","path":"$DIR/a"},{"name":"t","type":"text","text":"tail"}]}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	s := img.Find("s").(*Section)
	if s.UncompSize() != 4100 {
		t.Fatalf("uncomp-size %d", s.UncompSize())
	}
	want := "ImagePos    Offset      Size  Name\n" +
		"00000000  00000000  " + mapField(img.Size(), true) + "  image\n" +
		"00000000   00000000  " + mapField(s.Size(), true) + "  s\n" +
		"<none>      00000000  00001000  a\n" +
		"<none>      00001000  00000004  t\n"
	if got := img.Map(); got != want {
		t.Fatalf("map:\n%s\nwant:\n%s", got, want)
	}
	data, err := img.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := Decompress("lz4", data)
	if err != nil || len(raw) != 4100 || string(raw[4096:]) != "tail" {
		t.Fatalf("decompressed %d bytes: %v", len(raw), err)
	}
}

func TestHashes(t *testing.T) {
	data := []byte("hash me")
	sha := sha256.Sum256(data)
	s1 := sha1.Sum(data)
	crc := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data))
	for algo, want := range map[string][]byte{"sha256": sha[:], "sha1": s1[:], "crc32": crc} {
		img, _, err := build(t, map[string][]byte{"d": data},
			`{"version":1,"image":{"entries":[{"name":"d","path":"$DIR/d","hash":"`+algo+`","size":16},{"name":"fdtmap"}]}}`)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := img.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		m, err := fdtmap.Read(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			t.Fatal(err)
		}
		h := m.Tree.Root.Lookup("/d/hash")
		if h == nil {
			t.Fatalf("%s: no hash node", algo)
		}
		if v := h.Prop("value"); v == nil || !bytes.Equal(v.Value, want) {
			t.Fatalf("%s: value %x, want %x", algo, v, want)
		}
		if a, _ := h.PropString("algo"); a != algo {
			t.Fatalf("algo %q", a)
		}
	}
}

func TestMissingAllowedWarnsWithMessage(t *testing.T) {
	dir := t.TempDir()
	m, err := ParseManifest([]byte(`{"version":1,"allow_missing":true,"image":{"entries":[
		{"name":"tee","type":"blob-ext","path":"` + dir + `/tee.bin","assume_size":4,"missing_msg":"build OP-TEE first"},
		{"name":"scp","type":"blob-ext","path":"` + dir + `/scp.bin","size":2},
		{"name":"opt","type":"blob-ext","path":"` + dir + `/opt.bin","optional":true}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	img, err := Build(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Image 'image' is missing external blobs and is non-functional: tee scp",
		"/binman/tee (" + dir + "/tee.bin): build OP-TEE first",
		"/binman/scp (" + dir + "/scp.bin): file 'scp.bin' not found",
		"Image 'image' is missing optional external blobs but is still functional: opt",
		"/binman/opt (" + dir + "/opt.bin): file 'opt.bin' not found",
	}
	if strings.Join(img.Warnings, "\n") != strings.Join(want, "\n") {
		t.Fatalf("warnings:\n%s\nwant:\n%s", strings.Join(img.Warnings, "\n"), strings.Join(want, "\n"))
	}
	got, _ := img.Bytes()
	if hex.EncodeToString(got) != "000000000000" {
		t.Fatalf("image %x", got)
	}
	if strings.Contains(img.Map(), "opt") {
		t.Fatalf("optional missing entry still in map:\n%s", img.Map())
	}
}

func TestAfterPackPatch(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "spl"), make([]byte, 8), 0o644)
	os.WriteFile(filepath.Join(dir, "ub"), []byte("UBOOT"), 0o644)
	m, err := ParseManifest([]byte(`{"version":1,"image":{"entries":[{"name":"spl","path":"` + dir + `/spl"},{"name":"u-boot","path":"` + dir + `/ub","align":16}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	img, err := Build(m, Options{AfterPack: func(img *Image) error {
		pos, _ := img.Find("u-boot").b().ImagePos()
		return img.Find("spl").b().SetPatch(4, binary.LittleEndian.AppendUint32(nil, uint32(pos)))
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := img.Bytes()
	if hex.EncodeToString(got[:8]) != "0000000010000000" {
		t.Fatalf("patched spl %x", got[:8])
	}
}

func TestRepackBound(t *testing.T) {
	// An fdtmap that grows on every pass would never settle; ours settles
	// in two passes at most because values keep their cell size.
	img, _, err := build(t, nil, `{"version":1,"image":{"entries":[{"name":"fdtmap"},{"name":"t","type":"text","text":"x","offset":"0x100000"}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	if img.Find("t").b().Offset() != 0x100000 {
		t.Fatal("offset lost")
	}
}

func TestSparseStreaming(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// 64 MiB file with data only at both ends.
	f.WriteAt([]byte("head"), 0)
	f.WriteAt([]byte("tail"), 64<<20-4)
	f.Close()
	m, err := ParseManifest([]byte(`{"version":1,"image":{"entries":[{"name":"t","type":"text","text":"T"},{"name":"big","path":"` + big + `","align":4096},{"name":"end","type":"text","text":"E"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	img, err := Build(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := img.WriteImage(out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4096+64<<20+1 || string(got[:1]) != "T" || string(got[4096:4100]) != "head" ||
		string(got[4096+64<<20-4:4096+64<<20]) != "tail" || got[len(got)-1] != 'E' {
		t.Fatalf("bad output of %d bytes", len(got))
	}
	var st statBlocks
	if blocks, ok := st.allocated(out); ok && blocks > 1<<20 {
		t.Fatalf("output not sparse: %d bytes allocated", blocks)
	}
}

func TestSVG(t *testing.T) {
	img, _, err := build(t, map[string][]byte{"a": []byte("AAAA")},
		`{"version":1,"image":{"size":64,"entries":[{"name":"a","path":"$DIR/a"},{"name":"s","type":"section","offset":16,"entries":[{"name":"t","type":"text","text":"hello & <bye>"}]}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	svg := img.SVG()
	for _, want := range []string{"<svg", "a  offset 0x0 (0)  size 0x4 (4)", "(gap)  offset 0x4 (4)  size 0xc (12)",
		"s  offset 0x10 (16)  size 0xd (13)", "(padding)  offset 0x1d (29)  size 0x23 (35)", "</svg>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if err := xmlWellFormed(svg); err != nil {
		t.Fatal(err)
	}
}

func TestFdtmapTreeIsParseable(t *testing.T) {
	img, _, err := build(t, map[string][]byte{"a": []byte("AAAA")},
		`{"version":1,"image":{"entries":[{"name":"a","path":"$DIR/a","compress":"lz4"},{"name":"fdtmap"},{"name":"image-header","location":"end"}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := img.Bytes()
	m, err := fdtmap.Read(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	a := m.Tree.Root.Lookup("/a")
	// binman would take the type from the node name "a"; say "blob".
	if typ, _ := a.PropString("type"); typ != "blob" {
		t.Fatalf("type %q", typ)
	}
	if c, _ := a.PropString("compress"); c != "lz4" {
		t.Fatalf("compress %q", c)
	}
	var names []string
	for _, p := range m.Tree.Root.Properties {
		names = append(names, p.Name)
	}
	if strings.Join(names, ",") != "image-node,image-pos,size,offset" {
		t.Fatalf("root props %v", names)
	}
	_ = uint32(fdt.Magic)
}

func TestEntriesChangingSizeStopAfterBoundedPasses(t *testing.T) {
	m, err := ParseManifest([]byte(`{"version":1,"image":{"entries":[{"name":"t","type":"text","text":"x"},{"name":"fdtmap"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	passes := 0
	// Shrinking the fdtmap's recorded contents after every pass makes its
	// refreshed contents "grow" each time, so packing never settles.
	_, err = Build(m, Options{AfterPack: func(img *Image) error {
		passes++
		fm := img.Find("fdtmap").b()
		fm.setContents(bytesContent([]byte("short")))
		return nil
	}})
	want := "Image '/binman': Entries changed size after packing (tried 5 passes)"
	if err == nil || err.Error() != want || passes != 5 {
		t.Fatalf("error %v after %d passes, want %q after 5", err, passes, want)
	}
}

// Replacing an entry in place must give the image a fresh build with the
// new (zero-padded) data gives: same bytes, same hashes of the entry and
// its section in the fdtmap. (An image-wide hash covers the fdtmap itself,
// so it depends on the fdtmap the pass started from.)
func TestReplaceInPlaceEqualsRebuild(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"old", "new"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
		os.WriteFile(filepath.Join(dir, d, "a"), []byte("AAAA"), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "old", "b"), []byte("BBBBBBBB"), 0o644)
	os.WriteFile(filepath.Join(dir, "new", "b"), []byte("xyz\x00\x00\x00\x00\x00"), 0o644)
	buildTo := func(in, out string) {
		m, err := ParseManifest([]byte(`{"version":1,"image":{"entries":[{"name":"a","path":"` + in + `/a"},
			{"name":"sec","type":"section","hash":"sha256","entries":[{"name":"b","path":"` + in + `/b","hash":"sha1"},{"name":"t","type":"text","text":"tt"}]},
			{"name":"fdtmap"}]}}`))
		if err != nil {
			t.Fatal(err)
		}
		img, err := Build(m, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := img.WriteImage(out); err != nil {
			t.Fatal(err)
		}
	}
	img := filepath.Join(dir, "img")
	buildTo(filepath.Join(dir, "old"), img)
	if err := Replace(img, "sec/b", []byte("xyz")); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "want")
	buildTo(filepath.Join(dir, "new"), want)
	got, _ := os.ReadFile(img)
	exp, _ := os.ReadFile(want)
	if !bytes.Equal(got, exp) {
		t.Fatalf("replaced image differs from a rebuild:\n got %x\nwant %x", got, exp)
	}
}

func TestSparseOverlapOverwritesWithZeros(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a"), bytes.Repeat([]byte{'A'}, 3*4096), 0o644)
	f, _ := os.Create(filepath.Join(dir, "holes"))
	f.Truncate(2 * 4096) // all hole
	f.Close()
	m, err := ParseManifest([]byte(`{"version":1,"image":{"entries":[{"name":"a","path":"` + dir + `/a"},
		{"name":"h","path":"` + dir + `/holes","offset":4096,"size":8192,"overlap":true}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	img, err := Build(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := img.WriteImage(out); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	want := append(bytes.Repeat([]byte{'A'}, 4096), make([]byte, 8192)...)
	if !bytes.Equal(got, want) {
		t.Fatal("overlapping sparse blob did not overwrite earlier data with zeros")
	}
}

func TestExtractFromCompressedSection(t *testing.T) {
	payload := bytes.Repeat([]byte("abcdefgh"), 1000)
	img, _, err := build(t, map[string][]byte{"p": payload},
		`{"version":1,"image":{"entries":[{"name":"s","type":"section","compress":"zstd","entries":[{"name":"t","type":"text","text":"head"},{"name":"p","path":"$DIR/p"}]},{"name":"fdtmap"}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := img.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	m, err := fdtmap.Read(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	e, err := m.Find("s/p")
	if err != nil {
		t.Fatal(err)
	}
	if e.HasImagePos {
		t.Fatal("entry inside a compressed section has an image-pos")
	}
	got, err := m.ReadEntry(bytes.NewReader(raw), int64(len(raw)), e, Decompress)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("extracted %d bytes: %v", len(got), err)
	}
}

// A compressed section holding an fdtmap: the map's positions, known only
// after packing, change the compressed size, so the section is packed
// again (it used to fail with "grew after packing"). The section's map
// (read back through the lz4 tool) and the image's map must agree with
// the packed layout.
func TestCompressedSectionRepacksWhenItGrows(t *testing.T) {
	lz4, err := exec.LookPath("lz4")
	if err != nil {
		t.Fatalf("lz4 tool not found: %v", err)
	}
	img, dir, err := build(t, map[string][]byte{"a": bytes.Repeat([]byte{'A'}, 3000)},
		`{"version":1,"image":{"entries":[{"name":"image-header","type":"image-header","location":"start"},{"name":"s","type":"section","compress":"lz4","entries":[{"name":"a","path":"$DIR/a"},{"name":"fdtmap","type":"fdtmap"}]},{"name":"fdtmap","type":"fdtmap"}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "img")
	if err := img.WriteImage(out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	outer, err := fdtmap.ReadQuick(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	s := img.Find("s")
	es, err := outer.Find("s")
	if err != nil {
		t.Fatal(err)
	}
	if es.Size != s.Size() || es.Offset != s.Offset() || uint64(len(data)) != img.Size() {
		t.Fatalf("fdtmap says s at %#x size %#x, packed at %#x size %#x; image %#x bytes, size %#x",
			es.Offset, es.Size, s.Offset(), s.Size(), len(data), img.Size())
	}
	cmd := exec.Command(lz4, "-dc")
	cmd.Stdin = bytes.NewReader(data[s.Offset() : s.Offset()+s.ContentsSize()])
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("lz4 -dc: %v", err)
	}
	if uint64(len(raw)) != s.UncompSize() {
		t.Fatalf("section decompresses to %d bytes, uncomp-size %d", len(raw), s.UncompSize())
	}
	inner, err := fdtmap.Decode(raw[3000+fdtmap.HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	ia, err := inner.Find("a")
	if err != nil {
		t.Fatal(err)
	}
	if ia.Size != 3000 || inner.Root.Size != s.Size() {
		t.Fatalf("inner fdtmap: a size %#x, s size %#x; want 0xbb8, %#x", ia.Size, inner.Root.Size, s.Size())
	}
}
