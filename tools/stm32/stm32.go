// Package stm32 writes and reads the header that the STM32MP1 boot ROM
// expects in front of the first-stage boot loader (U-Boot SPL or TF-A BL2).
//
// Two layouts exist, both little-endian:
//   - v1 (STM32MP15): 256 bytes, as written by `mkimage -T stm32image`.
//   - v2 (STM32MP13): 512 bytes; the fields after the version number change
//     meaning and a padding extension header fills the rest.
//
// The checksum is the 32-bit sum of the payload bytes.
package stm32

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Header sizes of the two layouts.
const (
	HeaderV1Size = 256
	HeaderV2Size = 512
)

// Magic is the first four bytes of every header: 'S' 'T' 'M' 0x32.
var Magic = [4]byte{'S', 'T', 'M', 0x32}

// Binary types the boot ROM knows; any other value is stored as given.
const (
	BinaryTypeUBoot = 0x00
	BinaryTypeTFA   = 0x10
)

// Field offsets shared by both layouts.
const (
	offMagic         = 0x00
	offSignature     = 0x04
	offChecksum      = 0x44
	offHeaderVersion = 0x48
	offLength        = 0x4c
	offEntryPoint    = 0x50
	offLoadAddress   = 0x58
	offImageVersion  = 0x60

	// v1 only.
	offOptionFlags    = 0x64
	offECDSAAlgorithm = 0x68
	offPublicKey      = 0x6c
	offBinaryTypeV1   = 0xff

	// v2 only.
	offExtensionFlags         = 0x64
	offExtensionHeadersLength = 0x68
	offBinaryTypeV2           = 0x6c
	offExtensionHeaderType    = 0x80
	offExtensionHeaderLength  = 0x84

	// header_version is four bytes; the boot ROM reads the major version
	// from byte 2 and the minor from byte 1.
	versionMajorByte = 2
	versionMinorByte = 1
)

// The padding extension of a v2 header: its flag, its type ("ST" 0xff 0xff
// in byte order) and its length, which runs from offset 0x80 to the end of
// the 512-byte header.
const (
	PaddingExtensionFlag   = 1 << 31
	PaddingExtensionLength = HeaderV2Size - offExtensionHeaderType
)

var paddingExtensionType = [4]byte{'S', 'T', 0xff, 0xff}

// Header holds the fields of either layout. Major selects the layout.
type Header struct {
	Major, Minor uint8
	Checksum     uint32 // sum of payload bytes; set by Wrap
	Length       uint32 // payload length; set by Wrap
	EntryPoint   uint32
	LoadAddress  uint32
	ImageVersion uint32 // anti-rollback version number
	BinaryType   uint32 // one byte in v1

	Signature [64]byte // ECDSA signature (zero when unsigned)

	// v1 only.
	OptionFlags    uint32 // bit 0: no signature
	ECDSAAlgorithm uint32 // 1: P-256 NIST, 2: brainpool 256
	PublicKey      [64]byte

	// v2 only.
	ExtensionFlags         uint32
	ExtensionHeadersLength uint32
}

// NewHeader returns the header the reference tools write for an unsigned
// image: for v1 what `mkimage -T stm32image` sets (option flags 1 = no
// signature, ECDSA algorithm 1), for v2 what TF-A's stm32image writes (the
// padding extension filling the header).
func NewHeader(major uint8, loadAddress, entryPoint uint32) (Header, error) {
	h := Header{Major: major, LoadAddress: loadAddress, EntryPoint: entryPoint}
	switch major {
	case 1:
		h.OptionFlags = 1
		h.ECDSAAlgorithm = 1
	case 2:
		h.ExtensionFlags = PaddingExtensionFlag
		h.ExtensionHeadersLength = PaddingExtensionLength
	default:
		return Header{}, fmt.Errorf("header version %d not supported (1 for STM32MP15, 2 for STM32MP13)", major)
	}
	return h, nil
}

// Size is the header length of h's layout.
func (h *Header) Size() int {
	if h.Major == 2 {
		return HeaderV2Size
	}
	return HeaderV1Size
}

// Checksum is the boot ROM's payload checksum: the byte sum, modulo 2^32.
func Checksum(payload []byte) uint32 {
	var sum uint32
	for _, b := range payload {
		sum += uint32(b)
	}
	return sum
}

// Wrap returns header + payload, with h's Length and Checksum replaced by the
// payload's.
func Wrap(h Header, payload []byte) ([]byte, error) {
	if h.Major != 1 && h.Major != 2 {
		return nil, fmt.Errorf("header version %d not supported (1 for STM32MP15, 2 for STM32MP13)", h.Major)
	}
	if uint64(len(payload)) > 0xffffffff {
		return nil, fmt.Errorf("payload of %d bytes does not fit the 32-bit image length field", len(payload))
	}
	if h.Major == 1 && h.BinaryType > 0xff {
		return nil, fmt.Errorf("binary type 0x%x does not fit the one-byte field of a v1 header", h.BinaryType)
	}
	h.Length = uint32(len(payload))
	h.Checksum = Checksum(payload)
	out := make([]byte, h.Size()+len(payload))
	h.put(out)
	copy(out[h.Size():], payload)
	return out, nil
}

func (h *Header) put(b []byte) {
	le := binary.LittleEndian
	copy(b[offMagic:], Magic[:])
	copy(b[offSignature:], h.Signature[:])
	le.PutUint32(b[offChecksum:], h.Checksum)
	b[offHeaderVersion+versionMajorByte] = h.Major
	b[offHeaderVersion+versionMinorByte] = h.Minor
	le.PutUint32(b[offLength:], h.Length)
	le.PutUint32(b[offEntryPoint:], h.EntryPoint)
	le.PutUint32(b[offLoadAddress:], h.LoadAddress)
	le.PutUint32(b[offImageVersion:], h.ImageVersion)
	if h.Major == 1 {
		le.PutUint32(b[offOptionFlags:], h.OptionFlags)
		le.PutUint32(b[offECDSAAlgorithm:], h.ECDSAAlgorithm)
		copy(b[offPublicKey:], h.PublicKey[:])
		b[offBinaryTypeV1] = byte(h.BinaryType)
		return
	}
	le.PutUint32(b[offExtensionFlags:], h.ExtensionFlags)
	le.PutUint32(b[offExtensionHeadersLength:], h.ExtensionHeadersLength)
	le.PutUint32(b[offBinaryTypeV2:], h.BinaryType)
	if h.ExtensionFlags&PaddingExtensionFlag != 0 {
		copy(b[offExtensionHeaderType:], paddingExtensionType[:])
		le.PutUint32(b[offExtensionHeaderLength:], PaddingExtensionLength)
	}
}

// FieldError reports which header field is wrong.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return fmt.Sprintf("header field '%s': %s", e.Field, e.Msg) }

// HasMagic reports whether data starts with the STM32 magic.
func HasMagic(data []byte) bool {
	return len(data) >= 4 && data[0] == Magic[0] && data[1] == Magic[1] && data[2] == Magic[2] && data[3] == Magic[3]
}

// Parse reads the header at the start of data and returns it with the
// payload it describes. It checks the magic, the header version, that the
// image length fits the data and that the checksum matches. Bytes after the
// payload (padding up to a partition's size, say) are ignored.
func Parse(data []byte) (Header, []byte, error) {
	var h Header
	if len(data) < 4 || !HasMagic(data) {
		return h, nil, &FieldError{"magic", "not 'STM2'"}
	}
	if len(data) < HeaderV1Size {
		return h, nil, &FieldError{"magic", fmt.Sprintf("file of %d bytes is shorter than the %d-byte header", len(data), HeaderV1Size)}
	}
	le := binary.LittleEndian
	h.Major = data[offHeaderVersion+versionMajorByte]
	h.Minor = data[offHeaderVersion+versionMinorByte]
	if h.Major != 1 && h.Major != 2 {
		return h, nil, &FieldError{"header_version", fmt.Sprintf("major version %d unknown (want 1 or 2)", h.Major)}
	}
	if len(data) < h.Size() {
		return h, nil, &FieldError{"header_version", fmt.Sprintf("v%d header needs %d bytes, file has %d", h.Major, h.Size(), len(data))}
	}
	copy(h.Signature[:], data[offSignature:])
	h.Checksum = le.Uint32(data[offChecksum:])
	h.Length = le.Uint32(data[offLength:])
	h.EntryPoint = le.Uint32(data[offEntryPoint:])
	h.LoadAddress = le.Uint32(data[offLoadAddress:])
	h.ImageVersion = le.Uint32(data[offImageVersion:])
	if h.Major == 1 {
		h.OptionFlags = le.Uint32(data[offOptionFlags:])
		h.ECDSAAlgorithm = le.Uint32(data[offECDSAAlgorithm:])
		copy(h.PublicKey[:], data[offPublicKey:])
		h.BinaryType = uint32(data[offBinaryTypeV1])
	} else {
		h.ExtensionFlags = le.Uint32(data[offExtensionFlags:])
		h.ExtensionHeadersLength = le.Uint32(data[offExtensionHeadersLength:])
		h.BinaryType = le.Uint32(data[offBinaryTypeV2:])
	}
	avail := uint64(len(data) - h.Size())
	if uint64(h.Length) > avail {
		return h, nil, &FieldError{"image_length", fmt.Sprintf("0x%x (%d) runs past the end of the file (%d payload bytes present)", h.Length, h.Length, avail)}
	}
	payload := data[h.Size() : h.Size()+int(h.Length)]
	if sum := Checksum(payload); sum != h.Checksum {
		return h, nil, &FieldError{"image_checksum", fmt.Sprintf("0x%08x but the payload sums to 0x%08x", h.Checksum, sum)}
	}
	return h, payload, nil
}

// BinaryTypeName names the known binary types for listings.
func BinaryTypeName(t uint32) string {
	switch t {
	case BinaryTypeUBoot:
		return "U-Boot"
	case BinaryTypeTFA:
		return "TF-A BL2"
	}
	return "unknown"
}

// WriteListing prints h in the layout of `mkimage -l` for STM32 images
// (v1 exactly as mkimage prints it; v2 with its extension fields).
func WriteListing(w io.Writer, h Header) error {
	var err error
	p := func(format string, args ...interface{}) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, args...)
		}
	}
	p("Image Type   : STMicroelectronics STM32 V%d.%d\n", h.Major, h.Minor)
	p("Image Size   : %d bytes\n", h.Length)
	p("Image Load   : 0x%08x\n", h.LoadAddress)
	p("Entry Point  : 0x%08x\n", h.EntryPoint)
	p("Checksum     : 0x%08x\n", h.Checksum)
	if h.Major == 1 {
		p("Option     : 0x%08x\n", h.OptionFlags)
		p("BinaryType : 0x%08x\n", h.BinaryType)
		return err
	}
	p("Extension    : 0x%08x\n", h.ExtensionFlags)
	p("Version      : 0x%08x\n", h.ImageVersion)
	p("BinaryType   : 0x%08x (%s)\n", h.BinaryType, BinaryTypeName(h.BinaryType))
	return err
}
