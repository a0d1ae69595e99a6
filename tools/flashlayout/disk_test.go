package flashlayout

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/disk"
)

// buildSDCard writes a small GPT image shaped like the STM32MP1 SD card.
func buildSDCard(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range []string{"fsbl", "ssbl", "rootfs"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(n+" contents"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := &disk.Manifest{Version: 1, Seed: "test", PartitionTable: "gpt", Partitions: []disk.Partition{
		{Name: "fsbl1", Image: filepath.Join(dir, "fsbl"), Offset: 17 * 1024, Size: 256 * 1024},
		{Name: "fsbl2", Image: filepath.Join(dir, "fsbl"), Size: 256 * 1024},
		{Name: "ssbl", Image: filepath.Join(dir, "ssbl"), Size: 1024 * 1024},
		{Name: "rootfs", Image: filepath.Join(dir, "rootfs"), Size: 1024 * 1024, PartitionTypeUUID: "L"},
	}}
	l, err := disk.Plan(m, func(p string) (uint64, error) {
		st, err := os.Stat(p)
		if err != nil {
			return 0, err
		}
		return uint64(st.Size()), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(dir, "sdcard.img")
	out, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := disk.Write(l, out, os.Open); err != nil {
		t.Fatal(err)
	}
	return img
}

func TestCheckAgainstDisk(t *testing.T) {
	img := buildSDCard(t)
	entries := []Entry{
		{Option: "-", ID: "0x01", Name: "fsbl-boot", Type: "Binary", Device: "none", Offset: "0x0", Binary: "fsbl"},
		{Option: "P", ID: "0x04", Name: "fsbl1", Type: "Binary", Device: "mmc0", Offset: "0x4400", Binary: "fsbl"},
		{Option: "P", ID: "0x05", Name: "fsbl2", Type: "Binary", Device: "mmc0", Offset: "0x44400", Binary: "fsbl"},
		{Option: "P", ID: "0x06", Name: "ssbl", Type: "Binary", Device: "mmc0", Offset: "0x84400", Binary: "ssbl"},
	}
	if err := Check(entries); err != nil {
		t.Fatal(err)
	}
	if err := CheckAgainstDisk(entries, Disk{Image: img, Device: "mmc0"}); err != nil {
		t.Fatal(err)
	}
	// Entries for another device are not compared with this disk.
	if err := CheckAgainstDisk(entries, Disk{Image: img, Device: "mmc1"}); err != nil {
		t.Fatal(err)
	}

	auto := append([]Entry(nil), entries...)
	auto[2].Offset = "auto"
	auto[3].Offset = "auto"
	if err := ResolveOffsets(auto, Disk{Image: img, Device: "mmc0"}); err != nil {
		t.Fatal(err)
	}
	if auto[2].Offset != "0x00044400" || auto[3].Offset != "0x00084400" {
		t.Fatalf("auto offsets resolved to %s, %s", auto[2].Offset, auto[3].Offset)
	}
	auto[3].Offset, auto[3].Name = "auto", "missing"
	if err := ResolveOffsets(auto, Disk{Image: img, Device: "mmc0"}); err == nil || !strings.Contains(err.Error(), "entry 'missing': Offset auto: no partition named 'missing'") {
		t.Fatalf("err = %v", err)
	}

	moved := append([]Entry(nil), entries...)
	moved[3].Offset = "0x80000"
	err := CheckAgainstDisk(moved, Disk{Image: img, Device: "mmc0"})
	if err == nil || !strings.Contains(err.Error(), "entry 'ssbl': Offset 0x80000 (524288), but the disk image puts partition 'ssbl' at 0x84400 (541696)") {
		t.Fatalf("err = %v", err)
	}
	unknown := append([]Entry(nil), entries...)
	unknown[3].Name = "u-boot"
	err = CheckAgainstDisk(unknown, Disk{Image: img, Device: "mmc0"})
	if err == nil || !strings.Contains(err.Error(), "no partition named 'u-boot' in disk image") || !strings.Contains(err.Error(), "fsbl1, fsbl2, ssbl, rootfs") {
		t.Fatalf("err = %v", err)
	}
}
