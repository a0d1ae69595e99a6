package ppclink

import (
	"encoding/binary"
	"fmt"
)

// emptyObject is a relocatable object with no contents but a
// .note.GNU-stack (what an empty C file assembles to, minus .comment).
func emptyObject() []byte {
	shstr := []byte("\x00.shstrtab\x00.note.GNU-stack\x00")
	off := uint32(elfHeaderSize)
	shoff := alignUp(off+uint32(len(shstr)), 4)
	img := make([]byte, shoff+3*shdrSize)
	copy(img, "\x7fELF\x01\x02\x01")
	binary.BigEndian.PutUint16(img[16:], 1)
	binary.BigEndian.PutUint16(img[18:], emPPC)
	binary.BigEndian.PutUint32(img[20:], 1)
	binary.BigEndian.PutUint32(img[32:], shoff)
	binary.BigEndian.PutUint32(img[36:], efPPCRelocLib)
	binary.BigEndian.PutUint16(img[40:], elfHeaderSize)
	binary.BigEndian.PutUint16(img[46:], shdrSize)
	binary.BigEndian.PutUint16(img[48:], 3)
	binary.BigEndian.PutUint16(img[50:], 1)
	copy(img[off:], shstr)
	sh := img[shoff+shdrSize:]
	binary.BigEndian.PutUint32(sh, 1)
	binary.BigEndian.PutUint32(sh[4:], shtStrtab)
	binary.BigEndian.PutUint32(sh[16:], off)
	binary.BigEndian.PutUint32(sh[20:], uint32(len(shstr)))
	binary.BigEndian.PutUint32(sh[32:], 1)
	sh = sh[shdrSize:]
	binary.BigEndian.PutUint32(sh, 11)
	binary.BigEndian.PutUint32(sh[4:], shtProgbits)
	binary.BigEndian.PutUint32(sh[16:], off)
	binary.BigEndian.PutUint32(sh[32:], 1)
	return img
}

// addExtra appends WithSection's sections to a parsed object.
func (l *linker) addExtra(o *object, extra []blob) error {
	for _, b := range extra {
		if b.section == "" {
			return fmt.Errorf("%s: added section has no name", o.name)
		}
		for _, s := range o.sections {
			if s.name == b.section {
				return fmt.Errorf("%s: section '%s' already exists", o.name, b.section)
			}
		}
		if uint64(len(b.data)) > 0xffffffff {
			return fmt.Errorf("%s: section '%s' larger than 4 GiB", o.name, b.section)
		}
		o.sections = append(o.sections, &inSection{obj: o, index: len(o.sections), name: b.section,
			typ: shtProgbits, flags: shfAlloc, size: uint32(len(b.data)), align: 1, data: b.data})
	}
	return nil
}
