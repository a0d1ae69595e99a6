package binmandesc

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/dts"
	"github.com/rules-firmware/rules_firmware/tools/fit"
)

// TestPreLoadGoldens builds the pre-load cases recorded from binman
// (testdata/preload/*, see preload_regen_test.go) from their case
// directory, where binman opened the key, and compares images, maps and
// errors byte for byte.
func TestPreLoadGoldens(t *testing.T) {
	cases, err := filepath.Glob("testdata/preload/*/case.dts")
	if err != nil || len(cases) < 5 {
		t.Fatalf("pre-load golden cases missing: %d found, %v", len(cases), err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, cd := range cases {
		dir, err := filepath.Abs(filepath.Dir(cd))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, "case.dts"))
			if err != nil {
				t.Fatal(err)
			}
			tree, err := dts.Compile("case.dts", src, dts.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			flags := readFlags(t, filepath.Join(dir, "flags.txt"))
			opts := Options{InputDirs: []string{filepath.Join(dir, "in")}, EntryArgs: entryArgs(flags)}
			out := t.TempDir()
			if err := os.Chdir(dir); err != nil {
				t.Fatal(err)
			}
			_, err = buildAll(t, tree.Bytes(), opts, out, has(flags, "-m"))
			if cerr := os.Chdir(wd); cerr != nil {
				t.Fatal(cerr)
			}
			if want, rerr := os.ReadFile(filepath.Join(dir, "error.txt")); rerr == nil {
				if err == nil || err.Error() != strings.TrimSpace(string(want)) {
					t.Fatalf("error\n got: %v\nwant: %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkOutputs(t, filepath.Join(dir, "out"), out)
		})
	}
}

// TestPreLoadPSS: binman's PSS salt is random, so no golden; the header
// fwtool writes must verify with the key (largest salt, as binman's) and
// be the same on every build.
func TestPreLoadPSS(t *testing.T) {
	dir, err := filepath.Abs("testdata/preload/pkcs/in")
	if err != nil {
		t.Fatal(err)
	}
	key, err := fit.LoadPrivateKey(filepath.Join(dir, "dev.key"))
	if err != nil {
		t.Fatal(err)
	}
	dtb := compile(t, `
    pre-load {
        content = <&image>;
        algo-name = "sha256,rsa2048"; padding-name = "pss"; key-name = "dev.key"; header-size = <0x400>; version = <2>;
    };
    image: blob-ext { filename = "image.bin"; };
`)
	build := func() []byte {
		out := t.TempDir()
		opts := Options{InputDirs: []string{dir}, EntryArgs: map[string]string{"pre-load-key-path": dir}}
		if _, err := buildAll(t, dtb, opts, out, false); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(out, "image.bin"))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	data := build()
	if !bytes.Equal(data, build()) {
		t.Fatal("two builds differ")
	}
	image, err := os.ReadFile(filepath.Join(dir, "image.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 0x400+len(image) || string(data[:4]) != "UBSH" || !bytes.Equal(data[0x400:], image) {
		t.Fatalf("layout: %d bytes, magic %q", len(data), data[:4])
	}
	imgSigAt := int(binary.BigEndian.Uint32(data[16:]))
	opts := &rsa.PSSOptions{SaltLength: 256 - 32 - 2, Hash: crypto.SHA256}
	h := sha256.Sum256(data[:64])
	if err := rsa.VerifyPSS(&key.PublicKey, crypto.SHA256, h[:], data[64:64+256], opts); err != nil {
		t.Errorf("header signature: %v", err)
	}
	h = sha256.Sum256(image)
	if err := rsa.VerifyPSS(&key.PublicKey, crypto.SHA256, h[:], data[imgSigAt:imgSigAt+256], opts); err != nil {
		t.Errorf("image signature: %v", err)
	}
	if s := sha256.Sum256(data[imgSigAt : imgSigAt+256]); !bytes.Equal(s[:], data[32:64]) {
		t.Error("header's SHA-256 of the image signature is wrong")
	}
}
