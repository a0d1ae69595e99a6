package binmandesc

import (
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's intel-fit (the Intel Firmware Interface Table, always aligned
// to 16 bytes whatever the description says) and intel-fit-ptr (its
// pointer at 0xffffffc0); the layout engine's intelfit.go writes them.
func registerIntelfit() {
	etypeReaders["intel-fit"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		out.Type = "intel-fit"
		out.Align = 16
		return nil
	}
	etypeReaders["intel-fit-ptr"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		out.Type = "intel-fit-ptr"
		return nil
	}
}
