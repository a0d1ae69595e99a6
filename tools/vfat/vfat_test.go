package vfat

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rules-firmware/rules_firmware/tools/fstree"
)

// lookTool finds a reference tool; fsck.vfat lives in sbin, which is not
// always on a test's PATH.
func lookTool(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	t.Fatalf("reference tool %s not found (install dosfstools / mtools)", name)
	return ""
}

// tree is a test image: image path -> contents; a nil value is a directory.
type tree map[string][]byte

func (tr tree) entries(t testing.TB) []fstree.Entry {
	t.Helper()
	src := t.TempDir()
	var out []fstree.Entry
	i := 0
	for p, data := range tr {
		if data == nil {
			out = append(out, fstree.Entry{Path: p, Kind: fstree.Dir})
			continue
		}
		f := filepath.Join(src, fmt.Sprintf("src%d", i))
		i++
		if err := os.WriteFile(f, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, fstree.Entry{Path: p, Kind: fstree.File, Source: f})
	}
	return out
}

func buildImage(t testing.TB, tr tree, opts Options) string {
	t.Helper()
	root, err := fstree.Build(tr.entries(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := fstree.Stat(root); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(t.TempDir(), "fat.img")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := Build(f, root, opts); err != nil {
		t.Fatal(err)
	}
	return img
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) + seed + byte(i>>9)
	}
	return b
}

// utf8Env makes mtools read and print long names as UTF-8 whatever the
// test runner's locale (Bazel runs tests without LANG).
func utf8Env() []string {
	return append(os.Environ(), "LC_ALL=C.UTF-8")
}

var fsckSummary = regexp.MustCompile(`^\S+: \d+ files, \d+/\d+ clusters$`)

// fsckClean runs fsck.vfat -n and fails on anything but its banner and
// summary line: it reports some repairs it would make without failing.
func fsckClean(t *testing.T, img string) {
	t.Helper()
	out, err := exec.Command(lookTool(t, "fsck.vfat"), "-n", img).CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err != nil || len(lines) != 2 || !fsckSummary.MatchString(lines[1]) {
		t.Fatalf("fsck.vfat -n %s: %v\n%s", img, err, out)
	}
}

// mtoolsCheck reads every file back with mcopy and the whole tree with
// mdir, comparing with what went in.
func mtoolsCheck(t *testing.T, img string, tr tree) {
	t.Helper()
	mcopy := lookTool(t, "mcopy")
	mdir := lookTool(t, "mdir")
	out := t.TempDir()
	var files []string
	for p, data := range tr {
		if data != nil {
			files = append(files, p)
		}
	}
	sort.Strings(files)
	for i, p := range files {
		dst := filepath.Join(out, fmt.Sprint(i))
		cmd := exec.Command(mcopy, "-n", "-i", img, "::/"+p, dst)
		cmd.Env = utf8Env()
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("mcopy ::/%s: %v\n%s", p, err, msg)
		}
		got, err := os.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, tr[p]) {
			t.Fatalf("mcopy ::/%s: %d bytes differ from the %d put in", p, len(got), len(tr[p]))
		}
	}
	// mdir -/ -b lists every path recursively.
	list := exec.Command(mdir, "-/", "-b", "-i", img, "::/")
	list.Env = utf8Env()
	msg, err := list.CombinedOutput()
	if err != nil {
		t.Fatalf("mdir: %v\n%s", err, msg)
	}
	listed := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(msg)), "\n") {
		listed[strings.TrimSuffix(strings.TrimPrefix(l, "::/"), "/")] = true
	}
	for p := range tr {
		for q := p; q != "." && q != ""; q = filepath.Dir(q) {
			if !listed[q] {
				t.Fatalf("mdir does not list %q; it lists:\n%s", q, msg)
			}
		}
	}
}

// readerCheck reads the image back with this package's reader.
func readerCheck(t *testing.T, img string, tr tree, label string, fatType int) {
	t.Helper()
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	fsys, err := Open(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	if fsys.FATType() != fatType {
		t.Errorf("reader sees FAT%d, want FAT%d", fsys.FATType(), fatType)
	}
	if want := strings.ToUpper(label); label != "" && fsys.Label != want {
		t.Errorf("label %q, want %q", fsys.Label, want)
	}
	seen := map[string]bool{}
	err = fsys.Walk(func(e Entry) error {
		seen[e.Path] = true
		want, ok := tr[e.Path]
		if !ok {
			if !e.IsDir {
				return fmt.Errorf("unexpected file %q", e.Path)
			}
			return nil
		}
		if e.IsDir != (want == nil) {
			return fmt.Errorf("%q: directory=%v", e.Path, e.IsDir)
		}
		if !e.IsDir {
			got, err := fsys.ReadEntry(e)
			if err != nil {
				return err
			}
			if !bytes.Equal(got, want) {
				return fmt.Errorf("%q: contents differ", e.Path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p := range tr {
		if !seen[p] {
			t.Errorf("reader did not find %q", p)
		}
	}
}

func sampleTree(clusterish int) tree {
	tr := tree{
		"extlinux/extlinux.conf":                 []byte("label linux\n  kernel /zImage\n  fdt /stm32mp157c-dk2.dtb\n  append console=ttySTM0,115200 root=/dev/mmcblk0p5\n"),
		"zImage":                                 pattern(300000, 1),
		"stm32mp157c-dk2.dtb":                    pattern(50000, 2),
		"empty":                                  {},
		"README.TXT":                             []byte("short 8.3 upper-case name\n"),
		"readme.txt.bak":                         []byte("two dots"),
		"A Very Long File Name With Spaces.text": []byte("lfn"),
		"a very long file name with spaces.text2": []byte("lfn collision basis"),
		"deep/er/and/deeper/still/here/file.bin":  pattern(5000, 3),
		"exact":                                   pattern(clusterish, 4),
		"exact2":                                  pattern(2*clusterish, 5),
		"exact-plus-one":                          pattern(clusterish+1, 6),
		"emptydir":                                nil,
		"unicode-é-ü-名前.txt":                      []byte("utf16"),
		"name_exactly_thirteen.x":                 []byte("13"),
		strings.Repeat("L", 200) + ".long":        []byte("200 chars"),
		"dir.with.dots/.hidden":                   []byte("hidden"),
		"many/" + strings.Repeat("n", 12):         []byte("12"),
		"UPPER/lower/MiXeD.Ext":                   []byte("case"),
		"plus+comma,semi;eq=.txt":                 []byte("chars outside 8.3"),
	}
	for i := 0; i < 40; i++ {
		tr[fmt.Sprintf("many/file-number-%03d.data", i)] = pattern(i*97, byte(i))
	}
	return tr
}

func TestSizesAndTypes(t *testing.T) {
	cases := []struct {
		size    int64
		fat     int
		wantFAT int
	}{
		{2 << 20, 0, 12},
		{8 << 20, 0, 12},
		{16 << 20, 0, 16},
		{64 << 20, 0, 16},
		{40 << 20, 32, 32},
		{520 << 20, 0, 32},
		{1 << 20, 12, 12},
	}
	for _, c := range cases {
		c := c
		t.Run(fmt.Sprintf("%dKiB_FAT%d", c.size>>10, c.wantFAT), func(t *testing.T) {
			opts := Options{Size: c.size, FATType: c.fat, Label: "bootfs", VolumeIDSeed: "bootfs"}
			probe := buildImage(t, tree{}, opts)
			f, _ := os.Open(probe)
			fsys, err := Open(f, c.size)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			if fsys.FATType() != c.wantFAT {
				t.Fatalf("got FAT%d, want FAT%d", fsys.FATType(), c.wantFAT)
			}
			tr := sampleTree(int(fsys.ClusterSize()))
			if c.size < 2<<20 {
				tr = tree{"a/b.txt": []byte("x"), "long name here.txt": pattern(3000, 9)}
			}
			img := buildImage(t, tr, opts)
			fsckClean(t, img)
			mtoolsCheck(t, img, tr)
			readerCheck(t, img, tr, opts.Label, c.wantFAT)
		})
	}
}

// TestGeometryMatchesMkfs compares the boot sector layout fields with what
// mkfs.vfat chooses for an empty file of the same size.
func TestGeometryMatchesMkfs(t *testing.T) {
	mkfs := lookTool(t, "mkfs.vfat")
	sizes := []int64{1 << 20, 2 << 20, 4 << 20, 4100 << 10, 6001 << 10, 8 << 20, 8200 << 10, 9 << 20, 16 << 20, 32 << 20, 33 << 20,
		64 << 20, 100001 << 10, 128 << 20, 128<<20 + 512<<10, 129 << 20, 256 << 20, 257 << 20, 511 << 20, 512 << 20,
		2 << 30, 8 << 30, 9 << 30, 17 << 30, 33 << 30, 200 << 30}
	fields := func(b []byte) string {
		fat16 := binary.LittleEndian.Uint16(b[22:])
		typ := b[54:62]
		fatLen := uint32(fat16)
		if fat16 == 0 {
			typ, fatLen = b[82:90], binary.LittleEndian.Uint32(b[36:])
		}
		total := uint32(binary.LittleEndian.Uint16(b[19:]))
		if total == 0 {
			total = binary.LittleEndian.Uint32(b[32:])
		}
		return fmt.Sprintf("%s spc=%d reserved=%d fats=%d root=%d total=%d media=%#x fat=%d spt=%d heads=%d",
			typ, b[13], binary.LittleEndian.Uint16(b[14:]), b[16], binary.LittleEndian.Uint16(b[17:]), total, b[21], fatLen,
			binary.LittleEndian.Uint16(b[24:]), binary.LittleEndian.Uint16(b[26:]))
	}
	dir := t.TempDir()
	for _, size := range sizes {
		ref := filepath.Join(dir, "ref.img")
		os.Remove(ref)
		if err := os.WriteFile(ref, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(ref, size); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(mkfs, ref).CombinedOutput(); err != nil {
			t.Fatalf("mkfs.vfat: %v\n%s", err, out)
		}
		want := make([]byte, 512)
		f, _ := os.Open(ref)
		f.ReadAt(want, 0)
		f.Close()
		root, _ := fstree.Build(nil)
		img := filepath.Join(dir, "mine.img")
		o, err := os.Create(img)
		if err != nil {
			t.Fatal(err)
		}
		if err := Build(o, root, Options{Size: size}); err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		got := make([]byte, 512)
		o.ReadAt(got, 0)
		o.Close()
		if fields(got) != fields(want) {
			t.Errorf("size %d:\n got %s\nmkfs %s", size, fields(got), fields(want))
		}
	}
}

// TestLargeRootDirectory overflows FAT16's default 512 root entries: the
// root directory grows to fit (600 long names need ~1800 entries).
func TestLargeRootDirectory(t *testing.T) {
	tr := tree{}
	for i := 0; i < 600; i++ {
		tr[fmt.Sprintf("root-file-with-long-name-%04d.txt", i)] = []byte(fmt.Sprint(i))
	}
	img := buildImage(t, tr, Options{Size: 32 << 20, Label: "MANY"})
	fsckClean(t, img)
	mtoolsCheck(t, img, tr)
	readerCheck(t, img, tr, "MANY", 16)
}

func TestReproducible(t *testing.T) {
	tr := sampleTree(2048)
	opts := Options{Size: 16 << 20, Label: "BOOT", VolumeIDSeed: "x", ModTime: time.Unix(1700000000, 0)}
	a, err := os.ReadFile(buildImage(t, tr, opts))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(buildImage(t, tr, opts))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two builds of the same tree differ")
	}
	opts.VolumeIDSeed = "y"
	c, _ := os.ReadFile(buildImage(t, tr, opts))
	if bytes.Equal(a, c) {
		t.Fatal("volume id seed does not change the image")
	}
}

func TestMtimeVisible(t *testing.T) {
	opts := Options{Size: 4 << 20, ModTime: time.Date(2024, 5, 6, 7, 8, 10, 0, time.UTC)}
	img := buildImage(t, tree{"f.txt": []byte("x")}, opts)
	out, err := exec.Command(lookTool(t, "mdir"), "-i", img, "::/").CombinedOutput()
	if err != nil {
		t.Fatalf("mdir: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "2024-05-06") || !strings.Contains(string(out), "7:08") {
		t.Fatalf("mdir does not show the fixed time:\n%s", out)
	}
}

func TestGoldenBootSector(t *testing.T) {
	img := buildImage(t, tree{}, Options{Size: 4 << 20, Label: "GOLD", VolumeIDSeed: "gold"})
	b, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	// FAT12 like mkfs.fat: 4 sectors per cluster, 1 reserved sector (no
	// alignment at 8192 sectors and below), 2 FATs, 512 root entries, 8192
	// sectors, media 0xf8, 6 sectors per FAT, 32 sectors per track, 2 heads.
	want := []byte{
		0xeb, 0x3c, 0x90, 'F', 'W', 'T', 'O', 'O', 'L', ' ', ' ',
		0x00, 0x02, 0x04, 0x01, 0x00, 0x02, 0x00, 0x02, 0x00, 0x20, 0xf8, 0x06, 0x00, 0x20, 0x00, 0x02, 0x00,
	}
	if !bytes.Equal(b[:len(want)], want) {
		t.Fatalf("boot sector start\n got % x\nwant % x", b[:len(want)], want)
	}
	if string(b[43:54]) != "GOLD       " || string(b[54:62]) != "FAT12   " {
		t.Fatalf("label/type fields %q %q", b[43:54], b[54:62])
	}
	// Root directory: the volume label entry, then nothing.
	root := 512 + 2*int(b[22])*512
	if string(b[root:root+11]) != "GOLD       " || b[root+11] != attrVolumeID || b[root+32] != 0 {
		t.Fatalf("root directory starts % x", b[root:root+64])
	}
}

func TestShortNames(t *testing.T) {
	names := []string{"A Very Long Name.txt", "AVERYL~1.TXT", "avery long.txt", "README", "readme.md", ".profile", "x.tar.gz"}
	shorts, long, err := assignShortNames(names)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(names))
	for i, s := range shorts {
		got[i] = fmt.Sprintf("%s:%v", s[:], long[i])
	}
	want := []string{
		"AVERYL~2TXT:true", "AVERYL~1TXT:false", "AVERYL~3TXT:true", "README     :false",
		"README~1MD :true", "PROFIL~1   :true", "XTAR~1  GZ :true",
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%q -> %q, want %q", names[i], got[i], want[i])
		}
	}
	if _, _, err := assignShortNames([]string{"abc", "ABC"}); err == nil {
		t.Error("names differing only in case were accepted")
	}
	if _, _, err := assignShortNames([]string{"a:b"}); err == nil {
		t.Error("':' in a name was accepted")
	}
}

func TestErrors(t *testing.T) {
	big := tree{"big": pattern(3<<20, 1)}
	root, _ := fstree.Build(big.entries(t))
	fstree.Stat(root)
	f, _ := os.Create(filepath.Join(t.TempDir(), "x"))
	defer f.Close()
	err := Build(f, root, Options{Size: 2 << 20})
	if err == nil || !strings.Contains(err.Error(), "Node '/big'") || !strings.Contains(err.Error(), "image full") {
		t.Fatalf("overfull image: %v", err)
	}
	if err := Build(f, root, Options{Size: 1000}); err == nil {
		t.Fatal("size not a multiple of 512 accepted")
	}
	if err := Build(f, root, Options{Size: 8 << 20, FATType: 32}); err == nil || !strings.Contains(err.Error(), "FAT32") {
		t.Fatalf("FAT32 on 8 MiB: %v", err)
	}
	sym, _ := fstree.Build([]fstree.Entry{{Path: "l", Kind: fstree.Symlink, Target: "x"}})
	if err := Build(f, sym, Options{Size: 1 << 20}); err == nil || !strings.Contains(err.Error(), "symlink") {
		t.Fatalf("symlink: %v", err)
	}
	if err := Build(f, root, Options{Size: 1 << 20, Label: "lab:el"}); err == nil {
		t.Fatal("bad label accepted")
	}
}

func FuzzOpen(f *testing.F) {
	for _, size := range []int64{1 << 20, 40 << 20} {
		fatType := 0
		if size > 1<<20 {
			fatType = 32
		}
		img := buildImage(f, tree{"a/b/c.txt": []byte("hello"), "long file name.bin": pattern(3000, 1)}, Options{Size: size, FATType: fatType})
		b, err := os.ReadFile(img)
		if err != nil {
			f.Fatal(err)
		}
		// Keep the seed small: the metadata part is what the fuzzer should mutate.
		if len(b) > 256<<10 {
			b = b[:256<<10]
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		fsys.Walk(func(e Entry) error {
			if !e.IsDir {
				fsys.ReadEntry(e)
			}
			return nil
		})
	})
}

// TestReadsMtoolsImages checks the reader against images made by mkfs.vfat
// and filled by mcopy, for each FAT type.
func TestReadsMtoolsImages(t *testing.T) {
	mkfs := lookTool(t, "mkfs.vfat")
	mcopy := lookTool(t, "mcopy")
	mmd := lookTool(t, "mmd")
	tr := tree{
		"zImage":                        pattern(200000, 1),
		"Long File Name.txt":            []byte("long"),
		"dir/sub/deeper.bin":            pattern(5000, 2),
		"dir/UPPER.TXT":                 []byte("upper"),
		"empty":                         {},
		"unicode-ü.txt":                 []byte("u"),
		"dir/another long name.config":  pattern(3000, 3),
		"dir/sub/and-yet-another-one.x": pattern(1, 4),
	}
	src := t.TempDir()
	for _, c := range []struct {
		size int64
		fat  string
		bits int
	}{{4 << 20, "12", 12}, {32 << 20, "16", 16}, {64 << 20, "32", 32}} {
		img := filepath.Join(t.TempDir(), "ref.img")
		if err := os.WriteFile(img, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Truncate(img, c.size)
		if out, err := exec.Command(mkfs, "-F", c.fat, "-n", "REF", img).CombinedOutput(); err != nil {
			t.Fatalf("mkfs.vfat: %v\n%s", err, out)
		}
		for _, d := range []string{"dir", "dir/sub"} {
			cmd := exec.Command(mmd, "-i", img, "::/"+d)
			cmd.Env = utf8Env()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("mmd %s: %v\n%s", d, err, out)
			}
		}
		i := 0
		for p, data := range tr {
			host := filepath.Join(src, fmt.Sprint(i))
			i++
			os.WriteFile(host, data, 0o644)
			cmd := exec.Command(mcopy, "-i", img, host, "::/"+p)
			cmd.Env = utf8Env()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("mcopy %s: %v\n%s", p, err, out)
			}
		}
		want := tree{"dir": nil, "dir/sub": nil}
		for p, d := range tr {
			want[p] = d
		}
		readerCheck(t, img, want, "REF", c.bits)
	}
}
