//go:build regen

package binmandesc

import (
	"bytes"

	"github.com/rules-firmware/rules_firmware/tools/elfgen"
	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

// goldenCase is one description recorded from binman.
type goldenCase struct {
	name  string
	dts   string
	files map[string][]byte // input files, paths starting with an input dir
	flags []string
	dirs  []string // input dirs, in -I order; default "in"
	// tools are commands printing the version of a tool binman runs for
	// this case (mkimage -V, ...); their output goes to tools.txt.
	tools [][]string
}

func (c goldenCase) inputDirs() []string {
	if len(c.dirs) == 0 {
		return []string{"in"}
	}
	return c.dirs
}

// smallDTB is a device tree for SPL: binman parses it.
func smallDTB() []byte {
	t := fdt.NewTree()
	t.Root.SetProp("model", fdt.String("spl"))
	return t.Bytes()
}

func dtsOf(body string) string { return "/dts-v1/;\n/ {\n\tbinman {" + body + "\t};\n};\n" }

const splAddr = 0x1000

func splText() []byte { return bytes.Repeat([]byte{0xaa}, 0x20) }

// splSymbols is SPL's usual symbol set, plus a weak symbol naming no entry.
func splSymbols(base string) []elfgen.Symbol {
	return []elfgen.Symbol{
		{Name: base, Addr: splAddr},
		{Name: "_binman_u_boot_any_prop_offset", Addr: splAddr + 4, Size: 4},
		{Name: "_binman_u_boot_any_prop_image_pos", Addr: splAddr + 8, Size: 8},
		{Name: "_binman_u_boot_any_prop_size", Addr: splAddr + 0x10, Size: 4},
		{Name: "_binman_sym_magic", Addr: splAddr + 0x14, Size: 4},
		{Name: "_binman_nowhere_prop_size", Addr: splAddr + 0x18, Size: 4, Weak: true},
		{Name: "_binman_u_boot_spl_prop_image_pos", Addr: splAddr + 0x1c, Size: 4},
	}
}

func splFiles(is64 bool, base string) map[string][]byte {
	return map[string][]byte{
		"in/spl/u-boot-spl.bin": splText(),
		"in/spl/u-boot-spl":     elfgen.Build(is64, splAddr, splText(), splSymbols(base)),
	}
}

func with(m map[string][]byte, kv ...interface{}) map[string][]byte {
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].([]byte)
	}
	return m
}

func recordedCases() []goldenCase {
	um := []string{"-u", "-m"}
	return []goldenCase{
		{name: "multiple-images", flags: um, files: map[string][]byte{"in/a.bin": []byte("AAAA")}, dts: dtsOf(`
    multiple-images;
    first {
        a { type = "blob"; filename = "a.bin"; };
        fill { size = <4>; fill-byte = [ee]; };
    };
    second {
        filename = "second-custom.bin";
        pad-byte = <0x11>;
        size = <0x400>;
        text { text = "hi"; offset = <8>; };
        fdtmap { };
    };
`)},
		{name: "named-blobs", flags: []string{"-m"}, dirs: []string{"in", "in2"},
			files: with(splFiles(false, "__image_copy_start"),
				"in/u-boot.bin", []byte("UBOOT"),
				"in2/u-boot.bin", []byte("SHADOWED"),
				"in2/u-boot-nodtb.bin", []byte("NODTB"),
				"in/u-boot.img", []byte("IMG"),
				"in/u-boot-nodtb.bin", []byte("UNODTB"),
				"in/spl/u-boot-spl.dtb", smallDTB(),
				"in/tpl/u-boot-tpl-nodtb.bin", []byte("TPL"),
				"in/tpl/u-boot-tpl", elfgen.Build(false, 0x2000, []byte("TPL"), nil)),
			dts: dtsOf(`
    u-boot-spl { };
    u-boot { align = <16>; };
    u-boot-nodtb { };
    u-boot-img { };
    u-boot-spl-dtb { };
    u-boot-tpl-nodtb { };
    u-boot-dtb { align = <8>; };
    u-boot-ne { type = "u-boot"; no-expanded; filename = "ignored.bin"; };
`)},
		{name: "expanded-update", flags: um, files: map[string][]byte{"in/u-boot-nodtb.bin": []byte("UNODTB"), "in/a.bin": []byte("AAAA")}, dts: dtsOf(`
    a { type = "blob"; filename = "a.bin"; };
    u-boot { };
    fdtmap { };
`)},
		{name: "update-multi", flags: um, files: map[string][]byte{"in/u-boot-nodtb.bin": []byte("UNODTB"), "in/a.bin": []byte("AAAA")}, dts: dtsOf(`
    multiple-images;
    one {
        a { type = "blob"; filename = "a.bin"; };
        u-boot { };
    };
    two {
        allow-repack;
        size = <0x800>;
        a { type = "blob"; filename = "a.bin"; offset = <0x10>; size = <8>; };
        u-boot-dtb { offset = <0x100>; };
        fdtmap { };
    };
`)},
		{name: "update-compressed", flags: um, files: map[string][]byte{"in/u-boot-nodtb.bin": []byte("UNODTB")}, dts: dtsOf(`
    t { type = "text"; text = "x"; };
    sec {
        type = "section";
        compress = "lz4";
        u-boot { };
    };
`)},
		{name: "update-4gb", flags: um, files: map[string][]byte{"in/a.bin": []byte("AAAA")}, dts: dtsOf(`
    end-at-4gb;
    size = <0x800>;
    u-boot-dtb { offset = <0xfffff800>; };
    a { type = "blob"; filename = "a.bin"; offset = <0xfffffff0>; };
`)},
		{name: "bootph", flags: um, files: map[string][]byte{"in/u-boot-nodtb.bin": []byte("UNODTB")}, dts: `/dts-v1/;
/ {
	model = "bootph";
	soc {
		serial {
			bootph-all;
		};
		mmc {
			bootph-some-ram;
		};
	};
	binman {
		u-boot { };
		fdtmap { };
	};
};
`},
		{name: "expanded-with-hash", flags: []string{"-m"}, files: map[string][]byte{"in/u-boot-nodtb.bin": []byte("UNODTB")}, dts: dtsOf(`
    u-boot { hash { algo = "sha256"; }; };
    fdtmap { };
`)},
		// The binman node of U-Boot's imx6ul-kontron-bl-common-u-boot.dtsi
		// (non-FIT configuration), built with U-Boot's own flags.
		{name: "board-kontron-bl", flags: []string{"-u", "-m", "--allow-missing"}, files: map[string][]byte{"in/SPL": bytes.Repeat([]byte{0x5a}, 0x200), "in/u-boot.img": []byte("u-boot image")}, dts: dtsOf(`
		filename = "flash.bin";
		pad-byte = <0x00>;

		spl: blob-ext@1 {
			offset = <0x0>;
			filename = "SPL";
		};

		uboot: blob-ext@2 {
			offset = <0x11000>;
			filename = "u-boot.img";
		};
`)},
		{name: "named-by-arg", flags: []string{"-u", "-m", "-M"}, files: map[string][]byte{"in/bl31.bin": []byte("BL31"), "in/scp.bin": []byte("SCP!"), "in/opensbi": []byte("SBI")}, dts: dtsOf(`
    atf-bl31 { atf-bl31-path = "bl31.bin"; };
    scp { filename = "scp.bin"; align = <8>; };
    opensbi { };
    ti-dm { };
    fdtmap { };
`)},
		// The binman node of U-Boot's tegra-u-boot.dtsi (no MULTI_DTB_FIT),
		// U_BOOT_OFFSET 0x1000 instead of 0x8000 to keep the files small,
		// in a device tree with bootph properties, built with -u as U-Boot
		// does: u-boot is expanded, and the device tree inside it records
		// the positions of all three images.
		{name: "board-tegra", flags: um, files: with(splFiles(false, "__image_copy_start"), "in/u-boot-nodtb.bin", bytes.Repeat([]byte("U-Boot "), 20)), dts: `/dts-v1/;
/ {
	model = "NVIDIA Tegra (rules_firmware test)";
	compatible = "nvidia,tegra30";
	#address-cells = <1>;
	#size-cells = <1>;
	chosen {
		stdout-path = "serial0:115200n8";
	};
	host1x@50000000 {
		compatible = "nvidia,tegra30-host1x";
		reg = <0x50000000 0x00024000>;
		bootph-all;
		dc@54200000 {
			compatible = "nvidia,tegra30-dc";
			reg = <0x54200000 0x00040000>;
			bootph-all;
		};
	};
	serial@70006000 {
		compatible = "nvidia,tegra30-uart";
		reg = <0x70006000 0x40>;
		bootph-some-ram;
	};
	binman {
		multiple-images;
		image1 {
			filename = "u-boot-tegra.bin";
			pad-byte = <0xff>;
			u-boot-spl {
			};
			u-boot {
				offset = <(0x1000)>;
			};
		};

		/* Same as image1 - some tools still expect the -dtb suffix */
		image2 {
			filename = "u-boot-dtb-tegra.bin";
			pad-byte = <0xff>;
			u-boot-spl {
			};
			u-boot {
				offset = <(0x1000)>;
			};
		};

		image3 {
			filename = "u-boot-nodtb-tegra.bin";
			pad-byte = <0xff>;
			u-boot-spl {
			};
			u-boot-nodtb {
				offset = <(0x1000)>;
			};
		};
	};
};
`},
		{name: "symbols", flags: []string{"-m"}, files: with(splFiles(false, "__image_copy_start"), "in/u-boot-nodtb.bin", []byte("UBOOT!")), dts: dtsOf(`
    pad-byte = <0xff>;
    u-boot-spl { };
    sec {
        type = "section";
        offset = <0x40>;
        u-boot { offset = <0x10>; };
    };
    fdtmap { };
`)},
		{name: "symbols-64", flags: []string{"-m"}, files: with(splFiles(true, "__image_copy_start"), "in/u-boot-nodtb.bin", []byte("UBOOT!")), dts: dtsOf(`
    u-boot-spl { };
    u-boot { align = <64>; };
`)},
		{name: "symbols-4gb", flags: []string{"-m"}, files: with(splFiles(false, "__image_copy_start"), "in/u-boot.img", []byte("UBOOT!")), dts: dtsOf(`
    end-at-4gb;
    size = <0x100>;
    sort-by-offset;
    u-boot-spl { offset = <0xffffff00>; };
    u-boot-img { offset = <0xffffff80>; };
`)},
		{name: "symbols-base", flags: []string{"-m"}, files: with(splFiles(false, "_start_image"), "in/u-boot-nodtb.bin", []byte("UBOOT!")), dts: dtsOf(`
    text { text = "pre"; };
    u-boot-spl { elf-base-sym = "_start_image"; symbols-base = <0x80000000>; };
    u-boot { };
`)},
		{name: "symbols-blob", flags: []string{"-m"}, files: with(map[string][]byte{
			"in/app.bin": splText(),
			"in/app.elf": elfgen.Build(false, splAddr, splText(), splSymbols("__image_copy_start")),
		}, "in/u-boot-nodtb.bin", []byte("UBOOT!")), dts: dtsOf(`
    app { type = "blob"; filename = "app.bin"; write-symbols; elf-filename = "app.elf"; };
    u-boot { };
`)},
		{name: "symbols-blob-self", flags: []string{"-m"}, files: with(map[string][]byte{
			"in/app.bin": splText(),
			"in/app.elf": elfgen.Build(false, splAddr, splText(), splSymbols("__image_copy_start")),
		}, "in/u-boot-nodtb.bin", []byte("UBOOT!")), dts: dtsOf(`
    u-boot { };
    u-boot-spl { type = "blob"; filename = "app.bin"; write-symbols; elf-filename = "app.elf"; };
`)},
		// Needs python3-pyelftools for binman: symbols written into the ELF
		// file itself at their file offsets.
		{name: "symbols-in-elf", flags: []string{"-m"}, files: with(splFiles(false, "__image_copy_start"), "in/u-boot.img", []byte("UBOOT!")), dts: dtsOf(`
    u-boot-img { };
    u-boot-spl { type = "u-boot-spl-elf"; align = <16>; };
`)},
		{name: "symbols-disabled", flags: []string{"-m"}, files: with(splFiles(false, "__image_copy_start"), "in/u-boot-nodtb.bin", []byte("UBOOT!")), dts: dtsOf(`
    u-boot-spl { no-write-symbols; };
    u-boot { };
`)},
		{name: "symbols-unknown", flags: um, files: map[string][]byte{
			"in/spl/u-boot-spl.bin": splText(),
			"in/spl/u-boot-spl": elfgen.Build(false, splAddr, splText(), []elfgen.Symbol{
				{Name: "__image_copy_start", Addr: splAddr},
				{Name: "_binman_u_boot_prop_size", Addr: splAddr + 4, Size: 4},
			}),
		}, dts: dtsOf(`
    u-boot-spl { };
`)},
		{name: "symbols-no-elf", flags: um, files: map[string][]byte{"in/tpl/u-boot-tpl.bin": []byte("TPL")}, dts: dtsOf(`
    u-boot-tpl { };
`)},
		{name: "symbols-update", flags: um, files: with(splFiles(false, "__image_copy_start"), "in/u-boot.bin", []byte("UBOOT!")), dts: dtsOf(`
    u-boot-spl { };
    u-boot { no-expanded; offset = <0x30>; };
    fdtmap { };
`)},
		{name: "missing-named", flags: um, files: map[string][]byte{"in/a.bin": []byte("A")}, dts: dtsOf(`
    a { type = "blob"; filename = "a.bin"; };
    u-boot { };
`)},
		{name: "hash-fdtmap", flags: um, files: map[string][]byte{"in/u-boot.img": []byte("UBOOT"), "in/b.bin": []byte("BB")}, dts: dtsOf(`
    size = <0x400>;
    image-header { location = "start"; };
    sec {
        type = "section";
        name-prefix = "ro-";
        align = <16>;
        u-boot-img { hash { algo = "sha256"; }; };
        b { type = "blob"; filename = "b.bin"; min-size = <8>; };
    };
    fdtmap { };
`)},
		{name: "compress-lz4", flags: um, files: map[string][]byte{"in/a.bin": bytes.Repeat([]byte("compress me "), 40)}, dts: dtsOf(`
    a { type = "blob"; filename = "a.bin"; compress = "lz4"; };
    t { type = "text"; text = "end"; };
    fdtmap { };
`)},
		// The hash value lands in the description's own tree, which
		// u-boot-dtb holds.
		{name: "hash-update-dtb", flags: um, files: map[string][]byte{"in/u-boot-nodtb.bin": []byte("UNODTB")}, dts: dtsOf(`
    u-boot { hash { algo = "sha256"; }; };
    fdtmap { };
`)},
		{name: "hash-section-dtb", flags: um, files: map[string][]byte{"in/a.bin": []byte("AAAA")}, dts: dtsOf(`
    sec {
        type = "section";
        hash { algo = "sha256"; };
        u-boot-dtb { };
        a { type = "blob"; filename = "a.bin"; };
    };
    fdtmap { };
`)},
		// A hash node between entries keeps its place in the fdtmap.
		{name: "hash-section-order", flags: []string{"-m"}, files: map[string][]byte{"in/a.bin": []byte("AAAA"), "in/b.bin": []byte("BB")}, dts: dtsOf(`
    sec {
        type = "section";
        a { type = "blob"; filename = "a.bin"; };
        hash { algo = "sha256"; };
        b { type = "blob"; filename = "b.bin"; };
    };
    fdtmap { };
`)},
		{name: "hash-section-order-update", flags: um, files: map[string][]byte{"in/a.bin": []byte("AAAA"), "in/b.bin": []byte("BB")}, dts: dtsOf(`
    sec {
        type = "section";
        a { type = "blob"; filename = "a.bin"; };
        b { type = "blob"; filename = "b.bin"; };
        hash { algo = "sha256"; };
    };
    fdtmap { };
`)},
		// Entry arguments (binman -a) name a text entry's text.
		{name: "text-label-arg", flags: []string{"-m", "-a", "message=from the command line"}, files: map[string][]byte{}, dts: dtsOf(`
    by-arg { type = "text"; text-label = "message"; };
    by-prop { type = "text"; text-label = "greeting"; greeting = "from the node"; };
    arg-wins { type = "text"; text-label = "message"; message = "the node loses"; };
    fdtmap { };
`)},
		// text-label itself is an entry argument, for every text entry.
		{name: "text-label-override", flags: []string{"-m", "-a", "text-label=other"}, files: map[string][]byte{}, dts: dtsOf(`
    t { type = "text"; text-label = "ignored"; other = "picked"; ignored = "not this"; };
`)},
		{name: "text-label-missing", flags: []string{"-m"}, files: map[string][]byte{}, dts: dtsOf(`
    t { type = "text"; text-label = "message"; };
`)},
		// An external blob's <type>-path as an entry argument wins over
		// the property.
		{name: "named-by-entry-arg", flags: []string{"-m", "-a", "atf-bl31-path=from-arg.bin"}, files: map[string][]byte{"in/from-arg.bin": []byte("ARG"), "in/from-prop.bin": []byte("PROP"), "in/scp.bin": []byte("SCP")}, dts: dtsOf(`
    atf-bl31 { atf-bl31-path = "from-prop.bin"; };
    scp { scp-path = "scp.bin"; };
`)},
		{name: "text-none", flags: []string{"-m"}, files: map[string][]byte{}, dts: dtsOf(`
    t { type = "text"; text = ""; };
`)},
	}
}
