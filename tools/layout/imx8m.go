package layout

import (
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/imx8mimage"
)

// Imx8mSpec is binman's nxp-imx8mimage entry: the children's data as the
// loader of an i.MX8M boot image (mkimage -T imx8mimage, tools/imx8mimage)
// built from the configuration binman writes, with binman's FlexSPI block
// in front when booting from "fspi".
type Imx8mSpec struct {
	ROMVersion    Num    `json:"rom_version"`
	BootFrom      string `json:"boot_from"`
	LoaderAddress Num    `json:"loader_address"`
	// FlexSPI holds the nxp,fspi-* properties; nil means binman's defaults.
	FlexSPI *FlexSPISpec `json:"fspi,omitempty"`
	// Imagename: the description has an imagename node, which binman
	// leaves unplaced; its SetImagePos then gives up, so the entry and
	// its children have no image positions.
	Imagename bool `json:"imagename,omitempty"`
}

// FlexSPISpec are binman's nxp,fspi-* properties (names without the prefix).
type FlexSPISpec struct {
	ColumnAddressWidth Num  `json:"columnaddresswidth"`
	DiffClk            bool `json:"controllermisc_diffclk,omitempty"`
	WordAddr           bool `json:"controllermisc_wordaddr,omitempty"`
	SafeCfg            bool `json:"controllermisc_safecfg,omitempty"`
	PadOvr             bool `json:"controllermisc_padovr,omitempty"`
	DDRMode            bool `json:"controllermisc_ddrmode,omitempty"`
	LUTCustomSeq       bool `json:"lutcustomseq,omitempty"`
	DeviceType         Num  `json:"devicetype"`
	FlashA1Size        Num  `json:"flasha1size"`
	FlashPadType       Num  `json:"flashpadtype"`
	ReadSampleClkSrc   Num  `json:"readsampleclksrc"`
	SerialClkFreq      Num  `json:"serialclkfreq"`
}

// Block is the FlexSPI configuration the properties describe, checked
// with binman's messages.
func (f *FlexSPISpec) Block() (imx8mimage.FlexSPI, error) {
	b := imx8mimage.DefaultFlexSPI()
	if f == nil {
		return b, nil
	}
	nums := []struct {
		v   Num
		dst *uint32
	}{{f.ColumnAddressWidth, &b.ColumnAddressWidth}, {f.DeviceType, &b.DeviceType}, {f.FlashA1Size, &b.FlashA1Size},
		{f.FlashPadType, &b.PadType}, {f.ReadSampleClkSrc, &b.ReadSampleClkSrc}, {f.SerialClkFreq, &b.SerialClkFreq}}
	for _, n := range nums {
		if n.v > 0xffffffff {
			return b, fmt.Errorf("FlexSPI value %#x does not fit 32 bits", uint64(n.v))
		}
		*n.dst = uint32(n.v)
	}
	b.DiffClk, b.WordAddressable, b.SafeConfigFreq, b.PadOverride, b.DDRMode, b.LUTCustomSeq = f.DiffClk, f.WordAddr, f.SafeCfg, f.PadOvr, f.DDRMode, f.LUTCustomSeq
	return b, b.Check()
}

func registerImx8m() { entryTypes["nxp-imx8mimage"] = newImx8m }

func newImx8m(n *Node, path string) (Entry, error) {
	if n.Mkimage == nil || n.Mkimage.Imx8m == nil {
		return nil, fmt.Errorf("Node '%s': 'nxp-imx8mimage' entry has no i.MX8M description", path)
	}
	spec := *n.Mkimage.Imx8m
	fspi, err := spec.FlexSPI.Block()
	if err != nil {
		return nil, fmt.Errorf("Node '%s': %v", path, err)
	}
	if spec.LoaderAddress > 0xffffffff {
		return nil, fmt.Errorf("Node '%s': loader address %#x does not fit 32 bits", path, uint64(spec.LoaderAddress))
	}
	// binman's configuration file, as text, so mkimage's reading of it
	// (case, prefixes, order) applies to ours too.
	cfgText := fmt.Sprintf("ROM_VERSION v%d\nBOOT_FROM %s\nLOADER input %#x\n", int64(spec.ROMVersion), spec.BootFrom, uint64(spec.LoaderAddress))
	cfg, err := imx8mimage.ParseConfig("nxp.imx8mimage.cfg", []byte(cfgText))
	if err != nil {
		return nil, fmt.Errorf("Node '%s': %v", path, err)
	}
	s := &Section{noCheck: true, noImagePos: spec.Imagename}
	s.gen = func(s *Section, final bool) (content, error) {
		input, err := childrenData(s, final)
		if err != nil {
			return content{}, err
		}
		out, err := imx8mimage.Build(cfg, func(string) ([]byte, error) { return input, nil })
		if err != nil {
			return content{}, s.errorf("%v", err)
		}
		if spec.BootFrom == "fspi" {
			out = append(fspi.Bytes(), out...)
		}
		// binman places the children one after another from 0, not where
		// the loader landed.
		var at uint64
		for _, e := range s.entries {
			b := e.b()
			b.offset, b.offsetSet = at, true
			at += b.size
		}
		return bytesContent(out), nil
	}
	return s, nil
}

// childrenData is the children's data joined, as binman's
// collect_contents_to_file hands it to a tool (sections rebuilt when final).
func childrenData(s *Section, final bool) ([]byte, error) {
	var out []byte
	for _, e := range s.entries {
		c := e.b().contents
		if sec, ok := e.(*Section); ok && final {
			var err error
			if c, err = sec.buildContents(true); err != nil {
				return nil, err
			}
		}
		raw, err := c.render()
		if err != nil {
			return nil, err
		}
		out = append(out, raw...)
	}
	return out, nil
}
