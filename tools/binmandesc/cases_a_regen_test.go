//go:build regen

package binmandesc

// Cases for the entry types null, collection and files (issue 12, part A),
// recorded like the others (regen_test.go).
func init() {
	extraCases = append(extraCases, entryTypeCasesA)
}

func entryTypeCasesA() []goldenCase {
	um := []string{"-u", "-m"}
	blobs := func() map[string][]byte {
		return map[string][]byte{
			"in/u-boot-nodtb.bin": []byte("nodtb with some text"),
			"in/a.bin":            []byte("AAAAAAA"),
		}
	}
	dat := func() map[string][]byte {
		return map[string][]byte{
			"in/files/1.dat":        []byte("first file\n"),
			"in/files/2.dat":        []byte("second file, a little longer, and compressible compressible\n"),
			"in/files/skip.txt":     []byte("not matched"),
			"in/files/dir.dat/keep": []byte("a directory is skipped"),
		}
	}
	return []goldenCase{
		// null takes the pad byte of the section holding it; as an overlap
		// entry it writes nothing.
		{name: "null-pad", flags: um, files: blobs(), dts: dtsOf(`
    pad-byte = <0xee>;
    a { type = "blob"; filename = "a.bin"; };
    null { size = <5>; };
    sec {
        type = "section";
        pad-byte = <0x11>;
        gap { type = "null"; size = <3>; };
        a { type = "blob"; filename = "a.bin"; };
        hole { type = "null"; offset = <2>; size = <2>; overlap; };
    };
    fdtmap { };
`)},
		{name: "null-no-size", flags: []string{"-m"}, files: blobs(), dts: dtsOf(`
    null { };
`)},
		// collection: data of entries before and after it, a section's
		// included, in the order listed.
		{name: "collection-mixed", flags: um, files: blobs(), dts: dtsOf(`
    collection { content = <&sec &nodtb &a>; };
    a: a { type = "blob"; filename = "a.bin"; };
    sec: sec {
        type = "section";
        pad-byte = <0x22>;
        t { type = "text"; text = "txt"; size = <5>; };
        f { type = "fill"; size = <2>; fill-byte = [cc]; };
    };
    nodtb: u-boot-nodtb { };
    fdtmap { };
`)},
		{name: "collection-no-content", flags: []string{"-m"}, files: blobs(), dts: dtsOf(`
    collection { };
    a { type = "blob"; filename = "a.bin"; };
`)},
		// files: every regular file matching, sorted, compressed and
		// aligned as asked.
		{name: "files-lz4-align", flags: []string{"-m"}, files: dat(), dts: dtsOf(`
    pre { type = "text"; text = "x"; };
    files { pattern = "files/*.dat"; files-compress = "lz4"; files-align = <8>; };
`)},
		{name: "files-require-none", flags: []string{"-m"}, files: dat(), dts: dtsOf(`
    files { pattern = "files/*.none"; require-matches; };
`)},
		{name: "files-none-ok", flags: []string{"-m"}, files: dat(), dts: dtsOf(`
    files { pattern = "files/*.none"; };
    a { type = "text"; text = "after"; };
`)},
	}
}
