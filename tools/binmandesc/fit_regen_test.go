//go:build regen

package binmandesc

import (
	"github.com/rules-firmware/rules_firmware/tools/elfgen"
	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

func init() { extraCases = append(extraCases, fitCases) }

// fdtWithCompatible is a board device tree for FIT generator nodes.
func fdtWithCompatible(model string) []byte {
	t := fdt.NewTree()
	t.Root.SetProp("model", fdt.String(model))
	t.Root.SetProp("compatible", fdt.Strings("vendor,"+model, "vendor,board"))
	return t.Bytes()
}

// fitCases record binman's fit entry (mkimage 2023.01 runs under it; the
// recorder sets SOURCE_DATE_EPOCH=0 so its timestamp is ours).
func fitCases() []goldenCase {
	uboot := map[string][]byte{"in/u-boot-nodtb.bin": []byte("U-BOOT WITHOUT DTB"), "in/spl/u-boot-spl.dtb": smallDTB(), "in/k.bin": []byte("KERNEL")}
	fdts := with(map[string][]byte{}, "in/fdts/board-a.dtb", fdtWithCompatible("board-a"), "in/fdts/board-b.dtb", fdtWithCompatible("board-b"), "in/atf.bin", []byte("ATF"), "in/tee.bin", []byte("TEE!"))
	images := `
        images {
            kernel {
                description = "kernel"; type = "kernel"; arch = "arm64"; os = "linux";
                compression = "none"; load = <0x80000>; entry = <0x80000>;
                hash-1 { algo = "crc32"; };
                k { type = "blob"; filename = "k.bin"; };
                hash-2 { algo = "sha256"; };
                u-boot { };
            };
            fdt-1 {
                description = "fdt"; type = "flat_dt"; arch = "arm64"; compression = "none";
                hash-1 { algo = "sha1"; };
                u-boot-spl-dtb { };
            };
            empty { description = "no contents"; type = "firmware"; compression = "none"; };
        };
        configurations {
            default = "conf-1";
            conf-1 { description = "boot"; kernel = "kernel"; fdt = "fdt-1"; };
        };`
	return []goldenCase{
		{name: "fit-basic", flags: []string{"-u", "-m"}, files: uboot, dts: dtsOf(`
    text { text = "hdr"; };
    fit {
        description = "test FIT"; #address-cells = <1>;` + images + `
    };
    fdtmap { };
`)},
		{name: "fit-external", flags: []string{"-m"}, files: uboot, dts: dtsOf(`
    fit {
        description = "external FIT"; #address-cells = <1>;
        fit,external-offset = <0x800>;
        fit,align = <0x40>;` + images + `
    };
    u-boot-nodtb { };
`)},
		{name: "fit-external-no-pad", flags: []string{"-m"}, files: uboot, dts: dtsOf(`
    fit {
        description = "external FIT"; #address-cells = <1>;
        fit,external-offset = <0>;` + images + `
    };
`)},
		{name: "fit-repack", flags: []string{"-u", "-m"}, files: uboot, dts: dtsOf(`
    allow-repack;
    size = <0x2000>;
    fit {
        description = "repack"; offset = <0x400>; #address-cells = <1>;` + images + `
    };
    fdtmap { };
`)},
		{name: "fit-fdt-list", flags: []string{"-m", "-a", "of-list=board-a board-b", "-a", "default-dt=board-b"}, dirs: []string{"in", "in/fdts"}, files: fdts, dts: dtsOf(`
    fit {
        description = "generated"; #address-cells = <1>;
        fit,fdt-list = "of-list";
        images {
            atf { description = "atf"; type = "firmware"; compression = "none"; load = <0x1000>; atf-bl31 { filename = "atf.bin"; }; };
            tee { description = "tee"; type = "tee"; compression = "none"; load = <0x2000>; blob { filename = "tee.bin"; }; };
            @fdt-SEQ {
                description = "fdt-NAME.dtb"; type = "flat_dt"; compression = "none";
                hash { algo = "sha256"; };
            };
        };
        configurations {
            default = "@config-DEFAULT-SEQ";
            @config-SEQ {
                description = "conf-NAME.dtb";
                fit,firmware = "missing", "atf", "tee";
                fit,loadables;
                fit,compatible;
                fdt = "fdt-SEQ";
            };
        };
    };
`)},
		// -u: the generator node gets binman's zero positions, in the
		// FIT's generated nodes and in the fdtmap.
		{name: "fit-fdt-list-update", flags: []string{"-u", "-m", "-a", "of-list=board-a board-b"}, dirs: []string{"in", "in/fdts"}, files: fdts, dts: dtsOf(`
    fit {
        description = "generated"; #address-cells = <1>;
        fit,fdt-list = "of-list";
        images {
            atf { description = "atf"; type = "firmware"; compression = "none"; atf-bl31 { filename = "atf.bin"; }; };
            @fdt-SEQ { description = "fdt-NAME.dtb"; type = "flat_dt"; compression = "none"; };
        };
        configurations { @config-SEQ { fdt = "fdt-SEQ"; firmware = "atf"; }; };
    };
    fdtmap { };
`)},
		// split-elf: one image node per loadable segment, joining the
		// loadables of the generated configurations.
		{name: "fit-split-elf", flags: []string{"-u", "-m", "-a", "of-list=board-a", "-a", "atf-bl31-path=bl31.elf"}, dirs: []string{"in", "in/fdts"},
			files: with(map[string][]byte{"in/fdts/board-a.dtb": fdtWithCompatible("board-a"), "in/bl31.elf": elfgen.Build(true, 0x40000, []byte("BL31 TEXT SEGMENT"), nil)}), dts: dtsOf(`
    fit {
        description = "split"; #address-cells = <1>;
        fit,fdt-list = "of-list";
        images {
            @atf-SEQ {
                fit,operation = "split-elf";
                description = "TF-A"; type = "firmware"; arch = "arm64"; os = "arm-trusted-firmware"; compression = "none";
                fit,load; fit,entry; fit,data;
                atf-bl31 { };
                hash { algo = "sha256"; };
            };
            @fdt-SEQ { description = "NAME"; type = "flat_dt"; compression = "none"; };
        };
        configurations { @config-SEQ { fdt = "fdt-SEQ"; fit,firmware = "atf-1"; fit,loadables; }; };
    };
    fdtmap { };
`)},
		{name: "fit-fdt-list-val", flags: []string{"-m", "-a", "default-dt=board-a"}, dirs: []string{"in", "in/fdts"}, files: fdts, dts: dtsOf(`
    fit {
        description = "listed"; #address-cells = <1>;
        fit,fdt-list-val = "board-a", "board-b";
        images { @fdt-SEQ { description = "NAME"; type = "flat_dt"; compression = "none"; }; };
        configurations { default = "@conf-DEFAULT-NAME"; @conf-NAME { fdt = "fdt-SEQ"; }; };
    };
`)},
		{name: "fit-err-no-list-arg", flags: []string{"-m"}, dirs: []string{"in", "in/fdts"}, files: fdts, dts: dtsOf(`
    fit {
        description = "x"; fit,fdt-list = "of-list";
        images { @fdt-SEQ { description = "NAME"; type = "flat_dt"; }; };
    };
`)},
		{name: "fit-err-default-dt", flags: []string{"-m", "-a", "of-list=board-a board-b", "-a", "default-dt=board-c"}, dirs: []string{"in", "in/fdts"}, files: fdts, dts: dtsOf(`
    fit {
        description = "x"; fit,fdt-list = "of-list";
        images { @fdt-SEQ { description = "NAME"; type = "flat_dt"; }; };
        configurations { default = "@conf-DEFAULT-SEQ"; @conf-SEQ { fdt = "fdt-SEQ"; }; };
    };
`)},
		{name: "fit-err-bad-operation", flags: []string{"-m", "-a", "of-list=board-a"}, dirs: []string{"in", "in/fdts"}, files: fdts, dts: dtsOf(`
    fit {
        description = "x"; fit,fdt-list = "of-list";
        images { @fdt-SEQ { fit,operation = "frobnicate"; description = "NAME"; type = "flat_dt"; }; };
    };
`)},
	}
}
