package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/rules-firmware/rules_firmware/tools/disk"
	"github.com/rules-firmware/rules_firmware/tools/identify"
	"github.com/rules-firmware/rules_firmware/tools/squashfs"
	"github.com/rules-firmware/rules_firmware/tools/vfat"
)

// scanStep is where ls looks for further images in a file: binman and the
// board layouts align entries to at least 512 bytes.
const scanStep = 512

// selfListing formats list everything they hold themselves.
func selfListing(format string) bool {
	switch format {
	case "disk", "fdtmap", "vfat", "squashfs":
		return true
	}
	return false
}

// listContents follows a format's own listing with what else the file
// holds, so `fwtool ls bootimage.bin` shows the SSBL after the FSBL header
// instead of stopping at offset 0. A binman-style map beside the image
// names the entries; without one the file is scanned for known headers.
func listContents(f *os.File, name string, size int64, format string, stdout io.Writer) error {
	if selfListing(format) {
		return nil
	}
	if m, entries, err := readMapBeside(name); err != nil {
		return err
	} else if entries != nil {
		return writeMapEntries(f, size, m, entries, stdout)
	}
	objs := identify.Scan(f, 0, size, scanStep)
	if len(objs) < 2 {
		return nil
	}
	fmt.Fprintf(stdout, "\nContents (recognised at %d-byte boundaries):\n", scanStep)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Offset\tSize\tType\tWhat")
	for _, o := range objs {
		fmt.Fprintf(tw, "0x%08x\t0x%08x\t%s\t%s\n", o.Offset, o.Size, o.Type, o.Summary)
	}
	return tw.Flush()
}

// mapEntry is one line of a binman map: ImagePos Offset Size Name, the
// name indented by nesting depth.
type mapEntry struct {
	pos, size int64
	name      string
}

// readMapBeside finds IMAGE.map or IMAGE-without-extension.map.
func readMapBeside(image string) (string, []mapEntry, error) {
	for _, m := range []string{image + ".map", strings.TrimSuffix(image, filepath.Ext(image)) + ".map"} {
		if m == image {
			continue
		}
		f, err := os.Open(m)
		if err != nil {
			continue
		}
		defer f.Close()
		entries, err := parseMap(f)
		if err != nil {
			return "", nil, fmt.Errorf("%s: %v", m, err)
		}
		return m, entries, nil
	}
	return "", nil, nil
}

func parseMap(r io.Reader) ([]mapEntry, error) {
	sc := bufio.NewScanner(r)
	var out []mapEntry
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		fields := strings.Fields(text)
		if line == 1 {
			if len(fields) < 4 || fields[0] != "ImagePos" {
				return nil, fmt.Errorf("line 1: not a binman map (no 'ImagePos Offset Size Name' header)")
			}
			continue
		}
		if len(fields) == 0 {
			continue
		}
		if len(fields) < 4 {
			return nil, fmt.Errorf("line %d: want ImagePos Offset Size Name", line)
		}
		pos, err1 := strconv.ParseInt(fields[0], 16, 64)
		size, err2 := strconv.ParseInt(fields[2], 16, 64)
		if err1 != nil || err2 != nil || pos < 0 || size < 0 {
			return nil, fmt.Errorf("line %d: ImagePos and Size must be hex numbers", line)
		}
		// The name keeps its indentation: it shows the nesting.
		at := strings.Index(text, fields[2]) + len(fields[2])
		name := strings.TrimPrefix(text[at:], "  ")
		out = append(out, mapEntry{pos, size, name})
	}
	return out, sc.Err()
}

func writeMapEntries(f io.ReaderAt, size int64, mapFile string, entries []mapEntry, stdout io.Writer) error {
	fmt.Fprintf(stdout, "\nEntries (from %s):\n", mapFile)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ImagePos\tSize\tName\tHolds")
	for i, e := range entries {
		holds := "-"
		switch {
		case e.pos+e.size > size:
			return fmt.Errorf("%s: entry '%s' at 0x%x size 0x%x runs past the image end 0x%x: the map is not this image's", mapFile, strings.TrimSpace(e.name), e.pos, e.size, size)
		case i == 0 && e.pos == 0 && e.size == size:
			holds = "(the image)"
		default:
			if o, ok := identify.At(f, e.pos, e.size); ok {
				holds = o.Summary
			}
		}
		fmt.Fprintf(tw, "0x%08x\t0x%08x\t%s\t%s\n", e.pos, e.size, e.name, holds)
	}
	return tw.Flush()
}

// listDiskContents says what each listed partition holds, and with a path
// argument (`fwtool ls sdcard.img bootfs/extlinux`) lists that directory of
// the filesystem inside the partition.
func listDiskContents(f *os.File, size int64, args []string, stdout io.Writer) error {
	info, err := disk.Inspect(f, size)
	if err != nil {
		return err
	}
	for _, a := range args {
		part, inside, isPath := strings.Cut(a, "/")
		var matched []disk.Found
		for _, p := range info.Partitions {
			if matchesAny(p, []string{part}) {
				matched = append(matched, p)
			}
		}
		if len(matched) == 0 {
			return fmt.Errorf("no partition named or numbered '%s'", part)
		}
		if isPath {
			for _, p := range matched {
				if err := listInPartition(f, size, p, inside, stdout); err != nil {
					return err
				}
			}
			return nil
		}
	}
	fmt.Fprintln(stdout, "\nPartition contents:")
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tName\tHolds")
	for _, p := range info.Partitions {
		if !matchesAny(p, pathlessPatterns(args)) {
			continue
		}
		holds := "unrecognised data"
		if end := int64(p.Start + p.Size); int64(p.Start) >= size || end > size || end < int64(p.Start) {
			holds = "(runs past the end of the image)"
		} else if o, ok := identify.At(f, int64(p.Start), int64(p.Size)); ok {
			holds = o.Summary
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", p.Number, p.Name, holds)
	}
	return tw.Flush()
}

func pathlessPatterns(args []string) []string {
	var out []string
	for _, a := range args {
		if !strings.Contains(a, "/") {
			out = append(out, a)
		}
	}
	return out
}

func listInPartition(f *os.File, size int64, p disk.Found, inside string, stdout io.Writer) error {
	start, n := int64(p.Start), int64(p.Size)
	if start >= size || start+n > size || start+n < start {
		return fmt.Errorf("partition %d ('%s') runs past the end of the image", p.Number, p.Name)
	}
	o, ok := identify.At(f, start, n)
	if !ok {
		return fmt.Errorf("partition %d ('%s') holds no filesystem fwtool can read", p.Number, p.Name)
	}
	sr := io.NewSectionReader(f, start, n)
	var patterns []string
	if inside = strings.Trim(inside, "/"); inside != "" {
		patterns = []string{inside}
	}
	var paths []string
	var list func(io.ReaderAt, int64, []string, io.Writer) error
	switch o.Type {
	case "vfat":
		fsys, err := vfat.Open(sr, n)
		if err != nil {
			return err
		}
		list = listVfat
		err = fsys.Walk(func(e vfat.Entry) error { paths = append(paths, e.Path); return nil })
		if err != nil {
			return err
		}
	case "squashfs":
		fsys, err := squashfs.Open(sr, n)
		if err != nil {
			return err
		}
		list = listSquashfs
		err = fsys.Walk(func(p string, _ *squashfs.Inode) error { paths = append(paths, p); return nil })
		if err != nil {
			return err
		}
	default:
		return fmt.Errorf("partition %d ('%s') holds %s, not a filesystem fwtool can list", p.Number, p.Name, o.Summary)
	}
	found := inside == ""
	for _, q := range paths {
		found = found || (q != "" && fsMatch(q, patterns))
	}
	if !found {
		return fmt.Errorf("partition %d ('%s'): no file or directory '/%s' in its %s filesystem", p.Number, p.Name, inside, o.Type)
	}
	fmt.Fprintf(stdout, "Partition %d ('%s'), /%s:\n", p.Number, p.Name, inside)
	return list(sr, n, patterns, stdout)
}
