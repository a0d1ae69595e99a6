//go:build regen

package binmandesc

import (
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/dts"
)

func init() { extraCases = append(extraCases, phaseDTBCases) }

// phaseTree compiles an SPL/TPL/VPL device tree for a case's inputs.
func phaseTree(src string) []byte {
	t, err := dts.Compile("phase.dts", []byte(src), dts.DefaultOptions())
	if err != nil {
		panic(err)
	}
	return t.Bytes()
}

// phaseDTBCases record binman's changes to the SPL/TPL/VPL device trees:
// the expanded u-boot subnodes and, with -u, the position properties
// (no repack ones, and the hash) on the nodes of the same path. The SPL
// tree is the description's with an extra property (as binman's harness
// makes it), the TPL one lacks the section, the VPL one has no binman node.
func phaseDTBCases() []goldenCase {
	body := `
    u-boot { };
    section {
        align = <0x10>;
        hash { algo = "sha256"; };
        a { type = "blob"; filename = "a.bin"; };
        u-boot-spl-dtb { };
    };
    u-boot-tpl-dtb { compress = "lz4"; };
    u-boot-vpl-dtb { };
    fdtmap { };
`
	desc := dtsOf(body)
	spl := strings.Replace(desc, "binman {", "binman {\n    spl;", 1)
	tpl := dtsOf(`
    u-boot { };
    u-boot-tpl-dtb { };
`)
	vpl := "/dts-v1/;\n/ {\n\tmodel = \"vpl\";\n};\n"
	files := map[string][]byte{
		"in/u-boot-nodtb.bin":   []byte("UNODTB"),
		"in/a.bin":              []byte("AAAA"),
		"in/spl/u-boot-spl.dtb": phaseTree(spl),
		"in/tpl/u-boot-tpl.dtb": phaseTree(tpl),
		"in/vpl/u-boot-vpl.dtb": phaseTree(vpl),
	}
	repack := strings.Replace(desc, "binman {", "binman {\n    allow-repack;", 1)
	return []goldenCase{
		{name: "phase-dtbs", flags: []string{"-m"}, files: files, dts: desc},
		{name: "phase-dtbs-update", flags: []string{"-u", "-m"}, files: files, dts: desc},
		{name: "phase-dtbs-repack", flags: []string{"-u", "-m"}, files: files, dts: repack},
	}
}
