package binmandesc

import (
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's tee-os: an external OP-TEE blob named by the tee-os-path entry
// argument or property, else filename, else "tee-os". Outside a FIT the
// layout engine marks an ELF or OP-TEE v1 file absent as binman does
// (dropped after packing if optional, else kept).
func registerTeeos() {
	etypeReaders["tee-os"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		name, ok := c.arg(v, "tee-os-path")
		if !ok {
			name, ok = v.strings["filename"]
		}
		if !ok {
			name = "tee-os"
		}
		out.Type, out.External, out.Path = "tee-os", true, c.resolve(name)
		return nil
	}
}
