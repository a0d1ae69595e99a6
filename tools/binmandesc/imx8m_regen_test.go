//go:build regen

package binmandesc

func init() { extraCases = append(extraCases, imx8mCases) }

// mkimageVersion records the mkimage binman ran (Debian's u-boot-tools).
var mkimageVersion = [][]string{{"mkimage", "-V"}, {"dpkg-query", "-W", "u-boot-tools"}}

// imx8mCases record binman's nxp-imx8mimage entry (binman writes the
// configuration and runs mkimage -T imx8mimage).
func imx8mCases() []goldenCase {
	files := map[string][]byte{
		"in/u-boot.bin": []byte("1234"),
		"in/spl.bin":    []byte("SPL code for an i.MX8M, some bytes more than a few"),
	}
	return []goldenCase{
		{name: "imx8m-sd", flags: []string{"-m"}, files: files, tools: mkimageVersion, dts: dtsOf(`
    pre { type = "text"; text = "before"; };
    nxp-imx8mimage {
        args;
        nxp,boot-from = "sd";
        nxp,rom-version = <1>;
        nxp,loader-address = <0x7e1000>;
        spl { type = "blob"; filename = "spl.bin"; };
        u-boot { no-expanded; };
    };
    post { type = "text"; text = "after"; };
`)},
		{name: "imx8m-v2-emmc-section", flags: []string{"-m"}, files: files, tools: mkimageVersion, dts: dtsOf(`
    section {
        offset = <0x100>;
        nxp-imx8mimage {
            args = "-v";
            nxp,boot-from = "emmc_fastboot";
            nxp,rom-version = <2>;
            nxp,loader-address = <0x912000>;
            inner {
                type = "section";
                pad-byte = <0xee>;
                spl { type = "blob"; filename = "spl.bin"; };
                t { type = "text"; text = "x"; offset = <0x40>; };
            };
        };
    };
`)},
		{name: "imx8m-fspi-options", flags: []string{"-m"}, files: files, tools: mkimageVersion, dts: dtsOf(`
    nxp-imx8mimage {
        args;
        nxp,boot-from = "fspi";
        nxp,rom-version = <1>;
        nxp,loader-address = <0x7e2000>;
        nxp,fspi-columnaddresswidth = <13>;
        nxp,fspi-controllermisc-diffclk;
        nxp,fspi-controllermisc-wordaddr;
        nxp,fspi-controllermisc-safecfg;
        nxp,fspi-controllermisc-padovr;
        nxp,fspi-controllermisc-ddrmode;
        nxp,fspi-lutcustomseq;
        nxp,fspi-devicetype = <2>;
        nxp,fspi-flasha1size = <0x4000000>;
        nxp,fspi-flashpadtype = <8>;
        nxp,fspi-readsampleclksrc = <3>;
        nxp,fspi-serialclkfreq = <7>;
        spl { type = "blob"; filename = "spl.bin"; };
    };
`)},
		{name: "imx8m-imagename", flags: []string{"-m"}, files: files, tools: mkimageVersion, dts: dtsOf(`
    nxp-imx8mimage {
        args;
        nxp,boot-from = "sd";
        nxp,rom-version = <2>;
        nxp,loader-address = <0x10>;
        spl { type = "blob"; filename = "spl.bin"; };
        imagename { type = "section"; u-boot { no-expanded; }; };
    };
`)},
		{name: "imx8m-err-required", files: files, tools: mkimageVersion, dts: dtsOf(`
    nxp-imx8mimage {
        args;
        nxp,boot-from = "sd";
        spl { type = "blob"; filename = "spl.bin"; };
    };
`)},
		{name: "imx8m-err-args", files: files, tools: mkimageVersion, dts: dtsOf(`
    nxp-imx8mimage {
        nxp,boot-from = "sd";
        nxp,rom-version = <1>;
        nxp,loader-address = <0x10>;
    };
`)},
		{name: "imx8m-err-fspi-clock", files: files, tools: mkimageVersion, dts: dtsOf(`
    nxp-imx8mimage {
        args;
        nxp,boot-from = "sd";
        nxp,rom-version = <1>;
        nxp,loader-address = <0x10>;
        nxp,fspi-flashpadtype = <4>;
        nxp,fspi-serialclkfreq = <0>;
    };
`)},
	}
}
