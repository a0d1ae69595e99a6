package compress

import (
	"fmt"
	"io"
	"runtime"

	"github.com/rules-firmware/rules_firmware/tools/bigbuf"
)

// LZ4HCFrameAt is LZ4HCFrame of the n bytes of r from off, read a block
// at a time into buffers of the workers' own instead of mapped or read
// whole: each byte is copied once, from the page cache into a buffer that
// stays in cache, and nothing is mapped (on a virtual machine, mapping a
// 16 MiB file costs about as much CPU as compressing a sixth of it, and
// its pages count in the resident size). The bytes are LZ4HCFrame's.
func LZ4HCFrameAt(r io.ReaderAt, off, n int64) ([]byte, error) {
	if n < 0 || int64(int(n)) != n {
		return nil, fmt.Errorf("lz4: %d bytes do not fit in memory", n)
	}
	size := int(n)
	nblocks := (size + lz4BlockSize - 1) / lz4BlockSize
	out := bigbuf.Make(0, len(lz4FrameHeader)+4*nblocks+size+4)
	out = append(out, lz4FrameHeader...)
	workers := runtime.GOMAXPROCS(0)
	if workers > nblocks {
		workers = nblocks
	}
	if workers <= 1 {
		return lz4FrameAtSerial(r, off, size, nblocks, out)
	}
	type result struct {
		comp   *[]byte // pooled block-sized buffer holding packed or block
		block  []byte  // the block, if stored raw
		packed []byte  // the compressed block, nil if it does not shrink
		err    error
	}
	results := make([]result, nblocks)
	var first error
	lz4Ordered(nblocks, workers, func(c *lz4hc, i int) {
		res := &results[i]
		start := i * lz4BlockSize
		end := start + lz4BlockSize
		if end > size {
			end = size
		}
		// The block is read into the finder's window (no copy for the
		// finder) and compressed into one pooled buffer; only a block
		// stored raw is copied there, as the window holds the worker's
		// next block by the time it is emitted.
		raw := c.copied[:end-start]
		if err := readBlock(r, raw, off+int64(start)); err != nil {
			res.err = err
			return
		}
		res.comp = lz4Scratch.Get().(*[]byte)
		if res.packed = c.copiedBlock(len(raw), (*res.comp)[:0]); res.packed == nil {
			res.block = append((*res.comp)[:0], raw...)
		}
	}, func(i int) {
		res := &results[i]
		if res.err != nil && first == nil {
			first = res.err
		}
		if first == nil {
			if res.packed != nil {
				out = lz4AppendPacked(out, res.packed)
			} else {
				out = lz4AppendStored(out, res.block)
			}
		}
		if res.comp != nil {
			lz4Scratch.Put(res.comp)
		}
		*res = result{}
	})
	if first != nil {
		return nil, first
	}
	return append(out, 0, 0, 0, 0), nil // end mark
}

// lz4FrameAtSerial is LZ4HCFrameAt on one core: each block is read into
// the match finder's own window and compressed straight into place in out,
// with no goroutine, channel or copy between them.
func lz4FrameAtSerial(r io.ReaderAt, off int64, size, nblocks int, out []byte) ([]byte, error) {
	c := lz4Finders.Get().(*lz4hc)
	defer lz4Finders.Put(c)
	for i := 0; i < nblocks; i++ {
		start, end := i*lz4BlockSize, (i+1)*lz4BlockSize
		if end > size {
			end = size
		}
		raw := c.copied[:end-start]
		if err := readBlock(r, raw, off+int64(start)); err != nil {
			return nil, err
		}
		out = lz4AppendBlock(out, raw, c.copiedBlock(len(raw), out[len(out)+4:len(out)+4]))
	}
	return append(out, 0, 0, 0, 0), nil // end mark
}

// readBlock fills raw from r at off; a short read is an error (the
// file shrank while building).
func readBlock(r io.ReaderAt, raw []byte, off int64) error {
	if got, err := r.ReadAt(raw, off); got < len(raw) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	return nil
}
