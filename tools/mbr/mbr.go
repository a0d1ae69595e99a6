// Package mbr encodes and decodes DOS/MBR partition tables: the 72-byte tail
// of sector 0 (disk signature, four primary entries, 0x55AA), extended boot
// records (EBRs) chaining logical partitions, and the CHS encoding that
// genimage writes so that images match it byte for byte.
package mbr

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/rules-firmware/rules_firmware/tools/staticerr"
)

const (
	SectorSize = 512
	// TailOffset is where the disk signature starts; bytes before it are
	// boot code and are never touched when a table is written.
	TailOffset = 440
	TailSize   = 72
	// TableOffset is the first partition entry in an MBR or EBR sector.
	TableOffset = 446
	EntrySize   = 16

	TypeEmpty       = 0x00
	TypeExtendedLBA = 0x0f
	TypeGPTProtect  = 0xee
	StatusBootable  = 0x80
)

// Entry is one 16-byte partition entry.
type Entry struct {
	Status   byte // 0x80 bootable, 0x00 not
	Type     byte
	FirstLBA uint32
	Sectors  uint32
}

// CHS encodes an LBA the way genimage (and most tools) do for a 255-head,
// 63-sector geometry. Large LBAs are not clamped, as genimage does not
// clamp them; firmware ignores CHS on such disks anyway.
func CHS(lba uint32) [3]byte {
	const heads, sectors = 255, 63
	head := (lba / sectors) % heads
	cyl := lba / (sectors * heads)
	var sec uint32
	if lba > 0 {
		sec = lba%sectors + 1
	}
	return [3]byte{byte(head), byte((cyl&0x300)>>2) | byte(sec), byte(cyl)}
}

// Marshal encodes e with CHS fields derived from its LBA range.
func (e Entry) Marshal() [EntrySize]byte {
	var b [EntrySize]byte
	b[0] = e.Status
	first := CHS(e.FirstLBA)
	last := CHS(e.FirstLBA + e.Sectors - 1) // wraps like genimage's uint32 math
	copy(b[1:4], first[:])
	b[4] = e.Type
	copy(b[5:8], last[:])
	binary.LittleEndian.PutUint32(b[8:], e.FirstLBA)
	binary.LittleEndian.PutUint32(b[12:], e.Sectors)
	return b
}

// Tail is the part of sector 0 from the disk signature to the boot signature.
type Tail struct {
	DiskSignature uint32
	Entries       [4]Entry
}

// Marshal returns the 72 bytes that go at TailOffset. Unused entries (zero
// Type and Sectors) are written as all zeros.
func (t Tail) Marshal() [TailSize]byte {
	var b [TailSize]byte
	binary.LittleEndian.PutUint32(b[0:], t.DiskSignature)
	for i, e := range t.Entries {
		if e == (Entry{}) {
			continue
		}
		eb := e.Marshal()
		copy(b[6+i*EntrySize:], eb[:])
	}
	b[70], b[71] = 0x55, 0xaa
	return b
}

// EBR returns the 66 bytes written at TableOffset of an extended boot record:
// the logical partition and, if next is non-nil, the link to the next EBR.
// LBAs are relative as the EBR format requires.
func EBR(logical Entry, next *Entry) [4*EntrySize + 2]byte {
	var b [4*EntrySize + 2]byte
	l := logical.Marshal()
	copy(b[0:], l[:])
	if next != nil {
		n := next.Marshal()
		copy(b[EntrySize:], n[:])
	}
	b[64], b[65] = 0x55, 0xaa
	return b
}

// ParseEntry decodes a 16-byte entry.
func ParseEntry(b []byte) Entry {
	return Entry{
		Status:   b[0],
		Type:     b[4],
		FirstLBA: binary.LittleEndian.Uint32(b[8:]),
		Sectors:  binary.LittleEndian.Uint32(b[12:]),
	}
}

// Partition is a primary or logical partition found on a disk, with its
// absolute position.
type Partition struct {
	Number   int // 1-4 primary, 5.. logical, as Linux numbers them
	Bootable bool
	Type     byte
	Start    uint64 // bytes
	Size     uint64 // bytes
}

// ErrNoSignature means sector 0 does not end in 0x55AA.
var ErrNoSignature error = &staticerr.Error{Text: "no MBR boot signature 0x55AA at offset 0x1fe (510)"}

// Table is a decoded MBR with its partitions.
type Table struct {
	DiskSignature uint32
	Partitions    []Partition
	// Protective is true when the MBR is a GPT protective or hybrid MBR
	// (one of its entries has type 0xEE).
	Protective bool
}

// maxLogical bounds the EBR chain so that a looping chain in a corrupt
// image cannot run forever.
const maxLogical = 128

// Read decodes the MBR in sector 0 of r and follows an extended partition's
// EBR chain. size is the device size in bytes, used to reject entries that
// point beyond it.
func Read(r io.ReaderAt, size int64) (*Table, error) {
	var sec [SectorSize]byte
	if _, err := r.ReadAt(sec[:], 0); err != nil {
		return nil, fmt.Errorf("MBR: cannot read sector 0: %w", err)
	}
	if sec[510] != 0x55 || sec[511] != 0xaa {
		return nil, ErrNoSignature
	}
	t := &Table{DiskSignature: binary.LittleEndian.Uint32(sec[TailOffset:])}
	var extended *Entry
	for i := 0; i < 4; i++ {
		off := TableOffset + i*EntrySize
		e := ParseEntry(sec[off : off+EntrySize])
		if e.Status != 0 && e.Status != StatusBootable {
			return nil, fmt.Errorf("MBR entry %d: status 0x%02x at offset 0x%x (%d) is neither 0x00 nor 0x80", i+1, e.Status, off, off)
		}
		if e.Type == TypeEmpty {
			continue
		}
		if e.Type == TypeGPTProtect {
			t.Protective = true
		}
		p := Partition{Number: i + 1, Bootable: e.Status == StatusBootable, Type: e.Type,
			Start: uint64(e.FirstLBA) * SectorSize, Size: uint64(e.Sectors) * SectorSize}
		if err := checkRange(p, size); err != nil {
			return nil, err
		}
		t.Partitions = append(t.Partitions, p)
		if isExtended(e.Type) && extended == nil {
			ext := e
			extended = &ext
		}
	}
	if extended != nil {
		logical, err := readLogical(r, size, uint64(extended.FirstLBA))
		if err != nil {
			return nil, err
		}
		t.Partitions = append(t.Partitions, logical...)
	}
	return t, nil
}

func isExtended(t byte) bool { return t == 0x05 || t == 0x0f || t == 0x85 }

// checkRange rejects empty entries. An entry may end beyond the file:
// genimage ends an image file after the last partition's data, not at the
// partition's end.
func checkRange(p Partition, size int64) error {
	if p.Size == 0 {
		return fmt.Errorf("MBR partition %d: size is 0", p.Number)
	}
	return nil
}

// readLogical walks the EBR chain starting at the extended partition's
// first sector. Logical entries are relative to their EBR, links to the
// next EBR are relative to the extended partition's start.
func readLogical(r io.ReaderAt, size int64, extStart uint64) ([]Partition, error) {
	var out []Partition
	ebr := extStart
	seen := map[uint64]bool{}
	for n := 5; ; n++ {
		if n-5 >= maxLogical {
			return nil, fmt.Errorf("MBR: more than %d logical partitions (EBR chain loops?)", maxLogical)
		}
		if seen[ebr] {
			return nil, fmt.Errorf("MBR: EBR chain loops back to LBA %d", ebr)
		}
		seen[ebr] = true
		var sec [SectorSize]byte
		off := int64(ebr * SectorSize)
		if ebr*SectorSize+SectorSize > uint64(size) {
			return nil, fmt.Errorf("MBR partition %d: EBR at 0x%x (%d) is beyond the image end 0x%x (%d)", n, off, off, size, size)
		}
		if _, err := r.ReadAt(sec[:], off); err != nil {
			return nil, fmt.Errorf("MBR partition %d: cannot read EBR at 0x%x (%d): %w", n, off, off, err)
		}
		if sec[510] != 0x55 || sec[511] != 0xaa {
			return nil, fmt.Errorf("MBR partition %d: EBR at 0x%x (%d) has no 0x55AA signature", n, off, off)
		}
		l := ParseEntry(sec[TableOffset : TableOffset+EntrySize])
		if l.Type == TypeEmpty {
			return out, nil
		}
		p := Partition{Number: n, Bootable: l.Status == StatusBootable, Type: l.Type,
			Start: (ebr + uint64(l.FirstLBA)) * SectorSize, Size: uint64(l.Sectors) * SectorSize}
		if err := checkRange(p, size); err != nil {
			return nil, err
		}
		out = append(out, p)
		link := ParseEntry(sec[TableOffset+EntrySize : TableOffset+2*EntrySize])
		if link.Type == TypeEmpty || link.Sectors == 0 {
			return out, nil
		}
		ebr = extStart + uint64(link.FirstLBA)
	}
}
