package disk

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// forced-primary (genimage 17+, so not in Debian's genimage 16): the
// layout of genimage's own test hdimage-forced-primary, checked with
// sfdisk: the extended partition ends at its last logical partition and
// the forced-primary partitions follow it as MBR entries 3 and 4.
func TestForcedPrimary(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "part1.img"), []byte("one"), 0o644)
	os.WriteFile(filepath.Join(dir, "part2.img"), []byte("two"), 0o644)
	var parts strings.Builder
	for i, name := range []string{"part5", "part6", "part7", "part8", "part9"} {
		parts.WriteString("partition " + name + " { image = \"part" + string(rune('1'+i%2)) + ".img\" partition-type = 0x83 }\n")
	}
	cfg := `image test.hdimage {
	hdimage { align = 1M disk-signature = 0x12345678 extended-partition = 2 }
	partition part1 { image = "part1.img" partition-type = 0xc bootable = "yes" }
	` + parts.String() + `
	partition part3 { image = "part1.img" partition-type = 0x83 forced-primary = "yes" }
	partition part4 { image = "part2.img" partition-type = 0x82 forced-primary = "yes" }
}`
	imgs, err := ParseGenimageConfig(cfg, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "test.hdimage")
	build(t, imgs[0].Manifest, out)
	if _, err := exec.LookPath("sfdisk"); err != nil {
		t.Fatal("sfdisk not installed (the fdisk package)")
	}
	dump, err := exec.Command("sfdisk", "--dump", out).CombinedOutput()
	if err != nil {
		t.Fatalf("sfdisk: %v\n%s", err, dump)
	}
	want := []string{
		"test.hdimage1 : start=        2048, size=        2048, type=c, bootable",
		"test.hdimage2 : start=        4096, size=       20480, type=f",
		"test.hdimage3 : start=       24576, size=        2048, type=83",
		"test.hdimage4 : start=       26624, size=        2048, type=82",
		"test.hdimage5 : start=        6144, size=        2048, type=83",
		"test.hdimage9 : start=       22528, size=        2048, type=83",
	}
	for _, w := range want {
		if !strings.Contains(string(dump), w) {
			t.Errorf("sfdisk lacks %q:\n%s", w, dump)
		}
	}
	for _, bad := range []string{
		// forced-primary before the extended partition
		`image a { hdimage { extended-partition = 2 } partition p { size = 1M partition-type = 0x83 forced-primary = yes } partition q { size = 1M partition-type = 0x83 } }`,
		// a logical partition after a forced-primary one
		`image a { hdimage { extended-partition = 2 } partition p { size = 1M partition-type = 0x83 } partition q { size = 1M partition-type = 0x83 } partition r { size = 1M partition-type = 0x83 forced-primary = yes } partition s { size = 1M partition-type = 0x83 } }`,
		// five MBR entries
		`image a { hdimage { extended-partition = 3 } partition p { size = 1M partition-type = 0x83 } partition q { size = 1M partition-type = 0x83 } partition r { size = 1M partition-type = 0x83 } partition s { size = 1M partition-type = 0x83 forced-primary = yes } partition u { size = 1M partition-type = 0x83 forced-primary = yes } }`,
		// GPT
		`image a { hdimage { partition-table-type = gpt } partition p { size = 1M forced-primary = yes } }`,
	} {
		imgs, err := ParseGenimageConfig(bad, dir, "")
		if err == nil {
			_, err = Plan(imgs[0].Manifest, func(string) (uint64, error) { return 0, nil })
		}
		if err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
