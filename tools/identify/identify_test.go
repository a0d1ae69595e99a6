package identify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/stm32"
	"github.com/rules-firmware/rules_firmware/tools/uimage"
)

// A boot image like the stm32mp157 board's: FSBL (STM32 header) at 0, SSBL
// (uImage) at 256 KiB, 0xff padding to 1 MiB.
func bootImage(t *testing.T) []byte {
	t.Helper()
	img := bytes.Repeat([]byte{0xff}, 1<<20)
	h, err := stm32.NewHeader(1, 0x2ffc2500, 0x2ffc2500)
	if err != nil {
		t.Fatal(err)
	}
	fsbl, err := stm32.Wrap(h, bytes.Repeat([]byte{0x5a}, 3000))
	if err != nil {
		t.Fatal(err)
	}
	copy(img, fsbl)
	ssbl, err := uimage.Build(uimage.Header{Load: 0xc0100000, Entry: 0xc0100000, OS: 17, Arch: 2, Type: 5, Name: "U-Boot"}, bytes.Repeat([]byte{0xa5}, 5000))
	if err != nil {
		t.Fatal(err)
	}
	copy(img[0x40000:], ssbl)
	return img
}

func TestScanFindsEveryEntry(t *testing.T) {
	img := bootImage(t)
	got := Scan(bytes.NewReader(img), 0, int64(len(img)), 512)
	if len(got) != 2 {
		t.Fatalf("found %d objects, want 2: %+v", len(got), got)
	}
	if got[0].Offset != 0 || got[0].Type != "STM32" || got[0].Size != 256+3000 {
		t.Errorf("first object %+v, want STM32 at 0 of 3256 bytes", got[0])
	}
	if got[1].Offset != 0x40000 || got[1].Type != "uImage" || got[1].Size != 64+5000 || !strings.Contains(got[1].Summary, "'U-Boot'") {
		t.Errorf("second object %+v, want uImage 'U-Boot' at 0x40000 of 5064 bytes", got[1])
	}
}

// A corrupted payload keeps its magic but must not be reported as an image.
func TestScanChecksBeforeReporting(t *testing.T) {
	img := bootImage(t)
	img[0x40000+64+10] ^= 1 // uImage data CRC is not checked by the scan, header CRC is
	img[0x40000+20] ^= 1    // header byte: header CRC now wrong
	img[300] ^= 1           // FSBL payload: STM32 checksum now wrong
	if got := Scan(bytes.NewReader(img), 0, int64(len(img)), 512); len(got) != 0 {
		t.Fatalf("corrupted objects reported: %+v", got)
	}
}

func FuzzScan(f *testing.F) {
	f.Add([]byte("STM2"), int64(16))
	f.Add([]byte{0x27, 0x05, 0x19, 0x56}, int64(512))
	f.Add([]byte{0xd0, 0x0d, 0xfe, 0xed, 0, 0, 0, 0x40}, int64(8))
	f.Fuzz(func(t *testing.T, data []byte, step int64) {
		if step <= 0 || step > 1<<20 {
			step = 512
		}
		for _, o := range Scan(bytes.NewReader(data), 0, int64(len(data)), step) {
			if o.Offset < 0 || o.Size <= 0 || o.Offset+o.Size > int64(len(data)) {
				t.Fatalf("object outside the data: %+v (len %d)", o, len(data))
			}
		}
	})
}
