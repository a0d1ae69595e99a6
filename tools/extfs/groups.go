package extfs

import (
	"encoding/binary"
	"fmt"
)

// inodeBytes encodes an inode (with its checksum under metadata_csum).
func (w *writer) inodeBytes(in *inode) []byte {
	g := w.fs.g
	b := make([]byte, g.isz)
	t := w.fs.opts.Time
	binary.LittleEndian.PutUint16(b[0:], in.mode)
	binary.LittleEndian.PutUint16(b[2:], uint16(in.uid))
	binary.LittleEndian.PutUint32(b[4:], uint32(in.size))
	for _, off := range []int{8, 12, 16} { // atime, ctime, mtime
		binary.LittleEndian.PutUint32(b[off:], t)
	}
	binary.LittleEndian.PutUint16(b[24:], uint16(in.gid))
	binary.LittleEndian.PutUint16(b[26:], uint16(in.links))
	sectors := (in.dataBlocks + uint64(len(in.meta))) * (g.bs / 512)
	binary.LittleEndian.PutUint32(b[28:], uint32(sectors))
	binary.LittleEndian.PutUint32(b[32:], in.flags)
	copy(b[40:100], in.iblock[:])
	binary.LittleEndian.PutUint32(b[108:], uint32(in.size>>32))
	binary.LittleEndian.PutUint16(b[116:], uint16(sectors>>32))
	binary.LittleEndian.PutUint16(b[120:], uint16(in.uid>>16))
	binary.LittleEndian.PutUint16(b[122:], uint16(in.gid>>16))
	if g.isz > 128 {
		binary.LittleEndian.PutUint16(b[128:], 32) // i_extra_isize
		binary.LittleEndian.PutUint32(b[144:], t)  // crtime
	}
	if w.fs.has("metadata_csum") {
		c := crc32c(w.inodeSeed(in.num), b)
		binary.LittleEndian.PutUint16(b[124:], uint16(c))
		binary.LittleEndian.PutUint16(b[130:], uint16(c>>16))
	}
	return b
}

// groupState is what one group's descriptor records.
type groupState struct {
	freeBlocks, freeInodes, dirs, unused uint64
	bbCsum, ibCsum                       uint32
}

// writeGroups writes every group's inode table and bitmaps, then the
// descriptors and superblock with their backups.
func (w *writer) writeGroups() error {
	g := w.fs.g
	states := make([]groupState, g.groups)
	var freeBlocks, freeInodes uint64
	for n := uint64(0); n < g.groups; n++ {
		st, err := w.writeGroup(n)
		if err != nil {
			return err
		}
		states[n] = st
		freeBlocks += st.freeBlocks
		freeInodes += st.freeInodes
	}
	gdt := make([]byte, g.gdtBlocks*g.bs)
	for n := range states {
		w.descriptor(gdt[uint64(n)*g.descSize:], uint64(n), states[n])
	}
	for n := uint64(0); n < g.groups; n++ {
		if !g.hasSuper(n) {
			continue
		}
		sb := w.superblock(n, freeBlocks, freeInodes)
		off := int64(g.groupStart(n) * g.bs)
		if n == 0 {
			off = 1024
		}
		if _, err := w.out.WriteAt(sb, off); err != nil {
			return err
		}
		if err := w.writeAt(g.groupStart(n)+1, gdt); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) writeGroup(n uint64) (groupState, error) {
	g := w.fs.g
	var st groupState
	table := make([]byte, g.itb*g.bs)
	ibm := make([]byte, g.bs)
	used := uint64(0)
	for i := uint64(0); i < g.ipg; i++ {
		num := n*g.ipg + i + 1
		var in *inode
		if num <= uint64(len(w.fs.inodes)) {
			in = w.fs.inodes[num-1]
		}
		if in == nil && num >= firstIno {
			continue
		}
		ibm[i/8] |= 1 << (i % 8)
		used = i + 1
		if in == nil {
			// reserved inodes are in use but empty, as mke2fs leaves them
			in = &inode{num: uint32(num)}
		}
		if in.mode&0o170000 == sIFDIR {
			st.dirs++
		}
		copy(table[i*g.isz:], w.inodeBytes(in))
	}
	for i := g.ipg; i < g.bs*8; i++ {
		ibm[i/8] |= 1 << (i % 8)
	}
	st.freeInodes = g.ipg - popcount(ibm[:g.ipg/8])
	st.unused = g.ipg - used
	bbm := make([]byte, g.bs)
	start, length := g.groupStart(n), g.groupLen(n)
	for i := uint64(0); i < g.bs*8; i++ {
		if i >= length || w.fs.isUsed(start+i) {
			bbm[i/8] |= 1 << (i % 8)
		}
	}
	st.freeBlocks = length - popcount(bbm[:ceilDiv(length, 8)])
	if length%8 != 0 {
		st.freeBlocks += 8 - length%8 // padding bits counted above
	}
	if w.fs.has("metadata_csum") {
		st.bbCsum = crc32c(w.csumSeed, bbm[:g.bpg/8])
		st.ibCsum = crc32c(w.csumSeed, ibm[:g.ipg/8])
	}
	for _, x := range []struct {
		at uint64
		p  []byte
	}{{w.fs.blockBitmap[n], bbm}, {w.fs.inodeBitmap[n], ibm}, {w.fs.inodeTable[n], table}} {
		if err := w.writeAt(x.at, x.p); err != nil {
			return st, fmt.Errorf("group %d: %v", n, err)
		}
	}
	return st, nil
}

func popcount(p []byte) uint64 {
	n := uint64(0)
	for _, c := range p {
		for ; c != 0; c &= c - 1 {
			n++
		}
	}
	return n
}

// descriptor encodes group n's descriptor into d.
func (w *writer) descriptor(d []byte, n uint64, st groupState) {
	fs := w.fs
	put64 := func(lo, hi int, v uint64) {
		binary.LittleEndian.PutUint32(d[lo:], uint32(v))
		if fs.g.descSize >= 64 {
			binary.LittleEndian.PutUint32(d[hi:], uint32(v>>32))
		}
	}
	put16 := func(lo, hi int, v uint64) {
		binary.LittleEndian.PutUint16(d[lo:], uint16(v))
		if fs.g.descSize >= 64 {
			binary.LittleEndian.PutUint16(d[hi:], uint16(v>>16))
		}
	}
	put64(0, 32, fs.blockBitmap[n])
	put64(4, 36, fs.inodeBitmap[n])
	put64(8, 40, fs.inodeTable[n])
	put16(12, 44, st.freeBlocks)
	put16(14, 46, st.freeInodes)
	put16(16, 48, st.dirs)
	if !fs.has("metadata_csum") {
		return
	}
	binary.LittleEndian.PutUint16(d[18:], 0x4) // EXT4_BG_INODE_ZEROED
	put16(24, 56, uint64(st.bbCsum))
	put16(26, 58, uint64(st.ibCsum))
	put16(28, 50, st.unused)
	c := crc32c(w.csumSeed, u32(uint32(n)))
	c = crc32c(c, d[:fs.g.descSize]) // with bg_checksum still zero
	binary.LittleEndian.PutUint16(d[30:], uint16(c))
}

// superblock encodes the superblock copy kept in group n.
func (w *writer) superblock(n, freeBlocks, freeInodes uint64) []byte {
	fs, g, o := w.fs, w.fs.g, w.fs.opts
	b := make([]byte, 1024)
	put64 := func(lo, hi int, v uint64) {
		binary.LittleEndian.PutUint32(b[lo:], uint32(v))
		binary.LittleEndian.PutUint32(b[hi:], uint32(v>>32))
	}
	binary.LittleEndian.PutUint32(b[0:], uint32(g.inodes()))
	put64(4, 336, g.blocks)
	put64(8, 340, g.rBlocks)
	put64(12, 344, freeBlocks)
	binary.LittleEndian.PutUint32(b[16:], uint32(freeInodes))
	binary.LittleEndian.PutUint32(b[20:], uint32(g.first))
	logBs := uint32(0)
	for 1024<<logBs < g.bs {
		logBs++
	}
	binary.LittleEndian.PutUint32(b[24:], logBs)
	binary.LittleEndian.PutUint32(b[28:], logBs)
	binary.LittleEndian.PutUint32(b[32:], uint32(g.bpg))
	binary.LittleEndian.PutUint32(b[36:], uint32(g.bpg))
	binary.LittleEndian.PutUint32(b[40:], uint32(g.ipg))
	binary.LittleEndian.PutUint32(b[48:], o.Time) // wtime
	binary.LittleEndian.PutUint16(b[54:], 0xFFFF) // max mount count: -1, no forced checks
	binary.LittleEndian.PutUint16(b[56:], 0xEF53)
	binary.LittleEndian.PutUint16(b[58:], 1) // clean
	binary.LittleEndian.PutUint16(b[60:], 1) // errors: continue
	binary.LittleEndian.PutUint32(b[64:], o.Time)
	binary.LittleEndian.PutUint32(b[76:], 1) // dynamic revision
	binary.LittleEndian.PutUint32(b[84:], firstIno)
	binary.LittleEndian.PutUint16(b[88:], uint16(g.isz))
	binary.LittleEndian.PutUint16(b[90:], uint16(n))
	binary.LittleEndian.PutUint32(b[92:], fs.feat[0])
	binary.LittleEndian.PutUint32(b[96:], fs.feat[1])
	binary.LittleEndian.PutUint32(b[100:], fs.feat[2])
	copy(b[104:120], w.uuid[:])
	copy(b[120:136], o.Label)
	if g.journal > 0 {
		binary.LittleEndian.PutUint32(b[224:], journalIno)
		j := fs.inodes[journalIno-1]
		copy(b[268:328], j.iblock[:])
		binary.LittleEndian.PutUint32(b[328:], uint32(j.size>>32))
		binary.LittleEndian.PutUint32(b[332:], uint32(j.size))
		b[253] = 1 // s_jnl_blocks holds a copy of the journal's i_block
	}
	copy(b[236:252], w.hashSeed[:])
	b[252] = 1 // half_md4
	binary.LittleEndian.PutUint16(b[254:], uint16(g.descSize))
	if g.descSize == 32 {
		binary.LittleEndian.PutUint16(b[254:], 0)
	}
	binary.LittleEndian.PutUint32(b[256:], 0xC) // default mount options: user_xattr, acl
	binary.LittleEndian.PutUint32(b[264:], o.Time)
	if g.isz > 128 {
		binary.LittleEndian.PutUint16(b[348:], 32)
		binary.LittleEndian.PutUint16(b[350:], 32)
	}
	binary.LittleEndian.PutUint32(b[352:], 1) // signed directory hash, as mke2fs on x86
	if g.flex > 0 {
		b[372] = logFlexGroup
	}
	if fs.has("metadata_csum") {
		b[373] = 1 // crc32c
		binary.LittleEndian.PutUint32(b[0x3FC:], crc32c(^uint32(0), b[:0x3FC]))
	}
	return b
}
