package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rules-firmware/rules_firmware/tools/compress"
	"github.com/rules-firmware/rules_firmware/tools/uimage"
)

func lookTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s (Debian package %s) is needed for this oracle test: %v", name, debianPackage, err)
	}
	return p
}

// runTool runs a reference tool with a fixed clock and zone.
func runTool(t *testing.T, epoch string, tool string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(tool, args...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	if epoch != "" {
		cmd.Env = append(cmd.Env, "SOURCE_DATE_EPOCH="+epoch)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// runFwtool runs `fwtool args...` in-process.
func runFwtool(t *testing.T, epoch string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if epoch != "" {
		t.Setenv("SOURCE_DATE_EPOCH", epoch)
	} else {
		t.Setenv("SOURCE_DATE_EPOCH", "")
		os.Unsetenv("SOURCE_DATE_EPOCH")
	}
	t.Setenv("TZ", "UTC")
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withoutScriptOffsets drops the "Offset = " lines mkimage prints for
// script images: they show an address in mkimage's own memory.
func withoutScriptOffsets(s string) string {
	var keep []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "Offset = ") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// TestMkimageOracleSweep runs fwtool mkimage and Debian's mkimage on the
// same inputs over a table of types, architectures, operating systems,
// compressions, addresses and names, and compares the image bytes; then
// has mkimage -l and dumpimage -l read our image and compares their
// listing with `fwtool ls` and with the listing fwtool mkimage prints.
func TestMkimageOracleSweep(t *testing.T) {
	mkimage := lookTool(t, "mkimage", "u-boot-tools")
	dumpimage := lookTool(t, "dumpimage", "u-boot-tools")
	dir := t.TempDir()

	kernel := writeFile(t, filepath.Join(dir, "Image"), bytes.Repeat([]byte("\x7fkernel code "), 300))
	odd := writeFile(t, filepath.Join(dir, "odd.bin"), []byte("odd-sized"))
	script := writeFile(t, filepath.Join(dir, "boot.cmd"), []byte("setenv bootargs console=ttySTM0,115200\nbootm ${kernel_addr_r}\n"))
	dtb := writeFile(t, filepath.Join(dir, "board.dtb"), []byte{0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0, 0x28})

	types := []string{"kernel", "kernel_noload", "ramdisk", "firmware", "standalone", "script", "multi", "filesystem"}
	arches := []string{"arm", "arm64", "ppc", "powerpc", "riscv", "x86", "x86_64", "mips"}
	oses := []string{"linux", "u-boot", "arm-trusted-firmware", "opensbi", "efi", "vxworks", "qnx"}
	comps := []string{"none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd"}
	addrs := [][2]string{{"0", ""}, {"80008000", "80008040"}, {"0x40080000", ""}, {"C0000000", "0XC0000100"}, {"ffffffff", "0"}}
	names := []string{"", "Linux-6.6", "exactly thirty-two bytes long!!!", "this name is longer than the thirty-two byte field", "tab\tand ümlaut"}
	epochs := []string{"0", "1700000000", "4294967295", "86400"}

	count := 0
	for i := 0; i < len(types)*len(comps)*2; i++ {
		typ := types[i%len(types)]
		arch := arches[(i+i/len(types))%len(arches)] // shifts per round, so every type meets every arch
		osName := oses[(i/3)%len(oses)]
		comp := comps[(i/len(types))%len(comps)]
		addr := addrs[i%len(addrs)]
		name := names[(i/2)%len(names)]
		epoch := epochs[i%len(epochs)]

		data := kernel
		switch {
		case typ == "multi":
			data = strings.Join([]string{kernel, odd, dtb, script, odd}[:1+i%5], ":")
		case typ == "script" && i%2 == 0:
			data = script
		case typ == "script":
			data = script + ":" + odd + ":" + kernel
		case i%7 == 3:
			data = odd
		}
		args := []string{"-A", arch, "-O", osName, "-T", typ, "-C", comp, "-a", addr[0]}
		if addr[1] != "" {
			args = append(args, "-e", addr[1])
		}
		args = append(args, "-n", name, "-d", data)

		count++
		label := fmt.Sprintf("case %d: mkimage %s (SOURCE_DATE_EPOCH=%s)", i, strings.Join(args, " "), epoch)
		want := filepath.Join(dir, fmt.Sprintf("want%d.img", i))
		got := filepath.Join(dir, fmt.Sprintf("got%d.img", i))
		mkOut, err := runTool(t, epoch, mkimage, append(args, want)...)
		if err != nil {
			t.Fatalf("%s: reference mkimage failed: %v\n%s", label, err, mkOut)
		}
		code, stdout, stderr := runFwtool(t, epoch, append(append([]string{"mkimage"}, args...), got)...)
		if code != 0 {
			t.Errorf("%s: fwtool exit %d: %s", label, code, stderr)
			continue
		}
		if diff := cmp.Diff(readFile(t, want), readFile(t, got)); diff != "" {
			t.Errorf("%s: image bytes differ (-mkimage +fwtool):\n%s", label, diff)
			continue
		}
		if len(name) > uimage.NameLen {
			if !strings.Contains(stderr, "truncated") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("%s: want one truncation warning, got %q", label, stderr)
			}
		} else if stderr != "" {
			t.Errorf("%s: unexpected stderr %q", label, stderr)
		}
		// mkimage prints the header after writing; so do we.
		if diff := cmp.Diff(withoutScriptOffsets(mkOut), withoutScriptOffsets(stdout)); diff != "" {
			t.Errorf("%s: printed header differs (-mkimage +fwtool):\n%s", label, diff)
		}

		// The reference tools read our image, and list it as we do.
		mkList, err := runTool(t, "", mkimage, "-l", got)
		if err != nil {
			t.Errorf("%s: mkimage -l rejects our image: %v\n%s", label, err, mkList)
			continue
		}
		dumpList, err := runTool(t, "", dumpimage, "-l", got)
		if err != nil {
			t.Errorf("%s: dumpimage -l rejects our image: %v\n%s", label, err, dumpList)
			continue
		}
		if withoutScriptOffsets(dumpList) != withoutScriptOffsets(mkList) {
			t.Errorf("%s: dumpimage -l and mkimage -l disagree:\n%s\n%s", label, dumpList, mkList)
		}
		code, lsOut, lsErr := runFwtool(t, "", "ls", got)
		if code != 0 {
			t.Errorf("%s: fwtool ls: %s", label, lsErr)
			continue
		}
		if diff := cmp.Diff(withoutScriptOffsets(mkList), withoutScriptOffsets(lsOut)); diff != "" {
			t.Errorf("%s: fwtool ls differs from mkimage -l (-mkimage +fwtool):\n%s", label, diff)
		}
		code, listOut, listErr := runFwtool(t, "", "mkimage", "-l", got)
		if code != 0 || listOut != lsOut {
			t.Errorf("%s: fwtool mkimage -l = %d %q %q, want the fwtool ls listing", label, code, listOut, listErr)
		}
	}
	if count < len(types)*len(comps) {
		t.Fatalf("sweep ran only %d cases", count)
	}
}

// TestMkimageOracleSpecialCases covers mkimage behaviours outside the
// sweep: defaults, XIP, header-only images, OP-TEE addresses, clustered
// and long options, unusual SOURCE_DATE_EPOCH values.
func TestMkimageOracleSpecialCases(t *testing.T) {
	mkimage := lookTool(t, "mkimage", "u-boot-tools")
	dir := t.TempDir()
	plain := writeFile(t, filepath.Join(dir, "plain.bin"), []byte("plain payload data"))
	xip := writeFile(t, filepath.Join(dir, "xip.bin"), append(bytes.Repeat([]byte{0xff}, 64), "execute in place"...))
	// OP-TEE v1 header: "OPTE", version 1, arch 1 (arm64), flags 0,
	// init_size 0x100, load_hi 0, load_lo 0x0e100000, mem usage, paged 0.
	optee := writeFile(t, filepath.Join(dir, "tee.bin"), append([]byte{
		'O', 'P', 'T', 'E', 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
		0x00, 0x00, 0x10, 0x0e, 0, 2, 0, 0, 0, 0, 0, 0}, bytes.Repeat([]byte("tee!"), 64)...))

	for _, tc := range []struct {
		name  string
		epoch string
		args  []string
	}{
		{"defaults", "5", []string{"-d", plain}},
		{"xip default entry", "5", []string{"-x", "-A", "arm", "-a", "0x1000", "-C", "none", "-d", xip}},
		{"xip explicit entry", "5", []string{"-x", "-A", "arm", "-a", "0x1000", "-e", "0x2000", "-d", xip}},
		{"header only", "5", []string{"-s", "-A", "arm", "-a", "100", "-d", plain}},
		{"header only multi", "5", []string{"-s", "-T", "multi", "-d", plain + ":" + plain}},
		{"tee addresses", "5", []string{"-A", "arm64", "-O", "tee", "-T", "kernel", "-C", "none", "-a", "0x1234", "-e", "0x5678", "-d", optee}},
		{"tee multi", "5", []string{"-A", "arm64", "-O", "tee", "-T", "multi", "-C", "none", "-d", optee + ":" + plain}},
		{"clustered and attached", "5", []string{"-qAarm", "-Ouboot", "-Tfirmware", "-Cnone", "-a80000000", "-nfw", "-d" + plain}},
		{"long options", "5", []string{"--architecture", "riscv", "--os=opensbi", "--type", "firmware", "--compression", "none", "--load-address", "80000000", "--config", "opensbi", "--image", plain}},
		{"names in any case", "5", []string{"-A", "ARM", "-O", "Linux", "-T", "Kernel", "-C", "None", "-d", plain}},
		{"epoch empty", "", []string{"-A", "arm", "-d", plain}},
		{"epoch negative", "-5", []string{"-A", "arm", "-d", plain}},
		{"epoch text", "soon", []string{"-A", "arm", "-d", plain}},
		{"epoch over 32 bits", "4294967296", []string{"-A", "arm", "-d", plain}},
		{"epoch trailing text", "1234abc", []string{"-A", "arm", "-d", plain}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.name == "clustered and attached" {
				// mkimage has no "uboot"; use the same spelling it knows.
				args = append([]string(nil), args...)
				args[1] = "-Ou-boot"
			}
			want := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".want")
			got := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".got")
			epoch := tc.epoch
			if tc.name == "epoch empty" {
				epoch = "" // runTool/runFwtool would unset it; set it empty instead
			}
			cmd := exec.Command(mkimage, append(args, want)...)
			cmd.Env = append(os.Environ(), "TZ=UTC", "SOURCE_DATE_EPOCH="+epoch)
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("reference mkimage: %v\n%s", err, msg)
			}
			t.Setenv("SOURCE_DATE_EPOCH", epoch)
			var stdout, stderr bytes.Buffer
			if code := run(append(append([]string{"mkimage", "-q"}, args...), got), &stdout, &stderr); code != 0 {
				t.Fatalf("fwtool exit %d: %s", code, stderr.String())
			}
			if diff := cmp.Diff(readFile(t, want), readFile(t, got)); diff != "" {
				t.Errorf("image bytes differ (-mkimage +fwtool):\n%s", diff)
			}
			if strings.HasPrefix(tc.name, "tee") && !strings.Contains(stderr.String(), "OP-TEE header") && tc.name == "tee addresses" {
				t.Errorf("no warning that -a/-e were replaced: %q", stderr.String())
			}
		})
	}
}

// TestMkimageNoEpochWritesZero checks the documented difference from
// mkimage: without SOURCE_DATE_EPOCH the time field is 0, not the clock.
func TestMkimageNoEpochWritesZero(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, filepath.Join(dir, "in"), []byte("x"))
	out := filepath.Join(dir, "out")
	if code, _, stderr := runFwtool(t, "", "mkimage", "-q", "-d", in, out); code != 0 {
		t.Fatal(stderr)
	}
	h, err := uimage.ParseHeader(readFile(t, out))
	if err != nil {
		t.Fatal(err)
	}
	if h.Time != 0 {
		t.Errorf("time field = %d, want 0", h.Time)
	}
}

// TestMkimageCompress checks --compress: the payload is compressed
// in-process, decompresses to the input, and the image equals what
// mkimage -C writes around the same compressed file.
func TestMkimageCompress(t *testing.T) {
	mkimage := lookTool(t, "mkimage", "u-boot-tools")
	dir := t.TempDir()
	input := bytes.Repeat([]byte("compressible kernel text; "), 4000)
	in := writeFile(t, filepath.Join(dir, "Image"), input)
	for _, algo := range []string{"none", "gzip", "bzip2", "lzma", "lz4", "zstd"} {
		t.Run(algo, func(t *testing.T) {
			got := filepath.Join(dir, algo+".got")
			code, _, stderr := runFwtool(t, "77", "mkimage", "-q", "-A", "arm64", "-O", "linux", "-T", "kernel",
				"-a", "0x80000", "-n", "k", "--compress", algo, "-d", in, got)
			if code != 0 {
				t.Fatalf("fwtool exit %d: %s", code, stderr)
			}
			img := readFile(t, got)
			h, payload, err := uimage.Parse(img)
			if err != nil {
				t.Fatal(err)
			}
			if want, _ := uimage.Comp.Lookup(algo); h.Comp != want {
				t.Errorf("compression field = %d, want %d (%s)", h.Comp, want, algo)
			}
			plain, err := compress.DecompressBytes(algo, payload)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(plain, input) {
				t.Error("payload does not decompress to the input")
			}
			packed := writeFile(t, filepath.Join(dir, algo+".packed"), payload)
			want := filepath.Join(dir, algo+".want")
			if msg, err := runTool(t, "77", mkimage, "-q", "-A", "arm64", "-O", "linux", "-T", "kernel",
				"-a", "0x80000", "-n", "k", "-C", algo, "-d", packed, want); err != nil {
				t.Fatalf("mkimage: %v\n%s", err, msg)
			}
			if diff := cmp.Diff(readFile(t, want), img); diff != "" {
				t.Errorf("image differs from mkimage -C %s on the same compressed data:\n%s", algo, diff)
			}
		})
	}
}

// TestMkimageErrors checks every error path: non-zero exit, exactly one
// line on stderr naming the flag or file, and no output file left behind.
func TestMkimageErrors(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, filepath.Join(dir, "in.bin"), []byte("data"))
	empty := writeFile(t, filepath.Join(dir, "empty.bin"), nil)
	short := writeFile(t, filepath.Join(dir, "short.bin"), []byte("short"))
	notFF := writeFile(t, filepath.Join(dir, "notff.bin"), bytes.Repeat([]byte{0xfe}, 80))
	unreadable := filepath.Join(dir, "unreadable.bin")
	if err := os.Mkdir(unreadable, 0o755); err != nil { // a directory cannot be read as a file
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.img")
	for _, tc := range []struct {
		name    string
		args    []string
		mention []string
	}{
		{"unknown arch", []string{"-A", "arm65", "-d", in, out}, []string{"-A", `"arm65"`, "architecture"}},
		{"unknown os", []string{"-O", "windows", "-d", in, out}, []string{"-O", `"windows"`}},
		{"unknown type", []string{"-T", "floppy", "-d", in, out}, []string{"-T", `"floppy"`}},
		{"non-legacy type", []string{"-T", "imximage", "-d", in, out}, []string{"-T", `"imximage"`, "not supported"}},
		{"unknown comp", []string{"-C", "rar", "-d", in, out}, []string{"-C", `"rar"`}},
		{"bad load", []string{"-a", "0xZZ", "-d", in, out}, []string{"-a", `"0xZZ"`}},
		{"bad entry", []string{"-e", "12 34", "-d", in, out}, []string{"-e", `"12 34"`}},
		{"wide load", []string{"-a", "100000000", "-d", in, out}, []string{"-a", "32-bit"}},
		{"empty input", []string{"-d", empty, out}, []string{"-d", "empty.bin", "empty"}},
		{"empty multi part", []string{"-T", "multi", "-d", in + ":" + empty, out}, []string{"-d", "empty.bin", "empty"}},
		{"missing input", []string{"-d", filepath.Join(dir, "nope.bin"), out}, []string{"-d", "nope.bin", "no such file"}},
		{"unreadable input", []string{"-d", unreadable, out}, []string{"-d", "unreadable.bin"}},
		{"missing multi part", []string{"-T", "multi", "-d", in + ":" + filepath.Join(dir, "gone"), out}, []string{"-d", "gone"}},
		{"no data", []string{"-A", "arm", out}, []string{"-d", "out.img"}},
		{"no output", []string{"-d", in}, []string{"image file"}},
		{"output directory missing", []string{"-d", in, filepath.Join(dir, "nodir", "out.img")}, []string{"nodir"}},
		{"output directory missing multi", []string{"-T", "multi", "-d", in, filepath.Join(dir, "nodir", "out.img")}, []string{"nodir"}},
		{"two outputs", []string{"-d", in, out, out}, []string{"one image file"}},
		{"unknown flag", []string{"-Z", "-d", in, out}, []string{"invalid option -- 'Z'"}}, // glibc's words, as mkimage prints them
		{"unknown long flag", []string{"--frobnicate", "-d", in, out}, []string{"unrecognized option '--frobnicate'"}},
		{"ambiguous long flag", []string{"--key", "k", "-d", in, out}, []string{"option '--key' is ambiguous", "'--key-dir'"}},
		{"compress without value", []string{"-d", in, out, "--compress"}, []string{"option '--compress' requires an argument"}},
		{"flag without value", []string{"-d", in, out, "-A"}, []string{"option requires an argument -- 'A'"}},
		{"unknown algorithm", []string{"--compress", "brotli", "-d", in, out}, []string{"--compress", `"brotli"`}},
		{"algorithm without uImage code", []string{"--compress", "xz", "-d", in, out}, []string{"--compress", `"xz"`}},
		{"compress contradicts -C", []string{"-C", "gzip", "--compress", "lz4", "-d", in, out}, []string{"-C gzip", "--compress lz4"}},
		{"compress multi", []string{"-T", "multi", "--compress", "gzip", "-d", in, out}, []string{"--compress", "multi"}},
		{"xip too short", []string{"-x", "-d", short, out}, []string{"-x", "short.bin"}},
		{"xip not erased", []string{"-x", "-d", notFF, out}, []string{"-x", "notff.bin", "0xff"}},
		{"xip multi", []string{"-x", "-T", "multi", "-d", in, out}, []string{"-x", "multi"}},
		{"fit unsupported", []string{"-f", "image.its", out}, []string{"FIT", "out.img"}},
		{"list garbage", []string{"-l", in}, []string{"in.bin"}},
		{"list missing", []string{"-l", filepath.Join(dir, "nope.img")}, []string{"nope.img"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "fit unsupported" {
				// The message a build without a FIT writer gives.
				saved := mkimageFIT
				mkimageFIT = nil
				defer func() { mkimageFIT = saved }()
			}
			code, stdout, stderr := runFwtool(t, "0", append([]string{"mkimage"}, tc.args...)...)
			if code == 0 {
				t.Fatalf("exit 0, stdout %q", stdout)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
				t.Errorf("want exactly one line on stderr, got %q", stderr)
			}
			for _, m := range tc.mention {
				if !strings.Contains(stderr, m) {
					t.Errorf("stderr %q does not mention %q", stderr, m)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("output file left behind (stat: %v)", err)
				os.Remove(out)
			}
			leftovers, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
			if len(leftovers) != 0 {
				t.Errorf("temporary files left behind: %v", leftovers)
			}
		})
	}
}

// TestMkimageCorruptImageLs checks that fwtool ls names the file and the
// broken field for damaged uImages.
func TestMkimageCorruptImageLs(t *testing.T) {
	dir := t.TempDir()
	good, err := uimage.Build(uimage.Header{Type: uimage.TypeKernel, Name: "k"}, []byte("payload"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		corrupt func(b []byte) []byte
		mention string
	}{
		{"header crc", func(b []byte) []byte { b[20] ^= 1; return b }, "header checksum"},
		{"data crc", func(b []byte) []byte { b[70] ^= 1; return b }, "data checksum"},
		{"truncated", func(b []byte) []byte { return b[:66] }, "data size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".img"), tc.corrupt(append([]byte(nil), good...)))
			code, _, stderr := runFwtool(t, "", "ls", path)
			if code == 0 || !strings.Contains(stderr, tc.mention) || !strings.Contains(stderr, filepath.Base(path)) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("fwtool ls: exit %d, stderr %q; want one line naming the file and %q", code, stderr, tc.mention)
			}
		})
	}
}

// TestMkimageHooks checks the extension points other image kinds use.
func TestMkimageHooks(t *testing.T) {
	var seen mkimageOptions
	const typeName = "test-hook-type"
	registerMkimageType(typeName, func(opts mkimageOptions, stdout, stderr io.Writer) int {
		seen = opts
		return 7
	})
	defer delete(mkimageTypes, typeName)
	code, _, _ := runFwtool(t, "42", "mkimage", "-T", typeName, "-A", "arm", "-a", "0x2ffc2500", "-e", "2ffc2500",
		"-n", "name", "-d", "a:b", "-E", "-B", "0x1000", "-p", "0x2000", "-k", "keys", "-K", "pub.dtb",
		"-r", "-b", "x.dtb", "-b", "y.dtb", "-x", "out.img")
	if code != 7 {
		t.Fatalf("hook not called: exit %d", code)
	}
	want := mkimageOptions{
		Arch: "arm", OS: "linux", Type: typeName, Comp: "gzip", ArchSet: true, TypeSet: true,
		Load: 0x2ffc2500, Entry: 0x2ffc2500, LoadSet: true, EntrySet: true,
		Name: "name", NameSet: true, DataFile: "a:b", DataFiles: []string{"a", "b"}, XIP: true,
		External: true, Alignment: 0x1000, AlignmentSet: true, ExternalPosition: 0x2000, ExternalPosSet: true,
		KeyDir: "keys", KeyDest: "pub.dtb", KeyRequired: true, DeviceTrees: []string{"x.dtb", "y.dtb"},
		Time: 42, TimeSet: true, Image: "out.img",
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("options passed to the hook (-want +got):\n%s", diff)
	}
}

func TestMkimageHelp(t *testing.T) {
	code, stdout, _ := runFwtool(t, "", "mkimage", "--help")
	if code != 0 || !strings.Contains(stdout, "SOURCE_DATE_EPOCH") || !strings.Contains(stdout, "--compress") {
		t.Errorf("--help: exit %d, output:\n%s", code, stdout)
	}
	code, stdout, _ = runFwtool(t, "", "mkimage", "-h")
	if code != 0 || stdout == "" {
		t.Errorf("-h: exit %d", code)
	}
}

// TestUImageExtract checks `fwtool extract` on uImages against dumpimage:
// multi-file parts as `dumpimage -T multi -p N`, the stored payload as
// `dumpimage -T kernel -p 0`, and decompression of the payload.
func TestUImageExtract(t *testing.T) {
	mkimage := lookTool(t, "mkimage", "u-boot-tools")
	dumpimage := lookTool(t, "dumpimage", "u-boot-tools")
	dir := t.TempDir()
	parts := []string{
		writeFile(t, filepath.Join(dir, "p0"), []byte("first part")),
		writeFile(t, filepath.Join(dir, "p1"), []byte("xy")),
		writeFile(t, filepath.Join(dir, "p2"), bytes.Repeat([]byte{7}, 1001)),
	}
	multi := filepath.Join(dir, "multi.img")
	if msg, err := runTool(t, "0", mkimage, "-q", "-T", "multi", "-C", "none", "-d", strings.Join(parts, ":"), multi); err != nil {
		t.Fatalf("mkimage: %v\n%s", err, msg)
	}
	outDir := filepath.Join(dir, "multi.out")
	if code, _, stderr := runFwtool(t, "", "extract", "-i", multi, "-O", outDir, "[0-9]"); code != 0 {
		t.Fatalf("fwtool extract: %s", stderr)
	}
	for i := range parts {
		want := filepath.Join(dir, fmt.Sprintf("dump%d", i))
		if msg, err := runTool(t, "", dumpimage, "-T", "multi", "-p", fmt.Sprint(i), "-o", want, multi); err != nil {
			t.Fatalf("dumpimage -p %d: %v\n%s", i, err, msg)
		}
		if diff := cmp.Diff(readFile(t, want), readFile(t, filepath.Join(outDir, fmt.Sprint(i)))); diff != "" {
			t.Errorf("part %d differs from dumpimage's (-dumpimage +fwtool):\n%s", i, diff)
		}
	}

	input := bytes.Repeat([]byte("kernel "), 3000)
	in := writeFile(t, filepath.Join(dir, "Image"), input)
	kernel := filepath.Join(dir, "kernel.img")
	if code, _, stderr := runFwtool(t, "", "mkimage", "-q", "-A", "arm", "--compress", "gzip", "-d", in, kernel); code != 0 {
		t.Fatal(stderr)
	}
	stored := filepath.Join(dir, "stored")
	if code, _, stderr := runFwtool(t, "", "extract", "-i", kernel, "-U", "-f", stored, "data"); code != 0 {
		t.Fatal(stderr)
	}
	dumped := filepath.Join(dir, "dumped")
	if msg, err := runTool(t, "", dumpimage, "-T", "kernel", "-p", "0", "-o", dumped, kernel); err != nil {
		t.Fatalf("dumpimage: %v\n%s", err, msg)
	}
	if !bytes.Equal(readFile(t, stored), readFile(t, dumped)) {
		t.Error("extract -U data differs from dumpimage -p 0")
	}
	plain := filepath.Join(dir, "plain")
	if code, _, stderr := runFwtool(t, "", "extract", "-i", kernel, "-f", plain, "data"); code != 0 {
		t.Fatal(stderr)
	}
	if !bytes.Equal(readFile(t, plain), input) {
		t.Error("extract data did not decompress to the input")
	}

	lzo := filepath.Join(dir, "lzo.img")
	if code, _, stderr := runFwtool(t, "", "mkimage", "-q", "-C", "lzo", "-d", in, lzo); code != 0 {
		t.Fatal(stderr)
	}
	for _, tc := range []struct {
		args    []string
		mention string
	}{
		{[]string{"extract", "-i", lzo, "-f", filepath.Join(dir, "x"), "data"}, "lzo"},
		{[]string{"extract", "-i", kernel, "-f", filepath.Join(dir, "x"), "3"}, "'3'"},
		{[]string{"extract", "-i", multi, "-f", filepath.Join(dir, "x"), "*"}, "-f takes exactly one"},
	} {
		code, _, stderr := runFwtool(t, "", tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.mention) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want one line mentioning %q", tc.args, code, stderr, tc.mention)
		}
		if _, err := os.Stat(filepath.Join(dir, "x")); !os.IsNotExist(err) {
			t.Errorf("%v: output left behind", tc.args)
		}
	}
}

// FuzzParseMkimageArgs: any command line parses or fails with a one-line
// error, never a panic.
func FuzzParseMkimageArgs(f *testing.F) {
	f.Add("-A\x00arm\x00-a\x000x80008000\x00-d\x00a:b\x00out")
	f.Add("-qxAarm\x00--os=linux\x00--compress\x00lz4\x00-B\x00zz\x00out")
	f.Add("--\x00-l")
	f.Add("\x00\n") // once printed its newline in the error
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, "\x00")
		_, err := parseMkimageArgs(args, func(string) (string, bool) { return "17", true })
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error: %q", err)
		}
	})
}
