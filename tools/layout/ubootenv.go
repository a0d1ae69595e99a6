package layout

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
)

func registerUbootenv() {
	entryTypes["u-boot-env"] = func(n *Node, path string) (Entry, error) {
		if n.Size == nil {
			return nil, fmt.Errorf("Node '%s': 'u-boot-env' entry must have a size property", path)
		}
		if n.FillByte > 0xff {
			return nil, fmt.Errorf("Node '%s': fill-byte %s must fit in one byte", path, hx(uint64(n.FillByte)))
		}
		return &UBootEnv{filePath: n.Path, fill: byte(n.FillByte)}, nil
	}
}

// UBootEnv is binman's u-boot-env entry: the lines of a text file, each
// ended by a NUL, one more NUL, the fill byte up to the entry's size, led
// by the CRC-32 of all that and a flag byte of 1. Unlike mkenvimage (see
// tools/ubootenv) every line is kept as it is: no comments, no
// continuation lines.
type UBootEnv struct {
	leaf
	filePath string
	fill     byte
}

func (e *UBootEnv) obtain() error {
	text, err := os.ReadFile(e.filePath)
	if err != nil {
		return e.errorf("Cannot read environment file '%s': %v", e.filePath, err)
	}
	var data []byte
	for _, line := range splitLines(text) {
		data = append(append(data, line...), 0)
	}
	data = append(data, 0)
	size := uint64(*e.node.Size)
	if need := uint64(len(data)) + 5; need > size {
		return e.errorf("'u-boot-env' entry too small to hold data (need %#x more bytes)", need-size)
	}
	data = append(data, bytes.Repeat([]byte{e.fill}, int(size)-len(data)-5)...)
	out := binary.LittleEndian.AppendUint32(make([]byte, 0, size), crc32.ChecksumIEEE(data))
	out = append(append(out, 1), data...)
	e.setContents(bytesContent(out))
	return nil
}

// splitLines splits as Python's bytes.splitlines: at \n, \r\n and \r, with
// no empty last line after a final line break.
func splitLines(b []byte) [][]byte {
	var lines [][]byte
	for len(b) > 0 {
		i := bytes.IndexAny(b, "\r\n")
		if i < 0 {
			lines = append(lines, b)
			break
		}
		lines = append(lines, b[:i])
		if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			i++
		}
		b = b[i+1:]
	}
	return lines
}
