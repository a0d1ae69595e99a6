package flashlayout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/disk"
)

// ManifestVersion is the only manifest version this package reads.
const ManifestVersion = 1

// Manifest is the JSON input of `fwtool flashlayout`, written by the
// stm32_flashlayout rule:
//
//	{
//	  "version": 1,
//	  "entries": [{"option": "-", "id": "0x01", "name": "fsbl-boot", "type": "Binary",
//	               "device": "none", "offset": "0x0", "binary": "tf-a-usb.stm32"}, ...],
//	  "disk": {"image": "bazel-out/.../sdcard.img", "device": "mmc0"}
//	}
//
// With disk set, entries on its device may give Offset "auto" (resolved
// from the image by partition name), and every entry on that device that names a partition of the
// image (not a RawImage, not boot1/boot2) must sit exactly where the
// image's partition table puts that partition.
type Manifest struct {
	Version int     `json:"version"`
	Entries []Entry `json:"entries"`
	Disk    *Disk   `json:"disk,omitempty"`
}

// Disk names a built disk image the layout writes to device.
type Disk struct {
	Image  string `json:"image"`
	Device string `json:"device"`
}

// ReadManifest decodes a manifest, rejecting unknown fields and versions.
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

// ResolveOffsets fills in Offset "auto" of the entries on d.Device with
// where the disk image's partition table puts the partition of the same
// name, so a rule need not know offsets that only fwtool disk computes.
func ResolveOffsets(entries []Entry, d Disk) error {
	info, err := inspect(d.Image)
	if err != nil {
		return err
	}
	for i := range entries {
		e := &entries[i]
		if e.Offset != "auto" {
			continue
		}
		if e.Device != d.Device {
			return fmt.Errorf("%s: Offset auto needs the disk image of its device %s, but the disk is for %s", e.where(), e.Device, d.Device)
		}
		p, found := findPartition(info, e.Name)
		if !found {
			return fmt.Errorf("%s: Offset auto: no partition named '%s' in disk image %s (it has: %s)", e.where(), e.Name, d.Image, partitionNames(info))
		}
		e.Offset = fmt.Sprintf("0x%08x", p.Start)
	}
	return nil
}

func inspect(image string) (*disk.Info, error) {
	f, err := os.Open(image)
	if err != nil {
		return nil, fmt.Errorf("disk image: %v", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("disk image: %v", err)
	}
	info, err := disk.Inspect(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("disk image %s: %v", image, err)
	}
	return info, nil
}

func findPartition(info *disk.Info, name string) (disk.Found, bool) {
	for _, p := range info.Partitions {
		if p.Name == name {
			return p, true
		}
	}
	return disk.Found{}, false
}

// CheckAgainstDisk compares the entries on d.Device with the partition
// table of the disk image.
func CheckAgainstDisk(entries []Entry, d Disk) error {
	info, err := inspect(d.Image)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Device != d.Device || e.Type == "RawImage" {
			continue
		}
		off, ok := e.OffsetValue()
		if !ok {
			continue // boot1/boot2: outside the user area
		}
		p, found := findPartition(info, e.Name)
		if !found {
			return fmt.Errorf("%s: no partition named '%s' in disk image %s (it has: %s)", e.where(), e.Name, d.Image, partitionNames(info))
		}
		if p.Start != off {
			return fmt.Errorf("%s: Offset 0x%x (%d), but the disk image puts partition '%s' at 0x%x (%d)", e.where(), off, off, e.Name, p.Start, p.Start)
		}
	}
	return nil
}

func partitionNames(info *disk.Info) string {
	var b bytes.Buffer
	for i, p := range info.Partitions {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Name)
	}
	if b.Len() == 0 {
		return "no named partitions"
	}
	return b.String()
}
