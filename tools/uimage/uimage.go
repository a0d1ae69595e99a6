// Package uimage reads and writes U-Boot legacy images ("uImage"): a
// 64-byte big-endian header followed by the payload, as written by
// `mkimage -A arch -O os -T type -C comp ...`.
//
// Header layout (all fields big-endian):
//
//	0  magic 0x27051956     16 load address     28 os
//	4  header CRC32         20 entry point      29 arch
//	8  time (Unix seconds)  24 data CRC32       30 type
//	12 data size                                31 compression
//	32 name, 32 bytes, NUL-padded, not necessarily NUL-terminated
//
// The header CRC is the IEEE CRC32 of the 64 header bytes with the header
// CRC field zeroed; the data CRC is the IEEE CRC32 of the payload.
//
// Multi-file and script images carry a table of big-endian 32-bit sizes
// terminated by a zero word in front of the files; every file but the last
// is zero-padded to a multiple of 4 bytes.
package uimage

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/rules-firmware/rules_firmware/tools/staticerr"
)

const (
	// Magic is the first word of every legacy image.
	Magic = 0x27051956
	// HeaderSize is the size of the legacy header in bytes.
	HeaderSize = 64
	// NameLen is the size of the name field; longer names are cut.
	NameLen = 32
)

// Header is the decoded legacy header. HeaderCRC is only meaningful after
// Parse; Marshal computes it.
type Header struct {
	HeaderCRC uint32
	Time      uint32
	DataSize  uint32
	Load      uint32
	Entry     uint32
	DataCRC   uint32
	OS        uint8
	Arch      uint8
	Type      uint8
	Comp      uint8
	// Name is at most NameLen bytes; Marshal rejects longer names, so
	// callers cut them with TruncateName first (and warn, as mkimage's
	// users expect).
	Name string
}

// TruncateName cuts name to the 32 bytes the header holds, as mkimage
// does, and reports whether anything was cut.
func TruncateName(name string) (string, bool) {
	if len(name) <= NameLen {
		return name, false
	}
	return name[:NameLen], true
}

// Marshal encodes h into its 64 header bytes, computing the header CRC.
// DataSize and DataCRC are taken as set, so a caller that streams a large
// payload (hashing it with crc32.NewIEEE as it goes) can write the header
// without holding the payload; see also WriteStream.
func (h *Header) Marshal() ([]byte, error) {
	if len(h.Name) > NameLen {
		return nil, fmt.Errorf("image name %q is %d bytes, the header holds %d", h.Name, len(h.Name), NameLen)
	}
	b := make([]byte, HeaderSize)
	be := binary.BigEndian
	be.PutUint32(b[0:], Magic)
	be.PutUint32(b[8:], h.Time)
	be.PutUint32(b[12:], h.DataSize)
	be.PutUint32(b[16:], h.Load)
	be.PutUint32(b[20:], h.Entry)
	be.PutUint32(b[24:], h.DataCRC)
	b[28] = h.OS
	b[29] = h.Arch
	b[30] = h.Type
	b[31] = h.Comp
	copy(b[32:], h.Name)
	h.HeaderCRC = crc32.ChecksumIEEE(b)
	be.PutUint32(b[4:], h.HeaderCRC)
	return b, nil
}

// Errors returned by ParseHeader and Verify; wrapped with details.
var (
	ErrShort     error = &staticerr.Error{Text: "file too short for a uImage header"}
	ErrMagic     error = &staticerr.Error{Text: "bad magic"}
	ErrHeaderCRC error = &staticerr.Error{Text: "bad header checksum"}
	ErrDataCRC   error = &staticerr.Error{Text: "bad data checksum"}
	ErrDataSize  error = &staticerr.Error{Text: "data size exceeds file"}
)

// IsUImage reports whether b starts with the legacy magic.
func IsUImage(b []byte) bool {
	return len(b) >= 4 && binary.BigEndian.Uint32(b) == Magic
}

// ParseHeader decodes and checks the magic and header CRC of the first 64
// bytes of b. It does not look at the payload.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("%w: %d bytes", ErrShort, len(b))
	}
	be := binary.BigEndian
	if m := be.Uint32(b); m != Magic {
		return Header{}, fmt.Errorf("%w: 0x%08x, want 0x%08x", ErrMagic, m, uint32(Magic))
	}
	h := Header{
		HeaderCRC: be.Uint32(b[4:]),
		Time:      be.Uint32(b[8:]),
		DataSize:  be.Uint32(b[12:]),
		Load:      be.Uint32(b[16:]),
		Entry:     be.Uint32(b[20:]),
		DataCRC:   be.Uint32(b[24:]),
		OS:        b[28],
		Arch:      b[29],
		Type:      b[30],
		Comp:      b[31],
	}
	name := b[32:HeaderSize]
	for i, c := range name {
		if c == 0 {
			name = name[:i]
			break
		}
	}
	h.Name = string(name)

	var zeroed [HeaderSize]byte
	copy(zeroed[:], b[:HeaderSize])
	be.PutUint32(zeroed[4:], 0)
	if got := crc32.ChecksumIEEE(zeroed[:]); got != h.HeaderCRC {
		return Header{}, fmt.Errorf("%w: header says 0x%08x, computed 0x%08x", ErrHeaderCRC, h.HeaderCRC, got)
	}
	return h, nil
}

// Parse decodes a whole image: it checks the header, that the payload
// fits in b, and the payload CRC. It returns the header and the payload
// (a sub-slice of b; bytes after the payload are ignored, as U-Boot does).
func Parse(b []byte) (Header, []byte, error) {
	h, err := ParseHeader(b)
	if err != nil {
		return Header{}, nil, err
	}
	if uint64(h.DataSize) > uint64(len(b)-HeaderSize) {
		return Header{}, nil, fmt.Errorf("%w: header says %d bytes, file has %d after the header", ErrDataSize, h.DataSize, len(b)-HeaderSize)
	}
	data := b[HeaderSize : HeaderSize+int(h.DataSize)]
	if got := crc32.ChecksumIEEE(data); got != h.DataCRC {
		return Header{}, nil, fmt.Errorf("%w: header says 0x%08x, computed 0x%08x", ErrDataCRC, h.DataCRC, got)
	}
	return h, data, nil
}

// Build returns header and payload as one image; h's DataSize and DataCRC
// are set from data.
func Build(h Header, data []byte) ([]byte, error) {
	if uint64(len(data)) > 0xffffffff {
		return nil, fmt.Errorf("payload is %d bytes, a uImage holds at most 4 GiB", len(data))
	}
	h.DataSize = uint32(len(data))
	h.DataCRC = crc32.ChecksumIEEE(data)
	hdr, err := h.Marshal()
	if err != nil {
		return nil, err
	}
	return append(hdr, data...), nil
}

// WriteStream writes an image whose payload is read from data, without
// holding the payload in memory: it writes a placeholder header, streams
// the payload while computing its size and CRC, then seeks back and writes
// the real header. It returns the header as written.
func WriteStream(w io.WriteSeeker, h Header, data io.Reader) (Header, error) {
	start, err := w.Seek(0, io.SeekCurrent)
	if err != nil {
		return h, err
	}
	if len(h.Name) > NameLen {
		return h, fmt.Errorf("image name %q is %d bytes, the header holds %d", h.Name, len(h.Name), NameLen)
	}
	if _, err := w.Write(make([]byte, HeaderSize)); err != nil {
		return h, err
	}
	crc := crc32.NewIEEE()
	n, err := io.Copy(io.MultiWriter(w, crc), data)
	if err != nil {
		return h, err
	}
	if n > 0xffffffff {
		return h, fmt.Errorf("payload is %d bytes, a uImage holds at most 4 GiB", n)
	}
	h.DataSize = uint32(n)
	h.DataCRC = crc.Sum32()
	hdr, err := h.Marshal()
	if err != nil {
		return h, err
	}
	end, err := w.Seek(0, io.SeekCurrent)
	if err != nil {
		return h, err
	}
	if _, err := w.Seek(start, io.SeekStart); err != nil {
		return h, err
	}
	if _, err := w.Write(hdr); err != nil {
		return h, err
	}
	_, err = w.Seek(end, io.SeekStart)
	return h, err
}

// HasSizeTable reports whether payloads of image type typ start with the
// multi-file size table (multi and script images do).
func HasSizeTable(typ uint8) bool {
	return typ == TypeMulti || typ == TypeScript
}

// MultiPayload lays out files as a multi-file/script payload: the size
// table ending in a zero word, then each file, all but the last padded
// with zeros to a 4-byte boundary.
func MultiPayload(files [][]byte) ([]byte, error) {
	size := 4 * (len(files) + 1)
	for _, f := range files {
		if uint64(len(f)) > 0xffffffff {
			return nil, fmt.Errorf("file of %d bytes does not fit a multi-file image", len(f))
		}
		size += len(f) + 3
	}
	out := make([]byte, 0, size)
	for _, f := range files {
		out = binary.BigEndian.AppendUint32(out, uint32(len(f)))
	}
	out = binary.BigEndian.AppendUint32(out, 0)
	for i, f := range files {
		out = append(out, f...)
		if i != len(files)-1 {
			out = append(out, make([]byte, (4-len(f)%4)%4)...)
		}
	}
	return out, nil
}

// SplitMulti splits a multi-file/script payload back into its files.
func SplitMulti(data []byte) ([][]byte, error) {
	sizes, tableLen, err := MultiSizes(data)
	if err != nil {
		return nil, err
	}
	files := make([][]byte, 0, len(sizes))
	off := uint64(tableLen)
	for i, s := range sizes {
		end := off + uint64(s)
		if end > uint64(len(data)) {
			return nil, fmt.Errorf("multi-file image: file %d (%d bytes at offset %d) runs past the payload end (%d)", i, s, off, len(data))
		}
		files = append(files, data[off:end])
		off = (end + 3) &^ 3
	}
	return files, nil
}

// MultiSizes decodes the size table at the start of a multi-file/script
// payload. It returns the sizes and the table length in bytes (including
// the terminating zero word).
func MultiSizes(data []byte) ([]uint32, int, error) {
	var sizes []uint32
	for off := 0; ; off += 4 {
		if off+4 > len(data) {
			return nil, 0, fmt.Errorf("multi-file image: size table has no terminating zero within %d bytes", len(data))
		}
		s := binary.BigEndian.Uint32(data[off:])
		if s == 0 {
			return sizes, off + 4, nil
		}
		sizes = append(sizes, s)
	}
}

// opteeHeaderSize is the size of the OP-TEE v1 header (tee.bin) that
// precedes the code in an OP-TEE image; its load address field is at
// offset 16 (init_load_addr_lo, little-endian).
const opteeHeaderSize = 28

// TEEAddresses returns the load and entry addresses mkimage writes for
// `-O tee` images, whatever -a/-e say: the entry is the little-endian word
// at payload offset 16 (the OP-TEE header's load address) and the load
// address is 28 bytes (the OP-TEE header) before it, so the header lands
// just below the code. Bytes past the payload read as zero.
func TEEAddresses(payload []byte) (load, entry uint32) {
	var word [4]byte
	if len(payload) > 16 {
		copy(word[:], payload[16:])
	}
	entry = binary.LittleEndian.Uint32(word[:])
	return entry - opteeHeaderSize, entry
}

// CheckXIPReserve checks the first HeaderSize bytes of an execute-in-place
// data file (mkimage -x): they must be erased flash (0xff), because the
// header is written over them.
func CheckXIPReserve(reserve []byte) error {
	if len(reserve) < HeaderSize {
		return fmt.Errorf("file is %d bytes, too small to reserve the %d-byte header", len(reserve), HeaderSize)
	}
	for i, c := range reserve[:HeaderSize] {
		if c != 0xff {
			return fmt.Errorf("byte at offset %d is 0x%02x; the first %d bytes must be 0xff to hold the header", i, c, HeaderSize)
		}
	}
	return nil
}

// Verify checks the image in r (size bytes) like Parse, but streams the
// payload through the CRC instead of loading it, for large images.
func Verify(r io.ReaderAt, size int64) (Header, error) {
	var hdr [HeaderSize]byte
	n, err := r.ReadAt(hdr[:], 0)
	if n < HeaderSize {
		if err == nil || err == io.EOF {
			return Header{}, fmt.Errorf("%w: %d bytes", ErrShort, n)
		}
		return Header{}, err
	}
	h, err := ParseHeader(hdr[:])
	if err != nil {
		return Header{}, err
	}
	if int64(h.DataSize) > size-HeaderSize {
		return Header{}, fmt.Errorf("%w: header says %d bytes, file has %d after the header", ErrDataSize, h.DataSize, size-HeaderSize)
	}
	crc := crc32.NewIEEE()
	if _, err := io.Copy(crc, io.NewSectionReader(r, HeaderSize, int64(h.DataSize))); err != nil {
		return Header{}, err
	}
	if got := crc.Sum32(); got != h.DataCRC {
		return Header{}, fmt.Errorf("%w: header says 0x%08x, computed 0x%08x", ErrDataCRC, h.DataCRC, got)
	}
	return h, nil
}
