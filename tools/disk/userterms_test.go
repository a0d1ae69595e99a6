package disk

import (
	"errors"
	"strings"
	"testing"
)

// labelled is stm32Manifest as the disk_image rule writes it: the image's
// label, each partition's target and its image's target.
func labelled() *Manifest {
	m := stm32Manifest()
	m.Label = "//boards/b:sdcard"
	for i := range m.Partitions {
		p := &m.Partitions[i]
		p.Label = "//boards/b:part_" + p.Name
		p.Image = "bazel-out/k8-fastbuild/bin/boards/b/" + p.Image + ".bin"
		p.ImageLabel = "//boards/b:" + p.Name + "_img"
	}
	m.Partitions[1].ImageLabel = m.Partitions[0].ImageLabel // fsbl1 and fsbl2 hold one image
	m.Partitions[1].Image = m.Partitions[0].Image
	return m
}

func labelledSizes(m *Manifest) SizeOf {
	sizes := map[string]uint64{}
	for _, p := range stm32Manifest().Partitions {
		sizes["bazel-out/k8-fastbuild/bin/boards/b/"+p.Image+".bin"] = stm32Sizes[p.Image]
	}
	return fixedSizes(sizes)
}

// Plan's errors on a rule's manifest, restated: one line that starts with
// the disk_image's label and names partitions by name and target.
func TestPlanErrorsInUserTerms(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(m *Manifest)
		want string
	}{
		{"overlap", func(m *Manifest) { m.Partitions[1].Offset = 0x44000 },
			"//boards/b:sdcard: partition 'fsbl2' (//boards/b:part_fsbl2): offset 0x44000 (278528) overlaps with previous partition 'fsbl1' (//boards/b:part_fsbl1) at 0x4400 (17408) ending at 0x44400 (279552)"},
		{"image bigger than partition", func(m *Manifest) { m.Partitions[2].Size = 512 << 10 },
			"//boards/b:sdcard: partition 'ssbl' (//boards/b:part_ssbl): image //boards/b:ssbl_img of 0xaae60 (700000) bytes does not fit the partition size 0x80000 (524288)"},
		{"beyond the image", func(m *Manifest) { m.Size = 64 << 20 },
			"//boards/b:sdcard: partition 'bootfs' (//boards/b:part_bootfs): ends at 0x4284400 (69747712), beyond the image size 0x4000000 (67108864)"},
		{"over the GPT", func(m *Manifest) { m.Partitions[0].Offset = 8 << 10 },
			"//boards/b:sdcard: partition 'fsbl1' (//boards/b:part_fsbl1): at 0x2000 (8192) ending at 0x42000 (270336) overlaps with the GPT array at 0x400 (1024) ending at 0x4400 (17408); declare 0x0 (0)..0x2400 (9216) of its image a hole"},
		{"unaligned", func(m *Manifest) { m.Partitions[0].Offset = 17<<10 + 1 },
			"//boards/b:sdcard: partition 'fsbl1' (//boards/b:part_fsbl1): offset 0x4401 (17409) is not a multiple of its alignment 0x200 (512)"},
		{"bad type GUID", func(m *Manifest) { m.Partitions[4].PartitionTypeUUID = "Q" },
			"//boards/b:sdcard: partition 'rootfs' (//boards/b:part_rootfs): partition_type_uuid: "},
		{"missing input", func(m *Manifest) { m.Partitions[4].Image = "gone.bin"; m.Partitions[4].ImageLabel = "//boards/b:gone" },
			"//boards/b:sdcard: partition 'rootfs' (//boards/b:part_rootfs): image: "},
		{"two autoresize", func(m *Manifest) {
			m.Size = 128 << 20
			m.Partitions[3].Autoresize, m.Partitions[4].Autoresize = true, true
		}, "//boards/b:sdcard: partition 'rootfs' (//boards/b:part_rootfs): autoresize is already set on partition 'bootfs' (//boards/b:part_bootfs); only one may have it"},
		{"image-wide", func(m *Manifest) { v := Number(1); m.DiskSignature = &v },
			"//boards/b:sdcard: disk_signature needs an mbr or hybrid partition table, not gpt"},
	} {
		m := labelled()
		c.edit(m)
		_, err := Plan(m, labelledSizes(m))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		got := m.InUserTerms(err).Error()
		if !strings.HasPrefix(got, c.want) || strings.Contains(got, "\n") || strings.Contains(got, "bazel-out") {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

// Without the label (hand-written manifests, genimage configs) messages
// stay as they are; unknown partition names are left alone.
func TestInUserTermsLeavesOthers(t *testing.T) {
	m := stm32Manifest()
	in := errors.New("Partition 'fsbl2': offset 0x44000 (278528) overlaps with previous partition 'fsbl1'")
	if got := m.InUserTerms(in); got != in {
		t.Errorf("unlabelled manifest: got %v", got)
	}
	m = labelled()
	if got := m.InUserTerms(errors.New("Partition 'nope': x")).Error(); got != "//boards/b:sdcard: Partition 'nope': x" {
		t.Errorf("unknown partition: got %s", got)
	}
	if m.InUserTerms(nil) != nil {
		t.Error("nil error restated")
	}
}
