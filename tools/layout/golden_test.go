package layout

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-firmware/rules_firmware/tools/fdtmap"
)

// binmanCase is one directory of testdata/binman, recorded from real
// binman by regen.py: inputs, our equivalent manifest, and binman's image
// and map or error.
type binmanCase struct {
	Blobs    map[string]string `json:"blobs"`
	Manifest json.RawMessage   `json:"manifest"`
	Error    string            `json:"error"`
	Warning  string            `json:"warning"`
	Replace  *struct {
		Path string `json:"path"`
		Data string `json:"data"`
	} `json:"replace"`
	ReplaceError string `json:"replace_error"`
	// BuildDiffers says why our build is not byte-compared (compressed
	// data); the replace then starts from binman's image.
	BuildDiffers string `json:"build_differs"`
}

// Our wording differs from binman's where binman's names its own search
// path; the node and file are still named.
var ourErrors = map[string]string{
	"err-missing": "Node '/binman/x': Cannot find file '$DIR/missing.bin' (blob entry 'x' expects it)",
}

func loadCase(t *testing.T, dir string) (binmanCase, *Manifest, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c binmanCase
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	for name, hx := range c.Blobs {
		data, err := hex.DecodeString(hx)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := strings.ReplaceAll(string(c.Manifest), "$DIR", work)
	m, err := ParseManifest([]byte(text))
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	return c, m, work
}

func TestBinmanGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/binman/*/case.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, cj := range dirs {
		dir := filepath.Dir(cj)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			c, m, work := loadCase(t, dir)
			img, err := Build(m, Options{})
			if c.Error != "" {
				want := c.Error
				if w, ok := ourErrors[name]; ok {
					want = strings.ReplaceAll(w, "$DIR", work)
				}
				if err == nil {
					t.Fatalf("built without error, want %q", want)
				}
				if err.Error() != want {
					t.Fatalf("error\n got: %s\nwant: %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.BuildDiffers != "" {
				img := filepath.Join(work, "binman.bin")
				data, err := os.ReadFile(filepath.Join(dir, "image.bin"))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(img, data, 0o644); err != nil {
					t.Fatal(err)
				}
				checkReplace(t, dir, img, c)
				return
			}
			wantMap, err := os.ReadFile(filepath.Join(dir, "image.map"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(wantMap), img.Map()); diff != "" {
				t.Errorf("map differs from binman's (-binman +ours):\n%s", diff)
			}
			wantImg, err := os.ReadFile(filepath.Join(dir, "image.bin"))
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(work, "out.bin")
			if err := img.WriteImage(out); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, wantImg) {
				t.Errorf("image differs from binman's:\n got %x\nwant %x", got, wantImg)
			}
			if mem, err := img.Bytes(); err != nil || !bytes.Equal(mem, got) {
				t.Errorf("Bytes() differs from the written file: %v", err)
			}
			for file, patterns := range map[string][]string{"ls.txt": nil, "ls-pattern.txt": {"sec", "*a?"}} {
				wantLs, err := os.ReadFile(filepath.Join(dir, file))
				if err != nil {
					continue
				}
				m, err := fdtmap.Read(bytes.NewReader(got), int64(len(got)))
				if err != nil {
					t.Fatal(err)
				}
				var sb strings.Builder
				if err := m.List(&sb, patterns); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(string(wantLs), sb.String()); diff != "" {
					t.Errorf("%s differs from binman ls (-binman +ours):\n%s", file, diff)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "extract")); err == nil {
				checkExtract(t, filepath.Join(dir, "extract"), got)
			}
			if c.Replace != nil {
				checkReplace(t, dir, out, c)
			}
			if c.Warning != "" {
				// binman's first warning line names every missing blob.
				first := strings.SplitN(c.Warning, "\n", 2)[0]
				if len(img.Warnings) == 0 || img.Warnings[0] != first {
					t.Errorf("warnings %q, want first line %q", img.Warnings, first)
				}
			}
		})
	}
}

// checkReplace replaces an entry of our image as binman's replace did on
// binman's identical image, and compares the result or the error.
func checkReplace(t *testing.T, dir, image string, c binmanCase) {
	t.Helper()
	data, err := hex.DecodeString(c.Replace.Data)
	if err != nil {
		t.Fatal(err)
	}
	err = Replace(image, c.Replace.Path, data)
	if c.ReplaceError != "" {
		if err == nil || err.Error() != c.ReplaceError {
			t.Fatalf("replace error %v, want %q", err, c.ReplaceError)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, "replaced.bin"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(image)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("replaced image differs from binman's:\n got %x\nwant %x", got, want)
	}
}

// checkExtract reads every entry through the fdtmap as `fwtool extract -O`
// does and compares with what `binman extract -O` wrote: the same files
// (sections as <path>/root) with the same bytes.
func checkExtract(t *testing.T, want string, image []byte) {
	t.Helper()
	m, err := fdtmap.Read(bytes.NewReader(image), int64(len(image)))
	if err != nil {
		t.Fatal(err)
	}
	entries, _, err := m.Select(nil)
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string][]byte{}
	// binman does not decompress compressed sections nor extract entries
	// inside them (it hands back the compressed section data); those are
	// left out on both sides and checked by TestExtractFromCompressedSection.
	skip := map[string]bool{}
	for _, e := range entries {
		if e.Compress != "none" && len(e.Children) > 0 {
			skip[e.Path+"/root"] = true
			continue
		}
		for p := e.Parent; p != nil; p = p.Parent {
			if p.Compress != "none" {
				skip[e.Path] = true
			}
		}
		if skip[e.Path] {
			continue
		}
		data, err := m.ReadEntry(bytes.NewReader(image), int64(len(image)), e, Decompress)
		if err != nil {
			t.Fatal(err)
		}
		name := e.Path
		if len(e.Children) > 0 || e.Parent == nil {
			name = strings.TrimPrefix(name+"/root", "/")
		}
		ours[name] = data
	}
	theirs := map[string][]byte{}
	filepath.Walk(want, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			rel, _ := filepath.Rel(want, p)
			if rel = filepath.ToSlash(rel); !skip[rel] {
				theirs[rel], _ = os.ReadFile(p)
			}
		}
		return nil
	})
	if diff := cmp.Diff(theirs, ours); diff != "" {
		t.Errorf("extracted entries differ from binman extract (-binman +ours):\n%s", diff)
	}
}
