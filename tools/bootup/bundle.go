package bootup

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/rules-firmware/rules_firmware/tools/compress"
	"github.com/rules-firmware/rules_firmware/tools/lazymap"
)

// Bundle layout constants (FORMAT.md).
const (
	entrySize     = 64
	maxFiles      = 1024
	maxFileLength = 256 << 20
	nameSize      = 32

	CompressNone = 0
	CompressLZ4  = 1
)

// BundleMagic starts every bundle.
var BundleMagic = [4]byte{'B', 'U', 'B', 'N'}

var compressionNames = &lazymap.Map[string, uint8]{New: func() map[string]uint8 {
	return map[string]uint8{"none": CompressNone, "lz4": CompressLZ4}
}}

// CompressionName is the name of a compression code ("lz4").
func CompressionName(c uint8) string {
	for n, v := range compressionNames.Get() {
		if v == c {
			return n
		}
	}
	return fmt.Sprintf("unknown(%d)", c)
}

// File is one named file to put in a bundle.
type File struct {
	Name        string
	Data        []byte
	Compression string // "none" or "lz4"
}

// Entry is one decoded directory entry.
type Entry struct {
	Name                   string
	Offset, Stored, Length uint32
	StoredCRC, CRC         uint32
	Compression            uint8
}

// Bundle is a decoded bundle; Extract unpacks its files.
type Bundle struct {
	Signature [8]byte
	Length    uint32
	Entries   []Entry
	data      []byte
}

func checkName(n string) error {
	if len(n) == 0 || len(n) >= nameSize {
		return fmt.Errorf("name %q: length %d outside 1..%d", n, len(n), nameSize-1)
	}
	for _, c := range []byte(n) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return fmt.Errorf("name %q: byte %q not allowed (A-Z a-z 0-9 . _ -)", n, c)
		}
	}
	if n == "." || n == ".." {
		return fmt.Errorf("name %q not allowed", n)
	}
	return nil
}

func align8(n int) int { return (n + 7) &^ 7 }

// BuildBundle writes a bundle. Its header is the last thing an installer
// writes; here it is simply placed at offset 0.
func BuildBundle(files []File, signature [8]byte) ([]byte, error) {
	if err := checkSignature(signature); err != nil {
		return nil, fmt.Errorf("signature: %v", err)
	}
	if len(files) == 0 || len(files) > maxFiles {
		return nil, fmt.Errorf("bundle: %d files, need 1..%d", len(files), maxFiles)
	}
	dirLen := entrySize * len(files)
	out := make([]byte, HeaderSize+dirLen)
	seen := map[string]bool{}
	le := binary.LittleEndian
	for i, f := range files {
		if err := checkName(f.Name); err != nil {
			return nil, fmt.Errorf("file %d: %v", i, err)
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("file %q: name given twice", f.Name)
		}
		seen[f.Name] = true
		code, ok := compressionNames.Get()[f.Compression]
		if !ok {
			return nil, fmt.Errorf("file %q: unknown compression %q (none, lz4)", f.Name, f.Compression)
		}
		if len(f.Data) > maxFileLength {
			return nil, fmt.Errorf("file %q: %d bytes, more than %d MiB", f.Name, len(f.Data), maxFileLength>>20)
		}
		stored := f.Data
		if code == CompressLZ4 {
			var err error
			if stored, err = compress.Bytes("lz4", f.Data); err != nil {
				return nil, fmt.Errorf("file %q: %v", f.Name, err)
			}
		}
		for len(out)%8 != 0 {
			out = append(out, 0)
		}
		e := out[HeaderSize+i*entrySize:]
		copy(e[:nameSize], f.Name)
		le.PutUint32(e[0x20:], uint32(len(out)))
		le.PutUint32(e[0x24:], uint32(len(stored)))
		le.PutUint32(e[0x28:], uint32(len(f.Data)))
		le.PutUint32(e[0x2C:], crc32.ChecksumIEEE(stored))
		le.PutUint32(e[0x30:], crc32.ChecksumIEEE(f.Data))
		e[0x34] = code
		out = append(out, stored...)
		if int64(len(out)) > 0xFFFFFFFF {
			return nil, fmt.Errorf("file %q: bundle grows past 4 GiB", f.Name)
		}
	}
	h := out[:HeaderSize]
	copy(h, BundleMagic[:])
	le.PutUint16(h[0x04:], 1)
	le.PutUint16(h[0x06:], HeaderSize)
	le.PutUint32(h[0x08:], uint32(len(files)))
	le.PutUint32(h[0x0C:], HeaderSize)
	le.PutUint32(h[0x10:], uint32(dirLen))
	le.PutUint32(h[0x14:], crc32.ChecksumIEEE(out[HeaderSize:HeaderSize+dirLen]))
	le.PutUint32(h[0x18:], uint32(len(out)))
	copy(h[0x30:], signature[:])
	le.PutUint32(h[headerCRCOff:], crc32.ChecksumIEEE(h[:headerCRCOff]))
	return out, nil
}

// ReadBundle checks a bundle's header, directory and stored bytes (not
// decompression; see Extract and Verify).
func ReadBundle(b []byte) (*Bundle, error) {
	h, err := bundleHeader(b)
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	n := int(le.Uint32(h[0x08:]))
	dir := b[HeaderSize : HeaderSize+n*entrySize]
	if c := crc32.ChecksumIEEE(dir); c != le.Uint32(h[0x14:]) {
		return nil, fmt.Errorf("bundle: directory CRC32 0x%08x does not match computed 0x%08x", le.Uint32(h[0x14:]), c)
	}
	bu := &Bundle{Length: le.Uint32(h[0x18:]), data: b}
	copy(bu.Signature[:], h[0x30:0x38])
	next := HeaderSize + len(dir)
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		e, err := parseEntry(dir[i*entrySize:], b, next)
		if err != nil {
			return nil, fmt.Errorf("bundle: entry %d: %v", i, err)
		}
		if seen[e.Name] {
			return nil, fmt.Errorf("bundle: file %q: name appears twice", e.Name)
		}
		seen[e.Name] = true
		next = int(e.Offset) + int(e.Stored)
		bu.Entries = append(bu.Entries, e)
	}
	return bu, nil
}

// bundleHeader checks the 64 header bytes and returns them.
func bundleHeader(b []byte) ([]byte, error) {
	if len(b) < HeaderSize || !bytes.Equal(b[:4], BundleMagic[:]) {
		return nil, errors.New("bundle: no bundle header (magic \"BUBN\")")
	}
	h := b[:HeaderSize]
	le := binary.LittleEndian
	var sig [8]byte
	copy(sig[:], h[0x30:0x38])
	switch {
	case le.Uint16(h[0x04:]) != 1:
		return nil, fmt.Errorf("bundle: bundle version %d not supported (1)", le.Uint16(h[0x04:]))
	case le.Uint16(h[0x06:]) != HeaderSize:
		return nil, fmt.Errorf("bundle: header length %d is not 64", le.Uint16(h[0x06:]))
	}
	if err := checkSignature(sig); err != nil {
		return nil, fmt.Errorf("bundle: %v", err)
	}
	if c := crc32.ChecksumIEEE(h[:headerCRCOff]); c != le.Uint32(h[headerCRCOff:]) {
		return nil, fmt.Errorf("bundle: header CRC32 0x%08x does not match computed 0x%08x", le.Uint32(h[headerCRCOff:]), c)
	}
	n := le.Uint32(h[0x08:])
	switch {
	case n == 0 || n > maxFiles:
		return nil, fmt.Errorf("bundle: file count %d outside 1..%d", n, maxFiles)
	case le.Uint32(h[0x0C:]) != HeaderSize:
		return nil, fmt.Errorf("bundle: directory offset %d is not 64", le.Uint32(h[0x0C:]))
	case le.Uint32(h[0x10:]) != n*entrySize:
		return nil, fmt.Errorf("bundle: directory length %d is not 64 x %d files", le.Uint32(h[0x10:]), n)
	case le.Uint32(h[0x18:]) != uint32(len(b)) || int64(len(b)) > 0xFFFFFFFF:
		return nil, fmt.Errorf("bundle: bundle length %d but the file has %d bytes", le.Uint32(h[0x18:]), len(b))
	case le.Uint32(h[0x1C:]) != 0 || !allZero(h[0x20:0x30]) || le.Uint32(h[0x38:]) != 0:
		return nil, errors.New("bundle: flags or reserved header bytes not 0")
	case HeaderSize+int(n)*entrySize > len(b):
		return nil, fmt.Errorf("bundle: directory of %d entries runs past the end", n)
	}
	return h, nil
}

func parseEntry(e, b []byte, minOffset int) (Entry, error) {
	le := binary.LittleEndian
	name := e[:nameSize]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		if !allZero(name[i:]) {
			return Entry{}, errors.New("name: bytes after the NUL terminator")
		}
		name = name[:i]
	}
	en := Entry{
		Name: string(name), Offset: le.Uint32(e[0x20:]), Stored: le.Uint32(e[0x24:]),
		Length: le.Uint32(e[0x28:]), StoredCRC: le.Uint32(e[0x2C:]), CRC: le.Uint32(e[0x30:]),
		Compression: e[0x34],
	}
	if err := checkName(en.Name); err != nil {
		return en, err
	}
	wrap := func(err error) (Entry, error) { return en, fmt.Errorf("file %q: %v", en.Name, err) }
	switch {
	case !allZero(e[0x35:entrySize]):
		return wrap(errors.New("reserved bytes not 0"))
	case en.Compression != CompressNone && en.Compression != CompressLZ4:
		return wrap(fmt.Errorf("unknown compression %d (0 none, 1 lz4)", en.Compression))
	case en.Compression == CompressNone && en.Stored != en.Length:
		return wrap(fmt.Errorf("uncompressed but stored length %d differs from length %d", en.Stored, en.Length))
	case en.Length > maxFileLength:
		return wrap(fmt.Errorf("length %d more than %d MiB", en.Length, maxFileLength>>20))
	case en.Offset%8 != 0:
		return wrap(fmt.Errorf("data offset 0x%x not 8-byte aligned", en.Offset))
	case int(en.Offset) < minOffset:
		return wrap(fmt.Errorf("data offset 0x%x overlaps the directory or the previous file (ends at 0x%x)", en.Offset, minOffset))
	case int64(en.Offset)+int64(en.Stored) > int64(len(b)):
		return wrap(fmt.Errorf("data 0x%x+0x%x runs past the bundle end 0x%x", en.Offset, en.Stored, len(b)))
	}
	if c := crc32.ChecksumIEEE(b[en.Offset : en.Offset+en.Stored]); c != en.StoredCRC {
		return wrap(fmt.Errorf("stored CRC32 0x%08x does not match computed 0x%08x", en.StoredCRC, c))
	}
	return en, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Extract decompresses file i and checks its length and CRC32. It never
// inflates more than the directory's length.
func (bu *Bundle) Extract(i int) ([]byte, error) {
	e := bu.Entries[i]
	stored := bu.data[e.Offset : e.Offset+e.Stored]
	data := stored
	if e.Compression == CompressLZ4 {
		var err error
		if data, err = decodeLZ4Frame(stored, e.Length); err != nil {
			return nil, fmt.Errorf("file %q: %v", e.Name, err)
		}
	}
	if len(data) != int(e.Length) {
		return nil, fmt.Errorf("file %q: decompressed to %d bytes, directory says %d", e.Name, len(data), e.Length)
	}
	if c := crc32.ChecksumIEEE(data); c != e.CRC {
		return nil, fmt.Errorf("file %q: CRC32 0x%08x does not match computed 0x%08x", e.Name, e.CRC, c)
	}
	return data, nil
}

// Verify reads a bundle and decompresses and checks every file.
func Verify(b []byte) (*Bundle, error) {
	bu, err := ReadBundle(b)
	if err != nil {
		return nil, err
	}
	for i := range bu.Entries {
		if _, err := bu.Extract(i); err != nil {
			return nil, fmt.Errorf("bundle: %v", err)
		}
	}
	return bu, nil
}
