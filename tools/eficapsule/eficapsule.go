// Package eficapsule writes UEFI capsules as U-Boot's mkeficapsule does:
// an FMP capsule (EFI_CAPSULE_HEADER, EFI_FIRMWARE_MANAGEMENT_CAPSULE_HEADER
// with one payload item, an image header of version 3, the payload) and
// the empty accept/revert capsules of the FWU multi-bank update. All
// fields are little-endian; GUIDs are in the EFI byte order (first three
// fields little-endian). Signed (authenticated) capsules are not written.
package eficapsule

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// GUID is an EFI GUID in its in-memory (mixed-endian) byte order.
type GUID [16]byte

// The capsule GUIDs of the UEFI specification and of Arm's FWU spec.
var (
	// FMPCapsuleID is EFI_FIRMWARE_MANAGEMENT_CAPSULE_ID_GUID.
	// The GUIDs are written in their byte order (EFI's mixed-endian
	// layout of the text form in the comment; TestConstantGUIDs) so that
	// they are static data rather than parsed at every start of fwtool.
	FMPCapsuleID = GUID{0xed, 0xd5, 0xcb, 0x6d, 0x2d, 0xe8, 0x44, 0x4c, 0xbd, 0xa1, 0x71, 0x94, 0x19, 0x9a, 0xd9, 0x2a} // 6dcbd5ed-e82d-4c44-bda1-7194199ad92a
	// AcceptOS and RevertOS are the FWU empty capsules' GUIDs.
	AcceptOS = GUID{0x46, 0x60, 0x99, 0x0c, 0xc0, 0xbc, 0x04, 0x4d, 0x85, 0xec, 0xe1, 0xfc, 0xed, 0xf1, 0xc6, 0xf8} // 0c996046-bcc0-4d04-85ec-e1fcedf1c6f8
	RevertOS = GUID{0x4b, 0x8b, 0xd5, 0xac, 0xe8, 0xc0, 0x5f, 0x47, 0x99, 0xb5, 0x6b, 0x3f, 0x7e, 0x07, 0xaa, 0xf0} // acd58b4b-c0e8-475f-99b5-6b3f7e07aaf0
)

// ParseGUID reads the 8-4-4-4-12 text form.
func ParseGUID(s string) (GUID, error) {
	var g GUID
	parts := strings.Split(s, "-")
	if len(parts) != 5 || len(parts[0]) != 8 || len(parts[1]) != 4 || len(parts[2]) != 4 || len(parts[3]) != 4 || len(parts[4]) != 12 {
		return g, fmt.Errorf("invalid GUID '%s' (want xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s)
	}
	raw, err := hex.DecodeString(strings.Join(parts, ""))
	if err != nil {
		return g, fmt.Errorf("invalid GUID '%s': %v", s, err)
	}
	// Data1 (u32), Data2 and Data3 (u16) are stored little-endian.
	g[0], g[1], g[2], g[3] = raw[3], raw[2], raw[1], raw[0]
	g[4], g[5] = raw[5], raw[4]
	g[6], g[7] = raw[7], raw[6]
	copy(g[8:], raw[8:])
	return g, nil
}

// MustParseGUID is ParseGUID for constants.
func MustParseGUID(s string) GUID {
	g, err := ParseGUID(s)
	if err != nil {
		panic(err)
	}
	return g
}

// Sizes of the fixed headers.
const (
	CapsuleHeaderSize = 28 // EFI_CAPSULE_HEADER
	fmpHeaderSize     = 16 // version, driver and item counts, one item offset
	imageHeaderSize   = 48 // EFI_FIRMWARE_MANAGEMENT_CAPSULE_IMAGE_HEADER v3
	// FlagPersistAcrossReset is CAPSULE_FLAGS_PERSIST_ACROSS_RESET.
	FlagPersistAcrossReset = 0x00010000
)

// FMP describes one firmware image in an FMP capsule.
type FMP struct {
	ImageType GUID   // UpdateImageTypeId
	Index     uint8  // UpdateImageIndex
	Instance  uint64 // UpdateHardwareInstance
	OEMFlags  uint16 // ORed into the capsule header flags
}

// Build returns the FMP capsule holding payload.
func (f FMP) Build(payload []byte) ([]byte, error) {
	total := uint64(CapsuleHeaderSize+fmpHeaderSize+imageHeaderSize) + uint64(len(payload))
	if total > 0xffffffff {
		return nil, fmt.Errorf("capsule of %d bytes does not fit the 32-bit CapsuleImageSize", total)
	}
	out := make([]byte, total)
	le := binary.LittleEndian
	copy(out, FMPCapsuleID[:])
	le.PutUint32(out[16:], CapsuleHeaderSize)
	le.PutUint32(out[20:], FlagPersistAcrossReset|uint32(f.OEMFlags))
	le.PutUint32(out[24:], uint32(total))
	fmp := out[CapsuleHeaderSize:]
	le.PutUint32(fmp[0:], 1) // version
	le.PutUint16(fmp[4:], 0) // embedded drivers
	le.PutUint16(fmp[6:], 1) // payload items
	le.PutUint64(fmp[8:], fmpHeaderSize)
	img := fmp[fmpHeaderSize:]
	le.PutUint32(img[0:], 3) // image header version
	copy(img[4:20], f.ImageType[:])
	img[20] = f.Index
	le.PutUint32(img[24:], uint32(len(payload)))
	le.PutUint32(img[28:], 0) // vendor code size
	le.PutUint64(img[32:], f.Instance)
	le.PutUint64(img[40:], 0) // ImageCapsuleSupport
	copy(img[imageHeaderSize:], payload)
	return out, nil
}

// Empty returns the FWU accept capsule for image (accept) or the revert
// capsule: a bare capsule header with no flags, the accept one followed by
// the image type GUID.
func Empty(accept bool, image GUID) []byte {
	id, size := RevertOS, CapsuleHeaderSize
	if accept {
		id, size = AcceptOS, CapsuleHeaderSize+16
	}
	out := make([]byte, size)
	copy(out, id[:])
	binary.LittleEndian.PutUint32(out[16:], CapsuleHeaderSize)
	binary.LittleEndian.PutUint32(out[24:], uint32(size))
	if accept {
		copy(out[CapsuleHeaderSize:], image[:])
	}
	return out
}
