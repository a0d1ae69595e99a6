package fit

import (
	"bytes"
	"fmt"
	mrand "math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/dts"
	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

// randomSpec draws a FIT description: image count, types, arch/os/
// compression names, present/absent/64-bit addresses, hash sets, name and
// description lengths (which move every later offset), configurations with
// single and list references.
func randomSpec(r *mrand.Rand) *Spec {
	types := []string{"kernel", "kernel_noload", "ramdisk", "flat_dt", "firmware", "script", "standalone", "fpga", "tee", "filesystem"}
	arches := []string{"arm", "arm64", "riscv", "x86_64", "mips", "powerpc", ""}
	oses := []string{"linux", "u-boot", "arm-trusted-firmware", "tee", "opensbi", "efi", ""}
	comps := []string{"none", "gzip", "bzip2", "lzma", "lz4", "zstd", "lzo", ""}
	word := func(n int) string {
		const letters = "abcdefghijklmnopqrstuvwxyz0123456789-_"
		b := make([]byte, 1+r.Intn(n))
		for i := range b {
			b[i] = letters[r.Intn(len(letters))]
		}
		b[0] = 'a' + byte(r.Intn(26))
		return string(b)
	}
	addr := func() *uint64 {
		switch r.Intn(4) {
		case 0:
			return nil
		case 1:
			v := uint64(r.Uint32()) | uint64(1+r.Intn(15))<<32
			return &v
		}
		v := uint64(r.Uint32())
		return &v
	}
	s := &Spec{Description: word(40)}
	n := 1 + r.Intn(6)
	for i := 0; i < n; i++ {
		img := ImageSpec{
			Name: fmt.Sprintf("%s-%d", word(12), i), Type: types[r.Intn(len(types))],
			Arch: arches[r.Intn(len(arches))], OS: oses[r.Intn(len(oses))], Compression: comps[r.Intn(len(comps))],
			Load: addr(), Entry: addr(), Data: payload(r.Int63(), r.Intn(5000)),
		}
		if r.Intn(2) == 0 {
			img.Description = word(30)
		}
		for _, h := range HashAlgorithms() {
			if r.Intn(3) == 0 {
				img.Hashes = append(img.Hashes, h)
			}
		}
		s.Images = append(s.Images, img)
	}
	pick := func() string { return s.Images[r.Intn(n)].Name }
	for c := 0; c < r.Intn(4); c++ {
		conf := ConfigSpec{Name: fmt.Sprintf("conf-%s", word(6))}
		if r.Intn(2) == 0 {
			conf.Kernel = pick()
		}
		if r.Intn(2) == 0 {
			conf.Firmware = pick()
		}
		if r.Intn(3) == 0 {
			conf.Ramdisk = pick()
		}
		for k := 0; k < r.Intn(3); k++ {
			conf.FDT = append(conf.FDT, pick())
		}
		for k := 0; k < r.Intn(4); k++ {
			conf.Loadables = append(conf.Loadables, pick())
		}
		if r.Intn(2) == 0 {
			conf.Compatible = word(20)
		}
		if r.Intn(2) == 0 {
			conf.Description = word(20)
		}
		dup := false
		for _, o := range s.Configs {
			dup = dup || o.Name == conf.Name
		}
		if !dup {
			s.Configs = append(s.Configs, conf)
		}
	}
	if len(s.Configs) > 0 && r.Intn(4) > 0 {
		s.Default = s.Configs[r.Intn(len(s.Configs))].Name
	}
	return s
}

// TestRandomSweepMatchesMkimage: random descriptions and -E/-B/-p layouts,
// each through mkimage (dtc) and through both of our paths (Build, and our
// DTS compiler on the same .its followed by Process).
func TestRandomSweepMatchesMkimage(t *testing.T) {
	r := mrand.New(mrand.NewSource(20231))
	cases := 40
	if testing.Short() {
		cases = 8
	}
	for i := 0; i < cases; i++ {
		s := randomSpec(r)
		var args []string
		var opts Options
		if r.Intn(2) == 0 {
			args, opts.External = append(args, "-E"), true
			if r.Intn(2) == 0 {
				opts.Align = 1 << uint(2+r.Intn(11))
				args = append(args, "-B", fmt.Sprintf("%x", opts.Align))
			}
			if r.Intn(3) == 0 {
				opts.Position = 0x10000 + r.Intn(0x1000)*4
				args = append(args, "-p", fmt.Sprintf("%x", opts.Position))
			}
		}
		opts.Timestamp = uint32(r.Int31())
		t.Run(fmt.Sprintf("%02d_%s", i, strings.Join(args, "")), func(t *testing.T) {
			dir := t.TempDir()
			writeData(t, dir, s)
			its, err := s.ITS()
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "x.its"), []byte(its), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := append(append([]string{"-f", "x.its"}, args...), "ref.itb")
			runAt(t, dir, opts.Timestamp, "mkimage", cmd...)
			want, err := os.ReadFile(filepath.Join(dir, "ref.itb"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Build(s, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.FIT, want) {
				t.Fatalf("Build differs from mkimage %v at %#x (got %d, want %d bytes)\n%s", args, firstDiff(got.FIT, want), len(got.FIT), len(want), its)
			}
			tree, err := dts.CompileFile(filepath.Join(dir, "x.its"), dts.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			compiled, err := tree.Encode(fdt.EncodeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := Process(compiled, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(res.FIT, want) {
				t.Fatalf("our DTS compiler + Process differs from mkimage at %#x", firstDiff(res.FIT, want))
			}
			f, err := Parse(want)
			if err != nil {
				t.Fatal(err)
			}
			var listing bytes.Buffer
			if err := f.WriteListing(&listing); err != nil {
				t.Fatal(err)
			}
			if ref := runAt(t, dir, opts.Timestamp, "mkimage", "-l", "ref.itb"); string(ref) != listing.String() {
				t.Fatalf("listing differs from mkimage -l:\n%s\n--- ours\n%s", ref, listing.String())
			}
		})
	}
}

func runAt(t testing.TB, dir string, epoch uint32, name string, args ...string) []byte {
	t.Helper()
	cmd := execCommand(t, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), fmt.Sprintf("SOURCE_DATE_EPOCH=%d", epoch), "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func TestProcessRejectsWhatUBootRejects(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`/dts-v1/; / { images { k@1 { data = [00]; }; }; };`, "Node '/': no 'description'"},
		{`/dts-v1/; / { description = "x"; images { k@1 { data = [00]; }; }; };`, "Node '/images/k@1': unit addresses"},
		{`/dts-v1/; / { description = "x"; images { k { data = [00]; hash-1 { algo = "md4"; }; }; }; };`, "Node '/images/k/hash-1': unsupported hash algorithm \"md4\""},
		{`/dts-v1/; / { description = "x"; };`, "Node '/images': missing"},
	} {
		tree, err := dts.Compile("t.its", []byte(c.src), dts.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := tree.Encode(fdt.EncodeOptions{})
		if _, err := Process(b, Options{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.src, err, c.want)
		}
	}
}

// TestImageSignaturesMatchMkimage: signature nodes inside images (signed
// over the data, key marked required = "image" with -r).
func TestImageSignaturesMatchMkimage(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	if err := os.Mkdir(keys, 0o755); err != nil {
		t.Fatal(err)
	}
	writeKeyFiles(t, keys, "img", testKey(t, 2048))
	if err := os.WriteFile(filepath.Join(dir, "k.bin"), payload(1, 3000), 0o644); err != nil {
		t.Fatal(err)
	}
	its := `/dts-v1/;
/ {
	description = "image signatures";
	images {
		kernel {
			data = /incbin/("k.bin");
			type = "kernel"; arch = "arm"; os = "linux"; compression = "none";
			load = <0x8000>; entry = <0x8000>;
			hash-1 { algo = "sha256"; };
			signature-1 { algo = "sha256,rsa2048"; key-name-hint = "img"; };
		};
	};
	configurations {
		default = "c";
		c { kernel = "kernel"; };
	};
};
`
	if err := os.WriteFile(filepath.Join(dir, "x.its"), []byte(its), 0o644); err != nil {
		t.Fatal(err)
	}
	ctl := controlDTB(t, dir)
	runAt(t, dir, 99, "mkimage", "-f", "x.its", "-k", "keys", "-K", "u-boot.dtb", "-r", "ref.itb")
	want, _ := os.ReadFile(filepath.Join(dir, "ref.itb"))
	wantCtl, _ := os.ReadFile(filepath.Join(dir, "u-boot.dtb"))
	tree, err := dts.CompileFile(filepath.Join(dir, "x.its"), dts.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	compiled, _ := tree.Encode(fdt.EncodeOptions{})
	res, err := Process(compiled, Options{Timestamp: 99, Keys: KeyDir{Dir: keys}, KeyDest: ctl, RequireKeys: true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.FIT, want) || !bytes.Equal(res.KeyDest, wantCtl) {
		t.Fatalf("differs from mkimage (FIT at %#x, control DTB at %#x)", firstDiff(res.FIT, want), firstDiff(res.KeyDest, wantCtl))
	}
	if !bytes.Contains(wantCtl, []byte("image\x00")) {
		t.Fatalf("control DTB has no required = \"image\"")
	}
	// The configuration is unsigned here, so Verify reports that; the
	// image signature check itself runs through a config-signed variant in
	// TestVerifyImageSignature.
	if _, err := Verify(want, wantCtl, ""); err == nil || !strings.Contains(err.Error(), "no signature-* node") {
		t.Fatalf("unsigned configuration: %v", err)
	}
}

func TestVerifyImageSignature(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	if err := os.Mkdir(keys, 0o755); err != nil {
		t.Fatal(err)
	}
	writeKeyFiles(t, keys, "dev", testKey(t, 2048))
	src := `/dts-v1/;
/ {
	description = "both";
	images {
		kernel {
			data = [01 02 03 04 05];
			type = "kernel"; arch = "arm"; os = "linux"; compression = "none";
			load = <0x8000>; entry = <0x8000>;
			hash-1 { algo = "sha256"; };
			signature-1 { algo = "sha256,rsa2048"; key-name-hint = "dev"; };
		};
	};
	configurations {
		default = "c";
		c { kernel = "kernel"; signature-1 { algo = "sha256,rsa2048"; key-name-hint = "dev"; }; };
	};
};
`
	tree, err := dts.Compile("x.its", []byte(src), dts.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	compiled, _ := tree.Encode(fdt.EncodeOptions{})
	res, err := Process(compiled, Options{Keys: KeyDir{Dir: keys}, KeyDest: controlDTB(t, dir)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(res.FIT, res.KeyDest, ""); err != nil {
		t.Fatal(err)
	}
	// Corrupt the image signature value only: the configuration signature
	// does not cover it, the image check must catch it.
	f, _ := Parse(res.FIT)
	images, _ := f.Images()
	v := images[0].Signatures[0].Value
	bad := append([]byte(nil), res.FIT...)
	bad[bytes.Index(bad, v)+10] ^= 1
	if _, err := Verify(bad, res.KeyDest, ""); err == nil || !strings.Contains(err.Error(), "Node '/images/kernel/signature-1'") {
		t.Fatalf("corrupt image signature: %v", err)
	}
}

// FuzzProcess feeds damaged compiled .its blobs and control DTBs through
// mkimage's pipeline: errors are fine, panics and hangs are not.
func FuzzProcess(f *testing.F) {
	s := firmwareSpec(2)
	tree, err := s.Tree()
	if err != nil {
		f.Fatal(err)
	}
	compiled, _ := tree.Encode(fdt.EncodeOptions{})
	ctl, _ := (&fdt.Tree{Root: &fdt.Node{Properties: []*fdt.Property{{Name: "model", Value: fdt.String("x")}}}}).Encode(fdt.EncodeOptions{})
	f.Add(compiled, ctl, uint8(0))
	f.Add(compiled, ctl, uint8(7))
	f.Fuzz(func(t *testing.T, its, control []byte, mode uint8) {
		if len(its) > 1<<16 || len(control) > 1<<16 {
			return
		}
		opts := Options{External: mode&1 != 0, Align: int(mode>>1&7) * 4, KeyDest: control}
		if mode&16 != 0 {
			opts.Position = 0x20000
		}
		res, err := Process(its, opts)
		if err != nil {
			return
		}
		if _, err := Parse(res.FIT); err != nil {
			t.Fatalf("Process output does not parse: %v", err)
		}
	})
}

func TestVerifyReportsUnsignedImages(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	if err := os.Mkdir(keys, 0o755); err != nil {
		t.Fatal(err)
	}
	writeKeyFiles(t, keys, "dev", testKey(t, 2048))
	for _, signImages := range [][]string{nil, {"kernel", "fdt", "ramdisk"}} {
		s := kernelSpec(4)
		s.Configs[0].Signatures = []SignatureSpec{{Algo: "sha256,rsa2048", KeyName: "dev", SignImages: signImages}}
		res, err := Build(s, Options{Keys: KeyDir{Dir: keys}, KeyDest: controlDTB(t, dir)})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Verify(res.FIT, res.KeyDest, "")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"ramdisk-1"}
		if signImages != nil {
			want = nil
		}
		if fmt.Sprint(rep.Unsigned) != fmt.Sprint(want) {
			t.Errorf("sign-images %v: unsigned %v, want %v", signImages, rep.Unsigned, want)
		}
	}
}

// TestOddAlignmentLikeMkimage: -B is not checked to be a power of two by
// mkimage, whose ALIGN macro then masks rather than rounds.
func TestOddAlignmentLikeMkimage(t *testing.T) {
	for _, align := range []int{3, 6, 0x30, 0x1001} {
		dir := t.TempDir()
		s := kernelSpec(int64(align))
		writeData(t, dir, s)
		want := mkimageSpec(t, dir, s, "-E", "-B", fmt.Sprintf("%x", align))
		got, err := Build(s, Options{Timestamp: testEpoch, External: true, Align: align})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.FIT, want) {
			t.Errorf("-B %#x: differs from mkimage at %#x (got %d, want %d bytes)", align, firstDiff(got.FIT, want), len(got.FIT), len(want))
		}
	}
}

// TestControlDTBReuseLikeMkimage: signing into a control DTB that already
// holds the key (mkimage rewrites the key node in place) and into one dtc
// padded so that no growth is needed.
func TestControlDTBReuseLikeMkimage(t *testing.T) {
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	if err := os.Mkdir(keys, 0o755); err != nil {
		t.Fatal(err)
	}
	writeKeyFiles(t, keys, "dev", testKey(t, 2048))
	writeKeyFiles(t, keys, "big", testKey(t, 4096))
	s := kernelSpec(8)
	s.Configs[0].Signatures = []SignatureSpec{{Algo: "sha256,rsa2048", KeyName: "dev"}, {Algo: "sha512,rsa4096", KeyName: "big"}}
	writeData(t, dir, s)
	controlDTB(t, dir)
	run(t, dir, "dtc", "-I", "dts", "-O", "dtb", "-p", "3000", "-o", "padded.dtb", "u-boot.dts")
	for _, start := range []string{"u-boot.dtb", "padded.dtb"} {
		ctl, err := os.ReadFile(filepath.Join(dir, start))
		if err != nil {
			t.Fatal(err)
		}
		for round := 0; round < 2; round++ {
			if err := os.WriteFile(filepath.Join(dir, "ctl.dtb"), ctl, 0o644); err != nil {
				t.Fatal(err)
			}
			want := mkimageSpec(t, dir, s, "-k", "keys", "-K", "ctl.dtb", "-r")
			wantCtl, _ := os.ReadFile(filepath.Join(dir, "ctl.dtb"))
			got, err := Build(s, Options{Timestamp: testEpoch, Keys: KeyDir{Dir: keys}, KeyDest: ctl, RequireKeys: true})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.FIT, want) {
				t.Fatalf("%s round %d: FIT differs at %#x", start, round, firstDiff(got.FIT, want))
			}
			if !bytes.Equal(got.KeyDest, wantCtl) {
				t.Fatalf("%s round %d: control DTB differs at %#x (got %d, want %d bytes)", start, round, firstDiff(got.KeyDest, wantCtl), len(got.KeyDest), len(wantCtl))
			}
			if _, err := Verify(got.FIT, got.KeyDest, ""); err != nil {
				t.Fatal(err)
			}
			ctl = got.KeyDest
		}
	}
}

// TestCipherNodeWithoutKeysLikeMkimage: mkimage -F -t without a key
// directory leaves an image's cipher node alone (binman's encrypted entry
// relies on it); with -k it would encrypt, which fwtool refuses.
func TestCipherNodeWithoutKeysLikeMkimage(t *testing.T) {
	dir := t.TempDir()
	src := `/dts-v1/;
/ {
	description = "cipher";
	images {
		fw {
			data = [01 02 03 04 05];
			type = "firmware"; compression = "none";
			hash-1 { algo = "sha256"; };
			cipher { algo = "aes256"; iv = [31 32 33]; key-source = "k"; };
		};
	};
	configurations { default = "c"; c { firmware = "fw"; }; };
};
`
	tree, err := dts.Compile("x.its", []byte(src), dts.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	compiled, _ := tree.Encode(fdt.EncodeOptions{})
	const epoch = 1234
	res, err := Process(compiled, Options{Timestamp: epoch})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "x.fit")
	if err := os.WriteFile(p, compiled, 0o644); err != nil {
		t.Fatal(err)
	}
	runAt(t, dir, epoch, "mkimage", "-F", "-t", p)
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.FIT, want) {
		t.Fatalf("differs from mkimage -F -t at byte %d", firstDiff(res.FIT, want))
	}
	if _, err := Process(compiled, Options{Keys: KeyDir{Dir: dir}}); err == nil || !strings.Contains(err.Error(), "image encryption is not supported") {
		t.Fatalf("with a key directory: got %v, want encryption refused", err)
	}
}
