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
		// With a keyfile binman reads the firewall subnodes next.
		{name: "ti-secure-err-firewall", flags: []string{"-a", "keyfile=key.pem"}, files: files, dts: dtsOf(`
    ti-secure {
        content = <&blob>;
        auth-in-place = <0xa02>;
        firewall-1-0 { id = <1>; region = <0>; control = <0x31a>; permissions = <0xc3ffff>; start_address = <0x0 0x0>; end_address = <0x0 0xfff>; };
        firewall-0-2 { region = <2>; permissions = <0xc3ffff>; end_address = <0x0 0x9fffffff>; };
    };
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
