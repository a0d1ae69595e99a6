package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fstree"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
	"github.com/rules-firmware/rules_firmware/tools/squashfs"
)

func registerSquashfsFormats() {
	probe := func(f *os.File, size int64) bool { return squashfs.LooksLikeSquashfs(f, size) }
	registerLister(lister{name: "squashfs", priority: 15, probe: probe, list: func(f *os.File, size int64, args []string, stdout io.Writer) error {
		return listSquashfs(f, size, args, stdout)
	}})
	registerExtractor(extractor{name: "squashfs", priority: 15, probe: probe, extract: extractSquashfs})
}

const squashfsUsageText = `usage: fwtool squashfs --output OUT [flags] [--file DEST=SRC[:MODE]]... [--dir DEST[:MODE]]...
                      [--symlink DEST=TARGET]... [--node DEST=c|b:MAJOR:MINOR[:MODE]]... [--manifest JSON]...
Builds a squashfs 4.0 image. Owners are 0:0 unless a manifest entry sets
"uid"/"gid"; modes default to 0644 (files), 0755 (directories), 0777
(symlinks), 0600 (devices); every timestamp is --mtime (default
SOURCE_DATE_EPOCH, else 0). Parent directories are created as needed;
--dir /:MODE sets the root's mode. Blocks that do not shrink are stored
uncompressed. Manifest: {"entries": [{"path": "bin/busybox", "src": "FILE", "mode": "0755"},
{"path": "bin/sh", "type": "symlink", "target": "busybox"}, {"path": "dev/console", "type": "char", "major": 5, "minor": 1}]}.
`

func runSquashfs(args []string, stdout, stderr io.Writer) int {
	fs := newFSFlags("squashfs", squashfsUsageText, stdout, stderr)
	var entries []fstree.Entry
	output := fs.String("output", "", "image file to write")
	comp := fs.String("comp", "gzip", "compressor: "+strings.Join(squashfs.Compressors, ", "))
	blockArg := fs.String("block-size", "128K", "data block size, a power of two from 4K to 1M")
	noFrag := fs.Bool("no-fragments", false, "do not pack small files into shared fragment blocks")
	noExport := fs.Bool("no-export", false, "omit the NFS export table")
	mtime := fs.String("mtime", "", "timestamp for every inode, seconds since 1970 (default SOURCE_DATE_EPOCH)")
	fs.treeFlags(&entries)
	if code, ok := fs.parse(args); !ok {
		return code
	}
	fail := fs.fail
	if *output == "" {
		return fail("--output is required")
	}
	bs, err := fsSize(*blockArg)
	if err != nil {
		return fail("%s: --block-size: %v", *output, err)
	}
	sec, err := fsModTime(*mtime)
	if err != nil {
		return fail("%s: %v", *output, err)
	}
	opts := squashfs.Options{Compressor: *comp, BlockSize: int(bs), NoFragments: *noFrag, NoExport: *noExport, ModTime: uint32(sec)}
	root, err := fstree.Build(entries)
	if err != nil {
		return fail("%s: %v", *output, err)
	}
	if err := fstree.Stat(root); err != nil {
		return fail("%s: %v", *output, err)
	}
	err = outfile.Write(*output, outfile.FileMode, func(f *os.File) error { return squashfs.Build(f, root, opts) })
	if err != nil {
		return fail("%s: %v", *output, err)
	}
	return 0
}

var squashfsCompNames = [...]string{1: "gzip", 2: "lzma", 3: "lzo", 4: "xz", 5: "lz4", 6: "zstd"}

// squashfsCompName names compressor id c, "" if unknown.
func squashfsCompName(c uint16) string {
	if int(c) < len(squashfsCompNames) {
		return squashfsCompNames[c]
	}
	return ""
}

func squashfsModeString(in *squashfs.Inode) string {
	kind := map[uint16]byte{1: 'd', 2: '-', 3: 'l', 4: 'b', 5: 'c', 6: 'p', 7: 's'}[in.Type]
	s := []byte{kind}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if in.Perm&(1<<(8-i)) != 0 {
			s = append(s, rwx[i])
		} else {
			s = append(s, '-')
		}
	}
	special := []struct {
		bit uint16
		at  int
		set byte
	}{{0o4000, 3, 's'}, {0o2000, 6, 's'}, {0o1000, 9, 't'}}
	for _, sp := range special {
		if in.Perm&sp.bit != 0 {
			if s[sp.at] == 'x' {
				s[sp.at] = sp.set
			} else {
				s[sp.at] = sp.set - 'a' + 'A'
			}
		}
	}
	return string(s)
}

func listSquashfs(f io.ReaderAt, size int64, args []string, stdout io.Writer) error {
	fsys, err := squashfs.Open(f, size)
	if err != nil {
		return err
	}
	sb := fsys.Super
	fmt.Fprintf(stdout, "squashfs 4.0, %s, %d-byte blocks, %d inodes, %d bytes used\n",
		squashfsCompName(sb.Compressor), sb.BlockSize, sb.Inodes, sb.BytesUsed)
	return fsys.Walk(func(p string, in *squashfs.Inode) error {
		if p == "" || !fsMatch(p, args) {
			return nil
		}
		size := fmt.Sprint(in.Size)
		switch in.Type {
		case 4, 5:
			size = fmt.Sprintf("%d,%d", in.Major, in.Minor)
		case 1:
			size = "-"
		}
		line := fmt.Sprintf("%s %d/%d %10s /%s", squashfsModeString(in), in.UID, in.GID, size, p)
		if in.Type == 3 {
			line += " -> " + in.Target
		}
		fmt.Fprintln(stdout, line)
		return nil
	})
}

// extractSquashfs writes the regular files matching paths to out (exactly
// one) or below outDir, with their permission bits.
func extractSquashfs(f *os.File, size int64, paths []string, out, outDir string, _ bool, _ io.Writer) error {
	fsys, err := squashfs.Open(f, size)
	if err != nil {
		return err
	}
	type pick struct {
		path string
		in   *squashfs.Inode
	}
	var picked []pick
	err = fsys.Walk(func(p string, in *squashfs.Inode) error {
		if in.Type == 2 && fsMatch(p, paths) {
			picked = append(picked, pick{p, in})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(picked) == 0 {
		return fmt.Errorf("no regular file matches '%s'", strings.Join(paths, "', '"))
	}
	if out != "" {
		if len(picked) != 1 {
			return fmt.Errorf("'%s' matches %d files; -f takes exactly one", paths[0], len(picked))
		}
		return outfile.Write(out, os.FileMode(picked[0].in.Perm&0o777), func(o *os.File) error { return fsys.WriteFile(picked[0].in, o) })
	}
	w := outfile.NewBatch()
	defer w.Abort()
	for _, pk := range picked {
		pk := pk
		if err := fsWrite(w, outDir, pk.path, os.FileMode(pk.in.Perm&0o777), func(o *os.File) error { return fsys.WriteFile(pk.in, o) }); err != nil {
			return err
		}
	}
	return w.Commit()
}
