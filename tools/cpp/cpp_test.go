package cpp

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func gccCpp(t *testing.T, dir, main string, defines ...string) (string, bool) {
	t.Helper()
	out, _, ok := gccCppFull(t, dir, main, defines...)
	return out, ok
}

// gccCppFull also returns cpp's diagnostics; on failure out is stderr.
func gccCppFull(t *testing.T, dir, main string, defines ...string) (out, diag string, ok bool) {
	t.Helper()
	cpp, err := exec.LookPath("cpp")
	if err != nil {
		t.Fatalf("reference tool cpp not found: %v", err)
	}
	args := []string{"-nostdinc", "-undef", "-x", "assembler-with-cpp", "-I", filepath.Join(dir, "include")}
	for _, d := range defines {
		args = append(args, "-D"+d)
	}
	args = append(args, filepath.Join(dir, main))
	cmd := exec.Command(cpp, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	o, err := cmd.Output()
	if err != nil {
		return stderr.String(), stderr.String(), false
	}
	return string(o), stderr.String(), true
}

// tokensOf drops line markers and compares token sequences the way a
// DTS consumer sees them: whitespace only matters as a separator.
func tokensOf(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "# ") {
			continue
		}
		lines = append(lines, l)
	}
	return strings.Join(strings.Fields(strings.Join(lines, "\n")), " ")
}

var cppCases = []struct {
	name, src string
}{
	{"object-like", "#define A 1\n#define B A + A\nx = <A B>;\n"},
	{"function-like", "#define F(a, b) ((a) * (b))\n#define G(x) F(x, x)\nv = <G(3) F(1 + 2, (4, 5))>;\n"},
	{"recursion stops", "#define foo foo bar\n#define a b\n#define b a\nfoo a b\n"},
	{"indirect recursion", "#define f(x) g(x)\n#define g(x) f(x) x\nf(1)\n"},
	{"empty args", "#define E(a) [a]\n#define Z() zero\nE() Z() E( )\n"},
	{"stringize", "#define S(x) #x\n#define X(x) S(x)\n#define V 42\nS(V) X(V) S( a  \"q\\n\"  'c' ) S()\n"},
	{"paste", "#define C(a, b) a ## b\n#define C3(a,b,c) a ## b ## c\nC(foo, bar) C(x, 1) C(, y) C(z, ) C3(a, b, c) C(0x, 10)\n"},
	{"variadic", "#define V(f, ...) f: __VA_ARGS__;\n#define W(...) [__VA_ARGS__]\nV(a, 1, 2, 3) V(b, x) W() W(p, q)\n"},
	{"name without call", "#define F(x) x\nF + F;\nint F\n(1);\n"},
	{"multi-line call", "#define F(a, b) a-b\nx = F(1,\n 2);\ny;\n"},
	{"continuation", "#define L 1 + \\\n 2\nv = L;\nsplit \\\nline\n"},
	{"comments", "#define A /* c */ 1 // tail\nA /* multi\nline */ A // x\n/* a */ #define B 2\nB\n"},
	{"if arithmetic", "#if (1 << 4) == 16 && -1 < 0 && (0xffffffffffffffff > 0) && (-1 > 0u)\nyes\n#else\nno\n#endif\n"},
	{"if defined", "#define A\n#if defined A && defined(A) && !defined(B)\nyes\n#endif\n#ifdef A\na\n#endif\n#ifndef B\nb\n#endif\n"},
	{"elif chain", "#define N 3\n#if N == 1\none\n#elif N == 2\ntwo\n#elif N == 3\nthree\n#else\nmany\n#endif\n"},
	{"nested if", "#if 0\n#if 1\nno\n#else\nno\n#endif\n#elif 1\n#if 0\nno\n#else\nyes\n#endif\n#endif\n"},
	{"ternary and chars", "#if ('A' + 1 == 'B') ? 1 : 0\nchar\n#endif\n#if 10 / 3 == 3 && 10 % 3 == 1 && (7 & 3) == 3 && (4 | 1) == 5 && (6 ^ 3) == 5\nops\n#endif\n"},
	{"undefined identifiers are zero", "#if FOO == 0 && !BAR\nzero\n#endif\n"},
	{"undef", "#define A 1\n#undef A\nA\n"},
	{"dts hash lines", "#define CELLS 2\n#address-cells = <CELLS>;\n\t#size-cells = <1>;\n"},
	{"include", "#include \"sub.h\"\n#include <dt-bindings/x.h>\nSUB X\n"},
	{"quotes", "#define Q x\n\"Q\" 'Q' Q it's\n"},
	{"pp-number", "#define e 1\n#define x 2\n1e+5 0x1e 12x e x\n"},
	{"dts", "#define LBL uart0\n#define REF &LBL\n/ { LBL: serial@1000 { }; r = <REF>; p = REF; };\n"},
	{"error directive", "#error stop here\n"},
	{"unterminated if", "#if 1\nx\n"},
	{"wrong arg count", "#define F(a, b) a\nF(1)\n"},
	{"defines", "A B C\n"},
	{"predefined", "__STDC__ __STDC_HOSTED__ __ASSEMBLER__\n#ifdef __ASSEMBLER__\nasm\n#endif\nline __LINE__\n#define L __LINE__\nL __FILE__\n"},
}

func TestMatchesGccCpp(t *testing.T) {
	for _, c := range cppCases {
		dir := t.TempDir()
		files := map[string]string{
			"main.dts":                c.src,
			"sub.h":                   "#define SUB sub_value\n",
			"include/dt-bindings/x.h": "#ifndef X_H\n#define X_H\n#define X (1 << 2)\n#endif\n",
		}
		for name, content := range files {
			p := filepath.Join(dir, name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(content), 0o644)
		}
		defines := []string{"A=alpha", "B", "C=(1+2)"}
		want, ok := gccCpp(t, dir, "main.dts", defines...)
		got, err := Preprocess(filepath.Join(dir, "main.dts"), Options{
			IncludeDirs: []string{filepath.Join(dir, "include")},
			Defines:     defines,
		})
		if !ok {
			if err == nil {
				t.Errorf("%s: cpp fails (%s) but we accept:\n%s", c.name, strings.TrimSpace(want), got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: cpp accepts but we fail: %v", c.name, err)
			continue
		}
		if tokensOf(string(got)) != tokensOf(want) {
			t.Errorf("%s:\nours: %s\ncpp:  %s", c.name, tokensOf(string(got)), tokensOf(want))
		}
	}
}

// TestLineMarkersKeepPositions: every output line must name the source
// line it came from, so compiler errors point into the original files.
func TestLineMarkersKeepPositions(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "inc.h"), []byte("#define X 1\n\nin_header\n"), 0o644)
	src := "first\n#include \"inc.h\"\n/* a\n b */ after_comment\n#if 0\nskipped\n#endif\nF(1,\n2)\nlast \\\ncontinued\nend\n"
	os.WriteFile(filepath.Join(dir, "m.dts"), []byte(src), 0o644)
	out, err := Preprocess(filepath.Join(dir, "m.dts"), Options{Defines: []string{"F(a,b)=a+b"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"first": "m.dts:1", "in_header": "inc.h:3", "after_comment": "m.dts:4", "1 +2": "m.dts:8", "last": "m.dts:10", "end": "m.dts:12"}
	file, line := "", 0
	for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if strings.HasPrefix(l, "# ") {
			var n int
			var f string
			parts := strings.SplitN(l[2:], " ", 2)
			n = atoi(parts[0])
			f = strings.Trim(strings.Fields(parts[1])[0], "\"")
			file, line = filepath.Base(f), n
			continue
		}
		for tok, pos := range want {
			if strings.HasPrefix(strings.TrimSpace(l), tok) {
				if got := file + ":" + itoa(line); got != pos {
					t.Errorf("%q is at %s, want %s", tok, got, pos)
				}
				delete(want, tok)
			}
		}
		line++
	}
	if len(want) != 0 {
		t.Errorf("not found in output: %v\n%s", want, out)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func FuzzPreprocess(f *testing.F) {
	for _, c := range cppCases {
		f.Add(c.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		opts := Options{ReadFile: func(string) ([]byte, error) { return nil, os.ErrNotExist }}
		PreprocessSource("fuzz.dts", []byte(src), opts)
	})
}
