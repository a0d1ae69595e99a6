// Package disk assembles partitioned disk images (none, MBR, GPT or hybrid
// tables) from partition images with genimage's hdimage semantics, but
// deterministically: every GUID is derived from a seed (the build target's
// label) and the partition name unless given. Holes in the inputs stay
// holes in the output, and memory use does not grow with the image size.
//
// The input is a JSON manifest (see Manifest) or genimage's own config
// syntax for hdimage images (see ParseGenimageConfig).
package disk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ManifestVersion is the only manifest version this package reads.
const ManifestVersion = 1

// Manifest is the JSON input of `fwtool disk`. Field names follow genimage's
// option names with '_' for '-'. Sizes and offsets are JSON numbers or
// strings in genimage's syntax ("256K", "0x4400", "64M", "34s").
//
//	{
//	  "version": 1,
//	  "seed": "//boards/stm32mp157:sdcard",
//	  "partition_table": "gpt",
//	  "partitions": [
//	    {"name": "fsbl1", "image": "tf-a.stm32", "offset": "17K", "size": "256K"},
//	    {"name": "rootfs", "image": "rootfs.ext4", "partition_type_uuid": "L"}
//	  ]
//	}
type Manifest struct {
	Version int `json:"version"`
	// Seed makes the derived GUIDs unique per image; the disk_image rule
	// passes its label.
	Seed string `json:"seed"`
	// Label is the Bazel label of the disk_image that wrote the manifest;
	// when set, errors are restated in BUILD terms (see InUserTerms).
	Label string `json:"label"`
	// PartitionTable is "none", "mbr" (or "dos"), "gpt" or "hybrid";
	// empty means "mbr", genimage's default.
	PartitionTable string `json:"partition_table"`
	// Size is the image size; 0 means "end of the last partition" (plus
	// the backup GPT, rounded up to 4 KiB, as genimage does).
	Size Number `json:"size"`
	// Align is the default partition alignment: 512 with a table, 1 without.
	Align    Number `json:"align"`
	DiskUUID string `json:"disk_uuid"`
	// DiskSignature is the MBR disk signature (mbr and hybrid tables);
	// absent means derived from Seed. genimage configs without one get 0,
	// genimage's default.
	DiskSignature     *Number `json:"disk_signature"`
	GPTLocation       Number  `json:"gpt_location"`
	GPTNoBackup       bool    `json:"gpt_no_backup"`
	Fill              bool    `json:"fill"`
	ExtendedPartition int     `json:"extended_partition"`
	// EmptyMBRType lets an MBR partition without partition_type be written
	// with type 0, as genimage does for its configs; a manifest from the
	// rules must name the type (type 0 marks an unused entry).
	EmptyMBRType bool `json:"-"`

	Partitions []Partition `json:"partitions"`
}

// Partition is one region of the image, in the partition table or not.
type Partition struct {
	Name string `json:"name"`
	// Label is the disk_partition target that declared the partition and
	// ImageLabel the target of its content, for errors (see InUserTerms).
	Label      string `json:"label"`
	ImageLabel string `json:"image_label"`
	// Image is the file whose content goes at Offset. Relative paths are
	// resolved against the input directory (the working directory, or
	// --inputpath).
	Image  string `json:"image"`
	Offset Number `json:"offset"`
	Size   Number `json:"size"`
	Align  Number `json:"align"`
	// InPartitionTable defaults to true; false makes a raw region (a
	// bootloader at a fixed offset, an environment between partitions).
	InPartitionTable *bool `json:"in_partition_table"`
	// PartitionType is the MBR type byte. On a GPT without
	// PartitionTypeUUID it selects the matching type GUID (0x83: Linux).
	PartitionType     Number `json:"partition_type"`
	PartitionTypeUUID string `json:"partition_type_uuid"`
	PartitionUUID     string `json:"partition_uuid"`
	// Bootable sets the MBR active flag and, on GPT, the legacy BIOS
	// bootable attribute (as genimage does). LegacyBIOSBootable sets only
	// the GPT attribute.
	Bootable           bool   `json:"bootable"`
	LegacyBIOSBootable bool   `json:"legacy_bios_bootable"`
	ReadOnly           bool   `json:"read_only"`
	Hidden             bool   `json:"hidden"`
	NoAutomount        bool   `json:"no_automount"`
	Autoresize         bool   `json:"autoresize"`
	Holes              []Hole `json:"holes"`
	// ForcedPrimary puts the partition in the MBR after the extended
	// partition instead of making it a logical one (genimage's
	// forced-primary); every later partition in the table must have it too.
	ForcedPrimary bool `json:"forced_primary"`
	// ImageOffset skips that many bytes at the start of Image.
	ImageOffset Number `json:"image_offset"`
	// Fill initialises the whole partition: the bytes after the image
	// read as zeros and the file extends to the partition's end.
	Fill bool `json:"fill"`
	// Sparse (default true) keeps the image's holes as holes; false writes
	// them, and with Fill the rest of the partition, as zeros.
	Sparse *bool `json:"sparse"`
}

// Hole is a byte range [Start, End) of a partition's image that holds no
// meaningful data, so partition tables or other partitions may overlap it.
// In JSON it is a two-element array.
type Hole struct {
	Start, End uint64
}

func (h *Hole) UnmarshalJSON(b []byte) error {
	var pair []Number
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("hole %s: want [start, end]", b)
	}
	h.Start, h.End = uint64(pair[0]), uint64(pair[1])
	if h.End <= h.Start {
		return fmt.Errorf("hole %s: end must be after start", b)
	}
	return nil
}

// Number is a byte count or integer given as a JSON number or as a string
// in genimage's syntax.
type Number uint64

func (n *Number) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := ParseSize(s)
		if err != nil {
			return err
		}
		*n = Number(v)
		return nil
	}
	v, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("invalid number %s: want a non-negative integer or a string such as \"256K\"", b)
	}
	*n = Number(v)
	return nil
}

// ParseSize parses genimage's size syntax: an integer in C notation
// (decimal, 0x hex, 0 octal) optionally followed by k or K (KiB), M (MiB),
// G (GiB) or s (512-byte sectors).
func ParseSize(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	mult := uint64(1)
	if t != "" {
		switch t[len(t)-1] {
		case 'k', 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 's':
			mult = 512
		}
		if mult != 1 {
			t = t[:len(t)-1]
		}
	}
	v, err := strconv.ParseUint(t, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q: want an integer with an optional k, K, M, G or s suffix", s)
	}
	if v != 0 && v*mult/mult != v {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return v * mult, nil
}

// ReadManifest decodes a manifest, rejecting unknown fields (a misspelt
// option must not be silently ignored) and other versions.
func ReadManifest(r io.Reader) (*Manifest, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest: %v", err)
	}
	if m.Version != ManifestVersion {
		return nil, fmt.Errorf("manifest: version %d is not supported (want %d)", m.Version, ManifestVersion)
	}
	return &m, nil
}
