package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// An extractor pulls named parts out of one image format. `fwtool extract`
// tries extractors in priority order (lowest first) and uses the first
// whose probe accepts the file, so other formats (disk partitions, FIT
// images...) plug in from their own cmd_*.go with registerExtractor.
type extractor struct {
	name     string
	priority int
	probe    func(f *os.File, size int64) bool
	// extract writes the parts matching paths (binman-style wildcards
	// allowed) either to out (exactly one part) or below outDir.
	extract func(f *os.File, size int64, paths []string, out, outDir string, decompress bool, stdout io.Writer) error
}

var extractors []extractor

func registerExtractor(x extractor) {
	extractors = append(extractors, x)
	sort.SliceStable(extractors, func(i, j int) bool { return extractors[i].priority < extractors[j].priority })
}

const extractUsageText = `usage: fwtool extract -i IMAGE [-f OUT | -O DIR] [-U] [-F FORMAT] PATH...
       fwtool extract -i IMAGE -F list
Writes the contents of the entries named by PATH (binman-style, e.g.
"section/u-boot", wildcards allowed) to OUT (exactly one PATH) or to
DIR/<path> (entries with children go to DIR/<path>/root).
Compressed entries are decompressed unless -U is given.
-F picks an entry type's alternative format in a binman image, as binman's
extract -F does: "fdt" writes an fdtmap entry as a plain devicetree blob
(without its 16-byte header); "list" shows the formats the image offers.
`

// extractFormat is extract's -F: only the binman (fdtmap) extractor reads
// it; other formats refuse it.
var extractFormat string

func runExtract(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	image := fs.String("i", "", "image file")
	out := fs.String("f", "", "output file for a single entry")
	outDir := fs.String("O", "", "output directory for several entries")
	raw := fs.Bool("U", false, "keep compressed data as stored (do not decompress)")
	format := fs.String("F", "", "alternative format of the extracted data (binman images: fdt, list)")
	maxSize := fs.String("max-size", "", "largest size a compressed entry may decompress to (bytes, 0x hex, or K/M/G; default 4G, or the entry's uncomp-size)")
	fs.Usage = func() { fmt.Fprint(stderr, extractUsageText); fs.PrintDefaults() }
	if err := parseInterspersed(fs, args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(stdout, extractUsageText)
			return 0
		}
		return 2
	}
	paths := fs.Args()
	if err := setInflateLimit(*maxSize); err != nil {
		fmt.Fprintf(stderr, "fwtool extract: --max-size %s: %v\n", *maxSize, err)
		return 2
	}
	if *image == "" {
		fmt.Fprintln(stderr, "fwtool extract: -i IMAGE is required")
		return 2
	}
	extractFormat = *format
	if *out == "" && *outDir == "" && *format != "list" {
		fmt.Fprintln(stderr, "fwtool extract: one of -f OUT or -O DIR is required")
		return 2
	}
	if *out != "" && len(paths) != 1 {
		fmt.Fprintln(stderr, "fwtool extract: Must specify exactly one entry path to write with -f")
		return 2
	}
	f, err := os.Open(*image)
	if err != nil {
		fmt.Fprintf(stderr, "fwtool extract: %v\n", err)
		return 1
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		fmt.Fprintf(stderr, "fwtool extract: %v\n", err)
		return 1
	}
	registerFormats()
	for _, x := range extractors {
		// Probes and extractors that read f as a stream start at its
		// beginning, whatever the probes before them read.
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			fmt.Fprintf(stderr, "fwtool extract: %v\n", err)
			return 1
		}
		if !x.probe(f, st.Size()) {
			continue
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			fmt.Fprintf(stderr, "fwtool extract: %v\n", err)
			return 1
		}
		if *format != "" && x.name != "fdtmap" {
			fmt.Fprintf(stderr, "fwtool extract: %s: -F %s: alternative formats are for binman images, not %s\n", *image, *format, x.name)
			return 2
		}
		if err := x.extract(f, st.Size(), paths, *out, *outDir, !*raw, stdout); err != nil {
			fmt.Fprintf(stderr, "fwtool extract: %s: %v\n", *image, err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "fwtool extract: %s: format not recognised\n", *image)
	return 1
}

// parseInterspersed parses flags that may follow positional arguments,
// as binman's command line allows ("extract -i img u-boot -f out").
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	return fs.Parse(pos)
}
