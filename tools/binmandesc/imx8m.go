package binmandesc

import (
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's nxp-imx8mimage: its children's data become the loader of an
// i.MX8M boot image (binman writes a configuration with ROM_VERSION,
// BOOT_FROM and LOADER and runs mkimage -T imx8mimage; fwtool builds it
// through tools/imx8mimage), with binman's FlexSPI block in front when
// booting from fspi.
func registerImx8m() { etypeReaders["nxp-imx8mimage"] = readImx8m }

func readImx8m(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
	if err := requireProps(n, path, "nxp-imx8mimage", "nxp,boot-from", "nxp,rom-version", "nxp,loader-address"); err != nil {
		return err
	}
	// The mkimage entry binman's type extends reads its arguments first.
	if n.Prop("args") == nil {
		return fmt.Errorf("Node '%s': Expected property 'args'", path)
	}
	spec := &layout.Imx8mSpec{}
	spec.BootFrom, _ = n.PropString("nxp,boot-from")
	fspi, err := readFlexSPI(n, path)
	if err != nil {
		return err
	}
	if _, err := fspi.Block(); err != nil {
		return fmt.Errorf("Node '%s': %v", path, err)
	}
	spec.FlexSPI = fspi
	for _, f := range []struct {
		name string
		dst  *layout.Num
	}{{"nxp,loader-address", &spec.LoaderAddress}, {"nxp,rom-version", &spec.ROMVersion}} {
		x, err := intProp(n, path, f.name)
		if err != nil {
			return err
		}
		*f.dst = layout.Num(x)
	}
	spec.Imagename = n.Child("imagename") != nil
	out.Type = "nxp-imx8mimage"
	out.Filename = v.strings["filename"] // a section: binman writes its data there too
	out.Mkimage = &layout.MkimageSpec{Imx8m: spec}
	// binman never builds the imagename node here (this type passes its
	// configuration as -n).
	out.Entries, err = c.children(n, path, rel, hasPos && !spec.Imagename, "imagename")
	return err
}

// readFlexSPI reads the nxp,fspi-* properties over binman's defaults.
func readFlexSPI(n *fdt.Node, path string) (*layout.FlexSPISpec, error) {
	f := &layout.FlexSPISpec{DeviceType: 1, FlashA1Size: 0x10000000, FlashPadType: 1, SerialClkFreq: 2}
	for _, p := range []struct {
		name string
		dst  *layout.Num
	}{
		{"columnaddresswidth", &f.ColumnAddressWidth}, {"devicetype", &f.DeviceType}, {"flasha1size", &f.FlashA1Size},
		{"flashpadtype", &f.FlashPadType}, {"readsampleclksrc", &f.ReadSampleClkSrc}, {"serialclkfreq", &f.SerialClkFreq},
	} {
		if n.Prop("nxp,fspi-"+p.name) == nil {
			continue
		}
		x, err := intProp(n, path, "nxp,fspi-"+p.name)
		if err != nil {
			return nil, err
		}
		*p.dst = layout.Num(x)
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{
		{"controllermisc-diffclk", &f.DiffClk}, {"controllermisc-wordaddr", &f.WordAddr}, {"controllermisc-safecfg", &f.SafeCfg},
		{"controllermisc-padovr", &f.PadOvr}, {"controllermisc-ddrmode", &f.DDRMode}, {"lutcustomseq", &f.LUTCustomSeq},
	} {
		*b.dst = n.Prop("nxp,fspi-"+b.name) != nil
	}
	return f, nil
}
