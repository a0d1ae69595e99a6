package disk

// Oracle tests: the same genimage config is built by Debian's genimage and
// by this package, and the images must be byte-identical (GUIDs are given
// in those configs, as genimage would otherwise pick random ones). Images
// with derived GUIDs are checked by sgdisk -v, sfdisk --json and fdisk -l.
// A missing reference tool fails the test.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// tool finds a reference tool on PATH or in the usual sbin directories,
// which a sandbox's PATH may lack.
func tool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p
		}
	}
	t.Fatalf("reference tool %s not found (install it: genimage, gdisk, fdisk packages)", name)
	return ""
}

func run(t *testing.T, dir string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(tool(t, name), args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// inputs writes the partition images used by the configs: small files with
// random-looking data, and sparse ones with data far apart.
func inputs(t *testing.T, dir string) {
	in := filepath.Join(dir, "in")
	if err := os.MkdirAll(in, 0o755); err != nil {
		t.Fatal(err)
	}
	pattern := func(n int, seed byte) []byte {
		b := make([]byte, n)
		x := uint32(seed) + 1
		for i := range b {
			x = x*1664525 + 1013904223
			b[i] = byte(x >> 24)
		}
		return b
	}
	writeFile(t, filepath.Join(in, "fsbl.bin"), 100000, map[int64][]byte{0: pattern(100000, 1)})
	writeFile(t, filepath.Join(in, "ssbl.bin"), 700001, map[int64][]byte{0: pattern(700001, 2)})
	writeFile(t, filepath.Join(in, "boot.vfat"), 3<<20, map[int64][]byte{0: pattern(4096, 3), 1 << 20: pattern(5000, 4)})
	writeFile(t, filepath.Join(in, "rootfs.ext4"), 8<<20, map[int64][]byte{1024: pattern(4096, 5), 6 << 20: pattern(3, 6)})
	writeFile(t, filepath.Join(in, "env.bin"), 8192, map[int64][]byte{0: pattern(8192, 7)})
	// A bootloader over the MBR and GPT: its bytes 440..1K and
	// 64K..80K are declared holes, so the tables overwrite them.
	writeFile(t, filepath.Join(in, "bootloader.img"), 96<<10, map[int64][]byte{0: pattern(96<<10, 8)})
}

const stm32Config = `
image sdcard.img {
	hdimage {
		partition-table-type = "gpt"
		disk-uuid = "e91c4e10-16e6-4c0e-bd0e-77becf4a3582"
	}
	partition fsbl1 {
		image = "fsbl.bin"
		offset = 17K
		size = 256K
		%[1]s
		partition-uuid = "e91c4e10-16e6-4c0e-bd0e-000000000001"
	}
	partition fsbl2 {
		image = "fsbl.bin"
		size = 256K
		%[1]s
		partition-uuid = "e91c4e10-16e6-4c0e-bd0e-000000000002"
	}
	partition ssbl {
		image = "ssbl.bin"
		size = 2M
		%[1]s
		partition-uuid = "e91c4e10-16e6-4c0e-bd0e-000000000003"
	}
	partition bootfs {
		image = "boot.vfat"
		size = 4M
		%[1]s
		bootable = "true"
		partition-uuid = "e91c4e10-16e6-4c0e-bd0e-000000000004"
	}
	partition rootfs {
		image = "rootfs.ext4"
		%[1]s
		partition-uuid = "e91c4e10-16e6-4c0e-bd0e-000000000005"
	}
}
`

var oracleConfigs = map[string]string{
	// The STM32MP1 SD card layout with the type given as genimage 16
	// accepts it on GPT.
	"stm32-gpt": fmt.Sprintf(stm32Config, `partition-type-uuid = "L"`),
	"mbr": `
image disk.img {
	hdimage { partition-table-type = "mbr" disk-signature = 0x12345678 align = 1M }
	partition boot { image = "boot.vfat" partition-type = 0x0c bootable = true }
	partition root { image = "rootfs.ext4" partition-type = 0x83 }
	partition env { image = "env.bin" partition-type = 0xda size = 64K }
}`,
	"mbr-extended": `
image disk.img {
	hdimage { disk-signature = 0xcafe }
	partition p1 { image = "env.bin" partition-type = 0x83 }
	partition p2 { image = "env.bin" partition-type = 0x83 }
	partition p3 { image = "env.bin" partition-type = 0x83 }
	partition p4 { image = "env.bin" partition-type = 0x0c size = 1M }
	partition p5 { image = "fsbl.bin" partition-type = 0x83 }
	partition p6 { image = "env.bin" partition-type = 0x83 bootable = true }
}`,
	"hybrid": `
image disk.img {
	hdimage {
		partition-table-type = "hybrid"
		disk-uuid = "aa1c4e10-16e6-4c0e-bd0e-77becf4a3582"
		disk-signature = 0x1
	}
	partition boot { image = "boot.vfat" partition-type = 0x0c partition-type-uuid = "F" bootable = true
		partition-uuid = "aa1c4e10-16e6-4c0e-bd0e-000000000001" }
	partition root { image = "rootfs.ext4" partition-type-uuid = "L" read-only = true hidden = true no-automount = true
		partition-uuid = "aa1c4e10-16e6-4c0e-bd0e-000000000002" }
}`,
	// A raw bootloader over the tables (declared holes), the GPT array
	// moved to 64K, a fixed image size and an autoresized last partition.
	"raw-bootloader": `
image disk.img {
	size = 16M
	hdimage {
		gpt = true
		gpt-location = 64K
		disk-uuid = "bb1c4e10-16e6-4c0e-bd0e-77becf4a3582"
	}
	partition bootloader { in-partition-table = false offset = 0 image = "bootloader.img" }
	partition env { in-partition-table = false offset = 200K image = "env.bin" }
	partition rootfs { offset = 1M image = "rootfs.ext4" autoresize = true partition-type-uuid = "3de21764-95bd-54bd-a5c3-4abe786f38a8"
		partition-uuid = "bb1c4e10-16e6-4c0e-bd0e-000000000001" }
}
image bootloader.img { file { holes = {"(440; 1K)", "(64K; 80K)"} } }`,
	"gpt-no-backup": `
image disk.img {
	hdimage { partition-table-type = "gpt" gpt-no-backup = true disk-uuid = "cc1c4e10-16e6-4c0e-bd0e-77becf4a3582" }
	partition a { image = "ssbl.bin" partition-uuid = "cc1c4e10-16e6-4c0e-bd0e-000000000001" }
}`,
	"none-fill": `
image flash.img {
	size = 4M
	hdimage { partition-table-type = "none" fill = true align = 4K }
	partition spl { image = "fsbl.bin" }
	partition uboot { image = "ssbl.bin" offset = 256K }
}`,
}

func genimage(t *testing.T, dir, cfg string) (string, error) {
	cfgPath := filepath.Join(dir, "genimage.cfg")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"ref", "tmp", "root"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	return run(t, dir, "genimage", "--config", cfgPath, "--inputpath", filepath.Join(dir, "in"),
		"--outputpath", filepath.Join(dir, "ref"), "--tmppath", filepath.Join(dir, "tmp"), "--rootpath", filepath.Join(dir, "root"))
}

// ours builds every hdimage image of cfg into dir/ours and returns the
// layouts by image name.
func ours(t *testing.T, dir, cfg, seed string) map[string]*Layout {
	imgs, err := ParseGenimageConfig(cfg, filepath.Join(dir, "in"), seed)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "ours"), 0o755)
	layouts := map[string]*Layout{}
	for _, img := range imgs {
		layouts[img.Name] = build(t, img.Manifest, filepath.Join(dir, "ours", img.Name))
	}
	return layouts
}

func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	fa, err := os.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	ba, bb := make([]byte, 1<<20), make([]byte, 1<<20)
	for off := int64(0); ; off += int64(len(ba)) {
		na, ea := io.ReadFull(fa, ba)
		nb, _ := io.ReadFull(fb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			for i := 0; i < na && i < nb; i++ {
				if ba[i] != bb[i] {
					t.Fatalf("%s and %s differ at 0x%x", a, b, off+int64(i))
				}
			}
			t.Fatalf("%s and %s differ in length (%d and %d bytes read at 0x%x)", a, b, na, nb, off)
		}
		if ea != nil {
			return
		}
	}
}

func TestAgainstGenimage(t *testing.T) {
	for name, cfg := range oracleConfigs {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			inputs(t, dir)
			if out, err := genimage(t, dir, cfg); err != nil {
				t.Fatalf("genimage failed: %v\n%s", err, out)
			}
			for img := range ours(t, dir, cfg, "") {
				sameFiles(t, filepath.Join(dir, "ref", img), filepath.Join(dir, "ours", img))
			}
		})
	}
}

// The factory-flashing article's config sets partition-type = 0x83 on GPT
// partitions. genimage 16 rejects it; we map 0x83 to the Linux filesystem
// GUID and produce what genimage produces for partition-type-uuid = L.
func TestMBRTypeOnGPTLikeGenimageL(t *testing.T) {
	dir := t.TempDir()
	inputs(t, dir)
	article := fmt.Sprintf(stm32Config, `partition-type = 0x83`)
	if out, err := genimage(t, dir, article); err == nil || !strings.Contains(out, "partition-type") {
		t.Fatalf("genimage accepted partition-type on GPT (err %v):\n%s", err, out)
	}
	ours(t, dir, article, "")
	if out, err := genimage(t, dir, fmt.Sprintf(stm32Config, `partition-type-uuid = "L"`)); err != nil {
		t.Fatalf("genimage: %v\n%s", err, out)
	}
	sameFiles(t, filepath.Join(dir, "ref", "sdcard.img"), filepath.Join(dir, "ours", "sdcard.img"))
}

var sgdiskTrouble = regexp.MustCompile(`(?i)warning|caution|error|problem|corrupt|invalid|mismatch`)

// checkSgdisk fails on anything but a clean verification: sgdisk -v exits 0
// even when a CRC is wrong.
func checkSgdisk(t *testing.T, img string) {
	t.Helper()
	out, err := run(t, "", "sgdisk", "-v", img)
	if err != nil || !strings.Contains(out, "No problems found") {
		t.Fatalf("sgdisk -v %s: %v\n%s", img, err, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if sgdiskTrouble.MatchString(line) && !strings.Contains(line, "No problems found") {
			t.Fatalf("sgdisk -v %s: %s\n%s", img, line, out)
		}
	}
}

type sfdiskJSON struct {
	Table struct {
		Label      string `json:"label"`
		ID         string `json:"id"`
		Partitions []struct {
			Node     string `json:"node"`
			Start    uint64 `json:"start"`
			Size     uint64 `json:"size"`
			Type     string `json:"type"`
			UUID     string `json:"uuid"`
			Name     string `json:"name"`
			Attrs    string `json:"attrs"`
			Bootable bool   `json:"bootable"`
		} `json:"partitions"`
	} `json:"partitiontable"`
}

// checkSfdisk compares sfdisk's reading of img with the layout.
func checkSfdisk(t *testing.T, img string, l *Layout) {
	t.Helper()
	out, err := run(t, "", "sfdisk", "--json", img)
	if err != nil {
		t.Fatalf("sfdisk --json: %v\n%s", err, out)
	}
	var js sfdiskJSON
	if err := json.Unmarshal([]byte(out), &js); err != nil {
		t.Fatalf("sfdisk --json output: %v\n%s", err, out)
	}
	var want []*Placed
	for i := range l.Partitions {
		p := &l.Partitions[i]
		if p.InTable {
			want = append(want, p)
		}
	}
	label := map[TableType]string{TableMBR: "dos", TableGPT: "gpt", TableHybrid: "gpt"}[l.Table]
	if js.Table.Label != label {
		t.Fatalf("sfdisk label %q, want %q", js.Table.Label, label)
	}
	if label == "gpt" && !strings.EqualFold(js.Table.ID, l.DiskGUID.String()) {
		t.Errorf("sfdisk disk id %s, want %s", js.Table.ID, l.DiskGUID)
	}
	var got []int
	for i, sp := range js.Table.Partitions {
		if label == "dos" && (sp.Type == "f" || sp.Type == "5") {
			continue // the extended partition container
		}
		got = append(got, i)
	}
	if len(got) != len(want) {
		t.Fatalf("sfdisk sees %d partitions, want %d:\n%s", len(got), len(want), out)
	}
	for k, i := range got {
		sp, p := js.Table.Partitions[i], want[k]
		if sp.Start*512 != p.Offset || sp.Size*512 != p.Size {
			t.Errorf("%s: sfdisk start %d size %d sectors, want %d %d", p.Name, sp.Start, sp.Size, p.Offset/512, p.Size/512)
		}
		if label == "gpt" {
			if sp.Name != p.Name || !strings.EqualFold(sp.Type, p.TypeGUID.String()) || !strings.EqualFold(sp.UUID, p.GUID.String()) {
				t.Errorf("%s: sfdisk name %q type %s uuid %s, want %s %s", p.Name, sp.Name, sp.Type, sp.UUID, p.TypeGUID, p.GUID)
			}
		} else if sp.Type != fmt.Sprintf("%x", p.MBRType) || sp.Bootable != (p.Bootable && !p.Extended) {
			// Like genimage, a logical partition's EBR entry never
			// carries the active flag.
			t.Errorf("%s: sfdisk type %s bootable %v, want %x %v", p.Name, sp.Type, sp.Bootable, p.MBRType, p.Bootable)
		}
	}
}

// checkSfdiskDump checks sfdisk's script form: the label and one line per
// partition with its start and size in sectors.
func checkSfdiskDump(t *testing.T, img string, l *Layout) {
	t.Helper()
	out, err := run(t, "", "sfdisk", "--dump", img)
	if err != nil {
		t.Fatalf("sfdisk --dump: %v\n%s", err, out)
	}
	label := map[TableType]string{TableMBR: "dos", TableGPT: "gpt", TableHybrid: "gpt"}[l.Table]
	if !strings.Contains(out, "label: "+label+"\n") {
		t.Fatalf("sfdisk --dump: no 'label: %s':\n%s", label, out)
	}
	for i := range l.Partitions {
		p := &l.Partitions[i]
		if !p.InTable {
			continue
		}
		re := regexp.MustCompile(fmt.Sprintf(`start=\s*%d, size=\s*%d,`, p.Offset/512, p.Size/512))
		if !re.MatchString(out) {
			t.Errorf("sfdisk --dump has no line for %s (start %d, size %d):\n%s", p.Name, p.Offset/512, p.Size/512, out)
		}
	}
}

// checkFdisk makes sure fdisk -l reads the table without complaint and
// lists each partition's start sector.
func checkFdisk(t *testing.T, img string, l *Layout) {
	t.Helper()
	out, err := run(t, "", "fdisk", "-l", img)
	if err != nil {
		t.Fatalf("fdisk -l: %v\n%s", err, out)
	}
	if regexp.MustCompile(`(?i)corrupt|invalid|does not|mismatch|warning`).MatchString(out) {
		t.Fatalf("fdisk -l complains:\n%s", out)
	}
	for i := range l.Partitions {
		p := &l.Partitions[i]
		if !p.InTable {
			continue
		}
		re := regexp.MustCompile(fmt.Sprintf(`(?m)^\S+\s+\*?\s*%d\s+%d\s`, p.Offset/512, p.end()/512-1))
		if !re.MatchString(out) {
			t.Errorf("fdisk -l does not list %s at sectors %d-%d:\n%s", p.Name, p.Offset/512, p.end()/512-1, out)
		}
	}
}

// With derived GUIDs (nothing given), the images must still satisfy every
// reader.
func TestDerivedGUIDsAgainstReaders(t *testing.T) {
	for _, name := range []string{"stm32-gpt", "mbr", "mbr-extended", "hybrid", "raw-bootloader"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			inputs(t, dir)
			cfg := regexp.MustCompile(`(partition|disk)-uuid = "[^"]*"`).ReplaceAllString(oracleConfigs[name], "")
			for img, l := range ours(t, dir, cfg, "//boards/test:"+name) {
				path := filepath.Join(dir, "ours", img)
				if l.Table&TableGPT != 0 {
					if l.Partitions[len(l.Partitions)-1].GUID.IsZero() {
						t.Fatal("GUIDs not derived")
					}
					// sgdisk warns about a moved GPT array (the
					// gap before it), which that layout wants.
					if l.GPTLocation == 1024 {
						checkSgdisk(t, path)
					}
				}
				checkSfdisk(t, path, l)
				checkSfdiskDump(t, path, l)
				checkFdisk(t, path, l)
			}
		})
	}
}

// sgdisk must notice a corrupted table: guards checkSgdisk against passing
// everything.
func TestSgdiskCatchesCorruption(t *testing.T) {
	dir := t.TempDir()
	inputs(t, dir)
	ls := ours(t, dir, oracleConfigs["stm32-gpt"], "")
	path := filepath.Join(dir, "ours", "sdcard.img")
	checkSgdisk(t, path)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Flip a byte of the first entry's name in the primary array.
	if _, err := f.WriteAt([]byte{'X'}, 1024+56); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, _ := run(t, "", "sgdisk", "-v", path)
	if !sgdiskTrouble.MatchString(out) || strings.Contains(out, "No problems found") && !strings.Contains(strings.ToLower(out), "mismatch") {
		t.Fatalf("corrupted GPT passed sgdisk -v:\n%s", out)
	}
	_ = ls
}
