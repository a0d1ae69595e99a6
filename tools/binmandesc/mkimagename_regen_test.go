//go:build regen

package binmandesc

func init() { extraCases = append(extraCases, mkimageNameCases) }

// mkimageNameCases record binman's mkimage entry with an imagename node
// (no image positions; -n in args after binman's own), data-to-imagename
// and "filename" (mkimage's output written to that file too). Recorded
// with SOURCE_DATE_EPOCH=0, as mkimageCases.
func mkimageNameCases() []goldenCase {
	files := map[string][]byte{"in/a.bin": []byte("FIRST FILE"), "in/u-boot.bin": []byte("1234")}
	return []goldenCase{
		{name: "mkimage-imagename", flags: []string{"-m"}, files: files, tools: mkimageVersion, dts: dtsOf(`
    pre { type = "text"; text = "pre"; };
    mkimage {
        args = "-T script -n given";
        a { type = "blob"; filename = "a.bin"; };
        imagename { type = "section"; u-boot { no-expanded; }; };
    };
`)},
		{name: "mkimage-data-to-imagename", flags: []string{"-m"}, files: files, tools: mkimageVersion, dts: dtsOf(`
    mkimage {
        args = "-T", "script", "-n", "named";
        data-to-imagename;
        a { type = "blob"; filename = "a.bin"; };
    };
`)},
		{name: "mkimage-filename", flags: []string{"-m"}, files: files, tools: mkimageVersion, dts: dtsOf(`
    mkimage {
        filename = "mk.bin";
        args = "-T kernel -C none -n k";
        a { type = "blob"; filename = "a.bin"; };
    };
`)},
	}
}
