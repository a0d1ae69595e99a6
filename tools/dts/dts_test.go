package dts

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

func dtcPath(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("dtc")
	if err != nil {
		t.Fatalf("reference tool dtc not found: %v", err)
	}
	return p
}

// writeFiles puts files (name -> content) in a fresh directory.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runDtc compiles dir/main.dts with dtc; ok is false when dtc rejects it.
func runDtc(t testing.TB, dir string, flags ...string) (out []byte, stderr string, ok bool) {
	t.Helper()
	outPath := filepath.Join(dir, "dtc.dtb")
	os.Remove(outPath)
	args := append([]string{"-q", "-I", "dts", "-O", "dtb", "-o", outPath}, flags...)
	args = append(args, filepath.Join(dir, "main.dts"))
	cmd := exec.Command(dtcPath(t), args...)
	var eb bytes.Buffer
	cmd.Stderr = &eb
	if err := cmd.Run(); err != nil {
		return nil, eb.String(), false
	}
	b, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	return b, eb.String(), true
}

// compareWithDtc compiles the same files with dtc and with us; both must
// agree on success, and on success produce the same bytes.
func compareWithDtc(t *testing.T, name string, files map[string]string, symbols bool) {
	t.Helper()
	compareWithDtcCounting(t, name, files, symbols)
}

// compareWithDtcCounting is compareWithDtc reporting whether dtc accepted
// the source and we produced the same blob.
func compareWithDtcCounting(t *testing.T, name string, files map[string]string, symbols bool) bool {
	t.Helper()
	opts := DefaultOptions()
	var flags []string
	if symbols {
		flags = append(flags, "-@")
		opts.Symbols = true
	}
	return compareWithDtcOptions(t, name, files, opts, flags)
}

// compareWithDtcOptions compiles with opts here and with the equivalent
// dtc flags there.
func compareWithDtcOptions(t *testing.T, name string, files map[string]string, opts Options, flags []string) bool {
	t.Helper()
	dir := writeFiles(t, files)
	want, dtcErr, dtcOK := runDtc(t, dir, flags...)
	tree, err := CompileFile(filepath.Join(dir, "main.dts"), opts)
	switch {
	case !dtcOK && err == nil:
		t.Errorf("%s: dtc rejects the source but we accept it\ndtc: %s\nsource:\n%s", name, dtcErr, files["main.dts"])
		return false
	case dtcOK && err != nil:
		t.Errorf("%s: dtc accepts the source but we fail: %v\nsource:\n%s", name, err, files["main.dts"])
		return false
	case !dtcOK:
		return false
	}
	got := tree.Bytes()
	if !bytes.Equal(got, want) {
		show := func(b []byte) string {
			tr, err := fdt.Parse(b)
			if err != nil {
				return fmt.Sprintf("unparsable (%v): %x", err, b)
			}
			return Format(tr)
		}
		t.Errorf("%s: DTB differs from dtc\nsource:\n%s\nours:\n%s\ndtc:\n%s", name, files["main.dts"], show(got), show(want))
		return false
	}
	return true
}

type dtsCase struct {
	name string
	src  string
}

var featureCases = []dtsCase{
	{"minimal", `/dts-v1/; / { };`},
	{"strings", `/dts-v1/; / { a = "x"; b = "x", "yz", ""; c = "esc\t\n\\\"\x41\101\0end"; model = "m"; compatible = "c1", "c2"; d = "\xde\xad\x7f\x01\a\b\v\f\r"; };`},
	{"cells", `/dts-v1/; / { a = <1 2 0x3 0xffffffff 010>; b = <>; c = <0x1UL 2ULL 3U 4L 5LL>; };`},
	{"bits", `/dts-v1/; / { a = /bits/ 8 <1 0xff (-1)>; b = /bits/ 16 <0x1234 (-2)>; c = /bits/ 64 <0x123456789abcdef0 1>; d = /bits/ 32 <7>; };`},
	{"bytes", `/dts-v1/; / { a = [00 01 ff]; b = [0001ff]; c = []; d = [ab cd ef 01]; };`},
	{"mixed", `/dts-v1/; / { a = "s", <1>, [02], /bits/ 16 <3>, "t"; };`},
	{"empty props", `/dts-v1/; / { a; b; ranges; };`},
	{"char literals", `/dts-v1/; / { a = <'a' 'Z' '\n' '\x41' '\101' '\0' '"'>; b = /bits/ 8 <'x' 'y'>; c = <'\''>; };`},
	{"char literal longest match", `/dts-v1/; / { a = <'\'' 'b'>; };`},
	{"expressions", `/dts-v1/; / {
		a = <(1 + 2 * 3) ((1 + 2) * 3) (10 / 3) (10 % 3) (1 << 4) (256 >> 4) (5 - 7)>;
		b = <(~0) (-1) (!0) (!5) (3 & 5) (3 | 5) (3 ^ 5) (1 && 2) (0 || 0) (0 || 3)>;
		c = <(1 < 2) (2 < 1) (1 <= 1) (2 >= 3) (2 > 1) (1 == 1) (1 != 1)>;
		d = <(1 ? 2 : 3) (0 ? 2 : 3) (1 ? 0 ? 4 : 5 : 6) (1 + 2 == 3 ? 0x10 : 0x20)>;
		e = /bits/ 64 <(1 << 40) (0xffffffff * 0x10) ((-1) >> 60) (1 << 64)>;
		f = <(2 - 3 - 4) (100 / 10 / 5) (1 << 2 << 3) ('a' + 1)>;
	};`},
	{"labels and phandles", `/dts-v1/; / {
		intc: interrupt-controller@1000 { reg = <0x1000 0x100>; #interrupt-cells = <1>; };
		clk: clock { #clock-cells = <0>; };
		dev@2000 { interrupt-parent = <&intc>; clocks = <&clk &clk>; other = <&{/dev@3000}>; };
		dev@3000 { p = <&intc 1 &clk>; };
	};`},
	{"phandle order", `/dts-v1/; / {
		a: a { x = <&c>; };
		b: b { y = <&a &b>; };
		c: c { };
		d: d { z = <&b>; };
	};`},
	{"explicit phandles", `/dts-v1/; / {
		a: a { phandle = <1>; };
		b: b { linux,phandle = <2>; };
		c: c { };
		d: d { r = <&c &a &b &d>; };
		e: e { phandle = <&e>; };
		f: f { phandle = <3>; linux,phandle = <3>; };
	};`},
	{"path references", `/dts-v1/; / {
		aliases { serial0 = &uart; s1 = &{/soc/serial@2}; both = &uart, "mid", &{/soc}; };
		chosen { stdout-path = &uart; };
		soc { uart: serial@1 { }; serial@2 { }; };
	};`},
	{"labels everywhere", `/dts-v1/; / {
		ref = <&l1 &l2>;
		l1: l2: n { lp: p = lv1: "a", lv2: <lc1: 1 lc2: 2 lc3:>, [lb1: 01 lb2: 02] lend:; };
	};`},
	{"node merge", `/dts-v1/; / { a { x = <1>; y = <2>; s { }; }; b { }; };
		/ { a { y = <3>; z = <4>; t { }; s { q; }; }; c { }; };`},
	{"label extension", `/dts-v1/; / { soc { u: uart { status = "disabled"; }; }; };
		&u { status = "okay"; current-speed = <115200>; sub { }; };
		&{/soc} { extra; };
		newlabel: &u { more; };
		/ { r = <&newlabel>; };`},
	{"delete property", `/dts-v1/; / { a { x = <1>; y = <2>; z = <3>; }; };
		/ { a { /delete-property/ y; }; };`},
	{"delete and revive property", `/dts-v1/; / { a { x = <1>; y = <2>; z = <3>; }; };
		/ { a { /delete-property/ x; }; };
		/ { a { x = <9>; }; };`},
	{"delete property within one body", `/dts-v1/; / { a { x = <1>; /delete-property/ x; }; };`},
	{"delete node", `/dts-v1/; / { a { b { }; c { }; }; d { }; };
		/ { a { /delete-node/ b; }; };
		/delete-node/ &{/d};`},
	{"delete node by label", `/dts-v1/; / { a { l: b { }; c { }; }; };
		/delete-node/ &l;`},
	{"delete and revive node", `/dts-v1/; / { a { x; }; b { }; };
		/ { /delete-node/ a; };
		/ { a { y; }; };`},
	{"delete node within one body", `/dts-v1/; / { a { }; /delete-node/ a; };`},
	{"reference to deleted label", `/dts-v1/; / { l: a { }; };
		/delete-node/ &l; / { r = <&l>; };`},
	{"memreserve", `/dts-v1/; /memreserve/ 0x10000000 0x4000; /memreserve/ (0x1 << 32) 0x1000; / { };`},
	{"memreserve label", `/dts-v1/; m: /memreserve/ 0 0x1000; / { };`},
	{"boot cpu", `/dts-v1/; / { cpus { #address-cells = <1>; #size-cells = <0>; cpu@3 { reg = <3>; }; cpu@0 { reg = <0>; }; }; };`},
	{"boot cpu two cells", `/dts-v1/; / { cpus { cpu@3 { reg = <0 3>; }; }; };`},
	{"omit if no ref", `/dts-v1/; / {
		r = <&a>;
		/omit-if-no-ref/ a: a { };
		/omit-if-no-ref/ b: b { };
		c: c { };
	};
	/omit-if-no-ref/ &c;`},
	{"name property", `/dts-v1/; / { n@1 { name = "n"; x; }; m { name = "m"; }; };`},
	{"bad name property", `/dts-v1/; / { n@1 { name = "z"; }; };`},
	{"comments", `/dts-v1/; // line
	/* block
	   comment */ / { a = <1 /* inside */ 2>; // tail
	/**/ b; /***/ c; };`},
	{"name chars", `/dts-v1/; / { a,b_c+d.e-f@1,2 { #p?x*y,z; }; };`},
	{"escaped names", `/dts-v1/; / { \node { \prop = <1>; }; };`},
	{"numeric names", `/dts-v1/; / { 1234 { 5678; }; };`},
	{"root label ref", `/dts-v1/; / { a { }; }; &{/} { b; }; &{/a} { c; };`},
	{"duplicate prop", `/dts-v1/; / { a; a; };`},
	{"duplicate node", `/dts-v1/; / { a { }; a { }; };`},
	{"duplicate label", `/dts-v1/; / { l: a { }; l: b { }; };`},
	{"same label twice on a node", `/dts-v1/; / { l: a { }; }; / { l: a { }; };`},
	{"missing label", `/dts-v1/; / { r = <&nope>; };`},
	{"missing path", `/dts-v1/; / { r = &{/nope}; };`},
	{"missing extension target", `/dts-v1/; / { }; &nope { };`},
	{"out of range", `/dts-v1/; / { a = /bits/ 8 <256>; };`},
	{"negative in range", `/dts-v1/; / { a = /bits/ 8 <(-128) (-1)>; b = /bits/ 16 <(-32768)>; c = <(-1)>; };`},
	{"bad bits", `/dts-v1/; / { a = /bits/ 7 <1>; };`},
	{"ref in 16-bit", `/dts-v1/; / { a = /bits/ 16 <&l>; l: n { }; };`},
	{"division by zero", `/dts-v1/; / { a = <(1 / 0)>; };`},
	{"bad literal", `/dts-v1/; / { a = <08>; };`},
	{"huge literal", `/dts-v1/; / { a = /bits/ 64 <0xffffffffffffffff 18446744073709551615>; };`},
	{"too huge literal", `/dts-v1/; / { a = /bits/ 64 <18446744073709551616>; };`},
	{"props after nodes", `/dts-v1/; / { n { }; a; };`},
	{"bad node char", `/dts-v1/; / { a#b { }; };`},
	{"bad prop char", `/dts-v1/; / { a@b; };`},
	{"two at", `/dts-v1/; / { a@1@2 { }; };`},
	{"phandle to other", `/dts-v1/; / { o: o { }; n { phandle = <&o>; }; };`},
	{"bad phandle", `/dts-v1/; / { n { phandle = <0>; }; };`},
	{"dup phandle", `/dts-v1/; / { n { phandle = <5>; }; m { phandle = <5>; }; };`},
	{"mismatched phandles", `/dts-v1/; / { n { phandle = <5>; linux,phandle = <6>; }; };`},
	{"no header", `/ { };`},
	{"syntax error", `/dts-v1/; / { a = ; };`},
	{"two headers", `/dts-v1/; /dts-v1/; / { };`},
	{"string spanning lines", "/dts-v1/; / { a = \"x\ny\"; };"},
	{"crlf", "/dts-v1/;\r\n/ {\r\n\ta = <1>;\r\n};\r\n"},
	{"line markers", "# 1 \"board.dts\"\n/dts-v1/;\n# 10 \"other.dtsi\" 1\n/ { a; };\n"},
	{"deep merge order", `/dts-v1/; / { b { }; a { }; }; / { c { }; a { z { }; }; b { y; }; };`},
	{"self reference", `/dts-v1/; / { n: n { me = <&n>; path = &n; }; };`},
	{"ref phandle before explicit", `/dts-v1/; / { r = <&a>; a: a { }; b { phandle = <1>; }; };`},
	{"omit referenced by path", `/dts-v1/; / { r = &a; /omit-if-no-ref/ a: a { }; };`},
	{"labels then omit", `/dts-v1/; / { r = <&b>; x: /omit-if-no-ref/ y: a { }; /omit-if-no-ref/ b: b { }; };`},
	{"backslash char literal quirk", `/dts-v1/; / { a = <'\\' 'b'>; };`},
	{"label on deleted prop", `/dts-v1/; / { a { x = <1>; }; }; / { a { l: /delete-property/ x; }; };`},
	{"overlay sugar", `/dts-v1/; /plugin/; &uart0 { status = "okay"; }; &{/soc/i2c@1000} { dev@50 { reg = <0x50>; }; };`},
	{"overlay first by path", `/dts-v1/; /plugin/; &{/} { added; }; &gpio { x = <&gpio 1 &other 2>; };`},
	{"overlay local and external refs", `/dts-v1/; /plugin/;
		/ { fragment@100 { target = <&ext>; __overlay__ { l: n { r = <&l &ext2 3 &l>; s = &l; sub { q = <&ext &ext2>; }; }; }; }; };
		&ext3 { p = <&l>; };`},
	{"overlay label merge", `/dts-v1/; /plugin/; / { a: a { }; }; &a { x = <&a &missing>; }; lbl: &{/a} { y; };`},
	{"overlay header mismatch", `/dts-v1/; /plugin/; /dts-v1/; / { };`},
	{"plugin without header", `/dts-v1/; &nolabel { };`},
	{"incbin", `/dts-v1/; / { a = /incbin/("blob.bin"); b = /incbin/("blob.bin", 2, 3); c = "x", /incbin/("blob.bin"); };`},
}

func TestFeaturesMatchDtc(t *testing.T) {
	for _, c := range featureCases {
		files := map[string]string{"main.dts": c.src, "blob.bin": "\x01\x02\x03\x04\x05\x06"}
		compareWithDtc(t, c.name, files, false)
	}
}

func TestSymbolsMatchDtc(t *testing.T) {
	for _, c := range featureCases {
		if !strings.Contains(c.src, ":") {
			continue
		}
		files := map[string]string{"main.dts": c.src, "blob.bin": "\x01\x02\x03\x04\x05\x06"}
		compareWithDtc(t, c.name+" -@", files, true)
	}
}

func TestPhandleFormatsMatchDtc(t *testing.T) {
	for _, format := range []string{"legacy", "both", "epapr"} {
		for _, c := range featureCases {
			if !strings.Contains(c.src, "&") {
				continue
			}
			opts := DefaultOptions()
			opts.PhandleFormat = format
			files := map[string]string{"main.dts": c.src, "blob.bin": "\x01\x02\x03\x04\x05\x06"}
			compareWithDtcOptions(t, c.name+" -H "+format, files, opts, []string{"-H", format})
		}
	}
}

func TestNormalizeDTBRejectsWhatDtcRejects(t *testing.T) {
	dup := &fdt.Tree{Root: &fdt.Node{Children: []*fdt.Node{{Name: "a"}, {Name: "a"}}}}
	badPhandle := &fdt.Tree{Root: &fdt.Node{Children: []*fdt.Node{{Name: "a", Properties: []*fdt.Property{{Name: "phandle", Value: fdt.U32(0)}}}}}}
	samePhandle := &fdt.Tree{Root: &fdt.Node{Children: []*fdt.Node{
		{Name: "a", Properties: []*fdt.Property{{Name: "phandle", Value: fdt.U32(1)}}},
		{Name: "b", Properties: []*fdt.Property{{Name: "phandle", Value: fdt.U32(1)}}}}}}
	badName := &fdt.Tree{Root: &fdt.Node{Children: []*fdt.Node{{Name: "a@1", Properties: []*fdt.Property{{Name: "name", Value: fdt.String("b")}}}}}}
	goodName := &fdt.Tree{Root: &fdt.Node{Children: []*fdt.Node{{Name: "a@1", Properties: []*fdt.Property{{Name: "name", Value: fdt.String("a")}, {Name: "x"}}}}}}
	for i, tree := range []*fdt.Tree{dup, badPhandle, samePhandle, badName, goodName} {
		dir := t.TempDir()
		in := filepath.Join(dir, "in.dtb")
		os.WriteFile(in, tree.Bytes(), 0o644)
		out, dtcErr := exec.Command(dtcPath(t), "-q", "-I", "dtb", "-O", "dtb", "-o", "-", in).Output()
		err := NormalizeDTB(tree)
		if (dtcErr == nil) != (err == nil) {
			t.Errorf("tree %d: dtc error %v, ours %v", i, dtcErr, err)
			continue
		}
		if err == nil && !bytes.Equal(tree.Bytes(), out) {
			t.Errorf("tree %d: normalized blob differs from dtc's", i)
		}
	}
}

func TestIncludeMatchesDtc(t *testing.T) {
	files := map[string]string{
		"main.dts":        "/dts-v1/;\n/include/ \"inc/soc.dtsi\"\n/ { model = \"board\"; };\n&uart0 { status = \"okay\"; };\n",
		"inc/soc.dtsi":    "/ { soc { uart0: serial@0 { status = \"disabled\"; }; }; };\n/include/ \"common.dtsi\"\n",
		"inc/common.dtsi": "/ { common; };\n",
	}
	compareWithDtc(t, "include", files, false)
}

func TestErrorPositions(t *testing.T) {
	cases := []struct {
		src  string
		want string
	}{
		{"/dts-v1/;\n/ {\n\ta = <1 2;\n};\n", "main.dts:3:10: syntax error"},
		{"/dts-v1/;\n/ {\n\tr = <&missing>;\n};\n", "main.dts:3:7: Reference to non-existent node or label \"missing\""},
		{"/dts-v1/;\n/ { };\n&nolabel { };\n", "main.dts:3:1: Label or path nolabel not found"},
		{"/dts-v1/;\n/ {\n  a = <(5 / 0)>;\n};\n", "main.dts:3:11: Division by zero"},
		{"/dts-v1/;\n/ {\n  a = /bits/ 8 <300>;\n};\n", "main.dts:3:17: Value out of range for 8-bit array element"},
		{"# 1 \"orig.dts\"\n/dts-v1/;\n# 20 \"orig.dts\"\n/ { a = \"x; };\n", "orig.dts:20:9: unterminated string"},
		{"/dts-v1/;\n/include/ \"nonexistent.dtsi\"\n", "main.dts:2:1: Couldn't open \"nonexistent.dtsi\""},
		{"/dts-v1/;\n/ { a; a; };\n", "main.dts:2:8: /:a: Duplicate property name"},
	}
	for _, c := range cases {
		dir := writeFiles(t, map[string]string{"main.dts": c.src})
		_, err := CompileFile(filepath.Join(dir, "main.dts"), DefaultOptions())
		if err == nil {
			t.Errorf("%q: compiled, want error %q", c.src, c.want)
			continue
		}
		msg := strings.TrimPrefix(err.Error(), dir+"/")
		if !strings.HasPrefix(msg, c.want) {
			t.Errorf("%q: error %q, want prefix %q", c.src, msg, c.want)
		}
	}
}

// TestDTBToDTSMatchesDtc compiles sources with dtc, then prints the blob
// both with dtc -I dtb -O dts and with Format.
func TestDTBToDTSMatchesDtc(t *testing.T) {
	var srcs []string
	for _, c := range featureCases {
		srcs = append(srcs, c.src)
	}
	srcs = append(srcs, realisticFiles()["main.dts"])
	for i, src := range srcs {
		files := map[string]string{"main.dts": src, "blob.bin": "\x01\x02\x03\x04\x05\x06"}
		if i == len(srcs)-1 {
			files = realisticFiles()
		}
		dir := writeFiles(t, files)
		blob, _, ok := runDtc(t, dir)
		if !ok {
			continue
		}
		blobPath := filepath.Join(dir, "dtc.dtb")
		cmd := exec.Command(dtcPath(t), "-q", "-I", "dtb", "-O", "dts", blobPath)
		want, err := cmd.Output()
		if err != nil {
			t.Fatalf("dtc -I dtb -O dts: %v", err)
		}
		tree, err := fdt.Parse(blob)
		if err != nil {
			t.Fatal(err)
		}
		if err := NormalizeDTB(tree); err != nil {
			t.Fatal(err)
		}
		if got := Format(tree); got != string(want) {
			t.Errorf("case %d: DTS text differs\nours:\n%s\ndtc:\n%s", i, got, want)
		}
	}
}

func FuzzCompile(f *testing.F) {
	for _, c := range featureCases {
		f.Add(c.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		opts := DefaultOptions()
		opts.ReadFile = func(string) ([]byte, error) { return nil, fmt.Errorf("no files in fuzzing") }
		tree, err := Compile("fuzz.dts", []byte(src), opts)
		if err != nil {
			var pe *Error
			var ne *nodeError
			if !errors.As(err, &pe) && !errors.As(err, &ne) {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		if _, err := CompileToSource("fuzz.dts", []byte(src), opts, true); err != nil {
			t.Fatalf("compiles to a blob but not to source: %v", err)
		}
		if tree.Root == nil {
			return // the source deleted "/": dtc writes a blob without nodes
		}
		if _, err := fdt.Parse(tree.Bytes()); err != nil {
			t.Fatalf("compiled tree does not encode to a valid blob: %v", err)
		}
	})
}

// compareSourceWithDtc checks CompileToSource against dtc -I dts -O dts.
func compareSourceWithDtc(t *testing.T, name string, files map[string]string, opts Options, flags []string, sorted bool) bool {
	t.Helper()
	dir := writeFiles(t, files)
	args := append([]string{"-q", "-I", "dts", "-O", "dts"}, flags...)
	if sorted {
		args = append(args, "-s")
	}
	cmd := exec.Command(dtcPath(t), append(args, filepath.Join(dir, "main.dts"))...)
	want, dtcErr := cmd.Output()
	main := filepath.Join(dir, "main.dts")
	src, _ := os.ReadFile(main)
	got, err := CompileToSource(main, src, opts, sorted)
	switch {
	case dtcErr != nil && err == nil:
		t.Errorf("%s: dtc rejects the source but we accept it", name)
		return false
	case dtcErr == nil && err != nil:
		t.Errorf("%s: dtc accepts the source but we fail: %v", name, err)
		return false
	case dtcErr != nil:
		return false
	}
	if got != string(want) {
		t.Errorf("%s: -O dts differs\nsource:\n%s\nours:\n%s\ndtc:\n%s", name, src, got, want)
		return false
	}
	return true
}

func TestSourceOutputMatchesDtc(t *testing.T) {
	for _, c := range featureCases {
		if c.name == "incbin" {
			// dtc 1.6.1 aborts on an assertion printing a string or
			// cell chunk followed by /incbin/ data; keep /incbin/ alone.
			c.src = `/dts-v1/; / { a = /incbin/("blob.bin"); b = /incbin/("blob.bin", 2, 3); };`
		}
		files := map[string]string{"main.dts": c.src, "blob.bin": "\x01\x02\x03\x04\x05\x06"}
		compareSourceWithDtc(t, c.name, files, DefaultOptions(), nil, false)
		opts := DefaultOptions()
		opts.Symbols = true
		compareSourceWithDtc(t, c.name+" -@ -s", files, opts, []string{"-@"}, true)
	}
	compareSourceWithDtc(t, "realistic", realisticFiles(), DefaultOptions(), nil, false)
}
