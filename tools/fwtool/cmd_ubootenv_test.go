package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const sampleEnvText = "# board defaults\n\nbootdelay=2\nbootcmd=run distro_bootcmd\nscript=echo one; \\\necho two\n"

// TestMkenvimageCommandLine passes identical command lines (clustered
// flags, attached values, options after the input, stdin, stdout) to
// mkenvimage and fwtool mkenvimage and compares the images.
func TestMkenvimageCommandLine(t *testing.T) {
	mkenvimage := requireTool(t, "mkenvimage")
	dir := t.TempDir()
	in := filepath.Join(dir, "env.txt")
	if err := os.WriteFile(in, []byte(sampleEnvText), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := [][]string{
		{"-s", "0x4000", "-o", "OUT", "IN"},
		{"-r", "-s", "16384", "-p", "0", "-o", "OUT", "IN"},
		{"-rb", "-s0x2000", "IN", "-o", "OUT"},
		{"-b", "-p", "0x5a", "-s", "256", "-oOUT", "-"},
		{"-s", "128", "-"},
	}
	for i, c := range cases {
		refOut, ourOut := filepath.Join(dir, fmt.Sprintf("ref-%d", i)), filepath.Join(dir, fmt.Sprintf("ours-%d", i))
		subst := func(out string) []string {
			var args []string
			for _, a := range c {
				a = strings.ReplaceAll(a, "OUT", out)
				args = append(args, strings.ReplaceAll(a, "IN", in))
			}
			return args
		}
		cmd := exec.Command(mkenvimage, subst(refOut)...)
		cmd.Stdin = strings.NewReader(sampleEnvText)
		var refStdout, refStderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &refStdout, &refStderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("mkenvimage %v: %v\n%s", c, err, refStderr.String())
		}
		var ourStdout, ourStderr bytes.Buffer
		code := runMkenvimageWithStdin(subst(ourOut), strings.NewReader(sampleEnvText), &ourStdout, &ourStderr)
		if code != 0 {
			t.Fatalf("fwtool mkenvimage %v: %s", c, ourStderr.String())
		}
		if strings.Contains(strings.Join(c, " "), "OUT") {
			sameFile(t, ourOut, refOut)
		} else if !bytes.Equal(ourStdout.Bytes(), refStdout.Bytes()) || refStdout.Len() != 128 {
			t.Errorf("%v: stdout image differs (%d vs %d bytes)", c, ourStdout.Len(), refStdout.Len())
		}
	}
}

func TestMkenvimageVarsJSONAndErrors(t *testing.T) {
	dir := t.TempDir()
	js := filepath.Join(dir, "vars.json")
	os.WriteFile(js, []byte(`[["bootdelay","2"],["bootcmd","run distro_bootcmd"],["script","echo one; \necho two"]]`), 0o644)
	txt := filepath.Join(dir, "env.txt")
	os.WriteFile(txt, []byte(sampleEnvText), 0o644)
	fromJSON, fromText := filepath.Join(dir, "a.env"), filepath.Join(dir, "b.env")
	if code, _, stderr := fwtoolIn("mkenvimage", "-s", "0x1000", "--vars-json", js, "-o", fromJSON); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := fwtoolIn("mkenvimage", "-s", "0x1000", "-o", fromText, txt); code != 0 {
		t.Fatal(stderr)
	}
	sameFile(t, fromJSON, fromText)

	code, stdout, stderr := fwtoolIn("ls", fromText)
	if code != 0 || !strings.HasPrefix(stdout, "U-Boot environment: size 0x1000 (single copy)") || !strings.Contains(stdout, "script=echo one; \necho two\n") {
		t.Errorf("ls: exit %d %s\n%s", code, stderr, stdout)
	}
	if code, stdout, _ := fwtoolIn("ls", fromText, "boot*"); code != 0 || strings.Contains(stdout, "script=") || !strings.Contains(stdout, "bootdelay=2") {
		t.Errorf("ls with pattern:\n%s", stdout)
	}

	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("a=1\n\nnoequals\n"), 0o644)
	out := filepath.Join(dir, "x.env")
	code, _, stderr = fwtoolIn("mkenvimage", "-s", "64", "-o", out, bad)
	oneLineError(t, "no '='", code, stderr, bad+":3:", "noequals")
	big := filepath.Join(dir, "big.txt")
	os.WriteFile(big, []byte("a="+strings.Repeat("x", 100)+"\n"), 0o644)
	code, _, stderr = fwtoolIn("mkenvimage", "-s", "64", "-o", out, big)
	oneLineError(t, "too large", code, stderr, big, "too large", "64")
	code, _, stderr = fwtoolIn("mkenvimage", "-o", out, txt)
	oneLineError(t, "no size", code, stderr, "-s")
	code, _, stderr = fwtoolIn("mkenvimage", "-s", "64", "-p", "256", "-o", out, txt)
	oneLineError(t, "pad", code, stderr, "-p 256")
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed run left an output file")
	}
	if code, stdout, _ := fwtoolIn("mkenvimage", "-h"); code != 0 || !strings.Contains(stdout, "usage") {
		t.Errorf("-h: exit %d", code)
	}
}
