package main

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const fitTestITS = `/dts-v1/;

/ {
	description = "fwtool FIT test";
	#address-cells = <1>;

	images {
		kernel {
			description = "kernel";
			data = /incbin/("Image");
			type = "kernel";
			arch = "arm64";
			os = "linux";
			compression = "none";
			load = <0x40080000>;
			entry = <0x40080000>;
			hash-1 { algo = "sha256"; };
			hash-2 { algo = "crc32"; };
		};
		fdt-1 {
			data = /incbin/("board.dtb");
			type = "flat_dt";
			arch = "arm64";
			compression = "none";
			hash-1 { algo = "sha1"; };
		};
		initrd {
			data = /incbin/("initrd.cpio");
			type = "ramdisk";
			arch = "arm64";
			os = "linux";
			compression = "none";
			load = <0x48000000>;
			hash-1 { algo = "sha512"; };
		};
	};

	configurations {
		default = "conf-1";
		conf-1 {
			description = "boot";
			kernel = "kernel";
			fdt = "fdt-1";
			ramdisk = "initrd";
			signature-1 {
				algo = "sha256,rsa2048";
				key-name-hint = "dev";
				sign-images = "kernel", "fdt", "ramdisk";
			};
		};
	};
};
`

// fitTestDir writes the .its, its /incbin/ files, keys (dev.key, dev.crt)
// and a control DTB into a fresh directory.
func fitTestDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	data := func(n int, seed byte) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7) ^ seed
		}
		return b
	}
	writeFile(t, filepath.Join(dir, "Image"), data(5000, 1))
	writeFile(t, filepath.Join(dir, "board.dtb"), data(700, 2))
	writeFile(t, filepath.Join(dir, "initrd.cpio"), data(1500, 3))
	writeFile(t, filepath.Join(dir, "x.its"), []byte(fitTestITS))
	keys := filepath.Join(dir, "keys")
	if err := os.Mkdir(keys, 0o755); err != nil {
		t.Fatal(err)
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(keys, "dev.key"), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "dev"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31-1, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(keys, "dev.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	writeFile(t, filepath.Join(dir, "u-boot.dts"), []byte("/dts-v1/;\n/ { model = \"board\"; chosen { }; };\n"))
	dtc := lookTool(t, "dtc", "device-tree-compiler")
	if out, err := runTool(t, "", dtc, "-I", "dts", "-O", "dtb", "-o", filepath.Join(dir, "u-boot.dtb"), filepath.Join(dir, "u-boot.dts")); err != nil {
		t.Fatalf("dtc: %v\n%s", err, out)
	}
	return dir
}

// TestMkimageFITMatchesMkimage: `fwtool mkimage -f` (our DTS compiler, no
// dtc) against `mkimage -f` for plain, external, aligned, positioned and
// signed builds, including the control DTB mkimage -K rewrites.
func TestMkimageFITMatchesMkimage(t *testing.T) {
	mkimage := lookTool(t, "mkimage", "u-boot-tools")
	dir := fitTestDir(t)
	// mkimage resolves /incbin/ against the directory it runs in.
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for i, args := range [][]string{
		{},
		{"-E"},
		{"-E", "-B", "1000"},
		{"-E", "-p", "3000"},
		{"-k", "keys", "-K", "CTL", "-r"},
		{"-k", "keys", "-K", "CTL", "-E", "-B", "0x40", "-c", "signed build"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			refCtl := fmt.Sprintf("ref-%d.dtb", i)
			ourCtl := fmt.Sprintf("our-%d.dtb", i)
			ctl := readFile(t, "u-boot.dtb")
			writeFile(t, refCtl, ctl)
			writeFile(t, ourCtl, ctl)
			with := func(ctlName string) []string {
				out := make([]string, len(args))
				for j, a := range args {
					if a == "CTL" {
						a = ctlName
					}
					out[j] = a
				}
				return out
			}
			refArgs := append(append([]string{"-f", "x.its"}, with(refCtl)...), "ref.itb")
			if out, err := runTool(t, "1600000000", mkimage, refArgs...); err != nil {
				t.Fatalf("mkimage: %v\n%s", err, out)
			}
			refListing, _ := runTool(t, "1600000000", mkimage, "-l", "ref.itb")
			ourArgs := append(append([]string{"mkimage", "-f", "x.its"}, with(ourCtl)...), "our.itb")
			code, stdout, stderr := runFwtool(t, "1600000000", ourArgs...)
			if code != 0 {
				t.Fatalf("fwtool mkimage: exit %d: %s", code, stderr)
			}
			if !bytes.Equal(readFile(t, "our.itb"), readFile(t, "ref.itb")) {
				t.Fatalf("our.itb differs from mkimage's")
			}
			if !bytes.Equal(readFile(t, ourCtl), readFile(t, refCtl)) {
				t.Fatalf("control DTB differs from mkimage's")
			}
			if stdout != refListing {
				t.Errorf("listing after writing differs from mkimage -l:\n%s\n---\n%s", stdout, refListing)
			}
			code, stdout, _ = runFwtool(t, "", "ls", "our.itb")
			if code != 0 || stdout != refListing {
				t.Errorf("fwtool ls: exit %d\n%s", code, stdout)
			}
			if len(args) > 0 && args[0] == "-k" {
				code, stdout, stderr = runFwtool(t, "", "verify", "-k", ourCtl, "-f", "our.itb")
				if code != 0 || !strings.Contains(stdout, "verified") {
					t.Fatalf("verify: exit %d %s %s", code, stdout, stderr)
				}
				bad := readFile(t, "our.itb")
				at := bytes.Index(bad, []byte("boot\x00")) // the config description
				bad[at] ^= 0x20
				writeFile(t, "bad.itb", bad)
				code, _, stderr = runFwtool(t, "", "verify", "-k", ourCtl, "bad.itb")
				if code == 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "signature-1") {
					t.Fatalf("tampered FIT: exit %d, stderr %q", code, stderr)
				}
			}
		})
	}
}

func TestMkimageFITErrors(t *testing.T) {
	dir := fitTestDir(t)
	its := strings.Replace(fitTestITS, `algo = "sha512"`, `algo = "md4"`, 1)
	writeFile(t, filepath.Join(dir, "bad.its"), []byte(its))
	code, _, stderr := runFwtool(t, "1", "mkimage", "-f", filepath.Join(dir, "bad.its"), filepath.Join(dir, "o.itb"))
	if code == 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "Node '/images/initrd/hash-1'") {
		t.Errorf("md4: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "o.itb")); err == nil {
		t.Errorf("output written despite the error")
	}
	// A signature whose key file is missing names the node and the key.
	code, _, stderr = runFwtool(t, "1", "mkimage", "-f", filepath.Join(dir, "x.its"), "-k", filepath.Join(dir, "nokeys"), filepath.Join(dir, "o.itb"))
	if code == 0 || !strings.Contains(stderr, "Node '/configurations/conf-1/signature-1': key 'dev'") {
		t.Errorf("missing key: exit %d, %q", code, stderr)
	}
	code, _, stderr = runFwtool(t, "1", "verify", "-k", filepath.Join(dir, "u-boot.dtb"), filepath.Join(dir, "x.its"))
	if code == 0 || strings.Count(stderr, "\n") != 1 {
		t.Errorf("verify of a non-FIT: exit %d, %q", code, stderr)
	}
	for _, cmd := range []string{"fit", "verify"} {
		if code, stdout, _ := runFwtool(t, "", cmd, "--help"); code != 0 || !strings.Contains(stdout, "usage: fwtool "+cmd) {
			t.Errorf("%s --help: exit %d %q", cmd, code, stdout)
		}
	}
}

// TestFitCommandMatchesMkimage: the JSON description path (the fit_image
// rule) against mkimage on the .its it writes, with keys given as files.
func TestFitCommandMatchesMkimage(t *testing.T) {
	mkimage := lookTool(t, "mkimage", "u-boot-tools")
	dir := fitTestDir(t)
	spec := map[string]interface{}{
		"description": "rule-built",
		"default":     "conf-1",
		"images": []map[string]interface{}{
			{"name": "kernel", "type": "kernel", "arch": "arm64", "os": "linux", "compression": "none",
				"load": 0x40080000, "entry": 0x40080000, "data_file": filepath.Join(dir, "Image"), "hashes": []string{"sha256"}},
			{"name": "fdt-1", "type": "flat_dt", "arch": "arm64", "data_file": filepath.Join(dir, "board.dtb"), "hashes": []string{"crc32"}},
		},
		"configurations": []map[string]interface{}{
			{"name": "conf-1", "kernel": "kernel", "fdt": []string{"fdt-1"}, "compatible": "vendor,board",
				"signatures": []map[string]interface{}{{"algo": "sha256,rsa2048", "key_name": "dev"}}},
		},
	}
	js, _ := json.Marshal(spec)
	specPath := writeFile(t, filepath.Join(dir, "spec.json"), js)
	out := filepath.Join(dir, "rule.itb")
	its := filepath.Join(dir, "rule.its")
	ctlOut := filepath.Join(dir, "rule-ctl.dtb")
	code, _, stderr := runFwtool(t, "1600000000", "fit", "--spec", specPath, "-o", out, "--its", its, "-E",
		"--key", "dev="+filepath.Join(dir, "keys", "dev.key"), "--control-in", filepath.Join(dir, "u-boot.dtb"),
		"--control-out", ctlOut, "-r")
	if code != 0 {
		t.Fatalf("fwtool fit: exit %d: %s", code, stderr)
	}
	refCtl := writeFile(t, filepath.Join(dir, "ref-ctl.dtb"), readFile(t, filepath.Join(dir, "u-boot.dtb")))
	ref := filepath.Join(dir, "ref.itb")
	if o, err := runTool(t, "1600000000", mkimage, "-f", its, "-E", "-k", filepath.Join(dir, "keys"), "-K", refCtl, "-r", ref); err != nil {
		t.Fatalf("mkimage: %v\n%s", err, o)
	}
	if !bytes.Equal(readFile(t, out), readFile(t, ref)) {
		t.Errorf("fwtool fit output differs from mkimage on its .its")
	}
	if !bytes.Equal(readFile(t, ctlOut), readFile(t, refCtl)) {
		t.Errorf("control DTB differs from mkimage's")
	}
	if code, _, stderr := runFwtool(t, "", "verify", "-k", ctlOut, out); code != 0 {
		t.Errorf("verify: %s", stderr)
	}
	bad := strings.Replace(string(js), `"sha256"]`, `"sha3"]`, 1)
	writeFile(t, specPath, []byte(bad))
	code, _, stderr = runFwtool(t, "", "fit", "--spec", specPath, "-o", out)
	if code == 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "Node '/images/kernel': unknown hash algo \"sha3\"") {
		t.Errorf("bad spec: exit %d %q", code, stderr)
	}
}

// TestMkimageFITResign: -F signs an existing FIT in place (mkimage keeps
// its timestamp unless -t), including one written with external data.
func TestMkimageFITResign(t *testing.T) {
	mkimage := lookTool(t, "mkimage", "u-boot-tools")
	dir := fitTestDir(t)
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, extra := range [][]string{{}, {"-E"}, {"-t"}} {
		t.Run(strings.Join(extra, " "), func(t *testing.T) {
			if out, err := runTool(t, "1500000000", mkimage, append(append([]string{"-f", "x.its"}, extra...), "unsigned.itb")...); err != nil {
				t.Fatalf("mkimage: %v\n%s", err, out)
			}
			writeFile(t, "ref.itb", readFile(t, "unsigned.itb"))
			writeFile(t, "our.itb", readFile(t, "unsigned.itb"))
			writeFile(t, "ref.dtb", readFile(t, "u-boot.dtb"))
			writeFile(t, "our.dtb", readFile(t, "u-boot.dtb"))
			args := append([]string{"-F", "-k", "keys", "-r"}, extra...)
			if out, err := runTool(t, "1600000000", mkimage, append(args, "-K", "ref.dtb", "ref.itb")...); err != nil {
				t.Fatalf("mkimage -F: %v\n%s", err, out)
			}
			if code, _, stderr := runFwtool(t, "1600000000", append(append([]string{"mkimage"}, args...), "-K", "our.dtb", "our.itb")...); code != 0 {
				t.Fatalf("fwtool mkimage -F: %s", stderr)
			}
			if !bytes.Equal(readFile(t, "our.itb"), readFile(t, "ref.itb")) {
				t.Errorf("re-signed FIT differs from mkimage's")
			}
			if !bytes.Equal(readFile(t, "our.dtb"), readFile(t, "ref.dtb")) {
				t.Errorf("control DTB differs from mkimage's")
			}
		})
	}
}

// BenchmarkFIT32MiB: a 32 MiB kernel as a FIT with a sha256 hash, fwtool
// (in-process, DTS compiler included) side by side with mkimage (+ dtc).
func BenchmarkFIT32MiB(b *testing.B) {
	dir := b.TempDir()
	kernel := make([]byte, 32<<20)
	for i := range kernel {
		kernel[i] = byte(uint32(i) * 2654435761 >> 24) // the product's bits 24-31, on 32-bit int too
	}
	if err := os.WriteFile(filepath.Join(dir, "Image"), kernel, 0o644); err != nil {
		b.Fatal(err)
	}
	its := `/dts-v1/;
/ {
	description = "bench";
	#address-cells = <1>;
	images {
		kernel {
			data = /incbin/("Image");
			type = "kernel"; arch = "arm64"; os = "linux"; compression = "none";
			load = <0x80000>; entry = <0x80000>;
			hash-1 { algo = "sha256"; };
		};
	};
	configurations {
		default = "conf-1";
		conf-1 { kernel = "kernel"; };
	};
};
`
	itsPath := filepath.Join(dir, "bench.its")
	if err := os.WriteFile(itsPath, []byte(its), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("fwtool", func(b *testing.B) {
		b.SetBytes(int64(len(kernel)))
		for i := 0; i < b.N; i++ {
			var out, errOut bytes.Buffer
			if code := run([]string{"mkimage", "-q", "-f", itsPath, filepath.Join(dir, "ours.itb")}, &out, &errOut); code != 0 {
				b.Fatal(errOut.String())
			}
		}
	})
	b.Run("mkimage", func(b *testing.B) {
		mkimage, err := exec.LookPath("mkimage")
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(kernel)))
		for i := 0; i < b.N; i++ {
			cmd := exec.Command(mkimage, "-q", "-f", "bench.its", "ref.itb")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
}

func TestVerifyStrict(t *testing.T) {
	dir := fitTestDir(t)
	its := strings.Replace(fitTestITS, `sign-images = "kernel", "fdt", "ramdisk";`, "", 1)
	writeFile(t, filepath.Join(dir, "weak.its"), []byte(its))
	ctl := filepath.Join(dir, "u-boot.dtb")
	out := filepath.Join(dir, "weak.itb")
	if code, _, stderr := runFwtool(t, "1", "mkimage", "-q", "-f", filepath.Join(dir, "weak.its"), "-k", filepath.Join(dir, "keys"), "-K", ctl, out); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, _ := runFwtool(t, "", "verify", "-k", ctl, out)
	if code != 0 || !strings.Contains(stdout, "images initrd are hash-checked but not covered") {
		t.Errorf("verify: exit %d, %q", code, stdout)
	}
	code, _, stderr := runFwtool(t, "", "verify", "-strict", "-k", ctl, out)
	if code == 0 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "initrd") {
		t.Errorf("verify -strict: exit %d, %q", code, stderr)
	}
}

// TestMkimageFITDtcIncludeDir: -D "... -i DIR" finds /incbin/ files
// elsewhere, as dtc does for mkimage.
func TestMkimageFITDtcIncludeDir(t *testing.T) {
	mkimage := lookTool(t, "mkimage", "u-boot-tools")
	dir := fitTestDir(t)
	sub := filepath.Join(dir, "its")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	its := strings.Replace(fitTestITS, "\t\t\tsignature-1 {\n\t\t\t\talgo = \"sha256,rsa2048\";\n\t\t\t\tkey-name-hint = \"dev\";\n\t\t\t\tsign-images = \"kernel\", \"fdt\", \"ramdisk\";\n\t\t\t};\n", "", 1)
	writeFile(t, filepath.Join(sub, "x.its"), []byte(its))
	d := "-I dts -O dtb -p 500 -i " + dir
	if out, err := runTool(t, "7", mkimage, "-D", d, "-f", filepath.Join(sub, "x.its"), filepath.Join(dir, "ref.itb")); err != nil {
		t.Fatalf("mkimage: %v\n%s", err, out)
	}
	if code, _, stderr := runFwtool(t, "7", "mkimage", "-q", "-D", d, "-f", filepath.Join(sub, "x.its"), filepath.Join(dir, "our.itb")); code != 0 {
		t.Fatal(stderr)
	}
	if !bytes.Equal(readFile(t, filepath.Join(dir, "our.itb")), readFile(t, filepath.Join(dir, "ref.itb"))) {
		t.Fatal("differs from mkimage")
	}
	if code, _, stderr := runFwtool(t, "7", "mkimage", "-D", "-W no-unit_address_vs_reg", "-f", filepath.Join(sub, "x.its"), filepath.Join(dir, "o.itb")); code == 0 || !strings.Contains(stderr, "not supported") {
		t.Errorf("unsupported -D: exit %d %q", code, stderr)
	}
}

func TestExtractFIT(t *testing.T) {
	dir := t.TempDir()
	plain := []byte("kernel bytes kernel bytes kernel bytes")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	writeFile(t, filepath.Join(dir, "k.gz"), gz.Bytes())
	writeFile(t, filepath.Join(dir, "d.dtb"), []byte{1, 2, 3})
	its := `/dts-v1/;
/ {
	description = "x";
	images {
		kernel { data = /incbin/("k.gz"); type = "kernel"; arch = "arm"; os = "linux"; compression = "gzip"; load = <0>; entry = <0>; };
		fdt-1 { data = /incbin/("d.dtb"); type = "flat_dt"; arch = "arm"; compression = "none"; };
	};
	configurations { default = "c"; c { kernel = "kernel"; fdt = "fdt-1"; }; };
};
`
	writeFile(t, filepath.Join(dir, "x.its"), []byte(its))
	itb := filepath.Join(dir, "x.itb")
	if code, _, stderr := runFwtool(t, "", "mkimage", "-q", "-E", "-f", filepath.Join(dir, "x.its"), itb); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := runFwtool(t, "", "extract", "-i", itb, "-f", filepath.Join(dir, "k"), "kernel"); code != 0 {
		t.Fatal(stderr)
	}
	if got := readFile(t, filepath.Join(dir, "k")); !bytes.Equal(got, plain) {
		t.Errorf("decompressed kernel: %q", got)
	}
	if code, _, stderr := runFwtool(t, "", "extract", "-U", "-i", itb, "-O", filepath.Join(dir, "all"), "*"); code != 0 {
		t.Fatal(stderr)
	}
	if !bytes.Equal(readFile(t, filepath.Join(dir, "all", "kernel")), gz.Bytes()) || !bytes.Equal(readFile(t, filepath.Join(dir, "all", "fdt-1")), []byte{1, 2, 3}) {
		t.Errorf("raw extraction differs")
	}
	if code, _, stderr := runFwtool(t, "", "extract", "-i", itb, "-f", filepath.Join(dir, "z"), "nope"); code == 0 || strings.Count(stderr, "\n") != 1 {
		t.Errorf("no match: exit %d %q", code, stderr)
	}
}

// TestMkimageFITLargePayload: a 16 MiB kernel through `fwtool mkimage -f`,
// byte for byte against mkimage, with a bound on what it allocates. The DTS
// compiler reads the file and copies it into the property (tools/dts), the
// tree is encoded once into a blob with room for mkimage's growth, and
// tools/fit edits that blob in place: 3x the payload, 4x with -E (the
// external data gathered once). It used to be about eight copies.
func TestMkimageFITLargePayload(t *testing.T) {
	mkimage := lookTool(t, "mkimage", "u-boot-tools")
	const size = 16 << 20
	dir := t.TempDir()
	kernel := make([]byte, size)
	x := uint32(2463534242)
	for i := range kernel {
		// xorshift: incompressible, deterministic, and quick to make.
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		kernel[i] = byte(x)
	}
	writeFile(t, filepath.Join(dir, "Image"), kernel)
	its := `/dts-v1/;
/ {
	description = "large";
	#address-cells = <1>;
	images {
		kernel {
			data = /incbin/("` + filepath.Join(dir, "Image") + `");
			type = "kernel"; arch = "arm64"; os = "linux"; compression = "none";
			load = <0x80000>; entry = <0x80000>;
			hash-1 { algo = "sha256"; };
			hash-2 { algo = "crc32"; };
		};
	};
	configurations { default = "conf-1"; conf-1 { kernel = "kernel"; }; };
};
`
	itsPath := writeFile(t, filepath.Join(dir, "large.its"), []byte(its))
	for _, c := range []struct {
		name  string
		args  []string
		limit float64
	}{
		{"embedded", nil, 3.3},
		{"external", []string{"-E", "-B", "1000"}, 4.3},
	} {
		t.Run(c.name, func(t *testing.T) {
			ref := filepath.Join(dir, c.name+".ref.itb")
			ours := filepath.Join(dir, c.name+".our.itb")
			if out, err := runTool(t, "1600000000", mkimage, append(append([]string{"-f", itsPath}, c.args...), ref)...); err != nil {
				t.Fatalf("mkimage: %v\n%s", err, out)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			code, _, stderr := runFwtool(t, "1600000000", append(append([]string{"mkimage", "-q", "-f", itsPath}, c.args...), ours)...)
			runtime.ReadMemStats(&after)
			if code != 0 {
				t.Fatalf("fwtool mkimage: exit %d: %s", code, stderr)
			}
			if got, want := readFile(t, ours), readFile(t, ref); !bytes.Equal(got, want) {
				t.Fatalf("differs from mkimage's (%d vs %d bytes)", len(got), len(want))
			}
			n := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %.2fx the payload", float64(n)/size)
			if float64(n) > c.limit*size {
				t.Fatalf("fwtool mkimage -f allocated %d bytes, %.2fx the %d-byte payload; want at most %.1fx", n, float64(n)/size, size, c.limit)
			}
		})
	}
}
