package disk

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/rules-firmware/rules_firmware/tools/gpt"
	"github.com/rules-firmware/rules_firmware/tools/mbr"
)

// Found is a partition read back from an image.
type Found struct {
	Number     int    // as Linux numbers it (GPT slot, or MBR 1-4 primary, 5.. logical)
	Name       string // GPT name; "" on MBR
	Start      uint64
	Size       uint64
	Type       string // GPT type name or GUID, or MBR type as 0xNN
	GUID       string // GPT partition GUID
	Attributes uint64 // GPT attributes
	Bootable   bool   // MBR active flag
}

// Info is what Inspect finds in an image.
type Info struct {
	Table         TableType
	DiskGUID      string
	DiskSignature uint32
	Partitions    []Found
}

// Inspect reads the partition table of an image of size bytes: a GPT when
// the MBR has a 0xEE entry (hybrid when it has others too), else the MBR.
func Inspect(r io.ReaderAt, size int64) (*Info, error) {
	mt, err := mbr.Read(r, size)
	if err != nil {
		return nil, err
	}
	info := &Info{DiskSignature: mt.DiskSignature}
	if !mt.Protective {
		info.Table = TableMBR
		for _, p := range mt.Partitions {
			info.Partitions = append(info.Partitions, Found{Number: p.Number, Start: p.Start, Size: p.Size,
				Type: fmt.Sprintf("0x%02x", p.Type), Bootable: p.Bootable})
		}
		return info, nil
	}
	info.Table = TableGPT
	for _, p := range mt.Partitions {
		if p.Type != mbr.TypeGPTProtect {
			info.Table = TableHybrid
		}
	}
	gt, err := gpt.Read(r, size)
	if err != nil {
		return nil, err
	}
	info.DiskGUID = gt.Header.DiskGUID.String()
	for i, e := range gt.Entries {
		typ := gpt.TypeName(e.Type)
		if typ == "" {
			typ = e.Type.String()
		}
		info.Partitions = append(info.Partitions, Found{Number: gt.Index[i], Name: e.Name,
			Start: e.FirstLBA * gpt.SectorSize, Size: (e.LastLBA - e.FirstLBA + 1) * gpt.SectorSize,
			Type: typ, GUID: e.ID.String(), Attributes: e.Attributes})
	}
	return info, nil
}

// LooksLikeDisk reports whether sector 0 carries a partition table rather
// than, say, a FAT boot sector (which also ends in 0x55AA).
func LooksLikeDisk(r io.ReaderAt, size int64) bool {
	var sec [mbr.SectorSize]byte
	if size < mbr.SectorSize {
		return false
	}
	if _, err := r.ReadAt(sec[:], 0); err != nil {
		return false
	}
	if isFATBootSector(sec[:]) {
		return false
	}
	info, err := Inspect(r, size)
	if err != nil || len(info.Partitions) == 0 {
		return false
	}
	// Partitions may end past a genimage file's end, but not start there.
	for _, p := range info.Partitions {
		if p.Start >= uint64(size) {
			return false
		}
	}
	return true
}

// isFATBootSector recognises the x86 jump and a plausible BIOS parameter
// block that a FAT volume (unpartitioned) starts with.
func isFATBootSector(s []byte) bool {
	jump := (s[0] == 0xeb && s[2] == 0x90) || s[0] == 0xe9
	bps := int(s[11]) | int(s[12])<<8
	return jump && (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096) && s[13] != 0
}

// Lookup finds a partition by GPT name or by number.
func (info *Info) Lookup(nameOrNumber string) (*Found, error) {
	for i := range info.Partitions {
		if info.Partitions[i].Name != "" && info.Partitions[i].Name == nameOrNumber {
			return &info.Partitions[i], nil
		}
	}
	if n, err := strconv.Atoi(nameOrNumber); err == nil {
		for i := range info.Partitions {
			if info.Partitions[i].Number == n {
				return &info.Partitions[i], nil
			}
		}
	}
	return nil, fmt.Errorf("no partition named or numbered '%s'", nameOrNumber)
}

// Extract copies partition p of img into out (which must be empty), keeping
// holes in the image as holes.
func Extract(img *os.File, p *Found, out *os.File) error {
	st, err := img.Stat()
	if err != nil {
		return err
	}
	// A partition past the end of the image is an error, as sfdisk and
	// sgdisk report it: its table entry is wrong (or crafted), and
	// extracting it would make a file of whatever size it claims.
	if p.Start > uint64(st.Size()) || p.Size > uint64(st.Size())-p.Start {
		name := ""
		if p.Name != "" {
			name = fmt.Sprintf(" '%s'", p.Name)
		}
		return fmt.Errorf("partition %d%s: bytes %#x..%#x (%d sectors from LBA %d) extend past the end of the %#x-byte (%d) image",
			p.Number, name, p.Start, p.Start+p.Size, p.Size/512, p.Start/512, st.Size(), st.Size())
	}
	if err := out.Truncate(int64(p.Size)); err != nil {
		return err
	}
	start, end := int64(p.Start), int64(p.Start+p.Size)
	return dataRanges(img, start, end, func(s, e int64) error {
		if err := copyRange(out, s-start, img, s, e-s); err != nil {
			return fmt.Errorf("partition %d: reading at 0x%x (%d): %v", p.Number, s, s, err)
		}
		return nil
	})
}
