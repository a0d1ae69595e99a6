package extfs

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"os"
)

var (
	extentMagic = uint16(0xF30A)
)

// crc32c is the raw CRC32C ext4 uses: seeded, no final inversion.
func crc32c(seed uint32, p []byte) uint32 {
	// MakeTable builds the Castagnoli table once, on the first call
	// (not at start-up: fwtool runs every package's initialisation).
	return ^crc32.Update(^seed, crc32.MakeTable(crc32.Castagnoli), p)
}

func u32(v uint32) []byte {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return b[:]
}

type writer struct {
	fs       *filesystem
	out      Output
	sum      hash.Hash
	csumSeed uint32
	uuid     [16]byte
	hashSeed [16]byte
	buf      []byte
}

func (fs *filesystem) write(out Output) error {
	w := &writer{fs: fs, out: out, sum: sha256.New()}
	if err := out.Truncate(0); err != nil {
		return err
	}
	if err := out.Truncate(fs.opts.Size); err != nil {
		return err
	}
	w.hashMetadata()
	for _, in := range fs.inodes {
		if in != nil && in.src != "" && in.runs != nil {
			if err := w.copyFile(in); err != nil {
				return err
			}
		}
	}
	w.setIDs()
	for _, in := range fs.inodes {
		if in == nil {
			continue
		}
		if err := w.writeMapped(in); err != nil {
			return err
		}
	}
	return w.writeGroups()
}

// hashMetadata feeds everything that shapes the image into the hash the
// UUID and hash seed are derived from (file contents follow as copied).
func (w *writer) hashMetadata() {
	o := w.fs.opts
	fmt.Fprintf(w.sum, "extfs1 %s %d %d %d %v %q %d\n", o.Type, o.Size, w.fs.g.bs, w.fs.g.inodes(), w.fs.feat, o.Label, o.Time)
	for _, in := range w.fs.inodes {
		if in == nil {
			continue
		}
		fmt.Fprintf(w.sum, "%d %o %d %d %d %q %d %d\n", in.num, in.mode, in.uid, in.gid, in.size, in.target, in.major, in.minor)
		for _, e := range in.entries {
			fmt.Fprintf(w.sum, " %d %q\n", e.ino, e.name)
		}
	}
}

func (w *writer) setIDs() {
	s := w.sum.Sum(nil)
	copy(w.uuid[:], s[:16])
	copy(w.hashSeed[:], s[16:32])
	for _, u := range []*[16]byte{&w.uuid, &w.hashSeed} {
		u[6] = u[6]&0x0f | 0x40 // version 4
		u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	}
	if w.fs.opts.UUID != nil {
		w.uuid = *w.fs.opts.UUID
	}
	if w.fs.opts.HashSeed != nil {
		w.hashSeed = *w.fs.opts.HashSeed
	}
	w.csumSeed = crc32c(^uint32(0), w.uuid[:])
}

func isZero(p []byte) bool {
	for _, c := range p {
		if c != 0 {
			return false
		}
	}
	return true
}

// writeAt writes p at block b, leaving all-zero blocks unwritten (the
// output was truncated to size, so they read as zero and stay sparse).
func (w *writer) writeAt(b uint64, p []byte) error {
	bs := int(w.fs.g.bs)
	for i := 0; i < len(p); {
		if isZero(p[i:min(i+bs, len(p))]) {
			i += bs
			continue
		}
		j := i + bs
		for j < len(p) && !isZero(p[j:min(j+bs, len(p))]) {
			j += bs
		}
		if j > len(p) {
			j = len(p)
		}
		if _, err := w.out.WriteAt(p[i:j], int64(b*w.fs.g.bs)+int64(i)); err != nil {
			return err
		}
		i = j
	}
	return nil
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// copyFile copies a regular file's contents into its blocks.
func (w *writer) copyFile(in *inode) error {
	f, err := os.Open(in.src)
	if err != nil {
		return fmt.Errorf("%s: %v", w.fs.name(in), err)
	}
	defer f.Close()
	bs := w.fs.g.bs
	if w.buf == nil {
		w.buf = make([]byte, 256*bs)
	}
	for _, r := range in.runs {
		for done := uint64(0); done < r.n; {
			n := r.n - done
			if n > 256 {
				n = 256
			}
			p := w.buf[:n*bs]
			at := (r.logical + done) * bs
			want := n * bs
			if at+want > in.size {
				want = in.size - at
			}
			if _, err := f.ReadAt(p[:want], int64(at)); err != nil {
				return fmt.Errorf("%s: reading %s: %v (changed while building?)", w.fs.name(in), in.src, err)
			}
			for i := want; i < uint64(len(p)); i++ {
				p[i] = 0
			}
			w.sum.Write(p[:want])
			if err := w.writeAt(r.phys+done, p); err != nil {
				return err
			}
			done += n
		}
	}
	return nil
}

// writeMapped writes an inode's directory or symlink blocks, journal
// superblock and mapping blocks, and fills in its i_block.
func (w *writer) writeMapped(in *inode) error {
	switch {
	case in.entries != nil:
		blocks := w.fs.dirBlocks(in.entries)
		for len(blocks) < in.dirBlocks {
			blocks = append(blocks, w.fs.emptyDirBlock())
		}
		for i, b := range blocks {
			w.dirTail(in.num, b)
			if err := w.writeAt(in.physical(uint64(i)), b); err != nil {
				return err
			}
		}
	case in.mode&0o170000 == sIFLNK && in.dataBlocks > 0:
		b := make([]byte, w.fs.g.bs)
		copy(b, in.target)
		if err := w.writeAt(in.runs[0].phys, b); err != nil {
			return err
		}
	case in.num == journalIno:
		if err := w.writeAt(in.runs[0].phys, w.journalSuper()); err != nil {
			return err
		}
	}
	switch {
	case in.mode&0o170000 == sIFCHR || in.mode&0o170000 == sIFBLK:
		if in.major < 256 && in.minor < 256 {
			binary.LittleEndian.PutUint32(in.iblock[0:], in.major<<8|in.minor)
		} else {
			binary.LittleEndian.PutUint32(in.iblock[4:], in.minor&0xff|in.major<<8|(in.minor&^0xff)<<12)
		}
	case in.mode&0o170000 == sIFLNK && in.dataBlocks == 0:
		copy(in.iblock[:], in.target)
	case in.dataBlocks == 0:
	case w.fs.usesExtents(in):
		return w.extentTree(in)
	default:
		return w.indirectMap(in)
	}
	return nil
}

func (w *writer) inodeSeed(ino uint32) uint32 {
	c := crc32c(w.csumSeed, u32(ino))
	return crc32c(c, u32(0)) // generation
}

func (fs *filesystem) dirLimit() int {
	if fs.has("metadata_csum") {
		return int(fs.g.bs) - 12
	}
	return int(fs.g.bs)
}

// dirBlocks packs directory entries into blocks, the last entry of each
// block stretched to its end (or to the checksum tail).
func (fs *filesystem) dirBlocks(entries []dirent) [][]byte {
	limit := fs.dirLimit()
	var blocks [][]byte
	var cur []byte
	pos, last := 0, -1
	for _, e := range entries {
		rec := (8 + len(e.name) + 3) &^ 3
		if cur == nil || pos+rec > limit {
			if cur != nil {
				binary.LittleEndian.PutUint16(cur[last+4:], uint16(limit-last))
			}
			cur = make([]byte, fs.g.bs)
			blocks = append(blocks, cur)
			pos = 0
		}
		binary.LittleEndian.PutUint32(cur[pos:], e.ino)
		binary.LittleEndian.PutUint16(cur[pos+4:], uint16(rec))
		cur[pos+6] = uint8(len(e.name))
		cur[pos+7] = e.ft
		copy(cur[pos+8:], e.name)
		last, pos = pos, pos+rec
	}
	binary.LittleEndian.PutUint16(cur[last+4:], uint16(limit-last))
	return blocks
}

func (fs *filesystem) emptyDirBlock() []byte {
	b := make([]byte, fs.g.bs)
	binary.LittleEndian.PutUint16(b[4:], uint16(fs.dirLimit()))
	return b
}

// dirTail adds metadata_csum's checksum entry at a directory block's end.
func (w *writer) dirTail(ino uint32, b []byte) {
	if !w.fs.has("metadata_csum") {
		return
	}
	t := len(b) - 12
	binary.LittleEndian.PutUint32(b[t:], 0)
	binary.LittleEndian.PutUint16(b[t+4:], 12)
	b[t+6] = 0
	b[t+7] = 0xDE
	binary.LittleEndian.PutUint32(b[t+8:], crc32c(w.inodeSeed(ino), b[:t]))
}

func putExtentHeader(b []byte, entries, max, depth int) {
	binary.LittleEndian.PutUint16(b[0:], extentMagic)
	binary.LittleEndian.PutUint16(b[2:], uint16(entries))
	binary.LittleEndian.PutUint16(b[4:], uint16(max))
	binary.LittleEndian.PutUint16(b[6:], uint16(depth))
}

func putExtent(b []byte, r run) {
	binary.LittleEndian.PutUint32(b[0:], uint32(r.logical))
	binary.LittleEndian.PutUint16(b[4:], uint16(r.n))
	binary.LittleEndian.PutUint16(b[6:], uint16(r.phys>>32))
	binary.LittleEndian.PutUint32(b[8:], uint32(r.phys))
}

// extentTree writes the extents into i_block, or into leaf blocks indexed
// from i_block when more than four.
func (w *writer) extentTree(in *inode) error {
	in.flags |= 0x80000 // EXT4_EXTENTS_FL
	if len(in.meta) == 0 {
		putExtentHeader(in.iblock[:], len(in.runs), 4, 0)
		for i, r := range in.runs {
			putExtent(in.iblock[12+12*i:], r)
		}
		return nil
	}
	per := int(w.fs.extentsPerBlock())
	putExtentHeader(in.iblock[:], len(in.meta), 4, 1)
	for k, leaf := range in.meta {
		runs := in.runs[k*per:]
		if len(runs) > per {
			runs = runs[:per]
		}
		b := make([]byte, w.fs.g.bs)
		putExtentHeader(b, len(runs), per, 0)
		for i, r := range runs {
			putExtent(b[12+12*i:], r)
		}
		if w.fs.has("metadata_csum") {
			t := 12 + 12*per
			binary.LittleEndian.PutUint32(b[t:], crc32c(w.inodeSeed(in.num), b[:t]))
		}
		if err := w.writeAt(leaf, b); err != nil {
			return err
		}
		idx := in.iblock[12+12*k:]
		binary.LittleEndian.PutUint32(idx[0:], uint32(runs[0].logical))
		binary.LittleEndian.PutUint32(idx[4:], uint32(leaf))
		binary.LittleEndian.PutUint16(idx[8:], uint16(leaf>>32))
	}
	return nil
}

// indirectMap writes ext2/ext3 block maps: 12 direct pointers, then
// single, double and triple indirect blocks; holes are zero pointers and
// a range without data has no block (as walkIndirect counted them).
func (w *writer) indirectMap(in *inode) error {
	for i := uint64(0); i < 12; i++ {
		binary.LittleEndian.PutUint32(in.iblock[4*i:], uint32(in.physical(i)))
	}
	p := w.fs.g.bs / 4
	start, span := uint64(12), p
	k := 0
	for level := 1; level <= 3; level++ {
		b, err := w.indirect(in, level, start, &k)
		if err != nil {
			return err
		}
		binary.LittleEndian.PutUint32(in.iblock[4*(11+level):], uint32(b))
		start += span
		span *= p
	}
	return nil
}

// indirect writes the indirect block of the given level whose range
// starts at logical block start, taking its block number from in.meta in
// walkIndirect's order; 0 when the range holds no data.
func (w *writer) indirect(in *inode, level int, start uint64, k *int) (uint64, error) {
	p := w.fs.g.bs / 4
	span := p
	for i := 1; i < level; i++ {
		span *= p
	}
	if !in.hasData(start, start+span) {
		return 0, nil
	}
	me := in.meta[*k]
	*k++
	b := make([]byte, w.fs.g.bs)
	for i := uint64(0); i < p; i++ {
		ptr := uint64(0)
		if level == 1 {
			ptr = in.physical(start + i)
		} else {
			var err error
			if ptr, err = w.indirect(in, level-1, start+i*span/p, k); err != nil {
				return 0, err
			}
		}
		binary.LittleEndian.PutUint32(b[4*i:], uint32(ptr))
	}
	return me, w.writeAt(me, b)
}

// journalSuper is a clean, empty JBD2 journal's superblock (big-endian).
func (w *writer) journalSuper() []byte {
	b := make([]byte, w.fs.g.bs)
	be := binary.BigEndian
	be.PutUint32(b[0:], 0xC03B3998) // magic
	be.PutUint32(b[4:], 4)          // superblock v2
	be.PutUint32(b[12:], uint32(w.fs.g.bs))
	be.PutUint32(b[16:], uint32(w.fs.g.journal))
	be.PutUint32(b[20:], 1) // first log block
	be.PutUint32(b[24:], 1) // first expected sequence
	copy(b[48:], w.uuid[:])
	be.PutUint32(b[64:], 1) // users: this filesystem
	return b
}
