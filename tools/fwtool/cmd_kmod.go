package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/kmod"
)

const kmodUsageText = `usage: fwtool kmod --moddir DIR --output OUTDIR [--version VERSION] MODULE...
Reads the modules below DIR (a kernel package's lib/modules/<version>), follows
each named module's depends= (.modinfo) and writes OUTDIR/lib/modules/VERSION/
with exactly those modules at their package paths, modules.order, modules.dep,
modules.alias, modules.softdep, modules.devname and the dep/alias/symbols/builtin
.bin indexes as 'depmod -b OUTDIR VERSION' writes them, the package's modules.builtin, and modules.load (every module
path, dependencies first). VERSION defaults to the first word of the
modules' vermagic. A module that is
not in DIR, a missing dependency or a cycle fails naming it; modules listed
in modules.builtin need no file. --print lists the load order instead.
`

func runKmod(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kmod", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	moddir := fs.String("moddir", "", "module directory of a kernel package (lib/modules/<version>)")
	output := fs.String("output", "", "directory to write lib/modules/<version>/ into")
	version := fs.String("version", "", "kernel version directory name (default: from the modules' vermagic)")
	print := fs.Bool("print", false, "print the module paths in load order; write nothing")
	if err := parseInterspersed(fs, args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(stdout, kmodUsageText)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "fwtool kmod: %v\n", err)
		return 2
	}
	fail := func(format string, a ...interface{}) int {
		fmt.Fprintf(stderr, "fwtool kmod: "+format+"\n", a...)
		return 1
	}
	names := fs.Args()
	if *moddir == "" || (*output == "" && !*print) || len(names) == 0 {
		return fail("--moddir, --output (or --print) and at least one MODULE are required")
	}
	tree, err := kmod.OpenTree(*moddir)
	if err != nil {
		return fail("%v", err)
	}
	if *print {
		mods, err := tree.Closure(names)
		if err != nil {
			return fail("%s: %v", *moddir, err)
		}
		for _, m := range mods {
			fmt.Fprintln(stdout, m.Path)
		}
		return 0
	}
	if ents, err := os.ReadDir(*output); err == nil && len(ents) > 0 {
		return fail("%s: output directory is not empty", *output)
	}
	if _, err := kmod.Stage(tree, names, *version, *output); err != nil {
		return fail("%s: %v", *moddir, err)
	}
	return 0
}
