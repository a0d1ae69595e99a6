//go:build linux

package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rules-firmware/rules_firmware/tools/dts"
)

// Every fwtool writer goes through tools/outfile, so every output is
// created as open(2) and mkdir(2) create theirs: 0666 and 0777 less the
// umask. The table runs each writing subcommand under umask 077 and 002
// (so neither 0600 nor 0644 can be hard-coded) and checks every file and
// directory it made.

// outputInputs writes the inputs the table's commands read into dir and
// returns it; derived images (a FIT, a disk, ...) are built here, under
// the test's ordinary umask.
func outputInputs(t *testing.T) string {
	t.Helper()
	in := t.TempDir()
	data := make([]byte, 3000)
	for i := range data {
		data[i] = byte(i*13 + 5)
	}
	files := map[string]string{
		"data.bin": string(data),
		"a.bin":    "AAAA",
		"b.bin":    "BBBBBB",
		"env.txt":  "bootcmd=boot\nbootdelay=1\n",
		"x.dts":    "/dts-v1/;\n/ { model = \"m\"; chosen { }; };\n",
		"x.its": `/dts-v1/;
/ { description = "t"; #address-cells = <1>;
	images { kernel { data = /incbin/("` + filepath.Join(in, "data.bin") + `"); type = "kernel"; arch = "arm"; os = "linux";
		compression = "none"; load = <0x80000>; entry = <0x80000>; hash-1 { algo = "sha256"; }; }; };
	configurations { default = "conf-1"; conf-1 { kernel = "kernel"; }; };
};
`,
		"m.json": `{"version":1,"image":{"entries":[
			{"name":"spl","path":"` + filepath.Join(in, "a.bin") + `"},
			{"name":"sec","type":"section","entries":[{"name":"data","path":"` + filepath.Join(in, "data.bin") + `"}]},
			{"name":"fdtmap"}]}}`,
		"disk.json": `{"version": 1, "seed": "//t:disk", "partition_table": "gpt", "partitions": [
			{"name": "boot", "image": "a.bin", "offset": "1M", "partition_type_uuid": "esp"},
			{"name": "root", "image": "b.bin", "size": "1M", "partition_type": "0x83"}]}`,
		"fl.json": `{"version": 1, "entries": [
			{"option": "-", "id": "0x01", "name": "fsbl-boot", "type": "Binary", "device": "none", "offset": "0x0", "binary": "fsbl.bin"}]}`,
		"g.cfg": `image g.img { hdimage { partition-table-type = "mbr" } partition a { image = "a.bin" partition-type = 0x83 } }`,
	}
	for name, s := range files {
		writeFile(t, filepath.Join(in, name), []byte(s))
	}
	writeTestKey(t, filepath.Join(in, "keys"))
	tree, err := dts.Compile("b.dts", []byte(`/dts-v1/;
/ { binman { multiple-images; spi { blob { filename = "a.bin"; }; }; mmc { filename = "sd.img"; blob { filename = "b.bin"; }; }; }; };
`), dts.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(in, "binman.dtb"), tree.Bytes())
	for _, args := range [][]string{
		{"mkimage", "-A", "arm", "-O", "linux", "-T", "multi", "-C", "none", "-a", "0", "-e", "0", "-n", "m", "-d", "{in}/a.bin:{in}/b.bin", "{in}/multi.img"},
		{"mkimage", "-f", "{in}/x.its", "{in}/fit.itb"},
		{"build", "--manifest", "{in}/m.json", "--output", "{in}/layout.img"},
		{"disk", "--manifest", "{in}/disk.json", "--inputpath", "{in}", "--output", "{in}/disk.img"},
		{"vfat", "--output", "{in}/fat.img", "--size", "1M", "--file", "d/f={in}/data.bin"},
		{"squashfs", "--output", "{in}/sq.img", "--file", "d/f={in}/data.bin:0666"},
		{"cpio", "--output", "{in}/x.cpio", "--file", "d/f={in}/data.bin:0666"},
		{"fiptool", "create", "--tb-fw", "{in}/a.bin", "--nt-fw", "{in}/b.bin", "{in}/fip.bin"},
		{"dtc", "-I", "dts", "-O", "dtb", "-o", "{in}/ctl.dtb", "{in}/x.dts"},
		{"bootup", "create", "-o", "{in}/app.img", "--signature", "1", "--load", "0x1000", "{in}/data.bin"},
		{"bundle", "create", "-o", "{in}/bundle.bin", "--signature", "1", "a=" + "{in}/a.bin", "b={in}/b.bin"},
	} {
		if code, _, stderr := runFwtool(t, "1600000000", expandArgs(args, in, "")...); code != 0 {
			t.Fatalf("preparing %v: %s", args, stderr)
		}
	}
	return in
}

// writeTestKey writes keys/dev.key and keys/dev.crt (self-signed RSA).
func writeTestKey(t *testing.T, keys string) {
	if err := os.Mkdir(keys, 0o700); err != nil {
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
}

func expandArgs(args []string, in, out string) []string {
	r := strings.NewReplacer("{in}", in, "{out}", out)
	res := make([]string, len(args))
	for i, a := range args {
		res[i] = r.Replace(a)
	}
	return res
}

// writerCommands is one invocation of every fwtool subcommand that writes
// files; {out} is an empty directory each gets to itself.
var writerCommands = [][]string{
	{"mkimage", "-A", "arm", "-O", "linux", "-T", "kernel", "-C", "none", "-a", "0", "-e", "0", "-n", "k", "-d", "{in}/data.bin", "{out}/uImage"},
	{"mkimage", "-A", "arm", "-O", "linux", "-T", "kernel", "-C", "gzip", "--compress", "gzip", "-a", "0", "-e", "0", "-n", "k", "-d", "{in}/data.bin", "{out}/uImage.gz"},
	{"mkimage", "-A", "arm", "-O", "linux", "-T", "multi", "-C", "none", "-a", "0", "-e", "0", "-n", "m", "-d", "{in}/a.bin:{in}/b.bin", "{out}/multi.img"},
	{"mkimage", "-f", "{in}/x.its", "{out}/fit.itb"},
	{"mkimage", "-T", "stm32image", "-a", "0x2ffc2500", "-e", "0x2ffc2500", "-d", "{in}/data.bin", "{out}/x.stm32"},
	{"dtc", "-I", "dts", "-O", "dtb", "-d", "{out}/x.d", "-o", "{out}/x.dtb", "{in}/x.dts"},
	{"cpp", "-o", "{out}/x.i", "{in}/x.dts"},
	{"mkenvimage", "-s", "0x1000", "-o", "{out}/env.bin", "{in}/env.txt"},
	{"fiptool", "create", "--tb-fw", "{in}/data.bin", "{out}/fip.bin"},
	{"fiptool", "unpack", "--out", "{out}/new/dir", "{in}/fip.bin"},
	{"build", "--manifest", "{in}/m.json", "--output", "{out}/img", "--map", "{out}/img.map", "--svg", "{out}/img.svg"},
	{"build", "-d", "{in}/binman.dtb", "-I", "{in}", "-O", "{out}/new", "-m"},
	{"disk", "--manifest", "{in}/disk.json", "--inputpath", "{in}", "--output", "{out}/disk.img"},
	{"genimage", "--config", "{in}/g.cfg", "--inputpath", "{in}", "--outputpath", "{out}/new", "--rootpath", "{in}", "--tmppath", "{out}"},
	{"disk", "extract", "-i", "{in}/disk.img", "-p", "1", "-f", "{out}/p1"},
	{"vfat", "--output", "{out}/fat.img", "--size", "1M", "--file", "a/b={in}/data.bin"},
	{"squashfs", "--output", "{out}/sq.img", "--file", "a/b={in}/data.bin"},
	{"cpio", "--output", "{out}/x.cpio", "--file", "a/b={in}/data.bin"},
	{"extract", "-i", "{in}/multi.img", "-O", "{out}/new/dir"},
	{"extract", "-i", "{in}/fit.itb", "-O", "{out}/new/dir", "kernel"},
	{"extract", "-i", "{in}/layout.img", "-O", "{out}/new/dir"},
	{"extract", "-i", "{in}/layout.img", "-f", "{out}/spl", "spl"},
	{"extract", "-i", "{in}/disk.img", "-O", "{out}/new/dir", "boot", "root"},
	{"extract", "-i", "{in}/fat.img", "-O", "{out}/new/dir", "d/f"},
	{"extract", "-i", "{in}/sq.img", "-O", "{out}/new/dir", "d/f"},
	{"extract", "-i", "{in}/x.cpio", "-O", "{out}/new/dir", "d/f"},
	{"emmc", "model", "--size", "131072", "{out}/new"},
	{"bootup", "create", "-o", "{out}/app.img", "--signature", "1", "--load", "0x1000", "{in}/data.bin"},
	{"bootup", "invalidate", "-o", "{out}/app.img", "{in}/app.img"},
	{"bundle", "create", "-o", "{out}/bundle.bin", "--signature", "1", "a={in}/a.bin"},
	{"bundle", "extract", "-C", "{out}", "{in}/bundle.bin"},
	{"rauc", "bundle", "-o", "{out}/update.raucb", "--compatible", "c", "--cert", "{in}/keys/dev.crt", "--key", "{in}/keys/dev.key", "--image", "rootfs={in}/data.bin"},
	{"flashlayout", "--manifest", "{in}/fl.json", "--output", "{out}/FlashLayout.tsv"},
	{"flashlayout", "--manifest", "{in}/fl.json", "--output", "{out}/FlashLayout.tsv", "--stage", "fsbl.bin={in}/a.bin", "--archive", "{out}/flash.tar.gz"},
}

func withUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// madeModes maps everything below dir to its permission bits.
func madeModes(t *testing.T, dir string) map[string]os.FileMode {
	t.Helper()
	got := map[string]os.FileMode{}
	err := filepath.Walk(dir, func(p string, st os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		got[rel] = st.Mode() & (os.ModeDir | os.ModePerm)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestOutputModesFollowUmask(t *testing.T) {
	in := outputInputs(t)
	for _, mask := range []int{0o077, 0o002} {
		withUmask(t, mask)
		file, dir := os.FileMode(0o666)&^os.FileMode(mask), os.ModeDir|os.FileMode(0o777)&^os.FileMode(mask)
		for _, args := range writerCommands {
			out := filepath.Join(t.TempDir(), "out")
			if err := os.Mkdir(out, 0o700); err != nil {
				t.Fatal(err)
			}
			name := strings.Join(args[:2], " ")
			code, _, stderr := runFwtool(t, "1600000000", expandArgs(args, in, out)...)
			if code != 0 {
				t.Errorf("umask %03o: %s: exit %d: %s", mask, name, code, stderr)
				continue
			}
			made := madeModes(t, out)
			if len(made) == 0 {
				t.Errorf("umask %03o: %s wrote nothing", mask, name)
			}
			for p, m := range made {
				want := file
				if m.IsDir() {
					want = dir
				}
				if m != want {
					t.Errorf("umask %03o: %s: %s has mode %v, want %v", mask, name, p, m, want)
				}
			}
		}
	}
}

// An output rewritten in place keeps its mode: mkimage -K signs a key
// into a 0600 control DTB and leaves it 0600 (mkimage itself rewrites
// the file in place); build, dtc and extract over a 0640 file keep 0640.
func TestExistingOutputKeepsItsMode(t *testing.T) {
	withUmask(t, 0o022)
	in := outputInputs(t)
	keys := filepath.Join(in, "keys")
	its := strings.Replace(string(readFile(t, filepath.Join(in, "x.its"))), `kernel = "kernel"; };`,
		`kernel = "kernel"; signature-1 { algo = "sha256,rsa2048"; key-name-hint = "dev"; sign-images = "kernel"; }; };`, 1)
	writeFile(t, filepath.Join(in, "signed.its"), []byte(its))

	ctl := filepath.Join(in, "ctl.dtb")
	before := readFile(t, ctl)
	if err := os.Chmod(ctl, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runFwtool(t, "1600000000", "mkimage", "-f", filepath.Join(in, "signed.its"), "-k", keys, "-K", ctl, "-r", filepath.Join(in, "signed.itb")); code != 0 {
		t.Fatalf("mkimage -K: %s", stderr)
	}
	if string(readFile(t, ctl)) == string(before) {
		t.Fatal("mkimage -K did not rewrite the control DTB")
	}
	if m := madeModes(t, in)["ctl.dtb"]; m != 0o600 {
		t.Errorf("control DTB is %v after mkimage -K, want 0600", m)
	}
	if m := madeModes(t, in)["signed.itb"]; m != 0o644 {
		t.Errorf("new FIT is %v under umask 022, want 0644", m)
	}
	for _, args := range [][]string{
		{"build", "--manifest", "{in}/m.json", "--output", "{out}/old"},
		{"dtc", "-I", "dts", "-O", "dtb", "-o", "{out}/old", "{in}/x.dts"},
		{"extract", "-i", "{in}/layout.img", "-f", "{out}/old", "spl"},
	} {
		out := t.TempDir()
		old := filepath.Join(out, "old")
		writeFile(t, old, []byte("old contents"))
		if err := os.Chmod(old, 0o640); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := runFwtool(t, "1600000000", expandArgs(args, in, out)...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
		if m := madeModes(t, out)["old"]; m != 0o640 || string(readFile(t, old)) == "old contents" {
			t.Errorf("%s over a 0640 file: mode %v (rewritten: %v), want 0640", args[0], m, string(readFile(t, old)) != "old contents")
		}
	}
}
