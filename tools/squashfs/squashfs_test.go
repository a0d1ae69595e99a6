package squashfs

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/fstree"
)

func lookTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("reference tool %s not found (install squashfs-tools)", name)
	}
	return p
}

// want describes one expected entry: contents for files, target for
// symlinks.
type want struct {
	kind   fstree.Kind
	perm   uint32
	data   []byte
	target string
	major  uint32
	minor  uint32
}

func pattern(n int, seed int64) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i/7) ^ byte(seed)
	}
	return b
}

func random(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

// sampleTree returns fstree entries (sources under a temp dir) and the
// expected result per path.
func sampleTree(t testing.TB, blockSize int, many int) ([]fstree.Entry, map[string]want) {
	t.Helper()
	src := t.TempDir()
	exp := map[string]want{"": {kind: fstree.Dir, perm: 0o755}}
	var es []fstree.Entry
	i := 0
	file := func(p string, data []byte, perm uint32) {
		f := filepath.Join(src, strconv.Itoa(i))
		i++
		if err := os.WriteFile(f, data, 0o600); err != nil {
			t.Fatal(err)
		}
		es = append(es, fstree.Entry{Path: p, Kind: fstree.File, Source: f, Mode: perm, HasMode: true})
		exp[p] = want{kind: fstree.File, perm: perm, data: data}
	}
	dir := func(p string, perm uint32) {
		es = append(es, fstree.Entry{Path: p, Kind: fstree.Dir, Mode: perm, HasMode: true})
		exp[p] = want{kind: fstree.Dir, perm: perm}
	}
	link := func(p, target string) {
		es = append(es, fstree.Entry{Path: p, Kind: fstree.Symlink, Target: target})
		exp[p] = want{kind: fstree.Symlink, perm: 0o777, target: target}
	}
	file("bin/busybox", random(3*blockSize+123, 1), 0o755)
	for _, applet := range []string{"sh", "ls", "mount", "cat", "echo"} {
		link("bin/"+applet, "busybox")
	}
	exp["bin"] = want{kind: fstree.Dir, perm: 0o755}
	file("init", []byte("#!/bin/sh\nmount -t proc proc /proc\nexec /bin/sh\n"), 0o755)
	dir("proc", 0o555)
	dir("sys", 0o555)
	dir("dev", 0o755)
	dir("root", 0o700)
	dir("tmp", 0o1777)
	es = append(es, fstree.Entry{Path: "dev/console", Kind: fstree.CharDevice, Major: 5, Minor: 1, Mode: 0o600, HasMode: true})
	exp["dev/console"] = want{kind: fstree.CharDevice, perm: 0o600, major: 5, minor: 1}
	es = append(es, fstree.Entry{Path: "dev/mmcblk0p1", Kind: fstree.BlockDevice, Major: 179, Minor: 1, Mode: 0o660, HasMode: true})
	exp["dev/mmcblk0p1"] = want{kind: fstree.BlockDevice, perm: 0o660, major: 179, minor: 1}
	file("data/empty", nil, 0o644)
	file("data/exact-block", pattern(blockSize, 2), 0o644)
	file("data/block-plus-one", pattern(blockSize+1, 3), 0o644)
	file("data/zeros", make([]byte, 2*blockSize+10), 0o644)
	file("data/incompressible", random(blockSize/2, 4), 0o600)
	file("data/small", []byte("tiny"), 0o444)
	file("data/setuid", []byte("s"), 0o4755)
	file("a/b/c/d/e/f/g/deep.txt", []byte("deep"), 0o644)
	for _, p := range []string{"a", "a/b", "a/b/c", "a/b/c/d", "a/b/c/d/e", "a/b/c/d/e/f", "a/b/c/d/e/f/g", "data"} {
		exp[p] = want{kind: fstree.Dir, perm: 0o755}
	}
	// Enough entries with long names to span several directory and
	// inode metadata blocks, exercising headers and the directory index.
	exp["many"] = want{kind: fstree.Dir, perm: 0o755}
	for k := 0; k < many; k++ {
		name := fmt.Sprintf("many/%04d-%s", k, strings.Repeat("x", k%90))
		if k%50 == 7 {
			link(name, "../init")
		} else {
			file(name, pattern(k*13%3000, int64(k)), 0o644)
		}
	}
	return es, exp
}

func build(t testing.TB, es []fstree.Entry, opts Options) string {
	t.Helper()
	root, err := fstree.Build(es)
	if err != nil {
		t.Fatal(err)
	}
	if err := fstree.Stat(root); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(t.TempDir(), "fs.squashfs")
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

func modeString(w want) string {
	c := map[fstree.Kind]byte{fstree.File: '-', fstree.Dir: 'd', fstree.Symlink: 'l', fstree.CharDevice: 'c', fstree.BlockDevice: 'b'}[w.kind]
	s := []byte{c}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if w.perm&(1<<(8-i)) != 0 {
			s = append(s, rwx[i])
		} else {
			s = append(s, '-')
		}
	}
	if w.perm&0o4000 != 0 {
		s[3] = map[bool]byte{true: 's', false: 'S'}[s[3] == 'x']
	}
	if w.perm&0o1000 != 0 {
		s[9] = map[bool]byte{true: 't', false: 'T'}[s[9] == 'x']
	}
	return string(s)
}

// checkListing compares unsquashfs -lls (mode, owner, size or device
// numbers, symlink target) with the expected tree.
func checkListing(t *testing.T, img string, exp map[string]want) {
	t.Helper()
	out, err := exec.Command(lookTool(t, "unsquashfs"), "-lls", "-d", "R", img).CombinedOutput()
	if err != nil {
		t.Fatalf("unsquashfs -lls: %v\n%s", err, out)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || !(f[len(f)-1] == "R" || strings.Contains(line, " R/") || strings.HasSuffix(line, " R")) {
			continue // banner lines
		}
		mode, owner := f[0], f[1]
		rest := strings.SplitN(line, " R", 2)[1]
		path := strings.TrimPrefix(rest, "/")
		target := ""
		if i := strings.Index(path, " -> "); i >= 0 {
			path, target = path[:i], path[i+4:]
		}
		w, ok := exp[path]
		if !ok {
			t.Errorf("unsquashfs lists unexpected %q", path)
			continue
		}
		seen[path] = true
		if mode != modeString(w) || owner != "root/root" {
			t.Errorf("%q: unsquashfs shows %s %s, want %s root/root", path, mode, owner, modeString(w))
		}
		switch w.kind {
		case fstree.File:
			if f[2] != strconv.Itoa(len(w.data)) {
				t.Errorf("%q: size %s, want %d", path, f[2], len(w.data))
			}
		case fstree.Symlink:
			if target != w.target {
				t.Errorf("%q: target %q, want %q", path, target, w.target)
			}
		case fstree.CharDevice, fstree.BlockDevice:
			if dev := f[2] + f[3]; dev != fmt.Sprintf("%d,%d", w.major, w.minor) {
				t.Errorf("%q: device %s, want %d,%d", path, dev, w.major, w.minor)
			}
		}
	}
	for p := range exp {
		if !seen[p] {
			t.Errorf("unsquashfs does not list %q", p)
		}
	}
}

// checkExtract extracts with unsquashfs -d and compares contents, modes
// and symlink targets. Device nodes need privileges, so they are left out
// (-lls already checked them).
func checkExtract(t *testing.T, img string, exp map[string]want) {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "x")
	args := []string{"-excludes", "-d", dst, "-no-xattrs", img}
	for p, w := range exp {
		if w.kind == fstree.CharDevice || w.kind == fstree.BlockDevice {
			args = append(args, p)
		}
	}
	out, err := exec.Command(lookTool(t, "unsquashfs"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("unsquashfs -d: %v\n%s", err, out)
	}
	for p, w := range exp {
		if w.kind == fstree.CharDevice || w.kind == fstree.BlockDevice {
			continue
		}
		host := filepath.Join(dst, filepath.FromSlash(p))
		st, err := os.Lstat(host)
		if err != nil {
			t.Errorf("%q not extracted: %v", p, err)
			continue
		}
		perm := uint32(st.Mode().Perm())
		if st.Mode()&os.ModeSetuid != 0 {
			perm |= 0o4000
		}
		if st.Mode()&os.ModeSticky != 0 {
			perm |= 0o1000
		}
		switch w.kind {
		case fstree.File:
			got, err := os.ReadFile(host)
			if err != nil || !bytes.Equal(got, w.data) {
				t.Errorf("%q: extracted contents differ (%d bytes, want %d) %v", p, len(got), len(w.data), err)
			}
		case fstree.Symlink:
			if tg, err := os.Readlink(host); err != nil || tg != w.target {
				t.Errorf("%q: symlink -> %q, want %q", p, tg, w.target)
			}
			continue
		}
		if perm != w.perm {
			t.Errorf("%q: extracted mode %o, want %o", p, perm, w.perm)
		}
	}
}

// checkReader reads the image back with this package's reader.
func checkReader(t *testing.T, img string, exp map[string]want) {
	t.Helper()
	fsys, f, err := OpenFile(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	err = fsys.Walk(func(p string, in *Inode) error {
		n++
		w, ok := exp[p]
		if !ok {
			return fmt.Errorf("unexpected %q", p)
		}
		if uint32(in.Perm) != w.perm || in.UID != 0 || in.GID != 0 {
			return fmt.Errorf("%q: perm %o uid %d gid %d", p, in.Perm, in.UID, in.GID)
		}
		switch w.kind {
		case fstree.File:
			var buf bytes.Buffer
			if err := fsys.WriteFile(in, &buf); err != nil {
				return err
			}
			if !bytes.Equal(buf.Bytes(), w.data) {
				return fmt.Errorf("%q: contents differ", p)
			}
		case fstree.Symlink:
			if in.Target != w.target {
				return fmt.Errorf("%q: target %q", p, in.Target)
			}
		case fstree.CharDevice, fstree.BlockDevice:
			if in.Major != w.major || in.Minor != w.minor {
				return fmt.Errorf("%q: device %d,%d", p, in.Major, in.Minor)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(exp) || uint32(n) != fsys.Super.Inodes {
		t.Fatalf("reader walked %d inodes, superblock says %d, expected %d", n, fsys.Super.Inodes, len(exp))
	}
}

func TestCompressors(t *testing.T) {
	for _, comp := range Compressors {
		for _, noFrag := range []bool{false, true} {
			comp, noFrag := comp, noFrag
			t.Run(fmt.Sprintf("%s/nofrag=%v", comp, noFrag), func(t *testing.T) {
				bs := 4096
				if comp == "gzip" {
					bs = 128 << 10
				}
				es, exp := sampleTree(t, bs, 700)
				img := build(t, es, Options{Compressor: comp, BlockSize: bs, NoFragments: noFrag, ModTime: 1700000000})
				checkListing(t, img, exp)
				checkExtract(t, img, exp)
				checkReader(t, img, exp)
			})
		}
	}
}

func TestLargeDirectoryIndex(t *testing.T) {
	// 2000 entries of ~100-byte names: a ~220 KiB listing with an index
	// entry per directory block, and an extended directory inode.
	es, exp := sampleTree(t, 4096, 2000)
	img := build(t, es, Options{Compressor: "gzip", BlockSize: 4096, NoExport: true})
	fsys, f, err := OpenFile(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var many *Inode
	fsys.Walk(func(p string, in *Inode) error {
		if p == "many" {
			many = in
		}
		return nil
	})
	if many == nil || many.IndexSize < 10 {
		t.Fatalf("directory 'many' has no index: %+v", many)
	}
	if fsys.Super.ExportTable != invalidTable || fsys.Super.Flags&flagExportable != 0 {
		t.Fatal("NoExport still wrote an export table")
	}
	checkListing(t, img, exp)
	checkExtract(t, img, exp)
	checkReader(t, img, exp)
}

func TestReproducible(t *testing.T) {
	es, _ := sampleTree(t, 4096, 50)
	opts := Options{Compressor: "zstd", BlockSize: 4096}
	a, _ := os.ReadFile(build(t, es, opts))
	// Same entries, reversed order: the image must not change.
	rev := make([]fstree.Entry, len(es))
	for i, e := range es {
		rev[len(es)-1-i] = e
	}
	b, _ := os.ReadFile(build(t, rev, opts))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatal("image depends on entry order or is not reproducible")
	}
	if len(a)%4096 != 0 {
		t.Fatalf("image size %d not padded to 4 KiB", len(a))
	}
}

func TestGoldenEmpty(t *testing.T) {
	img := build(t, nil, Options{Compressor: "none", ModTime: 0x01020304})
	b, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	// Superblock of an image holding only an empty root directory, tables
	// uncompressed, as mksquashfs -noI -noD -noF -noX writes it: 1 inode,
	// 128 KiB blocks, gzip id, flags uncompressed inodes/data/fragments/
	// xattrs | no xattrs | exportable.
	wantSB := "68737173" + "01000000" + "04030201" + "00000200" + "00000000" + "0100" + "1100" + "8b03" + "0100" + "0400" + "0000" +
		"0000000000000000" + // root inode ref: block 0, offset 0
		"a200000000000000" + // bytes used
		"9a00000000000000" + // id table index, after its 2+4-byte block
		"ffffffffffffffff" + // no xattrs
		"6000000000000000" + // inode table right after the superblock
		"8200000000000000" + // directory table (empty) after the 2+32-byte inode block
		"8200000000000000" + // fragment table: empty, where it would start
		"8c00000000000000" // export table index, after its 2+8-byte block
	if got := fmt.Sprintf("%x", b[:96]); got != wantSB {
		t.Fatalf("superblock\n got %s\nwant %s", got, wantSB)
	}
	// Root inode: basic dir, 0755, ids 0, mtime, inode 1; listing at 0/0,
	// 2 links, size 3, parent 2 (inode count + 1).
	wantInode := "2080" + "0100" + "ed01" + "0000" + "0000" + "04030201" + "01000000" + "00000000" + "02000000" + "0300" + "0000" + "02000000"
	if got := fmt.Sprintf("%x", b[96:96+34]); got != wantInode {
		t.Fatalf("inode table\n got %s\nwant %s", got, wantInode)
	}
	if len(b) != 4096 {
		t.Fatalf("image is %d bytes, want 4096", len(b))
	}
	checkListing(t, img, map[string]want{"": {kind: fstree.Dir, perm: 0o755}})
}

// TestDeviceEncoding checks device numbers against mksquashfs, including
// a minor above 255 (stored in Linux's split "new" dev_t layout).
func TestDeviceEncoding(t *testing.T) {
	empty := t.TempDir()
	ref := filepath.Join(t.TempDir(), "ref.squashfs")
	out, err := exec.Command(lookTool(t, "mksquashfs"), empty, ref, "-noappend", "-no-progress",
		"-p", "dev d 755 0 0", "-p", "dev/mmc c 600 0 0 179 257", "-p", "dev/big b 600 0 0 4095 1048575").CombinedOutput()
	if err != nil {
		t.Fatalf("mksquashfs: %v\n%s", err, out)
	}
	img := build(t, []fstree.Entry{
		{Path: "dev/mmc", Kind: fstree.CharDevice, Major: 179, Minor: 257},
		{Path: "dev/big", Kind: fstree.BlockDevice, Major: 4095, Minor: 1048575},
	}, Options{})
	devs := func(p string) map[string][3]uint32 {
		fsys, f, err := OpenFile(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		m := map[string][3]uint32{}
		fsys.Walk(func(path string, in *Inode) error {
			if in.Type == typeChar || in.Type == typeBlock {
				m[path] = [3]uint32{uint32(in.Type), in.Major, in.Minor}
			}
			return nil
		})
		return m
	}
	got, want := devs(img), devs(ref)
	if fmt.Sprint(got) != fmt.Sprint(want) || got["dev/mmc"][2] != 257 {
		t.Fatalf("devices %v, mksquashfs %v", got, want)
	}
}

func TestErrors(t *testing.T) {
	if _, err := newCompressor("lzma", 4096); err == nil {
		t.Error("lzma accepted")
	}
	root, _ := fstree.Build(nil)
	f, _ := os.Create(filepath.Join(t.TempDir(), "x"))
	defer f.Close()
	if err := Build(f, root, Options{BlockSize: 3000}); err == nil {
		t.Error("block size 3000 accepted")
	}
	long, _ := fstree.Build([]fstree.Entry{{Path: strings.Repeat("n", 257), Kind: fstree.Dir}})
	if err := Build(f, long, Options{}); err == nil || !strings.Contains(err.Error(), "256") {
		t.Errorf("257-byte name: %v", err)
	}
}

func FuzzOpen(f *testing.F) {
	for _, comp := range Compressors {
		es, _ := sampleTree(f, 4096, 20)
		img := build(f, es, Options{Compressor: comp, BlockSize: 4096})
		b, err := os.ReadFile(img)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		var names []string
		fsys.Walk(func(p string, in *Inode) error {
			names = append(names, p)
			if in.Type == typeFile && in.Size < 1<<20 {
				var buf bytes.Buffer
				fsys.WriteFile(in, &buf)
			}
			return nil
		})
		sort.Strings(names)
	})
}

// TestReadsMksquashfsImages checks the reader against images mksquashfs
// made from a host directory, for each compressor.
func TestReadsMksquashfsImages(t *testing.T) {
	mksquashfs := lookTool(t, "mksquashfs")
	src := t.TempDir()
	files := map[string][]byte{
		"bin/busybox":       random(300000, 7),
		"etc/inittab":       []byte("::sysinit:/etc/init.d/rcS\n"),
		"data/zeros":        make([]byte, 200000),
		"data/exact":        pattern(131072, 8),
		"data/empty":        {},
		"deep/a/b/c/d/file": []byte("deep"),
	}
	for i := 0; i < 300; i++ {
		files[fmt.Sprintf("many/entry-with-a-longish-name-%03d", i)] = pattern(i*17, int64(i))
	}
	for p, data := range files {
		host := filepath.Join(src, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(host), 0o755)
		if err := os.WriteFile(host, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("busybox", filepath.Join(src, "bin", "sh")); err != nil {
		t.Fatal(err)
	}
	for _, comp := range []string{"gzip", "lzo", "xz", "lz4", "zstd"} {
		img := filepath.Join(t.TempDir(), "ref.squashfs")
		out, err := exec.Command(mksquashfs, src, img, "-comp", comp, "-noappend", "-no-progress", "-all-root", "-no-xattrs").CombinedOutput()
		if err != nil {
			t.Fatalf("mksquashfs -comp %s: %v\n%s", comp, err, out)
		}
		fsys, f, err := OpenFile(img)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		err = fsys.Walk(func(p string, in *Inode) error {
			switch in.Type {
			case typeFile:
				var buf bytes.Buffer
				if err := fsys.WriteFile(in, &buf); err != nil {
					return err
				}
				if !bytes.Equal(buf.Bytes(), files[p]) {
					return fmt.Errorf("%s: %q: %d bytes differ from the %d put in", comp, p, buf.Len(), len(files[p]))
				}
				seen++
			case typeSymlink:
				if p != "bin/sh" || in.Target != "busybox" {
					return fmt.Errorf("%s: symlink %q -> %q", comp, p, in.Target)
				}
			}
			return nil
		})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if seen != len(files) {
			t.Fatalf("%s: read %d files of %d", comp, seen, len(files))
		}
	}
}

// hostTree writes a test tree to a host directory (for mksquashfs) and
// returns the same content as fstree entries (for Build).
func hostTree(t *testing.T, many int) (string, []fstree.Entry) {
	t.Helper()
	root := t.TempDir()
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	var es []fstree.Entry
	mkdir := func(p string, perm uint32) {
		if err := os.MkdirAll(filepath.Join(root, p), 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(root, p), os.FileMode(perm))
		es = append(es, fstree.Entry{Path: p, Kind: fstree.Dir, Mode: perm, HasMode: true})
	}
	file := func(p string, data []byte, perm uint32) {
		host := filepath.Join(root, p)
		if err := os.WriteFile(host, data, 0o644); err != nil {
			t.Fatal(err)
		}
		// Chmod, not the create mode: the umask must not matter.
		mode := os.FileMode(perm & 0o777)
		if perm&0o4000 != 0 {
			mode |= os.ModeSetuid
		}
		os.Chmod(host, mode)
		es = append(es, fstree.Entry{Path: p, Kind: fstree.File, Source: host, Mode: perm, HasMode: true})
	}
	link := func(p, target string) {
		if err := os.Symlink(target, filepath.Join(root, p)); err != nil {
			t.Fatal(err)
		}
		es = append(es, fstree.Entry{Path: p, Kind: fstree.Symlink, Target: target})
	}
	for _, d := range []string{"bin", "dev", "data", "a", "a/b", "a/b/c", "many", "empty"} {
		mkdir(d, 0o755)
	}
	file("bin/busybox", random(300000, 1), 0o755)
	for _, applet := range []string{"sh", "ls", "cat", "mount"} {
		link("bin/"+applet, "busybox")
	}
	file("init", []byte("#!/bin/sh\nexec /bin/sh\n"), 0o755)
	file("data/exact", random(131072, 2), 0o644)
	file("data/plus-one", random(131073, 3), 0o644)
	file("data/zeros", make([]byte, 300000), 0o644)
	file("data/zeros-then-data", append(make([]byte, 262144), random(1000, 4)...), 0o644)
	file("data/empty", nil, 0o644)
	file("data/setuid", []byte("s"), 0o4755)
	file("data/compressible", pattern(200000, 5), 0o600)
	file("a/b/c/deep", []byte("deep"), 0o444)
	for i := 0; i < many; i++ {
		name := fmt.Sprintf("many/%04d-%s", i, strings.Repeat("x", i%90))
		if i%50 == 7 {
			link(name, "../init")
		} else {
			file(name, random(i*13%3000, int64(i)), 0o644)
		}
	}
	mkdir("proc", 0o555)
	es = append(es, fstree.Entry{Path: "dev/console", Kind: fstree.CharDevice, Major: 5, Minor: 1, Mode: 0o600, HasMode: true})
	return root, es
}

// TestUncompressedMatchesMksquashfs: with compression off, images are
// byte-identical to what mksquashfs writes for the same tree, which pins
// inode numbering and order, directory headers and index, fragment
// packing, sparse blocks and every table to the reference tool.
func TestUncompressedMatchesMksquashfs(t *testing.T) {
	mksquashfs := lookTool(t, "mksquashfs")
	src, es := hostTree(t, 700)
	cases := []struct {
		name  string
		opts  Options
		extra []string
	}{
		{"default", Options{}, nil},
		{"4k-blocks", Options{BlockSize: 4096}, []string{"-b", "4096"}},
		{"no-fragments", Options{NoFragments: true}, []string{"-no-fragments"}},
		{"no-exports", Options{NoExport: true}, []string{"-no-exports"}},
	}
	for _, c := range cases {
		opts := c.opts
		opts.Compressor = "none"
		compareWithMksquashfs(t, mksquashfs, src, es, c.name, opts,
			append([]string{"-noI", "-noD", "-noF", "-noX"}, c.extra...))
	}
}

// compareWithMksquashfs builds es with opts (at mkfs time 1700000000) and
// src with mksquashfs and the same fixed settings plus extra, and reports
// where the images first differ.
func compareWithMksquashfs(t *testing.T, mksquashfs, src string, es []fstree.Entry, name string, opts Options, extra []string) {
	t.Helper()
	ref := filepath.Join(t.TempDir(), "ref.squashfs")
	args := append([]string{src, ref, "-no-xattrs", "-all-root",
		"-mkfs-time", "1700000000", "-all-time", "1700000000", "-noappend", "-no-duplicates", "-no-progress",
		"-processors", "1", "-p", "dev/console c 600 0 0 5 1"}, extra...)
	if out, err := exec.Command(mksquashfs, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: mksquashfs: %v\n%s", name, err, out)
	}
	opts.ModTime = 1700000000
	mine := build(t, es, opts)
	a, _ := os.ReadFile(ref)
	b, _ := os.ReadFile(mine)
	if !bytes.Equal(a, b) {
		at := 0
		for at < len(a) && at < len(b) && a[at] == b[at] {
			at++
		}
		t.Errorf("%s: image differs from mksquashfs's (%d vs %d bytes) first at offset 0x%x", name, len(b), len(a), at)
	}
}

// TestOwners: uids and gids other than 0 go through the id table.
func TestOwners(t *testing.T) {
	src := filepath.Join(t.TempDir(), "f")
	os.WriteFile(src, []byte("x"), 0o644)
	img := build(t, []fstree.Entry{
		{Path: "home/user", Kind: fstree.Dir, UID: 1000, GID: 100},
		{Path: "home/user/file", Kind: fstree.File, Source: src, UID: 1000, GID: 1000},
		{Path: "etc/shadow", Kind: fstree.File, Source: src, GID: 42, Mode: 0o640, HasMode: true},
	}, Options{})
	out, err := exec.Command(lookTool(t, "unsquashfs"), "-lln", "-d", "R", img).CombinedOutput()
	if err != nil {
		t.Fatalf("unsquashfs -lln: %v\n%s", err, out)
	}
	for _, want := range []string{
		"drwxr-xr-x 1000/100 ", "R/home/user\n",
		"-rw-r--r-- 1000/1000 ", "R/home/user/file\n",
		"-rw-r----- 0/42 ", "R/etc/shadow\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("unsquashfs -lln lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasSuffix(line, " R/home/user") && !strings.HasPrefix(line, "drwxr-xr-x 1000/100 ") {
			t.Errorf("home/user listed as %q", line)
		}
		if strings.HasSuffix(line, " R/etc/shadow") && !strings.HasPrefix(line, "-rw-r----- 0/42 ") {
			t.Errorf("etc/shadow listed as %q", line)
		}
	}
	fsys, f, err := OpenFile(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if len(fsys.ids) != 4 {
		t.Errorf("id table %v, want the 4 distinct ids 0, 42, 100, 1000", fsys.ids)
	}
}

// TestGzipMatchesMksquashfs: with gzip compression (zlib level 9, which
// compress.ZlibEncoder reproduces), images are byte-identical to
// mksquashfs's too: the same blocks packed to the same bytes, and the
// same choices of which blocks stay uncompressed.
func TestGzipMatchesMksquashfs(t *testing.T) {
	mksquashfs := lookTool(t, "mksquashfs")
	if v, err := exec.Command(mksquashfs, "-version").Output(); err == nil {
		t.Logf("reference: %s", bytes.SplitN(v, []byte("\n"), 2)[0])
	}
	src, es := hostTree(t, 300)
	for _, c := range []struct {
		name  string
		opts  Options
		extra []string
	}{
		{"default", Options{}, nil},
		{"4k-blocks", Options{BlockSize: 4096}, []string{"-b", "4096"}},
	} {
		opts := c.opts
		opts.Compressor = "gzip"
		compareWithMksquashfs(t, mksquashfs, src, es, c.name, opts, append([]string{"-comp", "gzip"}, c.extra...))
	}
}
