package extfs

import "fmt"

// geometry is the filesystem's fixed shape: block and group sizes and
// counts, inode table sizes, journal size.
type geometry struct {
	bs        uint64 // block size in bytes
	blocks    uint64 // blocks in the filesystem
	first     uint64 // first data block: 1 with 1 KiB blocks (block 0 is the boot block), else 0
	bpg       uint64 // blocks per group
	groups    uint64
	ipg       uint64 // inodes per group
	isz       uint64 // inode size
	itb       uint64 // inode table blocks per group
	descSize  uint64
	gdtBlocks uint64
	flex      uint64 // groups per flex group; 0 without flex_bg
	rBlocks   uint64 // reserved blocks
	journal   uint64 // journal blocks; 0 without a journal
}

const (
	mib          = 1 << 20
	firstIno     = 11 // first non-reserved inode (lost+found)
	journalIno   = 8
	rootIno      = 2
	logFlexGroup = 4 // 16 groups per flex group, mke2fs's default
)

func newGeometry(o Options, f *features) (*geometry, error) {
	if o.Size <= 0 {
		return nil, fmt.Errorf("size is required")
	}
	g := &geometry{bs: uint64(o.BlockSize), isz: uint64(o.InodeSize)}
	if g.bs == 0 {
		g.bs = 4096
		if o.Size < 512*mib {
			g.bs = 1024
		}
	}
	if g.bs != 1024 && g.bs != 2048 && g.bs != 4096 {
		return nil, fmt.Errorf("block size %d: want 1024, 2048 or 4096", g.bs)
	}
	if g.isz == 0 {
		g.isz = 256
	}
	if g.isz != 128 && g.isz != 256 {
		return nil, fmt.Errorf("inode size %d: want 128 or 256", g.isz)
	}
	if g.isz == 128 && f.has(featureNames.Get()["extra_isize"]) {
		return nil, fmt.Errorf("inode size 128 has no room for extra_isize (turn it and metadata_csum off)")
	}
	g.blocks = uint64(o.Size) / g.bs
	if g.bs == 1024 {
		g.first = 1
	}
	g.bpg = g.bs * 8
	g.descSize = 32
	if f.has(featureNames.Get()["64bit"]) {
		g.descSize = 64
	} else if g.blocks > 1<<32-1 {
		return nil, fmt.Errorf("size %d needs more than 2^32 blocks: turn 64bit on", o.Size)
	}
	if f.has(featureNames.Get()["flex_bg"]) {
		g.flex = 1 << logFlexGroup
	}
	if g.blocks < 64 {
		return nil, fmt.Errorf("size %d is too small (%d blocks of %d bytes; at least 64 needed)", o.Size, g.blocks, g.bs)
	}
	if err := g.setInodes(o); err != nil {
		return nil, err
	}
	g.dropTinyLastGroup()
	if err := g.setJournal(o, f); err != nil {
		return nil, err
	}
	pct := o.ReservedPercent
	if pct < 0 {
		pct = 5
	}
	if pct > 50 {
		return nil, fmt.Errorf("reserved blocks percentage %g: at most 50", pct)
	}
	g.rBlocks = uint64(float64(g.blocks) * pct / 100)
	return g, nil
}

func ceilDiv(a, b uint64) uint64 { return (a + b - 1) / b }

func roundUp(a, b uint64) uint64 { return ceilDiv(a, b) * b }

func (g *geometry) countGroups() {
	g.groups = ceilDiv(g.blocks-g.first, g.bpg)
	g.gdtBlocks = ceilDiv(g.groups*g.descSize, g.bs)
}

// setInodes sizes the inode tables: the inode count (given or one per
// InodeRatio bytes) spread over the groups, rounded up to fill whole inode
// table blocks, as mke2fs does.
func (g *geometry) setInodes(o Options) error {
	g.countGroups()
	inodes := uint64(o.Inodes)
	if inodes == 0 {
		ratio := uint64(o.InodeRatio)
		if ratio == 0 {
			ratio = 16384
			if o.Size < 3*mib {
				ratio = 8192
			} else if o.Size < 512*mib {
				ratio = 4096
			}
		}
		inodes = g.blocks * g.bs / ratio
	}
	if inodes < firstIno+1 {
		inodes = firstIno + 1
	}
	// fill the last inode table block, then round down to a multiple of 8
	g.ipg = roundUp(ceilDiv(inodes, g.groups), g.bs/g.isz) &^ 7
	if o.Inodes != 0 && g.ipg*g.groups < inodes {
		g.ipg += 8 // a count asked for is a minimum
	}
	if g.ipg < 16 {
		g.ipg = 16
	}
	if g.ipg > g.bs*8 {
		return fmt.Errorf("%d inodes do not fit in %d groups of at most %d", inodes, g.groups, g.bs*8)
	}
	g.itb = ceilDiv(g.ipg*g.isz, g.bs)
	return nil
}

// dropTinyLastGroup shortens the filesystem when its last group could not
// hold its own metadata and some data (mke2fs's rule of thumb: 50 blocks).
func (g *geometry) dropTinyLastGroup() {
	if g.groups < 2 {
		return
	}
	last := g.groups - 1
	n := g.groupLen(last)
	overhead := uint64(0)
	if g.hasSuper(last) {
		overhead = 1 + g.gdtBlocks
	}
	if g.flex == 0 {
		overhead += 2 + g.itb
	}
	if n < overhead+50 {
		g.blocks -= n
		g.countGroups()
	}
}

// setJournal picks the journal size: given, or mke2fs's default by
// filesystem size (none below 2048 blocks).
func (g *geometry) setJournal(o Options, f *features) error {
	if !f.has(featureNames.Get()["has_journal"]) {
		return nil
	}
	j := uint64(o.JournalBlocks)
	if j == 0 {
		switch b := g.blocks; {
		case b < 2048:
			f.set("has_journal", false) // mke2fs: too small for a journal
			return nil
		case b < 32768:
			j = 1024
		case b < 256*1024:
			j = 4096
		case b < 512*1024:
			j = 8192
		case b < 4096*1024:
			j = 16384
		case b < 8192*1024:
			j = 32768
		default:
			j = 65536
		}
	}
	if j < 1024 || j > g.blocks/2 {
		return fmt.Errorf("journal of %d blocks: want 1024 to half of the filesystem's %d blocks", j, g.blocks)
	}
	g.journal = j
	return nil
}

func (g *geometry) groupStart(n uint64) uint64 { return g.first + n*g.bpg }

func (g *geometry) groupLen(n uint64) uint64 {
	if n == g.groups-1 {
		return g.blocks - g.groupStart(n)
	}
	return g.bpg
}

// hasSuper reports whether group n holds a superblock copy (sparse_super:
// groups 0, 1 and powers of 3, 5 and 7).
func (g *geometry) hasSuper(n uint64) bool {
	if n <= 1 {
		return true
	}
	for _, b := range []uint64{3, 5, 7} {
		p := b
		for p < n {
			p *= b
		}
		if p == n {
			return true
		}
	}
	return false
}

func (g *geometry) inodes() uint64 { return g.ipg * g.groups }
