//go:build regen

package binmandesc

func init() { extraCases = append(extraCases, fipCases) }

// fipCases record binman's atf-fip entry.
func fipCases() []goldenCase {
	files := map[string][]byte{"in/bl31.bin": []byte("BL31 soc firmware"), "in/bl2u.bin": []byte("BL2U"), "in/u-boot.bin": []byte("U-BOOT PROPER"), "in/blob-ext": []byte("DEFAULT"), "in/x.bin": []byte("XX")}
	return []goldenCase{
		{name: "fip-basic", flags: []string{"-u", "-m"}, files: files, dts: dtsOf(`
    text { text = "pre"; };
    atf-fip {
        fip-hdr-flags = /bits/ 64 <0x123456789>;
        fip-align = <16>;
        soc-fw { fip-flags = /bits/ 64 <0xfedcba9876543210>; filename = "bl31.bin"; };
        u-boot { fip-type = "nt-fw"; };
        scp-fwu-cfg { filename = "bl2u.bin"; };
        by-uuid { type = "blob"; filename = "x.bin"; fip-uuid = [01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10]; };
        empty { type = "fill"; size = <0>; fip-type = "tos-fw"; };
        tb-fw { };
    };
    fdtmap { };
`)},
		{name: "fip-section", flags: []string{"-m"}, files: files, dts: dtsOf(`
    atf-fip {
        size = <0x200>;
        pad-byte = <0xff>;
        nt-fw { type = "section"; a { type = "blob"; filename = "x.bin"; }; b { type = "text"; text = "bb"; }; };
        cca-cert { type = "blob"; filename = "bl2u.bin"; fip-type = "soc-fw"; };
    };
`)},
		{name: "fip-err-no-type", flags: []string{"-m"}, files: files, dts: dtsOf(`
    atf-fip { u-boot { }; };
`)},
		{name: "fip-err-unknown-type", flags: []string{"-m"}, files: files, dts: dtsOf(`
    atf-fip { u-boot { fip-type = "no-such-fw"; }; };
`)},
		{name: "fip-err-align", flags: []string{"-m"}, files: files, dts: dtsOf(`
    atf-fip { fip-align = <24>; soc-fw { filename = "bl31.bin"; }; };
`)},
	}
}
