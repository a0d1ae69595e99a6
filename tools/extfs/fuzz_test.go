package extfs

import (
	"encoding/binary"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/fstree"
)

// memOutput is an in-memory Output.
type memOutput struct{ b []byte }

func (m *memOutput) Truncate(n int64) error {
	if n <= int64(len(m.b)) {
		m.b = m.b[:n]
	} else {
		m.b = append(m.b, make([]byte, n-int64(len(m.b)))...)
	}
	return nil
}

func (m *memOutput) WriteAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > int64(len(m.b)) {
		m.Truncate(off + int64(len(p)))
	}
	return copy(m.b[off:], p), nil
}

// FuzzGeometry builds an image with fuzzed size, block size, inode count,
// type and feature list: either a one-line error or a superblock that
// agrees with the options, never a panic.
func FuzzGeometry(f *testing.F) {
	f.Add(uint32(4<<20), uint16(0), uint32(0), uint8(2), "", uint8(5))
	f.Add(uint32(300<<10), uint16(1024), uint32(16), uint8(0), "^has_journal", uint8(0))
	f.Add(uint32(64<<20), uint16(4096), uint32(100000), uint8(1), "^metadata_csum,^64bit", uint8(50))
	f.Fuzz(func(t *testing.T, size uint32, bs uint16, inodes uint32, typ uint8, feat string, pct uint8) {
		if size > 96<<20 {
			return // keep memory small
		}
		root, err := fstree.Build([]fstree.Entry{{Path: "d/e", Kind: fstree.Dir}, {Path: "s", Kind: fstree.Symlink, Target: "d"}})
		if err != nil {
			t.Fatal(err)
		}
		o := Options{Type: []string{"ext2", "ext3", "ext4"}[typ%3], Size: int64(size), BlockSize: int(bs), Inodes: inodes,
			Features: feat, ReservedPercent: float64(pct)}
		out := &memOutput{}
		if err := Write(out, root, o); err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		sb := out.b[1024:2048]
		if binary.LittleEndian.Uint16(sb[56:]) != 0xEF53 {
			t.Fatal("no superblock magic")
		}
		bsz := uint64(1024) << binary.LittleEndian.Uint32(sb[24:])
		blocks := uint64(binary.LittleEndian.Uint32(sb[4:]))
		if blocks*bsz > uint64(size) || int64(len(out.b)) != int64(size) {
			t.Fatalf("%d blocks of %d in a %d-byte image of %d bytes", blocks, bsz, size, len(out.b))
		}
		if ino := binary.LittleEndian.Uint32(sb[0:]); inodes != 0 && ino < inodes {
			t.Fatalf("%d inodes, asked for %d", ino, inodes)
		}
	})
}
