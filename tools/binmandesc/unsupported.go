package binmandesc

import (
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// unsupportedEtypes are binman entry types fwtool does not build, with
// the reason: each is refused naming the node and type, never read as an
// unknown type.
var unsupportedEtypes = map[string]string{
	"nxp-imx8mcst":    "i.MX8M code signing runs NXP's cst tool",
	"nxp-imx9image":   "an i.MX9 container built by mkimage -T imx8image",
	"ti-board-config": "TI board configuration is read from YAML with a schema",
	"xilinx-bootgen":  "it runs Xilinx bootgen",
	"intel-ifwi":      "it runs ifwitool on an Intel IFWI",
	"intel-fit":       "the Intel Firmware Interface Table",
	"intel-fit-ptr":   "the Intel Firmware Interface Table pointer",
	"vblock":          "it runs futility for a Chrome OS verified-boot block",
	"gbb":             "it runs futility for a Chrome OS GBB",
}

func init() {
	for t, why := range unsupportedEtypes {
		if _, done := etypeReaders[t]; done {
			continue // implemented in a file of its own
		}
		t, why := t, why
		etypeReaders[t] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
			return fmt.Errorf("Node '%s': entry type '%s' is not supported by fwtool (%s)", path, t, why)
		}
	}
}
