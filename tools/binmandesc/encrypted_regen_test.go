//go:build regen

package binmandesc

func init() { extraCases = append(extraCases, encryptedCases) }

// encryptedCases record binman's encrypted entry: a cipher node for a FIT
// image (mkimage runs without keys, so it stays as written; the recorder
// runs with SOURCE_DATE_EPOCH=0) and binman's errors. A missing IV file
// gives binman's message naming the work directory (checked by the
// suite, tools/binmandesc/suite).
func encryptedCases() []goldenCase {
	files := map[string][]byte{
		"in/fw.enc":     []byte("ENCRYPTED FIRMWARE BYTES"),
		"in/fw.iv":      []byte("0123456789abcdef"),
		"in/fw.key":     []byte("KEY-KEY-KEY-KEY-KEY-KEY-KEY-KEY!"),
		"in/u-boot.bin": []byte("1234"),
	}
	fit := func(enc string) string {
		return dtsOf(`
    fit {
        description = "encrypted";
        #address-cells = <1>;
        images {
            fw {
                description = "fw"; type = "firmware"; compression = "none";
                hash-1 { algo = "sha256"; };
                blob { filename = "fw.enc"; };
                encrypted {` + enc + `};
            };
        };
        configurations { default = "c"; c { firmware = "fw"; }; };
    };
`)
	}
	return []goldenCase{
		{name: "encrypted-fit-key", flags: []string{"-m"}, files: files, dts: fit(`
                    algo = "aes256"; iv-filename = "fw.iv"; key-filename = "fw.key";
                `)},
		{name: "encrypted-fit-key-source", flags: []string{"-u", "-m"}, files: files, dts: fit(`
                    algo = "aes128"; iv-filename = "fw.iv"; key-source = "otp"; key-filename = "fw.key";
                `)},
		{name: "encrypted-err-no-key", files: files, dts: fit(`algo = "aes128"; iv-filename = "fw.iv";`)},
		{name: "encrypted-err-no-props", files: files, dts: fit(`key-source = "otp";`)},
	}
}
