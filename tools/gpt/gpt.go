// Package gpt encodes and decodes GUID Partition Tables: the 92-byte header
// (primary at LBA 1, backup at the last LBA), the partition entry array,
// type GUIDs with genimage's shortcut names, and name-based GUIDs so that
// images never contain random identifiers.
package gpt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"unicode/utf16"

	"github.com/rules-firmware/rules_firmware/tools/staticerr"
)

const (
	SectorSize = 512
	HeaderSize = 92
	// EntrySize and EntryCount are what genimage, sgdisk and most tools
	// write: 128 entries of 128 bytes, 32 sectors.
	EntrySize    = 128
	EntryCount   = 128
	ArraySize    = EntrySize * EntryCount
	ArraySectors = ArraySize / SectorSize
	Revision1    = 0x00010000
	nameUnits    = 36
)

// Attribute bits of a partition entry.
const (
	AttrRequired           = 1 << 0
	AttrNoBlockIO          = 1 << 1
	AttrLegacyBIOSBootable = 1 << 2
	AttrReadOnly           = 1 << 60 // Microsoft basic data / DPS meaning
	AttrHidden             = 1 << 62
	AttrNoAutomount        = 1 << 63
)

var signature = [8]byte{'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T'}

// Header is a GPT header without its signature, revision and CRC, which
// Marshal fills in.
type Header struct {
	CurrentLBA     uint64
	BackupLBA      uint64
	FirstUsableLBA uint64
	LastUsableLBA  uint64
	DiskGUID       GUID
	EntriesLBA     uint64
	NumEntries     uint32
	EntrySize      uint32
	EntriesCRC     uint32
}

// Marshal encodes h as the 92 bytes of a revision 1.0 header with its CRC.
func (h Header) Marshal() [HeaderSize]byte {
	var b [HeaderSize]byte
	copy(b[0:8], signature[:])
	le := binary.LittleEndian
	le.PutUint32(b[8:], Revision1)
	le.PutUint32(b[12:], HeaderSize)
	le.PutUint64(b[24:], h.CurrentLBA)
	le.PutUint64(b[32:], h.BackupLBA)
	le.PutUint64(b[40:], h.FirstUsableLBA)
	le.PutUint64(b[48:], h.LastUsableLBA)
	copy(b[56:72], h.DiskGUID[:])
	le.PutUint64(b[72:], h.EntriesLBA)
	le.PutUint32(b[80:], h.NumEntries)
	le.PutUint32(b[84:], h.EntrySize)
	le.PutUint32(b[88:], h.EntriesCRC)
	le.PutUint32(b[16:], crc32.ChecksumIEEE(b[:]))
	return b
}

// Entry is one partition entry.
type Entry struct {
	Type       GUID
	ID         GUID
	FirstLBA   uint64
	LastLBA    uint64 // inclusive
	Attributes uint64
	Name       string
}

// NameFits reports whether name fits the 36 UTF-16 units of an entry.
func NameFits(name string) bool {
	return len(utf16.Encode([]rune(name))) <= nameUnits
}

// Marshal encodes e into 128 bytes.
func (e Entry) Marshal() ([EntrySize]byte, error) {
	var b [EntrySize]byte
	copy(b[0:16], e.Type[:])
	copy(b[16:32], e.ID[:])
	le := binary.LittleEndian
	le.PutUint64(b[32:], e.FirstLBA)
	le.PutUint64(b[40:], e.LastLBA)
	le.PutUint64(b[48:], e.Attributes)
	units := utf16.Encode([]rune(e.Name))
	if len(units) > nameUnits {
		return b, fmt.Errorf("partition name %q is longer than %d UTF-16 units", e.Name, nameUnits)
	}
	for i, u := range units {
		le.PutUint16(b[56+2*i:], u)
	}
	return b, nil
}

// MarshalArray encodes entries into a full EntryCount-entry array (unused
// slots zero) and returns it with its CRC.
func MarshalArray(entries []Entry) ([]byte, uint32, error) {
	if len(entries) > EntryCount {
		return nil, 0, fmt.Errorf("%d partitions: a GPT holds at most %d", len(entries), EntryCount)
	}
	arr := make([]byte, ArraySize)
	for i, e := range entries {
		b, err := e.Marshal()
		if err != nil {
			return nil, 0, err
		}
		copy(arr[i*EntrySize:], b[:])
	}
	return arr, crc32.ChecksumIEEE(arr), nil
}

// Table is a decoded GPT.
type Table struct {
	Header Header
	// Entries holds the used entries (non-zero type GUID) in array order;
	// Index is each one's 1-based slot number, as Linux numbers partitions.
	Entries []Entry
	Index   []int
}

// ErrNoGPT means there is no "EFI PART" signature at LBA 1.
var ErrNoGPT error = &staticerr.Error{Text: "no GPT signature \"EFI PART\" at offset 0x200 (512)"}

// maxArrayBytes bounds how much a corrupt header can make Read allocate.
const maxArrayBytes = 1 << 20

// Read decodes the primary GPT of a device of size bytes, checking both
// CRCs and that every entry lies within the usable area.
func Read(r io.ReaderAt, size int64) (*Table, error) {
	return ReadAt(r, size, 1)
}

// ReadAt decodes the GPT whose header is at lba (1 for the primary, the last
// LBA for the backup).
func ReadAt(r io.ReaderAt, size int64, lba uint64) (*Table, error) {
	var sec [SectorSize]byte
	hoff := int64(lba * SectorSize)
	where := fmt.Sprintf("GPT header at 0x%x (%d)", hoff, hoff)
	if lba*SectorSize+SectorSize > uint64(size) || hoff < 0 {
		return nil, fmt.Errorf("%s: beyond the image end 0x%x (%d)", where, size, size)
	}
	if _, err := r.ReadAt(sec[:], hoff); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if !bytes.Equal(sec[0:8], signature[:]) {
		if lba == 1 {
			return nil, ErrNoGPT
		}
		return nil, fmt.Errorf("%s: no \"EFI PART\" signature", where)
	}
	le := binary.LittleEndian
	hsize := le.Uint32(sec[12:])
	if hsize < HeaderSize || hsize > SectorSize {
		return nil, fmt.Errorf("%s: header size %d is outside %d..%d", where, hsize, HeaderSize, SectorSize)
	}
	want := le.Uint32(sec[16:])
	hdr := make([]byte, hsize)
	copy(hdr, sec[:hsize])
	le.PutUint32(hdr[16:], 0)
	if got := crc32.ChecksumIEEE(hdr); got != want {
		return nil, fmt.Errorf("%s: header CRC 0x%08x does not match the computed 0x%08x", where, want, got)
	}
	h := Header{
		CurrentLBA:     le.Uint64(sec[24:]),
		BackupLBA:      le.Uint64(sec[32:]),
		FirstUsableLBA: le.Uint64(sec[40:]),
		LastUsableLBA:  le.Uint64(sec[48:]),
		EntriesLBA:     le.Uint64(sec[72:]),
		NumEntries:     le.Uint32(sec[80:]),
		EntrySize:      le.Uint32(sec[84:]),
		EntriesCRC:     le.Uint32(sec[88:]),
	}
	copy(h.DiskGUID[:], sec[56:72])
	if h.EntrySize < EntrySize || h.EntrySize%8 != 0 {
		return nil, fmt.Errorf("%s: entry size %d is not a multiple of 8 of at least %d", where, h.EntrySize, EntrySize)
	}
	arrBytes := uint64(h.NumEntries) * uint64(h.EntrySize)
	if arrBytes > maxArrayBytes {
		return nil, fmt.Errorf("%s: entry array of %d x %d bytes is larger than %d", where, h.NumEntries, h.EntrySize, maxArrayBytes)
	}
	aoff := h.EntriesLBA * SectorSize
	if h.EntriesLBA > uint64(size)/SectorSize || aoff+arrBytes > uint64(size) {
		return nil, fmt.Errorf("%s: entry array at LBA %d runs beyond the image end 0x%x (%d)", where, h.EntriesLBA, size, size)
	}
	arr := make([]byte, arrBytes)
	if _, err := r.ReadAt(arr, int64(aoff)); err != nil {
		return nil, fmt.Errorf("%s: entry array: %w", where, err)
	}
	if got := crc32.ChecksumIEEE(arr); got != h.EntriesCRC {
		return nil, fmt.Errorf("%s: entry array CRC 0x%08x does not match the computed 0x%08x", where, h.EntriesCRC, got)
	}
	t := &Table{Header: h}
	for i := 0; i < int(h.NumEntries); i++ {
		b := arr[i*int(h.EntrySize):]
		var e Entry
		copy(e.Type[:], b[0:16])
		if e.Type.IsZero() {
			continue
		}
		copy(e.ID[:], b[16:32])
		e.FirstLBA = le.Uint64(b[32:])
		e.LastLBA = le.Uint64(b[40:])
		e.Attributes = le.Uint64(b[48:])
		units := make([]uint16, 0, nameUnits)
		for j := 0; j < nameUnits; j++ {
			u := le.Uint16(b[56+2*j:])
			if u == 0 {
				break
			}
			units = append(units, u)
		}
		e.Name = string(utf16.Decode(units))
		if e.LastLBA < e.FirstLBA {
			return nil, fmt.Errorf("GPT partition %d '%s': last LBA %d is before first LBA %d", i+1, e.Name, e.LastLBA, e.FirstLBA)
		}
		// Checked against the header, not the file: genimage ends the
		// file at the last data when there is no backup GPT.
		if e.FirstLBA < h.FirstUsableLBA || e.LastLBA > h.LastUsableLBA {
			return nil, fmt.Errorf("GPT partition %d '%s': LBAs %d..%d are outside the usable %d..%d", i+1, e.Name,
				e.FirstLBA, e.LastLBA, h.FirstUsableLBA, h.LastUsableLBA)
		}
		t.Entries = append(t.Entries, e)
		t.Index = append(t.Index, i+1)
	}
	return t, nil
}
