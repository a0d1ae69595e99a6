//go:build regen

package binmandesc

func init() { extraCases = append(extraCases, mkimageCases) }

// mkimageCases record binman's mkimage entry with legacy image types
// (binman runs mkimage 2023.01; the recorder sets SOURCE_DATE_EPOCH=0).
func mkimageCases() []goldenCase {
	files := map[string][]byte{"in/a.bin": []byte("FIRST FILE"), "in/b.bin": []byte("SECOND")}
	return []goldenCase{
		{name: "mkimage-script", flags: []string{"-m"}, files: files, dts: dtsOf(`
    text { text = "pre"; };
    mkimage {
        args = "-n test -T script";
        a { type = "blob"; filename = "a.bin"; };
        t { type = "text"; text = "echo hi"; };
    };
    b { type = "blob"; filename = "b.bin"; };
`)},
		{name: "mkimage-kernel", flags: []string{"-m"}, files: files, dts: dtsOf(`
    mkimage {
        args = "-A", "arm", "-O", "linux", "-T", "kernel", "-C", "none", "-a", "0x80008000", "-n", "Linux kernel";
        a { type = "blob"; filename = "a.bin"; };
    };
`)},
		{name: "mkimage-multi-files", flags: []string{"-m"}, files: files, dts: dtsOf(`
    mkimage {
        args = "-A arm64 -T multi -C none -a 0x1000 -e 0x1040 -n two";
        multiple-data-files;
        a { type = "blob"; filename = "a.bin"; };
        b { type = "blob"; filename = "b.bin"; };
    };
`)},
		{name: "mkimage-defaults", flags: []string{"-m"}, files: files, dts: dtsOf(`
    mkimage {
        args;
        a { type = "blob"; filename = "a.bin"; };
    };
`)},
	}
}
