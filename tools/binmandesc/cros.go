package binmandesc

import (
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's Chrome OS entries, gbb and vblock, run futility, which fwtool
// does not. Their descriptions are checked as binman checks them before
// the tool would run, with binman's messages, and only then refused by
// name: a gbb needs a fixed size of at least 0x2180 bytes; a vblock is a
// collection whose "content" phandles must name entries of the image.
func registerCros() {
	etypeReaders["gbb"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		size := v.nums["size"]
		switch {
		case size == 0:
			return fmt.Errorf("Node '%s': GBB must have a fixed size", path)
		case size < 0x2180:
			return fmt.Errorf("Node '%s': GBB is too small (minimum 0x2180 bytes)", path)
		}
		return refuseEtype(path, "gbb")
	}
	etypeReaders["vblock"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		if err := readCollection(c, n, v, path, rel, out, hasPos); err != nil {
			return err
		}
		return refuseEtype(path, "vblock")
	}
}

// refuseEtype is the refusal of an entry type listed in unsupportedEtypes.
func refuseEtype(path, etype string) error {
	return fmt.Errorf("Node '%s': entry type '%s' is not supported by fwtool (%s)", path, etype, unsupportedEtypes[etype])
}
