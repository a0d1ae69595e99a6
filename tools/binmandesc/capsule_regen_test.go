//go:build regen

package binmandesc

func init() { extraCases = append(extraCases, capsuleCases) }

// capsuleCases record binman's efi-capsule and efi-empty-capsule (binman
// runs mkeficapsule from U-Boot 2023.01 here).
func capsuleCases() []goldenCase {
	files := map[string][]byte{"in/fw.bin": []byte("FIRMWARE IMAGE"), "in/u-boot.bin": []byte("U-BOOT")}
	return []goldenCase{
		{name: "capsule-fmp", flags: []string{"-m"}, files: files, dts: dtsOf(`
    efi-capsule {
        image-index = <0x2>;
        image-guid = "09d7cf52-0720-4710-91d1-08469b7fe9c8";
        hardware-instance = <0x5>;
        oem-flags = <0x8001>;
        blob { filename = "fw.bin"; };
        u-boot { no-expanded; };
        text { text = "tail"; };
    };
`)},
		{name: "capsule-in-section", flags: []string{"-m"}, files: files, dts: dtsOf(`
    text { text = "head"; };
    efi-capsule {
        image-index = <0x1>;
        image-guid = "binman-test";
        align = <16>;
        blob { filename = "fw.bin"; };
    };
    accept { type = "efi-empty-capsule"; image-guid = "binman-test"; capsule-type = "accept"; };
    revert { type = "efi-empty-capsule"; capsule-type = "revert"; };
`)},
		{name: "capsule-err-required", flags: []string{"-m"}, files: files, dts: dtsOf(`
    efi-capsule { blob { filename = "fw.bin"; }; };
`)},
		{name: "capsule-err-type", flags: []string{"-m"}, files: files, dts: dtsOf(`
    efi-empty-capsule { capsule-type = "sideways"; };
`)},
		{name: "capsule-err-key", flags: []string{"-m"}, files: files, dts: dtsOf(`
    efi-capsule { image-index = <1>; image-guid = "binman-test"; private-key = "k.key"; blob { filename = "fw.bin"; }; };
`)},
	}
}
