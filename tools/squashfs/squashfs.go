// Package squashfs writes and reads squashfs 4.0 filesystem images (the
// format Linux mounts read-only and unsquashfs extracts).
//
// Images are reproducible: entries are sorted by name, every inode carries
// the same caller-given time, owners come from the tree (0:0 by default),
// and compression is single-threaded. Data blocks are streamed from the
// source files; only metadata is kept in memory.
//
// Layout, in file order: superblock, compressor options, data and fragment
// blocks, inode table, directory table, fragment table, export table, id
// table; padded to 4 KiB as mksquashfs does. Inode numbering, directory
// headers and index and table placement follow mksquashfs 4.5, so an
// uncompressed image ("none") is byte-identical to what
// `mksquashfs -noI -noD -noF -noX -all-root -no-duplicates` writes for the
// same tree; with a compressor the compressed bytes (and so the offsets)
// differ, as Go's compressors are not the C libraries.
package squashfs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/fstree"
)

const (
	magic        = 0x73717368
	superSize    = 96
	metaSize     = 8192
	metaUncomp   = 0x8000
	dataUncomp   = 1 << 24
	noFragment   = 0xffffffff
	noXattr      = 0xffffffff
	invalidTable = 0xffffffffffffffff
	devicePad    = 4096

	flagUncompInodes = 0x0001
	flagUncompData   = 0x0002
	flagUncompFrags  = 0x0008
	flagNoFragments  = 0x0010
	flagExportable   = 0x0080
	flagUncompXattrs = 0x0100
	flagNoXattrs     = 0x0200
	flagCompOptions  = 0x0400
	flagUncompIDs    = 0x0800

	typeDir     = 1
	typeFile    = 2
	typeSymlink = 3
	typeBlock   = 4
	typeChar    = 5
	typeLDir    = 8
	typeLFile   = 9
)

// Options control how the image is written.
type Options struct {
	Compressor  string // gzip (default), xz, lz4, zstd or none
	BlockSize   int    // power of two from 4 KiB to 1 MiB; 0 means 128 KiB
	ModTime     uint32 // seconds since 1970, for the superblock and every inode
	NoFragments bool   // store small files in their own blocks
	NoExport    bool   // omit the export table (NFS export support)
}

// Output is what Build writes to.
type Output interface {
	io.WriterAt
	Truncate(size int64) error
}

type fileData struct {
	start      uint64
	sizes      []uint32
	fragment   uint32
	fragOffset uint32
}

type fragEntry struct {
	start uint64
	size  uint32
}

type builder struct {
	opts      Options
	blockSize int
	comp      compressor
	idComp    compressor // the id table's: gzip when comp stores nothing
	out       Output
	off       int64

	files     map[*fstree.Node]*fileData
	fragBuf   []byte
	fragPend  []*fileData // files waiting for the pending fragment block
	frags     []fragEntry
	inodeNums map[*fstree.Node]uint32
	inodeRefs map[*fstree.Node]uint64
	ids       []uint32
	idIndex   map[uint32]uint16
	inodes    *metaWriter
	dirs      *metaWriter
	exports   []uint64
	flags     uint16
}

// Build writes a squashfs image of root (prepared with fstree.Build and
// fstree.Stat) to out, replacing its contents.
func Build(out Output, root *fstree.Node, opts Options) error {
	bs := opts.BlockSize
	if bs == 0 {
		bs = 128 << 10
	}
	if bs < 4096 || bs > 1<<20 || bs&(bs-1) != 0 {
		return fmt.Errorf("block size %d is not a power of two from 4096 to 1048576", bs)
	}
	comp, err := newCompressor(opts.Compressor, bs)
	if err != nil {
		return err
	}
	b := &builder{
		opts: opts, blockSize: bs, comp: comp, out: out,
		files: map[*fstree.Node]*fileData{}, inodeNums: map[*fstree.Node]uint32{},
		inodeRefs: map[*fstree.Node]uint64{}, idIndex: map[uint32]uint16{},
		flags: flagNoXattrs,
	}
	b.idComp = comp
	if opts.Compressor == "none" {
		b.idComp = &zlibComp{}
	}
	b.inodes = &metaWriter{comp: comp, uncomp: opts.Compressor == "none"}
	b.dirs = &metaWriter{comp: comp, uncomp: opts.Compressor == "none"}
	if opts.Compressor == "none" {
		// As mksquashfs -noI -noD -noF -noX: the id table is still
		// compressed (with gzip) when that makes it smaller.
		b.flags |= flagUncompInodes | flagUncompData | flagUncompFrags | flagUncompXattrs
	}
	if opts.NoFragments {
		b.flags |= flagNoFragments
	}
	if !opts.NoExport {
		b.flags |= flagExportable
	}
	if err := out.Truncate(0); err != nil {
		return err
	}
	b.off = superSize
	if o := comp.options(); o != nil {
		b.flags |= flagCompOptions
		hdr := make([]byte, 2)
		binary.LittleEndian.PutUint16(hdr, uint16(len(o))|metaUncomp)
		if err := b.write(append(hdr, o...)); err != nil {
			return err
		}
	}
	if err := b.collectIDs(root); err != nil {
		return err
	}
	if err := b.writeData(root); err != nil {
		return err
	}
	count := b.numberInodes(root)
	b.exports = make([]uint64, count)
	if _, err := b.writeInodes(root, count+1); err != nil {
		return err
	}
	return b.finish(root, count)
}

func (b *builder) write(p []byte) error {
	if _, err := b.out.WriteAt(p, b.off); err != nil {
		return err
	}
	b.off += int64(len(p))
	return nil
}

func (b *builder) collectIDs(root *fstree.Node) error {
	set := map[uint32]bool{}
	fstree.Walk(root, func(n *fstree.Node) error {
		set[n.Entry.UID], set[n.Entry.GID] = true, true
		return nil
	})
	for id := range set {
		b.ids = append(b.ids, id)
	}
	if len(b.ids) > 65535 {
		return fmt.Errorf("%d distinct uids/gids exceed squashfs's 65535", len(b.ids))
	}
	// Sorted so the table does not depend on map order.
	for i := 1; i < len(b.ids); i++ {
		for j := i; j > 0 && b.ids[j] < b.ids[j-1]; j-- {
			b.ids[j], b.ids[j-1] = b.ids[j-1], b.ids[j]
		}
	}
	for i, id := range b.ids {
		b.idIndex[id] = uint16(i)
	}
	return nil
}

// writeData stores every file's blocks in tree order; files smaller than a
// block share fragment blocks unless NoFragments.
func (b *builder) writeData(root *fstree.Node) error {
	buf := make([]byte, b.blockSize)
	err := fstree.Walk(root, func(n *fstree.Node) error {
		if n.Entry.Kind != fstree.File {
			return nil
		}
		fd := &fileData{fragment: noFragment}
		b.files[n] = fd
		if n.Size == 0 {
			return nil
		}
		f, err := os.Open(n.Entry.Source)
		if err != nil {
			return fmt.Errorf("'/%s': %v", n.Entry.Path, err)
		}
		defer f.Close()
		// Files held only in a fragment record block start 0, as
		// mksquashfs writes them.
		if n.Size >= int64(b.blockSize) || b.opts.NoFragments {
			fd.start = uint64(b.off)
		}
		var done int64
		for done < n.Size {
			want := int64(b.blockSize)
			if n.Size-done < want {
				want = n.Size - done
			}
			k, err := io.ReadFull(f, buf[:want])
			if err != nil {
				return fmt.Errorf("'/%s': source %s shrank to %d bytes while building (expected %d)", n.Entry.Path, n.Entry.Source, done+int64(k), n.Size)
			}
			done += int64(k)
			if done == n.Size && int64(k) < int64(b.blockSize) && n.Size < int64(b.blockSize) && !b.opts.NoFragments {
				return b.addFragment(fd, buf[:k])
			}
			size, err := b.writeBlock(buf[:k])
			if err != nil {
				return err
			}
			fd.sizes = append(fd.sizes, size)
		}
		if k, _ := f.Read(buf[:1]); k != 0 {
			return fmt.Errorf("'/%s': source %s grew while building (expected %d bytes)", n.Entry.Path, n.Entry.Source, n.Size)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return b.flushFragment()
}

// writeBlock stores one data block and returns its size word. An all-zero
// block becomes a hole (size 0), which readers expand again.
func (b *builder) writeBlock(p []byte) (uint32, error) {
	if isZero(p) {
		return 0, nil
	}
	packed, err := b.pack(p, b.flags&flagUncompData != 0)
	if err != nil {
		return 0, err
	}
	if packed == nil {
		return uint32(len(p)) | dataUncomp, b.write(p)
	}
	return uint32(len(packed)), b.write(packed)
}

func (b *builder) pack(p []byte, never bool) ([]byte, error) {
	if never {
		return nil, nil
	}
	return b.comp.compress(p)
}

func isZero(p []byte) bool {
	for _, c := range p {
		if c != 0 {
			return false
		}
	}
	return true
}

func (b *builder) addFragment(fd *fileData, p []byte) error {
	if len(b.fragBuf)+len(p) > b.blockSize {
		if err := b.flushFragment(); err != nil {
			return err
		}
	}
	fd.fragment = uint32(len(b.frags))
	fd.fragOffset = uint32(len(b.fragBuf))
	b.fragBuf = append(b.fragBuf, p...)
	return nil
}

func (b *builder) flushFragment() error {
	if len(b.fragBuf) == 0 {
		return nil
	}
	e := fragEntry{start: uint64(b.off)}
	packed, err := b.pack(b.fragBuf, b.flags&flagUncompFrags != 0)
	if err != nil {
		return err
	}
	if packed == nil {
		e.size = uint32(len(b.fragBuf)) | dataUncomp
		err = b.write(b.fragBuf)
	} else {
		e.size = uint32(len(packed))
		err = b.write(packed)
	}
	b.frags = append(b.frags, e)
	b.fragBuf = b.fragBuf[:0]
	return err
}

// numberInodes numbers the inodes as mksquashfs does: depth first in
// sorted order, each directory before its contents, and the root last.
func (b *builder) numberInodes(root *fstree.Node) uint32 {
	var next uint32
	var walk func(n *fstree.Node)
	walk = func(n *fstree.Node) {
		for _, c := range n.Children {
			next++
			b.inodeNums[c] = next
			if c.IsDir() {
				walk(c)
			}
		}
	}
	walk(root)
	next++
	b.inodeNums[root] = next
	return next
}

func (b *builder) header(n *fstree.Node, typ uint16) []byte {
	h := make([]byte, 16)
	le := binary.LittleEndian
	le.PutUint16(h[0:], typ)
	le.PutUint16(h[2:], uint16(n.Entry.Perm()))
	le.PutUint16(h[4:], b.idIndex[n.Entry.UID])
	le.PutUint16(h[6:], b.idIndex[n.Entry.GID])
	le.PutUint32(h[8:], b.opts.ModTime)
	le.PutUint32(h[12:], b.inodeNums[n])
	return h
}

// addInode appends an inode to the inode table and records its reference.
func (b *builder) addInode(n *fstree.Node, data []byte) {
	ref := b.inodes.ref()
	b.inodeRefs[n] = ref
	b.exports[b.inodeNums[n]-1] = ref
	b.inodes.write(data)
}

// writeInodes writes the inodes of n's subtree and then n's own; parent is
// the inode number of n's parent.
func (b *builder) writeInodes(n *fstree.Node, parent uint32) (subdirs uint32, err error) {
	le := binary.LittleEndian
	var nsub uint32
	for _, c := range n.Children {
		if c.IsDir() {
			nsub++
			if _, err := b.writeInodes(c, b.inodeNums[n]); err != nil {
				return 0, err
			}
			continue
		}
		var in []byte
		switch c.Entry.Kind {
		case fstree.File:
			fd := b.files[c]
			if c.Size >= 1<<32 || fd.start >= 1<<32 {
				in = b.header(c, typeLFile)
				var f [40]byte
				le.PutUint64(f[0:], fd.start)
				le.PutUint64(f[8:], uint64(c.Size))
				le.PutUint32(f[24:], 1)
				le.PutUint32(f[28:], fd.fragment)
				le.PutUint32(f[32:], fd.fragOffset)
				le.PutUint32(f[36:], noXattr)
				in = append(in, f[:]...)
			} else {
				in = b.header(c, typeFile)
				var f [16]byte
				le.PutUint32(f[0:], uint32(fd.start))
				le.PutUint32(f[4:], fd.fragment)
				le.PutUint32(f[8:], fd.fragOffset)
				le.PutUint32(f[12:], uint32(c.Size))
				in = append(in, f[:]...)
			}
			for _, s := range fd.sizes {
				in = le.AppendUint32(in, s)
			}
		case fstree.Symlink:
			in = b.header(c, typeSymlink)
			in = le.AppendUint32(in, 1)
			in = le.AppendUint32(in, uint32(len(c.Entry.Target)))
			in = append(in, c.Entry.Target...)
		case fstree.CharDevice, fstree.BlockDevice:
			typ := uint16(typeChar)
			if c.Entry.Kind == fstree.BlockDevice {
				typ = typeBlock
			}
			in = b.header(c, typ)
			in = le.AppendUint32(in, 1)
			// Linux's "new" dev_t encoding, which squashfs stores.
			mj, mn := c.Entry.Major, c.Entry.Minor
			in = le.AppendUint32(in, mn&0xff|mj<<8|(mn&^0xff)<<12)
		default:
			return 0, fmt.Errorf("'/%s': squashfs cannot store a %s", c.Entry.Path, c.Entry.Kind)
		}
		b.addInode(c, in)
	}
	// size counts 3 bytes more than the listing, for the "." and ".."
	// entries the kernel invents.
	index, indexCount, size, start, err := b.writeListing(n)
	if err != nil {
		return 0, err
	}
	var in []byte
	if len(index) > 0 || size > 0xffff {
		in = b.header(n, typeLDir)
		in = le.AppendUint32(in, 2+nsub)
		in = le.AppendUint32(in, size)
		in = le.AppendUint32(in, uint32(start>>16))
		in = le.AppendUint32(in, parent)
		in = le.AppendUint16(in, uint16(indexCount))
		in = le.AppendUint16(in, uint16(start&0xffff))
		in = le.AppendUint32(in, noXattr)
		in = append(in, index...)
	} else {
		in = b.header(n, typeDir)
		in = le.AppendUint32(in, uint32(start>>16))
		in = le.AppendUint32(in, 2+nsub)
		in = le.AppendUint16(in, uint16(size))
		in = le.AppendUint16(in, uint16(start&0xffff))
		in = le.AppendUint32(in, parent)
	}
	b.addInode(n, in)
	return nsub, nil
}

func dirEntryType(n *fstree.Node) uint16 {
	switch n.Entry.Kind {
	case fstree.Dir:
		return typeDir
	case fstree.Symlink:
		return typeSymlink
	case fstree.CharDevice:
		return typeChar
	case fstree.BlockDevice:
		return typeBlock
	}
	return typeFile
}

// writeListing appends n's directory listing to the directory table and
// returns the directory index and the listing's size and start reference.
//
// Entries are grouped under headers as mksquashfs groups them: a new header
// after 256 entries, when an entry's inode is in another inode-table block
// or too far in number from the header's base, and when an entry would
// end more than 8 KiB past the last indexed header. That last kind of
// header gets an index entry, which Linux uses to skip ahead in large
// directories.
func (b *builder) writeListing(n *fstree.Node) (index []byte, indexCount int, size uint32, start uint64, err error) {
	le := binary.LittleEndian
	start = b.dirs.ref()
	startPos := b.dirs.pos()
	// First decide where headers go (positions only depend on lengths),
	// so each header is written once with its final count.
	type group struct {
		first, count int
		indexed      bool
	}
	var groups []group
	var pos, lastIndexed uint64 // offsets in this listing
	var inodeBlock uint64
	var base uint32
	for i, c := range n.Children {
		if len(c.Name) > 256 {
			return nil, 0, 0, 0, fmt.Errorf("'/%s': name longer than squashfs's 256 bytes", c.Entry.Path)
		}
		ref, num := b.inodeRefs[c], b.inodeNums[c]
		delta := int64(num) - int64(base)
		entrySize := 8 + uint64(len(c.Name))
		overIndex := len(groups) > 0 && pos+entrySize-lastIndexed > metaSize
		if len(groups) == 0 || groups[len(groups)-1].count == 256 || ref>>16 != inodeBlock ||
			overIndex || delta < -32768 || delta > 32767 {
			groups = append(groups, group{first: i, indexed: overIndex})
			if overIndex {
				lastIndexed = pos
			}
			inodeBlock, base = ref>>16, num
			pos += 12
		}
		groups[len(groups)-1].count++
		pos += entrySize
	}
	for _, g := range groups {
		first := n.Children[g.first]
		hdrPos := b.dirs.pos()
		if g.indexed {
			index = le.AppendUint32(index, uint32(hdrPos-startPos))
			index = le.AppendUint32(index, uint32(b.dirs.blockStart(hdrPos)))
			index = le.AppendUint32(index, uint32(len(first.Name)-1))
			index = append(index, first.Name...)
			indexCount++
		}
		base := b.inodeNums[first]
		var hdr []byte
		hdr = le.AppendUint32(hdr, uint32(g.count-1))
		hdr = le.AppendUint32(hdr, uint32(b.inodeRefs[first]>>16))
		hdr = le.AppendUint32(hdr, base)
		b.dirs.write(hdr)
		for _, c := range n.Children[g.first : g.first+g.count] {
			var e []byte
			e = le.AppendUint16(e, uint16(b.inodeRefs[c]&0xffff))
			e = le.AppendUint16(e, uint16(int16(int64(b.inodeNums[c])-int64(base))))
			e = le.AppendUint16(e, dirEntryType(c))
			e = le.AppendUint16(e, uint16(len(c.Name)-1))
			e = append(e, c.Name...)
			b.dirs.write(e)
		}
	}
	if b.dirs.pos()-startPos != pos {
		panic("squashfs: directory listing size mismatch")
	}
	if pos+3 > 0xffffffff {
		return nil, 0, 0, 0, fmt.Errorf("'/%s': directory listing too large", n.Entry.Path)
	}
	return index, indexCount, uint32(pos + 3), start, nil
}

func (b *builder) finish(root *fstree.Node, count uint32) error {
	le := binary.LittleEndian
	inodeStart := b.off
	if err := b.write(b.inodes.finish()); err != nil {
		return err
	}
	dirStart := b.off
	if err := b.write(b.dirs.finish()); err != nil {
		return err
	}
	// Like mksquashfs, point at an empty fragment table rather than
	// marking it absent when there are no fragments.
	var raw []byte
	for _, f := range b.frags {
		raw = le.AppendUint64(raw, f.start)
		raw = le.AppendUint32(raw, f.size)
		raw = le.AppendUint32(raw, 0)
	}
	fragTable, err := b.writeLookupTable(raw, b.flags&flagUncompFrags != 0, b.comp)
	if err != nil {
		return err
	}
	exportTable := uint64(invalidTable)
	if !b.opts.NoExport {
		var raw []byte
		for _, r := range b.exports {
			raw = le.AppendUint64(raw, r)
		}
		at, err := b.writeLookupTable(raw, b.flags&flagUncompInodes != 0, b.comp)
		if err != nil {
			return err
		}
		exportTable = at
	}
	raw = nil
	for _, id := range b.ids {
		raw = le.AppendUint32(raw, id)
	}
	idTable, err := b.writeLookupTable(raw, b.flags&flagUncompIDs != 0, b.idComp)
	if err != nil {
		return err
	}
	bytesUsed := b.off

	sb := make([]byte, superSize)
	le.PutUint32(sb[0:], magic)
	le.PutUint32(sb[4:], count)
	le.PutUint32(sb[8:], b.opts.ModTime)
	le.PutUint32(sb[12:], uint32(b.blockSize))
	le.PutUint32(sb[16:], uint32(len(b.frags)))
	le.PutUint16(sb[20:], b.comp.id())
	le.PutUint16(sb[22:], uint16(log2(b.blockSize)))
	le.PutUint16(sb[24:], b.flags)
	le.PutUint16(sb[26:], uint16(len(b.ids)))
	le.PutUint16(sb[28:], 4)
	le.PutUint16(sb[30:], 0)
	le.PutUint64(sb[32:], b.inodeRefs[root])
	le.PutUint64(sb[40:], uint64(bytesUsed))
	le.PutUint64(sb[48:], idTable)
	le.PutUint64(sb[56:], invalidTable)
	le.PutUint64(sb[64:], uint64(inodeStart))
	le.PutUint64(sb[72:], uint64(dirStart))
	le.PutUint64(sb[80:], fragTable)
	le.PutUint64(sb[88:], exportTable)
	if _, err := b.out.WriteAt(sb, 0); err != nil {
		return err
	}
	// Pad to 4 KiB so the image can sit on a block device, like mksquashfs.
	if rem := bytesUsed % devicePad; rem != 0 {
		if err := b.write(make([]byte, devicePad-rem)); err != nil {
			return err
		}
	}
	return nil
}

// writeLookupTable stores raw as metadata blocks followed by the array of
// their positions, and returns the array's position (what the superblock
// points at).
func (b *builder) writeLookupTable(raw []byte, uncompressed bool, comp compressor) (uint64, error) {
	var index []byte
	for i := 0; i < len(raw); i += metaSize {
		end := i + metaSize
		if end > len(raw) {
			end = len(raw)
		}
		index = binary.LittleEndian.AppendUint64(index, uint64(b.off))
		blk, err := metaBlock(comp, raw[i:end], uncompressed)
		if err != nil {
			return 0, err
		}
		if err := b.write(blk); err != nil {
			return 0, err
		}
	}
	at := uint64(b.off)
	return at, b.write(index)
}

func log2(n int) int {
	l := 0
	for n > 1 {
		n >>= 1
		l++
	}
	return l
}

// metaBlock packs up to 8 KiB of table data behind its 16-bit header.
func metaBlock(c compressor, p []byte, uncompressed bool) ([]byte, error) {
	var packed []byte
	if !uncompressed {
		var err error
		if packed, err = c.compress(p); err != nil {
			return nil, err
		}
	}
	hdr := make([]byte, 2, 2+len(p))
	if packed == nil {
		binary.LittleEndian.PutUint16(hdr, uint16(len(p))|metaUncomp)
		return append(hdr, p...), nil
	}
	binary.LittleEndian.PutUint16(hdr, uint16(len(packed)))
	return append(hdr, packed...), nil
}

// metaWriter accumulates a metadata table (inodes or directories): 8 KiB
// chunks, each compressed on its own, addressed by references of the form
// (compressed block start << 16 | offset in the uncompressed block).
type metaWriter struct {
	comp   compressor
	uncomp bool
	raw    []byte   // all uncompressed bytes so far
	starts []uint64 // compressed start of each block
}

func (m *metaWriter) pos() uint64 { return uint64(len(m.raw)) }

func (m *metaWriter) ref() uint64 {
	return m.blockStart(m.pos())<<16 | m.pos()%metaSize
}

func (m *metaWriter) write(p []byte) { m.raw = append(m.raw, p...) }

// blockStart returns where the block holding uncompressed position pos
// starts in the compressed table, compressing full blocks as needed.
func (m *metaWriter) blockStart(pos uint64) uint64 {
	want := int(pos / metaSize)
	for len(m.starts) <= want {
		k := len(m.starts)
		if k == 0 {
			m.starts = append(m.starts, 0)
			continue
		}
		blk, err := metaBlock(m.comp, m.raw[(k-1)*metaSize:k*metaSize], m.uncomp)
		if err != nil {
			panic(err) // the compressors only fail on allocation
		}
		m.starts = append(m.starts, m.starts[k-1]+uint64(len(blk)))
	}
	return m.starts[want]
}

// finish returns the whole compressed table.
func (m *metaWriter) finish() []byte {
	var out bytes.Buffer
	for i := 0; i < len(m.raw); i += metaSize {
		end := i + metaSize
		if end > len(m.raw) {
			end = len(m.raw)
		}
		blk, err := metaBlock(m.comp, m.raw[i:end], m.uncomp)
		if err != nil {
			panic(err)
		}
		out.Write(blk)
	}
	return out.Bytes()
}
