//go:build regen

package binmandesc

func init() { extraCases = append(extraCases, securityCases) }

// securityCases record binman's checks on x509-cert and
// u-boot-spl-pubkey-dtb, which fwtool refuses by name after them.
func securityCases() []goldenCase {
	files := map[string][]byte{"in/u-boot.bin": []byte("1234"), "in/spl/u-boot-spl.dtb": smallDTB()}
	return []goldenCase{
		{name: "x509-err-no-content", files: files, dts: dtsOf(`
    x509-cert { cert-ca = "ca"; };
`)},
		{name: "x509-err-no-keyfile", files: files, dts: dtsOf(`
    x509-cert { cert-ca = "ca"; content = <&ub>; };
    ub: u-boot { no-expanded; };
`)},
		{name: "spl-pubkey-err-no-hint", files: files, dts: dtsOf(`
    u-boot-spl-pubkey-dtb { algo = "sha256,rsa2048"; required = "conf"; };
`)},
		{name: "spl-pubkey-err-path", files: files, dts: dtsOf(`
    u-boot-spl-pubkey-dtb { algo = "sha256,rsa2048"; required = "conf"; key-name-hint = "dir/dev"; };
`)},
	}
}
