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
		{"-H", "legacy"},
		{"-Hboth", "-@"},
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
		// Straight to source, labels and types kept: the same text.
		wantSrc, err := exec.Command(dtc, append(append([]string{"-q", "-O", "dts"}, flags...), in)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		var gotSrc bytes.Buffer
		if rc := run(append(append([]string{"dtc", "-O", "dts"}, flags...), in), &gotSrc, &stderr); rc != 0 {
			t.Fatalf("fwtool dtc -O dts %v: exit %d: %s", flags, rc, stderr.String())
		}
		if gotSrc.String() != string(wantSrc) {
			t.Errorf("fwtool dtc -O dts %v differs:\n%s\nwant:\n%s", flags, gotSrc.String(), wantSrc)
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

// TestCppThenDtcMatchesHostTools runs the kernel's recipe both ways:
// cpp + dtc on the host, fwtool cpp + fwtool dtc here; the blobs must match.
func TestCppThenDtcMatchesHostTools(t *testing.T) {
	dtc, err := exec.LookPath("dtc")
	if err != nil {
		t.Fatalf("reference tool dtc not found: %v", err)
	}
	hostCpp, err := exec.LookPath("cpp")
	if err != nil {
		t.Fatalf("reference tool cpp not found: %v", err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"include/dt-bindings/interrupt-controller/arm-gic.h": "#ifndef _GIC_H\n#define _GIC_H\n#define GIC_SPI 0\n#define GIC_PPI 1\n#define IRQ_TYPE_LEVEL_HIGH 4\n#define GIC_CPU_MASK_SIMPLE(num) ((1 << (num)) - 1)\n#endif\n",
		"include/dt-bindings/pinctrl/pins.h":                 "#define PIN_NO(port, line) (((port) - 'A') * 0x10 + (line))\n#define PINMUX(port, line, mode) (((PIN_NO(port, line)) << 8) | (mode))\n#define AF7 0x8\n#define ANALOG 0x11\n",
		"soc.dtsi": `#include <dt-bindings/interrupt-controller/arm-gic.h>
#include <dt-bindings/pinctrl/pins.h>
#define UART_BASE(n) (0x40010000 + (n) * 0x1000)
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	intc: interrupt-controller@a0021000 {
		compatible = "arm,cortex-a7-gic";
		#interrupt-cells = <3>;
		interrupt-controller;
	};
	timer {
		interrupts = <GIC_PPI 13 (GIC_CPU_MASK_SIMPLE(2) | IRQ_TYPE_LEVEL_HIGH)>;
	};
	soc {
		uart4: serial@40010000 {
			reg = <UART_BASE(0) 0x400>;
			interrupts = <GIC_SPI 52 IRQ_TYPE_LEVEL_HIGH>;
			status = "disabled";
		};
		pinctrl {
			uart4_pins: uart4-0 {
				pinmux = <PINMUX('G', 11, AF7)>, /* TX */
					 <PINMUX('B', 2, AF7)>; /* RX */
			};
		};
	};
};
`,
		"board.dts": `/dts-v1/;
#include "soc.dtsi"
#ifdef __DTS__
#define CONSOLE "serial0:115200n8"
#else
#define CONSOLE "none"
#endif
/ {
	model = "Example Board";
	chosen { stdout-path = CONSOLE; };
	aliases { serial0 = &uart4; };
};
&uart4 {
	pinctrl-0 = <&uart4_pins>;
	status = "okay";
};
`,
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cppArgs := []string{"-nostdinc", "-I", filepath.Join(dir, "include"), "-undef", "-D__DTS__", "-x", "assembler-with-cpp"}
	hostPre := filepath.Join(dir, "host.pre")
	if out, err := exec.Command(hostCpp, append(cppArgs, "-o", hostPre, filepath.Join(dir, "board.dts"))...).CombinedOutput(); err != nil {
		t.Fatalf("cpp: %v\n%s", err, out)
	}
	hostDtb := filepath.Join(dir, "host.dtb")
	if out, err := exec.Command(dtc, "-q", "-I", "dts", "-O", "dtb", "-o", hostDtb, hostPre).CombinedOutput(); err != nil {
		t.Fatalf("dtc: %v\n%s", err, out)
	}
	ourPre := filepath.Join(dir, "our.pre")
	ourDtb := filepath.Join(dir, "our.dtb")
	var stderr bytes.Buffer
	if rc := run(append(append([]string{"cpp"}, cppArgs...), "-o", ourPre, filepath.Join(dir, "board.dts")), &bytes.Buffer{}, &stderr); rc != 0 {
		t.Fatalf("fwtool cpp: %s", stderr.String())
	}
	if rc := run([]string{"dtc", "-I", "dts", "-O", "dtb", "-o", ourDtb, ourPre}, &bytes.Buffer{}, &stderr); rc != 0 {
		t.Fatalf("fwtool dtc: %s", stderr.String())
	}
	want, _ := os.ReadFile(hostDtb)
	got, _ := os.ReadFile(ourDtb)
	if !bytes.Equal(got, want) {
		t.Fatal("fwtool cpp + fwtool dtc differ from cpp + dtc")
	}
	// Errors point into the original files through the line markers.
	os.WriteFile(filepath.Join(dir, "bad.dts"), []byte("/dts-v1/;\n#include \"soc.dtsi\"\n/ {\n\tx = <&nolabel>;\n};\n"), 0o644)
	badPre := filepath.Join(dir, "bad.pre")
	if rc := run(append(append([]string{"cpp"}, cppArgs...), "-o", badPre, filepath.Join(dir, "bad.dts")), &bytes.Buffer{}, &stderr); rc != 0 {
		t.Fatalf("fwtool cpp: %s", stderr.String())
	}
	stderr.Reset()
	if rc := run([]string{"dtc", "-o", filepath.Join(dir, "bad.dtb"), badPre}, &bytes.Buffer{}, &stderr); rc == 0 || !strings.Contains(stderr.String(), "bad.dts:4:7: Reference to non-existent node or label \"nolabel\"") {
		t.Errorf("error does not point into bad.dts: %q", stderr.String())
	}
}

func TestDtcDependencyFileMatchesDtc(t *testing.T) {
	dtc, err := exec.LookPath("dtc")
	if err != nil {
		t.Fatalf("reference tool dtc not found: %v", err)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "m.dts"), []byte("/dts-v1/;\n/include/ \"sub/x.dtsi\"\n/ { b = /incbin/(\"blob.bin\"); };\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "sub", "x.dtsi"), []byte("/ { a; };\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "blob.bin"), []byte("abc"), 0o644)
	// Absolute paths on both sides: the file names are printed as given.
	in, out := filepath.Join(dir, "m.dts"), filepath.Join(dir, "out.dtb")
	wantDep, gotDep := filepath.Join(dir, "want.d"), filepath.Join(dir, "got.d")
	if o, err := exec.Command(dtc, "-q", "-d", wantDep, "-o", out, in).CombinedOutput(); err != nil {
		t.Fatalf("dtc: %v\n%s", err, o)
	}
	var stderr bytes.Buffer
	if rc := run([]string{"dtc", "-d", gotDep, "-o", out, in}, &bytes.Buffer{}, &stderr); rc != 0 {
		t.Fatalf("fwtool dtc -d: %s", stderr.String())
	}
	want, _ := os.ReadFile(wantDep)
	got, _ := os.ReadFile(gotDep)
	if len(want) == 0 || string(got) != string(want) {
		t.Errorf("dependency file %q, dtc wrote %q", got, want)
	}
}

func TestCppDependencyFileMatchesGcc(t *testing.T) {
	hostCpp, err := exec.LookPath("cpp")
	if err != nil {
		t.Fatalf("reference tool cpp not found: %v", err)
	}
	dir := t.TempDir()
	inc := filepath.Join(dir, "a", "rather", "long", "include", "directory", "for", "wrapping")
	os.MkdirAll(inc, 0o755)
	src := "/dts-v1/;\n"
	for _, n := range []string{"one", "two", "three", "two", "four with space"} {
		os.WriteFile(filepath.Join(inc, n+".h"), []byte("#define X_"+strings.ReplaceAll(n, " ", "_")+" 1\n"), 0o644)
		src += "#include \"a/rather/long/include/directory/for/wrapping/" + n + ".h\"\n"
	}
	in := filepath.Join(dir, "board.dts")
	os.WriteFile(in, []byte(src+"/ { };\n"), 0o644)
	wantDep, gotDep := filepath.Join(dir, "want.d"), filepath.Join(dir, "got.d")
	flags := []string{"-nostdinc", "-undef", "-x", "assembler-with-cpp"}
	if out, err := exec.Command(hostCpp, append(flags, "-Wp,-MD,"+wantDep, "-o", filepath.Join(dir, "want.pre"), in)...).CombinedOutput(); err != nil {
		t.Fatalf("cpp: %v\n%s", err, out)
	}
	var stderr bytes.Buffer
	if rc := run(append(append([]string{"cpp"}, flags...), "-Wp,-MD,"+gotDep, "-o", filepath.Join(dir, "got.pre"), in), &bytes.Buffer{}, &stderr); rc != 0 {
		t.Fatalf("fwtool cpp: %s", stderr.String())
	}
	want, _ := os.ReadFile(wantDep)
	got, _ := os.ReadFile(gotDep)
	if len(want) == 0 || string(got) != string(want) {
		t.Errorf("dependency file:\n%s\ncpp wrote:\n%s", got, want)
	}
}
