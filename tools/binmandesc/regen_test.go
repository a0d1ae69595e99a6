//go:build regen

// Records the golden cases in testdata/ from real binman. Not a test:
//
//	BINMAN=path/to/u-boot/tools/binman/binman go test -tags regen -run TestRegen ./tools/binmandesc
//
// needs python3 with libfdt, dtc, and objdump (binman reads symbols with
// it). Each case directory gets case.dts, the input files under in*/,
// flags.txt (binman's flags besides -d/-I/-O) and either binman's outputs
// (out/*.bin, out/*.map) or error.txt (binman's last error line, with the
// work directory spelt $DIR). testdata/symbols-gcc* are recorded by hand
// from a gcc-built ELF (see their README) and are not rewritten here.
// symbols-in-elf needs python3-pyelftools for binman.
package binmandesc

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestRegen(t *testing.T) {
	binman := os.Getenv("BINMAN")
	if binman == "" {
		t.Fatal("set BINMAN to U-Boot's tools/binman/binman")
	}
	// BINMAN_CASES=a,b records only the cases named.
	only := map[string]bool{}
	for _, n := range strings.Split(os.Getenv("BINMAN_CASES"), ",") {
		if n != "" {
			only[n] = true
		}
	}
	cases := recordedCases()
	for _, more := range extraCases {
		cases = append(cases, more()...)
	}
	for _, c := range append(cases, layoutCases(t)...) {
		if len(only) > 0 && !only[c.name] {
			continue
		}
		record(t, binman, c)
	}
}

// extraCases are more recorded cases, one function per file (per entry
// type), registered from init.
var extraCases []func() []goldenCase

// layoutCases are the layout engine's binman descriptions
// (tools/layout/testdata/binman), recorded again here as whole DTBs.
func layoutCases(t *testing.T) []goldenCase {
	dirs, err := filepath.Glob("../layout/testdata/binman/*/case.json")
	if err != nil {
		t.Fatal(err)
	}
	var out []goldenCase
	for _, cj := range dirs {
		dir := filepath.Dir(cj)
		raw, err := os.ReadFile(cj)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Blobs    map[string]string `json:"blobs"`
			Manifest struct {
				AllowMissing bool `json:"allow_missing"`
			} `json:"manifest"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		dts, err := os.ReadFile(filepath.Join(dir, "case.dts"))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for name, h := range c.Blobs {
			b, err := hex.DecodeString(h)
			if err != nil {
				t.Fatal(err)
			}
			files["in/"+name] = b
		}
		flags := []string{"-u", "-m"}
		if c.Manifest.AllowMissing {
			flags = append(flags, "-M")
		}
		out = append(out, goldenCase{name: "layout-" + filepath.Base(dir), dts: string(dts), files: files, flags: flags})
	}
	return out
}

func record(t *testing.T, binman string, c goldenCase) {
	work := t.TempDir()
	for name, data := range c.files {
		p := filepath.Join(work, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dtsPath := filepath.Join(work, "case.dts")
	if err := os.WriteFile(dtsPath, []byte(c.dts), 0o644); err != nil {
		t.Fatal(err)
	}
	dtb := filepath.Join(work, "case.dtb")
	if out, err := exec.Command("dtc", "-O", "dtb", "-o", dtb, dtsPath).CombinedOutput(); err != nil {
		t.Fatalf("%s: dtc: %v\n%s", c.name, err, out)
	}
	outDir := filepath.Join(work, "out")
	args := []string{binman, "build", "-d", dtb, "-O", outDir}
	for _, d := range c.inputDirs() {
		args = append(args, "-I", filepath.Join(work, d))
	}
	args = append(args, c.flags...)
	cmd := exec.Command("python3", args...)
	cmd.Dir = work
	res, runErr := cmd.CombinedOutput()

	caseDir := filepath.Join("testdata", c.name)
	os.RemoveAll(caseDir)
	for name, data := range c.files {
		p := filepath.Join(caseDir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name string, data []byte) {
		p := filepath.Join(caseDir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("case.dts", []byte(c.dts))
	// Which binman made the case: BINMAN_COMMIT=$(git -C u-boot rev-parse HEAD).
	if v := os.Getenv("BINMAN_COMMIT"); v != "" {
		write("binman.txt", []byte(v+"\n"))
	}
	write("flags.txt", []byte(strings.Join(c.flags, "\n")+"\n"))
	var versions []byte
	for _, tool := range c.tools {
		out, err := exec.Command(tool[0], tool[1:]...).Output()
		if err != nil {
			t.Fatalf("%s: %s: %v", c.name, strings.Join(tool, " "), err)
		}
		versions = append(versions, out...)
	}
	if len(versions) > 0 {
		write("tools.txt", versions)
	}
	if len(c.inputDirs()) != 1 || c.inputDirs()[0] != "in" {
		write("inputs.txt", []byte(strings.Join(c.inputDirs(), "\n")+"\n"))
	}
	clean := func(s string) string { return strings.ReplaceAll(s, work, "$DIR") }
	outs, _ := filepath.Glob(filepath.Join(outDir, "*.bin"))
	if runErr != nil && len(outs) == 0 {
		// binman's message: from its last "binman: " line to the end.
		text := string(res)
		i := strings.LastIndex(text, "binman: ")
		if i < 0 {
			t.Fatalf("%s: binman failed without a message: %s", c.name, res)
		}
		msg := strings.TrimSpace(text[i+len("binman: "):])
		write("error.txt", []byte(clean(msg)+"\n"))
		t.Logf("%s: error: %s", c.name, msg)
		return
	}
	if len(res) > 0 {
		write("stderr.txt", []byte(clean(string(res))))
	}
	outs, _ = filepath.Glob(filepath.Join(outDir, "*"))
	n := 0
	for _, o := range outs {
		if !strings.HasSuffix(o, ".bin") && !strings.HasSuffix(o, ".map") {
			continue // binman's intermediate files
		}
		data, err := os.ReadFile(o)
		if err != nil {
			t.Fatal(err)
		}
		write(filepath.Join("out", filepath.Base(o)), data)
		n++
	}
	t.Logf("%s: %d outputs", c.name, n)
}

// TestRegenListings records, for every golden image binman built with an
// fdtmap, what `binman ls` prints (ls/<image>.txt) and what `binman
// extract -F fdt` writes for its fdtmap entries (ls/<image>.<path>.dtb):
//
//	BINMAN=... go test -tags regen -run TestRegenListings ./tools/binmandesc
func TestRegenListings(t *testing.T) {
	binman := os.Getenv("BINMAN")
	if binman == "" {
		t.Fatal("set BINMAN to U-Boot's tools/binman/binman")
	}
	imgs, err := filepath.Glob("testdata/*/out/*.bin")
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range imgs {
		caseDir := filepath.Dir(filepath.Dir(img))
		base := strings.TrimSuffix(filepath.Base(img), ".bin")
		res, err := exec.Command("python3", binman, "ls", "-i", img).CombinedOutput()
		if err != nil {
			continue // no fdtmap: binman cannot list it
		}
		lsDir := filepath.Join(caseDir, "ls")
		if err := os.MkdirAll(lsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(lsDir, base+".txt"), res, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(res), "\n") {
			// Top-level fdtmap entries only (indented by two).
			if !strings.HasPrefix(l, "  fdtmap ") {
				continue
			}
			out := filepath.Join(lsDir, base+".fdtmap.dtb")
			if res, err := exec.Command("python3", binman, "extract", "-i", img, "-F", "fdt", "fdtmap", "-f", out).CombinedOutput(); err != nil {
				// Without -u the map has no offsets to read it by.
				t.Logf("%s: binman extract -F fdt: %v\n%s", img, err, res)
				os.Remove(out)
			}
		}
		t.Logf("%s: listed", img)
	}
}
