package genimage

import (
	"fmt"
	"io"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/disk"
	"github.com/rules-firmware/rules_firmware/tools/lazymap"
)

// flashType is a `flash NAME { ... }` section: the geometry of a NOR/NAND
// chip. A flash image uses pebsize (the erase block) and numpebs; the
// other fields belong to UBI/JFFS2 images and are only checked to be
// sizes.
type flashType struct {
	name            string
	pebsize, numpeb uint64
}

var flashTypeFields = &lazymap.Map[string, bool]{New: func() map[string]bool {
	return map[string]bool{"pebsize": true, "lebsize": true, "numpebs": true,
		"minimum-io-unit-size": true, "vid-header-offset": true, "sub-page-size": true}
}}

func (b *build) flashType(img disk.GenimageSection) (flashType, error) {
	o, ok := imageOption(img, "flashtype")
	if !ok || o.Value() == "" {
		return flashType{}, fmt.Errorf("option 'flashtype' is missing (the name of a top-level flash section)")
	}
	for _, s := range b.cfg.FlashTypes {
		if s.Title != o.Value() {
			continue
		}
		ft := flashType{name: s.Title}
		for _, f := range s.Options {
			if !flashTypeFields.Get()[f.Key] {
				return ft, fmt.Errorf("flash type '%s' (line %d): option '%s' is unknown", s.Title, f.Line, f.Key)
			}
			v, err := disk.ParseSize(f.Value())
			if err != nil {
				return ft, fmt.Errorf("flash type '%s' (line %d): %s: %v", s.Title, f.Line, f.Key, err)
			}
			switch f.Key {
			case "pebsize":
				ft.pebsize = uint64(v)
			case "numpebs":
				ft.numpeb = uint64(v)
			}
		}
		if ft.pebsize == 0 || ft.numpeb == 0 {
			return ft, fmt.Errorf("flash type '%s' (line %d): pebsize and numpebs must both be given and non-zero", s.Title, s.Line)
		}
		return ft, nil
	}
	return flashType{}, fmt.Errorf("line %d: flashtype '%s': no flash section of that name", o.Line, o.Value())
}

// flashPart is a placed partition of a flash image.
type flashPart struct {
	name         string
	offset, size uint64
	src          string // "" when the partition has no image
	srcSize      uint64
}

// buildFlash lays the partitions out as genimage's flash type does:
// one after the other unless an offset is given, every offset and size a
// whole number of erase blocks, only the last size may be left out (it
// takes the rest of the chip), nothing past the chip's end; the image is
// the partitions' extent (or `size`), everything not written 0xff, the
// erased state.
func buildFlash(b *build, img disk.GenimageSection, out string) error {
	if err := checkImageOptions(img, "size", "flashtype"); err != nil {
		return err
	}
	if _, err := typeOptions(img); err != nil {
		return err
	}
	if len(img.TypeOptions) > 0 {
		return fmt.Errorf("line %d: flash option '%s' is not supported", img.TypeOptions[0].Line, img.TypeOptions[0].Key)
	}
	ft, err := b.flashType(img)
	if err != nil {
		return err
	}
	chip := ft.pebsize * ft.numpeb
	var parts []flashPart
	var end uint64
	for i, p := range img.Partitions {
		fp, err := b.flashPartition(p)
		if err != nil {
			return err
		}
		if fp.size == 0 {
			if i != len(img.Partitions)-1 {
				return fmt.Errorf("partition '%s' (line %d): size: only the last partition may leave it out", p.Title, p.Line)
			}
			if end > chip {
				return fmt.Errorf("the partitions end at %d, past the %d bytes of flash type '%s'", end, chip, ft.name)
			}
			fp.size = chip - end
		}
		if fp.size%ft.pebsize != 0 {
			return fmt.Errorf("partition '%s' (line %d): size %d is not a multiple of the erase block size %d", p.Title, p.Line, fp.size, ft.pebsize)
		}
		if fp.offset%ft.pebsize != 0 {
			return fmt.Errorf("partition '%s' (line %d): offset %d is not a multiple of the erase block size %d", p.Title, p.Line, fp.offset, ft.pebsize)
		}
		if !fp.hasOffset {
			fp.offset = end
		} else if fp.offset < end {
			return fmt.Errorf("partition '%s' (line %d): offset %d overlaps the previous partition (it ends at %d)", p.Title, p.Line, fp.offset, end)
		}
		if fp.srcSize > fp.size {
			return fmt.Errorf("partition '%s' (line %d): image %s (%d bytes) is larger than the partition (%d bytes)", p.Title, p.Line, fp.image, fp.srcSize, fp.size)
		}
		end = fp.offset + fp.size
		parts = append(parts, fp.flashPart)
	}
	if end > chip {
		return fmt.Errorf("the partitions end at %d, past the %d bytes of flash type '%s'", end, chip, ft.name)
	}
	size, err := imageSize(img)
	if err != nil {
		return err
	}
	if size == 0 {
		size = int64(end)
	} else if uint64(size) < end {
		return fmt.Errorf("size %d is smaller than the partitions' end %d", size, end)
	}
	return writeFile(out, func(f *os.File) error { return writeFlash(f, parts, uint64(size)) })
}

type flashPartOpts struct {
	flashPart
	hasOffset bool
	image     string
}

func (b *build) flashPartition(p disk.GenimageSubsection) (flashPartOpts, error) {
	fp := flashPartOpts{flashPart: flashPart{name: p.Title}}
	for _, o := range p.Options {
		var v uint64
		var err error
		switch o.Key {
		case "offset", "size":
			v, err = disk.ParseSize(o.Value())
			if err != nil {
				return fp, fmt.Errorf("partition '%s' (line %d): %s: %v", p.Title, o.Line, o.Key, err)
			}
			if o.Key == "offset" {
				fp.offset, fp.hasOffset = uint64(v), true
			} else {
				fp.size = uint64(v)
			}
		case "image":
			fp.image = o.Value()
			fp.src = b.input(fp.image)
			st, err := os.Stat(fp.src)
			if err != nil {
				return fp, fmt.Errorf("partition '%s' (line %d): image: %v", p.Title, o.Line, err)
			}
			if !st.Mode().IsRegular() {
				return fp, fmt.Errorf("partition '%s' (line %d): image %s is not a regular file", p.Title, o.Line, fp.src)
			}
			fp.srcSize = uint64(st.Size())
		default:
			return fp, fmt.Errorf("partition '%s' (line %d): option '%s' has no meaning in a flash image", p.Title, o.Line, o.Key)
		}
	}
	return fp, nil
}

// writeFlash writes the partitions' images in order, 0xff everywhere else.
func writeFlash(f *os.File, parts []flashPart, size uint64) error {
	var pos uint64
	pad := func(to uint64) error {
		if to <= pos {
			return nil
		}
		_, err := io.Copy(f, io.LimitReader(ones{}, int64(to-pos)))
		pos = to
		return err
	}
	for _, p := range parts {
		if err := pad(p.offset); err != nil {
			return err
		}
		if p.src != "" {
			in, err := os.Open(p.src)
			if err != nil {
				return err
			}
			n, err := io.Copy(f, io.LimitReader(in, int64(p.srcSize)))
			in.Close()
			if err == nil && uint64(n) != p.srcSize {
				err = fmt.Errorf("partition '%s': %s changed size while read", p.name, p.src)
			}
			if err != nil {
				return err
			}
			pos += p.srcSize
		}
		if err := pad(p.offset + p.size); err != nil {
			return err
		}
	}
	return pad(size)
}

// ones reads as an endless run of 0xff bytes, erased flash.
type ones struct{}

func (ones) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0xff
	}
	return len(p), nil
}
