//go:build regen

package binmandesc

import "encoding/binary"

func init() { extraCases = append(extraCases, fitTeeCases) }

// opteeV1Bin is an OP-TEE tee.bin: "OPTE", version 1, arch, flags, then
// init size, entry (high, low), init memory size and paged size,
// little-endian, then the init part.
func opteeV1Bin(entry uint64, paged uint32, body []byte, initSize uint32) []byte {
	b := []byte("OPTE\x01\x01\x00\x00")
	for _, v := range []uint32{initSize, uint32(entry >> 32), uint32(entry), initSize, paged} {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return append(b, body...)
}

// fitTeeCases record binman's split-elf of an OP-TEE v1 binary (one
// image node at the entry address) and its errors.
func fitTeeCases() []goldenCase {
	body := []byte("OP-TEE INIT PART")
	files := map[string][]byte{
		"in/tee.bin":       opteeV1Bin(0x0e100000, 0, body, uint32(len(body))),
		"in/tee-paged.bin": opteeV1Bin(0x0e100000, 0x1000, body, uint32(len(body))),
		"in/tee-short.bin": opteeV1Bin(0x0e100000, 0, body, uint32(len(body))+4),
		"in/u-boot.bin":    []byte("1234"),
	}
	fit := func(args string, content string) string {
		return dtsOf(`
    fit {
        description = "tee";
        #address-cells = <1>;
        fit,fdt-list-val = "board";
        images {
            @tee-SEQ {
                fit,operation = "split-elf";
                description = "TEE"; type = "tee"; arch = "arm64"; os = "tee"; compression = "none";
                fit,load;
                fit,entry;
                fit,data;
                ` + content + `
                hash { algo = "sha256"; };
            };
        };
        configurations { default = "conf-1"; conf-1 { loadables = "tee-1"; }; };
    };
`)
	}
	return []goldenCase{
		{name: "fit-tee-optee-v1", flags: []string{"-m", "-a", "tee-os-path=tee.bin"}, files: files, dts: fit("", `tee-os { };`)},
		{name: "fit-tee-err-paged", flags: []string{"-a", "tee-os-path=tee-paged.bin"}, files: files, dts: fit("", `tee-os { };`)},
		{name: "fit-tee-err-size", flags: []string{"-a", "tee-os-path=tee-short.bin"}, files: files, dts: fit("", `tee-os { };`)},
		{name: "fit-tee-err-two", flags: []string{"-a", "tee-os-path=tee.bin"}, files: files, dts: fit("", `tee-os { }; u-boot { no-expanded; };`)},
		{name: "fit-tee-err-not-elf", files: files, dts: fit("", `blob { filename = "u-boot.bin"; };`)},
	}
}
