package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const dtcTestSource = `/dts-v1/;
/memreserve/ 0x1000 0x1000;
/ {
	compatible = "vendor,board";
	ref = <&l>;
	cpus { cpu@2 { reg = <2>; }; };
	l: node { cells = <1 2 3>; bytes = [01 02 03]; };
};
`

func TestDtcCommandMatchesDtc(t *testing.T) {
	dtc, err := exec.LookPath("dtc")
	if err != nil {
		t.Fatalf("reference tool dtc not found: %v", err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.dts")
	if err := os.WriteFile(in, []byte(dtcTestSource), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flags := range [][]string{
		{"-I", "dts", "-O", "dtb"},
		{"-Idts", "-Odtb", "-p", "100"},
		{"-S", "0x400", "-b", "7"},
		{"-a", "64", "-@"},
		{"-R", "2", "-s"},
		{"-q", "-Wno-unit_address_vs_reg", "-H", "epapr"},
	} {
		want := filepath.Join(dir, "want.dtb")
		got := filepath.Join(dir, "got.dtb")
		cmd := exec.Command(dtc, append(append([]string{"-q", "-o", want}, flags...), in)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("dtc %v: %v\n%s", flags, err, out)
		}
		var stderr bytes.Buffer
		if rc := run(append(append([]string{"dtc", "-o", got}, flags...), in), &bytes.Buffer{}, &stderr); rc != 0 {
			t.Fatalf("fwtool dtc %v: exit %d: %s", flags, rc, stderr.String())
		}
		wb, _ := os.ReadFile(want)
		gb, _ := os.ReadFile(got)
		if !bytes.Equal(wb, gb) {
			t.Errorf("fwtool dtc %v: output differs from dtc", flags)
		}
		// Back to source: both tools print the same text.
		wantDTS, err := exec.Command(dtc, "-q", "-I", "dtb", "-O", "dts", want).Output()
		if err != nil {
			t.Fatal(err)
		}
		var gotDTS bytes.Buffer
		if rc := run([]string{"dtc", "-I", "dtb", "-O", "dts", got}, &gotDTS, &stderr); rc != 0 {
			t.Fatalf("fwtool dtc -O dts: exit %d: %s", rc, stderr.String())
		}
		if gotDTS.String() != string(wantDTS) {
			t.Errorf("fwtool dtc %v -O dts differs:\n%s\nwant:\n%s", flags, gotDTS.String(), wantDTS)
		}
	}
}

func TestDtcCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.dts")
	os.WriteFile(bad, []byte("/dts-v1/;\n/ {\n\tx = <&nowhere>;\n};\n"), 0o644)
	out := filepath.Join(dir, "out.dtb")
	var stderr bytes.Buffer
	rc := run([]string{"dtc", "-o", out, bad}, &bytes.Buffer{}, &stderr)
	if rc == 0 {
		t.Fatal("bad source accepted")
	}
	msg := stderr.String()
	if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "bad.dts:3:7: Reference to non-existent node or label \"nowhere\"") {
		t.Errorf("error %q: want one line with file:line:col", msg)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("output written despite the error")
	}
	var help bytes.Buffer
	if rc := run([]string{"dtc", "--help"}, &help, &stderr); rc != 0 || !strings.Contains(help.String(), "-I <fmt>") {
		t.Errorf("--help: exit %d", rc)
	}
}

func TestLsPrintsDTB(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.dts")
	dtb := filepath.Join(dir, "in.dtb")
	os.WriteFile(in, []byte(dtcTestSource), 0o644)
	var stderr bytes.Buffer
	if rc := run([]string{"dtc", "-o", dtb, in}, &bytes.Buffer{}, &stderr); rc != 0 {
		t.Fatal(stderr.String())
	}
	var out bytes.Buffer
	if rc := run([]string{"ls", dtb}, &out, &stderr); rc != 0 {
		t.Fatalf("ls: %s", stderr.String())
	}
	if !strings.Contains(out.String(), "cells = <0x01 0x02 0x03>;") || !strings.Contains(out.String(), "/memreserve/") {
		t.Errorf("ls output:\n%s", out.String())
	}
}
