package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/cpp"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// The C preprocessor subset device trees need, with cpp's command line as
// the Linux kernel uses it for .dts files:
//   fwtool cpp [-nostdinc] [-undef] [-x assembler-with-cpp] [-I DIR]... [-D NAME[=VAL]]...
//              [-U NAME]... [-Wp,-MD,DEPFILE | -MD -MF DEPFILE [-MT TARGET]] [-o OUT] IN [OUT]
// OUT defaults to stdout. See package cpp for what is supported.

const cppUsage = `usage: fwtool cpp [options] <input> [<output>]
  -I <dir>             search <dir> for #include files
  -D <name>[=<value>]  define a macro (value 1 if omitted)
  -U <name>            undefine a macro
  -o <file>            output file (default: stdout)
  -Wp,-MD,<file>, -MD -MF <file> [-MT <target>]
                       write a make dependency file as GCC does
  -nostdinc, -undef, -x assembler-with-cpp, -E
                       accepted: this is always the behaviour
Output has "# line "file"" markers that fwtool dtc and dtc understand.
`

func runCpp(args []string, stdout, stderr io.Writer) int {
	fail := func(format string, a ...interface{}) int {
		fmt.Fprintf(stderr, "fwtool cpp: "+format+"\n", a...)
		return 1
	}
	var opts cpp.Options
	var files []string
	outName := ""
	depFile, depTarget, wantDeps := "", "", false
	for i := 0; i < len(args); i++ {
		a := args[i]
		value := func(flag string) (string, bool) {
			if len(a) > len(flag) {
				return a[len(flag):], true
			}
			if i+1 < len(args) {
				i++
				return args[i], true
			}
			return "", false
		}
		switch {
		case a == "--help" || a == "-h":
			fmt.Fprint(stdout, cppUsage)
			return 0
		case a == "-nostdinc" || a == "-undef" || a == "-E" || a == "-P":
		case a == "-x":
			if i+1 >= len(args) || args[i+1] != "assembler-with-cpp" {
				return fail("-x: only assembler-with-cpp is supported")
			}
			i++
		case a == "-xassembler-with-cpp":
		case strings.HasPrefix(a, "-Wp,-MD,") || strings.HasPrefix(a, "-Wp,-MMD,"):
			// The kernel's way of asking for a dependency file.
			depFile = a[strings.LastIndexByte(a, ',')+1:]
		case a == "-MD" || a == "-MMD":
			wantDeps = true
		case strings.HasPrefix(a, "-MF"):
			v, ok := value("-MF")
			if !ok {
				return fail("-MF needs a file name")
			}
			depFile = v
		case strings.HasPrefix(a, "-MT"):
			v, ok := value("-MT")
			if !ok {
				return fail("-MT needs a target")
			}
			depTarget = v
		case strings.HasPrefix(a, "-I"):
			v, ok := value("-I")
			if !ok {
				return fail("-I needs a directory")
			}
			opts.IncludeDirs = append(opts.IncludeDirs, v)
		case strings.HasPrefix(a, "-D"):
			v, ok := value("-D")
			if !ok {
				return fail("-D needs a macro name")
			}
			opts.Defines = append(opts.Defines, v)
		case strings.HasPrefix(a, "-U"):
			v, ok := value("-U")
			if !ok {
				return fail("-U needs a macro name")
			}
			opts.Undefines = append(opts.Undefines, v)
		case strings.HasPrefix(a, "-o"):
			v, ok := value("-o")
			if !ok {
				return fail("-o needs a file name")
			}
			outName = v
		case a == "-":
			files = append(files, a)
		case strings.HasPrefix(a, "-"):
			return fail("unsupported option %s (see --help)", a)
		default:
			files = append(files, a)
		}
	}
	switch {
	case len(files) == 2 && outName == "":
		outName = files[1]
	case len(files) != 1:
		return fail("need one input file and at most one output (see --help)")
	}
	if wantDeps && depFile == "" {
		return fail("-MD/-MMD need -MF FILE here")
	}
	deps := []string{files[0]}
	opts.Opened = func(p string) { deps = append(deps, p) }
	var out []byte
	var err error
	if files[0] == "-" {
		var src []byte
		if src, err = io.ReadAll(os.Stdin); err == nil {
			out, err = cpp.PreprocessSource("<stdin>", src, opts)
		}
	} else {
		out, err = cpp.Preprocess(files[0], opts)
	}
	if err != nil {
		return fail("%v", err)
	}
	// The dependency file and the output go into place together.
	w := outfile.NewBatch()
	defer w.Abort()
	if depFile != "" {
		if depTarget == "" {
			depTarget = cpp.DepsTarget(files[0])
		}
		if err := w.WriteBytes(depFile, []byte(cpp.WriteDeps(depTarget, deps))); err != nil {
			return fail("%v", err)
		}
	}
	if outName == "" || outName == "-" {
		if _, err := stdout.Write(out); err != nil {
			return fail("%v", err)
		}
	} else if err := w.WriteBytes(outName, out); err != nil {
		return fail("%v", err)
	}
	if err := w.Commit(); err != nil {
		return fail("%v", err)
	}
	return 0
}
