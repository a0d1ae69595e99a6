package flashlayout

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The whole-disk form of the STM32MP1 factory-flashing article: FSBL and
// SSBL for the USB session, then the raw SD image on mmc0.
var wholeDisk = []Entry{
	{Option: "-", ID: "0x01", Name: "fsbl-boot", Type: "Binary", Device: "none", Offset: "0x0", Binary: "tf-a-stm32mp157c-dk2-usb.stm32"},
	{Option: "-", ID: "0x03", Name: "ssbl-boot", Type: "Binary", Device: "none", Offset: "0x0", Binary: "u-boot.stm32"},
	{Option: "P", ID: "0x10", Name: "sdcard", Type: "RawImage", Device: "mmc0", Offset: "0x0", Binary: "sdcard.img"},
}

func TestWriteWholeDiskForm(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, wholeDisk); err != nil {
		t.Fatal(err)
	}
	want := "#Opt\tId\tName\tType\tIP\tOffset\tBinary\n" +
		"-\t0x01\tfsbl-boot\tBinary\tnone\t0x0\ttf-a-stm32mp157c-dk2-usb.stm32\n" +
		"-\t0x03\tssbl-boot\tBinary\tnone\t0x0\tu-boot.stm32\n" +
		"P\t0x10\tsdcard\tRawImage\tmmc0\t0x0\tsdcard.img\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("layout (-want +got):\n%s", diff)
	}
	if err := Check(wholeDisk); err != nil {
		t.Fatal(err)
	}
}

func TestParseRoundTripAndExtraTabs(t *testing.T) {
	// Several tabs between fields are allowed (column alignment), as are comments.
	src := "#opt\tId\tName\tType\t\tDevice\tOffset\t\tBinary\n" +
		"P\t0x04\tfsbl1\tBinary\t\tmmc1\tboot1\t\tfsbl.stm32\r\n" +
		"\n" +
		"PE\t0x22\tuserfs\tFileSystem\tmmc1\t0x45280000\tnone\n"
	got, err := Parse(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Option: "P", ID: "0x04", Name: "fsbl1", Type: "Binary", Device: "mmc1", Offset: "boot1", Binary: "fsbl.stm32", Line: 2},
		{Option: "PE", ID: "0x22", Name: "userfs", Type: "FileSystem", Device: "mmc1", Offset: "0x45280000", Binary: "none", Line: 4},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := Check(got); err != nil {
		t.Fatal(err)
	}
}

func TestCheckErrors(t *testing.T) {
	base := func() []Entry { return append([]Entry(nil), wholeDisk...) }
	cases := []struct {
		name   string
		mutate func([]Entry) []Entry
		want   string
	}{
		{"bad option", func(e []Entry) []Entry { e[2].Option = "X"; return e }, `entry 'sdcard': Opt "X" is not one of -, P, PE, PD, PDE`},
		{"EP is PE", func(e []Entry) []Entry { e[2].Option = "EP"; return e }, ""},
		{"PP", func(e []Entry) []Entry { e[2].Option = "PP"; return e }, `Opt "PP"`},
		{"bad id", func(e []Entry) []Entry { e[2].ID = "16"; return e }, `entry 'sdcard': Id "16" is not a hex byte`},
		{"dup id", func(e []Entry) []Entry { e[2].ID = "0x3"; return e }, `entry 'sdcard': Id 0x3 is already used by entry 'ssbl-boot'`},
		{"dup name", func(e []Entry) []Entry { e[2].Name = "fsbl-boot"; return e }, `Name "fsbl-boot" is already used`},
		{"space in name", func(e []Entry) []Entry { e[2].Name = "sd card"; return e }, `must be 1 to 32 characters without white space`},
		{"bad type", func(e []Entry) []Entry { e[2].Type = "Raw"; return e }, `Type "Raw" is not one of`},
		{"bad device", func(e []Entry) []Entry { e[2].Device = "sd0"; return e }, `IP "sd0" is not none or mmcN`},
		{"raw not at 0", func(e []Entry) []Entry { e[2].Offset = "0x200"; return e }, `a RawImage covers the whole device and must be at Offset 0x0`},
		{"boot line programs", func(e []Entry) []Entry { e[0].Option = "P"; return e }, `device none takes Opt '-'`},
		{"boot line offset", func(e []Entry) []Entry { e[0].Offset = "0x100"; return e }, `device none takes Offset 0x0`},
		{"boot1 on nor", func(e []Entry) []Entry { e[2].Device = "nor0"; e[2].Offset = "boot1"; e[2].Type = "Binary"; return e }, `Offset boot1 is an eMMC boot partition, but IP is nor0`},
		{"none binary programmed", func(e []Entry) []Entry { e[2].Binary = "none"; return e }, `Binary is none but Opt P programs the partition`},
		{"raw shares device", func(e []Entry) []Entry {
			return append(e, Entry{Option: "P", ID: "0x11", Name: "rootfs", Type: "FileSystem", Device: "mmc0", Offset: "0x100000", Binary: "r"})
		}, `a RawImage on mmc0 cannot share the device with entry 'sdcard'`},
		{"offsets go back", func(e []Entry) []Entry {
			return []Entry{e[0], e[1],
				{Option: "P", ID: "0x04", Name: "a", Type: "Binary", Device: "mmc0", Offset: "0x8000", Binary: "a"},
				{Option: "P", ID: "0x05", Name: "b", Type: "Binary", Device: "mmc0", Offset: "0x4000", Binary: "b"}}
		}, `entry 'b': Offset 0x4000 (16384) on mmc0 is not after entry 'a' at 0x8000 (32768)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(c.mutate(base()))
			if c.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	_, err := Parse(strings.NewReader("#c\nP\t0x01\tfsbl\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2: 3 fields, want 7") {
		t.Fatalf("err = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	var b bytes.Buffer
	Write(&b, wholeDisk)
	f.Add(b.String())
	f.Add("P\t0x04\tfsbl1\tBinary\t\tmmc1\tboot1\t\tfsbl.stm32\n")
	f.Fuzz(func(t *testing.T, s string) {
		entries, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		if Check(entries) != nil {
			return
		}
		// A valid layout survives a write/parse round trip unchanged.
		var out bytes.Buffer
		if err := Write(&out, entries); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(&out)
		if err != nil {
			t.Fatalf("reparse: %v", err)
		}
		if len(again) != len(entries) {
			t.Fatalf("round trip: %d entries, then %d", len(entries), len(again))
		}
		for i := range entries {
			a, b := entries[i], again[i]
			a.Line, b.Line = 0, 0
			if a != b {
				t.Fatalf("round trip entry %d: %+v != %+v", i, a, b)
			}
		}
	})
}
