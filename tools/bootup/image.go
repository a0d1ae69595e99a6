// Package bootup writes and reads BootUp-style application images and
// bundles (see FORMAT.md): a 64-byte header carrying a signature that is
// written last, so that a reset while an image is being staged never leaves
// a valid-looking partial image.
package bootup

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Header layout constants, named after FORMAT.md.
const (
	HeaderSize    = 64
	HeaderVersion = 1
	SignatureOff  = 0x30 // signature and header CRC: the bytes written last
	headerCRCOff  = 0x3C
	maxTagLen     = 1024 // RSA-8192 is 1024 bytes; anything longer is corrupt

	FlagPreamble  = 1 << 0
	FlagCRC       = 1 << 1
	FlagCopyToRAM = 1 << 2
	knownFlags    = FlagPreamble | FlagCRC | FlagCopyToRAM

	TagNone    = 0
	TagEd25519 = 1
	TagRSA     = 2
)

// ImageMagic starts every application image header.
var ImageMagic = [4]byte{'B', 'U', 'A', 'I'}

// Header is the decoded application image header.
type Header struct {
	Flags        uint32
	HeaderOffset uint32
	Load, Entry  uint64
	BodyLength   uint32
	BodyCRC      uint32
	TagType      uint16
	TagLength    uint16
	Signature    [8]byte
	HeaderCRC    uint32
}

// Length is the number of bytes the header and tag occupy.
func (h Header) Length() int { return HeaderSize + int(h.TagLength) }

// ImageLength is the length of the whole image.
func (h Header) ImageLength() int { return int(h.BodyLength) + h.Length() }

// Invalidated reports whether the signature is the invalidated form.
func (h Header) Invalidated() bool { return h.Signature == [8]byte{} }

func (h Header) marshal() []byte {
	b := make([]byte, HeaderSize)
	copy(b, ImageMagic[:])
	le := binary.LittleEndian
	le.PutUint16(b[0x04:], HeaderVersion)
	le.PutUint16(b[0x06:], uint16(h.Length()))
	le.PutUint32(b[0x08:], h.Flags)
	le.PutUint32(b[0x0C:], h.HeaderOffset)
	le.PutUint64(b[0x10:], h.Load)
	le.PutUint64(b[0x18:], h.Entry)
	le.PutUint32(b[0x20:], h.BodyLength)
	le.PutUint32(b[0x24:], h.BodyCRC)
	le.PutUint16(b[0x28:], h.TagType)
	le.PutUint16(b[0x2A:], h.TagLength)
	copy(b[0x30:], h.Signature[:])
	le.PutUint32(b[headerCRCOff:], crc32.ChecksumIEEE(b[:headerCRCOff]))
	return b
}

// ParseHeader decodes the 64 header bytes at b[0:]. It checks the
// structure (magic, version, lengths, reserved fields) but not the header
// CRC, so an invalidated header still decodes; see Header.Check.
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderSize {
		return h, fmt.Errorf("header: %d bytes, need %d", len(b), HeaderSize)
	}
	if !bytes.Equal(b[:4], ImageMagic[:]) {
		return h, fmt.Errorf("header: magic % x is not %q", b[:4], ImageMagic[:])
	}
	le := binary.LittleEndian
	if v := le.Uint16(b[0x04:]); v != HeaderVersion {
		return h, fmt.Errorf("header: header version %d not supported (1)", v)
	}
	h.Flags = le.Uint32(b[0x08:])
	h.HeaderOffset = le.Uint32(b[0x0C:])
	h.Load = le.Uint64(b[0x10:])
	h.Entry = le.Uint64(b[0x18:])
	h.BodyLength = le.Uint32(b[0x20:])
	h.BodyCRC = le.Uint32(b[0x24:])
	h.TagType = le.Uint16(b[0x28:])
	h.TagLength = le.Uint16(b[0x2A:])
	copy(h.Signature[:], b[0x30:0x38])
	h.HeaderCRC = le.Uint32(b[headerCRCOff:])
	if hl := le.Uint16(b[0x06:]); int(hl) != h.Length() {
		return h, fmt.Errorf("header: header length %d is not 64 + tag length %d", hl, h.TagLength)
	}
	if le.Uint32(b[0x2C:]) != 0 || le.Uint32(b[0x38:]) != 0 {
		return h, errors.New("header: reserved field not 0")
	}
	if h.Flags&^knownFlags != 0 {
		return h, fmt.Errorf("header: flags 0x%x has unknown bits 0x%x", h.Flags, h.Flags&^knownFlags)
	}
	if h.Flags&FlagPreamble != 0 && h.HeaderOffset != 0 {
		return h, fmt.Errorf("header: preamble header with header offset 0x%x", h.HeaderOffset)
	}
	if h.Flags&FlagCRC == 0 && h.BodyCRC != 0 {
		return h, fmt.Errorf("header: body CRC32 0x%08x without the CRC flag", h.BodyCRC)
	}
	if err := checkTag(h.TagType, h.TagLength); err != nil {
		return h, err
	}
	if int64(h.HeaderOffset) > int64(h.BodyLength) {
		return h, fmt.Errorf("header: header offset 0x%x lies beyond the body length 0x%x", h.HeaderOffset, h.BodyLength)
	}
	return h, nil
}

func checkTag(typ, length uint16) error {
	switch typ {
	case TagNone:
		if length != 0 {
			return fmt.Errorf("header: tag length %d without a tag type", length)
		}
	case TagEd25519:
		if length != 64 {
			return fmt.Errorf("header: Ed25519 tag length %d is not 64", length)
		}
	case TagRSA:
		if length < 128 || length > maxTagLen {
			return fmt.Errorf("header: RSA tag length %d outside 128..%d", length, maxTagLen)
		}
	default:
		return fmt.Errorf("header: unknown tag type %d", typ)
	}
	return nil
}

// checkSignature rejects the erased and invalidated signature values.
func checkSignature(s [8]byte) error {
	if s == [8]byte{} {
		return errors.New("signature is invalidated (all 00)")
	}
	if s == [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff} {
		return errors.New("signature is erased (all FF)")
	}
	return nil
}

// Options describe an image to build.
type Options struct {
	Signature    [8]byte
	Load, Entry  uint64
	Preamble     bool   // header in front of the application
	HeaderOffset uint32 // where the embedded header goes (not Preamble)
	CRC          bool
	CopyToRAM    bool
	Signer       Signer // nil: no authenticity tag
	MaxSize      int64  // 0: no limit; else the NVM region the image must fit
}

// Build makes an image from the application bytes. For an embedded header
// the application must hold the header region (its bytes are replaced).
func Build(app []byte, o Options) ([]byte, error) {
	if err := checkSignature(o.Signature); err != nil {
		return nil, fmt.Errorf("signature: %v", err)
	}
	h := Header{Load: o.Load, Entry: o.Entry, Signature: o.Signature}
	if o.Signer != nil {
		h.TagType, h.TagLength = o.Signer.TagType(), uint16(o.Signer.TagLen())
	}
	var img []byte
	if o.Preamble {
		h.Flags |= FlagPreamble
		img = make([]byte, h.Length()+len(app))
		copy(img[h.Length():], app)
	} else {
		h.HeaderOffset = o.HeaderOffset
		end := int64(o.HeaderOffset) + int64(h.Length())
		if end > int64(len(app)) {
			return nil, fmt.Errorf("header offset 0x%x: header region 0x%x..0x%x lies beyond the application's %d (0x%x) bytes", o.HeaderOffset, o.HeaderOffset, end, len(app), len(app))
		}
		img = append([]byte(nil), app...)
	}
	if int64(len(img)) > 0xFFFFFFFF {
		return nil, fmt.Errorf("image length %d does not fit the 32-bit body length", len(img))
	}
	if o.MaxSize > 0 && int64(len(img)) > o.MaxSize {
		return nil, fmt.Errorf("image size %d (0x%x) exceeds region size %d (0x%x)", len(img), len(img), o.MaxSize, o.MaxSize)
	}
	if o.CopyToRAM {
		h.Flags |= FlagCopyToRAM
	}
	off := int(h.HeaderOffset)
	body := bodyOf(img, off, h.Length())
	h.BodyLength = uint32(len(body))
	if o.CRC {
		h.Flags |= FlagCRC
		h.BodyCRC = crc32.ChecksumIEEE(body)
	}
	hb := h.marshal()
	copy(img[off:], hb)
	if o.Signer != nil {
		tag, err := o.Signer.Sign(signedMessage(hb, body))
		if err != nil {
			return nil, fmt.Errorf("tag: %v", err)
		}
		if len(tag) != int(h.TagLength) {
			return nil, fmt.Errorf("tag: signer gave %d bytes, announced %d", len(tag), h.TagLength)
		}
		copy(img[off+HeaderSize:], tag)
	}
	return img, nil
}

// bodyOf returns the image without its header region [off, off+n).
func bodyOf(img []byte, off, n int) []byte {
	body := make([]byte, 0, len(img)-n)
	body = append(body, img[:off]...)
	return append(body, img[off+n:]...)
}

func signedMessage(header, body []byte) []byte {
	msg := make([]byte, 0, headerCRCOff+len(body))
	msg = append(msg, header[:headerCRCOff]...)
	return append(msg, body...)
}

// Image is a decoded application image.
type Image struct {
	Header
	Body []byte // the image without header and tag
	Tag  []byte
}

// Locate finds the header in an image: at offset 0, or embedded at the
// 4-byte aligned offset its header-offset field names (searched up to
// 64 KiB, far beyond any vector table).
func Locate(img []byte) (int, bool) {
	le := binary.LittleEndian
	for off := 0; off+HeaderSize <= len(img) && off <= 64<<10; off += 4 {
		if bytes.Equal(img[off:off+4], ImageMagic[:]) && int(le.Uint32(img[off+0x0C:])) == off {
			return off, true
		}
	}
	return 0, false
}

// Read decodes and fully validates an image, as BootUp does before it
// installs or starts one. verify, when not nil, checks the tag. An
// invalidated image decodes (the returned Image is not nil) but err says so.
func Read(img []byte, verify Verifier) (*Image, error) {
	off, ok := Locate(img)
	if !ok {
		return nil, errors.New("no BootUp image header (magic \"BUAI\" at offset 0 or at the offset its header names)")
	}
	h, err := ParseHeader(img[off:])
	if err != nil {
		return nil, atOffset(off, err)
	}
	if h.ImageLength() != len(img) {
		return nil, atOffset(off, fmt.Errorf("header: image length %d (body %d + header %d) but the file has %d bytes", h.ImageLength(), h.BodyLength, h.Length(), len(img)))
	}
	if off+h.Length() > len(img) {
		return nil, atOffset(off, fmt.Errorf("header: tag runs past the end of the image"))
	}
	im := &Image{Header: h, Body: bodyOf(img, off, h.Length()), Tag: img[off+HeaderSize : off+h.Length()]}
	if h.Invalidated() {
		return im, atOffset(off, errors.New("signature is invalidated (all 00)"))
	}
	return im, atOffset(off, im.check(img[off:off+HeaderSize], verify))
}

func (im *Image) check(hb []byte, verify Verifier) error {
	if err := checkSignature(im.Signature); err != nil {
		return err
	}
	if c := crc32.ChecksumIEEE(hb[:headerCRCOff]); c != im.HeaderCRC {
		return fmt.Errorf("header CRC32 0x%08x does not match computed 0x%08x", im.HeaderCRC, c)
	}
	if im.Flags&FlagCRC != 0 {
		if c := crc32.ChecksumIEEE(im.Body); c != im.BodyCRC {
			return fmt.Errorf("body CRC32 0x%08x does not match computed 0x%08x", im.BodyCRC, c)
		}
	}
	if verify == nil {
		return nil
	}
	if im.TagType == TagNone {
		return errors.New("tag: image has no authenticity tag but a key was given")
	}
	if err := verify.Verify(im.TagType, signedMessage(hb, im.Body), im.Tag); err != nil {
		return fmt.Errorf("tag: %v", err)
	}
	return nil
}

func atOffset(off int, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("header at 0x%x: %w", off, err)
}

// Invalidate returns a copy of img with its signature set to all 00, the
// form an application programs over an old image before replacing it.
func Invalidate(img []byte) ([]byte, error) {
	off, ok := Locate(img)
	if !ok {
		return nil, errors.New("no BootUp image header to invalidate")
	}
	if _, err := ParseHeader(img[off:]); err != nil {
		return nil, atOffset(off, err)
	}
	out := append([]byte(nil), img...)
	for i := 0; i < 8; i++ {
		out[off+SignatureOff+i] = 0
	}
	return out, nil
}

// SignatureRange is the byte range an installer must write last: the
// signature, the reserved word and the header CRC.
func SignatureRange(img []byte) (start, end int, err error) {
	off, ok := Locate(img)
	if !ok {
		return 0, 0, errors.New("no BootUp image header")
	}
	return off + SignatureOff, off + HeaderSize, nil
}
