// Package vfat builds and reads FAT12/16/32 filesystem images with VFAT
// long names. Images are reproducible: entries are sorted, short names are
// derived only from the set of names, timestamps and the volume id are fixed
// by the caller, and nothing depends on the host.
//
// Geometry follows the Microsoft FAT specification (fatgen103): 512-byte
// sectors, two FATs, cluster sizes from its recommended tables, and the FAT
// type decided by the cluster count (FAT12 below 4085 clusters, FAT16 below
// 65525, FAT32 above).
package vfat

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rules-firmware/rules_firmware/tools/fstree"
)

const (
	sectorSize   = 512
	dirEntrySize = 32

	attrReadOnly  = 0x01
	attrHidden    = 0x02
	attrSystem    = 0x04
	attrVolumeID  = 0x08
	attrDirectory = 0x10
	attrArchive   = 0x20
	attrLongName  = attrReadOnly | attrHidden | attrSystem | attrVolumeID

	maxFAT12Clusters = 4084
	maxFAT16Clusters = 65524
	maxFAT32Clusters = 0x0ffffff4
	maxDirEntries    = 65536
)

// Options control the image layout.
type Options struct {
	// Size of the image in bytes; must be a multiple of 512.
	Size int64
	// Label is the volume label (up to 11 characters, stored upper case).
	// Empty means "NO NAME".
	Label string
	// VolumeIDSeed determines the 32-bit volume serial number (the first
	// bytes of its SHA-256), so that it is stable yet differs per image.
	VolumeIDSeed string
	// VolumeID, when VolumeIDSet, is used as the serial number instead.
	VolumeID    uint32
	VolumeIDSet bool
	// FATType forces 12, 16 or 32; 0 chooses by size.
	FATType int
	// SectorsPerCluster forces the cluster size; 0 chooses by size.
	SectorsPerCluster int
	// ModTime stamps every entry; the zero value means 1980-01-01 00:00:00.
	ModTime time.Time
}

type geometry struct {
	fatBits      int
	totalSectors uint32
	reserved     uint32
	numFATs      uint32
	rootEntries  uint32
	fatSectors   uint32
	spc          uint32
	clusters     uint32 // data clusters, numbered 2..clusters+1

	sectorsPerTrack, heads uint16 // recorded for DOS; FAT itself ignores them
}

func (g *geometry) rootDirSectors() uint32 {
	return (g.rootEntries*dirEntrySize + sectorSize - 1) / sectorSize
}
func (g *geometry) fatStart() int64 { return int64(g.reserved) * sectorSize }
func (g *geometry) rootStart() int64 {
	return int64(g.reserved+g.numFATs*g.fatSectors) * sectorSize
}
func (g *geometry) dataStart() int64 {
	return int64(g.reserved+g.numFATs*g.fatSectors+g.rootDirSectors()) * sectorSize
}
func (g *geometry) clusterBytes() int64 { return int64(g.spc) * sectorSize }
func (g *geometry) clusterOffset(c uint32) int64 {
	return g.dataStart() + int64(c-2)*g.clusterBytes()
}
func (g *geometry) eoc() uint32 {
	switch g.fatBits {
	case 12:
		return 0xfff
	case 16:
		return 0xffff
	}
	return 0x0fffffff
}

// layout computes the FAT size and cluster count for a given type and
// cluster size the way mkfs.fat does, so images match its geometry:
//
//   - When align is set (volumes above 8192 sectors) every structure is
//     aligned to the cluster size: the reserved area, the root directory
//     and each FAT are rounded up to whole clusters, so the data area
//     starts on a cluster boundary.
//   - The cluster count first comes from sharing the space between FATs and
//     data (each cluster costs its sectors plus its FAT entry), then is
//     recomputed from what the rounded-up FATs leave.
//
// ok is false when the result is not a valid volume of that type: too few
// or too many clusters, or more clusters than the FAT has entries for.
func layout(total uint32, fatBits int, spc uint32, rootEntries uint32, align bool) (g geometry, ok bool) {
	g = geometry{fatBits: fatBits, totalSectors: total, numFATs: 2, spc: spc, reserved: 1, rootEntries: rootEntries}
	if fatBits == 32 {
		g.reserved, g.rootEntries = 32, 0
	}
	round := func(v uint64) uint64 {
		if !align {
			return v
		}
		return (v + uint64(spc) - 1) / uint64(spc) * uint64(spc)
	}
	g.reserved = uint32(round(uint64(g.reserved)))
	rootSectors := round(uint64(g.rootDirSectors()))
	if fatBits != 32 {
		g.rootEntries = uint32(rootSectors * sectorSize / dirEntrySize)
	}
	if uint64(g.reserved)+rootSectors >= uint64(total) {
		return g, false
	}
	data := uint64(total) - uint64(g.reserved) - rootSectors // FATs + clusters
	nf := uint64(g.numFATs)
	cb := uint64(spc) * sectorSize
	var clusters, fatBytes uint64
	switch fatBits {
	case 12:
		// Entries are 1.5 bytes: work in half bytes.
		clusters = 2 * (data*sectorSize + nf*3) / (2*cb + nf*3)
		fatBytes = ((clusters+2)*3 + 1) / 2
	case 16:
		clusters = (data*sectorSize + nf*4) / (cb + nf*2)
		fatBytes = (clusters + 2) * 2
	default:
		clusters = (data*sectorSize + nf*8) / (cb + nf*4)
		fatBytes = (clusters + 2) * 4
	}
	fatSectors := round((fatBytes + sectorSize - 1) / sectorSize)
	if nf*fatSectors >= data || fatSectors > 0xffffffff {
		return g, false
	}
	g.fatSectors = uint32(fatSectors)
	clusters = (data - nf*fatSectors) / uint64(spc)
	entries := fatSectors * sectorSize * 8 / uint64(fatBits)
	lo, hi := clusterRange(fatBits)
	if clusters < uint64(lo) || clusters > uint64(hi) || clusters+2 > entries {
		return g, false
	}
	g.clusters = uint32(clusters)
	return g, true
}

func clusterRange(fatBits int) (lo, hi uint32) {
	switch fatBits {
	case 12:
		return 1, maxFAT12Clusters
	case 16:
		return maxFAT12Clusters + 1, maxFAT16Clusters
	}
	return maxFAT16Clusters + 1, maxFAT32Clusters
}

// chsGeometry is the sectors per track and heads mkfs.fat records for an
// image file: the SD card specification's values below 256 MiB, LBA-assist
// translation above.
func chsGeometry(total uint64) (spt, heads uint16) {
	if total <= 524288 {
		spt = 32
		if total <= 4096 {
			spt = 16
		}
		switch {
		case total <= 32768:
			heads = 2
		case total <= 65536:
			heads = 4
		case total <= 262144:
			heads = 8
		default:
			heads = 16
		}
		return spt, heads
	}
	switch {
	case total <= 16*63*1024:
		heads = 16
	case total <= 32*63*1024:
		heads = 32
	case total <= 64*63*1024:
		heads = 64
	case total <= 128*63*1024:
		heads = 128
	default:
		heads = 255
	}
	return 63, heads
}

// pickType lays the volume out with one cluster size: as the given FAT
// type, or for bits 0 as FAT12 or FAT16, whichever is valid and gives more
// clusters.
func pickType(total uint32, bits int, spc, rootEntries uint32, align bool) (geometry, bool) {
	if bits != 0 {
		return layout(total, bits, spc, rootEntries, align)
	}
	g12, ok12 := layout(total, 12, spc, rootEntries, align)
	g16, ok16 := layout(total, 16, spc, rootEntries, align)
	if ok16 && (!ok12 || g16.clusters > g12.clusters) {
		return g16, true
	}
	return g12, ok12
}

// chooseGeometry picks FAT type and cluster size as mkfs.fat does: FAT32
// from 512 MiB (clusters sized by the Microsoft specification's table),
// below that the smallest cluster size from 2 KiB up for which FAT12 or
// FAT16 fits, preferring whichever gives more clusters.
func chooseGeometry(opts Options, rootEntries uint32) (geometry, error) {
	if opts.Size <= 0 || opts.Size%sectorSize != 0 {
		return geometry{}, fmt.Errorf("Size 0x%x (%d) is not a positive multiple of %d", opts.Size, opts.Size, sectorSize)
	}
	raw := uint64(opts.Size / sectorSize)
	if raw > 0xffffffff {
		return geometry{}, fmt.Errorf("Size 0x%x (%d) exceeds the FAT limit of 2^32 sectors", opts.Size, opts.Size)
	}
	spt, heads := chsGeometry(raw)
	// A whole number of tracks, as DOS and mtools want; the sectors beyond
	// stay outside the filesystem.
	total := uint32(raw / uint64(spt) * uint64(spt))
	align := total > 8192
	spcForced := uint32(opts.SectorsPerCluster)
	if spcForced != 0 && (spcForced > 128 || spcForced&(spcForced-1) != 0) {
		return geometry{}, fmt.Errorf("Sectors per cluster %d is not a power of two up to 128", spcForced)
	}
	bits := opts.FATType
	switch bits {
	case 0:
		if opts.Size >= 512<<20 {
			bits = 32
		}
	case 12, 16, 32:
	default:
		return geometry{}, fmt.Errorf("FAT type %d is not 12, 16 or 32", opts.FATType)
	}
	spc := uint32(4)
	if bits == 32 {
		switch {
		case raw > 32<<21:
			spc = 64
		case raw > 16<<21:
			spc = 32
		case raw > 8<<21:
			spc = 16
		case raw > 260<<11:
			spc = 8
		default:
			spc = 1
		}
	}
	if spcForced != 0 {
		spc = spcForced
	}
	for ; spc <= 128; spc *= 2 {
		if g, ok := pickType(total, bits, spc, rootEntries, align); ok {
			g.sectorsPerTrack, g.heads = spt, heads
			return g, nil
		}
		if spcForced != 0 {
			break
		}
	}
	name := "FAT12/16"
	if bits != 0 {
		name = fmt.Sprintf("FAT%d", bits)
	}
	if spcForced != 0 {
		return geometry{}, fmt.Errorf("Size 0x%x (%d) cannot hold a %s filesystem with %d-byte clusters", opts.Size, opts.Size, name, spcForced*sectorSize)
	}
	return geometry{}, fmt.Errorf("Size 0x%x (%d) cannot hold a %s filesystem (too few or too many clusters for any cluster size)", opts.Size, opts.Size, name)
}

// dir is a directory being laid out: its child names, short names and
// the encoded size of its entries.
type dirInfo struct {
	shorts   [][11]byte
	needLong []bool
	entries  int // 32-byte entries including ".", ".." or the volume label
}

type alloc struct {
	first, count uint32
}

type builder struct {
	opts    Options
	geom    geometry
	label   [11]byte
	hasLbl  bool
	volID   uint32
	date    uint16
	time    uint16
	dirs    map[*fstree.Node]*dirInfo
	allocs  map[*fstree.Node]alloc
	parents map[*fstree.Node]*fstree.Node
	next    uint32
}

// Output is what Build writes to: a file it may resize.
type Output interface {
	io.WriterAt
	Truncate(size int64) error
}

// Build writes a FAT image of root (prepared with fstree.Build and
// fstree.Stat) to w. w is truncated to opts.Size first; regions Build does
// not write read as zeros (and stay holes in a sparse file). File data is
// copied from each source in turn, never held whole in memory.
func Build(w Output, root *fstree.Node, opts Options) error {
	b := &builder{opts: opts, dirs: map[*fstree.Node]*dirInfo{}, allocs: map[*fstree.Node]alloc{}, parents: map[*fstree.Node]*fstree.Node{}}
	if err := b.prepareLabel(); err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(opts.VolumeIDSeed))
	b.volID = binary.LittleEndian.Uint32(sum[:4])
	if opts.VolumeIDSet {
		b.volID = opts.VolumeID
	}
	b.date, b.time = fatTimestamp(opts.ModTime)

	if err := b.planDirs(root); err != nil {
		return err
	}
	rootEntries := uint32(512)
	if n := uint32(b.dirs[root].entries); n > rootEntries {
		rootEntries = (n + 15) / 16 * 16
	}
	g, err := chooseGeometry(opts, rootEntries)
	if err != nil {
		return err
	}
	b.geom = g
	if g.fatBits != 32 && uint32(b.dirs[root].entries) > g.rootEntries {
		return fmt.Errorf("Node '/': %d entries exceed the root directory's %d", b.dirs[root].entries, g.rootEntries)
	}
	if err := b.allocate(root); err != nil {
		return err
	}
	if err := w.Truncate(0); err != nil {
		return err
	}
	if err := w.Truncate(opts.Size); err != nil {
		return err
	}
	if err := b.writeMeta(w); err != nil {
		return err
	}
	return b.writeTree(w, root)
}

func (b *builder) prepareLabel() error {
	pad(b.label[:], "NO NAME")
	if b.opts.Label == "" {
		return nil
	}
	l := strings.ToUpper(b.opts.Label)
	if len(l) > 11 {
		return fmt.Errorf("Label '%s': longer than 11 characters", b.opts.Label)
	}
	for i := 0; i < len(l); i++ {
		if l[i] != ' ' && !isShortChar(l[i]) {
			return fmt.Errorf("Label '%s': character %q is not allowed in a FAT volume label", b.opts.Label, l[i])
		}
	}
	pad(b.label[:], l)
	b.hasLbl = true
	return nil
}

// fatTimestamp encodes t (UTC) as FAT date and time, clamped to the
// representable years 1980..2107.
func fatTimestamp(t time.Time) (date, tim uint16) {
	if t.IsZero() {
		return 1<<5 | 1, 0
	}
	t = t.UTC()
	if t.Year() < 1980 {
		return 1<<5 | 1, 0
	}
	if t.Year() > 2107 {
		return 127<<9 | 12<<5 | 31, 23<<11 | 59<<5 | 29
	}
	date = uint16(t.Year()-1980)<<9 | uint16(t.Month())<<5 | uint16(t.Day())
	tim = uint16(t.Hour())<<11 | uint16(t.Minute())<<5 | uint16(t.Second()/2)
	return date, tim
}

func (b *builder) planDirs(n *fstree.Node) error {
	names := make([]string, len(n.Children))
	for i, c := range n.Children {
		names[i] = c.Name
		switch c.Entry.Kind {
		case fstree.File, fstree.Dir:
		default:
			return fmt.Errorf("Node '/%s': FAT cannot store a %s", c.Entry.Path, c.Entry.Kind)
		}
	}
	shorts, needLong, err := assignShortNames(names)
	if err != nil {
		return fmt.Errorf("Node '/%s': %v", n.Entry.Path, err)
	}
	d := &dirInfo{shorts: shorts, needLong: needLong}
	if n.Entry.Path == "" {
		if b.hasLbl {
			d.entries++
		}
	} else {
		d.entries += 2
	}
	for i, c := range n.Children {
		d.entries++
		if needLong[i] {
			d.entries += longEntryCount(c.Name)
		}
	}
	if d.entries > maxDirEntries {
		return fmt.Errorf("Node '/%s': %d directory entries exceed FAT's limit of %d", n.Entry.Path, d.entries, maxDirEntries)
	}
	b.dirs[n] = d
	for _, c := range n.Children {
		if c.IsDir() {
			b.parents[c] = n
			if err := b.planDirs(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// allocate gives every directory and non-empty file a contiguous run of
// clusters, in tree order, so the layout depends only on the tree.
func (b *builder) allocate(root *fstree.Node) error {
	b.next = 2
	cb := b.geom.clusterBytes()
	var need uint64
	err := fstree.Walk(root, func(n *fstree.Node) error {
		var bytes int64
		switch {
		case n == root && b.geom.fatBits != 32:
			return nil
		case n.IsDir():
			bytes = int64(b.dirs[n].entries) * dirEntrySize
		default:
			if n.Size > 0xffffffff {
				return fmt.Errorf("Node '/%s': size 0x%x (%d) exceeds FAT's 4 GiB file limit", n.Entry.Path, n.Size, n.Size)
			}
			bytes = n.Size
		}
		count := uint64((bytes + cb - 1) / cb)
		if count == 0 {
			if n.IsDir() {
				count = 1
			} else {
				return nil
			}
		}
		need += count
		if need > uint64(b.geom.clusters) {
			return fmt.Errorf("Node '/%s': image full: the contents need at least %d clusters of %d bytes, the image has %d (size 0x%x (%d))",
				n.Entry.Path, need, cb, b.geom.clusters, b.opts.Size, b.opts.Size)
		}
		b.allocs[n] = alloc{first: b.next, count: uint32(count)}
		b.next += uint32(count)
		return nil
	})
	return err
}

func (b *builder) writeMeta(w io.WriterAt) error {
	g := &b.geom
	boot := b.bootSector()
	if _, err := w.WriteAt(boot, 0); err != nil {
		return err
	}
	if g.fatBits == 32 {
		info := b.fsInfo()
		for _, at := range []int64{1, 6, 7} {
			blk := info
			if at == 6 {
				blk = boot
			}
			if _, err := w.WriteAt(blk, at*sectorSize); err != nil {
				return err
			}
		}
	}
	fat := b.fatTable()
	for i := uint32(0); i < g.numFATs; i++ {
		if _, err := w.WriteAt(fat, g.fatStart()+int64(i*g.fatSectors)*sectorSize); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) bootSector() []byte {
	g := &b.geom
	s := make([]byte, sectorSize)
	le := binary.LittleEndian
	copy(s[3:11], "FWTOOL  ")
	le.PutUint16(s[11:], sectorSize)
	s[13] = byte(g.spc)
	le.PutUint16(s[14:], uint16(g.reserved))
	s[16] = byte(g.numFATs)
	le.PutUint16(s[17:], uint16(g.rootEntries))
	if g.fatBits != 32 && g.totalSectors < 0x10000 {
		le.PutUint16(s[19:], uint16(g.totalSectors))
	} else {
		le.PutUint32(s[32:], g.totalSectors)
	}
	s[21] = 0xf8 // fixed disk
	le.PutUint16(s[24:], g.sectorsPerTrack)
	le.PutUint16(s[26:], g.heads)
	ext := 36
	if g.fatBits == 32 {
		le.PutUint32(s[36:], g.fatSectors)
		le.PutUint32(s[44:], 2) // root directory cluster
		le.PutUint16(s[48:], 1) // FSInfo sector
		le.PutUint16(s[50:], 6) // backup boot sector
		ext = 64
	} else {
		le.PutUint16(s[22:], uint16(g.fatSectors))
	}
	s[ext] = 0x80
	s[ext+2] = 0x29
	le.PutUint32(s[ext+3:], b.volID)
	copy(s[ext+7:ext+18], b.label[:])
	copy(s[ext+18:ext+26], fmt.Sprintf("FAT%-5d", g.fatBits))
	// Not bootable: jump to a halt loop right after the BPB.
	code := ext + 26
	s[0], s[1], s[2] = 0xeb, byte(code-2), 0x90
	copy(s[code:], []byte{0xfa, 0xf4, 0xeb, 0xfd})
	s[510], s[511] = 0x55, 0xaa
	return s
}

func (b *builder) fsInfo() []byte {
	g := &b.geom
	s := make([]byte, sectorSize)
	le := binary.LittleEndian
	le.PutUint32(s[0:], 0x41615252)
	le.PutUint32(s[484:], 0x61417272)
	used := b.next - 2
	le.PutUint32(s[488:], g.clusters-used)
	nextFree := b.next
	if used == g.clusters {
		nextFree = 0xffffffff
	}
	le.PutUint32(s[492:], nextFree)
	le.PutUint32(s[508:], 0xaa550000)
	return s
}

func (b *builder) fatTable() []byte {
	g := &b.geom
	fat := make([]byte, int64(g.fatSectors)*sectorSize)
	set := func(n, v uint32) {
		switch g.fatBits {
		case 12:
			o := n * 3 / 2
			if n%2 == 0 {
				fat[o] = byte(v)
				fat[o+1] = fat[o+1]&0xf0 | byte(v>>8)&0x0f
			} else {
				fat[o] = fat[o]&0x0f | byte(v<<4)
				fat[o+1] = byte(v >> 4)
			}
		case 16:
			binary.LittleEndian.PutUint16(fat[n*2:], uint16(v))
		default:
			binary.LittleEndian.PutUint32(fat[n*4:], v)
		}
	}
	eoc := g.eoc()
	set(0, eoc&^0xff|0xf8)
	set(1, eoc)
	for _, a := range b.allocs {
		for i := uint32(0); i < a.count-1; i++ {
			set(a.first+i, a.first+i+1)
		}
		set(a.first+a.count-1, eoc)
	}
	return fat
}

func (b *builder) shortEntry(name [11]byte, attr byte, cluster uint32, size uint32) []byte {
	e := make([]byte, dirEntrySize)
	le := binary.LittleEndian
	copy(e, name[:])
	e[11] = attr
	le.PutUint16(e[14:], b.time)
	le.PutUint16(e[16:], b.date)
	le.PutUint16(e[18:], b.date)
	le.PutUint16(e[20:], uint16(cluster>>16))
	le.PutUint16(e[22:], b.time)
	le.PutUint16(e[24:], b.date)
	le.PutUint16(e[26:], uint16(cluster))
	le.PutUint32(e[28:], size)
	return e
}

func (b *builder) dirBytes(n *fstree.Node) []byte {
	d := b.dirs[n]
	out := make([]byte, 0, d.entries*dirEntrySize)
	if n.Entry.Path == "" {
		if b.hasLbl {
			out = append(out, b.shortEntry(b.label, attrVolumeID, 0, 0)...)
		}
	} else {
		var dot, dotdot [11]byte
		pad(dot[:], ".")
		pad(dotdot[:], "..")
		out = append(out, b.shortEntry(dot, attrDirectory, b.allocs[n].first, 0)...)
		parent := uint32(0) // ".." of a top-level directory points at cluster 0, even on FAT32
		if p := b.parents[n]; p.Entry.Path != "" {
			parent = b.allocs[p].first
		}
		out = append(out, b.shortEntry(dotdot, attrDirectory, parent, 0)...)
	}
	for i, c := range n.Children {
		if d.needLong[i] {
			out = append(out, longEntries(c.Name, d.shorts[i])...)
		}
		a := b.allocs[c]
		if c.IsDir() {
			out = append(out, b.shortEntry(d.shorts[i], attrDirectory, a.first, 0)...)
		} else {
			out = append(out, b.shortEntry(d.shorts[i], attrArchive, a.first, uint32(c.Size))...)
		}
	}
	return out
}

func (b *builder) writeTree(w io.WriterAt, root *fstree.Node) error {
	buf := make([]byte, 64<<10)
	return fstree.Walk(root, func(n *fstree.Node) error {
		if n.IsDir() {
			at := b.geom.rootStart()
			if n != root || b.geom.fatBits == 32 {
				at = b.geom.clusterOffset(b.allocs[n].first)
			}
			_, err := w.WriteAt(b.dirBytes(n), at)
			return err
		}
		a, ok := b.allocs[n]
		if !ok {
			return nil
		}
		return copyFile(w, b.geom.clusterOffset(a.first), n, buf)
	})
}

// copyFile streams a file's source into the image, checking it still has
// the size the layout was planned with.
func copyFile(w io.WriterAt, at int64, n *fstree.Node, buf []byte) error {
	f, err := os.Open(n.Entry.Source)
	if err != nil {
		return fmt.Errorf("Node '/%s': %v", n.Entry.Path, err)
	}
	defer f.Close()
	var done int64
	for done < n.Size {
		want := int64(len(buf))
		if n.Size-done < want {
			want = n.Size - done
		}
		k, err := io.ReadFull(f, buf[:want])
		if err != nil {
			return fmt.Errorf("Node '/%s': source %s shrank to %d bytes while building (expected %d)", n.Entry.Path, n.Entry.Source, done+int64(k), n.Size)
		}
		// The image was truncated to size, so zeros need no writing; a
		// sparse input then stays sparse in the image.
		if !allZero(buf[:k]) {
			if _, err := w.WriteAt(buf[:k], at+done); err != nil {
				return err
			}
		}
		done += int64(k)
	}
	if k, _ := f.Read(buf[:1]); k != 0 {
		return fmt.Errorf("Node '/%s': source %s grew while building (expected %d bytes)", n.Entry.Path, n.Entry.Source, n.Size)
	}
	return nil
}

func allZero(p []byte) bool {
	for _, c := range p {
		if c != 0 {
			return false
		}
	}
	return true
}
