package disk

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/gpt"
	"github.com/rules-firmware/rules_firmware/tools/mbr"
)

// fixedSizes stands in for input files in layout-only tests.
func fixedSizes(sizes map[string]uint64) SizeOf {
	return func(p string) (uint64, error) {
		s, ok := sizes[p]
		if !ok {
			return 0, os.ErrNotExist
		}
		return s, nil
	}
}

func yes() *bool { v := true; return &v }
func no() *bool  { v := false; return &v }

// stm32Manifest is the STM32MP1 SD card layout of ST's wiki and the
// factory-flashing article, including its partition_type 0x83 on GPT.
func stm32Manifest() *Manifest {
	return &Manifest{Version: 1, Seed: "//boards/stm32mp157:sdcard", PartitionTable: "gpt", Partitions: []Partition{
		{Name: "fsbl1", Image: "fsbl", Offset: 17 << 10, Size: 256 << 10, PartitionType: 0x83},
		{Name: "fsbl2", Image: "fsbl", Size: 256 << 10, PartitionType: 0x83},
		{Name: "ssbl", Image: "ssbl", Size: 2 << 20, PartitionType: 0x83},
		{Name: "bootfs", Image: "bootfs", Size: 64 << 20, Bootable: true, PartitionType: 0x83},
		{Name: "rootfs", Image: "rootfs", PartitionType: 0x83},
	}}
}

var stm32Sizes = map[string]uint64{"fsbl": 100000, "ssbl": 700000, "bootfs": 64 << 20, "rootfs": 3<<20 + 1}

func TestPlanSTM32(t *testing.T) {
	l, err := Plan(stm32Manifest(), fixedSizes(stm32Sizes))
	if err != nil {
		t.Fatal(err)
	}
	wantOff := []uint64{0x4400, 0x44400, 0x84400, 0x284400, 0x4284400}
	wantSize := []uint64{256 << 10, 256 << 10, 2 << 20, 64 << 20, 3<<20 + 512}
	linux, _ := gpt.ParseType("L")
	for i, p := range l.Partitions {
		if p.Offset != wantOff[i] || p.Size != wantSize[i] {
			t.Errorf("%s at 0x%x size 0x%x, want 0x%x size 0x%x", p.Name, p.Offset, p.Size, wantOff[i], wantSize[i])
		}
		if p.TypeGUID != linux || p.MBRType != 0 {
			t.Errorf("%s: type %s / 0x%x, want Linux filesystem mapped from 0x83", p.Name, p.TypeGUID, p.MBRType)
		}
		if p.GUID != gpt.DeriveGUID("//boards/stm32mp157:sdcard", "partition/"+p.Name) {
			t.Errorf("%s: GUID %s is not derived from seed and name", p.Name, p.GUID)
		}
	}
	// Last partition ends at 0x4584600; the backup GPT (0x4200 bytes)
	// follows and the image is rounded up to 4 KiB, as genimage does.
	if l.Size != 0x4589000 || l.FileSize != l.Size {
		t.Errorf("size 0x%x file 0x%x, want 0x4589000", l.Size, l.FileSize)
	}
	if l.Partitions[3].Attributes != gpt.AttrLegacyBIOSBootable {
		t.Errorf("bootfs attributes 0x%x", l.Partitions[3].Attributes)
	}
}

func TestPlanErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(m *Manifest)
		want string
	}{
		{"overlap", func(m *Manifest) { m.Partitions[1].Offset = 0x44000 },
			"Partition 'fsbl2': offset 0x44000 (278528) overlaps with previous partition 'fsbl1' at 0x4400 (17408) ending at 0x44400 (279552)"},
		{"overflow", func(m *Manifest) { m.Size = 64 << 20 },
			"Partition 'bootfs': ends at 0x4284400 (69747712), beyond the image size 0x4000000 (67108864)"},
		{"too small", func(m *Manifest) { m.Partitions[2].Size = 512 << 10 },
			"Partition 'ssbl': image 'ssbl' of 0xaae60 (700000) bytes does not fit the partition size 0x80000 (524288)"},
		{"over GPT array", func(m *Manifest) { m.Partitions[0].Offset = 8 << 10 },
			"Partition 'fsbl1': at 0x2000 (8192) ending at 0x42000 (270336) overlaps with the GPT array at 0x400 (1024) ending at 0x4400 (17408)"},
		{"unaligned", func(m *Manifest) { m.Partitions[0].Offset = 17<<10 + 1 },
			"Partition 'fsbl1': offset 0x4401 (17409) is not a multiple of its alignment 0x200 (512)"},
		{"bad type", func(m *Manifest) { m.Partitions[4].PartitionTypeUUID = "Q" }, "Partition 'rootfs': partition_type_uuid"},
		{"unmapped MBR type", func(m *Manifest) { m.Partitions[4].PartitionType = 0x05 }, "Partition 'rootfs': partition_type: MBR partition type 0x05"},
		{"duplicate", func(m *Manifest) { m.Partitions[1].Name = "fsbl1" }, "Partition 'fsbl1': name used twice"},
		{"missing input", func(m *Manifest) { m.Partitions[4].Image = "nope" }, "Partition 'rootfs': image:"},
		{"disk signature on gpt", func(m *Manifest) { v := Number(1); m.DiskSignature = &v }, "disk_signature needs an mbr or hybrid"},
		{"hybrid without MBR types", func(m *Manifest) {
			m.PartitionTable = "hybrid"
			for i := range m.Partitions {
				m.Partitions[i].PartitionType = 0
			}
		}, "no partition has a partition_type"},
		{"mbr without type", func(m *Manifest) { m.PartitionTable = "mbr"; m.Partitions[0].PartitionType = 0 },
			"Partition 'fsbl1': partition_type is required"},
	} {
		m := stm32Manifest()
		c.edit(m)
		_, err := Plan(m, fixedSizes(stm32Sizes))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v\nwant it to contain %q", c.name, err, c.want)
		}
	}
}

// A bootloader written at offset 0 over the tables is accepted only when
// its image declares the table areas holes.
func TestRawBootloaderHoles(t *testing.T) {
	m := &Manifest{Version: 1, Seed: "x", PartitionTable: "gpt", GPTLocation: 64 << 10, Partitions: []Partition{
		{Name: "boot", Image: "boot", InPartitionTable: no()},
		{Name: "root", Image: "root", Offset: 1 << 20},
	}}
	sizes := fixedSizes(map[string]uint64{"boot": 96 << 10, "root": 4096})
	if _, err := Plan(m, sizes); err == nil || !strings.Contains(err.Error(), "Partition 'boot'") || !strings.Contains(err.Error(), "MBR") {
		t.Fatalf("err = %v, want the MBR overlap named", err)
	}
	m.Partitions[0].Holes = []Hole{{440, 1024}, {64 << 10, 80 << 10}}
	l, err := Plan(m, sizes)
	if err != nil {
		t.Fatal(err)
	}
	if l.Partitions[0].Offset != 0 || l.Partitions[0].Size != 96<<10 {
		t.Errorf("boot at 0x%x size 0x%x", l.Partitions[0].Offset, l.Partitions[0].Size)
	}
}

func writeFile(t *testing.T, path string, size int64, chunks map[int64][]byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	for off, b := range chunks {
		if _, err := f.WriteAt(b, off); err != nil {
			t.Fatal(err)
		}
	}
}

func build(t *testing.T, m *Manifest, out string) *Layout {
	t.Helper()
	l, err := Plan(m, func(p string) (uint64, error) {
		st, err := os.Stat(p)
		if err != nil {
			return 0, err
		}
		return uint64(st.Size()), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := Write(l, f, os.Open); err != nil {
		t.Fatal(err)
	}
	return l
}

// A 4 GiB rootfs with 64 KiB of data must not allocate the gigabytes, and
// its data must land where the layout says.
func TestSparseAndReadBack(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "rootfs")
	data := bytes.Repeat([]byte("rootfs!"), 64<<10/7)
	writeFile(t, root, 4<<30, map[int64][]byte{0: []byte("superblock"), 3 << 30: data})
	boot := filepath.Join(dir, "boot")
	writeFile(t, boot, 1<<20, map[int64][]byte{0: bytes.Repeat([]byte{0xb0}, 1<<20)})
	m := &Manifest{Version: 1, Seed: "//t:sparse", PartitionTable: "gpt", Partitions: []Partition{
		{Name: "boot", Image: boot, PartitionTypeUUID: "esp"},
		{Name: "rootfs", Image: root, Offset: 4 << 20},
	}}
	out := filepath.Join(dir, "disk.img")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	l := build(t, m, out)
	runtime.ReadMemStats(&after)
	// Memory must not follow the image size: one copy buffer and tables.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("building a 4 GiB image allocated %d bytes of memory", alloc)
	}
	if a := allocated(t, out); a > 4<<20 {
		t.Errorf("output allocates %d bytes for ~1.1 MiB of data", a)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := make([]byte, len(data))
	if _, err := f.ReadAt(got, int64(l.Partitions[1].Offset)+3<<30); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("rootfs data not at its offset: %v", err)
	}
	info, err := Inspect(f, int64(l.Size))
	if err != nil {
		t.Fatal(err)
	}
	if info.Table != TableGPT || len(info.Partitions) != 2 || info.Partitions[1].Name != "rootfs" ||
		info.Partitions[1].Start != 4<<20 || info.Partitions[1].Size != 4<<30 || info.Partitions[0].Type != "uefi" {
		t.Fatalf("read back %+v", info)
	}
	p, err := info.Lookup("rootfs")
	if err != nil {
		t.Fatal(err)
	}
	ext := filepath.Join(dir, "rootfs.out")
	o, err := os.Create(ext)
	if err != nil {
		t.Fatal(err)
	}
	if err := Extract(f, p, o); err != nil {
		t.Fatal(err)
	}
	o.Close()
	if a := allocated(t, ext); a > 1<<20 {
		t.Errorf("extracted partition allocates %d bytes", a)
	}
	got = make([]byte, len(data))
	e, _ := os.Open(ext)
	defer e.Close()
	if _, err := e.ReadAt(got, 3<<30); err != nil || !bytes.Equal(got, data) {
		t.Errorf("extracted data differs: %v", err)
	}
}

// A hole in a later input that lies over an earlier partition's data (the
// earlier image declared that range a hole) must read as zeros, as in
// genimage, which punches it.
func TestLaterHoleClearsEarlierData(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	writeFile(t, a, 64<<10, map[int64][]byte{0: bytes.Repeat([]byte{0xaa}, 64<<10)})
	b := filepath.Join(dir, "b")
	writeFile(t, b, 32<<10, map[int64][]byte{0: []byte("B")})
	m := &Manifest{Version: 1, PartitionTable: "none", Partitions: []Partition{
		{Name: "a", Image: a, Holes: []Hole{{16 << 10, 64 << 10}}},
		{Name: "b", Image: b, Offset: 16 << 10},
	}}
	out := filepath.Join(dir, "o")
	build(t, m, out)
	img, _ := os.ReadFile(out)
	if img[16<<10] != 'B' || img[20<<10] != 0 || img[0] != 0xaa || len(img) != 64<<10 {
		t.Errorf("got a[0]=%x b[0]=%q b[4K]=%x len %d", img[0], img[16<<10], img[20<<10], len(img))
	}
}

func TestDeterministic(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	writeFile(t, in, 8192, map[int64][]byte{0: []byte("data")})
	mk := func(seed string) []byte {
		m := &Manifest{Version: 1, Seed: seed, PartitionTable: "hybrid", Partitions: []Partition{
			{Name: "p1", Image: in, PartitionType: 0x0c}, {Name: "p2", Image: in},
		}}
		out := filepath.Join(dir, "o-"+strings.ReplaceAll(seed, "/", "_"))
		build(t, m, out)
		b, _ := os.ReadFile(out)
		return b
	}
	a1, a2, b := mk("//a:x"), mk("//a:x"), mk("//b:x")
	if !bytes.Equal(a1, a2) {
		t.Error("same manifest, different bytes")
	}
	if bytes.Equal(a1, b) {
		t.Error("different seeds, same GUIDs")
	}
	// Hybrid: the MBR holds p1 (type 0x0c) and the 0xEE entry over the GPT.
	tab, err := mbr.Read(bytes.NewReader(a1), int64(len(a1)))
	if err != nil || len(tab.Partitions) != 2 || tab.Partitions[0].Type != 0x0c || tab.Partitions[1].Type != 0xee {
		t.Fatalf("hybrid MBR %+v, %v", tab, err)
	}
	// ... and p1's GPT type follows from 0x0c.
	info, err := Inspect(bytes.NewReader(a1), int64(len(a1)))
	if err != nil || info.Table != TableHybrid || info.Partitions[0].Type != "fat32" || info.Partitions[1].Type != "linux" {
		t.Fatalf("hybrid %+v, %v", info, err)
	}
}

func TestManifestJSON(t *testing.T) {
	m, err := ReadManifest(strings.NewReader(`{"version": 1, "seed": "s", "partition_table": "gpt", "gpt_location": "64K",
		"partitions": [{"name": "a", "offset": "0x100000", "size": 4096, "holes": [[440, "1K"]], "in_partition_table": false}]}`))
	if err != nil {
		t.Fatal(err)
	}
	p := m.Partitions[0]
	if m.GPTLocation != 64<<10 || p.Offset != 1<<20 || p.Size != 4096 || p.Holes[0] != (Hole{440, 1024}) || *p.InPartitionTable {
		t.Errorf("decoded %+v %+v", m, p)
	}
	for _, bad := range []string{
		`{"version": 2}`,
		`{"version": 1, "partitions": [{"name": "a", "sise": 1}]}`,
		`{"version": 1, "size": "12X"}`,
		`{"version": 1, "size": -1}`,
	} {
		if _, err := ReadManifest(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{"17K": 17408, "17k": 17408, "2M": 2 << 20, "4G": 4 << 30, "34s": 34 * 512,
		"0x4400": 0x4400, "010": 8, "0": 0} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "1m", "K", "-1", "99999999999G"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}

func TestGenimageConfig(t *testing.T) {
	cfg := `
# comment
image /abs/bootloader.img {
	file { holes = {"(440; 1K)", "(64K; 80K)"} }
}
image sd.img {
	size = 8M // trailing comment
	hdimage {
		gpt = true
		gpt-location = 64K
		disk-uuid = "11111111-2222-3333-4444-555555555555"
	}
	/* block
	   comment */
	partition bootloader { in-partition-table = false  offset = 0  image = "/abs/bootloader.img" }
	partition root {
		offset = 1M
		image = 'rootfs.ext4'
		partition-type-uuid = L
		bootable = yes
		autoresize = true
	}
}
image other.img { hdimage { partition-table-type = "mbr" disk-signature = 0x1234 } partition p { image = "x" partition-type = 0x83 holes = {"(0;512)"} } }
`
	imgs, err := ParseGenimageConfig(cfg, "in", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 2 || imgs[0].Name != "sd.img" || imgs[1].Name != "other.img" {
		t.Fatalf("images %+v", imgs)
	}
	m := imgs[0].Manifest
	if m.PartitionTable != "gpt" || m.GPTLocation != 64<<10 || m.Size != 8<<20 || m.Seed != "sd.img" || m.DiskUUID == "" {
		t.Errorf("sd.img %+v", m)
	}
	bl, root := m.Partitions[0], m.Partitions[1]
	if bl.Image != "/abs/bootloader.img" || *bl.InPartitionTable || len(bl.Holes) != 2 || bl.Holes[1] != (Hole{64 << 10, 80 << 10}) {
		t.Errorf("bootloader %+v", bl)
	}
	if root.Image != filepath.Join("in", "rootfs.ext4") || root.Offset != 1<<20 || !root.Bootable || !root.Autoresize || root.PartitionTypeUUID != "L" {
		t.Errorf("root %+v", root)
	}
	o := imgs[1].Manifest
	if o.PartitionTable != "mbr" || *o.DiskSignature != 0x1234 || o.Partitions[0].PartitionType != 0x83 || o.Partitions[0].Holes[0] != (Hole{0, 512}) {
		t.Errorf("other.img %+v %+v", o, o.Partitions[0])
	}
	for _, bad := range []string{
		`image a { hdimage { bogus = 1 } }`,
		`image a { hdimage {} partition p { image = "b" } } image b { ext4 {} }`,
		`image a { hdimage { disk-signature = random } }`,
		`image a { hdimage {} partition p { size = 1X } }`,
		`image a { hdimage {`,
		`include("x.cfg")`,
		`image boot.img { vfat { } size = 1M }`,
		`image a { hdimage {} exec-pre = "true" }`,
	} {
		if _, err := ParseGenimageConfig(bad, "", ""); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func FuzzInspect(f *testing.F) {
	dir := f.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.WriteFile(in, []byte("payload"), 0o644); err != nil {
		f.Fatal(err)
	}
	for _, table := range []string{"gpt", "mbr", "hybrid"} {
		m := &Manifest{Version: 1, PartitionTable: table, Partitions: []Partition{
			{Name: "a", Image: in, PartitionType: 0x83}, {Name: "b", Size: 4096, PartitionType: 0x0c}}}
		l, err := Plan(m, func(string) (uint64, error) { return 7, nil })
		if err != nil {
			f.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dir, table))
		if err != nil {
			f.Fatal(err)
		}
		if err := Write(l, out, os.Open); err != nil {
			f.Fatal(err)
		}
		out.Close()
		b, _ := os.ReadFile(out.Name())
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := Inspect(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for _, p := range info.Partitions {
			if p.Size == 0 || p.Start+p.Size < p.Start {
				t.Fatalf("partition %+v", p)
			}
		}
	})
}

func FuzzGenimageConfig(f *testing.F) {
	f.Add(`image a { hdimage { gpt = true } partition p { image = "x" size = 1M holes = {"(0;1K)"} } }`)
	f.Add(`image a { hdimage {} /* c */ partition p { partition-type = 0x83 } } # x`)
	f.Fuzz(func(t *testing.T, src string) {
		ParseGenimageConfig(src, "in", "seed") // must not panic or hang
	})
}

// image_offset, fill and sparse as in newer genimage: skip the start of the
// input, extend to the partition end, and write holes as zeros on request.
func TestImageOffsetFillSparse(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	writeFile(t, in, 1<<20, map[int64][]byte{0: []byte("skipped"), 4096: []byte("first"), 512 << 10: []byte("second")})
	mk := func(name string, sparse bool) (*Layout, []byte, int64) {
		m := &Manifest{Version: 1, PartitionTable: "mbr", Partitions: []Partition{
			{Name: "p", Image: in, ImageOffset: 4096, Size: 2 << 20, Fill: true, Sparse: &sparse, PartitionType: 0x83},
		}}
		out := filepath.Join(dir, name)
		l := build(t, m, out)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return l, b, allocated(t, out)
	}
	l, b, sparseAlloc := mk("sparse", true)
	p := l.Partitions[0]
	if p.DataSize != 1<<20-4096 || uint64(len(b)) != p.end() {
		t.Fatalf("data size 0x%x, file length 0x%x, partition end 0x%x", p.DataSize, len(b), p.end())
	}
	if string(b[p.Offset:p.Offset+5]) != "first" || string(b[p.Offset+512<<10-4096:][:6]) != "second" {
		t.Errorf("image_offset not applied")
	}
	_, b2, denseAlloc := mk("dense", false)
	if !bytes.Equal(b, b2) {
		t.Error("sparse and dense outputs differ in content")
	}
	if sparseAlloc > 256<<10 || denseAlloc < 2<<20 {
		t.Errorf("allocated %d bytes sparse, %d dense; want holes only in the sparse one", sparseAlloc, denseAlloc)
	}
}

func TestHybridUnmappedMBRTypeKeepsLinux(t *testing.T) {
	m := &Manifest{Version: 1, PartitionTable: "hybrid", Partitions: []Partition{
		{Name: "env", Size: 4096, PartitionType: 0xda},
	}}
	l, err := Plan(m, fixedSizes(nil))
	if err != nil {
		t.Fatal(err)
	}
	if linux, _ := gpt.ParseType("L"); l.Partitions[0].TypeGUID != linux || l.Partitions[0].MBRType != 0xda {
		t.Errorf("type %s / 0x%x", l.Partitions[0].TypeGUID, l.Partitions[0].MBRType)
	}
	m.PartitionTable = "gpt"
	if _, err := Plan(m, fixedSizes(nil)); err == nil {
		t.Error("0xda on a pure GPT accepted without a type GUID")
	}
}

// An unpartitioned FAT volume also ends its first sector in 0x55AA, and its
// boot code may look like partition entries: it is not a disk image.
func TestFATBootSectorIsNotADisk(t *testing.T) {
	img := make([]byte, 64*mbr.SectorSize)
	tail := mbr.Tail{}
	tail.Entries[0] = mbr.Entry{Type: 0x83, FirstLBA: 1, Sectors: 8}
	b := tail.Marshal()
	copy(img[mbr.TailOffset:], b[:])
	if !LooksLikeDisk(bytes.NewReader(img), int64(len(img))) {
		t.Fatal("MBR with one partition not recognised")
	}
	copy(img, []byte{0xeb, 0x3c, 0x90, 'm', 'k', 'f', 's', '.', 'f', 'a', 't', 0x00, 0x02, 4})
	if LooksLikeDisk(bytes.NewReader(img), int64(len(img))) {
		t.Error("FAT boot sector taken for a disk image")
	}
}

func TestDerivedDiskSignature(t *testing.T) {
	plan := func(seed string, sig *Number) uint32 {
		m := &Manifest{Version: 1, Seed: seed, PartitionTable: "mbr", DiskSignature: sig,
			Partitions: []Partition{{Name: "a", Size: 4096, PartitionType: 0x83}}}
		l, err := Plan(m, fixedSizes(nil))
		if err != nil {
			t.Fatal(err)
		}
		return l.DiskSignature
	}
	a, a2, b := plan("//a:x", nil), plan("//a:x", nil), plan("//b:x", nil)
	if a == 0 || a != a2 || a == b {
		t.Errorf("derived signatures %08x %08x %08x: want non-zero, stable, seed-dependent", a, a2, b)
	}
	given := Number(0x1234)
	if s := plan("//a:x", &given); s != 0x1234 {
		t.Errorf("given signature became %08x", s)
	}
	// A genimage config without disk-signature gets genimage's 0.
	imgs, err := ParseGenimageConfig(`image a { hdimage {} partition p { size = 4K partition-type = 0x83 } }`, "", "")
	if err != nil || imgs[0].Manifest.DiskSignature == nil || *imgs[0].Manifest.DiskSignature != 0 {
		t.Errorf("genimage config signature: %v", err)
	}
}
