package extfs

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/fstree"
)

// tool finds an e2fsprogs program; bazelw's bootstrap installs e2fsprogs,
// so a missing one is a failure, not a skip.
func tool(t *testing.T, name string) string {
	t.Helper()
	for _, dir := range []string{"", "/sbin", "/usr/sbin"} {
		p := name
		if dir != "" {
			p = filepath.Join(dir, name)
		}
		if q, err := exec.LookPath(p); err == nil {
			return q
		}
	}
	t.Fatalf("reference tool %s not found (install e2fsprogs)", name)
	return ""
}

type testFile struct {
	path, kind, data string
	mode             uint32
	uid, gid         uint32
	major, minor     uint32
}

// testTree writes the files' contents under dir and returns the tree.
func testTree(t *testing.T, files []testFile) *fstree.Node {
	t.Helper()
	dir := t.TempDir()
	var entries []fstree.Entry
	for i, f := range files {
		e := fstree.Entry{Path: f.path, Mode: f.mode, HasMode: f.mode != 0, UID: f.uid, GID: f.gid}
		switch f.kind {
		case "", "file":
			e.Kind = fstree.File
			e.Source = filepath.Join(dir, fmt.Sprint(i))
			if strings.HasPrefix(f.data, "link:") {
				e.Source = filepath.Join(dir, strings.TrimPrefix(f.data, "link:"))
			} else if err := os.WriteFile(e.Source, []byte(f.data), 0o644); err != nil {
				t.Fatal(err)
			}
		case "dir":
			e.Kind = fstree.Dir
		case "symlink":
			e.Kind, e.Target = fstree.Symlink, f.data
		case "char":
			e.Kind, e.Major, e.Minor = fstree.CharDevice, f.major, f.minor
		case "block":
			e.Kind, e.Major, e.Minor = fstree.BlockDevice, f.major, f.minor
		}
		entries = append(entries, e)
	}
	root, err := fstree.Build(entries)
	if err != nil {
		t.Fatal(err)
	}
	if err := fstree.Stat(root); err != nil {
		t.Fatal(err)
	}
	return root
}

func build(t *testing.T, root *fstree.Node, o Options) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "fs.img")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := Write(f, root, o); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return img
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(tool(t, name), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// fsck runs e2fsck -fn and fails on any line besides its pass headers
// and summary: with -n, e2fsck exits 0 after answering no to a problem it
// "IGNORED".
func fsck(t *testing.T, img string) {
	t.Helper()
	out := runTool(t, "e2fsck", "-fn", img)
	for _, l := range strings.Split(out, "\n") {
		if l == "" || strings.HasPrefix(l, "e2fsck ") || strings.HasPrefix(l, "Pass ") || strings.Contains(l, " files (") {
			continue
		}
		t.Fatalf("e2fsck -fn %s: %q in\n%s", img, l, out)
	}
}

func debugfs(t *testing.T, img, req string) string {
	t.Helper()
	return runTool(t, "debugfs", "-R", req, img)
}

var bigData = strings.Repeat("0123456789abcdef", 40000) // 640000 bytes

func sampleFiles() []testFile {
	return []testFile{
		{path: "etc/hostname", data: "board\n"},
		{path: "etc/passwd", data: "root:x:0:0::/root:/bin/sh\n", mode: 0o600},
		{path: "bin/busybox", data: bigData, mode: 0o4755},
		{path: "bin/sh", kind: "symlink", data: "busybox"},
		{path: "lib/long", kind: "symlink", data: strings.Repeat("x/", 50) + "target"},
		{path: "dev/console", kind: "char", major: 5, minor: 1, mode: 0o600},
		{path: "dev/sda1", kind: "block", major: 8, minor: 1, mode: 0o660, gid: 6},
		{path: "dev/big", kind: "char", major: 300, minor: 70000},
		{path: "home/user", kind: "dir", mode: 0o700, uid: 1000, gid: 1000},
		{path: "home/user/.profile", data: "export A=1\n", uid: 1000, gid: 1000},
		{path: "usr/empty", data: ""},
		{path: "usr/hard1", data: "same inode\n"},
		{path: "usr/hard2", data: "link:11"},
		{path: "var/zero", data: string(make([]byte, 70000))},
	}
}

func TestTypesPassFsck(t *testing.T) {
	for _, typ := range []string{"ext2", "ext3", "ext4"} {
		for _, size := range []int64{4 << 20, 64 << 20, 600 << 20} {
			if size > 64<<20 && typ != "ext4" {
				continue // 4 KiB blocks: one type is enough
			}
			t.Run(fmt.Sprintf("%s-%dM", typ, size>>20), func(t *testing.T) {
				root := testTree(t, sampleFiles())
				img := build(t, root, Options{Type: typ, Size: size, Label: "test", Time: 946684800, ReservedPercent: -1})
				fsck(t, img)
				checkTree(t, img, sampleFiles())
			})
		}
	}
}

// checkTree compares debugfs's view of every entry with what was put in.
func checkTree(t *testing.T, img string, files []testFile) {
	t.Helper()
	for _, f := range files {
		st := debugfs(t, img, "stat /"+f.path)
		want := map[string]uint32{"file": 0o100000, "": 0o100000, "dir": 0o040000, "symlink": 0o120000, "char": 0o020000, "block": 0o060000}[f.kind]
		perm := f.mode
		if perm == 0 {
			perm = map[string]uint32{"dir": 0o755, "symlink": 0o777, "char": 0o600, "block": 0o600}[f.kind]
			if f.kind == "" || f.kind == "file" {
				perm = 0o644
			}
		}
		wantMode := fmt.Sprintf("Mode:  0%03o", perm)
		if !strings.Contains(st, wantMode) {
			t.Errorf("/%s: want %q in\n%s", f.path, wantMode, st)
		}
		typeName := map[uint32]string{0o100000: "regular", 0o040000: "directory", 0o120000: "symlink", 0o020000: "character special", 0o060000: "block special"}[want]
		if !strings.Contains(st, "Type: "+typeName) {
			t.Errorf("/%s: want type %s in\n%s", f.path, typeName, st)
		}
		if !regexp.MustCompile(fmt.Sprintf(`User: +%d +Group: +%d`, f.uid, f.gid)).MatchString(st) {
			t.Errorf("/%s: want owner %d:%d in\n%s", f.path, f.uid, f.gid, st)
		}
		switch f.kind {
		case "", "file":
			data := f.data
			if strings.HasPrefix(data, "link:") {
				continue
			}
			got := dump(t, img, f.path)
			if got != data {
				t.Errorf("/%s: contents differ (%d bytes, want %d)", f.path, len(got), len(data))
			}
		case "symlink":
			if !strings.Contains(st, `link: "`+f.data+`"`) && !strings.Contains(st, "Fast link dest: \""+f.data+"\"") {
				got := dump(t, img, f.path)
				if got != f.data {
					t.Errorf("/%s: link target %q, want %q\n%s", f.path, got, f.data, st)
				}
			}
		case "char", "block":
			want := fmt.Sprintf("Device major/minor number: %02d:%02d", f.major, f.minor)
			if !strings.Contains(st, want) {
				t.Errorf("/%s: want %q in\n%s", f.path, want, st)
			}
		}
	}
}

func dump(t *testing.T, img, p string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	runTool(t, "debugfs", "-R", "dump /"+p+" "+out, img)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// header returns dumpe2fs -h's lines for the given field names.
func header(t *testing.T, img string, fields []string) map[string]string {
	t.Helper()
	out := runTool(t, "dumpe2fs", "-h", img)
	got := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		for _, f := range fields {
			if k == f {
				got[f] = strings.TrimSpace(v)
			}
		}
	}
	return got
}

// TestGeometryMatchesMke2fs: the same size gives mke2fs's block size,
// counts, journal size and features (less resize_inode, never written).
func TestGeometryMatchesMke2fs(t *testing.T) {
	fields := []string{"Filesystem features", "Inode count", "Block count", "Reserved block count", "Block size",
		"Inodes per group", "Blocks per group", "Total journal blocks", "Flex block group size", "Inode size", "Group descriptor size"}
	for _, typ := range []string{"ext2", "ext3", "ext4"} {
		for _, size := range []int64{1 << 20, 2 << 20, 5 << 20, 100 << 20, 600 << 20} {
			t.Run(fmt.Sprintf("%s-%d", typ, size), func(t *testing.T) {
				ref := filepath.Join(t.TempDir(), "ref.img")
				if err := os.WriteFile(ref, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Truncate(ref, size); err != nil {
					t.Fatal(err)
				}
				runTool(t, "mke2fs", "-q", "-F", "-t", typ, ref)
				want := header(t, ref, fields)
				want["Filesystem features"] = strings.Replace(want["Filesystem features"], " resize_inode", "", 1)
				img := build(t, testTree(t, nil), Options{Type: typ, Size: size, ReservedPercent: -1})
				fsck(t, img)
				got := header(t, img, fields)
				for _, f := range fields {
					if got[f] != want[f] {
						t.Errorf("%s: %q, mke2fs %q", f, got[f], want[f])
					}
				}
			})
		}
	}
}

// TestLargeShapes: a directory over many blocks, a fragmented file needing
// an extent leaf block (ext4) and a triple-indirect file (ext2, 1 KiB
// blocks), mostly holes in the source so the test stays quick.
func TestLargeShapes(t *testing.T) {
	var files []testFile
	for i := 0; i < 600; i++ {
		files = append(files, testFile{path: fmt.Sprintf("many/entry-with-a-long-name-%04d", i), data: fmt.Sprint(i)})
	}
	root := testTree(t, files)
	big := filepath.Join(t.TempDir(), "big")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	const bigSize = 75<<20 + 123
	for _, off := range []int64{0, 5 << 20, 10 << 20, 20 << 20, 40 << 20, 60 << 20, bigSize - 10} {
		if _, err := f.WriteAt([]byte("marker...."), off); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	root.Children = append(root.Children, &fstree.Node{Name: "zbig", Entry: fstree.Entry{Path: "zbig", Kind: fstree.File, Source: big}, Size: bigSize})
	want, err := os.ReadFile(big)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"ext2", "ext4"} {
		t.Run(typ, func(t *testing.T) {
			img := build(t, root, Options{Type: typ, Size: 200 << 20, ReservedPercent: 0})
			fsck(t, img)
			if got := dump(t, img, "zbig"); got != string(want) {
				t.Errorf("zbig: contents differ")
			}
			st := debugfs(t, img, "stat /zbig")
			segs := dataSegments(big, bigSize, 1024)
			if len(segs) != 7 {
				t.Fatalf("the host reports %d data segments in the test file, want 7 (no SEEK_DATA support?)", len(segs))
			}
			data := uint64(0)
			for _, sg := range segs {
				data += sg.n
			}
			// ext2 keeps the holes too: the data and only the indirect
			// blocks over it (DIND + 5 IND, TIND + DIND + IND; no single
			// IND: nothing in blocks 12-267), far below the size's 76801
			if want := fmt.Sprintf("Blockcount: %d\n", 2*(data+9)); typ == "ext2" && (!strings.Contains(st, "(TIND)") || !strings.Contains(st, want)) {
				t.Errorf("want a triple indirect block and %q:\n%s", want, st)
			}
			// ext4: seven extents of data need a leaf block
			if want := fmt.Sprintf("Blockcount: %d\n", 2*(data+1)); typ == "ext4" && (!strings.Contains(st, "(ETB0)") || !strings.Contains(st, want)) {
				t.Errorf("want an extent tree block and %q:\n%s", want, st)
			}
			if got := dump(t, img, "many/entry-with-a-long-name-0599"); got != "599" {
				t.Errorf("many/...0599: %q", got)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	o := Options{Type: "ext4", Size: 8 << 20, Label: "same", ReservedPercent: -1}
	a, err := os.ReadFile(build(t, testTree(t, sampleFiles()), o))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(build(t, testTree(t, sampleFiles()), o))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two builds of the same tree differ")
	}
	files := sampleFiles()
	files[0].data = "other\n"
	c, err := os.ReadFile(build(t, testTree(t, files), o))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a[1024+104:1024+120], c[1024+104:1024+120]) {
		t.Fatal("the UUID does not depend on file contents")
	}
	u := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	o.UUID = &u
	img := build(t, testTree(t, sampleFiles()), o)
	fsck(t, img)
	if h := header(t, img, []string{"Filesystem UUID"}); h["Filesystem UUID"] != "01020304-0506-0708-090a-0b0c0d0e0f10" {
		t.Fatalf("UUID %q", h["Filesystem UUID"])
	}
}

func TestErrors(t *testing.T) {
	root := testTree(t, sampleFiles())
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Type: "ext5", Size: 4 << 20}, `filesystem type "ext5"`},
		{Options{Type: "ext4", Size: 4 << 20, Features: "quota"}, `feature "quota" is not supported`},
		{Options{Type: "ext4"}, "size is required"},
		{Options{Type: "ext2", Size: 1 << 20, Label: "seventeen chars!!"}, "longer than 16 bytes"},
		{Options{Type: "ext2", Size: 300 << 10}, "the filesystem is full"},
		{Options{Type: "ext2", Size: 4 << 20, Inodes: 16}, "the tree needs 31 inodes"},
	} {
		img := filepath.Join(t.TempDir(), "x")
		f, err := os.Create(img)
		if err != nil {
			t.Fatal(err)
		}
		err = Write(f, root, c.o)
		f.Close()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.o, err, c.want)
		}
	}
}

// TestFeatureCombos: ext4 with features turned off and other block sizes
// (a sweep of these over sizes from 2 MiB to 130 MiB passed e2fsck).
func TestFeatureCombos(t *testing.T) {
	for _, c := range []struct {
		feat string
		bs   int
		size int64
	}{
		{"^flex_bg", 0, 9 << 20},
		{"^metadata_csum,^64bit", 2048, 33<<20 + 4096},
		{"^extent,^flex_bg,^64bit", 4096, 3<<20 + 5000},
		{"^has_journal,^dir_index,^huge_file", 1024, 2 << 20},
	} {
		t.Run(c.feat, func(t *testing.T) {
			img := build(t, testTree(t, sampleFiles()), Options{Type: "ext4", Size: c.size, BlockSize: c.bs, Features: c.feat, ReservedPercent: -1})
			fsck(t, img)
			checkTree(t, img, sampleFiles()[:3])
		})
	}
	if _, _, _, err := Features("ext4", "^extent"); err == nil || err.Error() != "feature 64bit needs extent" {
		t.Errorf("ext4 without extents but with 64bit: %v", err)
	}
}

func TestLimits(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 3<<30); err != nil {
		t.Fatal(err)
	}
	root, err := fstree.Build([]fstree.Entry{{Path: "big", Kind: fstree.File, Source: big}})
	if err != nil {
		t.Fatal(err)
	}
	if err := fstree.Stat(root); err != nil {
		t.Fatal(err)
	}
	err = Write(&memOutput{}, root, Options{Type: "ext4", Size: 8 << 20, Features: "^large_file", ReservedPercent: -1})
	if err == nil || !strings.Contains(err.Error(), "'/big': 2 GiB or larger, which needs the large_file feature") {
		t.Errorf("3 GiB file without large_file: %v", err)
	}
	// a 3 GiB hole-only file takes no blocks with extents
	img := build(t, root, Options{Type: "ext4", Size: 8 << 20, ReservedPercent: -1})
	fsck(t, img)
	if st := debugfs(t, img, "stat /big"); !strings.Contains(st, "Size: 3221225472") || !strings.Contains(st, "Blockcount: 0\n") {
		t.Errorf("/big:\n%s", st)
	}
}
