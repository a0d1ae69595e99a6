package gpt

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func TestGUIDOnDiskOrder(t *testing.T) {
	g, err := ParseGUID("0FC63DAF-8483-4772-8E79-3D69D8477DE4")
	if err != nil {
		t.Fatal(err)
	}
	// The Linux filesystem type as it appears on disk (UEFI spec order).
	want, _ := hex.DecodeString("af3dc60f838472478e793d69d8477de4")
	if !bytes.Equal(g[:], want) {
		t.Errorf("on disk % x, want % x", g[:], want)
	}
	if s := g.String(); s != "0fc63daf-8483-4772-8e79-3d69d8477de4" {
		t.Errorf("String() = %s", s)
	}
	for _, bad := range []string{"", "0fc63daf84834772-8e79-3d69d8477de4x", "0fc63daf-8483-4772-8e79-3d69d8477dzz"} {
		if _, err := ParseGUID(bad); err == nil {
			t.Errorf("ParseGUID(%q) accepted", bad)
		}
	}
}

func TestNewV5(t *testing.T) {
	dns, _ := ParseGUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	// Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
	if got := NewV5(dns, "python.org").String(); got != "886313e1-3b8a-5372-9b90-0c9aee199e5d" {
		t.Errorf("v5 = %s", got)
	}
	// Python: uuid.uuid5(uuid.NAMESPACE_URL, "rules_firmware disk") and
	// uuid.uuid5(that, "//b:sd\x00partition/rootfs").
	if got := NameSpace.String(); got != "98622dd0-5979-5fc5-947a-024da7458de4" {
		t.Errorf("NameSpace = %s", got)
	}
	if got := DeriveGUID("//b:sd", "partition/rootfs").String(); got != "be9e0cad-16c1-59f6-883c-acde00ed3c1c" {
		t.Errorf("DeriveGUID = %s", got)
	}
}

func TestParseType(t *testing.T) {
	for in, want := range map[string]string{
		"L": "0fc63daf-8483-4772-8e79-3d69d8477de4", "linux": "0fc63daf-8483-4772-8e79-3d69d8477de4",
		"u": "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "ESP": "c12a7328-f81f-11d2-ba4b-00a0c93ec93b",
		"F": "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7", "u-boot-env": "3de21764-95bd-54bd-a5c3-4abe786f38a8",
		"12345678-1234-1234-1234-123456789abc": "12345678-1234-1234-1234-123456789abc",
		// Discoverable Partitions names of other architectures, as
		// genimage (v19-22) and systemd-repart spell them.
		"usr-loongarch64-verity-sig": "b024f315-d330-444c-8461-44bbde524e99",
		"root-riscv64-verity":        "b6ed5582-440b-4209-b8da-5ff7c419ea3d",
		"root-s390x":                 "5eead9a9-fe09-4a1e-a1d7-520d00531306",
		"root-tilegx":                "c50cdd70-3862-4cc3-90e1-809a8c93ee2c",
		"root-ppc64-le":              "c31c45e6-3f39-412e-80fb-4809c4980599",
		"usr-parisc":                 "dc4a4480-6917-4262-a4ec-db9384949f25",
	} {
		g, err := ParseType(in)
		if err != nil || g.String() != want {
			t.Errorf("ParseType(%q) = %s, %v; want %s", in, g, err, want)
		}
	}
	if _, err := ParseType("Q"); err == nil {
		t.Error("unknown shortcut accepted")
	}
	// Every name once, every GUID well-formed.
	seen := map[string]bool{}
	for _, ts := range typeShortcuts {
		if seen[strings.ToLower(ts.name)] {
			t.Errorf("%s listed twice", ts.name)
		}
		seen[strings.ToLower(ts.name)] = true
		if _, err := ParseGUID(ts.guid); err != nil {
			t.Errorf("%s: %v", ts.name, err)
		}
	}
	g, err := TypeForMBR(0x83)
	if err != nil || g.String() != "0fc63daf-8483-4772-8e79-3d69d8477de4" {
		t.Errorf("TypeForMBR(0x83) = %s, %v", g, err)
	}
	if _, err := TypeForMBR(0x0f); err == nil {
		t.Error("extended partition type mapped to a GUID")
	}
}

// testDisk builds a small image with a primary and backup GPT.
func testDisk(t testing.TB, entries []Entry) []byte {
	const sectors = 100
	img := make([]byte, sectors*SectorSize)
	arr, crc, err := MarshalArray(entries)
	if err != nil {
		t.Fatal(err)
	}
	h := Header{CurrentLBA: 1, BackupLBA: sectors - 1, FirstUsableLBA: 34, LastUsableLBA: sectors - 34,
		DiskGUID: DeriveGUID("t", "disk"), EntriesLBA: 2, NumEntries: EntryCount, EntrySize: EntrySize, EntriesCRC: crc}
	hb := h.Marshal()
	copy(img[SectorSize:], hb[:])
	copy(img[2*SectorSize:], arr)
	h.CurrentLBA, h.BackupLBA, h.EntriesLBA = sectors-1, 1, sectors-33
	hb = h.Marshal()
	copy(img[(sectors-1)*SectorSize:], hb[:])
	copy(img[(sectors-33)*SectorSize:], arr)
	return img
}

func TestRoundTrip(t *testing.T) {
	in := []Entry{
		{Type: mustParse("0fc63daf-8483-4772-8e79-3d69d8477de4"), ID: DeriveGUID("t", "a"), FirstLBA: 34, LastLBA: 40, Name: "rootfs"},
		{Type: mustParse("c12a7328-f81f-11d2-ba4b-00a0c93ec93b"), ID: DeriveGUID("t", "b"), FirstLBA: 41, LastLBA: 60,
			Attributes: AttrLegacyBIOSBootable | AttrReadOnly, Name: "boot-ä"},
	}
	img := testDisk(t, in)
	for _, lba := range []uint64{1, 99} {
		tab, err := ReadAt(bytes.NewReader(img), int64(len(img)), lba)
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Entries) != 2 || tab.Index[1] != 2 {
			t.Fatalf("entries %+v", tab.Entries)
		}
		for i := range in {
			if tab.Entries[i] != in[i] {
				t.Errorf("LBA %d entry %d = %+v, want %+v", lba, i, tab.Entries[i], in[i])
			}
		}
	}
	// A flipped bit in the array must be caught by its CRC.
	img[2*SectorSize+60] ^= 1
	if _, err := Read(bytes.NewReader(img), int64(len(img))); err == nil || !strings.Contains(err.Error(), "CRC") {
		t.Errorf("corrupt array: err = %v", err)
	}
	if _, err := (Entry{Name: strings.Repeat("x", 37)}).Marshal(); err == nil {
		t.Error("37-character name accepted")
	}
}

func FuzzRead(f *testing.F) {
	f.Add(testDisk(f, []Entry{{Type: mustParse("0fc63daf-8483-4772-8e79-3d69d8477de4"), FirstLBA: 34, LastLBA: 50, Name: "x"}}))
	f.Add(make([]byte, 1024))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for _, e := range tab.Entries {
			if e.LastLBA > tab.Header.LastUsableLBA || e.FirstLBA < tab.Header.FirstUsableLBA || e.LastLBA < e.FirstLBA {
				t.Fatalf("entry %+v outside the data", e)
			}
		}
	})
}

func TestNameSpaceDerived(t *testing.T) {
	if want := NewV5(mustParse("6ba7b811-9dad-11d1-80b4-00c04fd430c8"), "rules_firmware disk"); NameSpace != want {
		t.Errorf("NameSpace = %x, want the v5 GUID of \"rules_firmware disk\" in the URL namespace %x", NameSpace, want)
	}
}
