package main

import (
	"strings"
	"testing"
)

// The four drop-in command lines parse through tools/getopt: long-option
// prefixes, attached values and options after operands work as with the
// real tools' getopt_long.
func TestDropInCommandLinesUseGetopt(t *testing.T) {
	noEnv := func(string) (string, bool) { return "", false }
	mk, err := parseMkimageArgs([]string{"--arch=arm", "out.img", "--compressi", "none", "-xqd", "in:x", "--compress", "lz4"}, noEnv)
	if err != nil || mk.Arch != "arm" || mk.Comp != "none" || !mk.XIP || !mk.Quiet || mk.DataFile != "in:x" || mk.Compress != "lz4" || mk.Image != "out.img" {
		t.Errorf("mkimage: %+v, %v", mk, err)
	}
	if _, err := parseMkimageArgs([]string{"-h", "-Z"}, noEnv); err != errMkimageHelp {
		t.Errorf("mkimage -h before a bad option: %v", err)
	}

	dtc, err := parseDtcArgs([]string{"in.dts", "--out-format", "dtb", "--out=o.dtb", "-q@", "-Idts", "--pad", "16", "--inc", "d"})
	if err != nil || dtc.outForm != "dtb" || dtc.outName != "o.dtb" || !dtc.symbols || dtc.inForm != "dts" || dtc.pad != 16 || dtc.includeDirs[0] != "d" || dtc.input != "in.dts" {
		t.Errorf("dtc: %+v, %v", dtc, err)
	}
	if _, err := parseDtcArgs([]string{"--out", "x", "--o", "in"}); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("dtc --o: %v", err)
	}

	fip, err := parseFiptoolArgs("update", []string{"-a", "16", "fip.bin", "--nt-fw=u-boot.bin", "-ofip2.bin", "-b", "uuid=5ff9ec0b-4d22-3e4d-a544-c39d81c73f0a,file=bl2"})
	if err != nil || fip.align != 16 || fip.out != "fip2.bin" || len(fip.images) != 2 || fip.images[0].file != "u-boot.bin" || fip.fipFile != "fip.bin" {
		t.Errorf("fiptool update: %+v, %v", fip, err)
	}
	if _, err := parseFiptoolArgs("remove", []string{"--tb-fw=x", "fip.bin"}); err == nil || err.Error() != "option '--tb-fw' doesn't allow an argument" {
		t.Errorf("fiptool remove --tb-fw=x: %v", err)
	}
	if _, err := parseFiptoolArgs("create", []string{"--out", "x", "fip.bin"}); err == nil || err.Error() != "unrecognized option '--out'" {
		t.Errorf("fiptool create --out: %v", err)
	}

	env, err := parseMkenvimageArgs([]string{"in.txt", "-rbs0x100", "-o", "out", "--vars=v.json"})
	if err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("mkenvimage input and --vars-json: %+v, %v", env, err)
	}
	env, err = parseMkenvimageArgs([]string{"in.txt", "-rbs0x100", "-p", "0", "-o", "out"})
	if err != nil || !env.opts.Redundant || !env.opts.BigEndian || env.opts.Size != 0x100 || env.opts.Pad != 0 || env.output != "out" || env.input != "in.txt" {
		t.Errorf("mkenvimage: %+v, %v", env, err)
	}
	if _, err := parseMkenvimageArgs([]string{"-rbs"}); err == nil || err.Error() != "option requires an argument -- 's'" {
		t.Errorf("mkenvimage -rbs: %v", err)
	}
}

// fiptool's own options stop at the command ("+" in its getopt string).
func TestFiptoolGlobalOptionsStopAtCommand(t *testing.T) {
	code, _, stderr := fwtoolIn("fiptool", "-v", "info", "-v")
	if code != 2 || !strings.Contains(stderr, "invalid option -- 'v'") {
		t.Errorf("fiptool -v info -v: exit %d, %q", code, stderr)
	}
	code, _, stderr = fwtoolIn("fiptool", "-x", "info")
	if code != 2 || !strings.Contains(stderr, "invalid option -- 'x'") {
		t.Errorf("fiptool -x: exit %d, %q", code, stderr)
	}
}
