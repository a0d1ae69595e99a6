//go:build regen

package binmandesc

func init() { extraCases = append(extraCases, smallEtypeCases) }

// smallEtypeCases record binman's u-boot-env, blob-ext-list, fmap and
// tee-os entries.
func smallEtypeCases() []goldenCase {
	files := map[string][]byte{
		"in/env.txt":    []byte("bootcmd=run x\n\n# kept\r\nbaudrate=115200\rlast=1"),
		"in/one.bin":    []byte("ONE"),
		"in/two.bin":    []byte("TWO-TWO"),
		"in/tee.bin":    []byte("this is some tee OS data"),
		"in/u-boot.bin": []byte("1234"),
	}
	return []goldenCase{
		{name: "env-fill", flags: []string{"-m"}, files: files, dts: dtsOf(`
    u-boot { no-expanded; };
    u-boot-env { filename = "env.txt"; size = <0x40>; fill-byte = [a5]; };
    env2 { type = "u-boot-env"; filename = "env.txt"; size = <0x3c>; };
`)},
		{name: "env-err-small", files: files, dts: dtsOf(`
    u-boot-env { filename = "env.txt"; size = <0x30>; };
`)},
		{name: "env-err-no-size", files: files, dts: dtsOf(`
    u-boot-env { filename = "env.txt"; };
`)},
		{name: "blob-ext-list", flags: []string{"-m"}, files: files, dts: dtsOf(`
    u-boot { no-expanded; };
    blob-ext-list { filenames = "one.bin", "two.bin", "one.bin"; };
`)},
		{name: "fmap-sections", flags: []string{"-m"}, files: files, dts: dtsOf(`
    size = <0x200>;
    section@ro {
        offset = <0x10>;
        preserve;
        u-boot { no-expanded; };
        text-ro { type = "text"; text = "read-only"; };
    };
    rw-area@1 { type = "fill"; size = <0x20>; fill-byte = [ee]; preserve; };
    fmap { };
    tee-os { filename = "tee.bin"; };
`)},
	}
}
