//go:build regen

package binmandesc

func init() { extraCases = append(extraCases, fitSignCases) }

// fitSignCases record binman's fit,sign: mkimage -k with the input
// directory holding every key-name-hint's NAME.key (the recorder runs
// with SOURCE_DATE_EPOCH=0 for the FIT's and signatures' timestamps).
func fitSignCases() []goldenCase {
	files := map[string][]byte{
		"in/dev.key":          pemKey(2048),
		"in/u-boot-nodtb.bin": []byte("U-BOOT WITHOUT DTB"),
		"in/fw.bin":           []byte("FIRMWARE"),
		"in/u-boot.bin":       []byte("1234"),
	}
	fit := func(props, sig string) string {
		return dtsOf(`
    fit {
        description = "signed";
        #address-cells = <1>;
        ` + props + `
        images {
            u-boot {
                description = "u-boot"; type = "standalone"; arch = "arm64"; os = "u-boot"; compression = "none";
                load = <0x1000>; entry = <0x1000>;
                u-boot-nodtb { };
                hash-1 { algo = "sha256"; };
                ` + sig + `
            };
            fw {
                description = "fw"; type = "firmware"; arch = "arm64"; compression = "none";
                blob { filename = "fw.bin"; };
                hash-1 { algo = "sha1"; };
            };
        };
        configurations {
            default = "conf-1";
            conf-1 {
                description = "signed config"; firmware = "u-boot"; loadables = "fw";
                ` + sig + `
            };
        };
    };
`)
	}
	sig := `signature-1 { algo = "sha256,rsa2048"; key-name-hint = "dev"; sign-images = "firmware", "loadables"; };`
	return []goldenCase{
		{name: "fit-sign", flags: []string{"-m"}, files: files, dts: fit(`fit,sign;`, sig)},
		{name: "fit-sign-external", flags: []string{"-u", "-m"}, files: files, dts: fit(`fit,sign; fit,external-offset = <0x1000>; fit,align = <0x10>;`, sig)},
		{name: "fit-sign-no-nodes", flags: []string{"-m"}, files: files, dts: fit(`fit,sign;`, ``)},
		{name: "fit-sign-err-path", files: files, dts: fit(`fit,sign;`, `signature-1 { algo = "sha256,rsa2048"; key-name-hint = "keys/dev"; };`)},
		{name: "fit-sign-err-engine-encrypt", files: files, dts: fit(`fit,sign; fit,encrypt; fit,engine = "some-engine";`, sig)},
	}
}
