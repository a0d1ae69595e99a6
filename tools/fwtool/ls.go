package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
)

// A lister recognises one image format from the file's first bytes and
// prints a summary of it. Formats register themselves from their cmd_*.go
// file; lower priority values are tried first, so container formats that
// may start with another format's magic (an fdtmap image starting with a
// uImage, say) can claim the file before it.
type lister struct {
	name     string
	priority int
	probe    func(f *os.File, size int64) bool
	list     func(f *os.File, size int64, args []string, stdout io.Writer) error
}

var listers []lister

func registerLister(l lister) {
	listers = append(listers, l)
	sort.SliceStable(listers, func(i, j int) bool { return listers[i].priority < listers[j].priority })
}

func runLs(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ls", flag.ContinueOnError)
	fs.SetOutput(stderr)
	image := fs.String("i", "", "image file (may also be given as the first argument)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: fwtool ls [-i] IMAGE [PATTERN...]")
		fmt.Fprintln(stderr, "Recognises uImage, FIT, STM32, FIP, U-Boot environment, DTB, fdtmap and disk images, and PowerPC boot wrappers (zImage, cuImage, simpleImage/dtbImage, treeImage).")
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	rest := fs.Args()
	if *image == "" {
		if len(rest) == 0 {
			fs.Usage()
			return 2
		}
		*image, rest = rest[0], rest[1:]
	}
	f, err := os.Open(*image)
	if err != nil {
		fmt.Fprintf(stderr, "fwtool ls: %v\n", err)
		return 1
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		fmt.Fprintf(stderr, "fwtool ls: %v\n", err)
		return 1
	}
	registerFormats()
	for _, l := range listers {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			fmt.Fprintf(stderr, "fwtool ls: %s: %v\n", *image, err)
			return 1
		}
		if !l.probe(f, st.Size()) {
			continue
		}
		// Probes of tree formats may parse the whole file; return that
		// memory before listing so peak use stays near one copy of the
		// input (hostile inputs are big on purpose).
		debug.FreeOSMemory()
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			fmt.Fprintf(stderr, "fwtool ls: %s: %v\n", *image, err)
			return 1
		}
		if err := listWhole(l, f, *image, st.Size(), rest, stdout); err != nil {
			fmt.Fprintf(stderr, "fwtool ls: %s: %v\n", *image, err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "fwtool ls: %s: format not recognised\n", *image)
	return 1
}

// listWhole runs the format's own listing and then says what else the file
// holds (see ls_contents.go).
func listWhole(l lister, f *os.File, name string, size int64, args []string, stdout io.Writer) error {
	if l.name == "disk" {
		if len(pathlessPatterns(args)) == len(args) {
			if err := l.list(f, size, args, stdout); err != nil {
				return err
			}
		}
		return listDiskContents(f, size, args, stdout)
	}
	if err := l.list(f, size, args, stdout); err != nil {
		return err
	}
	debug.FreeOSMemory()
	return listContents(f, name, size, l.name, stdout)
}
