package binmandesc

import (
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// unsupportedEtypes are binman entry types fwtool does not build, with
// the reason: each is refused naming the node and type, never read as an
// unknown type.
var unsupportedEtypes map[string]string // setupTables fills it

func registerUnsupported() {
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
