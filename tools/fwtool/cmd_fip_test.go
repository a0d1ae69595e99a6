package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestFiptoolCommandLine passes identical command lines to fiptool and
// fwtool fiptool: create must give the same bytes, info the same listing,
// unpack the same files.
func TestFiptoolCommandLine(t *testing.T) {
	fiptool := requireTool(t, "fiptool")
	dir := t.TempDir()
	file := func(name string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*13 + n)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bl2, bl31, bl32, bl33, dtb, blob := file("bl2.bin", 5000), file("bl31.bin", 3000), file("bl32.bin", 77), file("bl33.bin", 9000), file("fw.dtb", 321), file("blob.bin", 12)
	cases := [][]string{
		{"--nt-fw", bl33, "--soc-fw", bl31, "--tb-fw", bl2},
		{"--align", "4096", "--tos-fw", bl32, "--nt-fw=" + bl33, "--hw-config", dtb, "--soc-fw", bl31},
		{"--plat-toc-flags", "0x00ff", "--fw-config", dtb, "--tos-fw-extra1", bl32, "--blob", "uuid=11111111-2222-3333-4444-555555555555,file=" + blob, "--align", "16"},
		{"--blob", "file=" + blob + ",uuid=47d4086d-4cfe-9846-9b95-2950cbbd5a00", "--tb-fw-config", dtb, "--soc-fw-config", dtb, "--tos-fw-config", dtb, "--nt-fw-config", dtb},
	}
	for i, opts := range cases {
		ref := filepath.Join(dir, fmt.Sprintf("ref-%d.fip", i))
		ours := filepath.Join(dir, fmt.Sprintf("ours-%d.fip", i))
		if out, err := exec.Command(fiptool, append(append([]string{"create"}, opts...), ref)...).CombinedOutput(); err != nil {
			t.Fatalf("fiptool create %v: %v\n%s", opts, err, out)
		}
		// The FIP name first: getopt permutes, so fwtool must too.
		if code, _, stderr := fwtoolIn(append([]string{"fiptool", "create", ours}, opts...)...); code != 0 {
			t.Fatalf("fwtool fiptool create %v: %s", opts, stderr)
		}
		sameFile(t, ours, ref)

		for _, verbose := range [][]string{nil, {"--verbose"}} {
			args := append(append([]string{}, verbose...), "info", ours)
			want, err := exec.Command(fiptool, args...).Output()
			if err != nil {
				t.Fatalf("fiptool %v: %v", args, err)
			}
			code, got, stderr := fwtoolIn(append([]string{"fiptool"}, args...)...)
			if code != 0 || got != string(want) {
				t.Errorf("fwtool fiptool %v: exit %d %s\n%s\nwant\n%s", args, code, stderr, got, want)
			}
		}

		refDir, ourDir := filepath.Join(dir, fmt.Sprintf("unpack-ref-%d", i)), filepath.Join(dir, fmt.Sprintf("unpack-ours-%d", i))
		if err := os.Mkdir(refDir, 0o755); err != nil { // fiptool needs it to exist
			t.Fatal(err)
		}
		if out, err := exec.Command(fiptool, "unpack", "--out", refDir, ref).CombinedOutput(); err != nil {
			t.Fatalf("fiptool unpack: %v\n%s", err, out)
		}
		if code, _, stderr := fwtoolIn("fip", "unpack", "--out", ourDir, ours); code != 0 {
			t.Fatalf("fwtool fip unpack: %s", stderr)
		}
		refFiles, ourFiles := listDir(t, refDir), listDir(t, ourDir)
		if strings.Join(refFiles, " ") != strings.Join(ourFiles, " ") {
			t.Errorf("unpacked files: ours %v, fiptool's %v", ourFiles, refFiles)
		}
		for _, f := range refFiles {
			sameFile(t, filepath.Join(ourDir, f), filepath.Join(refDir, f))
		}
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
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

func TestFiptoolSelectiveUnpackAndErrors(t *testing.T) {
	dir := t.TempDir()
	bl2 := filepath.Join(dir, "bl2.bin")
	os.WriteFile(bl2, []byte("bl2 image"), 0o644)
	fipFile := filepath.Join(dir, "a.fip")
	if code, _, stderr := fwtoolIn("fiptool", "create", "--tb-fw", bl2, fipFile); code != 0 {
		t.Fatal(stderr)
	}
	out := filepath.Join(dir, "out")
	if code, _, stderr := fwtoolIn("fiptool", "unpack", "--tb-fw", "bl2.out", "--out", out, fipFile); code != 0 {
		t.Fatal(stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "bl2.out")); string(b) != "bl2 image" {
		t.Errorf("selective unpack wrote %q", b)
	}
	code, _, stderr := fwtoolIn("fiptool", "unpack", "--tb-fw", "bl2.out", "--out", out, fipFile)
	oneLineError(t, "existing file", code, stderr, "bl2.out", "--force")
	if code, _, stderr := fwtoolIn("fiptool", "unpack", "--force", "--tb-fw", "bl2.out", "--out", out, fipFile); code != 0 {
		t.Errorf("--force: %s", stderr)
	}
	code, _, stderr = fwtoolIn("fiptool", "unpack", "--nt-fw", "x", "--out", out, fipFile)
	oneLineError(t, "absent image", code, stderr, fipFile, "--nt-fw")

	code, _, stderr = fwtoolIn("fiptool", "create", "--align", "24", "--tb-fw", bl2, filepath.Join(dir, "b.fip"))
	oneLineError(t, "align", code, stderr, "--align 24", "power of two")
	code, _, stderr = fwtoolIn("fiptool", "create", "--plat-toc-flags", "0x10000", "--tb-fw", bl2, filepath.Join(dir, "b.fip"))
	oneLineError(t, "toc flags", code, stderr, "--plat-toc-flags")
	code, _, stderr = fwtoolIn("fiptool", "create", "--blob", "uuid=1234,file="+bl2, filepath.Join(dir, "b.fip"))
	oneLineError(t, "bad uuid", code, stderr, "--blob", "1234")
	code, _, stderr = fwtoolIn("fiptool", "create", "--tb-fw", filepath.Join(dir, "missing"), filepath.Join(dir, "b.fip"))
	oneLineError(t, "missing input", code, stderr, "--tb-fw", "missing")
	code, _, stderr = fwtoolIn("fiptool", "create", "--bogus-fw", bl2, filepath.Join(dir, "b.fip"))
	oneLineError(t, "unknown option", code, stderr, "--bogus-fw")
	if _, err := os.Stat(filepath.Join(dir, "b.fip")); err == nil {
		t.Error("a failed create left an output file")
	}
	trunc := filepath.Join(dir, "trunc.fip")
	data, _ := os.ReadFile(fipFile)
	os.WriteFile(trunc, data[:len(data)-3], 0o644)
	code, _, stderr = fwtoolIn("fiptool", "info", trunc)
	oneLineError(t, "truncated", code, stderr, trunc, "entry 0", "offset")
	code, _, stderr = fwtoolIn("ls", trunc)
	oneLineError(t, "ls truncated", code, stderr, trunc, "entry 0")

	code, stdout, _ := fwtoolIn("ls", fipFile, "tb-*")
	if code != 0 || !strings.Contains(stdout, "Trusted Boot Firmware BL2") || !strings.HasPrefix(stdout, "TF-A FIP: 1 images") {
		t.Errorf("ls: exit %d\n%s", code, stdout)
	}
	if code, stdout, _ := fwtoolIn("fiptool", "--help"); code != 0 || !strings.Contains(stdout, "--tos-fw-extra2") {
		t.Errorf("--help: exit %d", code)
	}
}

// TestFiptoolUpdateRemove runs the same update and remove command lines
// on identical copies of a package with fiptool and fwtool, step by step,
// and compares the packages after every step. The starting package has
// header flag bits outside plat-toc-flags set, which both must keep.
func TestFiptoolUpdateRemove(t *testing.T) {
	fiptool := requireTool(t, "fiptool")
	dir := t.TempDir()
	file := func(name string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7 + n)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b, c, d, e := file("a", 100), file("b", 33), file("c", 2000), file("d", 7), file("e", 64)
	const u1, u2 = "aaaaaaaa-1111-2222-3333-444444444444", "bbbbbbbb-1111-2222-3333-444444444444"
	ref, ours := filepath.Join(dir, "ref.fip"), filepath.Join(dir, "ours.fip")
	if out, err := exec.Command(fiptool, "create", "--tb-fw", a, "--blob", "uuid="+u1+",file="+b, "--plat-toc-flags", "0x12", ref).CombinedOutput(); err != nil {
		t.Fatalf("fiptool create: %v\n%s", err, out)
	}
	start, _ := os.ReadFile(ref)
	start[8] = 0x05 // flag bits 0 and 2: outside plat-toc-flags
	os.WriteFile(ref, start, 0o644)
	os.WriteFile(ours, start, 0o644)

	steps := [][]string{
		{"update", "--nt-fw", c, "--tb-fw", d, "--blob", "uuid=" + u2 + ",file=" + e, "--align", "16", "FIP"},
		{"update", "--plat-toc-flags", "0x99", "--soc-fw", a, "FIP"},
		{"remove", "--tb-fw", "--blob", "uuid=" + u1, "--align", "8", "FIP"},
		{"update", "--blob", "uuid=" + u2 + ",file=" + a, "FIP", "--align", "4096"},
		{"remove", "--nt-fw", "FIP"},
	}
	for i, step := range steps {
		sub := func(fipFile string) []string {
			var args []string
			for _, s := range step {
				if s == "FIP" {
					s = fipFile
				}
				args = append(args, s)
			}
			return args
		}
		if out, err := exec.Command(fiptool, sub(ref)...).CombinedOutput(); err != nil {
			t.Fatalf("fiptool %v: %v\n%s", step, err, out)
		}
		if code, _, stderr := fwtoolIn(append([]string{"fiptool"}, sub(ours)...)...); code != 0 {
			t.Fatalf("fwtool fiptool %v: %s", step, stderr)
		}
		got, _ := os.ReadFile(ours)
		want, _ := os.ReadFile(ref)
		if string(got) != string(want) {
			t.Fatalf("step %d %v: package differs from fiptool's (%d vs %d bytes)", i, step, len(got), len(want))
		}
	}

	// --out leaves the input alone; a missing FIP starts empty.
	refNew, oursNew := filepath.Join(dir, "ref-new.fip"), filepath.Join(dir, "ours-new.fip")
	if out, err := exec.Command(fiptool, "update", "--hw-config", b, refNew).CombinedOutput(); err != nil {
		t.Fatalf("fiptool update (new file): %v\n%s", err, out)
	}
	if code, _, stderr := fwtoolIn("fiptool", "update", "--hw-config", b, oursNew); code != 0 {
		t.Fatal(stderr)
	}
	sameFile(t, oursNew, refNew)
	before, _ := os.ReadFile(ours)
	outFile := filepath.Join(dir, "out.fip")
	if code, _, stderr := fwtoolIn("fiptool", "update", "--out", outFile, "--tb-fw", a, ours); code != 0 {
		t.Fatal(stderr)
	}
	if after, _ := os.ReadFile(ours); string(after) != string(before) {
		t.Error("update --out changed the input package")
	}
	code, _, stderr := fwtoolIn("fiptool", "remove", "--out", outFile, "--tb-fw", ours)
	oneLineError(t, "remove onto existing --out", code, stderr, outFile, "--force")
	if code, _, stderr := fwtoolIn("fiptool", "remove", "--force", "--out", outFile, "--tb-fw", outFile); code != 0 {
		t.Errorf("remove --force: %s", stderr)
	}
	code, _, stderr = fwtoolIn("fiptool", "remove", "--tos-fw", ours)
	oneLineError(t, "remove absent image", code, stderr, ours, "--tos-fw")
}
