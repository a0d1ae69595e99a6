package fit

import "fmt"

// DataRange is where an image's bytes lie in the file: the value of its
// "data" property, or the external range named by data-position (from
// the start of the file) or data-offset (from the FDT's end rounded up to
// 4) with data-size. binman records these as its FIT image entries'
// offsets and sizes.
func (f *FIT) DataRange(img Image) (off, size uint64, err error) {
	path := "/images/" + img.Name
	if p, err := f.d.prop(img.node, "data"); err == nil {
		// The value follows the tag, length and name offset words.
		return uint64(f.d.offStruct()+p.off) + 12, uint64(len(p.value)), nil
	}
	n, okSize := propU32(f.d, img.node, "data-size")
	if pos, ok := propU32(f.d, img.node, "data-position"); ok {
		off = uint64(pos)
	} else if rel, ok := propU32(f.d, img.node, "data-offset"); ok {
		off = uint64(align4(f.d.totalSize())) + uint64(rel)
	} else {
		return 0, 0, fmt.Errorf("Node '%s': no 'data', 'data-offset' or 'data-position' property", path)
	}
	if !okSize {
		return 0, 0, fmt.Errorf("Node '%s': external data without a 4-byte 'data-size' property", path)
	}
	if off+uint64(n) > uint64(len(f.file)) {
		return 0, 0, fmt.Errorf("Node '%s': external data %#x..%#x beyond the end of the %#x-byte file", path, off, off+uint64(n), len(f.file))
	}
	return off, uint64(n), nil
}
