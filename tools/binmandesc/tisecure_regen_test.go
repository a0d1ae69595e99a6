//go:build regen

package binmandesc

func init() { extraCases = append(extraCases, tiSecureCases) }

// tiSecureCases record binman's checks on TI's signing entries before it
// runs openssl.
func tiSecureCases() []goldenCase {
	files := map[string][]byte{"in/ti.bin": []byte("unsigned TI image")}
	return []goldenCase{
		{name: "ti-secure-err-keyfile", files: files, dts: dtsOf(`
    ti-secure { content = <&blob>; auth-in-place = <0xa02>; };
    blob: blob { filename = "ti.bin"; };
`)},
		{name: "ti-secure-rom-err-content", files: files, dts: dtsOf(`
    ti-secure-rom { keyfile = "key.pem"; combined; };
    blob: blob { filename = "ti.bin"; };
`)},
		{name: "ti-secure-rom-err-keyfile", files: files, dts: dtsOf(`
    ti-secure-rom { content = <&blob>; core = "secure"; };
    blob: blob { filename = "ti.bin"; };
`)},
	}
}
