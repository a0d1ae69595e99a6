//go:build regen

package binmandesc

import (
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/elfgen"
)

func init() { extraCases = append(extraCases, ucodeCases) }

// ucodeDTS is an x86 description with the microcode updates given (as
// /microcode subnodes) and the binman body.
func ucodeDTS(updates, body string) string {
	return "/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n\tbinman {" + body + "\t};\n" + updates + "};\n"
}

const twoUpdates = `	microcode {
		update@0 { data = <0x12345678 0x12345679>; };
		update@1 { data = <0xabcd0000 0x78235609 0x11>; };
	};
`

const oneUpdate = `	microcode {
		update@0 { data = <0x12345678 0x12345679 0x1234567a>; };
	};
`

// ucodeCases record binman's x86 microcode entries: U-Boot whose ELF
// file has _dt_ucode_base_size (at 0x18 into it, linked at the top of
// a 2 KiB ROM ending at 4 GiB), the tree with its /microcode updates, and
// u-boot-ucode.
func ucodeCases() []goldenCase {
	text := []byte("U-Boot nodtb code with a microcode pointer at 0x18 in it")
	files := func(base uint64, syms ...elfgen.Symbol) map[string][]byte {
		return map[string][]byte{
			"in/u-boot-nodtb.bin": text,
			"in/u-boot":           elfgen.Build(false, base, text, syms),
		}
	}
	withSym := files(0xfffff800, elfgen.Symbol{Name: "_dt_ucode_base_size", Addr: 0xfffff818, Size: 8})
	noSym := files(0xfffff800, elfgen.Symbol{Name: "other", Addr: 0xfffff818, Size: 8})
	three := `
    sort-by-offset;
    end-at-4gb;
    size = <0x800>;
    u-boot-with-ucode-ptr { };
    u-boot-dtb-with-ucode { };
    u-boot-ucode { align = <16>; };
`
	spl := map[string][]byte{
		"in/spl/u-boot-spl-nodtb.bin": text,
		"in/spl/u-boot-spl": elfgen.Build(false, 0xfffff800, text, []elfgen.Symbol{
			{Name: "_dt_ucode_base_size", Addr: 0xfffff818, Size: 8},
			{Name: "_binman_u_boot_ucode_prop_size", Addr: 0xfffff820, Size: 4},
			{Name: "_binman_sym_magic", Addr: 0xfffff824, Size: 4},
		}),
	}
	tplBody := `
    end-at-4gb;
    size = <0x800>;
    u-boot-tpl-with-ucode-ptr { };
    u-boot-tpl-dtb-with-ucode { };
    u-boot-ucode { };
`
	tpl := func(updates string) map[string][]byte {
		// TPL's tree is the description's with an extra property.
		src := strings.Replace(ucodeDTS(updates, tplBody), "binman {", "binman {\n    tpl;", 1)
		return map[string][]byte{
			"in/tpl/u-boot-tpl-nodtb.bin": text,
			"in/tpl/u-boot-tpl":           elfgen.Build(false, 0xfffff800, text, []elfgen.Symbol{{Name: "_dt_ucode_base_size", Addr: 0xfffff818, Size: 8}}),
			"in/tpl/u-boot-tpl.dtb":       phaseTree(src),
		}
	}
	um := []string{"-u", "-m"}
	return []goldenCase{
		{name: "ucode-collate", flags: []string{"-m"}, files: withSym, dts: ucodeDTS(twoUpdates, three)},
		{name: "ucode-collate-update", flags: um, files: withSym, dts: ucodeDTS(twoUpdates, three+"    fdtmap { };\n")},
		{name: "ucode-single-update", flags: um, files: withSym, dts: ucodeDTS(oneUpdate, three)},
		{name: "ucode-optional", flags: []string{"-m"}, files: noSym, dts: ucodeDTS(twoUpdates, `
    end-at-4gb;
    size = <0x800>;
    u-boot-with-ucode-ptr { optional-ucode; };
    u-boot-dtb-with-ucode { };
    u-boot-ucode { };
`)},
		{name: "ucode-spl", flags: []string{"-m"}, files: spl, dts: ucodeDTS(twoUpdates, `
    end-at-4gb;
    size = <0x800>;
    u-boot-spl-with-ucode-ptr { };
    u-boot-dtb-with-ucode { };
    u-boot-ucode { };
`)},
		{name: "ucode-tpl", flags: []string{"-m"}, files: tpl(twoUpdates), dts: ucodeDTS(twoUpdates, tplBody)},
		{name: "ucode-tpl-single-update", flags: um, files: tpl(oneUpdate), dts: ucodeDTS(oneUpdate, tplBody)},
		{name: "ucode-err-no-symbol", files: noSym, dts: ucodeDTS(twoUpdates, three)},
		{name: "ucode-err-no-microcode", files: withSym, dts: ucodeDTS("", three)},
		{name: "ucode-err-no-dtb", files: withSym, dts: ucodeDTS(twoUpdates, `
    end-at-4gb;
    size = <0x800>;
    u-boot-with-ucode-ptr { };
    u-boot-ucode { };
`)},
		{name: "ucode-err-outside", files: withSym, dts: ucodeDTS(oneUpdate, `
    end-at-4gb;
    size = <0x800>;
    u-boot-with-ucode-ptr { offset = <0xfffffe00>; };
    u-boot-dtb-with-ucode { };
    u-boot-ucode { };
`)},
	}
}
