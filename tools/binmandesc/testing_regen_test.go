//go:build regen

package binmandesc

func init() { extraCases = append(extraCases, testingEtypeCases) }

// testingEtypeCases record binman's test-only _testing entry: contents
// that grow or shrink after packing (in a section, with an fdtmap and -u
// recording the sizes), extend-size asking for contents again, a
// placement request for an unknown entry, and its entry arguments.
func testingEtypeCases() []goldenCase {
	files := map[string][]byte{"in/u-boot.bin": []byte("1234")}
	return []goldenCase{
		{name: "testing-grow", flags: []string{"-m", "-u"}, files: files, dts: dtsOf(`
    _testing { bad-update-contents; };
    u-boot { no-expanded; };
    section {
        pad-byte = <0x5a>;
        t2 { type = "_testing"; bad-update-contents; };
        t3 { type = "_testing"; bad-shrink-contents; };
    };
    fdtmap { };
`)},
		{name: "testing-absent-optional", flags: []string{"-m"}, files: files, dts: dtsOf(`
    u-boot { no-expanded; };
    _testing { set-to-absent; optional; };
    t2 { type = "_testing"; set-to-absent; };
`)},
		{name: "testing-err-twice", files: files, dts: dtsOf(`
    _testing { bad-update-contents; bad-update-contents-twice; };
`)},
		{name: "testing-err-extend", files: files, dts: dtsOf(`
    _testing { extend-size; return-contents-once; };
    u-boot { no-expanded; offset = <8>; };
`)},
		{name: "testing-err-unknown-entry", files: files, dts: dtsOf(`
    _testing { return-invalid-entry; };
`)},
		{name: "testing-invalid-entry", flags: []string{"-m"}, files: files, dts: dtsOf(`
    _testing { return-invalid-entry; };
    invalid-entry { type = "fill"; size = <1>; fill-byte = [33]; overlap; offset = <0>; };
`)},
		{name: "testing-err-args", flags: []string{"-a", "test-str-arg=x"}, files: files, dts: dtsOf(`
    _testing { require-args; test-int-fdt = <5>; };
`)},
		{name: "testing-err-int-arg", flags: []string{"-a", "test-int-arg=abc"}, files: files, dts: dtsOf(`
    _testing { };
`)},
		{name: "testing-args", flags: []string{"-a", "test-str-arg=x", "-a", "test-int-arg=12"}, files: files, dts: dtsOf(`
    _testing { require-args; test-str-fdt = "s"; test-int-fdt = <5>; };
`)},
	}
}
