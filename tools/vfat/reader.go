package vfat

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// FS is a FAT filesystem opened for reading.
type FS struct {
	r     io.ReaderAt
	geom  geometry
	fat   []uint32
	Label string // from the boot sector, trailing spaces removed
	VolID uint32
}

// Entry is one file or directory found in an image.
type Entry struct {
	Path      string // slash-separated, no leading slash
	ShortName string // 8.3 form, e.g. "README~1.TXT"
	IsDir     bool
	Size      uint32
	cluster   uint32
}

// Open parses the boot sector and FAT of an image of the given size.
func Open(r io.ReaderAt, size int64) (*FS, error) {
	s := make([]byte, sectorSize)
	if _, err := r.ReadAt(s, 0); err != nil {
		return nil, fmt.Errorf("boot sector: %v", err)
	}
	le := binary.LittleEndian
	if s[510] != 0x55 || s[511] != 0xaa {
		return nil, errors.New("boot sector: no 0x55AA signature")
	}
	if bps := le.Uint16(s[11:]); bps != sectorSize {
		return nil, fmt.Errorf("boot sector: bytes per sector %d (only %d is supported)", bps, sectorSize)
	}
	g := geometry{spc: uint32(s[13]), reserved: uint32(le.Uint16(s[14:])), numFATs: uint32(s[16]), rootEntries: uint32(le.Uint16(s[17:]))}
	if g.spc == 0 || g.spc&(g.spc-1) != 0 {
		return nil, fmt.Errorf("boot sector: sectors per cluster %d is not a power of two", g.spc)
	}
	if g.reserved == 0 || g.numFATs == 0 {
		return nil, fmt.Errorf("boot sector: reserved sectors %d / FAT count %d must not be 0", g.reserved, g.numFATs)
	}
	g.totalSectors = uint32(le.Uint16(s[19:]))
	if g.totalSectors == 0 {
		g.totalSectors = le.Uint32(s[32:])
	}
	g.fatSectors = uint32(le.Uint16(s[22:]))
	labelAt := 43
	if g.fatSectors == 0 {
		g.fatSectors = le.Uint32(s[36:])
		g.fatBits = 32
		labelAt = 71
	}
	if g.fatSectors == 0 {
		return nil, errors.New("boot sector: FAT size is 0")
	}
	meta := uint64(g.reserved) + uint64(g.numFATs)*uint64(g.fatSectors) + uint64(g.rootDirSectors())
	if meta >= uint64(g.totalSectors) {
		return nil, fmt.Errorf("boot sector: metadata (%d sectors) fills the whole volume (%d sectors)", meta, g.totalSectors)
	}
	if uint64(g.totalSectors)*sectorSize > uint64(size) {
		return nil, fmt.Errorf("boot sector: total sectors %d (%d bytes) exceed the image size %d", g.totalSectors, uint64(g.totalSectors)*sectorSize, size)
	}
	g.clusters = uint32((uint64(g.totalSectors) - meta) / uint64(g.spc))
	if g.fatBits == 0 {
		g.fatBits = 16
		if g.clusters <= maxFAT12Clusters {
			g.fatBits = 12
		}
	}
	fsys := &FS{r: r, geom: g, VolID: le.Uint32(s[labelAt-4:]), Label: strings.TrimRight(string(s[labelAt:labelAt+11]), " ")}
	if err := fsys.readFAT(); err != nil {
		return nil, err
	}
	return fsys, nil
}

// FATType returns 12, 16 or 32.
func (fsys *FS) FATType() int { return fsys.geom.fatBits }

// ClusterSize returns the cluster size in bytes.
func (fsys *FS) ClusterSize() int64 { return fsys.geom.clusterBytes() }

// Size returns the filesystem's size in bytes, as its boot sector states it.
func (fsys *FS) Size() int64 { return int64(fsys.geom.totalSectors) * sectorSize }

func (fsys *FS) readFAT() error {
	g := &fsys.geom
	n := uint64(g.clusters) + 2
	bytes := (n*uint64(g.fatBits) + 7) / 8
	if bytes > uint64(g.fatSectors)*sectorSize {
		return fmt.Errorf("FAT: %d sectors cannot hold %d clusters", g.fatSectors, g.clusters)
	}
	raw := make([]byte, bytes)
	if _, err := fsys.r.ReadAt(raw, g.fatStart()); err != nil {
		return fmt.Errorf("FAT: %v", err)
	}
	fsys.fat = make([]uint32, n)
	for i := uint64(0); i < n; i++ {
		switch g.fatBits {
		case 12:
			v := uint32(binary.LittleEndian.Uint16(raw[i*3/2:]))
			if i%2 == 1 {
				v >>= 4
			}
			fsys.fat[i] = v & 0xfff
		case 16:
			fsys.fat[i] = uint32(binary.LittleEndian.Uint16(raw[i*2:]))
		default:
			fsys.fat[i] = binary.LittleEndian.Uint32(raw[i*4:]) & 0x0fffffff
		}
	}
	return nil
}

// chain returns the clusters of the chain starting at first.
func (fsys *FS) chain(first uint32, what string) ([]uint32, error) {
	var out []uint32
	eocMin := fsys.geom.eoc() &^ 7
	for c := first; ; {
		if c < 2 || c >= uint32(len(fsys.fat)) {
			return nil, fmt.Errorf("%s: cluster %d is outside 2..%d", what, c, len(fsys.fat)-1)
		}
		out = append(out, c)
		if len(out) > len(fsys.fat) {
			return nil, fmt.Errorf("%s: cluster chain loops", what)
		}
		next := fsys.fat[c]
		if next >= eocMin {
			return out, nil
		}
		c = next
	}
}

func (fsys *FS) readChain(first uint32, limit int64, what string) ([]byte, error) {
	cs, err := fsys.chain(first, what)
	if err != nil {
		return nil, err
	}
	cb := fsys.geom.clusterBytes()
	if limit < 0 {
		limit = int64(len(cs)) * cb
	}
	if int64(len(cs))*cb < limit {
		return nil, fmt.Errorf("%s: size %d needs more than its %d clusters", what, limit, len(cs))
	}
	out := make([]byte, limit)
	for i := int64(0); i*cb < limit; i++ {
		end := (i + 1) * cb
		if end > limit {
			end = limit
		}
		if _, err := fsys.r.ReadAt(out[i*cb:end], fsys.geom.clusterOffset(cs[i])); err != nil {
			return nil, fmt.Errorf("%s: %v", what, err)
		}
	}
	return out, nil
}

// rawDir returns the bytes of the directory at cluster (0: the root).
func (fsys *FS) rawDir(cluster uint32, what string) ([]byte, error) {
	g := &fsys.geom
	if cluster == 0 {
		if g.fatBits != 32 {
			b := make([]byte, int64(g.rootEntries)*dirEntrySize)
			_, err := fsys.r.ReadAt(b, g.rootStart())
			return b, err
		}
		return nil, errors.New("FAT32 root directory has no cluster")
	}
	b, err := fsys.readChain(cluster, -1, what)
	if err == nil && len(b) > maxDirEntries*dirEntrySize {
		err = fmt.Errorf("%s: directory larger than FAT allows", what)
	}
	return b, err
}

func (fsys *FS) rootCluster() uint32 {
	if fsys.geom.fatBits != 32 {
		return 0
	}
	var s [4]byte
	fsys.r.ReadAt(s[:], 44)
	return binary.LittleEndian.Uint32(s[:])
}

// parseDir decodes directory entries, joining long names and checking
// their checksums; entries whose long name does not match fall back to the
// short name, as FAT readers do.
func parseDir(b []byte) []Entry {
	var out []Entry
	var long []uint16
	var longSum byte
	longOK := false
	for i := 0; i+dirEntrySize <= len(b); i += dirEntrySize {
		e := b[i : i+dirEntrySize]
		if e[0] == 0 {
			break
		}
		if e[0] == 0xe5 {
			longOK = false
			continue
		}
		if e[11]&0x3f == attrLongName {
			seq := int(e[0] & 0x1f)
			if e[0]&0x40 != 0 {
				long = make([]uint16, seq*13)
				longSum, longOK = e[13], seq > 0
			} else if !longOK || e[13] != longSum || seq*13 > len(long) {
				longOK = false
				continue
			}
			if seq == 0 {
				longOK = false
				continue
			}
			for k, off := range []int{1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30} {
				long[(seq-1)*13+k] = binary.LittleEndian.Uint16(e[off:])
			}
			continue
		}
		if e[11]&attrVolumeID != 0 {
			longOK = false
			continue
		}
		var short [11]byte
		copy(short[:], e[:11])
		if short[0] == 0x05 {
			short[0] = 0xe5
		}
		base := strings.TrimRight(string(short[:8]), " ")
		ext := strings.TrimRight(string(short[8:]), " ")
		sn := base
		if ext != "" {
			sn += "." + ext
		}
		// Windows NT (and mtools, Linux) store all-lower-case 8.3 names
		// without long entries, flagging the case in byte 12.
		if e[12]&0x08 != 0 {
			base = strings.ToLower(base)
		}
		if e[12]&0x10 != 0 {
			ext = strings.ToLower(ext)
		}
		name := base
		if ext != "" {
			name += "." + ext
		}
		if longOK && shortChecksum(short) == longSum {
			u := long
			for k, c := range u {
				if c == 0 {
					u = u[:k]
					break
				}
			}
			name = string(utf16.Decode(u))
		}
		longOK = false
		if sn == "." || sn == ".." {
			continue
		}
		le := binary.LittleEndian
		out = append(out, Entry{
			Path:      name,
			ShortName: sn,
			IsDir:     e[11]&attrDirectory != 0,
			Size:      le.Uint32(e[28:]),
			cluster:   uint32(le.Uint16(e[20:]))<<16 | uint32(le.Uint16(e[26:])),
		})
	}
	return out
}

// Walk lists every file and directory, parents before children, in
// directory order.
func (fsys *FS) Walk(fn func(Entry) error) error {
	seen := map[uint32]bool{}
	var walk func(cluster uint32, prefix string, depth int) error
	walk = func(cluster uint32, prefix string, depth int) error {
		if depth > 64 {
			return fmt.Errorf("directory '/%s': nested deeper than 64 levels", prefix)
		}
		raw, err := fsys.rawDir(cluster, "directory '/"+prefix+"'")
		if err != nil {
			return err
		}
		for _, e := range parseDir(raw) {
			if prefix != "" {
				e.Path = prefix + "/" + e.Path
			}
			if err := fn(e); err != nil {
				return err
			}
			if e.IsDir {
				if e.cluster == 0 || seen[e.cluster] {
					return fmt.Errorf("directory '/%s': cluster %d is the root or already used by another directory", e.Path, e.cluster)
				}
				seen[e.cluster] = true
				if err := walk(e.cluster, e.Path, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	root := fsys.rootCluster()
	if root != 0 {
		seen[root] = true
	}
	return walk(root, "", 0)
}

// ReadFile returns the contents of the file at path.
func (fsys *FS) ReadFile(path string) ([]byte, error) {
	var found *Entry
	err := fsys.Walk(func(e Entry) error {
		if found == nil && strings.EqualFold(e.Path, strings.Trim(path, "/")) {
			e := e
			found = &e
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, fmt.Errorf("'/%s': no such file", strings.Trim(path, "/"))
	}
	return fsys.ReadEntry(*found)
}

// ReadEntry returns the contents of a file found by Walk.
func (fsys *FS) ReadEntry(e Entry) ([]byte, error) {
	var b bytes.Buffer
	if err := fsys.WriteEntry(e, &b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteEntry streams the contents of a file found by Walk to w, one
// cluster at a time.
func (fsys *FS) WriteEntry(e Entry, w io.Writer) error {
	if e.IsDir {
		return fmt.Errorf("'/%s': is a directory", e.Path)
	}
	if e.Size == 0 {
		return nil
	}
	what := "file '/" + e.Path + "'"
	cs, err := fsys.chain(e.cluster, what)
	if err != nil {
		return err
	}
	cb := fsys.geom.clusterBytes()
	if int64(len(cs))*cb < int64(e.Size) {
		return fmt.Errorf("%s: size %d needs more than its %d clusters", what, e.Size, len(cs))
	}
	buf := make([]byte, cb)
	for i, left := 0, int64(e.Size); left > 0; i++ {
		n := cb
		if left < n {
			n = left
		}
		if _, err := fsys.r.ReadAt(buf[:n], fsys.geom.clusterOffset(cs[i])); err != nil {
			return fmt.Errorf("%s: %v", what, err)
		}
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
		left -= n
	}
	return nil
}

// LooksLikeFAT reports whether r starts with a FAT boot sector: a jump
// instruction, a plausible BIOS parameter block and a "FAT" type string.
// Partitioned disks, whose first sector is an MBR, do not match.
func LooksLikeFAT(r io.ReaderAt, size int64) bool {
	s := make([]byte, sectorSize)
	if size < sectorSize {
		return false
	}
	if _, err := r.ReadAt(s, 0); err != nil {
		return false
	}
	if !(s[0] == 0xeb && s[2] == 0x90) && s[0] != 0xe9 {
		return false
	}
	spc := s[13]
	if binary.LittleEndian.Uint16(s[11:]) != sectorSize || spc == 0 || spc&(spc-1) != 0 ||
		binary.LittleEndian.Uint16(s[14:]) == 0 || s[16] == 0 || s[16] > 2 || s[21] < 0xf0 {
		return false
	}
	if string(s[54:57]) != "FAT" && string(s[82:87]) != "FAT32" {
		return false
	}
	_, err := Open(r, size)
	return err == nil
}
