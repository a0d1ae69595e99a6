package genimage

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// tarTree is content with an executable, an empty directory and a path
// longer than the 100 bytes a tar header holds.
func tarTree(t *testing.T) *tree {
	long := "root/" + strings.Repeat("d", 60) + "/" + strings.Repeat("e", 70) + "/file"
	tr := newTree(t, map[string]string{"root/a/b/f": "hi\n", "root/c/run": "#!/bin/sh\n", long: "long\n"})
	os.Chmod(tr.path("root/c/run"), 0o755)
	os.MkdirAll(tr.path("root/empty"), 0o755)
	return tr
}

// Our archive equals GNU tar's over the same tree with the metadata made
// reproducible (sorted names, root:root, one mtime), byte for byte, and
// gzip-compressed when the name says .tar.gz. genimage 16's archive (host
// owner and times, directory order) lists the same entries with the same
// contents and modes.
func TestTarMatchesGNUTar(t *testing.T) {
	tr := tarTree(t)
	cfg := "image t.tar { tar {} }\nimage t.tar.gz { tar {} }\n"
	if err := tr.ours(cfg, nil); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("tar", "--format=gnu", "--sort=name", "--owner=root:0", "--group=root:0",
		fmt.Sprintf("--mtime=@%d", testEpoch), "-cf", tr.path("gnu.tar"), ".")
	cmd.Dir = tr.path("root")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	ours := tr.read("out/t.tar")
	if !bytes.Equal(ours, tr.read("gnu.tar")) {
		t.Fatalf("t.tar (%d bytes) differs from GNU tar's (%d bytes)", len(ours), len(tr.read("gnu.tar")))
	}
	zr, err := gzip.NewReader(bytes.NewReader(tr.read("out/t.tar.gz")))
	if err != nil {
		t.Fatal(err)
	}
	if unz, err := io.ReadAll(zr); err != nil || !bytes.Equal(unz, ours) {
		t.Fatalf("t.tar.gz does not hold t.tar (%v)", err)
	}
	// genimage's tar -z pipes the archive through `gzip` (level 6).
	gz := exec.Command("gzip")
	gz.Stdin = bytes.NewReader(ours)
	if want, err := gz.Output(); err != nil || !bytes.Equal(tr.read("out/t.tar.gz"), want) {
		t.Fatalf("t.tar.gz differs from t.tar piped through gzip (%v)", err)
	}
	tr.ref(cfg)
	for _, name := range []string{"t.tar", "t.tar.gz"} {
		if got, want := tarListing(t, tr.path("out/"+name)), tarListing(t, tr.path("ref/"+name)); got != want {
			t.Errorf("%s lists\n%s\ngenimage's\n%s", name, got, want)
		}
	}
	dir := tr.path("x")
	os.MkdirAll(dir, 0o755)
	tool(t, "tar", "-xf", tr.path("out/t.tar"), "-C", dir)
	if got := tool(t, "diff", "-r", tr.path("root"), dir); got != "" {
		t.Error(got)
	}
}

// tarListing is `tar -tv` without owners and times, sorted.
func tarListing(t *testing.T, path string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(tool(t, "tar", "-tvf", path)), "\n") {
		f := strings.Fields(l)
		lines = append(lines, f[0]+" "+f[2]+" "+f[5])
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestTarErrors(t *testing.T) {
	for cfg, want := range map[string]string{
		`image t.tar.lz { tar {} }`:                    ".lz",
		`image t.tar { tar { extraargs = "-v" } }`:     "extraargs",
		`image t.tar { tar { level = 9 } }`:            "level",
		`image t.tar { tar {} srcpath = "/nonexist" }`: "/nonexist",
	} {
		tr := tarTree(t)
		err := tr.ours(cfg, nil)
		if err == nil || !strings.Contains(err.Error(), "image 't.tar") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one naming the image and %s", cfg, err, want)
		}
		if ents, _ := os.ReadDir(tr.path("out")); len(ents) != 0 {
			t.Errorf("%s: output written", cfg)
		}
	}
}
