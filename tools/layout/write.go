package layout

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/rules-firmware/rules_firmware/tools/outfile"
	"github.com/rules-firmware/rules_firmware/tools/seekhole"
)

// Contents returns the final image bytes as a piece list: the image's own
// data with optional-but-absent entries dropped, padded to its size.
func (img *Image) finalContents() (content, error) {
	c, err := img.buildContents(true)
	if err != nil {
		return content{}, err
	}
	return img.padded(&img.Section, c), nil
}

// Bytes renders the whole image in memory; for tests and small images.
func (img *Image) Bytes() ([]byte, error) {
	c, err := img.finalContents()
	if err != nil {
		return nil, err
	}
	return c.render()
}

// WriteImage writes the image to path atomically in one pass. Input files
// are copied with copy_file_range where the kernel allows, holes in the
// inputs and zero padding stay holes in the output, and nothing bigger
// than a fill chunk is buffered.
func (img *Image) WriteImage(path string) error {
	w := outfile.NewBatch()
	defer w.Abort()
	if err := img.StageImage(w, path); err != nil {
		return err
	}
	return w.Commit()
}

// StageImage is WriteImage into w: the image goes into place together
// with the batch's other outputs (its map, the other images), or not at
// all.
func (img *Image) StageImage(w *outfile.Batch, path string) error {
	return w.Write(path, outfile.FileMode, func(f *os.File) error { return img.WriteFile(f, path) })
}

// writeContents writes c into f. written is the end of the furthest byte
// written so far: 0 for an empty file, more where bytes were copied early
// (earlywrite.go); zeros before it are written, not left as holes.
func writeContents(f *os.File, c content, written uint64) error {
	for _, p := range c.pieces {
		n := p.src.len()
		switch src := p.src.(type) {
		case fill:
			at, left := p.at, n
			if src.value == 0 {
				// Zeros beyond everything written so far are a hole already.
				if at >= written {
					continue
				}
				left = minU64(left, written-at)
			}
			if err := writeFill(f, at, src.value, left); err != nil {
				return err
			}
		case literal:
			if _, err := f.WriteAt(src, int64(p.at)); err != nil {
				return err
			}
		case fileRegion:
			// Holes may stay holes only where nothing was written yet; an
			// overlap entry must overwrite earlier data with its zeros.
			if err := copyRegion(f, p.at, src, p.at >= written); err != nil {
				return err
			}
		default:
			return fmt.Errorf("internal error: unknown source %T", src)
		}
		if end := p.at + n; end > written {
			written = end
		}
	}
	return f.Truncate(int64(c.size))
}

// fillChunk is the run of pad bytes a fill is written from, repeated
// (fillwrite_*.go): small enough to cost few page faults. fillCall is
// how much of it one system call writes where the system takes a list
// of buffers: 1 MiB writes cost the page cache least here, 16 MiB ones
// were slower and uneven (benchmarks/README.md, spi.sh).
const (
	fillChunk = 16 << 10
	fillCall  = 1 << 20
)

func writeFill(f *os.File, at uint64, value byte, n uint64) error {
	return writeRepeated(f, at, bytes.Repeat([]byte{value}, int(minU64(n, fillChunk))), n)
}

// writeEach writes chunk over and over to f from at until n bytes are
// written, one call per copy: where the system has no pwritev, or
// refuses it for this file.
func writeEach(f *os.File, at uint64, chunk []byte, n uint64) error {
	for n > 0 {
		k := minU64(n, uint64(len(chunk)))
		if _, err := f.WriteAt(chunk[:k], int64(at)); err != nil {
			return err
		}
		at += k
		n -= k
	}
	return nil
}

// copyRegion copies the data extents of a file region to out at pos,
// skipping holes (when keepHoles) so sparse inputs make sparse outputs.
func copyRegion(out *os.File, pos uint64, r fileRegion, keepHoles bool) error {
	in, err := os.Open(r.path)
	if err != nil {
		return err
	}
	defer in.Close()
	end := int64(r.off + r.n)
	st, err := in.Stat()
	if err != nil {
		return err
	}
	if st.Size() < end {
		return fmt.Errorf("%s: file shrank while building (%d bytes, need %d)", r.path, st.Size(), end)
	}
	if !keepHoles {
		return copyRange(out, in, pos, int64(r.off), int64(r.n))
	}
	for at := int64(r.off); at < end; {
		data, err := seekhole.Data(in, at)
		if err != nil {
			if errors.Is(err, syscall.ENXIO) {
				return nil // only a hole remains
			}
			// No SEEK_DATA support: copy everything.
			return copyRange(out, in, pos+uint64(at)-r.off, at, end-at)
		}
		if data >= end {
			return nil
		}
		hole, err := seekhole.Hole(in, data)
		if err != nil || hole > end {
			hole = end
		}
		if err := copyRange(out, in, pos+uint64(data)-r.off, data, hole-data); err != nil {
			return err
		}
		at = hole
	}
	return nil
}

// copyRange copies n bytes from in at off to out at pos. os.File.ReadFrom
// turns this into copy_file_range on Linux.
func copyRange(out, in *os.File, pos uint64, off, n int64) error {
	if _, err := out.Seek(int64(pos), io.SeekStart); err != nil {
		return err
	}
	if _, err := in.Seek(off, io.SeekStart); err != nil {
		return err
	}
	got, err := out.ReadFrom(io.LimitReader(in, n))
	if err != nil {
		return fmt.Errorf("copying %s: %v", in.Name(), err)
	}
	if got != n {
		return fmt.Errorf("%s: short read (%d of %d bytes)", in.Name(), got, n)
	}
	return nil
}
