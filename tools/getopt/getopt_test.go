package getopt

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A spec in util-linux getopt(1)'s terms: -o SHORT -l LONG,LONG:,LONG::
type testSpec struct{ short, long string }

func (ts testSpec) compile() *Spec {
	var longs []Long
	if ts.long != "" {
		for _, l := range strings.Split(ts.long, ",") {
			kind := NoArgument
			switch {
			case strings.HasSuffix(l, "::"):
				kind, l = OptionalArgument, strings.TrimSuffix(l, "::")
			case strings.HasSuffix(l, ":"):
				kind, l = RequiredArgument, strings.TrimSuffix(l, ":")
			}
			longs = append(longs, Long{Name: l, Arg: kind})
		}
	}
	return New(ts.short, longs...)
}

// kindOf is the argument kind of a parsed option (for rendering).
func (s *Spec) kindOf(o Option) ArgKind {
	if strings.HasPrefix(o.As, "--") {
		for _, l := range s.long {
			if "--"+l.Name == o.As {
				return l.Arg
			}
		}
	}
	k, _ := s.shortKind(o.Name[0])
	return k
}

// render prints a parse as util-linux getopt(1) does: each option, its
// value quoted (two quotes for an absent optional one), "--", the operands.
func render(s *Spec, opts []Option, operands []string) string {
	var b strings.Builder
	quote := func(v string) {
		b.WriteString(" '" + strings.ReplaceAll(v, "'", `'\''`) + "'")
	}
	for _, o := range opts {
		b.WriteString(" " + o.As)
		if s.kindOf(o) != NoArgument {
			quote(o.Value)
		}
	}
	b.WriteString(" --")
	for _, op := range operands {
		quote(op)
	}
	return b.String()
}

// parseText is a parse rendered, or "error: " and the message.
func parseText(ts testSpec, args []string) string {
	s := ts.compile()
	opts, operands, err := s.Parse(args)
	if err != nil {
		return "error: " + err.Error()
	}
	return render(s, opts, operands)
}

var (
	mk    = testSpec{"a:A:b:B:c:C:d:D:e:Ef:FG:g:i:k:K:ln:N:p:o:O:rR:qstT:vVxh", "architecture:,os:,type:,load-address:,image:,xip,list,help,compress:"}
	dtc   = testSpec{"qI:O:o:V:d:R:S:p:a:fi:cb:hvH:sW:E:@AL", "in-format:,out:,out-format:,include:,symbols,sort,help,version"}
	fip   = testSpec{"a:b:p:", "align:,blob:,plat-toc-flags:,nt-fw:,nt-fw-cert:,tb-fw:,tb-fw-cert:,out:,force"}
	env   = testSpec{":s:o:rbp:hV", "help,vars-json:"}
	posix = testSpec{"+hv", "help,verbose"}
	opt   = testSpec{"ab:c::", "foobar:,foobaz,xy::,verbose"}
)

// goldens: each argument vector's parse as glibc getopt_long gives it
// (checked against util-linux getopt(1) by TestMatchesGetopt1).
var goldens = []struct {
	spec testSpec
	args []string
	want string
}{
	{mk, []string{"-A", "arm", "-xq", "out"}, ` -A 'arm' -x -q -- 'out'`},
	{mk, []string{"-Aarm", "-d", "a:b", "out", "-T", "multi"}, ` -A 'arm' -d 'a:b' -T 'multi' -- 'out'`},
	{mk, []string{"-xqAarm", "-"}, ` -x -q -A 'arm' -- '-'`},
	{mk, []string{"--arch=arm", "--os", "linux", "--comp", "lz4", "o"}, ` --architecture 'arm' --os 'linux' --compress 'lz4' -- 'o'`},
	{mk, []string{"-d", "--", "out"}, ` -d '--' -- 'out'`},
	{mk, []string{"-d", "-x", "out"}, ` -d '-x' -- 'out'`},
	{mk, []string{"out", "--", "-x", "--list"}, ` -- 'out' '-x' '--list'`},
	{mk, []string{"-Z"}, `error: invalid option -- 'Z'`},
	{mk, []string{"-xZ"}, `error: invalid option -- 'Z'`},
	{mk, []string{"out", "-A"}, `error: option requires an argument -- 'A'`},
	{mk, []string{"--frobnicate", "o"}, `error: unrecognized option '--frobnicate'`},
	{mk, []string{"--frob=1", "o"}, `error: unrecognized option '--frob=1'`},
	{mk, []string{"--xip=1", "o"}, `error: option '--xip' doesn't allow an argument`},
	{mk, []string{"--image"}, `error: option '--image' requires an argument`},
	{mk, []string{"--l", "o"}, `error: option '--l' is ambiguous; possibilities: '--load-address' '--list'`},
	{mk, []string{"--li", "o"}, ` --list -- 'o'`},
	{mk, []string{"-:"}, `error: invalid option -- ':'`},
	{dtc, []string{"-q@", "-Idts", "-O", "dtb", "in.dts", "-o", "x"}, ` -q -@ -I 'dts' -O 'dtb' -o 'x' -- 'in.dts'`},
	{dtc, []string{"-", "-s"}, ` -s -- '-'`},
	{dtc, []string{"--in-format=dtb", "--out", "x", "--sym", "in"}, ` --in-format 'dtb' --out 'x' --symbols -- 'in'`},
	{dtc, []string{"--s", "in"}, `error: option '--s' is ambiguous; possibilities: '--symbols' '--sort'`},
	{dtc, []string{"--out", "x", "--o", "in"}, `error: option '--o' is ambiguous; possibilities: '--out' '--out-format'`},
	{fip, []string{"--tb-fw", "bl2", "fip", "--nt-fw=u"}, ` --tb-fw 'bl2' --nt-fw 'u' -- 'fip'`},
	{fip, []string{"--nt-fw", "u", "--nt", "x"}, `error: option '--nt' is ambiguous; possibilities: '--nt-fw' '--nt-fw-cert'`},
	{fip, []string{"--al", "16", "-b", "uuid=1,file=f", "-a0x10", "x"}, ` --align '16' -b 'uuid=1,file=f' -a '0x10' -- 'x'`},
	{fip, []string{"--=x", "fip"}, `error: option '--=x' is ambiguous; possibilities: '--align' '--blob' '--plat-toc-flags' '--nt-fw' '--nt-fw-cert' '--tb-fw' '--tb-fw-cert' '--out' '--force'`},
	{env, []string{"-s0x1000", "-rb", "in.txt", "-o", "out"}, ` -s '0x1000' -r -b -o 'out' -- 'in.txt'`},
	{env, []string{"-rbs"}, `error: option requires an argument -- 's'`},
	{env, []string{"--vars", "v.json", "-s", "64"}, ` --vars-json 'v.json' -s '64' --`},
	{posix, []string{"-v", "create", "--align", "4"}, ` -v -- 'create' '--align' '4'`},
	{posix, []string{"--verb", "-h", "info", "-v"}, ` --verbose -h -- 'info' '-v'`},
	{posix, []string{"--", "-v"}, ` -- '-v'`},
	{posix, []string{"-x", "info"}, `error: invalid option -- 'x'`},
	{opt, []string{"-c", "1", "-cval", "-b", "--", "x"}, ` -c '' -c 'val' -b '--' -- '1' 'x'`},
	{opt, []string{"--xy", "1", "--xy=", "--xy=2"}, ` --xy '' --xy '' --xy '2' -- '1'`},
	{opt, []string{"--foo=1"}, `error: option '--foo=1' is ambiguous; possibilities: '--foobar' '--foobaz'`},
	{opt, []string{"--foob", "1"}, `error: option '--foob' is ambiguous; possibilities: '--foobar' '--foobaz'`},
	{opt, []string{"--foobaz=", "1"}, `error: option '--foobaz' doesn't allow an argument`},
	{opt, []string{"--foobar=", "1"}, ` --foobar '' -- '1'`},
	{opt, []string{"-ab", "it's", "x y"}, ` -a -b 'it'\''s' -- 'x y'`},
	{opt, []string{"", "-", "-a"}, ` -a -- '' '-'`},
	{opt, []string{"--v"}, ` --verbose --`},
	{opt, []string{}, ` --`},
	{opt, []string{"-\n"}, `error: invalid option -- '\x0a'`},
	{opt, []string{"--x\ny"}, `error: unrecognized option '--x\x0ay'`},
}

func TestGoldens(t *testing.T) {
	for _, g := range goldens {
		if got := parseText(g.spec, g.args); got != g.want {
			t.Errorf("%v with -o %q -l %q:\n got %s\nwant %s", g.args, g.spec.short, g.spec.long, got, g.want)
		}
	}
}

// TestMatchesGetopt1 runs every golden's argument vector through
// util-linux getopt(1), which parses with glibc's getopt_long, and
// compares its output (or its first error line) with ours.
func TestMatchesGetopt1(t *testing.T) {
	tool, err := exec.LookPath("getopt")
	if err != nil {
		t.Fatalf("getopt (Debian package util-linux) is needed for this oracle test: %v", err)
	}
	for _, g := range goldens {
		// A leading ':' only silences glibc's messages; getopt(1)
		// should print them for the comparison.
		cmdArgs := []string{"-n", "getopt", "-o", strings.TrimPrefix(g.spec.short, ":")}
		if g.spec.long != "" {
			cmdArgs = append(cmdArgs, "-l", g.spec.long)
		}
		cmd := exec.Command(tool, append(append(cmdArgs, "--"), g.args...)...)
		// No POSIXLY_CORRECT, no GETOPT_COMPATIBLE: GNU defaults.
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C"}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		want := strings.TrimSuffix(string(out), "\n")
		if err != nil {
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("getopt %v: %v", g.args, err)
			}
			// The first message (getopt(1) goes on after an error), with
			// control characters escaped as ours are.
			first, _, _ := strings.Cut(strings.TrimPrefix(stderr.String(), "getopt: "), "\ngetopt: ")
			first = strings.TrimSuffix(first, "\n")
			want = "error: " + escape(first)
		}
		if got := parseText(g.spec, g.args); got != want {
			t.Errorf("%v with -o %q -l %q:\n     ours %s\ngetopt(1) %s", g.args, g.spec.short, g.spec.long, got, want)
		}
	}
}

func TestOptionFields(t *testing.T) {
	s := New("A:x", Long{Name: "architecture", Arg: RequiredArgument, Short: 'A'}, Long{Name: "compress", Arg: RequiredArgument})
	opts, operands, err := s.Parse([]string{"--arch", "arm", "out", "-x", "--compress=", "-Aarm64"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Option{
		{Name: "A", Value: "arm", HasValue: true, As: "--architecture"},
		{Name: "x", As: "-x"},
		{Name: "compress", Value: "", HasValue: true, As: "--compress"},
		{Name: "A", Value: "arm64", HasValue: true, As: "-A"},
	}
	if len(opts) != len(want) {
		t.Fatalf("got %+v", opts)
	}
	for i := range want {
		if opts[i] != want[i] {
			t.Errorf("option %d: got %+v, want %+v", i, opts[i], want[i])
		}
	}
	if len(operands) != 1 || operands[0] != "out" {
		t.Errorf("operands %q", operands)
	}
}

// TestErrorKeepsEarlierOptions: a caller sees -h before a later error,
// as a getopt loop would.
func TestErrorKeepsEarlierOptions(t *testing.T) {
	opts, _, err := New("h").Parse([]string{"-h", "-Z"})
	var e *Error
	if !errors.As(err, &e) || e.Kind != InvalidOption || e.Option != "-Z" {
		t.Fatalf("err %v", err)
	}
	if len(opts) != 1 || opts[0].Name != "h" {
		t.Errorf("options before the error: %+v", opts)
	}
}

func TestBadSpecPanics(t *testing.T) {
	for _, bad := range []func(){
		func() { New("a;") },
		func() { New("a-") },
		func() { New("a", Long{Name: "x=y"}) },
		func() { New("a", Long{}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("malformed spec accepted")
				}
			}()
			bad()
		}()
	}
}

// FuzzParse: any argument vector parses or fails with a one-line error,
// never a panic; a successful parse, written back in canonical form
// (--name=value, -xVALUE, "--", operands), parses to the same result; and
// every argument is accounted for.
func FuzzParse(f *testing.F) {
	f.Add("-A\x00arm\x00-xq\x00out")
	f.Add("--arch=arm\x00--l\x00--\x00-x")
	f.Add("-c\x001\x00-cval\x00--xy\x00--foo=1")
	f.Add("\x00-\x00--=x\x00-ab")
	s := New("A:xqab:c::", Long{Name: "architecture", Arg: RequiredArgument, Short: 'A'},
		Long{Name: "list", Arg: NoArgument}, Long{Name: "load", Arg: RequiredArgument},
		Long{Name: "xy", Arg: OptionalArgument}, Long{Name: "foobar", Arg: RequiredArgument}, Long{Name: "foobaz"})
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, "\x00")
		opts, operands, err := s.Parse(args)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		if len(operands) > len(args) {
			t.Fatalf("%d operands from %d arguments", len(operands), len(args))
		}
		var canon []string
		for _, o := range opts {
			switch {
			case strings.HasPrefix(o.As, "--") && o.HasValue:
				canon = append(canon, o.As+"="+o.Value)
			case strings.HasPrefix(o.As, "--"):
				canon = append(canon, o.As)
			case o.HasValue && o.Value == "":
				canon = append(canon, o.As, "") // only a required value can be empty
			case o.HasValue:
				canon = append(canon, o.As+o.Value)
			default:
				canon = append(canon, o.As)
			}
		}
		canon = append(append(canon, "--"), operands...)
		opts2, operands2, err := s.Parse(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q: %v", canon, args, err)
		}
		if len(opts2) != len(opts) || len(operands2) != len(operands) {
			t.Fatalf("canonical form %q of %q parses differently", canon, args)
		}
		for i := range opts {
			if opts[i] != opts2[i] {
				t.Fatalf("option %d: %+v, then %+v", i, opts[i], opts2[i])
			}
		}
		for i := range operands {
			if operands[i] != operands2[i] {
				t.Fatalf("operand %d: %q, then %q", i, operands[i], operands2[i])
			}
		}
	})
}
