//go:build regen

package binmandesc

import (
	"debug/elf"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/elfgen"
)

func init() { extraCases = append(extraCases, xplExpandCases) }

// xplExpandCases record binman's u-boot-spl-expanded: SPL split into
// nodtb, BSS padding (__bss_size from its ELF file) and its device tree
// when the spl-dtb and spl-bss-pad entry arguments say so.
func xplExpandCases() []goldenCase {
	body := `
    u-boot-spl { symbols-base = <0>; };
    text { text = "between"; };
    u-boot { };
    fdtmap { };
`
	desc := dtsOf(body)
	spl := strings.Replace(desc, "binman {", "binman {\n    spl;", 1)
	syms := append(splSymbols("__image_copy_start"), elfgen.Symbol{Name: "__bss_size", Addr: 0x24, Shndx: uint16(elf.SHN_ABS)})
	files := map[string][]byte{
		"in/spl/u-boot-spl-nodtb.bin": splText(),
		"in/spl/u-boot-spl":           elfgen.Build(false, splAddr, splText(), syms),
		"in/spl/u-boot-spl.dtb":       phaseTree(spl),
		"in/u-boot-nodtb.bin":         []byte("UNODTB"),
	}
	noBSS := map[string][]byte{
		"in/spl/u-boot-spl-nodtb.bin": splText(),
		"in/spl/u-boot-spl":           elfgen.Build(false, splAddr, splText(), splSymbols("__image_copy_start")),
		"in/spl/u-boot-spl.dtb":       phaseTree(spl),
		"in/u-boot-nodtb.bin":         []byte("UNODTB"),
	}
	return []goldenCase{
		{name: "xpl-expand", flags: []string{"-u", "-m", "-a", "spl-dtb=y", "-a", "spl-bss-pad=1"}, files: files, dts: desc},
		{name: "xpl-expand-no-pad", flags: []string{"-m", "-a", "spl-dtb=1", "-a", "spl-bss-pad=n"}, files: files, dts: desc},
		{name: "xpl-expand-err-bss", flags: []string{"-m", "-a", "spl-dtb=y", "-a", "spl-bss-pad=y"}, files: noBSS, dts: desc},
	}
}
