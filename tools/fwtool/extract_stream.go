package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/compress"
	"github.com/rules-firmware/rules_firmware/tools/disk"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// maxInflate bounds what one extracted entry may decompress to when its
// container records no size: the payload formats fwtool reads describe
// 32-bit sizes and load addresses, so nothing bigger is a real payload.
const maxInflate = 4 << 30

// inflateLimit is extract's --max-size: the bound for entries whose
// container records no size, and a cap on those that do.
var inflateLimit int64 = maxInflate

// setInflateLimit parses --max-size ("" keeps the default).
func setInflateLimit(s string) error {
	if s == "" {
		return nil
	}
	n, err := disk.ParseSize(s)
	if err != nil {
		return err
	}
	if n == 0 || n > 1<<62 {
		return fmt.Errorf("must be between 1 byte and 4 EiB")
	}
	inflateLimit = int64(n)
	return nil
}

// extractPart is one entry to write: its stored bytes, and the algorithm
// to undo while writing ("" for none). Decompression streams into the
// output file, so an entry that inflates to gigabytes costs disk, not
// memory, and stops at limit.
type extractPart struct {
	data  []byte
	algo  string
	limit int64
	what  string // "Node '/images/kernel'", for errors
}

// fill writes the part into f (an outfile temporary).
func (p extractPart) fill(f *os.File) error {
	if p.algo == "" || p.algo == "none" {
		_, err := f.Write(p.data)
		return err
	}
	limit := p.limit
	if limit <= 0 || limit > inflateLimit {
		limit = inflateLimit
	}
	var err error
	switch p.algo {
	case "lzma", "lz4":
		// binman's own streams (tools/layout knows their headers).
		_, err = layout.DecompressTo(f, p.algo, p.data, limit)
	default:
		_, err = compress.Copy(f, p.algo, bytes.NewReader(p.data), limit)
	}
	if err != nil {
		return fmt.Errorf("%s: %v", p.what, err)
	}
	return nil
}
