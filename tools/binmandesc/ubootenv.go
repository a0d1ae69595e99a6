package binmandesc

import (
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's u-boot-env: an environment text file (filename, default
// "u-boot-env") made into an environment of the entry's size, padded
// with fill-byte (default 0); the layout engine builds it.
func registerUbootenv() {
	etypeReaders["u-boot-env"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		name, ok := v.strings["filename"]
		if !ok {
			name = "u-boot-env"
		}
		out.Type, out.Path, out.FillByte = "u-boot-env", c.resolve(name), numOr0(v, "fill-byte")
		return nil
	}
}
