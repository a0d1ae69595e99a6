package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fstree"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
	"github.com/rules-firmware/rules_firmware/tools/vfat"
)

func registerVfatFormats() {
	probe := func(f *os.File, size int64) bool { return vfat.LooksLikeFAT(f, size) }
	// Before the disk lister: a FAT boot sector also ends in 0x55AA.
	registerLister(lister{name: "vfat", priority: 15, probe: probe, list: func(f *os.File, size int64, args []string, stdout io.Writer) error {
		return listVfat(f, size, args, stdout)
	}})
	registerExtractor(extractor{name: "vfat", priority: 15, probe: probe, extract: extractVfat})
}

const vfatUsageText = `usage: fwtool vfat --output OUT --size SIZE [flags] [--file DEST=SRC]... [--dir DEST]... [--manifest JSON]...
Builds a FAT filesystem image holding the given files. FAT12, FAT16 or
FAT32 is chosen from the size as mkfs.fat does (FAT32 from 512 MiB) unless
--fat is given. Entries are sorted, short 8.3 names are derived from the
names alone, and every timestamp is --mtime (default SOURCE_DATE_EPOCH,
else 1980-01-01), so the same inputs give the same image.
SIZE is bytes, 0x hex, or with a K/M/G suffix. Directories are created as
needed; --dir adds empty ones. Manifest: {"entries": [{"path": "extlinux/extlinux.conf", "src": "FILE"}, {"path": "d", "type": "dir"}]}.
`

func runVfat(args []string, stdout, stderr io.Writer) int {
	fs := newFSFlags("vfat", vfatUsageText, stdout, stderr)
	var entries []fstree.Entry
	output := fs.String("output", "", "image file to write")
	sizeArg := fs.String("size", "", "image size")
	label := fs.String("label", "", "volume label (up to 11 characters)")
	fat := fs.Int("fat", 0, "force FAT type 12, 16 or 32")
	cluster := fs.String("cluster-size", "", "force the cluster size in bytes (512..65536, power of two)")
	seed := fs.String("volume-id-seed", "", "string the volume serial number is derived from (default: label and output file name)")
	volID := fs.String("volume-id", "", "volume serial number, hex (overrides --volume-id-seed)")
	mtime := fs.String("mtime", "", "timestamp for every entry, seconds since 1970 (default SOURCE_DATE_EPOCH)")
	fs.Var(fsEntryFlag{entries: &entries, parse: fstree.ParseFileSpec}, "file", "DEST=SRC: put host file SRC at DEST (repeatable)")
	fs.Var(fsEntryFlag{entries: &entries, parse: fstree.ParseDirSpec}, "dir", "DEST: create directory DEST (repeatable)")
	fs.Var(fsEntryFlag{entries: &entries, manif: true}, "manifest", "JSON manifest of entries (repeatable)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	fail := fs.fail
	if *output == "" || *sizeArg == "" {
		return fail("--output and --size are required")
	}
	size, err := fsSize(*sizeArg)
	if err != nil {
		return fail("%s: --size: %v", *output, err)
	}
	opts := vfat.Options{Size: size, Label: *label, FATType: *fat}
	if *cluster != "" {
		cb, err := fsSize(*cluster)
		if err != nil || cb < 512 || cb > 65536 || cb&(cb-1) != 0 {
			return fail("%s: --cluster-size %q is not a power of two from 512 to 65536", *output, *cluster)
		}
		opts.SectorsPerCluster = int(cb / 512)
	}
	opts.VolumeIDSeed = *seed
	if *seed == "" {
		opts.VolumeIDSeed = *label + ":" + filepath.Base(*output)
	}
	if *volID != "" {
		v, err := strconv.ParseUint(strings.TrimPrefix(strings.ReplaceAll(*volID, "-", ""), "0x"), 16, 32)
		if err != nil {
			return fail("%s: --volume-id %q is not a 32-bit hex number", *output, *volID)
		}
		opts.VolumeID, opts.VolumeIDSet = uint32(v), true
	}
	sec, err := fsModTime(*mtime)
	if err != nil {
		return fail("%s: %v", *output, err)
	}
	if sec != 0 {
		opts.ModTime = fsTime(sec)
	}
	root, err := fstree.Build(entries)
	if err != nil {
		return fail("%s: %v", *output, err)
	}
	if err := fstree.Stat(root); err != nil {
		return fail("%s: %v", *output, err)
	}
	err = outfile.Write(*output, outfile.FileMode, func(f *os.File) error { return vfat.Build(f, root, opts) })
	if err != nil {
		return fail("%s: %v", *output, err)
	}
	return 0
}

func listVfat(f io.ReaderAt, size int64, args []string, stdout io.Writer) error {
	fsys, err := vfat.Open(f, size)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "FAT%d filesystem, label '%s', volume id %04X-%04X, %d-byte clusters\n",
		fsys.FATType(), fsys.Label, fsys.VolID>>16, fsys.VolID&0xffff, fsys.ClusterSize())
	fmt.Fprintf(stdout, "%10s  %-12s  %s\n", "Size", "Short name", "Path")
	return fsys.Walk(func(e vfat.Entry) error {
		if !fsMatch(e.Path, args) {
			return nil
		}
		if e.IsDir {
			fmt.Fprintf(stdout, "%10s  %-12s  %s/\n", "<DIR>", e.ShortName, e.Path)
		} else {
			fmt.Fprintf(stdout, "%10d  %-12s  %s\n", e.Size, e.ShortName, e.Path)
		}
		return nil
	})
}

// extractVfat writes the files matching paths to out (exactly one) or
// below outDir, keeping their paths.
func extractVfat(f *os.File, size int64, paths []string, out, outDir string, _ bool, _ io.Writer) error {
	fsys, err := vfat.Open(f, size)
	if err != nil {
		return err
	}
	var picked []vfat.Entry
	err = fsys.Walk(func(e vfat.Entry) error {
		if !e.IsDir && fsMatch(e.Path, paths) {
			picked = append(picked, e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(picked) == 0 {
		return fmt.Errorf("no file matches '%s'", strings.Join(paths, "', '"))
	}
	if out != "" {
		if len(picked) != 1 {
			return fmt.Errorf("'%s' matches %d files; -f takes exactly one", paths[0], len(picked))
		}
		return outfile.Write(out, outfile.FileMode, func(o *os.File) error { return fsys.WriteEntry(picked[0], o) })
	}
	w := outfile.NewBatch()
	defer w.Abort()
	for _, e := range picked {
		e := e
		if err := fsWrite(w, outDir, e.Path, outfile.FileMode, func(o *os.File) error { return fsys.WriteEntry(e, o) }); err != nil {
			return err
		}
	}
	return w.Commit()
}
