package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/dts"
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/getopt"
	"github.com/rules-firmware/rules_firmware/tools/input"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// Device tree compiler with dtc's command line:
//   fwtool dtc [-I dts|dtb] [-O dtb|dts] [-o OUT] [-p PAD] [-S SIZE] [-a ALIGN]
//              [-b CPU] [-R N] [-@] [-s] [-i DIR]... [-d DEPFILE] [-q] [-W|-E WARNING]...
//              [-H epapr|legacy|both] IN
// IN may be "-" for stdin; OUT defaults to stdout. Input must be
// preprocessed (see package dts).

func registerDtcFormats() {
	registerLister(lister{
		name: "dtb",
		// After FIT and fdtmap, which are DTBs too but have their own listing.
		priority: 90,
		probe: func(f *os.File, size int64) bool {
			var hdr [fdt.HeaderSize]byte
			if _, err := io.ReadFull(f, hdr[:]); err != nil {
				return false
			}
			return string(hdr[:4]) == "\xd0\x0d\xfe\xed"
		},
		list: listDTB,
	})
}

const dtcUsage = `usage: fwtool dtc [options] <input file>
  -I <fmt>     input format: dts or dtb (default: guessed from the input)
  -O <fmt>     output format: dtb or dts (default: from the output name, else dtb for dts input)
  -o <file>    output file (default: stdout)
  -p <bytes>   add this much padding after the blob
  -S <bytes>   make the blob at least this big
  -a <bytes>   align the blob size to this power of two
  -b <cpu>     boot CPU id in the header (default: reg of the first /cpus child)
  -R <n>       add n empty memory reservation entries
  -@           add /__symbols__ for every label
  -s           sort nodes and properties by name
  -i <dir>     search this directory for /include/ and /incbin/ files
  -d <file>    write a make dependency file (output: input and included files)
  -H <fmt>     phandle properties: epapr (default), legacy or both
  -q, -W, -E   accepted for compatibility; warnings are not reported
Input must be preprocessed: run "fwtool cpp -nostdinc -undef -x assembler-with-cpp -I DIR"
(or cpp with the same flags) first for sources using #include/#define; /include/ is ours.
`

// dtcArgs is dtc's getopt_long description; long options report their
// short letter.
func dtcArgs() *getopt.Spec {
	return getopt.New("qI:O:o:V:d:R:S:p:a:fi:cb:hvH:sW:E:@AL",
		getopt.Long{Name: "quiet", Short: 'q'},
		getopt.Long{Name: "in-format", Arg: getopt.RequiredArgument, Short: 'I'},
		getopt.Long{Name: "out", Arg: getopt.RequiredArgument, Short: 'o'},
		getopt.Long{Name: "out-format", Arg: getopt.RequiredArgument, Short: 'O'},
		getopt.Long{Name: "out-version", Arg: getopt.RequiredArgument, Short: 'V'},
		getopt.Long{Name: "out-dependency", Arg: getopt.RequiredArgument, Short: 'd'},
		getopt.Long{Name: "reserve", Arg: getopt.RequiredArgument, Short: 'R'},
		getopt.Long{Name: "space", Arg: getopt.RequiredArgument, Short: 'S'},
		getopt.Long{Name: "pad", Arg: getopt.RequiredArgument, Short: 'p'},
		getopt.Long{Name: "align", Arg: getopt.RequiredArgument, Short: 'a'},
		getopt.Long{Name: "boot-cpu", Arg: getopt.RequiredArgument, Short: 'b'},
		getopt.Long{Name: "force", Short: 'f'},
		getopt.Long{Name: "include", Arg: getopt.RequiredArgument, Short: 'i'},
		getopt.Long{Name: "sort", Short: 's'},
		getopt.Long{Name: "phandle", Arg: getopt.RequiredArgument, Short: 'H'},
		getopt.Long{Name: "warning", Arg: getopt.RequiredArgument, Short: 'W'},
		getopt.Long{Name: "error", Arg: getopt.RequiredArgument, Short: 'E'},
		getopt.Long{Name: "symbols", Short: '@'},
		getopt.Long{Name: "auto-alias", Short: 'A'},
		getopt.Long{Name: "help", Short: 'h'},
		getopt.Long{Name: "version", Short: 'v'},
	)
}

// dtcOptions is the parsed command line.
type dtcOptions struct {
	inForm, outForm, outName string
	pad, minSize, align      int
	reserveSlots             int
	bootCPU                  int64 // -1: from the tree
	symbols, sortTree        bool
	phandleFormat            string
	depName                  string
	includeDirs              []string
	input                    string
	help, version            bool
}

// parseDtcArgs reads dtc's command line; -h and -v answer at once, as
// in dtc's getopt loop.
func parseDtcArgs(args []string) (dtcOptions, error) {
	o := dtcOptions{outName: "-", bootCPU: -1}
	sc := dtcArgs().Scan(args)
	for sc.Next() {
		opt := sc.Option()
		switch opt.Name {
		case "h":
			o.help = true
			return o, nil
		case "v":
			o.version = true
			return o, nil
		}
		if err := o.set(opt.Name[0], opt.Value); err != nil {
			return o, err
		}
	}
	if err := sc.Err(); err != nil {
		return o, fmt.Errorf("%v (see --help)", err)
	}
	if len(sc.Operands()) != 1 {
		return o, fmt.Errorf("need exactly one input file (see --help)")
	}
	o.input = sc.Operands()[0]
	if o.pad > 0 && o.minSize > 0 {
		return o, fmt.Errorf("-p and -S cannot be used together")
	}
	return o, nil
}

func dtcNumber(opt byte, v string) (int64, error) {
	n, err := strconv.ParseInt(v, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("-%c: bad number %q", opt, v)
	}
	return n, nil
}

// dtcSize reads a -p/-S/-a/-R count bounded by limit (what says why).
func dtcSize(opt byte, v string, limit int64, what string) (int, error) {
	n, err := dtcNumber(opt, v)
	if err == nil && n > limit {
		err = fmt.Errorf("-%c %s: %s", opt, v, what)
	}
	return int(n), err
}

func (o *dtcOptions) set(opt byte, val string) error {
	var err error
	switch opt {
	case 'I':
		o.inForm = val
	case 'O':
		o.outForm = val
	case 'o':
		o.outName = val
	case 'p':
		o.pad, err = dtcSize(opt, val, fdt.MaxTotalSize, "more padding than a DTB's 32-bit totalsize can hold")
	case 'S':
		o.minSize, err = dtcSize(opt, val, fdt.MaxTotalSize, "bigger than a DTB's 32-bit totalsize can hold")
	case 'a':
		var n int64
		n, err = dtcNumber(opt, val)
		o.align = int(n)
		if err == nil && (n <= 0 || n&(n-1) != 0) {
			err = fmt.Errorf("-a: invalid alignment %s, must be a power of 2", val)
		}
		if err == nil && n > fdt.MaxTotalSize {
			err = fmt.Errorf("-a %s: bigger than a DTB's 32-bit totalsize can hold", val)
		}
	case 'b':
		o.bootCPU, err = dtcNumber(opt, val)
	case 'R':
		o.reserveSlots, err = dtcSize(opt, val, maxReserveSlots, fmt.Sprintf("more than %d spare reservation slots (%d MiB of reserve map)", maxReserveSlots, maxReserveSlots*16>>20))
	case 'V':
		var n int64
		if n, err = dtcNumber(opt, val); err == nil && n != 17 {
			err = fmt.Errorf("-V: only output version 17 is supported")
		}
	case 'i':
		o.includeDirs = append(o.includeDirs, val)
	case 'd':
		o.depName = val
	case 'H':
		if val != "epapr" && val != "legacy" && val != "both" {
			err = fmt.Errorf("-H %s: invalid phandle format (legacy, epapr or both)", val)
		}
		o.phandleFormat = val
	case '@':
		o.symbols = true
	case 's':
		o.sortTree = true
	case 'q', 'W', 'E':
		// Warnings are not reported, so their switches change nothing.
	default:
		err = fmt.Errorf("-%c is not supported", opt)
	}
	return err
}

// compileOptions are the dts compiler's options from the command line;
// deps collects the files the compiler opens.
func (o *dtcOptions) compileOptions(deps *[]string) dts.Options {
	opts := dts.DefaultOptions()
	opts.IncludeDirs = o.includeDirs
	opts.Opened = func(p string) { *deps = append(*deps, p) }
	opts.Symbols = o.symbols
	if o.bootCPU >= 0 {
		cpu := uint32(o.bootCPU)
		opts.BootCPUID = &cpu
	}
	opts.PhandleFormat = o.phandleFormat
	return opts
}

func runDtc(args []string, stdout, stderr io.Writer) int {
	fail := func(format string, a ...interface{}) int {
		fmt.Fprintf(stderr, "fwtool dtc: "+format+"\n", a...)
		return 1
	}
	o, err := parseDtcArgs(args)
	switch {
	case err != nil:
		return fail("%v", err)
	case o.help:
		fmt.Fprint(stdout, dtcUsage)
		return 0
	case o.version:
		fmt.Fprintln(stdout, "Version: fwtool dtc (DTC 1.6.1 compatible)")
		return 0
	}
	inForm, outForm, outName := o.inForm, o.outForm, o.outName
	in := o.input
	deps := []string{in}
	if in == "-" {
		deps[0] = "<stdin>"
	}
	// Bounded: a DTB's totalsize is 32-bit (and so, in practice, is any
	// source compiled to one); devices and endless pipes are refused.
	var src []byte
	if in == "-" {
		in = "<stdin>"
		src, err = input.Read(in, os.Stdin, fdt.MaxTotalSize, "a DTB's totalsize is 32-bit")
	} else {
		// Mapped (read-only; files of 64 KiB or more): the blob parser
		// copies what it keeps and the compilers only read the text, so
		// a large input costs no copy into fresh pages.
		var release func()
		src, release, err = input.Map(in, fdt.MaxTotalSize, "a DTB's totalsize is 32-bit")
		if err == nil {
			defer release()
		}
	}
	if err != nil {
		return fail("%v", err)
	}
	if inForm == "" {
		inForm = "dts"
		if bytes.HasPrefix(src, []byte("\xd0\x0d\xfe\xed")) {
			inForm = "dtb"
		}
	}
	if outForm == "" {
		switch {
		case strings.HasSuffix(outName, ".dts"):
			outForm = "dts"
		case strings.HasSuffix(outName, ".dtb"), inForm == "dts":
			outForm = "dtb"
		default:
			outForm = "dts"
		}
	}
	// The dependency file is written once the input is known to compile,
	// and goes into place together with the output.
	w := outfile.NewBatch()
	defer w.Abort()
	writeDeps := func() int {
		if o.depName == "" {
			return 0
		}
		text := outName + ":"
		for _, d := range deps {
			text += " " + d
		}
		if err := w.WriteBytes(o.depName, []byte(text+"\n")); err != nil {
			return fail("%v", err)
		}
		return 0
	}
	if inForm == "dts" && outForm == "dts" {
		// Source to source keeps labels and value types, as dtc does.
		opts := o.compileOptions(&deps)
		text, err := dts.CompileToSource(in, src, opts, o.sortTree)
		if err != nil {
			return fail("%v", err)
		}
		if rc := writeDeps(); rc != 0 {
			return rc
		}
		return writeDtcOutput(w, outName, []byte(text), stdout, fail)
	}
	var tree *fdt.Tree
	switch inForm {
	case "dts":
		opts := o.compileOptions(&deps)
		if tree, err = dts.Compile(in, src, opts); err != nil {
			return fail("%v", err)
		}
	case "dtb":
		// -@ has no labels to list in a blob, so it changes nothing (as in dtc).
		if tree, err = fdt.Parse(src); err != nil {
			return fail("%s: %v", in, err)
		}
		if err := dts.NormalizeDTB(tree); err != nil {
			return fail("%s: %v", in, err)
		}
		if o.bootCPU >= 0 {
			tree.BootCPUID = uint32(o.bootCPU)
		}
	default:
		return fail("-I %s: unsupported input format (dts or dtb)", inForm)
	}
	if o.sortTree {
		dts.SortTree(tree)
	}
	var out []byte
	switch outForm {
	case "dtb":
		for i := 0; i < o.reserveSlots; i++ {
			// Zero entries before the terminator are dtc -R's spare slots.
			tree.Reserve = append(tree.Reserve, fdt.Reservation{})
		}
		if out, err = tree.Encode(fdt.EncodeOptions{Pad: o.pad, MinSize: o.minSize, Align: o.align}); err != nil {
			return fail("%v", err)
		}
	case "dts":
		// Printed straight to the output: the text of a big blob is
		// several times its size.
		if rc := writeDeps(); rc != 0 {
			return rc
		}
		return printDtcOutput(w, outName, tree, stdout, fail)
	default:
		return fail("-O %s: unsupported output format (dtb or dts)", outForm)
	}
	if rc := writeDeps(); rc != 0 {
		return rc
	}
	return writeDtcOutput(w, outName, out, stdout, fail)
}

// maxReserveSlots bounds dtc -R: spare /memreserve/ slots are 16 bytes
// each, and boot loaders scan the map linearly.
const maxReserveSlots = 1 << 20

// printDtcOutput prints tree as source to outName (or stdout for "-").
func printDtcOutput(w *outfile.Batch, outName string, tree *fdt.Tree, stdout io.Writer, fail func(string, ...interface{}) int) int {
	var err error
	if outName == "-" {
		err = dts.Print(stdout, tree)
	} else {
		err = w.Write(outName, outfile.FileMode, func(f *os.File) error { return dts.Print(f, tree) })
	}
	if err != nil {
		return fail("%v", err)
	}
	if err := w.Commit(); err != nil {
		return fail("%v", err)
	}
	return 0
}

func writeDtcOutput(w *outfile.Batch, outName string, out []byte, stdout io.Writer, fail func(string, ...interface{}) int) int {
	if outName == "-" {
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

// listDTB prints a DTB as dtc would print it as source; PATTERN arguments
// name node paths to print instead of the whole tree.
func listDTB(f *os.File, size int64, args []string, stdout io.Writer) error {
	if err := input.CheckSize(f.Name(), size, fdt.MaxTotalSize, "a DTB's totalsize is 32-bit"); err != nil {
		return err
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, size), b); err != nil {
		return err
	}
	tree, err := fdt.Parse(b)
	if err != nil {
		return fmt.Errorf("DTB: %w", err)
	}
	if len(args) == 0 {
		return dts.Print(stdout, tree)
	}
	for _, path := range args {
		n := tree.Lookup(path)
		if n == nil {
			return fmt.Errorf("DTB: no node %s", path)
		}
		sub := &fdt.Tree{Root: &fdt.Node{Properties: n.Properties, Children: n.Children}}
		text := dts.Format(sub)
		text = strings.TrimPrefix(text, "/dts-v1/;\n\n")
		fmt.Fprintf(stdout, "%s:\n%s", path, text)
	}
	return nil
}
