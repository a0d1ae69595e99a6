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
// cluster size: the FAT must hold an entry per cluster, and the clusters
// are what remains after the FATs, so iterate to the fixed point.
func layout(total uint32, fatBits int, spc uint32, rootEntries uint32) (geometry, bool) {
	g := geometry{fatBits: fatBits, totalSectors: total, numFATs: 2, spc: spc, reserved: 1, rootEntries: rootEntries}
	if fatBits == 32 {
		g.reserved, g.rootEntries = 32, 0
	}
	base := g.reserved
	g.fatSectors = 1
	for i := 0; i < 64; i++ {
		// Grow the reserved area so the data region starts on a cluster
		// boundary, as mkfs.fat does, keeping clusters aligned on the medium.
		fixed := base + g.numFATs*g.fatSectors + g.rootDirSectors()
		g.reserved = base + (spc-fixed%spc)%spc
		meta := uint64(g.reserved) + uint64(g.numFATs)*uint64(g.fatSectors) + uint64(g.rootDirSectors())
		if meta >= uint64(total) {
			return g, false
		}
		clusters := (uint64(total) - meta) / uint64(spc)
		need := ((clusters+2)*uint64(fatBits)/8 + sectorSize) / sectorSize
		if need <= uint64(g.fatSectors) {
			if clusters > 0xffffffff {
				return g, false
			}
			g.clusters = uint32(clusters)
			return g, true
		}
		g.fatSectors = uint32(need)
	}
	return g, false
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

// defaultSPC is the cluster size for a FAT12/16 or FAT32 volume of the
// given size (in sectors).
func defaultSPC(fatBits int, total uint32) uint32 {
	type row struct{ upTo, spc uint32 }
	var table []row
	if fatBits == 16 {
		// mkfs.fat's choice: 2 KiB clusters up to 128 MiB (the
		// specification's table would use 1 KiB up to 16 MiB), then the
		// specification's sizes.
		table = []row{{262144, 4}, {524288, 8}, {1048576, 16}, {2097152, 32}, {4194304, 64}, {0xffffffff, 128}}
	} else {
		table = []row{{532480, 1}, {16777216, 8}, {33554432, 16}, {67108864, 32}, {0xffffffff, 64}}
	}
	for _, r := range table {
		if total <= r.upTo {
			return r.spc
		}
	}
	return 64
}

// chooseGeometry picks FAT type and cluster size.
func chooseGeometry(opts Options, rootEntries uint32) (geometry, error) {
	if opts.Size <= 0 || opts.Size%sectorSize != 0 {
		return geometry{}, fmt.Errorf("Size 0x%x (%d) is not a positive multiple of %d", opts.Size, opts.Size, sectorSize)
	}
	if opts.Size/sectorSize > 0xffffffff {
		return geometry{}, fmt.Errorf("Size 0x%x (%d) exceeds the FAT limit of 2^32 sectors", opts.Size, opts.Size)
	}
	total := uint32(opts.Size / sectorSize)
	spcForced := uint32(opts.SectorsPerCluster)
	if spcForced != 0 && (spcForced > 128 || spcForced&(spcForced-1) != 0) {
		return geometry{}, fmt.Errorf("Sectors per cluster %d is not a power of two up to 128", spcForced)
	}
	try := func(bits int) (geometry, bool) {
		lo, hi := clusterRange(bits)
		var cands []uint32
		switch {
		case spcForced != 0:
			cands = []uint32{spcForced}
		case bits == 12 && opts.FATType == 0:
			// Chosen automatically only when the usual cluster size fits.
			cands = []uint32{defaultSPC(16, total)}
		case bits == 12:
			cands = []uint32{defaultSPC(16, total), 1, 2, 4, 8, 16, 32, 64, 128}
		default:
			// The recommended size first, then smaller ones for volumes
			// the table considers too small for this type.
			for s := defaultSPC(bits, total); s >= 1; s /= 2 {
				cands = append(cands, s)
			}
		}
		for _, s := range cands {
			g, ok := layout(total, bits, s, rootEntries)
			if ok && g.clusters >= lo && g.clusters <= hi {
				return g, true
			}
		}
		return geometry{}, false
	}
	var order []int
	switch opts.FATType {
	case 0:
		// FAT32 from 512 MiB, as mkfs.fat and the specification advise;
		// below that FAT12 when the default cluster size gives few enough
		// clusters, else FAT16.
		if opts.Size >= 512<<20 {
			order = []int{32, 16}
		} else {
			order = []int{12, 16, 32}
		}
	case 12, 16, 32:
		order = []int{opts.FATType}
	default:
		return geometry{}, fmt.Errorf("FAT type %d is not 12, 16 or 32", opts.FATType)
	}
	for _, bits := range order {
		if g, ok := try(bits); ok {
			return g, nil
		}
	}
	lo, hi := clusterRange(order[0])
	return geometry{}, fmt.Errorf("Size 0x%x (%d) cannot hold a FAT%d filesystem (it needs %d to %d clusters)", opts.Size, opts.Size, order[0], lo, hi)
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
	le.PutUint16(s[24:], 32)
	le.PutUint16(s[26:], 64)
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
		if _, err := w.WriteAt(buf[:k], at+done); err != nil {
			return err
		}
		done += int64(k)
	}
	if k, _ := f.Read(buf[:1]); k != 0 {
		return fmt.Errorf("Node '/%s': source %s grew while building (expected %d bytes)", n.Entry.Path, n.Entry.Source, n.Size)
	}
	return nil
}
