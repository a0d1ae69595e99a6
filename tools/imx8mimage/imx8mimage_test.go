package imx8mimage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pattern is n bytes of a repeating, position-dependent pattern.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ seed
	}
	return b
}

// fakeFIT is an FDT-looking blob of n bytes whose header says totalsize.
func fakeFIT(n int, totalsize uint32) []byte {
	b := pattern(n, 0x5a)
	binary.BigEndian.PutUint32(b, 0xd00dfeed)
	binary.BigEndian.PutUint32(b[4:], totalsize)
	return b
}

type oracleCase struct {
	name  string
	cfg   string // %s-free text; file names are relative to the work dir
	files map[string][]byte
}

func oracleCases() []oracleCase {
	var cs []oracleCase
	for _, rom := range []string{"v1", "v2"} {
		for _, dev := range []string{"sd", "emmc_fastboot", "fspi"} {
			for _, size := range []int{0, 1, 391, 0x200 - 0x40, 0x1bf, 4096, 70001} {
				cs = append(cs, oracleCase{
					name:  fmt.Sprintf("%s-%s-%d", rom, dev, size),
					cfg:   fmt.Sprintf("ROM_VERSION %s\nBOOT_FROM %s\nLOADER spl.bin 0x7e1000\n", rom, dev),
					files: map[string][]byte{"spl.bin": pattern(size, byte(size))},
				})
			}
		}
	}
	cs = append(cs,
		// binman's own description: the loader address below the header
		// wraps the IVT's self pointer.
		oracleCase{"binman-low-address", "ROM_VERSION v1\nBOOT_FROM sd\nLOADER spl.bin 0x10\n", map[string][]byte{"spl.bin": pattern(391, 1)}},
		// Order matters: BOOT_FROM before ROM_VERSION v2, lower-case
		// commands, comments, CRLF, DDR_FW ignored, the last LOADER wins.
		oracleCase{"order-case-comments", "# i.MX8M\r\nboot_from SD # trailing\r\n\r\nddr_fw ddr.bin\nrom_version v2\nLOADER other.bin 1000\nLOADER\tspl.bin\t0x912000 extra\n", map[string][]byte{"spl.bin": pattern(5000, 2)}},
		oracleCase{"no-boot-from", "LOADER spl.bin 912000\n", map[string][]byte{"spl.bin": pattern(100, 3)}},
		oracleCase{"hdmi", "BOOT_FROM sd\nSIGNED_HDMI hdmi.bin\nLOADER spl.bin 0x7e1000\n", map[string][]byte{"spl.bin": pattern(3000, 4), "hdmi.bin": pattern(0x18000, 5)}},
		oracleCase{"hdmi-v2-fspi", "ROM_VERSION v2\nBOOT_FROM fspi\nSIGNED_HDMI hdmi.bin\nLOADER spl.bin 0x912000\n", map[string][]byte{"spl.bin": pattern(300, 6), "hdmi.bin": pattern(0x400, 7)}},
		oracleCase{"second-loader-sd", "BOOT_FROM sd\nLOADER spl.bin 0x7e1000\nFIT\nSECOND_LOADER u-boot.itb 0x40200000 0x60000\n", map[string][]byte{"spl.bin": pattern(20000, 8), "u-boot.itb": fakeFIT(5000, 4999)}},
		oracleCase{"second-loader-fspi-v2", "ROM_VERSION v2\nBOOT_FROM fspi\nLOADER spl.bin 0x912000\nFIT\nSECOND_LOADER u-boot.itb 0x40200000 0x58000\n", map[string][]byte{"spl.bin": pattern(20000, 9), "u-boot.itb": fakeFIT(9000, 8192)}},
		// A FIT longer than its header says: the IVT overwrites its tail.
		oracleCase{"second-loader-overlap", "BOOT_FROM emmc_fastboot\nLOADER spl.bin 0x7e1000\nFIT\nSECOND_LOADER u-boot.itb 40200000 8000\n", map[string][]byte{"spl.bin": pattern(100, 10), "u-boot.itb": fakeFIT(6000, 64)}},
	)
	return cs
}

// TestMatchesMkimage builds each case with Debian's mkimage (u-boot-tools)
// and with Build, and compares the images byte for byte.
func TestMatchesMkimage(t *testing.T) {
	mkimage, err := exec.LookPath("mkimage")
	if err != nil {
		t.Fatalf("mkimage (Debian package u-boot-tools) is needed for this oracle test: %v", err)
	}
	for _, c := range oracleCases() {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range c.files {
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, "cfg"), []byte(c.cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(mkimage, "-n", "cfg", "-T", "imx8mimage", "-d", "spl.bin", "out.bin")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("mkimage: %v\n%s", err, out)
			}
			want, err := os.ReadFile(filepath.Join(dir, "out.bin"))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := ParseConfig("cfg", []byte(c.cfg))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Build(cfg, func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) })
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("differs from mkimage: %d bytes, mkimage %d; first difference at %#x", len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) < len(b) {
		return len(a)
	}
	return len(b)
}

func TestConfigErrors(t *testing.T) {
	for cfg, want := range map[string]string{
		"BOOT_FROM nand\n":                     "cfg:1: BOOT_FROM: unknown boot device 'nand'",
		"# x\nIMAGE_VERSION 1\n":               "cfg:2: invalid command 'IMAGE_VERSION'",
		"LOADER spl.bin zz\n":                  "cfg:1: LOADER address: invalid hex data 'zz'",
		"SECOND_LOADER a.itb 0x1 -\n":          "cfg:1: SECOND_LOADER source offset: invalid hex data '-'",
		"LOADER spl.bin 0x10000000000000000\n": "cfg:1: LOADER address: invalid hex data",
	} {
		_, err := ParseConfig("cfg", []byte(cfg))
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", cfg, err, want)
		}
	}
	files := map[string][]byte{"spl.bin": {1}, "hdmi.bin": make([]byte, 0x3ff), "a.itb": make([]byte, 100)}
	read := func(name string) ([]byte, error) {
		if b, ok := files[name]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("open %s: no such file", name)
	}
	for cfg, want := range map[string]string{
		"BOOT_FROM sd\n":                                                      "no LOADER image",
		"LOADER missing.bin 0\n":                                              "open missing.bin",
		"LOADER spl.bin 0\nSIGNED_HDMI hdmi.bin\n":                            "SIGNED_HDMI hdmi.bin: 1023 bytes, shorter than its 0x400-byte IVT offset",
		"LOADER spl.bin 0\nSECOND_LOADER a.itb 0 0x9000\n":                    "SECOND_LOADER needs FIT",
		"LOADER spl.bin 0\nFIT\nSECOND_LOADER a.itb 0 0x9000\n":               "SECOND_LOADER a.itb: not a FIT file",
		"BOOT_FROM sd\nLOADER spl.bin 0\nFIT\nSECOND_LOADER a.itb 0 0x8000\n": "SECOND_LOADER offset 0x8000 lies before the image start (0x8400)",
	} {
		c, err := ParseConfig("cfg", []byte(cfg))
		if err != nil {
			t.Fatalf("%q: %v", cfg, err)
		}
		_, err = Build(c, read)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", cfg, err, want)
		}
	}
}

func TestFlexSPI(t *testing.T) {
	f := DefaultFlexSPI()
	if err := f.Check(); err != nil {
		t.Fatal(err)
	}
	b := f.Bytes()
	if len(b) != FlexSPISize || string(b[:4]) != "FCFB" || b[0x46] != 2 || b[0x53] != 0x10 {
		t.Fatalf("default block: % x", b[:0x54])
	}
	f.SerialClkFreq = 9
	if err := f.Check(); err == nil || err.Error() != "nxp,fspi-serialclkfreq can be 1..8 only." {
		t.Fatalf("got %v", err)
	}
}

// FuzzConfig parses arbitrary configurations and builds them from small
// inputs: no panics, no image larger than the bound.
func FuzzConfig(f *testing.F) {
	for _, c := range oracleCases() {
		f.Add([]byte(c.cfg))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		cfg, err := ParseConfig("cfg", text)
		if err != nil {
			return
		}
		out, err := Build(cfg, func(name string) ([]byte, error) {
			if strings.HasSuffix(name, ".itb") {
				return fakeFIT(200, uint32(len(name))*0x1234), nil
			}
			return pattern(len(name)*37, 1), nil
		})
		if err == nil && len(out) > maxImage {
			t.Fatalf("image of %d bytes", len(out))
		}
	})
}
