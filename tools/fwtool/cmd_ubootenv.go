package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/rules-firmware/rules_firmware/tools/getopt"
	"github.com/rules-firmware/rules_firmware/tools/input"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
	"github.com/rules-firmware/rules_firmware/tools/staticerr"
	"github.com/rules-firmware/rules_firmware/tools/ubootenv"
)

// U-Boot environment images with mkenvimage's command line:
//   fwtool mkenvimage [-r] [-b] [-p BYTE] -s SIZE [-o OUT] [INPUT|-]
// plus --vars-json FILE (a JSON array of [name, value] pairs, in order) so a
// build rule can pass values mkenvimage's text syntax cannot carry (a value
// ending in a backslash, or a line of a value starting with '#').

func registerUbootenvFormats() {
	registerLister(lister{
		name: "ubootenv",
		// An environment has no magic number; it is recognised by its CRC,
		// so every format with a magic gets its chance first.
		priority: 90,
		probe: func(f *os.File, size int64) bool {
			if size < 8 || size > maxEnvProbeSize {
				return false
			}
			data, err := io.ReadAll(f)
			if err != nil {
				return false
			}
			_, _, ok := ubootenv.Detect(data)
			return ok
		},
		list: listUbootEnv,
	})
}

// envTextLimit is the least bound on mkenvimage's text input.
const envTextLimit = 64 << 20

// maxEnvProbeSize bounds the CRC probe: environments are kilobytes, and
// larger files (disk images) should not be read whole just to be rejected.
const maxEnvProbeSize = 64 << 20

func listUbootEnv(f *os.File, size int64, args []string, stdout io.Writer) error {
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	e, err := ubootenv.Parse(data)
	if err != nil {
		return fmt.Errorf("U-Boot environment: %w", err)
	}
	layout := "single copy"
	if e.Redundant {
		layout = fmt.Sprintf("redundant copy, flags 0x%02x", e.Flags)
	}
	order := "little-endian"
	if e.BigEndian {
		order = "big-endian"
	}
	fmt.Fprintf(stdout, "U-Boot environment: size 0x%x (%s), CRC 0x%08x %s, %d variables, %d of %d data bytes used\n",
		len(data), layout, e.CRC, order, len(e.Vars), e.Used, e.DataSize)
	matched := 0
	for _, v := range e.Vars {
		if len(args) != 0 && !matchAny(args, v.Name) {
			continue
		}
		matched++
		fmt.Fprintf(stdout, "%s=%s\n", v.Name, v.Value)
	}
	if len(args) != 0 && matched == 0 {
		return fmt.Errorf("no variable matches %q", args)
	}
	return nil
}

const mkenvimageUsage = `usage: fwtool mkenvimage [-h] [-V] [-r] [-b] [-p BYTE] -s SIZE [-o OUTPUT] [INPUT|-]
       fwtool mkenvimage ... --vars-json FILE -s SIZE -o OUTPUT

Writes a U-Boot environment image byte-for-byte as mkenvimage does.
INPUT holds name=value lines; empty lines and lines starting with '#' are
skipped; a backslash at the end of a line continues the value on the next
line (with an embedded newline). INPUT '-' or no INPUT reads standard input;
no -o or -o - writes standard output.
  -s SIZE   size of the environment storage (decimal, 0x hex or 0 octal)
  -r        redundant environment: a flag byte follows the CRC
  -b        big-endian CRC
  -p BYTE   fill byte for the unused area (default 0xff)
  --vars-json FILE
            take the variables from a JSON array of [name, value] pairs
            instead of INPUT
A variable without '=' or with an empty name is an error (mkenvimage would
write it and U-Boot would drop it).
`

type mkenvimageArgs struct {
	opts     ubootenv.Options
	sizeSet  bool
	output   string
	input    string
	varsJSON string
}

var errMkenvimageHelp error = &staticerr.Error{Text: "help"}
var errMkenvimageVersion error = &staticerr.Error{Text: "version"}

// mkenvimageSpec is mkenvimage's getopt string plus our long options.
func mkenvimageSpec() *getopt.Spec {
	return getopt.New(":s:o:rbp:hV",
		getopt.Long{Name: "help", Short: 'h'},
		getopt.Long{Name: "vars-json", Arg: getopt.RequiredArgument})
}

// parseMkenvimageArgs follows mkenvimage's getopt string ":s:o:rbp:hV"
// (see tools/getopt): options may follow the input file name.
func parseMkenvimageArgs(args []string) (mkenvimageArgs, error) {
	a := mkenvimageArgs{opts: ubootenv.DefaultOptions(0)}
	sc := mkenvimageSpec().Scan(args)
	for sc.Next() {
		if err := a.set(sc.Option()); err != nil {
			return a, err
		}
	}
	if err := sc.Err(); err != nil {
		return a, err
	}
	positional := sc.Operands()
	if len(positional) > 1 {
		return a, fmt.Errorf("want at most one input file, got %d", len(positional))
	}
	if len(positional) == 1 {
		a.input = positional[0]
	}
	if !a.sizeSet || a.opts.Size == 0 {
		return a, errors.New("-s: the size of the environment storage is required")
	}
	if a.varsJSON != "" && a.input != "" {
		return a, fmt.Errorf("give either an input file (%s) or --vars-json (%s), not both", a.input, a.varsJSON)
	}
	return a, nil
}

func (a *mkenvimageArgs) set(opt getopt.Option) error {
	value := opt.Value
	switch opt.Name {
	case "h":
		return errMkenvimageHelp
	case "V":
		return errMkenvimageVersion
	case "r":
		a.opts.Redundant = true
	case "b":
		a.opts.BigEndian = true
	case "vars-json":
		a.varsJSON = value
	case "o":
		a.output = value
	case "s":
		n, err := strconv.ParseInt(value, 0, 64)
		if err != nil || n <= 0 || n > 1<<31 {
			return fmt.Errorf("-s %s: size must be a positive number", value)
		}
		a.opts.Size, a.sizeSet = int(n), true
	case "p":
		n, err := strconv.ParseUint(value, 0, 64)
		if err != nil || n > 0xff {
			return fmt.Errorf("-p %s: pad byte must be a number from 0 to 255", value)
		}
		a.opts.Pad = byte(n)
	}
	return nil
}

func runMkenvimage(args []string, stdout, stderr io.Writer) int {
	return runMkenvimageWithStdin(args, os.Stdin, stdout, stderr)
}

func runMkenvimageWithStdin(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a, err := parseMkenvimageArgs(args)
	switch {
	case err == errMkenvimageHelp:
		fmt.Fprint(stdout, mkenvimageUsage)
		return 0
	case err == errMkenvimageVersion:
		fmt.Fprintln(stdout, "fwtool mkenvimage (command line of mkenvimage 2023.01)")
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "fwtool mkenvimage: %v (see fwtool mkenvimage --help)\n", err)
		return 2
	}
	image, err := buildEnvImage(a, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "fwtool mkenvimage: %v\n", err)
		return 1
	}
	if a.output == "" || a.output == "-" {
		if _, err := stdout.Write(image); err != nil {
			fmt.Fprintf(stderr, "fwtool mkenvimage: writing standard output: %v\n", err)
			return 1
		}
		return 0
	}
	if err := outfile.WriteBytes(a.output, image); err != nil {
		fmt.Fprintf(stderr, "fwtool mkenvimage: %v\n", err)
		return 1
	}
	return 0
}

func buildEnvImage(a mkenvimageArgs, stdin io.Reader) ([]byte, error) {
	if a.varsJSON != "" {
		raw, err := os.ReadFile(a.varsJSON)
		if err != nil {
			return nil, fmt.Errorf("--vars-json %s: %w", a.varsJSON, unwrapPathError(err))
		}
		var pairs [][]string
		if err := json.Unmarshal(raw, &pairs); err != nil {
			return nil, fmt.Errorf("--vars-json %s: want a JSON array of [name, value] pairs: %v", a.varsJSON, err)
		}
		vars := make([]ubootenv.Var, len(pairs))
		for i, p := range pairs {
			if len(p) != 2 {
				return nil, fmt.Errorf("--vars-json %s: entry %d has %d elements, want [name, value]", a.varsJSON, i, len(p))
			}
			vars[i] = ubootenv.Var{Name: p[0], Value: p[1]}
		}
		image, err := ubootenv.FromVars(vars, a.opts)
		if err != nil {
			return nil, fmt.Errorf("--vars-json %s: %w", a.varsJSON, err)
		}
		return image, nil
	}
	name := a.input
	var text []byte
	var err error
	// Text beyond a few times the storage size cannot fit it (only
	// comments and blank lines are dropped); the bound keeps an endless
	// input from being read forever.
	limit := int64(envTextLimit)
	if l := 4 * int64(a.opts.Size); l > limit {
		limit = l
	}
	if name == "" || name == "-" {
		name = "<stdin>"
		text, err = input.Read(name, stdin, limit, "environment text")
	} else {
		// Mapped, not copied: the text is only read, once.
		var release func()
		text, release, err = input.Map(name, limit, "environment text")
		if err == nil {
			defer release()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, input.Detail(err))
	}
	image, err := ubootenv.FromText(text, a.opts)
	if err != nil {
		var se *ubootenv.SyntaxError
		if errors.As(err, &se) {
			// file:line: message, as compilers print it.
			return nil, fmt.Errorf("%s:%d: %s", name, se.Line, se.Msg)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return image, nil
}
