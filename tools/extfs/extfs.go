// Package extfs writes ext2, ext3 and ext4 filesystem images from a file
// tree (tools/fstree), the way `mke2fs -d DIR` fills a new filesystem, but
// reproducibly: the UUID and directory hash seed are derived from the
// inputs unless given, every timestamp is one given time, directories are
// sorted and blocks are allocated in a fixed order.
//
// Written from the ext4 on-disk format documentation. The geometry follows
// mke2fs's defaults (/etc/mke2fs.conf of e2fsprogs 1.47): 1 KiB blocks and
// one inode per 4 KiB below 512 MiB (per 8 KiB below 3 MiB), 4 KiB blocks
// and one inode per 16 KiB above; 256-byte inodes; 5% reserved blocks; a
// journal sized by mke2fs's table. Feature sets (see Features):
//
//	ext2: sparse_super, large_file, filetype, dir_index, ext_attr
//	ext3: ext2's + has_journal
//	ext4: ext3's + extent, flex_bg, huge_file, dir_nlink, extra_isize,
//	      64bit, metadata_csum
//
// Left out on purpose: resize_inode (the reserved GDT blocks only serve
// online growing; resize2fs grows an image offline without them), htree
// directory indexes (large directories are linear over many blocks, which
// e2fsck and the kernel read; the kernel indexes them when they grow),
// extended attributes, inline data, quota and orphan_file. Holes in a
// source file (as the host filesystem reports them) stay holes, in extent
// and in indirect-mapped files alike; the output itself is written sparse.
package extfs

import (
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fstree"
	"github.com/rules-firmware/rules_firmware/tools/lazymap"
)

// Output is what Write writes the image to. Write truncates it to the
// image size and writes only blocks that are not zero, so a file output
// stays sparse.
type Output interface {
	io.WriterAt
	Truncate(size int64) error
}

// Options describe the filesystem to make. Zero values mean mke2fs's
// defaults for the size.
type Options struct {
	Type      string // ext2, ext3 or ext4
	Size      int64  // image size in bytes (required)
	BlockSize int    // 1024, 2048 or 4096; 0: 1024 below 512 MiB, else 4096
	Inodes    uint32 // inode count; 0: from InodeRatio
	// InodeRatio is bytes per inode; 0: 8192 below 3 MiB, 4096 below
	// 512 MiB, 16384 above.
	InodeRatio int64
	InodeSize  int // 128 or 256 (default)
	// ReservedPercent is the share of blocks reserved for root (-m);
	// negative means the default 5.
	ReservedPercent float64
	Label           string
	UUID            *[16]byte // nil: derived from the inputs
	HashSeed        *[16]byte // nil: derived from the inputs
	Time            uint32    // every timestamp in the image (seconds since 1970)
	// Features adjusts Type's feature set, as mke2fs -O does: a
	// comma-separated list of names, each optionally prefixed by ^ to turn
	// it off. Only the features this package writes are accepted.
	Features string
	// JournalBlocks overrides the journal size in blocks (ext3/ext4);
	// 0 means mke2fs's default for the filesystem's size.
	JournalBlocks uint32
	// GrowInodes raises an inode count that came from InodeRatio to what
	// the tree needs (genext2fs does; mke2fs -d fails instead).
	GrowInodes bool
	// RootUID/RootGID, when RootOwner is set, give the root directory's
	// owner (mke2fs -E root_owner); otherwise the tree's root entry's.
	RootOwner        bool
	RootUID, RootGID uint32
}

// Feature bits, as the superblock stores them.
const (
	compatHasJournal = 0x4
	compatExtAttr    = 0x8
	compatDirIndex   = 0x20

	incompatFiletype = 0x2
	incompatExtents  = 0x40
	incompat64bit    = 0x80
	incompatFlexBg   = 0x200

	roSparseSuper  = 0x1
	roLargeFile    = 0x2
	roHugeFile     = 0x8
	roDirNlink     = 0x20
	roExtraIsize   = 0x40
	roMetadataCsum = 0x400
)

type featureBit struct {
	word int // 0 compat, 1 incompat, 2 ro_compat
	bit  uint32
}

var featureNames = &lazymap.Map[string, featureBit]{New: func() map[string]featureBit {
	return map[string]featureBit{
		"has_journal":   {0, compatHasJournal},
		"ext_attr":      {0, compatExtAttr},
		"dir_index":     {0, compatDirIndex},
		"filetype":      {1, incompatFiletype},
		"extent":        {1, incompatExtents},
		"extents":       {1, incompatExtents},
		"64bit":         {1, incompat64bit},
		"flex_bg":       {1, incompatFlexBg},
		"sparse_super":  {2, roSparseSuper},
		"large_file":    {2, roLargeFile},
		"huge_file":     {2, roHugeFile},
		"dir_nlink":     {2, roDirNlink},
		"extra_isize":   {2, roExtraIsize},
		"metadata_csum": {2, roMetadataCsum},
	}
}}

// features are the three superblock feature words.
type features [3]uint32

func (f features) has(b featureBit) bool { return f[b.word]&b.bit != 0 }

// Features returns the feature words for typ adjusted by list (mke2fs -O
// syntax). "^resize_inode" is accepted and changes nothing (never written).
func Features(typ, list string) (compat, incompat, roCompat uint32, err error) {
	var f features
	switch typ {
	case "ext2", "ext3", "ext4":
	default:
		return 0, 0, 0, fmt.Errorf("filesystem type %q: want ext2, ext3 or ext4", typ)
	}
	for _, n := range []string{"sparse_super", "large_file", "filetype", "dir_index", "ext_attr"} {
		f.set(n, true)
	}
	if typ != "ext2" {
		f.set("has_journal", true)
	}
	if typ == "ext4" {
		for _, n := range []string{"extent", "flex_bg", "huge_file", "dir_nlink", "extra_isize", "64bit", "metadata_csum"} {
			f.set(n, true)
		}
	}
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		on := !strings.HasPrefix(item, "^")
		name := strings.TrimPrefix(item, "^")
		if name == "resize_inode" && !on {
			continue
		}
		if _, ok := featureNames.Get()[name]; !ok {
			return 0, 0, 0, fmt.Errorf("feature %q is not supported (supported: %s)", name, supportedList())
		}
		if (name == "filetype" || name == "sparse_super") && !on {
			return 0, 0, 0, fmt.Errorf("feature %q cannot be turned off", name)
		}
		f.set(name, on)
	}
	if f.has(featureNames.Get()["metadata_csum"]) && !f.has(featureNames.Get()["extra_isize"]) {
		// the inode checksum's high half lives in the extra fields
		return 0, 0, 0, fmt.Errorf("feature metadata_csum needs extra_isize")
	}
	if f.has(featureNames.Get()["64bit"]) && !f.has(featureNames.Get()["extent"]) {
		// block numbers past 2^32 are only reachable through extents
		return 0, 0, 0, fmt.Errorf("feature 64bit needs extent")
	}
	return f[0], f[1], f[2], nil
}

func (f *features) set(name string, on bool) {
	b := featureNames.Get()[name]
	if on {
		f[b.word] |= b.bit
	} else {
		f[b.word] &^= b.bit
	}
}

func supportedList() string {
	var names []string
	for n := range featureNames.Get() {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// Write lays root out as an ext filesystem and writes it to out. root must
// have been through fstree.Stat (file sizes are needed before any data is
// read).
func Write(out Output, root *fstree.Node, opts Options) error {
	c, i, r, err := Features(opts.Type, opts.Features)
	if err != nil {
		return err
	}
	if len(opts.Label) > 16 {
		return fmt.Errorf("label %q is longer than 16 bytes", opts.Label)
	}
	feat := features{c, i, r}
	g, err := newGeometry(opts, &feat)
	if err != nil {
		return err
	}
	if need := uint64(countInodes(root)); opts.GrowInodes && opts.Inodes == 0 && g.inodes() < need {
		opts.Inodes = uint32(need)
		feat = features{c, i, r}
		if g, err = newGeometry(opts, &feat); err != nil {
			return err
		}
	}
	fs := &filesystem{opts: opts, g: g, feat: feat}
	if err := fs.layout(root); err != nil {
		return err
	}
	return fs.write(out)
}

// countInodes is how many inodes the tree needs at most: the reserved
// ones, lost+found and one per entry (hard links share theirs).
func countInodes(root *fstree.Node) int {
	n := firstIno
	_ = fstree.Walk(root, func(*fstree.Node) error { n++; return nil })
	return n
}

// ParseUUID reads a UUID in its text form, as mke2fs -U and -E hash_seed
// take it.
func ParseUUID(s string) ([16]byte, error) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("%q is not a UUID (want xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s)
	}
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil {
		return u, fmt.Errorf("%q is not a UUID (want hex digits)", s)
	}
	copy(u[:], b)
	return u, nil
}
