package layout

import "github.com/rules-firmware/rules_firmware/tools/fdtmap"

// ImageHeader is binman's 8-byte "BinM" pointer to the fdtmap, placed at
// the start or end of the image.
type ImageHeader struct {
	leaf
	location string
}

func (e *ImageHeader) header() ([]byte, error) {
	sib := e.parent.sibling("fdtmap")
	if sib == nil {
		return nil, e.errorf("'image_header' section must have an 'fdtmap' sibling")
	}
	b := sib.b()
	if !b.hasPos {
		// Positions are known only after packing; binman writes this
		// placeholder in the first pass.
		return append([]byte(fdtmap.ImageHeaderMagic), 0xff, 0xff, 0xff, 0xff), nil
	}
	return fdtmap.ImageHeader(b.imagePos, e.image.size, e.location == "end"), nil
}

func (e *ImageHeader) obtain() error {
	h, err := e.header()
	if err != nil {
		return err
	}
	e.setContents(bytesContent(h))
	return nil
}

// pack places the header at the image start or end unless it has an
// offset, as binman's Entry_image_header.Pack does.
func (e *ImageHeader) pack(offset uint64) (uint64, error) {
	if e.offset == 0 {
		if e.location != "start" && e.location != "end" {
			loc := e.location
			if loc == "" {
				loc = "None" // Python's None: binman read no location
			}
			return 0, e.errorf("Invalid location '%s', expected 'start' or 'end'", loc)
		}
		order := e.parent.siblingOrder(e)
		if e.location != order && !e.parent.sortByOffset {
			return 0, e.errorf("Invalid sibling order '%s' for image-header: Must be at '%s' to match location", order, e.location)
		}
		if e.location != "end" {
			offset = 0
		} else if e.image.size != 0 {
			offset = e.image.size - fdtmap.ImageHeaderLen
		}
	}
	return e.packLeaf(offset + e.parent.skipAtStart)
}

func (e *ImageHeader) process() (bool, error) {
	h, err := e.header()
	if err != nil {
		return false, err
	}
	return e.updateContents(bytesContent(h)), nil
}
