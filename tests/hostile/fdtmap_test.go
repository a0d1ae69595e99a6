package hostile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/fdtmap"
)

// binman images with an fdtmap: offsets and sizes of entries come from the
// map's cells; replace must stay inside the entry's real extent.
func TestFdtmap(t *testing.T) { runFamily(t, fdtmapCases(t)) }

// fdtmapImage builds an image with a small "spl" entry, a section holding
// "data", and the fdtmap last (no image header, so the map can change size).
func fdtmapImage(t *testing.T, data []byte) []byte {
	dir := t.TempDir()
	writeFile(t, dir, "spl.bin", []byte("SPL!"))
	writeFile(t, dir, "data.bin", data)
	m := writeFile(t, dir, "m.json", []byte(`{"version":1,"image":{"entries":[
		{"name":"spl","path":"`+dir+`/spl.bin"},
		{"name":"sec","type":"section","entries":[{"name":"data","path":"`+dir+`/data.bin"}]},
		{"name":"fdtmap"}]}}`))
	img := filepath.Join(dir, "image.bin")
	fwtoolOK(t, dir, "build", "--manifest", m, "--output", img)
	return readFile(t, img)
}

// editMap rewrites the image's fdtmap after edit changed its tree.
func editMap(t *testing.T, img []byte, edit func(root *fdt.Node)) []byte {
	m, err := fdtmap.Read(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	edit(m.Tree.Root)
	return append(append([]byte(nil), img[:m.Pos]...), fdtmap.Encode(m.Tree.Root)...)
}

func setCell(path, prop string, v []byte) func(root *fdt.Node) {
	return func(root *fdt.Node) {
		n := root.Lookup(path)
		if n == nil {
			panic(fmt.Sprintf("no node %s", path))
		}
		n.SetProp(prop, v)
	}
}

// sameSize checks an image updated in place kept its size.
func sameSize(name string) func(e *Env, r *Result) error {
	return func(e *Env, r *Result) error {
		before := len(e.files[name])
		st, err := os.Stat(e.Path(name))
		if err != nil {
			return err
		}
		if st.Size() != int64(before) {
			return fmt.Errorf("%s grew from %d to %d bytes", name, before, st.Size())
		}
		return nil
	}
}

func fdtmapCases(t *testing.T) []Case {
	img := fdtmapImage(t, []byte("payload"))
	withNew := func(b []byte) map[string][]byte { return map[string][]byte{"img": b, "new": []byte("NEW")} }
	replace := []string{"replace", "-i", "{in}/img", "-f", "{in}/new", "spl"}
	bomb := bomb256()
	gz := editMap(t, fdtmapImage(t, bomb), func(root *fdt.Node) {
		d := root.Lookup("/sec/data")
		d.SetProp("compress", fdt.String("gzip"))
		d.SetProp("uncomp-size", fdt.U32(256<<20))
	})
	gzSmallClaim := editMap(t, gz, func(root *fdt.Node) { root.Lookup("/sec/data").SetProp("uncomp-size", fdt.U32(1<<20)) })
	return []Case{
		{Name: "replace-size-0xffffffff", Files: withNew(editMap(t, img, setCell("/spl", "size", fdt.U32(0xffffffff)))), Args: replace},
		{Name: "replace-offset-0xffffffff", Files: withNew(editMap(t, img, setCell("/spl", "offset", fdt.U32(0xffffffff)))), Args: replace},
		// image-pos is not where replace writes (offsets are): the
		// entry's real extent is replaced and the image keeps its size.
		{Name: "replace-image-pos-0xffffffff", WantOK: true, Files: withNew(editMap(t, img, setCell("/spl", "image-pos", fdt.U32(0xffffffff)))), Args: replace,
			Check: sameSize("img")},
		{Name: "replace-new-5GiB", Files: map[string][]byte{"img": img}, Setup: sparse("new", []byte("x"), 5<<30), Args: replace, WantErr: "32-bit"},
		{Name: "replace-new-dev-zero", Files: map[string][]byte{"img": img}, Args: []string{"replace", "-i", "{in}/img", "-f", "/dev/zero", "spl"}},
		{Name: "replace-bigger-no-repack", Files: map[string][]byte{"img": img, "new": make([]byte, 100)}, Args: replace, WantErr: "allow-repack"},
		{Name: "replace-section-offset-huge", Files: withNew(editMap(t, img, setCell("/sec", "offset", fdt.U32(0xfffffff0)))),
			Args: []string{"replace", "-i", "{in}/img", "-f", "{in}/new", "sec/data"}},
		{Name: "replace-size-2^63", Files: withNew(editMap(t, img, setCell("/spl", "size", fdt.U64(1<<63)))), Args: replace},
		{Name: "replace-section-entry-size-huge", Files: withNew(editMap(t, img, setCell("/sec/data", "size", fdt.U32(0xfffffff0)))),
			Args: []string{"replace", "-i", "{in}/img", "-f", "{in}/new", "sec/data"}},
		{Name: "extract-size-0xffffffff", Files: withNew(editMap(t, img, setCell("/spl", "size", fdt.U32(0xffffffff)))), Args: []string{"extract", "-i", "{in}/img", "-f", "{out}/s", "spl"}},
		{Name: "extract-size-2^63", Files: withNew(editMap(t, img, setCell("/spl", "size", fdt.U64(1<<63)))), Args: []string{"extract", "-i", "{in}/img", "-f", "{out}/s", "spl"}},
		{Name: "ls-size-2^63", Files: withNew(editMap(t, img, setCell("/spl", "size", fdt.U64(1<<63)))), Args: []string{"ls", "{in}/img"}, WantOK: true},
		{Name: "uncomp-size-huge-extract", Files: withNew(editMap(t, img, func(root *fdt.Node) {
			root.Lookup("/sec/data").SetProp("compress", fdt.String("lz4"))
			root.Lookup("/sec/data").SetProp("uncomp-size", fdt.U32(0xffffffff))
		})), Args: []string{"extract", "-i", "{in}/img", "-f", "{out}/s", "sec/data"}},
		// A gzip entry inflating to 256 MiB streams to the output file.
		{Name: "gzip-256MiB-extract", WantOK: true, Timeout: 60e9, Files: map[string][]byte{"img": gz}, Args: []string{"extract", "-i", "{in}/img", "-f", "{out}/d", "sec/data"}, Check: outSize("d", 256<<20)},
		{Name: "gzip-256MiB-extract-dir", WantOK: true, Timeout: 60e9, Files: map[string][]byte{"img": gz}, Args: []string{"extract", "-i", "{in}/img", "-O", "{out}", "sec/data"}, Check: outSize("sec/data", 256<<20)},
		// uncomp-size is the bound: data inflating past it is an error.
		{Name: "gzip-past-uncomp-size", Files: map[string][]byte{"img": gzSmallClaim}, Args: []string{"extract", "-i", "{in}/img", "-f", "{out}/d", "sec/data"}, WantErr: "more than"},
	}
}
