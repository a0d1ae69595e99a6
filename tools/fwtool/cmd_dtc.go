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
	"github.com/rules-firmware/rules_firmware/tools/input"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// Device tree compiler with dtc's command line:
//   fwtool dtc [-I dts|dtb] [-O dtb|dts] [-o OUT] [-p PAD] [-S SIZE] [-a ALIGN]
//              [-b CPU] [-R N] [-@] [-s] [-i DIR]... [-d DEPFILE] [-q] [-W|-E WARNING]...
//              [-H epapr|legacy|both] IN
// IN may be "-" for stdin; OUT defaults to stdout. Input must be
// preprocessed (see package dts).

func init() {
	register("dtc", "compile device tree source to a DTB, or print a DTB as source (dtc's command line)", runDtc)
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

// dtcOptions is dtc's getopt string: letters followed by ':' take a value.
const dtcOptions = "qI:O:o:V:d:R:S:p:a:fi:cb:hvH:sW:E:@AL"

func runDtc(args []string, stdout, stderr io.Writer) int {
	fail := func(format string, a ...interface{}) int {
		fmt.Fprintf(stderr, "fwtool dtc: "+format+"\n", a...)
		return 1
	}
	inForm, outForm, outName := "", "", "-"
	var pad, minSize, align, reserveSlots int
	bootCPU := int64(-1)
	symbols, sortTree := false, false
	phandleFormat := ""
	depName := ""
	var includeDirs []string
	var inputs []string
	num := func(opt byte, v string) (int64, error) {
		n, err := strconv.ParseInt(v, 0, 64)
		if err != nil {
			return 0, fmt.Errorf("-%c: bad number %q", opt, v)
		}
		return n, nil
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--help" || a == "-h":
			fmt.Fprint(stdout, dtcUsage)
			return 0
		case a == "--":
			inputs = append(inputs, args[i+1:]...)
			i = len(args)
			continue
		case a == "-" || !strings.HasPrefix(a, "-"):
			inputs = append(inputs, a)
			continue
		case strings.HasPrefix(a, "--"):
			return fail("unsupported option %s (see --help)", a)
		}
		// A cluster of short options, getopt style: "-q@", "-Idts", "-I dts".
		for j := 1; j < len(a); j++ {
			opt := a[j]
			k := strings.IndexByte(dtcOptions, opt)
			if k < 0 || opt == ':' {
				return fail("unknown option -%c (see --help)", opt)
			}
			var val string
			if k+1 < len(dtcOptions) && dtcOptions[k+1] == ':' {
				if j+1 < len(a) {
					val = a[j+1:]
				} else if i+1 < len(args) {
					i++
					val = args[i]
				} else {
					return fail("option -%c needs a value", opt)
				}
				j = len(a)
			}
			var err error
			var n int64
			switch opt {
			case 'I':
				inForm = val
			case 'O':
				outForm = val
			case 'o':
				outName = val
			case 'p':
				n, err = num(opt, val)
				pad = int(n)
				if err == nil && n > fdt.MaxTotalSize {
					err = fmt.Errorf("-p %s: more padding than a DTB's 32-bit totalsize can hold", val)
				}
			case 'S':
				n, err = num(opt, val)
				minSize = int(n)
				if err == nil && n > fdt.MaxTotalSize {
					err = fmt.Errorf("-S %s: bigger than a DTB's 32-bit totalsize can hold", val)
				}
			case 'a':
				n, err = num(opt, val)
				align = int(n)
				if err == nil && (n <= 0 || n&(n-1) != 0) {
					err = fmt.Errorf("-a: invalid alignment %s, must be a power of 2", val)
				}
				if err == nil && n > fdt.MaxTotalSize {
					err = fmt.Errorf("-a %s: bigger than a DTB's 32-bit totalsize can hold", val)
				}
			case 'b':
				bootCPU, err = num(opt, val)
			case 'R':
				n, err = num(opt, val)
				reserveSlots = int(n)
				if err == nil && n > maxReserveSlots {
					err = fmt.Errorf("-R %s: more than %d spare reservation slots (%d MiB of reserve map)", val, maxReserveSlots, maxReserveSlots*16>>20)
				}
			case 'V':
				if n, err = num(opt, val); err == nil && n != 17 {
					err = fmt.Errorf("-V: only output version 17 is supported")
				}
			case 'i':
				includeDirs = append(includeDirs, val)
			case 'd':
				depName = val
			case 'H':
				if val != "epapr" && val != "legacy" && val != "both" {
					err = fmt.Errorf("-H %s: invalid phandle format (legacy, epapr or both)", val)
				}
				phandleFormat = val
			case '@':
				symbols = true
			case 's':
				sortTree = true
			case 'q', 'W', 'E':
				// Warnings are not reported, so their switches change nothing.
			case 'v':
				fmt.Fprintln(stdout, "Version: fwtool dtc (DTC 1.6.1 compatible)")
				return 0
			default:
				err = fmt.Errorf("-%c is not supported", opt)
			}
			if err != nil {
				return fail("%v", err)
			}
		}
	}
	if len(inputs) != 1 {
		return fail("need exactly one input file (see --help)")
	}
	if pad > 0 && minSize > 0 {
		return fail("-p and -S cannot be used together")
	}
	in := inputs[0]
	deps := []string{in}
	if in == "-" {
		deps[0] = "<stdin>"
	}
	// Bounded: a DTB's totalsize is 32-bit (and so, in practice, is any
	// source compiled to one); devices and endless pipes are refused.
	var src []byte
	var err error
	if in == "-" {
		in = "<stdin>"
		src, err = input.Read(in, os.Stdin, fdt.MaxTotalSize, "a DTB's totalsize is 32-bit")
	} else {
		src, err = input.ReadFile(in, fdt.MaxTotalSize, "a DTB's totalsize is 32-bit")
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
		if depName == "" {
			return 0
		}
		text := outName + ":"
		for _, d := range deps {
			text += " " + d
		}
		if err := w.WriteBytes(depName, []byte(text+"\n")); err != nil {
			return fail("%v", err)
		}
		return 0
	}
	if inForm == "dts" && outForm == "dts" {
		// Source to source keeps labels and value types, as dtc does.
		opts := dts.DefaultOptions()
		opts.IncludeDirs = includeDirs
		opts.Opened = func(p string) { deps = append(deps, p) }
		opts.Symbols = symbols
		if bootCPU >= 0 {
			cpu := uint32(bootCPU)
			opts.BootCPUID = &cpu
		}
		opts.PhandleFormat = phandleFormat
		text, err := dts.CompileToSource(in, src, opts, sortTree)
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
		opts := dts.DefaultOptions()
		opts.IncludeDirs = includeDirs
		opts.Opened = func(p string) { deps = append(deps, p) }
		opts.Symbols = symbols
		if bootCPU >= 0 {
			cpu := uint32(bootCPU)
			opts.BootCPUID = &cpu
		}
		opts.PhandleFormat = phandleFormat
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
		if bootCPU >= 0 {
			tree.BootCPUID = uint32(bootCPU)
		}
	default:
		return fail("-I %s: unsupported input format (dts or dtb)", inForm)
	}
	if sortTree {
		dts.SortTree(tree)
	}
	var out []byte
	switch outForm {
	case "dtb":
		for i := 0; i < reserveSlots; i++ {
			// Zero entries before the terminator are dtc -R's spare slots.
			tree.Reserve = append(tree.Reserve, fdt.Reservation{})
		}
		if out, err = tree.Encode(fdt.EncodeOptions{Pad: pad, MinSize: minSize, Align: align}); err != nil {
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
