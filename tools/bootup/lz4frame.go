package bootup

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/pierrec/lz4/v4"
)

// decodeLZ4Frame decodes one LZ4 frame (the format `lz4` and
// tools/compress write) straight into a buffer of the directory's length.
// A streaming reader would allocate the frame's declared block size (4 MiB
// for our writer) per file; a boot ROM decodes in place, and so do we,
// which also bounds the output by the length the directory promises. The
// frame's xxHash32 checksums are skipped: the bundle's CRC32 of the
// decompressed bytes is checked instead.
func decodeLZ4Frame(src []byte, length uint32) ([]byte, error) {
	le := binary.LittleEndian
	if len(src) < 7 || le.Uint32(src) != 0x184D2204 {
		return nil, errors.New("lz4: not an LZ4 frame (magic 04 22 4D 18)")
	}
	flg, bd := src[4], src[5]
	if flg>>6 != 1 || flg&0x02 != 0 || bd&0x8f != 0 || bd>>4&7 < 4 {
		return nil, fmt.Errorf("lz4: frame descriptor FLG 0x%02x BD 0x%02x not supported", flg, bd)
	}
	independent, blockSum, sizeField, contentSum, dictID := flg&0x20 != 0, flg&0x10 != 0, flg&0x08 != 0, flg&0x04 != 0, flg&0x01 != 0
	p := 6
	if sizeField {
		if len(src) < p+8 || le.Uint64(src[p:]) != uint64(length) {
			return nil, errors.New("lz4: frame content size differs from the directory's length")
		}
		p += 8
	}
	if dictID {
		return nil, errors.New("lz4: frames needing a dictionary are not supported")
	}
	p++ // header checksum
	// An LZ4 sequence expands at most 255-fold (one length byte per 255
	// output bytes), so a directory length beyond that is a lie; refuse it
	// before allocating.
	if uint64(length) > 256*uint64(len(src)) {
		return nil, fmt.Errorf("lz4: %d stored bytes cannot decompress to the directory's %d", len(src), length)
	}
	dst := make([]byte, length)
	pos := 0
	for {
		if len(src) < p+4 {
			return nil, errors.New("lz4: frame truncated (no end mark)")
		}
		n := le.Uint32(src[p:])
		p += 4
		if n == 0 {
			break
		}
		raw := n&0x80000000 != 0
		n &^= 0x80000000
		if uint64(len(src)-p) < uint64(n) {
			return nil, errors.New("lz4: block runs past the stored data")
		}
		blk := src[p : p+int(n)]
		p += int(n)
		if blockSum {
			p += 4
		}
		var got int
		var err error
		switch {
		case raw:
			if len(blk) > len(dst)-pos {
				return nil, fmt.Errorf("lz4: decompresses to more than the directory's %d bytes", length)
			}
			got = copy(dst[pos:], blk)
		case independent || pos == 0:
			got, err = lz4.UncompressBlock(blk, dst[pos:])
		default:
			dict := dst[:pos]
			if len(dict) > 64<<10 {
				dict = dict[len(dict)-64<<10:]
			}
			got, err = lz4.UncompressBlockWithDict(blk, dst[pos:], dict)
		}
		if err != nil {
			return nil, fmt.Errorf("lz4: block at 0x%x: %v (or more than the directory's %d bytes)", p-int(n), err, length)
		}
		pos += got
	}
	if contentSum {
		p += 4
	}
	if p != len(src) {
		return nil, fmt.Errorf("lz4: %d bytes after the frame", len(src)-p)
	}
	return dst[:pos], nil
}
