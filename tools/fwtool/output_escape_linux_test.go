//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/cpio"
	"github.com/rules-firmware/rules_firmware/tools/dts"
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/fdtmap"
)

// Names taken from an image or a description never put a file outside the
// output directory, and a command that refuses one leaves everything as
// it was (no earlier entry's file, no directory, no temporary file).
// Every extractor and binman's -O outputs are tried with "..", "../x",
// long "../" chains, absolute and empty names, and symbolic links already
// in the output directory that lead outside it. Images are crafted here.

// escapeSandbox is a directory tree deep enough that "../" chains land
// inside it: root/a/b/c/d/{in,out,outside}.
type escapeSandbox struct{ root, in, out, outside string }

func newEscapeSandbox(t *testing.T) *escapeSandbox {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b", "c", "d")
	s := &escapeSandbox{root, filepath.Join(deep, "in"), filepath.Join(deep, "out"), filepath.Join(deep, "outside")}
	for _, d := range []string{s.in, s.out, s.outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(s.outside, "victim"), []byte("keep me"))
	return s
}

// snapshot names every file, directory and link below root with its size
// and contents' digest (links: their target).
func (s *escapeSandbox) snapshot(t *testing.T) string {
	t.Helper()
	var lines []string
	err := filepath.Walk(s.root, func(p string, st os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.root, p)
		line := fmt.Sprintf("%s %v %d", rel, st.Mode(), st.Size())
		switch {
		case st.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			line += " -> " + target
		case st.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			line += fmt.Sprintf(" %x", b)
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// refuse runs fwtool and wants a one-line error holding want, with the
// whole sandbox unchanged.
func (s *escapeSandbox) refuse(t *testing.T, want string, args ...string) {
	t.Helper()
	before := s.snapshot(t)
	code, _, stderr := runFwtool(t, "1600000000", args...)
	if code == 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
		t.Errorf("%v: exit %d, stderr %q; want one line with %q", args[:2], code, stderr, want)
	}
	if after := s.snapshot(t); after != before {
		t.Errorf("%v changed the file system:\nbefore:\n%s\nafter:\n%s", args[:2], before, after)
	}
}

// links puts symbolic links in the output directory: esc to the outside
// directory, victim to the file there, and dangling to nowhere.
func (s *escapeSandbox) links(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		target := map[string]string{"esc": s.outside, "rel": "../outside", "dangling": filepath.Join(s.outside, "missing")}[n]
		if target == "" {
			target = filepath.Join(s.outside, "victim")
		}
		if err := os.Symlink(target, filepath.Join(s.out, n)); err != nil {
			t.Fatal(err)
		}
	}
}

var hostileNames = []struct{ name, want string }{
	{"..", "'..' component"},
	{"../x", "'..' component"},
	{strings.Repeat("../", 12) + "x", "'..' component"},
	{"a/../../x", "'..' component"},
	{"/abs", "absolute name"},
	{"", "empty name"},
}

// craftFIT is a FIT whose /images nodes have the given names.
func craftFIT(names ...string) []byte {
	tree := fdt.NewTree()
	tree.Root.SetProp("description", fdt.String("crafted"))
	tree.Root.SetProp("#address-cells", fdt.U32(1))
	images := tree.Root.AddChild("images")
	for _, n := range names {
		im := images.AddChild("placeholder")
		im.Name = n
		im.SetProp("data", []byte("payload of "+n))
		im.SetProp("type", fdt.String("kernel"))
		im.SetProp("compression", fdt.String("none"))
	}
	tree.Root.AddChild("configurations")
	return tree.Bytes()
}

func TestExtractFITNamesStayInside(t *testing.T) {
	for _, h := range hostileNames {
		s := newEscapeSandbox(t)
		img := writeFile(t, filepath.Join(s.in, "x.itb"), craftFIT("good", h.name))
		// The good image comes first: it must not be left behind either.
		s.refuse(t, "Node '/images/"+h.name+"'", "extract", "-i", img, "-O", s.out, "good", h.name)
	}
	for _, link := range []string{"victim", "esc", "rel", "dangling"} {
		s := newEscapeSandbox(t)
		s.links(t, link)
		img := writeFile(t, filepath.Join(s.in, "x.itb"), craftFIT(link, link+"/x"))
		s.refuse(t, "symbolic link", "extract", "-i", img, "-O", s.out, link)
		if link != "victim" {
			s.refuse(t, "symbolic link", "extract", "-i", img, "-O", s.out, link+"/x")
		}
	}
	// Inside the output directory all is well, and a new -O is made.
	s := newEscapeSandbox(t)
	img := writeFile(t, filepath.Join(s.in, "x.itb"), craftFIT("kernel", "sub/fdt"))
	if code, _, stderr := runFwtool(t, "", "extract", "-i", img, "-O", filepath.Join(s.out, "new"), "kernel", "sub/fdt"); code != 0 {
		t.Fatalf("plain FIT extract: %s", stderr)
	}
	if got := string(readFile(t, filepath.Join(s.out, "new", "sub", "fdt"))); got != "payload of sub/fdt" {
		t.Errorf("sub/fdt = %q", got)
	}
}

// fdtmapImage builds a binman-style image (spl, section sec holding data,
// fdtmap) and renames its map's nodes with rename (old path -> new name).
func craftFdtmapImage(t *testing.T, dir string, rename map[string]string) string {
	t.Helper()
	writeFile(t, filepath.Join(dir, "spl.bin"), []byte("SPL!"))
	writeFile(t, filepath.Join(dir, "data.bin"), []byte("DATA"))
	m := writeFile(t, filepath.Join(dir, "m.json"), []byte(`{"version":1,"image":{"entries":[
		{"name":"spl","path":"`+dir+`/spl.bin"},
		{"name":"sec","type":"section","entries":[{"name":"data","path":"`+dir+`/data.bin"}]},
		{"name":"fdtmap"}]}}`))
	img := filepath.Join(dir, "image.bin")
	if code, _, stderr := runFwtool(t, "", "build", "--manifest", m, "--output", img); code != 0 {
		t.Fatalf("build: %s", stderr)
	}
	b := readFile(t, img)
	fm, err := fdtmap.Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	// Rename deepest paths first so the shallower ones still resolve.
	var paths []string
	for p := range rename {
		paths = append(paths, p)
	}
	sort.Slice(paths, func(i, j int) bool { return len(paths[i]) > len(paths[j]) })
	for _, p := range paths {
		n := fm.Tree.Root.Lookup(p)
		if n == nil {
			t.Fatalf("no node %s", p)
		}
		n.Name = rename[p]
	}
	b = append(b[:fm.Pos:fm.Pos], fdtmap.Encode(fm.Tree.Root)...)
	return writeFile(t, img, b)
}

func TestExtractFdtmapNamesStayInside(t *testing.T) {
	for _, h := range hostileNames {
		if h.name == "" || strings.Contains(h.name, "/") && !strings.HasPrefix(h.name, "../") {
			// fdtmap paths split at "/": "a/../../x" is two nodes'
			// worth; a map with a node named "/abs" or "" does not
			// parse (the fdtmap test below covers that it writes nothing).
			continue
		}
		for _, node := range []string{"/spl", "/sec", "/sec/data"} {
			s := newEscapeSandbox(t)
			img := craftFdtmapImage(t, s.in, map[string]string{node: h.name})
			// Everything (-O with no path) so the good entries come first.
			s.refuse(t, "Entry '", "extract", "-i", img, "-O", s.out)
		}
	}
	for _, name := range []string{"", "/abs"} {
		s := newEscapeSandbox(t)
		img := craftFdtmapImage(t, s.in, map[string]string{"/spl": name})
		s.refuse(t, "image.bin", "extract", "-i", img, "-O", s.out)
	}
	// A chain of sections each named "..".
	s := newEscapeSandbox(t)
	img := craftFdtmapImage(t, s.in, map[string]string{"/sec": "..", "/sec/data": ".."})
	s.refuse(t, "'..' component", "extract", "-i", img, "-O", s.out)

	for _, link := range []string{"victim", "esc", "dangling"} {
		s := newEscapeSandbox(t)
		s.links(t, link)
		img := craftFdtmapImage(t, s.in, map[string]string{"/spl": link, "/sec": link})
		s.refuse(t, "symbolic link", "extract", "-i", img, "-O", s.out, link)
	}
}

func TestExtractCpioNamesStayInside(t *testing.T) {
	craft := func(names ...string) []byte {
		var b bytes.Buffer
		w := cpio.NewWriter(&b)
		for i, n := range names {
			data := []byte("file " + n)
			if err := w.WriteHeader(&cpio.Header{Ino: uint32(i + 1), Mode: 0o100644, NLink: 1, FileSize: uint32(len(data)), Name: n}); err != nil {
				t.Fatal(err)
			}
			w.Write(data)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, name := range []string{"..", "../x", strings.Repeat("../", 12) + "x", "a/../../x", "ok/../../x"} {
		s := newEscapeSandbox(t)
		img := writeFile(t, filepath.Join(s.in, "x.cpio"), craft("good", name))
		s.refuse(t, "'/"+name+"'", "extract", "-i", img, "-O", s.out)
	}
	for _, link := range []string{"victim", "esc", "dangling"} {
		s := newEscapeSandbox(t)
		s.links(t, link)
		img := writeFile(t, filepath.Join(s.in, "x.cpio"), craft("good", link+"/x", link))
		s.refuse(t, "symbolic link", "extract", "-i", img, "-O", s.out)
	}
}

// Formats whose names fwtool makes itself (uImage parts, FIP entries) or
// that a filesystem walk gives (vfat, squashfs) meet the links.
func TestExtractThroughLinksRefused(t *testing.T) {
	s0 := newEscapeSandbox(t)
	in := s0.in
	writeFile(t, filepath.Join(in, "a.bin"), []byte("AAAA"))
	writeFile(t, filepath.Join(in, "disk.json"), []byte(`{"version": 1, "seed": "//t:disk", "partition_table": "gpt", "partitions": [
		{"name": "boot", "image": "a.bin", "offset": "1M", "partition_type_uuid": "esp"}]}`))
	for _, args := range [][]string{
		{"mkimage", "-A", "arm", "-O", "linux", "-T", "multi", "-C", "none", "-a", "0", "-e", "0", "-n", "m", "-d", "{in}/a.bin:{in}/a.bin", "{in}/multi.img"},
		{"fiptool", "create", "--tb-fw", "{in}/a.bin", "{in}/fip.bin"},
		{"disk", "--manifest", "{in}/disk.json", "--inputpath", "{in}", "--output", "{in}/disk.img"},
		{"vfat", "--output", "{in}/fat.img", "--size", "1M", "--file", "d/f={in}/a.bin"},
		{"squashfs", "--output", "{in}/sq.img", "--file", "d/f={in}/a.bin"},
	} {
		if code, _, stderr := runFwtool(t, "1600000000", expandArgs(args, in, "")...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	for _, c := range []struct {
		link string
		args []string
	}{
		{"tb-fw.bin", []string{"fiptool", "unpack", "--out", "{out}", "{in}/fip.bin"}},
		{"boot", []string{"extract", "-i", "{in}/disk.img", "-O", "{out}", "boot"}},
		{"d", []string{"extract", "-i", "{in}/fat.img", "-O", "{out}", "d/f"}},
		{"d", []string{"extract", "-i", "{in}/sq.img", "-O", "{out}", "d/f"}},
	} {
		for _, kind := range []string{"victim", "esc"} {
			s := newEscapeSandbox(t)
			target := filepath.Join(s.outside, "victim")
			if kind == "esc" {
				target = s.outside
			}
			if err := os.Symlink(target, filepath.Join(s.out, c.link)); err != nil {
				t.Fatal(err)
			}
			if kind == "victim" && c.link == "d" {
				continue // d/f below a link to a file cannot be written anyway
			}
			s.refuse(t, "symbolic link", expandArgs(c.args, in, s.out)...)
		}
	}
	// uImage multi parts are named by fwtool; each one through a link is refused.
	for _, name := range uimagePartNames(t, filepath.Join(in, "multi.img")) {
		s := newEscapeSandbox(t)
		if err := os.Symlink(filepath.Join(s.outside, "victim"), filepath.Join(s.out, name)); err != nil {
			t.Fatal(err)
		}
		s.refuse(t, "symbolic link", "extract", "-i", filepath.Join(in, "multi.img"), "-O", s.out, "*")
	}
}

// uimagePartNames extracts a multi-file uImage once to learn its names.
func uimagePartNames(t *testing.T, img string) []string {
	out := t.TempDir()
	if code, _, stderr := runFwtool(t, "", "extract", "-i", img, "-O", out, "*"); code != 0 {
		t.Fatalf("extract multi: %s", stderr)
	}
	ents, _ := os.ReadDir(out)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) < 2 {
		t.Fatalf("multi-file uImage extracted to %v", names)
	}
	return names
}

// A disk partition label is free text: one that is not a plain file name
// is written as partN, inside the output directory.
func TestExtractDiskOddLabels(t *testing.T) {
	s := newEscapeSandbox(t)
	writeFile(t, filepath.Join(s.in, "a.bin"), []byte("AAAA"))
	writeFile(t, filepath.Join(s.in, "disk.json"), []byte(`{"version": 1, "seed": "//t:disk", "partition_table": "gpt", "partitions": [
		{"name": "..", "image": "a.bin", "offset": "1M", "partition_type_uuid": "esp"},
		{"name": "../x", "image": "a.bin", "partition_type_uuid": "esp"},
		{"name": "/abs", "image": "a.bin", "partition_type_uuid": "esp"}]}`))
	img := filepath.Join(s.in, "disk.img")
	if code, _, stderr := runFwtool(t, "", "disk", "--manifest", filepath.Join(s.in, "disk.json"), "--inputpath", s.in, "--output", img); code != 0 {
		t.Skipf("the disk builder refuses such labels: %s", stderr)
	}
	if code, _, stderr := runFwtool(t, "", "extract", "-i", img, "-O", s.out, "1", "2", "3"); code != 0 {
		t.Fatalf("extract: %s", stderr)
	}
	ents, _ := os.ReadDir(s.out)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "part1 part2 part3" {
		t.Errorf("extracted %v, want part1 part2 part3", names)
	}
}

// binman's -O: an image's filename and a multiple-images node name come
// from the description.
func TestBuildBinmanNamesStayInside(t *testing.T) {
	desc := func(t *testing.T, s *escapeSandbox, spiName, filename string) string {
		writeFile(t, filepath.Join(s.in, "a.bin"), []byte("AAAA"))
		src := `/dts-v1/;
/ { binman { multiple-images; good { blob { filename = "a.bin"; }; }; spi { ` + filename + ` blob { filename = "a.bin"; }; }; }; };
`
		tree, err := dts.Compile("b.dts", []byte(src), dts.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		tree.Root.Lookup("/binman/spi").Name = spiName
		return writeFile(t, filepath.Join(s.in, "u-boot.dtb"), tree.Bytes())
	}
	for _, c := range []struct{ node, filename, want string }{
		{"spi", `filename = "../x.bin";`, "'..' component"},
		{"spi", `filename = "` + strings.Repeat("../", 12) + `x.bin";`, "'..' component"},
		{"spi", `filename = "/abs.bin";`, "absolute name"},
		{"../spi", ``, "Image '../spi'"},
		{"victim", ``, "symbolic link"},
	} {
		s := newEscapeSandbox(t)
		s.links(t, "victim.bin", "victim.map")
		dtb := desc(t, s, c.node, c.filename)
		s.refuse(t, c.want, "build", "-d", dtb, "-I", s.in, "-O", s.out, "-m")
	}
	// With ordinary names both images and maps are written.
	s := newEscapeSandbox(t)
	dtb := desc(t, s, "spi", `filename = "sub/spi.img";`)
	if code, _, stderr := runFwtool(t, "", "build", "-d", dtb, "-I", s.in, "-O", filepath.Join(s.out, "new"), "-m"); code != 0 {
		t.Fatalf("build -d: %s", stderr)
	}
	for _, f := range []string{"good.bin", "good.map", "sub/spi.img", "spi.map"} {
		if _, err := os.Stat(filepath.Join(s.out, "new", f)); err != nil {
			t.Errorf("build -d: %v", err)
		}
	}
}

func TestGenimageNamesStayInside(t *testing.T) {
	for _, c := range []struct{ name, want string }{{"../x.img", "'..' component"}, {"/abs.img", "absolute name"}} {
		s := newEscapeSandbox(t)
		writeFile(t, filepath.Join(s.in, "a.bin"), []byte("A"))
		cfg := writeFile(t, filepath.Join(s.in, "g.cfg"), []byte(`image ok.img { hdimage { partition-table-type = "mbr" } partition a { image = "a.bin" partition-type = 0x83 } }
image "`+c.name+`" { hdimage { partition-table-type = "mbr" } partition a { image = "a.bin" partition-type = 0x83 } }`))
		s.refuse(t, c.want, "genimage", "--config", cfg, "--inputpath", s.in, "--outputpath", s.out, "--rootpath", s.in, "--tmppath", s.in)
	}
}
