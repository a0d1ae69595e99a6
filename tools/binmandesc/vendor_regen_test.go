//go:build regen

package binmandesc

func init() { extraCases = append(extraCases, vendorCases) }

// vendorCases record binman's small vendor formats: nxp-header-ddrfw,
// renesas-rcar4-sa0 and powerpc-mpc85xx-bootpg-resetvec; nxp-ddrfw also
// writes its section's data to a file of its own (binman's "filename").
func vendorCases() []goldenCase {
	files := map[string][]byte{
		"in/imem.bin":      []byte("DDR PHY IMEM image"),
		"in/dmem.bin":      []byte("DMEM"),
		"in/u-boot.bin":    []byte("1234"),
		"in/u-boot-br.bin": []byte("mpc85xx bootpg + resetvec"),
	}
	return []goldenCase{
		{name: "nxp-ddrfw", flags: []string{"-m"}, files: files, dts: dtsOf(`
    text { text = "head"; };
    ddr {
        type = "nxp-header-ddrfw";
        filename = "ddr.bin";
        imem { type = "blob-ext"; filename = "imem.bin"; };
        dmem { type = "blob"; filename = "dmem.bin"; align = <8>; };
        t { type = "text"; text = "tail"; };
    };
`)},
		{name: "rcar4-sa0", flags: []string{"-m"}, files: files, dts: dtsOf(`
    renesas-rcar4-sa0 {
        renesas,loader-address = <0xeb210000>;
        big { type = "fill"; size = <0x40010>; fill-byte = [5a]; };
        u-boot { no-expanded; };
    };
`)},
		{name: "rcar4-sa0-err-size", files: files, dts: dtsOf(`
    renesas-rcar4-sa0 {
        renesas,loader-address = <0x10>;
        fill { size = <0x12c001>; };
    };
`)},
		{name: "rcar4-sa0-err-required", files: files, dts: dtsOf(`
    renesas-rcar4-sa0 {
        u-boot { no-expanded; };
    };
`)},
		{name: "mpc85xx-bootpg-resetvec", flags: []string{"-m"}, files: files, dts: dtsOf(`
    size = <0x1000>;
    u-boot { no-expanded; };
    powerpc-mpc85xx-bootpg-resetvec { offset = <0xfe0>; filename = "ignored.bin"; };
`)},
	}
}
