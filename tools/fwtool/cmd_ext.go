package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/extfs"
	"github.com/rules-firmware/rules_firmware/tools/fstree"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

const extUsageText = `usage: fwtool ext --type ext2|ext3|ext4 --size SIZE --output OUT [flags] [--file DEST=SRC[:MODE]]...
                  [--dir DEST[:MODE]]... [--symlink DEST=TARGET]... [--node DEST=c|b:MAJOR:MINOR[:MODE]]... [--manifest JSON]...
Builds an ext filesystem image as mke2fs -d would fill it, reproducibly:
mke2fs's geometry for the size (block size, inode count, journal size),
the type's mke2fs features less resize_inode (--features adjusts them,
mke2fs -O syntax), every timestamp --mtime (default SOURCE_DATE_EPOCH,
else 0), the UUID and directory hash seed derived from the contents
unless given. Owners are 0:0 unless a manifest entry sets "uid"/"gid";
modes default as for squashfs. Files read from the same host file become
hard links. The output is sparse.
`

func runExt(args []string, stdout, stderr io.Writer) int {
	fs := newFSFlags("ext", extUsageText, stdout, stderr)
	var entries []fstree.Entry
	output := fs.String("output", "", "image file to write")
	typ := fs.String("type", "ext4", "ext2, ext3 or ext4")
	size := fs.String("size", "", "image size (bytes, or with a K/M/G suffix)")
	label := fs.String("label", "", "volume label, up to 16 bytes")
	uuid := fs.String("uuid", "", "filesystem UUID (default: derived from the contents)")
	features := fs.String("features", "", "feature changes, e.g. ^has_journal,^metadata_csum")
	blockSize := fs.Int("block-size", 0, "1024, 2048 or 4096 (default from the size, as mke2fs)")
	inodes := fs.Uint("inodes", 0, "inode count (default one per 4 KiB below 512 MiB, else per 16 KiB)")
	reserved := fs.Float64("reserved-percent", 5, "blocks reserved for root, percent")
	rootOwner := fs.String("root-owner", "", "UID:GID of the root directory")
	mtime := fs.String("mtime", "", "timestamp for every inode and the superblock, seconds since 1970 (default SOURCE_DATE_EPOCH)")
	fs.treeFlags(&entries)
	if code, ok := fs.parse(args); !ok {
		return code
	}
	fail := fs.fail
	if *output == "" {
		return fail("--output is required")
	}
	n, err := fsSize(*size)
	if err != nil || *size == "" {
		return fail("%s: --size %q: want a size such as 64M", *output, *size)
	}
	sec, err := fsModTime(*mtime)
	if err != nil {
		return fail("%s: %v", *output, err)
	}
	o := extfs.Options{Type: *typ, Size: n, Label: *label, Features: *features, BlockSize: *blockSize,
		Inodes: uint32(*inodes), ReservedPercent: *reserved, Time: uint32(sec)}
	if *uuid != "" {
		u, err := extfs.ParseUUID(*uuid)
		if err != nil {
			return fail("%s: --uuid: %v", *output, err)
		}
		o.UUID = &u
	}
	if *rootOwner != "" {
		u, g, ok := strings.Cut(*rootOwner, ":")
		uid, err1 := strconv.ParseUint(u, 10, 32)
		gid, err2 := strconv.ParseUint(g, 10, 32)
		if !ok || err1 != nil || err2 != nil {
			return fail("%s: --root-owner %q: want UID:GID", *output, *rootOwner)
		}
		o.RootOwner, o.RootUID, o.RootGID = true, uint32(uid), uint32(gid)
	}
	root, err := fstree.Build(entries)
	if err != nil {
		return fail("%s: %v", *output, err)
	}
	if err := fstree.Stat(root); err != nil {
		return fail("%s: %v", *output, err)
	}
	err = outfile.Write(*output, outfile.FileMode, func(f *os.File) error { return extfs.Write(f, root, o) })
	if err != nil {
		return fail("%s: %s", *output, fmt.Sprint(err))
	}
	return 0
}
