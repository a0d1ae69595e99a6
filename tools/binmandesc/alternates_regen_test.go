//go:build regen

package binmandesc

import (
	"debug/elf"

	"github.com/rules-firmware/rules_firmware/tools/elfgen"
)

func init() { extraCases = append(extraCases, alternatesCases) }

// alternatesCases record binman's alternates-fdt: the section once per
// model device tree in the listed directory, each tree (smaller than the
// image's) in place of the section's device-tree entries, written under
// filename-pattern; a file not named *.dtb is no model.
func alternatesCases() []goldenCase {
	model := func(name string) []byte {
		return phaseTree("/dts-v1/;\n/ {\n\tmodel = \"" + name + "\";\n\tcompatible = \"test," + name + "\";\n};\n")
	}
	tplDesc := dtsOf(`
    alternates-fdt {
        fdt-list-dir = "dtb";
        filename-pattern = "alt-NAME-NAME.bin";
        section {
            u-boot-tpl { };
        };
        text { text = "in-section"; };
    };
    text2 { type = "text"; text = "tail"; };
`)
	syms := []elfgen.Symbol{{Name: "__image_copy_start", Addr: splAddr}, {Name: "__bss_size", Addr: 0x0c, Shndx: uint16(elf.SHN_ABS)}}
	tplFiles := map[string][]byte{
		"in/tpl/u-boot-tpl-nodtb.bin": splText(),
		"in/tpl/u-boot-tpl":           elfgen.Build(false, splAddr, splText(), syms),
		"in/tpl/u-boot-tpl.dtb":       phaseTree(tplDesc),
		"in/dtb/one.dtb":              model("one"),
		"in/dtb/second.dtb":           model("second-model"),
		"in/dtb/notes.txt":            []byte("not a model"),
	}
	dtbDesc := dtsOf(`
    text { text = "head"; };
    alternates-fdt {
        fdt-list-dir = "models";
        pad-byte = <0xee>;
        u-boot-dtb { align-size = <0x10>; };
        fill { size = <4>; fill-byte = [5a]; };
    };
`)
	dtbFiles := map[string][]byte{
		"in/models/a.dtb": model("a"),
		"in/models/b.dtb": model("bee"),
	}
	return []goldenCase{
		{name: "alternates-tpl", flags: []string{"-m", "-a", "tpl-dtb=1", "-a", "tpl-bss-pad=y"}, files: tplFiles, dts: tplDesc},
		{name: "alternates-dtb", flags: []string{"-u", "-m"}, files: dtbFiles, dts: dtbDesc},
	}
}
