package mbr

import (
	"bytes"
	"encoding/hex"
	"testing"
)

func TestCHS(t *testing.T) {
	for _, c := range []struct {
		lba  uint32
		want [3]byte
	}{
		{0, [3]byte{0, 0, 0}},                           // genimage writes sector 0 for LBA 0
		{1, [3]byte{0, 2, 0}},                           // head 0, sector 2, cylinder 0
		{63, [3]byte{1, 1, 0}},                          // next head
		{16065, [3]byte{0, 1, 1}},                       // next cylinder (255*63)
		{16065 * 300, [3]byte{0, 0x40 | 1, 300 & 0xff}}, // cylinder bits 8-9 in the sector byte
	} {
		if got := CHS(c.lba); got != c.want {
			t.Errorf("CHS(%d) = % x, want % x", c.lba, got, c.want)
		}
	}
}

func TestTailGolden(t *testing.T) {
	tail := Tail{DiskSignature: 0x12345678}
	tail.Entries[0] = Entry{Status: StatusBootable, Type: 0x0c, FirstLBA: 2048, Sectors: 8192}
	tail.Entries[1] = Entry{Type: 0x83, FirstLBA: 10240, Sectors: 20480}
	// CHS by hand: LBA 10239 is head 162 (0xa2), sector 34 (0x22),
	// cylinder 0; LBA 30719 is head 232 (0xe8), sector 39, cylinder 1.
	got := tail.Marshal()
	want, _ := hex.DecodeString("78563412" + "0000" +
		"80" + "2021" + "00" + "0c" + "a2" + "22" + "00" + "00080000" + "00200000" +
		"00" + "a2" + "23" + "00" + "83" + "e8" + "27" + "01" + "00280000" + "00500000" +
		"00000000000000000000000000000000" + "00000000000000000000000000000000" + "55aa")
	if !bytes.Equal(got[:], want) {
		t.Errorf("tail\n got % x\nwant % x", got, want)
	}
}

func TestReadPrimaryAndLogical(t *testing.T) {
	img := make([]byte, 64*SectorSize)
	tail := Tail{DiskSignature: 7}
	tail.Entries[0] = Entry{Type: 0x83, FirstLBA: 2, Sectors: 4}
	tail.Entries[1] = Entry{Type: TypeExtendedLBA, FirstLBA: 8, Sectors: 40}
	b := tail.Marshal()
	copy(img[TailOffset:], b[:])
	// Two logical partitions: EBR at LBA 8 (partition at 9..12), link to
	// the EBR at LBA 16 (extended-relative 8), partition at 17..20.
	e1 := EBR(Entry{Type: 0x0c, FirstLBA: 1, Sectors: 4}, &Entry{Type: TypeExtendedLBA, FirstLBA: 8, Sectors: 5})
	copy(img[8*SectorSize+TableOffset:], e1[:])
	e2 := EBR(Entry{Type: 0x83, FirstLBA: 1, Sectors: 4}, nil)
	copy(img[16*SectorSize+TableOffset:], e2[:])
	tab, err := Read(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	want := []Partition{
		{Number: 1, Type: 0x83, Start: 2 * SectorSize, Size: 4 * SectorSize},
		{Number: 2, Type: TypeExtendedLBA, Start: 8 * SectorSize, Size: 40 * SectorSize},
		{Number: 5, Type: 0x0c, Start: 9 * SectorSize, Size: 4 * SectorSize},
		{Number: 6, Type: 0x83, Start: 17 * SectorSize, Size: 4 * SectorSize},
	}
	if tab.DiskSignature != 7 || len(tab.Partitions) != len(want) {
		t.Fatalf("got %+v", tab)
	}
	for i := range want {
		if tab.Partitions[i] != want[i] {
			t.Errorf("partition %d = %+v, want %+v", i, tab.Partitions[i], want[i])
		}
	}
}

func TestReadRejects(t *testing.T) {
	img := make([]byte, 8*SectorSize)
	if _, err := Read(bytes.NewReader(img), int64(len(img))); err != ErrNoSignature {
		t.Errorf("no signature: err = %v", err)
	}
	tail := Tail{}
	tail.Entries[0] = Entry{Type: 0x83, FirstLBA: 2, Sectors: 0}
	b := tail.Marshal()
	copy(img[TailOffset:], b[:])
	if _, err := Read(bytes.NewReader(img), int64(len(img))); err == nil {
		t.Error("empty partition accepted")
	}
	tail.Entries[0] = Entry{Status: 0x12, Type: 0x83, FirstLBA: 2, Sectors: 1}
	b = tail.Marshal()
	copy(img[TailOffset:], b[:])
	if _, err := Read(bytes.NewReader(img), int64(len(img))); err == nil {
		t.Error("status byte 0x12 accepted")
	}
	// A looping EBR chain must end with an error, not hang.
	tail.Entries[0] = Entry{Type: TypeExtendedLBA, FirstLBA: 1, Sectors: 7}
	b = tail.Marshal()
	copy(img[TailOffset:], b[:])
	loop := EBR(Entry{Type: 0x83, FirstLBA: 1, Sectors: 1}, &Entry{Type: TypeExtendedLBA, FirstLBA: 0, Sectors: 2})
	copy(img[SectorSize+TableOffset:], loop[:])
	if _, err := Read(bytes.NewReader(img), int64(len(img))); err == nil {
		t.Error("looping EBR chain accepted")
	}
}

func FuzzRead(f *testing.F) {
	img := make([]byte, 32*SectorSize)
	tail := Tail{}
	tail.Entries[0] = Entry{Type: 0x83, FirstLBA: 2, Sectors: 4}
	tail.Entries[1] = Entry{Type: TypeExtendedLBA, FirstLBA: 8, Sectors: 20}
	b := tail.Marshal()
	copy(img[TailOffset:], b[:])
	e := EBR(Entry{Type: 0x0c, FirstLBA: 1, Sectors: 4}, nil)
	copy(img[8*SectorSize+TableOffset:], e[:])
	f.Add(img)
	f.Add(img[:SectorSize])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for _, p := range tab.Partitions {
			if p.Size == 0 || p.Number < 1 || p.Number > 4+maxLogical {
				t.Fatalf("partition %+v", p)
			}
		}
	})
}
