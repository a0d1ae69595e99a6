package outfile

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// listTree names everything below dir ("a", "a/b"...), sorted.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	return names
}

func TestBatchCommit(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	b := NewBatch()
	defer b.Abort()
	for _, n := range []string{"a", "s/b", "s/t/c"} {
		if err := b.WriteBytesIn(out, n, "Entry '"+n+"'", []byte(n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.WriteBytesIn(out, "a", "Entry 'a'", []byte("again")); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(listTree(t, dir), " ")
	if want := "out out/a out/s out/s/b out/s/t out/s/t/c"; got != want {
		t.Fatalf("tree = %s, want %s", got, want)
	}
	if data, _ := os.ReadFile(filepath.Join(out, "a")); string(data) != "again" {
		t.Fatalf("a = %q, want the later write", data)
	}
}

// A failure after some outputs were staged leaves nothing: no file, no
// temporary file, no directory the batch made; what was there stays.
func TestBatchAbortLeavesDirectoryAsItWas(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := listTree(t, dir)
	b := NewBatch()
	if err := b.WriteBytesIn(dir, "sub/deeper/x", "Entry 'x'", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteBytesIn(dir, "keep", "Entry 'keep'", []byte("new")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := b.WriteIn(dir, "y", "Entry 'y'", FileMode, func(f *os.File) error {
		f.Write([]byte("partial"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	b.Abort()
	if after := listTree(t, dir); strings.Join(after, " ") != strings.Join(before, " ") {
		t.Fatalf("after abort: %v, want %v", after, before)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "keep")); string(data) != "old" {
		t.Fatalf("keep = %q, want old contents", data)
	}
	if err := b.Commit(); err == nil {
		t.Fatal("Commit after Abort succeeded")
	}
}

func TestBatchRefusesEscapesAndCollisions(t *testing.T) {
	dir := t.TempDir()
	b := NewBatch()
	defer b.Abort()
	if err := b.WriteBytesIn(dir, "../x", "Node '/images/../x'", nil); err == nil || !strings.HasPrefix(err.Error(), "Node '/images/../x': ") {
		t.Fatalf("../x: err = %v", err)
	}
	if err := b.WriteBytesIn(dir, "a", "Entry 'a'", nil); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteBytesIn(dir, "a/b", "Entry 'a/b'", nil); err == nil || !strings.Contains(err.Error(), "Entry 'a/b'") {
		t.Fatalf("a/b below file a: err = %v", err)
	}
	if err := b.WriteBytesIn(dir, "c/d", "Entry 'c/d'", nil); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteBytesIn(dir, "c", "Entry 'c'", nil); err == nil {
		t.Fatal("file c over directory c: no error")
	}
}

func TestFailedWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.bin")
	boom := errors.New("boom")
	err := Write(p, FileMode, func(f *os.File) error {
		f.Write([]byte("partial"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if ents := listTree(t, dir); len(ents) != 0 {
		t.Fatalf("left behind: %v", ents)
	}
}

// A missing directory of a plain output is an error, not made: build
// --map missing/x.map fails and leaves no image either.
func TestBatchMissingDirectoryFailsWhole(t *testing.T) {
	dir := t.TempDir()
	b := NewBatch()
	defer b.Abort()
	if err := b.WriteBytes(filepath.Join(dir, "image.bin"), []byte("img")); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteBytes(filepath.Join(dir, "missing", "image.map"), []byte("map")); err == nil {
		t.Fatal("write into a missing directory succeeded")
	}
	b.Abort()
	if ents := listTree(t, dir); len(ents) != 0 {
		t.Fatalf("left behind: %v", ents)
	}
}

// FuzzWriteIn: whatever two names an image holds, the files they become
// lie below the output directory, and an aborted batch leaves nothing.
func FuzzWriteIn(f *testing.F) {
	for _, s := range [][2]string{{"a", "b"}, {"../x", "a"}, {"a/b", "a"}, {"a", "a/b"}, {"/abs", ""}, {"x/../../y", "."}, {"s/./t", "s//t"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, n1, n2 string) {
		root := t.TempDir()
		out := filepath.Join(root, "out")
		for _, commit := range []bool{true, false} {
			b := NewBatch()
			for _, n := range []string{n1, n2} {
				b.WriteBytesIn(out, n, "e", []byte(n))
			}
			if commit {
				b.Commit()
			} else {
				b.Abort()
			}
			for _, p := range listTree(t, root) {
				if p != "out" && !strings.HasPrefix(p, "out/") {
					t.Fatalf("names %q, %q wrote %s outside out/", n1, n2, p)
				}
				if strings.Contains(p, ".tmp-") {
					t.Fatalf("names %q, %q left temporary %s", n1, n2, p)
				}
			}
			if !commit {
				continue
			}
			os.RemoveAll(out)
		}
		if left := listTree(t, root); len(left) != 0 {
			t.Fatalf("aborted batch of %q, %q left %v", n1, n2, left)
		}
	})
}
