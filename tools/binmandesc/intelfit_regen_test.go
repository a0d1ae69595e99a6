//go:build regen

package binmandesc

func init() { extraCases = append(extraCases, intelFitCases) }

// intelFitCases record binman's intel-fit and intel-fit-ptr: the table
// and its pointer in a 4 GiB-ending ROM, and a pointer without a table.
func intelFitCases() []goldenCase {
	files := map[string][]byte{"in/u-boot.bin": []byte("1234")}
	return []goldenCase{
		{name: "intel-fit", flags: []string{"-m"}, files: files, dts: dtsOf(`
    end-at-4gb;
    size = <0x100>;
    u-boot { no-expanded; };
    intel-fit { align = <4>; };
    intel-fit-ptr { };
`)},
		{name: "intel-fit-err-no-fit", files: files, dts: dtsOf(`
    end-at-4gb;
    size = <0x100>;
    u-boot { no-expanded; };
    intel-fit-ptr { };
`)},
	}
}
