package squashfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/staticerr"
)

// FS is a squashfs image opened for reading.
type FS struct {
	r         io.ReaderAt
	size      int64
	Super     Superblock
	ids       []uint32
	frags     []fragEntry
	metaCache map[int64]metaChunk
	// budget bounds the metadata bytes a corrupt image can make the
	// reader decode: entries pointing back into the same blocks would
	// otherwise multiply the work without limit. Every distinct block
	// decoded adds four readings of itself, plenty for a sound image.
	budget int64
}

type metaChunk struct {
	data []byte
	next int64
}

// Superblock holds the fields of the image header this package uses.
type Superblock struct {
	Inodes         uint32
	ModTime        uint32
	BlockSize      uint32
	Fragments      uint32
	Compressor     uint16
	Flags          uint16
	IDCount        uint16
	RootInode      uint64
	BytesUsed      uint64
	IDTable        uint64
	InodeTable     uint64
	DirectoryTable uint64
	FragmentTable  uint64
	ExportTable    uint64
}

// Inode is one decoded inode.
type Inode struct {
	Number    uint32
	Type      uint16 // basic type: 1 dir, 2 file, 3 symlink, 4 block, 5 char, 6 fifo, 7 socket
	Perm      uint16
	UID, GID  uint32
	ModTime   uint32
	Links     uint32
	Size      uint64 // file size, or directory listing size + 3
	Target    string // symlink
	Major     uint32
	Minor     uint32
	Parent    uint32 // directories
	IndexSize int    // directories: entries in the directory index

	blocksStart uint64
	blockSizes  []uint32
	fragment    uint32
	fragOffset  uint32
	dirStart    uint32
	dirOffset   uint16
}

// IsDir reports whether the inode is a directory.
func (i *Inode) IsDir() bool { return i.Type == typeDir }

var errBudget error = &staticerr.Error{Text: "metadata reads exceed what an image of this size can hold (corrupt image?)"}

// Open reads the superblock, id table and fragment table.
func Open(r io.ReaderAt, size int64) (*FS, error) {
	sb := make([]byte, superSize)
	if _, err := r.ReadAt(sb, 0); err != nil {
		return nil, fmt.Errorf("superblock: %v", err)
	}
	le := binary.LittleEndian
	if le.Uint32(sb) != magic {
		return nil, errors.New("superblock: no squashfs magic 'hsqs'")
	}
	if maj, min := le.Uint16(sb[28:]), le.Uint16(sb[30:]); maj != 4 || min != 0 {
		return nil, fmt.Errorf("superblock: version %d.%d (only 4.0 is supported)", maj, min)
	}
	s := Superblock{
		Inodes: le.Uint32(sb[4:]), ModTime: le.Uint32(sb[8:]), BlockSize: le.Uint32(sb[12:]),
		Fragments: le.Uint32(sb[16:]), Compressor: le.Uint16(sb[20:]), Flags: le.Uint16(sb[24:]),
		IDCount: le.Uint16(sb[26:]), RootInode: le.Uint64(sb[32:]), BytesUsed: le.Uint64(sb[40:]),
		IDTable: le.Uint64(sb[48:]), InodeTable: le.Uint64(sb[64:]), DirectoryTable: le.Uint64(sb[72:]),
		FragmentTable: le.Uint64(sb[80:]), ExportTable: le.Uint64(sb[88:]),
	}
	if s.BlockSize < 4096 || s.BlockSize > 1<<20 || s.BlockSize&(s.BlockSize-1) != 0 || int(le.Uint16(sb[22:])) != log2(int(s.BlockSize)) {
		return nil, fmt.Errorf("superblock: block size %d / log %d is invalid", s.BlockSize, le.Uint16(sb[22:]))
	}
	if s.BytesUsed > uint64(size) {
		return nil, fmt.Errorf("superblock: bytes used %d exceed the image size %d", s.BytesUsed, size)
	}
	if s.InodeTable >= s.BytesUsed || s.DirectoryTable >= s.BytesUsed || s.DirectoryTable < s.InodeTable {
		return nil, fmt.Errorf("superblock: inode table 0x%x / directory table 0x%x outside the image", s.InodeTable, s.DirectoryTable)
	}
	fsys := &FS{r: r, size: size, Super: s, metaCache: map[int64]metaChunk{}, budget: 1 << 20}
	ids, err := fsys.lookupTable(s.IDTable, int(s.IDCount), 4, "id table")
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(ids); i += 4 {
		fsys.ids = append(fsys.ids, le.Uint32(ids[i:]))
	}
	if s.FragmentTable != invalidTable && s.Fragments > 0 {
		raw, err := fsys.lookupTable(s.FragmentTable, int(s.Fragments), 16, "fragment table")
		if err != nil {
			return nil, err
		}
		for i := 0; i < len(raw); i += 16 {
			fsys.frags = append(fsys.frags, fragEntry{start: le.Uint64(raw[i:]), size: le.Uint32(raw[i+8:])})
		}
	}
	return fsys, nil
}

// lookupTable reads count entries of a table stored as metadata blocks
// listed by an index array at at.
func (fsys *FS) lookupTable(at uint64, count, entrySize int, what string) ([]byte, error) {
	total := count * entrySize
	if uint64(total) > fsys.Super.BytesUsed*metaSize {
		return nil, fmt.Errorf("%s: %d entries cannot fit the image", what, count)
	}
	nblocks := (total + metaSize - 1) / metaSize
	idx := make([]byte, 8*nblocks)
	if at >= fsys.Super.BytesUsed {
		return nil, fmt.Errorf("%s: start 0x%x outside the image", what, at)
	}
	if _, err := fsys.r.ReadAt(idx, int64(at)); err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	out := make([]byte, 0, total)
	for i := 0; i < nblocks; i++ {
		c, err := fsys.meta(int64(binary.LittleEndian.Uint64(idx[i*8:])))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", what, err)
		}
		out = append(out, c.data...)
	}
	if len(out) < total {
		return nil, fmt.Errorf("%s: %d bytes, want %d", what, len(out), total)
	}
	return out[:total], nil
}

// meta reads the metadata block at absolute position at.
func (fsys *FS) meta(at int64) (metaChunk, error) {
	if c, ok := fsys.metaCache[at]; ok {
		return c, nil
	}
	if at < 0 || uint64(at)+2 > fsys.Super.BytesUsed {
		return metaChunk{}, fmt.Errorf("metadata block at 0x%x outside the image", at)
	}
	var h [2]byte
	if _, err := fsys.r.ReadAt(h[:], at); err != nil {
		return metaChunk{}, err
	}
	hdr := binary.LittleEndian.Uint16(h[:])
	n := int(hdr &^ metaUncomp)
	if n == 0 || n > metaSize || uint64(at)+2+uint64(n) > fsys.Super.BytesUsed {
		return metaChunk{}, fmt.Errorf("metadata block at 0x%x: bad size %d", at, n)
	}
	raw := make([]byte, n)
	if _, err := fsys.r.ReadAt(raw, at+2); err != nil {
		return metaChunk{}, err
	}
	data := raw
	if hdr&metaUncomp == 0 {
		var err error
		if data, err = decompress(fsys.Super.Compressor, raw, metaSize); err != nil {
			return metaChunk{}, fmt.Errorf("metadata block at 0x%x: %v", at, err)
		}
	}
	c := metaChunk{data: data, next: at + 2 + int64(n)}
	fsys.metaCache[at] = c
	fsys.budget += 4 * int64(len(data))
	return c, nil
}

// metaReader reads a byte stream that continues across metadata blocks.
type metaReader struct {
	fsys  *FS
	block int64
	off   int
}

func (fsys *FS) metaAt(table uint64, block uint64, off int) *metaReader {
	return &metaReader{fsys: fsys, block: int64(table + block), off: off}
}

func (m *metaReader) read(n int) ([]byte, error) {
	if int64(n) > m.fsys.budget {
		return nil, errBudget
	}
	m.fsys.budget -= int64(n)
	out := make([]byte, 0, n)
	for len(out) < n {
		c, err := m.fsys.meta(m.block)
		if err != nil {
			return nil, err
		}
		if m.off > len(c.data) {
			return nil, fmt.Errorf("offset %d beyond metadata block of %d bytes", m.off, len(c.data))
		}
		k := copy(out[len(out):n], c.data[m.off:])
		out = out[:len(out)+k]
		m.off += k
		if m.off == len(c.data) {
			m.block, m.off = c.next, 0
		}
	}
	return out, nil
}

// Inode decodes the inode at reference ref.
func (fsys *FS) Inode(ref uint64) (*Inode, error) {
	m := fsys.metaAt(fsys.Super.InodeTable, ref>>16, int(ref&0xffff))
	h, err := m.read(16)
	if err != nil {
		return nil, fmt.Errorf("inode 0x%x: %v", ref, err)
	}
	le := binary.LittleEndian
	in := &Inode{Type: le.Uint16(h), Perm: le.Uint16(h[2:]), ModTime: le.Uint32(h[8:]), Number: le.Uint32(h[12:]), Links: 1}
	uidx, gidx := int(le.Uint16(h[4:])), int(le.Uint16(h[6:]))
	if uidx >= len(fsys.ids) || gidx >= len(fsys.ids) {
		return nil, fmt.Errorf("inode %d: uid/gid index %d/%d outside the id table of %d", in.Number, uidx, gidx, len(fsys.ids))
	}
	in.UID, in.GID = fsys.ids[uidx], fsys.ids[gidx]
	fail := func(err error) (*Inode, error) { return nil, fmt.Errorf("inode %d: %v", in.Number, err) }
	switch in.Type {
	case typeDir:
		b, err := m.read(16)
		if err != nil {
			return fail(err)
		}
		in.dirStart, in.Links, in.Size = le.Uint32(b), le.Uint32(b[4:]), uint64(le.Uint16(b[8:]))
		in.dirOffset, in.Parent = le.Uint16(b[10:]), le.Uint32(b[12:])
	case typeLDir:
		b, err := m.read(24)
		if err != nil {
			return fail(err)
		}
		in.Type = typeDir
		in.Links, in.Size, in.dirStart, in.Parent = le.Uint32(b), uint64(le.Uint32(b[4:])), le.Uint32(b[8:]), le.Uint32(b[12:])
		in.IndexSize, in.dirOffset = int(le.Uint16(b[16:])), le.Uint16(b[18:])
	case typeFile, typeLFile:
		if in.Type == typeFile {
			b, err := m.read(16)
			if err != nil {
				return fail(err)
			}
			in.blocksStart, in.fragment, in.fragOffset, in.Size = uint64(le.Uint32(b)), le.Uint32(b[4:]), le.Uint32(b[8:]), uint64(le.Uint32(b[12:]))
		} else {
			b, err := m.read(40)
			if err != nil {
				return fail(err)
			}
			in.blocksStart, in.Size, in.Links = le.Uint64(b), le.Uint64(b[8:]), le.Uint32(b[24:])
			in.fragment, in.fragOffset = le.Uint32(b[28:]), le.Uint32(b[32:])
		}
		in.Type = typeFile
		bs := uint64(fsys.Super.BlockSize)
		n := in.Size / bs
		if in.fragment == noFragment && in.Size%bs != 0 {
			n++
		}
		if n > 1<<24 {
			return fail(fmt.Errorf("file size %d is implausible", in.Size))
		}
		b, err := m.read(int(n) * 4)
		if err != nil {
			return fail(err)
		}
		for i := 0; i < len(b); i += 4 {
			in.blockSizes = append(in.blockSizes, le.Uint32(b[i:]))
		}
	case typeSymlink, typeSymlink + 7:
		b, err := m.read(8)
		if err != nil {
			return fail(err)
		}
		in.Type = typeSymlink
		in.Links = le.Uint32(b)
		n := le.Uint32(b[4:])
		if n > 4096 {
			return fail(fmt.Errorf("symlink target of %d bytes", n))
		}
		t, err := m.read(int(n))
		if err != nil {
			return fail(err)
		}
		in.Target, in.Size = string(t), uint64(n)
	case typeBlock, typeChar, typeBlock + 7, typeChar + 7:
		b, err := m.read(8)
		if err != nil {
			return fail(err)
		}
		if in.Type > 7 {
			in.Type -= 7
		}
		in.Links = le.Uint32(b)
		dev := le.Uint32(b[4:])
		in.Major, in.Minor = dev>>8&0xfff, dev&0xff|dev>>12&0xfff00
	case 6, 7, 13, 14:
		b, err := m.read(4)
		if err != nil {
			return fail(err)
		}
		if in.Type > 7 {
			in.Type -= 7
		}
		in.Links = le.Uint32(b)
	default:
		return fail(fmt.Errorf("unknown inode type %d", in.Type))
	}
	return in, nil
}

// DirEntry is one name in a directory listing.
type DirEntry struct {
	Name string
	Ref  uint64
	Type uint16
}

// ReadDir decodes a directory's listing.
func (fsys *FS) ReadDir(dir *Inode) ([]DirEntry, error) {
	if !dir.IsDir() {
		return nil, fmt.Errorf("inode %d is not a directory", dir.Number)
	}
	if dir.Size < 3 {
		return nil, fmt.Errorf("directory inode %d: size %d is below 3", dir.Number, dir.Size)
	}
	le := binary.LittleEndian
	m := fsys.metaAt(fsys.Super.DirectoryTable, uint64(dir.dirStart), int(dir.dirOffset))
	left := int64(dir.Size) - 3
	var out []DirEntry
	for left > 0 {
		h, err := m.read(12)
		if err != nil {
			return nil, fmt.Errorf("directory inode %d: %v", dir.Number, err)
		}
		left -= 12
		count64 := uint64(le.Uint32(h)) + 1 // a 32-bit int would wrap 0xffffffff to 0
		block := uint64(le.Uint32(h[4:]))
		if count64 > 256 {
			return nil, fmt.Errorf("directory inode %d: header count %d exceeds 256", dir.Number, count64)
		}
		count := int(count64)
		for i := 0; i < count; i++ {
			e, err := m.read(8)
			if err != nil {
				return nil, fmt.Errorf("directory inode %d: %v", dir.Number, err)
			}
			nameLen := int(le.Uint16(e[6:])) + 1
			name, err := m.read(nameLen)
			if err != nil {
				return nil, fmt.Errorf("directory inode %d: %v", dir.Number, err)
			}
			left -= int64(8 + nameLen)
			out = append(out, DirEntry{Name: string(name), Ref: block<<16 | uint64(le.Uint16(e)), Type: le.Uint16(e[4:])})
		}
	}
	if left != 0 {
		return nil, fmt.Errorf("directory inode %d: listing overruns its size %d", dir.Number, dir.Size)
	}
	return out, nil
}

// Walk visits every inode below the root, parents before children, with
// its slash-separated path ("" for the root).
func (fsys *FS) Walk(fn func(path string, in *Inode) error) error {
	seen := map[uint64]bool{}
	var walk func(ref uint64, path string, depth int) error
	walk = func(ref uint64, path string, depth int) error {
		if seen[ref] {
			return fmt.Errorf("'/%s': inode 0x%x reached twice", path, ref)
		}
		seen[ref] = true
		in, err := fsys.Inode(ref)
		if err != nil {
			return fmt.Errorf("'/%s': %v", path, err)
		}
		if err := fn(path, in); err != nil {
			return err
		}
		if !in.IsDir() {
			return nil
		}
		if depth > 256 {
			return fmt.Errorf("'/%s': directories nested too deep", path)
		}
		ents, err := fsys.ReadDir(in)
		if err != nil {
			return fmt.Errorf("'/%s': %v", path, err)
		}
		for _, e := range ents {
			p := e.Name
			if path != "" {
				p = path + "/" + e.Name
			}
			if err := walk(e.Ref, p, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(fsys.Super.RootInode, "", 0)
}

// WriteFile streams a file inode's contents to w.
func (fsys *FS) WriteFile(in *Inode, w io.Writer) error {
	if in.Type != typeFile {
		return fmt.Errorf("inode %d is not a regular file", in.Number)
	}
	bs := uint64(fsys.Super.BlockSize)
	pos := in.blocksStart
	left := in.Size
	for _, s := range in.blockSizes {
		want := bs
		if left < want {
			want = left
		}
		n := uint64(s &^ dataUncomp)
		if s == 0 {
			if _, err := w.Write(make([]byte, want)); err != nil {
				return err
			}
		} else {
			data, err := fsys.readBlock(pos, n, s&dataUncomp != 0, int(bs))
			if err != nil {
				return fmt.Errorf("inode %d: data block at 0x%x: %v", in.Number, pos, err)
			}
			if uint64(len(data)) < want {
				return fmt.Errorf("inode %d: data block at 0x%x holds %d bytes, want %d", in.Number, pos, len(data), want)
			}
			if _, err := w.Write(data[:want]); err != nil {
				return err
			}
		}
		pos += n
		left -= want
	}
	if left == 0 {
		return nil
	}
	if in.fragment == noFragment {
		return fmt.Errorf("inode %d: %d bytes not covered by blocks and no fragment", in.Number, left)
	}
	if int(in.fragment) >= len(fsys.frags) {
		return fmt.Errorf("inode %d: fragment %d outside the table of %d", in.Number, in.fragment, len(fsys.frags))
	}
	f := fsys.frags[in.fragment]
	data, err := fsys.readBlock(f.start, uint64(f.size&^dataUncomp), f.size&dataUncomp != 0, int(bs))
	if err != nil {
		return fmt.Errorf("inode %d: fragment %d: %v", in.Number, in.fragment, err)
	}
	if uint64(in.fragOffset)+left > uint64(len(data)) {
		return fmt.Errorf("inode %d: fragment %d holds %d bytes, need %d at %d", in.Number, in.fragment, len(data), left, in.fragOffset)
	}
	_, err = w.Write(data[in.fragOffset : uint64(in.fragOffset)+left])
	return err
}

func (fsys *FS) readBlock(at, n uint64, uncompressed bool, limit int) ([]byte, error) {
	if n > uint64(limit) || at+n > fsys.Super.BytesUsed {
		return nil, fmt.Errorf("%d bytes at 0x%x outside the image", n, at)
	}
	raw := make([]byte, n)
	if _, err := fsys.r.ReadAt(raw, int64(at)); err != nil {
		return nil, err
	}
	if uncompressed {
		return raw, nil
	}
	return decompress(fsys.Super.Compressor, raw, limit)
}

// OpenFile opens the image at path.
func OpenFile(path string) (*FS, *os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	fsys, err := Open(f, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %v", path, err)
	}
	return fsys, f, nil
}

// LooksLikeSquashfs reports whether r starts with a squashfs 4.0
// superblock.
func LooksLikeSquashfs(r io.ReaderAt, size int64) bool {
	var sb [32]byte
	if size < superSize {
		return false
	}
	if _, err := r.ReadAt(sb[:], 0); err != nil {
		return false
	}
	return binary.LittleEndian.Uint32(sb[:]) == magic && binary.LittleEndian.Uint16(sb[28:]) == 4
}
