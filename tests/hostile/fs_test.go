package hostile

import (
	"path/filepath"
	"testing"
)

// Filesystem images fwtool reads back (ls, extract): vfat and squashfs
// built by fwtool, then cut short or with their size fields inflated.
func TestFilesystems(t *testing.T) { runFamily(t, fsCases(t)) }

func fsCases(t *testing.T) []Case {
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", []byte("hello"))
	fwtoolOK(t, dir, "vfat", "--output", filepath.Join(dir, "v.img"), "--size", "1M", "--file", "d/a.txt="+filepath.Join(dir, "a.txt"))
	fwtoolOK(t, dir, "squashfs", "--output", filepath.Join(dir, "s.img"), "--file", "d/a.txt="+filepath.Join(dir, "a.txt"))
	vfat, sq := readFile(t, filepath.Join(dir, "v.img")), readFile(t, filepath.Join(dir, "s.img"))
	one := func(b []byte) map[string][]byte { return map[string][]byte{"img": b} }
	ls := []string{"ls", "{in}/img"}
	ext := []string{"extract", "-i", "{in}/img", "-O", "{out}", "*"}
	return []Case{
		{Name: "vfat-truncated-ls", Files: one(vfat[:4096]), Args: ls},
		{Name: "vfat-truncated-extract", Files: one(vfat[:4096]), Args: ext},
		// Total sectors (offset 0x20, 32-bit) claiming 2 TiB.
		{Name: "vfat-sectors-huge-extract", Files: one(patch(vfat, 0x20, le32(0xffffffff))), Args: ext},
		{Name: "vfat-sectors-per-fat-huge-extract", Files: one(patch(vfat, 0x16, []byte{0xff, 0xff})), Args: ext},
		// 200 of the 253 bytes used (the image is padded to 4 KiB).
		{Name: "squashfs-truncated-ls", Files: one(sq[:200]), Args: ls},
		{Name: "squashfs-truncated-extract", Files: one(sq[:200]), Args: ext},
		// bytes_used (offset 40, 64-bit) and inode count (offset 4) inflated.
		{Name: "squashfs-bytes-used-huge", Files: one(patch(sq, 40, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})), Args: ext},
		{Name: "squashfs-inodes-huge", Files: one(patch(sq, 4, le32(0xffffffff))), Args: ext},
	}
}
