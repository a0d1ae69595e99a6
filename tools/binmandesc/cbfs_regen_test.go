//go:build regen

package binmandesc

func init() { extraCases = append(extraCases, cbfsCases) }

// cbfsCases record binman's cbfs entry (cbfs_util's writer).
func cbfsCases() []goldenCase {
	files := map[string][]byte{
		"in/u-boot.bin": []byte("1234"),
		"in/one.bin":    []byte("ONE FILE"),
		"in/big.bin":    []byte("compress xxxxxxxxxxxxxxxxxxxxxx data compress xxxxxxxxxxxxxxxxxxxxxx data"),
	}
	return []goldenCase{
		{name: "cbfs-x86", flags: []string{"-m"}, files: files, dts: dtsOf(`
    text { text = "head"; };
    cbfs {
        size = <0x180>;
        u-boot { cbfs-type = "raw"; };
        one { type = "blob"; filename = "one.bin"; cbfs-type = "raw"; cbfs-name = "fallback/one"; };
        big { type = "blob"; filename = "big.bin"; cbfs-type = "raw"; cbfs-compress = "lz4"; };
    };
`)},
		{name: "cbfs-arm-offset", flags: []string{"-m"}, files: files, dts: dtsOf(`
    cbfs {
        size = <0x200>;
        cbfs-arch = "arm64";
        u-boot { cbfs-type = "raw"; cbfs-offset = <0x100>; };
        one { type = "blob"; filename = "one.bin"; cbfs-type = "raw"; };
    };
    fdtmap { };
`)},
		{name: "cbfs-x86-offset", flags: []string{"-m"}, files: files, dts: dtsOf(`
    cbfs {
        size = <0x300>;
        one { type = "blob"; filename = "one.bin"; cbfs-type = "raw"; cbfs-offset = <0x140>; };
        u-boot { cbfs-type = "raw"; cbfs-offset = <0x1c0>; cbfs-compress = "lz4"; };
    };
`)},
		{name: "cbfs-lzma", flags: []string{"-m"}, files: files, dts: dtsOf(`
    cbfs {
        size = <0x140>;
        cbfs-arch = "ppc64";
        one { type = "blob"; filename = "one.bin"; cbfs-type = "raw"; cbfs-compress = "lzma"; };
        big { type = "blob"; filename = "big.bin"; cbfs-type = "raw"; cbfs-compress = "lzma"; };
    };
`)},
		{name: "cbfs-err-no-space", files: files, dts: dtsOf(`
    cbfs {
        size = <0x80>;
        big { type = "blob"; filename = "big.bin"; cbfs-type = "raw"; };
    };
`)},
		{name: "cbfs-err-tiny", files: files, dts: dtsOf(`
    cbfs { size = <0x20>; };
`)},
		{name: "cbfs-err-arch", files: files, dts: dtsOf(`
    cbfs { size = <0x100>; cbfs-arch = "sparc"; };
`)},
		{name: "cbfs-err-type", files: files, dts: dtsOf(`
    cbfs { size = <0x100>; u-boot { }; };
`)},
	}
}
