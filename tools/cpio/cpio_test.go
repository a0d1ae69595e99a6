package cpio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/compress"
	"github.com/rules-firmware/rules_firmware/tools/fstree"
)

type member struct {
	h    Header
	data string
}

func readAll(t *testing.T, b []byte) []member {
	t.Helper()
	r := NewReader(bytes.NewReader(b))
	var out []member
	for {
		h, _, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		d, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, member{*h, string(d)})
	}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHeaderBytes pins one entry byte for byte: the field order, upper-case
// hex, the NUL-terminated name padded to 4 from the header start, data
// padded to 4, and the trailer padded to 512.
func TestHeaderBytes(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, []Record{{Names: []string{"ab"}, Mode: TypeReg | 0o644, Data: []byte("xyz")}}, Options{MTime: 0x12345678})
	if err != nil {
		t.Fatal(err)
	}
	want := "070701" + "000002D1" + "000081A4" + "00000000" + "00000000" + "00000001" + "12345678" + "00000003" +
		"00000003" + "00000001" + "00000000" + "00000000" + "00000003" + "00000000" + "ab\x00" + "\x00\x00\x00" + "xyz\x00"
	got := buf.String()
	if !strings.HasPrefix(got, want) {
		t.Fatalf("entry:\n got %q\nwant %q", got[:len(want)], want)
	}
	if buf.Len()%512 != 0 || !strings.Contains(got, Trailer+"\x00") {
		t.Errorf("archive of %d bytes: want a trailer and a multiple of 512", buf.Len())
	}
}

func TestTreeOrderHardlinksAndRoundTrip(t *testing.T) {
	src := writeTemp(t, "f", "contents")
	var entries []fstree.Entry
	for _, e := range []fstree.Entry{
		{Path: "z/file", Kind: fstree.File, Source: src, Mode: 0o600, HasMode: true, UID: 5, GID: 6},
		{Path: "a/dev", Kind: fstree.CharDevice, Major: 4, Minor: 64},
		{Path: "a/link", Kind: fstree.Symlink, Target: "../z/file"},
		{Path: "b", Kind: fstree.Dir, Mode: 0o700, HasMode: true},
	} {
		entries = append(entries, e)
	}
	hl, dest, existing, err := ParseHardlinkSpec("/a/hard=z/file")
	if err != nil {
		t.Fatal(err)
	}
	entries = append(entries, hl)
	root, err := fstree.Build(entries)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := FromTree(root, map[string]string{dest: existing}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, recs, Options{MTime: 7}); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, buf.Bytes())
	var names []string
	for _, m := range got {
		names = append(names, m.h.Name)
	}
	// Parents first, sorted; the hard-linked pair where z/file sorts.
	want := "a a/dev a/link b z a/hard z/file"
	if strings.Join(names, " ") != want {
		t.Fatalf("order %q, want %q", strings.Join(names, " "), want)
	}
	byName := map[string]member{}
	for _, m := range got {
		byName[m.h.Name] = m
	}
	h1, h2 := byName["a/hard"], byName["z/file"]
	if h1.h.Ino != h2.h.Ino || h1.h.NLink != 2 || h1.data != "" || h2.data != "contents" || h2.h.Mode != TypeReg|0o600 || h2.h.UID != 5 || h2.h.GID != 6 {
		t.Errorf("hard links: %+v / %+v", h1, h2)
	}
	if d := byName["a/dev"].h; d.Mode != TypeChar|0o600 || d.RdevMajor != 4 || d.RdevMinor != 64 {
		t.Errorf("device: %+v", d)
	}
	if l := byName["a/link"]; l.data != "../z/file" || l.h.Mode != TypeLink|0o777 {
		t.Errorf("symlink: %+v", l)
	}
	if b := byName["b"].h; b.Mode != TypeDir|0o700 || b.NLink != 2 || b.MTime != 7 {
		t.Errorf("dir: %+v", b)
	}
	// Same input, same bytes.
	var again bytes.Buffer
	if err := Write(&again, recs, Options{MTime: 7}); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Errorf("second write differs (%v)", err)
	}
}

func TestListParsing(t *testing.T) {
	list := "# c\n\nfile /init in 0755 0 0 /sbin/init\ndir /dev 755 0 0\nnod /dev/null 0666 0 0 c 1 3\nslink /bin sbin 777 0 0\npipe /p 0600 1 2\nsock /s 0600 0 0\n"
	recs, err := ParseList(strings.NewReader(list), "l", func(loc string) (string, error) { return "host/" + loc, nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 || recs[0].Source != "host/in" || strings.Join(recs[0].Names, ",") != "init,sbin/init" ||
		recs[2].Mode != TypeChar|0o666 || recs[2].RdevMinor != 3 || recs[3].Target != "sbin" ||
		recs[4].Mode != TypeFifo|0o600 || recs[4].NLink != 2 || recs[4].GID != 2 || recs[5].Where != "l:8" {
		t.Errorf("records: %+v", recs)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct{ list, want string }{
		{"file /x ${TOP}/x 0644 0 0\n", `l:1: location "${TOP}/x": ${VAR} expansion is not supported`},
		{"dir /x 0755 0\n", `l:1: want "dir NAME MODE UID GID", got 4 fields`},
		{"nod /x 0600 0 0 x 1 2\n", `l:1: device type "x" is neither c nor b`},
		{"\nfifo /x 0600 0 0\n", `l:2: unknown type "fifo"`},
		{"dir /x 0955 0 0\n", `l:1: mode "0955": want octal`},
		{"dir /x 0755 0 0\ndir /x 0755 0 0\n", `l:2: '/x' is already in the archive (l:1)`},
		{"file /x /nonexistent/file 0644 0 0\n", `l:1: open /nonexistent/file`},
	} {
		recs, err := ParseList(strings.NewReader(tc.list), "l", nil)
		if err == nil {
			err = Write(io.Discard, recs, Options{})
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.list, err, tc.want)
		}
	}
	root, _ := fstree.Build([]fstree.Entry{{Path: "d", Kind: fstree.Dir}, {Path: "l", Kind: fstree.File}})
	if _, err := FromTree(root, map[string]string{"l": "d"}, nil); err == nil || !strings.Contains(err.Error(), "'/l': hard link to '/d', a dir, not a regular file") {
		t.Errorf("hard link to a dir: %v", err)
	}
	if _, err := FromTree(root, map[string]string{"l": "nope"}, nil); err == nil || !strings.Contains(err.Error(), "not in the archive") {
		t.Errorf("hard link to nothing: %v", err)
	}
}

func TestReaderRejects(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, []Record{{Names: []string{"a"}, Mode: TypeReg | 0o644, Data: []byte("hello")}}, Options{}); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	for name, mutate := range map[string]func([]byte) []byte{
		"magic":     func(b []byte) []byte { b[5] = '7'; return b },
		"hex":       func(b []byte) []byte { b[10] = 'g'; return b },
		"namesize":  func(b []byte) []byte { copy(b[94:102], "00FFFFFF"); return b },
		"truncated": func(b []byte) []byte { return b[:115] },
		"data":      func(b []byte) []byte { copy(b[54:62], "0000FFFF"); return b[:200] },
	} {
		b := mutate(append([]byte(nil), good...))
		r := NewReader(bytes.NewReader(b))
		var err error
		for err == nil {
			_, _, err = r.Next()
			if err == nil {
				_, err = io.ReadAll(r)
			}
		}
		if err == io.EOF {
			t.Errorf("%s: corrupt archive read without error", name)
		}
	}
}

func TestDetectCompressed(t *testing.T) {
	var plain bytes.Buffer
	if err := Write(&plain, []Record{{Names: []string{"x"}, Mode: TypeDir | 0o755}}, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range Compressions() {
		algo, _ := CompressionFor(name)
		var z bytes.Buffer
		zw, err := compress.NewWriter(algo, &z)
		if err != nil {
			t.Fatal(err)
		}
		zw.Write(plain.Bytes())
		zw.Close()
		got, r, ok := Detect(bytes.NewReader(z.Bytes()))
		if !ok || (got != algo && !strings.HasPrefix(algo, got+"-")) {
			t.Errorf("%s: Detect = %q, %v", name, got, ok)
			continue
		}
		back, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(back, plain.Bytes()) {
			t.Errorf("%s: read back %d bytes, %v", name, len(back), err)
		}
	}
	if _, _, ok := Detect(strings.NewReader("\x1f\x8bnot gzip at all")); ok {
		t.Error("garbage after a gzip magic detected as cpio")
	}
}

// TestGNUCpioReadsTree: GNU cpio lists and extracts what FromTree wrote.
func TestGNUCpioReadsTree(t *testing.T) {
	if _, err := exec.LookPath("cpio"); err != nil {
		t.Fatal("GNU cpio is needed (bazelw installs it)")
	}
	src := writeTemp(t, "f", "data\n")
	root, err := fstree.Build([]fstree.Entry{
		{Path: "etc/f", Kind: fstree.File, Source: src},
		{Path: "etc/g", Kind: fstree.File},
		{Path: "bin/sh", Kind: fstree.Symlink, Target: "/etc/f"},
	})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := FromTree(root, map[string]string{"etc/g": "etc/f"}, map[string]bool{"etc": true})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, recs, Options{MTime: 1000}); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Names[0] == "etc" {
			t.Error("implicit directory etc written although the caller had it already")
		}
	}
	dir := t.TempDir()
	cmd := exec.Command("cpio", "-idm", "--quiet")
	cmd.Dir, cmd.Stdin = dir, bytes.NewReader(buf.Bytes())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cpio -idm: %v: %s", err, out)
	}
	for _, p := range []string{"etc/f", "etc/g"} {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil || string(b) != "data\n" {
			t.Errorf("%s: %q, %v", p, b, err)
		}
	}
	st1, _ := os.Stat(filepath.Join(dir, "etc/f"))
	st2, _ := os.Stat(filepath.Join(dir, "etc/g"))
	if !os.SameFile(st1, st2) || st1.ModTime().Unix() != 1000 {
		t.Errorf("etc/f and etc/g: same file %v, mtime %v", os.SameFile(st1, st2), st1.ModTime())
	}
	if l, err := os.Readlink(filepath.Join(dir, "bin/sh")); err != nil || l != "/etc/f" {
		t.Errorf("bin/sh -> %q, %v", l, err)
	}
}

func TestDirEntries(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "lib/modules/6.1/kernel"), 0o755)
	os.MkdirAll(filepath.Join(dir, "empty"), 0o755)
	os.WriteFile(filepath.Join(dir, "lib/modules/6.1/modules.dep"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "run"), []byte("x"), 0o700)
	es, err := DirEntries("/", dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%s:%s:%o", e.Path, e.Kind, e.Perm()))
	}
	want := "empty:dir:755 lib/modules/6.1/kernel:dir:755 lib/modules/6.1/modules.dep:file:644 run:file:644"
	if strings.Join(got, " ") != want {
		t.Errorf("entries %q, want %q", strings.Join(got, " "), want)
	}
	if err := SetModes(es, map[string]uint32{"run": 0o750}); err != nil || es[3].Perm() != 0o750 {
		t.Errorf("SetModes: %v, run %o", err, es[3].Perm())
	}
	if err := SetModes(es, map[string]uint32{"nope": 0o750}); err == nil || err.Error() != "mode for '/nope': no such entry" {
		t.Errorf("SetModes of a missing path: %v", err)
	}
	if _, err := DirEntries("", filepath.Join(dir, "missing")); err == nil {
		t.Error("missing directory accepted")
	}
}

func FuzzReader(f *testing.F) {
	var buf bytes.Buffer
	Write(&buf, []Record{
		{Names: []string{"d"}, Mode: TypeDir | 0o755},
		{Names: []string{"d/f", "g"}, Mode: TypeReg | 0o644, Data: []byte("hello")},
		{Names: []string{"l"}, Mode: TypeLink | 0o777, Target: "d/f"},
	}, Options{})
	f.Add(buf.Bytes())
	f.Add([]byte("070701"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(bytes.NewReader(b))
		for i := 0; i < 1000; i++ {
			h, _, err := r.Next()
			if err != nil {
				if err != io.EOF && !errors.Is(err, ErrFormat) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("unexpected error kind: %v", err)
				}
				return
			}
			if len(h.Name) >= MaxNameSize {
				t.Fatalf("name of %d bytes accepted", len(h.Name))
			}
			if _, err := io.Copy(io.Discard, r); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("data: %v", err)
			}
		}
	})
}

// FuzzParseList: any list text parses or fails with an error naming a
// line, and what parses writes (sources are not read: files get data).
func FuzzParseList(f *testing.F) {
	f.Add("dir /dev 0755 0 0\nnod /dev/console 0600 0 0 c 5 1\nfile /init x 0755 0 0 /a /b\nslink /bin sbin 777 0 0\n")
	f.Add("# c\npipe /p 0600 1 2\nsock /s 0\n")
	f.Fuzz(func(t *testing.T, list string) {
		recs, err := ParseList(strings.NewReader(list), "l", func(string) (string, error) { return "", nil })
		if err != nil {
			if !strings.HasPrefix(err.Error(), "l:") && !strings.HasPrefix(err.Error(), "l: ") {
				t.Fatalf("error does not name the list: %v", err)
			}
			return
		}
		for i := range recs {
			recs[i].Source, recs[i].Data = "", []byte("x")
		}
		var buf bytes.Buffer
		if err := Write(&buf, recs, Options{SymlinkNUL: true}); err == nil && buf.Len()%512 != 0 {
			t.Fatalf("archive of %d bytes", buf.Len())
		}
	})
}
