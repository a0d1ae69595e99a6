package extfs

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"syscall"

	"github.com/rules-firmware/rules_firmware/tools/fstree"
	"github.com/rules-firmware/rules_firmware/tools/seekhole"
	"github.com/rules-firmware/rules_firmware/tools/staticerr"
)

// Mode type bits and directory entry file types.
const (
	sIFREG  = 0o100000
	sIFDIR  = 0o040000
	sIFLNK  = 0o120000
	sIFCHR  = 0o020000
	sIFBLK  = 0o060000
	ftReg   = 1
	ftDir   = 2
	ftChr   = 3
	ftBlk   = 4
	ftLnk   = 7
	maxName = 255
	// maxExtentLen is the longest initialized extent.
	maxExtentLen = 32768
)

// run is a stretch of contiguous blocks.
type run struct {
	logical uint64
	phys    uint64
	n       uint64
}

type dirent struct {
	ino  uint32
	name string
	ft   uint8
}

// inode is one inode being laid out.
type inode struct {
	num        uint32
	mode       uint16
	uid, gid   uint32
	links      uint32
	size       uint64
	src        string // regular file contents
	target     string // symlink target
	major      uint32
	minor      uint32
	entries    []dirent // directories
	dirBlocks  int      // directories: data blocks
	dataBlocks uint64   // blocks of data (files, dirs, slow symlinks, journal)
	runs       []run
	segments   []run    // files: logical blocks holding data (n, no phys)
	meta       []uint64 // extent leaf or indirect blocks
	iblock     [60]byte
	flags      uint32
	node       *fstree.Node
}

// filesystem is the image being built.
type filesystem struct {
	opts   Options
	g      *geometry
	feat   features
	inodes []*inode // by number-1; nil for unused reserved inodes
	// tooLarge lists files of 2 GiB or more without large_file
	tooLarge []string
	used     []byte // block bitmap of the whole filesystem
	next     uint64 // allocation cursor
	// per-group metadata locations
	blockBitmap, inodeBitmap, inodeTable []uint64
}

func (fs *filesystem) has(name string) bool { return fs.feat.has(featureNames.Get()[name]) }

func (fs *filesystem) layout(root *fstree.Node) error {
	if err := fs.number(root); err != nil {
		return err
	}
	fs.used = make([]byte, ceilDiv(fs.g.blocks, 8))
	for b := uint64(0); b < fs.g.first; b++ {
		fs.mark(b)
	}
	if err := fs.placeGroupMetadata(); err != nil {
		return err
	}
	if fs.g.journal > 0 {
		j := &inode{num: journalIno, mode: sIFREG | 0o600, links: 1, dataBlocks: fs.g.journal}
		fs.inodes[journalIno-1] = j
		// mke2fs puts the journal mid-filesystem; at its flex group start
		fs.next = fs.g.groupStart(fs.g.groups / 2 &^ (fs.maxFlex() - 1))
		if err := fs.allocData(j); err != nil {
			return err
		}
		j.size = j.dataBlocks * fs.g.bs
	}
	fs.next = 0
	for _, in := range fs.inodes {
		if in == nil || in.num == journalIno || in.dataBlocks == 0 {
			continue
		}
		if err := fs.allocData(in); err != nil {
			return err
		}
	}
	return nil
}

func (fs *filesystem) maxFlex() uint64 {
	if fs.g.flex == 0 {
		return 1
	}
	return fs.g.flex
}

// number gives every tree entry an inode in sorted depth-first order: the
// root 2, lost+found 11 (the tree's own or a new one), the rest from 12.
// Files read from the same host file become hard links.
func (fs *filesystem) number(root *fstree.Node) error {
	fs.inodes = make([]*inode, firstIno-1)
	rootIn := fs.newInode(root)
	rootIn.num = rootIno
	rootIn.links = 2 // "." and ".."
	fs.inodes[rootIno-1] = rootIn
	if fs.opts.RootOwner {
		rootIn.uid, rootIn.gid = fs.opts.RootUID, fs.opts.RootGID
	}
	var lpf *fstree.Node
	for _, c := range root.Children {
		if c.Name == "lost+found" && c.IsDir() {
			lpf = c
		}
	}
	if lpf == nil {
		lpf = &fstree.Node{Name: "lost+found", Entry: fstree.Entry{Path: "lost+found", Kind: fstree.Dir, Mode: 0o700, HasMode: true}}
		root.Children = append([]*fstree.Node{lpf}, root.Children...)
		defer func() { root.Children = root.Children[1:] }()
	}
	lpfIn := fs.newInode(lpf)
	lpfIn.num = firstIno
	fs.inodes = append(fs.inodes, lpfIn)
	links := map[*fstree.Node]*inode{root: rootIn, lpf: lpfIn}
	seen := map[fileID][]*inode{}
	err := fstree.Walk(root, func(n *fstree.Node) error {
		if _, ok := links[n]; ok {
			return nil
		}
		var id fileID
		var known bool
		if n.Entry.Kind == fstree.File {
			var in *inode
			if in, id, known = sameFile(seen, n); in != nil {
				links[n] = in
				return nil
			}
		}
		in := fs.newInode(n)
		in.num = uint32(len(fs.inodes) + 1)
		fs.inodes = append(fs.inodes, in)
		links[n] = in
		if known {
			seen[id] = append(seen[id], in)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(fs.tooLarge) > 0 {
		return fmt.Errorf("%s: 2 GiB or larger, which needs the large_file feature", fs.tooLarge[0])
	}
	if uint64(len(fs.inodes)) > fs.g.inodes() {
		return fmt.Errorf("the tree needs %d inodes, the filesystem has %d (give more inodes)", len(fs.inodes), fs.g.inodes())
	}
	parents := map[*fstree.Node]uint32{root: rootIno}
	return fstree.Walk(root, func(n *fstree.Node) error {
		if !n.IsDir() {
			return nil
		}
		for _, c := range n.Children {
			parents[c] = links[n].num
		}
		return fs.fillDir(links[n], parents[n], n, links)
	})
}

// fileID names a host file: device and inode number.
type fileID struct{ dev, ino uint64 }

// sameFile returns the inode of an earlier file read from the same host
// file with the same mode and owner, as mke2fs -d keeps hard links, and
// records n's host file in seen otherwise.
func sameFile(seen map[fileID][]*inode, n *fstree.Node) (*inode, fileID, bool) {
	id, ok := hostFileID(n.Entry.Source)
	if !ok {
		return nil, fileID{}, false
	}
	for _, in := range seen[id] {
		if in.size == uint64(n.Size) && in.uid == n.Entry.UID && in.gid == n.Entry.GID && uint32(in.mode)&0o7777 == n.Entry.Perm() {
			return in, id, true
		}
	}
	return nil, id, true
}

func (fs *filesystem) newInode(n *fstree.Node) *inode {
	e := &n.Entry
	in := &inode{mode: uint16(e.Perm()), uid: e.UID, gid: e.GID, node: n}
	switch e.Kind {
	case fstree.File:
		in.mode |= sIFREG
		in.src = e.Source
		in.size = uint64(n.Size)
		in.dataBlocks = ceilDiv(in.size, fs.g.bs)
		if in.size >= 1<<31 && !fs.has("large_file") {
			fs.tooLarge = append(fs.tooLarge, "'/"+e.Path+"'")
		}
		if in.dataBlocks > 0 {
			// holes in the source stay holes
			in.segments = dataSegments(in.src, in.size, fs.g.bs)
			in.dataBlocks = 0
			for _, sg := range in.segments {
				in.dataBlocks += sg.n
			}
		}
	case fstree.Dir:
		in.mode |= sIFDIR
		in.links = 1 // "."; the parent's entry adds one
	case fstree.Symlink:
		in.mode |= sIFLNK
		in.target = e.Target
		in.size = uint64(len(e.Target))
		if len(e.Target) >= 60 {
			in.dataBlocks = 1
		}
	case fstree.CharDevice:
		in.mode |= sIFCHR
		in.major, in.minor = e.Major, e.Minor
	case fstree.BlockDevice:
		in.mode |= sIFBLK
		in.major, in.minor = e.Major, e.Minor
	}
	return in
}

func fileType(mode uint16) uint8 {
	switch mode & 0o170000 {
	case sIFDIR:
		return ftDir
	case sIFLNK:
		return ftLnk
	case sIFCHR:
		return ftChr
	case sIFBLK:
		return ftBlk
	}
	return ftReg
}

// fillDir lists a directory's entries and sizes it; lost+found gets at
// least mke2fs's 16 KiB (2 blocks minimum, 12 at most).
func (fs *filesystem) fillDir(in *inode, parent uint32, n *fstree.Node, links map[*fstree.Node]*inode) error {
	in.entries = []dirent{{in.num, ".", ftDir}, {parent, "..", ftDir}}
	for _, c := range n.Children {
		if len(c.Name) > maxName {
			return fmt.Errorf("'/%s': name longer than %d bytes", c.Entry.Path, maxName)
		}
		ci := links[c]
		in.entries = append(in.entries, dirent{ci.num, c.Name, fileType(ci.mode)})
		ci.links++
		if c.IsDir() {
			in.links++
		}
	}
	if in.links >= 65000 { // the kernel's EXT4_LINK_MAX
		if !fs.has("dir_nlink") {
			return fmt.Errorf("'/%s': %d subdirectories need the dir_nlink feature", n.Entry.Path, in.links-2)
		}
		in.links = 1 // dir_nlink: "many"
	}
	in.dirBlocks = len(fs.dirBlocks(in.entries))
	if in.num == firstIno {
		want := int(ceilDiv(16384, fs.g.bs))
		if want < 2 {
			want = 2
		}
		if want > 12 {
			want = 12
		}
		if in.dirBlocks < want {
			in.dirBlocks = want
		}
	}
	in.dataBlocks = uint64(in.dirBlocks)
	in.size = in.dataBlocks * fs.g.bs
	return nil
}

func (fs *filesystem) mark(b uint64) { fs.used[b/8] |= 1 << (b % 8) }

func (fs *filesystem) isUsed(b uint64) bool { return fs.used[b/8]&(1<<(b%8)) != 0 }

// placeGroupMetadata marks superblock and descriptor copies and places
// each group's bitmaps and inode table: in the group itself, or with
// flex_bg packed at the start of each flex group (all block bitmaps, then
// all inode bitmaps, then all inode tables), as mke2fs does.
func (fs *filesystem) placeGroupMetadata() error {
	g := fs.g
	for n := uint64(0); n < g.groups; n++ {
		if g.hasSuper(n) {
			for b := uint64(0); b <= g.gdtBlocks; b++ {
				fs.mark(g.groupStart(n) + b)
			}
		}
	}
	fs.blockBitmap = make([]uint64, g.groups)
	fs.inodeBitmap = make([]uint64, g.groups)
	fs.inodeTable = make([]uint64, g.groups)
	per := fs.maxFlex()
	for start := uint64(0); start < g.groups; start += per {
		end := start + per
		if end > g.groups {
			end = g.groups
		}
		fs.next = g.groupStart(start)
		for _, t := range []struct {
			where []uint64
			n     uint64
		}{{fs.blockBitmap, 1}, {fs.inodeBitmap, 1}, {fs.inodeTable, g.itb}} {
			for n := start; n < end; n++ {
				b, err := fs.allocContig(t.n)
				if err != nil {
					return fmt.Errorf("group %d's metadata: %v", n, err)
				}
				if g.flex == 0 && b+t.n > g.groupStart(n)+g.groupLen(n) {
					return fmt.Errorf("group %d is too small for its inode table (%d blocks): use fewer inodes", n, g.itb)
				}
				t.where[n] = b
			}
		}
	}
	return nil
}

// allocContig allocates n contiguous free blocks at or after the cursor.
func (fs *filesystem) allocContig(n uint64) (uint64, error) {
	start, have := fs.next, uint64(0)
	for b := fs.next; b < fs.g.blocks; b++ {
		if fs.isUsed(b) {
			start, have = b+1, 0
			continue
		}
		if have++; have == n {
			for i := start; i < start+n; i++ {
				fs.mark(i)
			}
			fs.next = start + n
			return start, nil
		}
	}
	return 0, fmt.Errorf("no %d free contiguous blocks", n)
}

// allocRuns allocates n blocks from the cursor on, wrapping around once,
// as runs of contiguous blocks no longer than an extent.
func (fs *filesystem) allocRuns(n uint64) ([]run, error) {
	var runs []run
	logical := uint64(0)
	wrapped := false
	for logical < n {
		if fs.next >= fs.g.blocks {
			if wrapped {
				return nil, errFull
			}
			fs.next, wrapped = 0, true
		}
		b := fs.next
		fs.next++
		if fs.isUsed(b) {
			continue
		}
		fs.mark(b)
		if k := len(runs) - 1; k >= 0 && runs[k].phys+runs[k].n == b && runs[k].n < maxExtentLen {
			runs[k].n++
		} else {
			runs = append(runs, run{logical: logical, phys: b, n: 1})
		}
		logical++
	}
	return runs, nil
}

var errFull error = &staticerr.Error{Text: "filesystem full"}

// allocData allocates an inode's data blocks and the blocks that map them
// (extent leaves or indirect blocks).
func (fs *filesystem) allocData(in *inode) error {
	segs := in.segments
	if segs == nil {
		segs = []run{{n: in.dataBlocks}}
	}
	for _, sg := range segs {
		runs, err := fs.allocRuns(sg.n)
		if err != nil {
			return fs.fullError(in)
		}
		for _, r := range runs {
			r.logical += sg.logical
			in.runs = append(in.runs, r)
		}
	}
	runs := in.runs
	var meta uint64
	if fs.usesExtents(in) {
		if len(runs) > 4 {
			meta = ceilDiv(uint64(len(runs)), fs.extentsPerBlock())
			if meta > 4 {
				return fmt.Errorf("%s: %d extents need a deeper extent tree than this writer makes", fs.name(in), len(runs))
			}
		}
	} else {
		meta = fs.indirectBlocks(in)
	}
	if meta > 0 {
		mr, err := fs.allocRuns(meta)
		if err != nil {
			return fs.fullError(in)
		}
		for _, r := range mr {
			for i := uint64(0); i < r.n; i++ {
				in.meta = append(in.meta, r.phys+i)
			}
		}
	}
	return nil
}

func (fs *filesystem) fullError(in *inode) error {
	return fmt.Errorf("%s: the filesystem is full (%d blocks of %d bytes): give a larger size", fs.name(in), fs.g.blocks, fs.g.bs)
}

func (fs *filesystem) name(in *inode) string {
	if in.node == nil {
		return "journal"
	}
	return "'/" + in.node.Entry.Path + "'"
}

func (fs *filesystem) usesExtents(in *inode) bool {
	return fs.has("extent") && !(in.mode&0o170000 == sIFLNK && in.dataBlocks == 0)
}

func (fs *filesystem) extentsPerBlock() uint64 { return (fs.g.bs - 12) / 12 }

// indirectBlocks counts the mapping blocks an inode's data needs: 12
// direct pointers, then single, double and triple indirect trees, each
// block only where its range holds data.
func (fs *filesystem) indirectBlocks(in *inode) uint64 {
	n := uint64(0)
	fs.walkIndirect(in, func(level int, start uint64) { n++ })
	return n
}

// walkIndirect calls fn for every indirect block an inode needs, in the
// order the writer fills them (each block before the blocks below it).
func (fs *filesystem) walkIndirect(in *inode, fn func(level int, start uint64)) {
	p := fs.g.bs / 4
	start, span := uint64(12), p
	for level := 1; level <= 3; level++ {
		fs.walkLevel(in, level, start, p, fn)
		start += span
		span *= p
	}
}

func (fs *filesystem) walkLevel(in *inode, level int, start, p uint64, fn func(int, uint64)) {
	span := p
	for i := 1; i < level; i++ {
		span *= p
	}
	if !in.hasData(start, start+span) {
		return
	}
	fn(level, start)
	if level > 1 {
		for i := uint64(0); i < p; i++ {
			fs.walkLevel(in, level-1, start+i*span/p, p, fn)
		}
	}
}

// hasData reports whether any of the logical blocks [from, to) is mapped.
func (in *inode) hasData(from, to uint64) bool {
	k := sort.Search(len(in.runs), func(i int) bool { return in.runs[i].logical+in.runs[i].n > from })
	return k < len(in.runs) && in.runs[k].logical < to
}

// physical maps a logical block to its block number, 0 in a hole.
func (in *inode) physical(l uint64) uint64 {
	k := sort.Search(len(in.runs), func(i int) bool { return in.runs[i].logical+in.runs[i].n > l })
	if k < len(in.runs) && in.runs[k].logical <= l {
		return in.runs[k].phys + l - in.runs[k].logical
	}
	return 0
}

// dataSegments lists the block ranges of a host file that hold data,
// asking the host filesystem for its holes (lseek SEEK_DATA/SEEK_HOLE);
// where it cannot tell, the whole file is data.
func dataSegments(path string, size, bs uint64) []run {
	whole := []run{{n: ceilDiv(size, bs)}}
	f, err := os.Open(path)
	if err != nil {
		return whole // the copy reports the error
	}
	defer f.Close()
	var segs []run
	for off := int64(0); uint64(off) < size; {
		d, err := seekhole.Data(f, off)
		if errors.Is(err, syscall.ENXIO) {
			break // only a hole is left
		} else if err != nil {
			return whole
		}
		h, err := seekhole.Hole(f, d)
		if err != nil || uint64(h) > size {
			h = int64(size)
		}
		first, end := uint64(d)/bs, ceilDiv(uint64(h), bs)
		if k := len(segs) - 1; k >= 0 && segs[k].logical+segs[k].n >= first {
			segs[k].n = end - segs[k].logical
		} else if end > first {
			segs = append(segs, run{logical: first, n: end - first})
		}
		off = h
	}
	return segs
}
