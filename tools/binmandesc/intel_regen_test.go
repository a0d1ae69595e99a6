//go:build regen

package binmandesc

import "encoding/binary"

func init() { extraCases = append(extraCases, intelCases) }

// flashDescriptor is a 4 KiB Intel flash descriptor whose region table
// puts the ME region at 0x1000..0x2fff.
func flashDescriptor() []byte {
	d := make([]byte, 0x1000)
	for i := range d[:0x10] {
		d[i] = 0xff
	}
	binary.LittleEndian.PutUint32(d[0x10:], 0x0ff0a55a)
	binary.LittleEndian.PutUint32(d[0x14:], 0x00040003) // FLMAP0: FRBA = 0x04 << 4
	binary.LittleEndian.PutUint32(d[0x40:], 0x00000000) // descriptor
	binary.LittleEndian.PutUint32(d[0x44:], 0x07ff0003) // BIOS
	binary.LittleEndian.PutUint32(d[0x48:], 0x00020001) // ME: base 0x1000, limit 0x2fff
	return d
}

// intelCases record binman's Intel x86 blob entries.
func intelCases() []goldenCase {
	files := map[string][]byte{"in/descriptor.bin": flashDescriptor(), "in/me.bin": []byte("MANAGEMENT ENGINE"), "in/mrc.bin": []byte("MRC"), "in/refcode.bin": []byte("REFCODE"),
		"in/intel-vbt": []byte("VBT"), "in/vga.bin": []byte("VGA"), "in/fsp.bin": []byte("FSP"), "in/cmc.bin": []byte("CMC")}
	return []goldenCase{
		{name: "intel-descriptor-me", flags: []string{"-m"}, files: files, dts: dtsOf(`
    sort-by-offset;
    end-at-4gb;
    size = <0x10000>;
    intel-descriptor { filename = "descriptor.bin"; };
    intel-me { filename = "me.bin"; offset-unset; };
    intel-mrc { filename = "ignored.bin"; offset = <0xffff8000>; };
`)},
		{name: "intel-blobs", flags: []string{"-m"}, files: files, dts: dtsOf(`
    intel-refcode { };
    intel-vbt { };
    intel-vga { filename = "vga.bin"; };
    intel-fsp { filename = "fsp.bin"; };
    intel-cmc { filename = "cmc.bin"; };
    fsp-m { type = "intel-fsp-m"; filename = "fsp.bin"; };
`)},
		{name: "intel-me-no-descriptor", flags: []string{"-m"}, files: files, dts: dtsOf(`
    intel-me { filename = "me.bin"; offset-unset; };
`)},
	}
}
