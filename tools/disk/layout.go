package disk

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/gpt"
	"github.com/rules-firmware/rules_firmware/tools/mbr"
)

// TableType is the kind of partition table written.
type TableType int

const (
	TableNone   TableType = 0
	TableMBR    TableType = 1
	TableGPT    TableType = 2
	TableHybrid TableType = TableMBR | TableGPT
)

func (t TableType) String() string {
	switch t {
	case TableNone:
		return "none"
	case TableMBR:
		return "mbr"
	case TableGPT:
		return "gpt"
	}
	return "hybrid"
}

func parseTableType(s string) (TableType, error) {
	switch s {
	case "", "mbr", "dos":
		return TableMBR, nil
	case "none":
		return TableNone, nil
	case "gpt":
		return TableGPT, nil
	case "hybrid":
		return TableHybrid, nil
	}
	return 0, fmt.Errorf("partition_table %q is not one of none, mbr, gpt, hybrid", s)
}

const (
	// gptTableSectors is what a GPT occupies at either end: the header
	// sector and the 32-sector entry array.
	gptTableSectors = 1 + gpt.ArraySectors
	// backupSize is the backup array plus the backup header at the end.
	backupSize = gptTableSectors * mbr.SectorSize
)

// Placed is a partition with its final position, type and identity.
type Placed struct {
	Name  string
	Image string // path of the input file, "" for none
	// ImageOffset is where in Image the copied data starts; DataSize is
	// how many bytes are copied (the file's size minus ImageOffset).
	ImageOffset uint64
	DataSize    uint64
	// Fill writes the partition to its end; Sparse keeps holes as holes.
	Fill    bool
	Sparse  bool
	Offset  uint64
	Size    uint64
	Align   uint64
	InTable bool
	// Extended is true for a logical partition inside the MBR extended
	// partition; its EBR sits Layout.Align bytes before Offset.
	Extended   bool
	MBRType    byte
	Bootable   bool
	TypeGUID   gpt.GUID
	GUID       gpt.GUID
	Attributes uint64
	Holes      []Hole

	// metadata marks the pseudo-partitions standing for the tables, used
	// only for overlap checks.
	metadata bool
}

func (p *Placed) end() uint64 { return p.Offset + p.Size }

// Layout is a fully resolved disk image.
type Layout struct {
	Table         TableType
	Size          uint64 // the image's size (where the backup GPT ends)
	FileSize      uint64 // the output file's length; genimage stops after the last data unless fill or a backup GPT
	Align         uint64
	DiskGUID      gpt.GUID
	DiskSignature uint32
	GPTLocation   uint64
	GPTNoBackup   bool
	Fill          bool
	ExtendedLBA   uint64 // byte offset of the extended partition (first EBR)
	// ExtendedEnd, when not 0, ends the extended partition at the last
	// logical one (forced-primary partitions follow it); else it runs to
	// the image end, as in genimage 16.
	ExtendedEnd uint64
	Partitions  []Placed
}

// SizeOf returns the size in bytes of an input file.
type SizeOf func(path string) (uint64, error)

func roundUp(v, align uint64) uint64 {
	if v == 0 {
		return 0
	}
	return ((v-1)/align + 1) * align
}

func hexDec(v uint64) string { return fmt.Sprintf("0x%x (%d)", v, v) }

func partErr(name, format string, args ...interface{}) error {
	return fmt.Errorf("Partition '%s': %s", name, fmt.Sprintf(format, args...))
}

// checkForcedPrimary checks genimage's forced-primary rules: only on an
// MBR table, only after the extended partition's first logical one, every
// later partition in the table forced too, and at most four MBR entries
// (the primaries, the extended one, the forced ones). It reports whether
// any partition is forced.
func checkForcedPrimary(m *Manifest, tt TableType, ext int) (bool, error) {
	index, entries, first := 0, 0, ""
	for _, p := range m.Partitions {
		if p.InPartitionTable != nil && !*p.InPartitionTable {
			continue
		}
		index++
		switch {
		case p.ForcedPrimary && (tt != TableMBR || ext == 0 || index <= ext):
			return false, partErr(p.Name, "forced-primary can only be used for partitions following the extended partition")
		case p.ForcedPrimary:
			if first == "" {
				first = p.Name
			}
			entries++
		case first != "":
			return false, partErr(p.Name, "cannot create a logical partition after forced-primary partition '%s'", first)
		case ext == 0 || index < ext:
			entries++
		case index == ext:
			entries++ // the extended partition's entry
		}
	}
	if first != "" && entries > 4 {
		return false, fmt.Errorf("too many primary partitions: %d MBR entries with the extended one and the forced-primary ones", entries)
	}
	return first != "", nil
}

// maxOffset keeps every offset+size computation far from overflow and
// within what a file offset (int64) can address.
const maxOffset = 1 << 62

// Plan resolves offsets, sizes, types and GUIDs as genimage's hdimage does,
// and checks for overlaps and overflows. sizeOf reports input file sizes.
func Plan(m *Manifest, sizeOf SizeOf) (*Layout, error) {
	if m.Version != ManifestVersion {
		return nil, fmt.Errorf("manifest: version %d is not supported (want %d)", m.Version, ManifestVersion)
	}
	tt, err := parseTableType(m.PartitionTable)
	if err != nil {
		return nil, err
	}
	l := &Layout{Table: tt, Size: uint64(m.Size), Align: uint64(m.Align), GPTLocation: uint64(m.GPTLocation),
		GPTNoBackup: m.GPTNoBackup, Fill: m.Fill}
	if l.Size >= maxOffset {
		return nil, fmt.Errorf("image size %s is too large", hexDec(l.Size))
	}
	if l.Align == 0 {
		if tt == TableNone {
			l.Align = 1
		} else {
			l.Align = mbr.SectorSize
		}
	}
	if tt != TableNone {
		if l.Align%mbr.SectorSize != 0 {
			return nil, fmt.Errorf("image alignment %s must be a multiple of the 512-byte sector", hexDec(l.Align))
		}
		if l.Size%mbr.SectorSize != 0 {
			return nil, fmt.Errorf("image size %s must be a multiple of the 512-byte sector", hexDec(l.Size))
		}
	}
	if tt&TableGPT == 0 && (m.DiskUUID != "" || m.GPTLocation != 0 || m.GPTNoBackup) {
		return nil, fmt.Errorf("disk_uuid, gpt_location and gpt_no_backup need a gpt or hybrid partition table, not %s", tt)
	}
	if m.DiskSignature != nil {
		if tt&TableMBR == 0 {
			return nil, fmt.Errorf("disk_signature needs an mbr or hybrid partition table, not %s", tt)
		}
		if *m.DiskSignature > 0xffffffff {
			return nil, fmt.Errorf("disk_signature %s does not fit 32 bits", hexDec(uint64(*m.DiskSignature)))
		}
		l.DiskSignature = uint32(*m.DiskSignature)
	} else if tt&TableMBR != 0 {
		l.DiskSignature = deriveDiskSignature(m.Seed)
	}
	if tt&TableGPT != 0 {
		if m.DiskUUID != "" {
			if l.DiskGUID, err = gpt.ParseGUID(m.DiskUUID); err != nil {
				return nil, fmt.Errorf("disk_uuid: %v", err)
			}
		} else {
			l.DiskGUID = gpt.DeriveGUID(m.Seed, "disk")
		}
		if l.GPTLocation == 0 {
			l.GPTLocation = 2 * mbr.SectorSize
		}
		if l.GPTLocation%mbr.SectorSize != 0 || l.GPTLocation >= maxOffset {
			return nil, fmt.Errorf("gpt_location %s must be a multiple of the 512-byte sector", hexDec(l.GPTLocation))
		}
	}

	seen := map[string]bool{}
	inTableCount := 0
	for i := range m.Partitions {
		mp := &m.Partitions[i]
		if mp.Name == "" {
			return nil, fmt.Errorf("partition %d has no name", i+1)
		}
		if seen[mp.Name] {
			return nil, partErr(mp.Name, "name used twice")
		}
		seen[mp.Name] = true
		p := Placed{
			Name: mp.Name, Image: mp.Image, Offset: uint64(mp.Offset), Size: uint64(mp.Size), Align: uint64(mp.Align),
			InTable: tt != TableNone && (mp.InPartitionTable == nil || *mp.InPartitionTable),
			Holes:   mp.Holes, Bootable: mp.Bootable,
			ImageOffset: uint64(mp.ImageOffset), Fill: mp.Fill, Sparse: mp.Sparse == nil || *mp.Sparse,
		}
		if p.Offset >= maxOffset || p.Size >= maxOffset {
			return nil, partErr(p.Name, "offset %s or size %s is too large", hexDec(p.Offset), hexDec(p.Size))
		}
		if p.Align == 0 {
			if p.InTable || tt == TableNone {
				p.Align = l.Align
			} else {
				p.Align = 1
			}
		}
		if p.InTable && p.Align%l.Align != 0 {
			return nil, partErr(p.Name, "alignment %s must be a multiple of the image alignment %s", hexDec(p.Align), hexDec(l.Align))
		}
		if p.InTable {
			inTableCount++
		}
		for _, h := range p.Holes {
			if h.End <= h.Start {
				return nil, partErr(p.Name, "hole [%s, %s) is empty", hexDec(h.Start), hexDec(h.End))
			}
		}
		if err := resolveTypes(&p, mp, tt, m.Seed, m.EmptyMBRType); err != nil {
			return nil, err
		}
		if p.Image != "" {
			sz, err := sizeOf(p.Image)
			if err != nil {
				return nil, partErr(p.Name, "image: %v", err)
			}
			if p.ImageOffset > sz {
				return nil, partErr(p.Name, "image_offset %s is beyond the end %s of image '%s'", hexDec(p.ImageOffset), hexDec(sz), p.Image)
			}
			p.DataSize = sz - p.ImageOffset
		} else if p.ImageOffset != 0 || p.Fill || !p.Sparse {
			return nil, partErr(p.Name, "image_offset, fill and sparse need an image")
		}
		l.Partitions = append(l.Partitions, p)
	}

	if tt&TableGPT != 0 && inTableCount > gpt.EntryCount {
		return nil, fmt.Errorf("%d partitions in the table: a GPT holds at most %d", inTableCount, gpt.EntryCount)
	}
	ext := m.ExtendedPartition
	if ext < 0 || ext > 4 {
		return nil, fmt.Errorf("extended_partition %d must be 1 to 4, or 0 for automatic", ext)
	}
	if ext > 0 && tt != TableMBR {
		return nil, fmt.Errorf("extended_partition needs an mbr partition table, not %s", tt)
	}
	if tt == TableMBR && ext == 0 && inTableCount > 4 {
		ext = 4
	}
	forced, err := checkForcedPrimary(m, tt, ext)
	if err != nil {
		return nil, err
	}

	// The tables take part in the overlap checks as pseudo-partitions
	// after the real ones, as in genimage, so that a raw bootloader over
	// them fails unless its image declares that range a hole.
	all := append([]Placed(nil), l.Partitions...)
	var now uint64
	backupIndex := -1
	if tt != TableNone {
		all = append(all, Placed{Name: "[MBR]", Offset: mbr.TailOffset, Size: mbr.TailSize, Align: 1, metadata: true})
		now = mbr.SectorSize
		if tt&TableGPT != 0 {
			all = append(all,
				Placed{Name: "[GPT header]", Offset: mbr.SectorSize, Size: mbr.SectorSize, Align: 1, metadata: true},
				Placed{Name: "[GPT array]", Offset: l.GPTLocation, Size: gpt.ArraySize, Align: 1, metadata: true})
			now = l.GPTLocation + gpt.ArraySize
			var off uint64
			if l.Size != 0 {
				if l.Size < backupSize+now {
					return nil, fmt.Errorf("image size %s is too small for a GPT at %s and its backup", hexDec(l.Size), hexDec(l.GPTLocation))
				}
				off = l.Size - backupSize
			}
			backupIndex = len(all)
			all = append(all, Placed{Name: "[GPT backup]", Offset: off, Size: backupSize, Align: 1, metadata: true})
		}
	}

	var autoresize *Placed
	tableIndex, hybridEntries := 0, 0
	for i := range all {
		p := &all[i]
		isAutoresize := i < len(m.Partitions) && m.Partitions[i].Autoresize
		if isAutoresize {
			if autoresize != nil {
				return nil, partErr(p.Name, "autoresize is already set on partition '%s'; only one may have it", autoresize.Name)
			}
			autoresize = p
			if l.Size == 0 {
				return nil, partErr(p.Name, "autoresize needs the image size to be set")
			}
		}
		if tt&TableGPT != 0 && p.InTable && p.MBRType != 0 {
			hybridEntries++
		}
		if p.InTable {
			tableIndex++
		}
		p.Extended = ext > 0 && p.InTable && tableIndex >= ext && !(i < len(m.Partitions) && m.Partitions[i].ForcedPrimary)
		if p.Extended {
			now = roundUp(now+l.Align, p.Align)
		}
		if i == backupIndex && p.Offset == 0 {
			// The backup GPT, and so the image, ends on a 4 KiB boundary.
			now += p.Size
			p.Offset = roundUp(now, 4096) - p.Size
		}
		if p.Offset == 0 && (p.InTable || tt == TableNone) {
			p.Offset = roundUp(now, p.Align)
		}
		if p.Extended && l.ExtendedLBA == 0 {
			l.ExtendedLBA = p.Offset - l.Align
		}
		if p.Offset%p.Align != 0 {
			return nil, partErr(p.Name, "offset %s is not a multiple of its alignment %s", hexDec(p.Offset), hexDec(p.Align))
		}
		if isAutoresize {
			limit := l.Size
			if backupIndex >= 0 {
				limit -= backupSize
			}
			if p.Offset >= limit || (limit-p.Offset)/p.Align == 0 {
				return nil, partErr(p.Name, "offset %s leaves no room before the image end %s", hexDec(p.Offset), hexDec(limit))
			}
			grown := (limit - p.Offset) / p.Align * p.Align
			if grown < p.Size {
				return nil, partErr(p.Name, "autoresize gives size %s, smaller than its minimum size %s", hexDec(grown), hexDec(p.Size))
			}
			p.Size = grown
		}
		if p.Image != "" {
			if p.Size == 0 {
				if p.InTable {
					p.Size = roundUp(p.DataSize, p.Align)
				} else {
					p.Size = p.DataSize
				}
			}
			if p.DataSize > p.Size {
				return nil, partErr(p.Name, "image '%s' of %s bytes does not fit the partition size %s", p.Image, hexDec(p.DataSize), hexDec(p.Size))
			}
		}
		if p.Size == 0 {
			return nil, partErr(p.Name, "size is zero (give a size or an image)")
		}
		if p.end() >= maxOffset {
			return nil, partErr(p.Name, "ends at %s, too large", hexDec(p.end()))
		}
		if l.Size != 0 && p.end() > l.Size && !p.metadata {
			return nil, partErr(p.Name, "ends at %s, beyond the image size %s", hexDec(p.end()), hexDec(l.Size))
		}
		if !p.Extended {
			if err := checkOverlap(all[:i], p); err != nil {
				return nil, err
			}
		} else if now > p.Offset {
			return nil, partErr(p.Name, "offset %s is before the end %s of the previous partition and its EBR", hexDec(p.Offset), hexDec(now))
		}
		if p.InTable && p.Size%mbr.SectorSize != 0 {
			return nil, partErr(p.Name, "size %s is not a multiple of the 512-byte sector", hexDec(p.Size))
		}
		if p.end() > now {
			now = p.end()
		}
		if p.Extended && forced {
			l.ExtendedEnd = now
		}
		if p.Image != "" {
			e := p.Offset + p.DataSize
			if p.Fill {
				e = p.end()
			}
			if e > l.FileSize {
				l.FileSize = e
			}
		} else if p.Extended {
			if e := p.Offset - l.Align + mbr.SectorSize; e > l.FileSize {
				l.FileSize = e
			}
		}
	}
	copy(l.Partitions, all[:len(l.Partitions)])

	if tt == TableHybrid && hybridEntries > 3 {
		return nil, fmt.Errorf("%d partitions have a partition_type for the hybrid MBR; it holds at most 3", hybridEntries)
	}
	if tt == TableHybrid && hybridEntries == 0 {
		return nil, fmt.Errorf("hybrid partition table but no partition has a partition_type for the MBR")
	}
	if l.Size != 0 && now > l.Size {
		last := lastEnding(all)
		return nil, partErr(last.Name, "ends at %s, beyond the image size %s", hexDec(last.end()), hexDec(l.Size))
	}
	if l.Size == 0 {
		l.Size = now
	}
	if l.Fill || (tt&TableGPT != 0 && !l.GPTNoBackup) {
		l.FileSize = l.Size
	}
	if tt&TableMBR != 0 {
		if err := checkMBRRange(l); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// deriveDiskSignature makes the MBR disk signature from the seed, so that
// Linux's PARTUUIDs (signature-partition) differ between images and stay
// the same between builds. Zero is avoided: it means "no signature".
func deriveDiskSignature(seed string) uint32 {
	g := gpt.DeriveGUID(seed, "disk-signature")
	sig := binary.LittleEndian.Uint32(g[:4])
	if sig == 0 {
		sig = 1
	}
	return sig
}

// resolveTypes sets the MBR type byte, the GPT type GUID, the GUID and the
// attributes of p; emptyMBRType allows an MBR type of 0 (genimage configs).
func resolveTypes(p *Placed, mp *Partition, tt TableType, seed string, emptyMBRType bool) error {
	if mp.PartitionType > 0xff {
		return partErr(p.Name, "partition_type %s does not fit a byte", hexDec(uint64(mp.PartitionType)))
	}
	p.MBRType = byte(mp.PartitionType)
	if tt&TableGPT == 0 {
		if mp.PartitionTypeUUID != "" || mp.PartitionUUID != "" {
			return partErr(p.Name, "partition_type_uuid and partition_uuid need a gpt or hybrid partition table, not %s", tt)
		}
		if mp.LegacyBIOSBootable || mp.ReadOnly || mp.Hidden || mp.NoAutomount {
			return partErr(p.Name, "legacy_bios_bootable, read_only, hidden and no_automount are GPT attributes; the table is %s", tt)
		}
		if tt == TableMBR && p.InTable && p.MBRType == 0 && !emptyMBRType {
			return partErr(p.Name, "partition_type is required in an MBR partition table (0x83 for Linux, 0x0c for FAT32)")
		}
		return nil
	}
	if !p.InTable {
		return nil
	}
	var err error
	switch {
	case mp.PartitionTypeUUID != "":
		if p.TypeGUID, err = gpt.ParseType(mp.PartitionTypeUUID); err != nil {
			return partErr(p.Name, "partition_type_uuid: %v", err)
		}
	case p.MBRType != 0:
		// genimage >= 15 rejects partition-type on GPT; map it instead.
		// On a hybrid table the byte is for the MBR entry, and a type
		// without GPT equivalent leaves genimage's default, L.
		if p.TypeGUID, err = gpt.TypeForMBR(p.MBRType); err != nil {
			if tt == TableHybrid {
				p.TypeGUID, _ = gpt.ParseType("L")
			} else {
				return partErr(p.Name, "partition_type: %v", err)
			}
		}
	default:
		p.TypeGUID, _ = gpt.ParseType("L")
	}
	if tt == TableGPT {
		// Only a hybrid table has an MBR entry that uses the type byte.
		p.MBRType = 0
	}
	if mp.PartitionUUID != "" {
		if p.GUID, err = gpt.ParseGUID(mp.PartitionUUID); err != nil {
			return partErr(p.Name, "partition_uuid: %v", err)
		}
	} else {
		p.GUID = gpt.DeriveGUID(seed, "partition/"+p.Name)
	}
	if !gpt.NameFits(p.Name) {
		return partErr(p.Name, "name is longer than the 36 UTF-16 units a GPT entry holds")
	}
	if mp.Bootable || mp.LegacyBIOSBootable {
		p.Attributes |= gpt.AttrLegacyBIOSBootable
	}
	if mp.ReadOnly {
		p.Attributes |= gpt.AttrReadOnly
	}
	if mp.Hidden {
		p.Attributes |= gpt.AttrHidden
	}
	if mp.NoAutomount {
		p.Attributes |= gpt.AttrNoAutomount
	}
	return nil
}

// checkOverlap fails when p overlaps an earlier entry, unless the earlier
// entry's image declares the overlapping range a hole (images are written in
// order, so only the earlier one's content can be overwritten).
func checkOverlap(before []Placed, p *Placed) error {
	for i := range before {
		q := &before[i]
		if p.Offset >= q.end() || q.Offset >= p.end() {
			continue
		}
		start, end := p.Offset, p.end()
		if q.Offset > start {
			start = q.Offset
		}
		if q.end() < end {
			end = q.end()
		}
		if coveredByHole(q, start-q.Offset, end-q.Offset) {
			continue
		}
		if p.metadata && !q.metadata {
			// Name the user's partition first: that is what to fix.
			return partErr(q.Name, "at %s ending at %s overlaps with the %s at %s ending at %s; declare %s..%s of its image a hole",
				hexDec(q.Offset), hexDec(q.end()), strings.Trim(p.Name, "[]"), hexDec(p.Offset), hexDec(p.end()),
				hexDec(start-q.Offset), hexDec(end-q.Offset))
		}
		return partErr(p.Name, "offset %s overlaps with previous partition '%s' at %s ending at %s",
			hexDec(p.Offset), q.Name, hexDec(q.Offset), hexDec(q.end()))
	}
	return nil
}

func coveredByHole(q *Placed, start, end uint64) bool {
	for _, h := range q.Holes {
		if h.Start <= start && end <= h.End {
			return true
		}
	}
	return false
}

func lastEnding(all []Placed) *Placed {
	last := &all[0]
	for i := range all {
		if all[i].end() > last.end() {
			last = &all[i]
		}
	}
	return last
}

// checkMBRRange rejects partitions an MBR entry cannot describe (32-bit
// LBAs) instead of truncating them silently.
func checkMBRRange(l *Layout) error {
	for i := range l.Partitions {
		p := &l.Partitions[i]
		if !p.InTable || (l.Table == TableHybrid && p.MBRType == 0) {
			continue
		}
		if p.end()/mbr.SectorSize > 0xffffffff {
			return partErr(p.Name, "ends at %s, beyond what an MBR entry can address (2 TiB)", hexDec(p.end()))
		}
	}
	return nil
}
