package bootup

import (
	"encoding/binary"
	"hash/crc32"
	"testing"
)

func fixDirCRC(b []byte) {
	n := binary.LittleEndian.Uint32(b[0x08:])
	binary.LittleEndian.PutUint32(b[0x14:], crc32.ChecksumIEEE(b[HeaderSize:HeaderSize+int(n)*entrySize]))
	binary.LittleEndian.PutUint32(b[headerCRCOff:], crc32.ChecksumIEEE(b[:headerCRCOff]))
}

func FuzzReadImage(f *testing.F) {
	img, _ := Build([]byte("123456789"), Options{Signature: sig1, Preamble: true, CRC: true})
	f.Add(img)
	app := make([]byte, 0x200)
	emb, _ := Build(app, Options{Signature: sig1, HeaderOffset: 0x40, CRC: true})
	f.Add(emb)
	f.Fuzz(func(t *testing.T, b []byte) {
		im, err := Read(b, nil)
		if err == nil && im.ImageLength() != len(b) {
			t.Fatalf("accepted image of length %d, header says %d", len(b), im.ImageLength())
		}
		Invalidate(b)
	})
}

func FuzzVerifyBundle(f *testing.F) {
	b, _ := BuildBundle([]File{{"app", []byte("123456789"), "none"}, {"fpga", make([]byte, 300), "lz4"}}, sig1)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) >= HeaderSize+entrySize {
			// Keep CRCs right so the fuzzer reaches the entry checks and the
			// decompressor instead of stopping at the header CRC.
			c := append([]byte(nil), b...)
			if n := binary.LittleEndian.Uint32(c[0x08:]); n > 0 && n <= maxFiles && HeaderSize+int(n)*entrySize <= len(c) {
				fixDirCRC(c)
			}
			Verify(c)
		}
		Verify(b)
	})
}

func FuzzLZ4Frame(f *testing.F) {
	b, _ := BuildBundle([]File{{"x", []byte("some data some data some data"), "lz4"}}, sig1)
	f.Add(b[HeaderSize+entrySize:], uint16(29))
	f.Fuzz(func(t *testing.T, src []byte, length uint16) {
		out, err := decodeLZ4Frame(src, uint32(length))
		if err == nil && len(out) > int(length) {
			t.Fatalf("decoded %d bytes past the limit %d", len(out), length)
		}
	})
}
