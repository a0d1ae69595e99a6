package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/rules-firmware/rules_firmware/tools/input"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

const replaceUsageText = `usage: fwtool replace -i IMAGE -f NEW PATH
Replaces the entry PATH (e.g. "section/u-boot") of an image that has an
fdtmap with the contents of NEW, compressing it as the entry is. Data that
fits the entry is written in place (zero-padded); bigger data repacks the
image, which needs the image to have been built with allow-repack.
`

func runReplace(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replace", flag.ContinueOnError)
	fs.SetOutput(stderr)
	image := fs.String("i", "", "image file (updated in place)")
	newFile := fs.String("f", "", "file with the new entry contents")
	fs.Usage = func() { fmt.Fprint(stderr, replaceUsageText); fs.PrintDefaults() }
	if err := parseInterspersed(fs, args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(stdout, replaceUsageText)
			return 0
		}
		return 2
	}
	if *image == "" || *newFile == "" || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "fwtool replace: need -i IMAGE, -f NEW and exactly one entry PATH")
		return 2
	}
	// binman's size cells are 32-bit: no entry holds more.
	data, err := input.ReadFile(*newFile, 0xffffffff, "binman's size cells are 32-bit")
	if err != nil {
		fmt.Fprintf(stderr, "fwtool replace: -f %s: %v\n", *newFile, input.Detail(err))
		return 1
	}
	if err := layout.Replace(*image, fs.Arg(0), data); err != nil {
		fmt.Fprintf(stderr, "fwtool replace: %s: %v\n", *image, err)
		return 1
	}
	return 0
}
