package binmandesc

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rules-firmware/rules_firmware/tools/dts"
	"github.com/rules-firmware/rules_firmware/tools/fdtmap"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// Where our wording differs from binman's: binman names its search path
// and the process's directory; we name the node and the file expected.
// $DIR is the case directory.
var ourErrors = map[string]string{
	"layout-err-missing": "Node '/binman/x': Cannot find file '$DIR/in/missing.bin' (blob entry 'x' expects it)",
	"missing-named":      "Node '/binman/u-boot/u-boot-nodtb': Cannot find file '$DIR/in/u-boot-nodtb.bin' (blob entry 'u-boot-nodtb' expects it)",
	"symbols-no-elf":     "Node '/binman/u-boot-tpl': cannot read symbols: open $DIR/in/tpl/u-boot-tpl: no such file or directory",
}

// Cases binman builds that we knowingly refuse, with our error.
var unsupported = map[string]string{}

// Cases whose bytes differ because of the layout engine, not the reading
// of the description. Only the set of output files is compared for them.
var layoutGaps = map[string]string{
	// binman packs once with the tree's zero positions, then writes the
	// section's data compressed from the tree with the real ones: 0x125
	// bytes in a section recorded (map, fdt) as 0xfe, so image.bin is
	// longer than the image. We pack again; see
	// TestCompressedSectionRepacks.
	"update-compressed": "binman writes the compressed section past its recorded size",
}

func readLines(t *testing.T, path string, def []string) []string {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return def
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(data))
}

// readFlags reads flags.txt: binman's flags one a line (an entry
// argument's value may hold spaces).
func readFlags(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// entryArgs collects binman's "-a name=value" flags.
func entryArgs(flags []string) map[string]string {
	args := map[string]string{}
	for i := 0; i+1 < len(flags); i++ {
		if flags[i] == "-a" {
			kv := strings.SplitN(flags[i+1], "=", 2)
			if len(kv) == 2 {
				args[kv[0]] = kv[1]
			}
		}
	}
	return args
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// buildAll builds every image of a description like `fwtool build -d`:
// outputs named as binman names them, maps when writeMap.
func buildAll(t *testing.T, dtb []byte, opts Options, outDir string, writeMap bool) ([]string, error) {
	t.Helper()
	var warnings bytes.Buffer
	opts.Warn = &warnings
	opts.TempDir = t.TempDir()
	opts.SideFile = func(name string, data []byte) error {
		return os.WriteFile(filepath.Join(outDir, name), data, 0o644)
	}
	ms, afterPack, err := Load(dtb, opts)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		img, err := layout.Build(m, layout.Options{AfterPack: afterPack})
		if err != nil {
			return nil, err
		}
		if err := img.WriteImage(img.OutputPath(outDir)); err != nil {
			return nil, err
		}
		files, err := img.SectionFiles()
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(outDir, f.Name), f.Data, 0o644); err != nil {
				return nil, err
			}
		}
		if writeMap {
			if err := img.WriteMap(filepath.Join(outDir, m.Image.Name+".map")); err != nil {
				return nil, err
			}
		}
	}
	return strings.Split(strings.TrimSpace(warnings.String()), "\n"), nil
}

// TestBinmanGoldens builds each description recorded from real binman
// (testdata/*, see regen_test.go) and compares every output file byte for
// byte, or the error.
func TestBinmanGoldens(t *testing.T) {
	cases, err := filepath.Glob("testdata/*/case.dts")
	if err != nil || len(cases) < 20 {
		t.Fatalf("golden cases missing: %d found, %v", len(cases), err)
	}
	for _, cd := range cases {
		dir, err := filepath.Abs(filepath.Dir(cd))
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, "case.dts"))
			if err != nil {
				t.Fatal(err)
			}
			tree, err := dts.Compile("case.dts", src, dts.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			flags := readFlags(t, filepath.Join(dir, "flags.txt"))
			var inputs []string
			for _, d := range readLines(t, filepath.Join(dir, "inputs.txt"), []string{"in"}) {
				inputs = append(inputs, filepath.Join(dir, d))
			}
			opts := Options{InputDirs: inputs, UpdateFDT: has(flags, "-u"), AllowMissing: has(flags, "-M") || has(flags, "--allow-missing"), EntryArgs: entryArgs(flags)}
			out := t.TempDir()
			warnings, err := buildAll(t, tree.Bytes(), opts, out, has(flags, "-m"))
			wantErr := ""
			if data, rerr := os.ReadFile(filepath.Join(dir, "error.txt")); rerr == nil {
				wantErr = strings.TrimSpace(string(data))
				// binman breaks symbol messages over two lines.
				wantErr = strings.ReplaceAll(wantErr, "\n   in entry", " in entry")
			}
			if w, ok := ourErrors[name]; ok {
				wantErr = strings.ReplaceAll(w, "$DIR", dir)
			}
			if w, ok := unsupported[name]; ok {
				wantErr = w
			}
			if wantErr != "" {
				if err == nil || err.Error() != wantErr {
					t.Fatalf("error\n got: %v\nwant: %s", err, wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if why, ok := layoutGaps[name]; ok {
				t.Logf("bytes not compared: %s", why)
				checkOutputNames(t, filepath.Join(dir, "out"), out)
				return
			}
			checkOutputs(t, filepath.Join(dir, "out"), out)
			if stderr, err := os.ReadFile(filepath.Join(dir, "stderr.txt")); err == nil {
				checkWarnings(t, string(stderr), warnings)
			}
		})
	}
}

func listDir(t *testing.T, d string) []string {
	ents, err := os.ReadDir(d)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// checkOutputNames: we write the files binman wrote, named as it names them.
func checkOutputNames(t *testing.T, wantDir, gotDir string) []string {
	t.Helper()
	wantFiles, gotFiles := listDir(t, wantDir), listDir(t, gotDir)
	if diff := cmp.Diff(wantFiles, gotFiles); diff != "" {
		t.Fatalf("output files (-binman +ours):\n%s", diff)
	}
	return wantFiles
}

// checkOutputs compares binman's recorded outputs with ours, file by file.
func checkOutputs(t *testing.T, wantDir, gotDir string) {
	t.Helper()
	wantFiles := checkOutputNames(t, wantDir, gotDir)
	for _, f := range wantFiles {
		want, err := os.ReadFile(filepath.Join(wantDir, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(gotDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".map") {
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s (-binman +ours):\n%s", f, diff)
			}
			continue
		}
		if !bytes.Equal(want, got) {
			t.Errorf("%s differs from binman's:\n got %x\nwant %x", f, got, want)
		}
	}
}

// checkWarnings: binman's symbol warnings, joined onto one line, must be
// ours.
func checkWarnings(t *testing.T, stderr string, got []string) {
	t.Helper()
	var want []string
	for _, l := range strings.Split(strings.ReplaceAll(stderr, "\n   in entry", " in entry"), "\n") {
		if strings.HasPrefix(l, "Warning: Section ") {
			want = append(want, l)
		}
	}
	if len(want) == 0 {
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("symbol warnings (-binman +ours):\n%s", diff)
	}
}

// TestManifestJSONRoundTrip: every golden description's manifests,
// written as JSON and read back with layout.ParseManifest, build the same
// bytes as the manifests made in Go (an empty props list stays empty,
// hash_after and symbols survive).
func TestManifestJSONRoundTrip(t *testing.T) {
	cases, err := filepath.Glob("testdata/*/out")
	if err != nil || len(cases) < 20 {
		t.Fatalf("golden cases missing: %d found, %v", len(cases), err)
	}
	for _, od := range cases {
		dir, err := filepath.Abs(filepath.Dir(od))
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(dir)
		if _, bad := unsupported[name]; bad {
			continue
		}
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, "case.dts"))
			if err != nil {
				t.Fatal(err)
			}
			tree, err := dts.Compile("case.dts", src, dts.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			flags := readFlags(t, filepath.Join(dir, "flags.txt"))
			var inputs []string
			for _, d := range readLines(t, filepath.Join(dir, "inputs.txt"), []string{"in"}) {
				inputs = append(inputs, filepath.Join(dir, d))
			}
			// Each build gets a fresh Load: its hook keeps the -u tree.
			build := func(viaJSON bool) [][]byte {
				opts := Options{InputDirs: inputs, UpdateFDT: has(flags, "-u"), AllowMissing: has(flags, "-M") || has(flags, "--allow-missing"),
					EntryArgs: entryArgs(flags), TempDir: t.TempDir(), Warn: io.Discard}
				ms, afterPack, err := Load(tree.Bytes(), opts)
				if err != nil {
					t.Fatal(err)
				}
				var outs [][]byte
				for _, m := range ms {
					if viaJSON {
						js, err := json.Marshal(m)
						if err != nil {
							t.Fatal(err)
						}
						if m, err = layout.ParseManifest(js); err != nil {
							t.Fatalf("%v\n%s", err, js)
						}
					}
					img, err := layout.Build(m, layout.Options{AfterPack: afterPack})
					if err != nil {
						t.Fatal(err)
					}
					out := filepath.Join(t.TempDir(), "image.bin")
					if err := img.WriteImage(out); err != nil {
						t.Fatal(err)
					}
					data, err := os.ReadFile(out)
					if err != nil {
						t.Fatal(err)
					}
					outs = append(outs, data)
				}
				return outs
			}
			direct, viaJSON := build(false), build(true)
			if len(direct) != len(viaJSON) {
				t.Fatalf("%d images direct, %d via JSON", len(direct), len(viaJSON))
			}
			for i := range direct {
				if !bytes.Equal(direct[i], viaJSON[i]) {
					t.Errorf("image %d differs after a JSON round trip:\n direct %x\n   json %x", i, direct[i], viaJSON[i])
				}
			}
		})
	}
}

// TestCompressedSectionRepacks: a compressed section holding u-boot-dtb,
// built with -u, grows once positions are in the tree; the engine packs
// again so that the image, its map and the positions recorded in the
// tree agree. Checked with the lz4 tool and fdtget.
func TestCompressedSectionRepacks(t *testing.T) {
	lz4Tool, err := exec.LookPath("lz4")
	if err != nil {
		t.Fatal("lz4 tool needed: ", err)
	}
	fdtget, err := exec.LookPath("fdtget")
	if err != nil {
		t.Fatal("fdtget needed: ", err)
	}
	dir, _ := filepath.Abs("testdata/update-compressed")
	src, err := os.ReadFile(filepath.Join(dir, "case.dts"))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := dts.Compile("case.dts", src, dts.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := buildAll(t, tree.Bytes(), Options{InputDirs: []string{filepath.Join(dir, "in")}, UpdateFDT: true}, out, true); err != nil {
		t.Fatal(err)
	}
	img, err := os.ReadFile(filepath.Join(out, "image.bin"))
	if err != nil {
		t.Fatal(err)
	}
	mapText, err := os.ReadFile(filepath.Join(out, "image.map"))
	if err != nil {
		t.Fatal(err)
	}
	// The map: image, t, sec, ...; sizes in the third column.
	var sizes []uint64
	for _, l := range strings.Split(string(mapText), "\n")[1:4] {
		f := strings.Fields(l)
		v, err := strconv.ParseUint(f[2], 16, 64)
		if err != nil {
			t.Fatalf("map line %q: %v", l, err)
		}
		sizes = append(sizes, v)
	}
	if uint64(len(img)) != sizes[0] || sizes[2] != sizes[0]-1 {
		t.Fatalf("image.bin is %#x bytes; map says image %#x, sec %#x", len(img), sizes[0], sizes[2])
	}
	secFile := filepath.Join(out, "sec.lz4")
	if err := os.WriteFile(secFile, img[1:], 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := exec.Command(lz4Tool, "-d", "-c", secFile).Output()
	if err != nil {
		t.Fatalf("lz4 -d: %v", err)
	}
	nodtb := []byte("UNODTB")
	if !bytes.HasPrefix(raw, nodtb) {
		t.Fatalf("section does not start with u-boot-nodtb: %q", raw[:8])
	}
	dtbFile := filepath.Join(out, "u-boot.dtb")
	if err := os.WriteFile(dtbFile, raw[len(nodtb):], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		node, prop string
		want       uint64
	}{
		{"/binman", "size", sizes[0]},
		{"/binman/sec", "size", sizes[2]},
		{"/binman/sec", "offset", 1},
		{"/binman/sec", "uncomp-size", uint64(len(raw))},
	} {
		got, err := exec.Command(fdtget, "-t", "x", dtbFile, c.node, c.prop).Output()
		if err != nil {
			t.Fatalf("fdtget %s %s: %v", c.node, c.prop, err)
		}
		if v, err := strconv.ParseUint(strings.TrimSpace(string(got)), 16, 64); err != nil || v != c.want {
			t.Errorf("%s %s = %s, want %#x", c.node, c.prop, strings.TrimSpace(string(got)), c.want)
		}
	}
}

// TestBinmanListings reads binman's golden images through their fdtmap as
// `fwtool ls` and `fwtool extract -F fdt fdtmap` do, and compares with what
// `binman ls` printed and `binman extract -F fdt` wrote (testdata/*/ls,
// see TestRegenListings).
func TestBinmanListings(t *testing.T) {
	listings, err := filepath.Glob("testdata/*/ls/*.txt")
	if err != nil || len(listings) < 10 {
		t.Fatalf("binman listings missing: %d found, %v", len(listings), err)
	}
	for _, lt := range listings {
		caseDir := filepath.Dir(filepath.Dir(lt))
		base := strings.TrimSuffix(filepath.Base(lt), ".txt")
		t.Run(filepath.Base(caseDir)+"/"+base, func(t *testing.T) {
			want, err := os.ReadFile(lt)
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(filepath.Join(caseDir, "out", base+".bin"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			m, err := fdtmap.Read(f, st.Size())
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := m.List(&got, nil); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("ls (-binman +ours):\n%s", diff)
			}
			wantDTB, err := os.ReadFile(filepath.Join(caseDir, "ls", base+".fdtmap.dtb"))
			if os.IsNotExist(err) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			e, err := m.Find("fdtmap")
			if err != nil {
				t.Fatal(err)
			}
			data, err := m.ReadEntry(f, st.Size(), e, layout.Decompress)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data[fdtmap.HeaderLen:], wantDTB) {
				t.Errorf("fdtmap without its header differs from binman extract -F fdt")
			}
		})
	}
}
