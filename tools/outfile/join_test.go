package outfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJoinNames(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, want, err string
	}{
		{name: "u-boot", want: "u-boot"},
		{name: "section/u-boot", want: "section/u-boot"},
		{name: "a//b/./c/", want: "a/b/c"},
		{name: "", err: "empty name"},
		{name: ".", err: "output directory itself"},
		{name: "./", err: "output directory itself"},
		{name: "..", err: "has a '..' component"},
		{name: "../x", err: "has a '..' component"},
		{name: "a/../../x", err: "has a '..' component"},
		{name: "a/../b", err: "has a '..' component"},
		{name: strings.Repeat("../", 40) + "etc/passwd", err: "has a '..' component"},
		{name: "/etc/passwd", err: "absolute name"},
		{name: "//x", err: "absolute name"},
		{name: "a\x00b", err: "NUL"},
	} {
		got, err := Join(dir, tc.name, "Entry 'e'")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "Entry 'e': ") {
				t.Errorf("Join(%q) = %q, %v; want error with %q", tc.name, got, err, tc.err)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("Join(%q): error is not one line: %q", tc.name, err)
			}
			continue
		}
		if want := filepath.Join(dir, filepath.FromSlash(tc.want)); err != nil || got != want {
			t.Errorf("Join(%q) = %q, %v; want %q", tc.name, got, err, want)
		}
	}
}

func TestJoinSymlinks(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "out")
	outside := filepath.Join(base, "elsewhere")
	for _, d := range []string{dir, outside, filepath.Join(dir, "real")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"esc":      outside,        // absolute, outside
		"rel":      "../elsewhere", // relative, outside
		"dangling": filepath.Join(outside, "missing"),
		"inside":   "real", // stays inside: allowed
		"self":     ".",    // the directory itself: allowed
		"file":     "/etc/hostname",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"esc/x", false},
		{"esc", false},
		{"rel/x", false},
		{"dangling", false},
		{"dangling/x", false},
		{"file", false},
		{"inside/x", true},
		{"self/x", true},
		{"self/esc/x", false},
		{"new/x", true},
	} {
		_, err := Join(dir, tc.name, "Entry '"+tc.name+"'")
		if tc.ok != (err == nil) {
			t.Errorf("Join(%q): err = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "Entry '"+tc.name+"'") {
			t.Errorf("Join(%q): error does not name the entry: %v", tc.name, err)
		}
	}
	// The output directory reached through a link of its own is fine.
	viaLink := filepath.Join(base, "link-to-out")
	if err := os.Symlink(dir, viaLink); err != nil {
		t.Fatal(err)
	}
	if _, err := Join(viaLink, "inside/x", "e"); err != nil {
		t.Errorf("Join through a linked output directory: %v", err)
	}
	if _, err := Join(viaLink, "esc/x", "e"); err == nil {
		t.Errorf("Join(esc/x) through a linked output directory: no error")
	}
}

// FuzzJoin: whatever the name, Join either refuses it or returns a path
// strictly inside the output directory.
func FuzzJoin(f *testing.F) {
	for _, s := range []string{"u-boot", "../x", "a/../b", "/abs", "", ".", "a/./b/", "..a/b..", "a\\..\\b"} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, name string) {
		p, err := Join(dir, name, "e")
		if err != nil {
			return
		}
		rel, rerr := filepath.Rel(dir, p)
		if rerr != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") || filepath.IsAbs(rel) {
			t.Fatalf("Join(%q) = %q escapes %q", name, p, dir)
		}
	})
}
