// Package identify recognises the formats rules_firmware writes when they
// sit somewhere inside a larger file — an entry of a packed boot image, the
// contents of a disk partition — and says how far each one extends. It is
// what lets `fwtool ls` describe a whole 4 MiB boot image (FSBL and SSBL)
// instead of only the header at offset 0.
//
// Each format is recognised by its magic and then checked with its own
// package's parser (header CRC, checksum, tree structure), so a stray magic
// number in a payload is not reported as an image.
package identify

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/fip"
	"github.com/rules-firmware/rules_firmware/tools/squashfs"
	"github.com/rules-firmware/rules_firmware/tools/stm32"
	"github.com/rules-firmware/rules_firmware/tools/uimage"
	"github.com/rules-firmware/rules_firmware/tools/vfat"
)

// Object is one recognised image inside a file.
type Object struct {
	Offset  int64
	Size    int64  // bytes the format claims, from Offset
	Type    string // short name: "STM32", "uImage", "FIT", "DTB", ...
	Summary string // one line: what a reader wants to know first
}

// headLen is how much of the start of an object the recognisers look at.
const headLen = 4096

// maxChecked bounds what a recogniser reads beyond the head to validate an
// object (checksums over the payload); larger objects are reported from
// their header alone.
const maxChecked = 64 << 20

type recogniser func(r io.ReaderAt, off, avail int64, head []byte) (Object, bool)

// recognisers are tried in order; the first that accepts wins.
var recognisers = []recogniser{stm32Image, uImage, deviceTree, fipImage, squashfsImage, fatImage, gzipData, elfFile, cpioArchive}

// At reports what starts at off, looking no further than off+avail.
func At(r io.ReaderAt, off, avail int64) (Object, bool) {
	if avail <= 0 {
		return Object{}, false
	}
	n := int64(headLen)
	if n > avail {
		n = avail
	}
	head := make([]byte, n)
	if _, err := r.ReadAt(head, off); err != nil && err != io.EOF {
		return Object{}, false
	}
	for _, rec := range recognisers {
		if o, ok := rec(r, off, avail, head); ok {
			o.Offset = off
			return o, true
		}
	}
	return Object{}, false
}

// Scan walks [off, off+size) at step-byte boundaries and returns every
// object it recognises, skipping over each one it finds. Firmware layouts
// place entries at aligned offsets, so a 512-byte step finds them without
// reading every byte position.
func Scan(r io.ReaderAt, off, size, step int64) []Object {
	var found []Object
	end := off + size
	for pos := off; pos < end; {
		o, ok := At(r, pos, end-pos)
		if !ok || o.Size <= 0 {
			pos += step
			continue
		}
		found = append(found, o)
		next := pos + o.Size
		if rem := (next - off) % step; rem != 0 {
			next += step - rem
		}
		pos = next
	}
	return found
}

func readAt(r io.ReaderAt, off, n int64) ([]byte, bool) {
	if n < 0 || n > maxChecked {
		return nil, false
	}
	b := make([]byte, n)
	if _, err := r.ReadAt(b, off); err != nil && !(err == io.EOF && n == 0) {
		return nil, false
	}
	return b, true
}

func stm32Image(r io.ReaderAt, off, avail int64, head []byte) (Object, bool) {
	if !stm32.HasMagic(head) || len(head) < 512 {
		return Object{}, false
	}
	// The header alone tells the payload length; Parse checks the checksum.
	length := int64(binary.LittleEndian.Uint32(head[0x4c:]))
	hsize := int64(stm32.HeaderV1Size)
	if head[0x4a] == 2 {
		hsize = stm32.HeaderV2Size
	}
	if hsize+length > avail {
		return Object{}, false
	}
	data, ok := readAt(r, off, hsize+length)
	if !ok {
		return Object{}, false
	}
	h, _, err := stm32.Parse(data)
	if err != nil {
		return Object{}, false
	}
	return Object{Size: hsize + length, Type: "STM32", Summary: fmt.Sprintf("STM32 image v%d.%d, %s, load 0x%08x, entry 0x%08x, %d payload bytes",
		h.Major, h.Minor, stm32.BinaryTypeName(h.BinaryType), h.LoadAddress, h.EntryPoint, h.Length)}, true
}

func uImage(r io.ReaderAt, off, avail int64, head []byte) (Object, bool) {
	if !uimage.IsUImage(head) {
		return Object{}, false
	}
	h, err := uimage.ParseHeader(head)
	if err != nil {
		return Object{}, false
	}
	size := int64(uimage.HeaderSize) + int64(h.DataSize)
	if size > avail {
		return Object{}, false
	}
	return Object{Size: size, Type: "uImage", Summary: fmt.Sprintf("uImage '%s', %s, load 0x%08x, entry 0x%08x, %d data bytes",
		h.Name, uimage.TypeDescription(h), h.Load, h.Entry, h.DataSize)}, true
}

func deviceTree(r io.ReaderAt, off, avail int64, head []byte) (Object, bool) {
	if len(head) < 40 || binary.BigEndian.Uint32(head) != 0xd00dfeed {
		return Object{}, false
	}
	total := int64(binary.BigEndian.Uint32(head[4:]))
	if total > avail {
		return Object{}, false
	}
	data, ok := readAt(r, off, total)
	if !ok {
		return Object{}, false
	}
	tree, err := fdt.Parse(data)
	if err != nil || tree.Root == nil {
		return Object{}, false
	}
	for _, c := range tree.Root.Children {
		if c.Name == "images" {
			desc, _ := tree.Root.PropString("description")
			return Object{Size: total, Type: "FIT", Summary: fmt.Sprintf("FIT '%s', %d images, %d bytes of tree (external data may follow)", desc, len(c.Children), total)}, true
		}
	}
	return Object{Size: total, Type: "DTB", Summary: fmt.Sprintf("device tree, %d bytes", total)}, true
}

func fipImage(r io.ReaderAt, off, avail int64, head []byte) (Object, bool) {
	if !fip.HasMagic(head) {
		return Object{}, false
	}
	n := avail
	if n > maxChecked {
		n = maxChecked
	}
	data, ok := readAt(r, off, n)
	if !ok {
		return Object{}, false
	}
	p, err := fip.Parse(data)
	if err != nil {
		return Object{}, false
	}
	end := int64(p.End)
	for _, e := range p.Entries {
		if x := int64(e.Offset + e.Size); x > end {
			end = x
		}
	}
	return Object{Size: end, Type: "FIP", Summary: fmt.Sprintf("TF-A FIP, %d images", len(p.Entries))}, true
}

func squashfsImage(r io.ReaderAt, off, avail int64, head []byte) (Object, bool) {
	sr := io.NewSectionReader(r, off, avail)
	if !squashfs.LooksLikeSquashfs(sr, avail) {
		return Object{}, false
	}
	fs, err := squashfs.Open(sr, avail)
	if err != nil {
		return Object{}, false
	}
	return Object{Size: int64(fs.Super.BytesUsed), Type: "squashfs", Summary: fmt.Sprintf("squashfs, %d inodes, %d bytes used", fs.Super.Inodes, fs.Super.BytesUsed)}, true
}

func fatImage(r io.ReaderAt, off, avail int64, head []byte) (Object, bool) {
	sr := io.NewSectionReader(r, off, avail)
	if !vfat.LooksLikeFAT(sr, avail) {
		return Object{}, false
	}
	fs, err := vfat.Open(sr, avail)
	if err != nil {
		return Object{}, false
	}
	return Object{Size: fs.Size(), Type: "vfat", Summary: fmt.Sprintf("FAT%d filesystem, label '%s'", fs.FATType(), fs.Label)}, true
}

// The formats below carry no length: they are named, and claim the rest.

func gzipData(r io.ReaderAt, off, avail int64, head []byte) (Object, bool) {
	if len(head) < 10 || head[0] != 0x1f || head[1] != 0x8b || head[2] != 8 || head[3]&0xe0 != 0 {
		return Object{}, false
	}
	return Object{Size: avail, Type: "gzip", Summary: "gzip data (length not recorded)"}, true
}

func elfFile(r io.ReaderAt, off, avail int64, head []byte) (Object, bool) {
	if len(head) < 52 || !bytes.HasPrefix(head, []byte("\x7fELF")) || (head[4] != 1 && head[4] != 2) {
		return Object{}, false
	}
	return Object{Size: avail, Type: "ELF", Summary: fmt.Sprintf("ELF%d file", 32*int(head[4]))}, true
}

func cpioArchive(r io.ReaderAt, off, avail int64, head []byte) (Object, bool) {
	if !bytes.HasPrefix(head, []byte("070701")) && !bytes.HasPrefix(head, []byte("070702")) {
		return Object{}, false
	}
	return Object{Size: avail, Type: "cpio", Summary: "cpio archive (newc)"}, true
}
