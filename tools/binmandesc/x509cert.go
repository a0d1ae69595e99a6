package binmandesc

import (
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's x509-cert runs openssl to make a certificate over a collection
// of entries. fwtool does not build it, but first checks the description
// as binman does (content phandles, then the keyfile argument or
// property), so a description binman rejects is rejected in its words.
func registerX509cert() { refuseX509("x509-cert", "it runs openssl to make a certificate") }

// refuseX509 registers an entry type built on binman's x509-cert (TI's
// ti-secure and ti-secure-rom too): binman's checks, the type's own
// (more), then a refusal naming the type and why.
func refuseX509(etype, why string, more ...func(n *fdt.Node, path string) error) {
	etypeReaders[etype] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		if p := n.Prop("content"); p == nil || len(p.Value) == 0 {
			return fmt.Errorf("Node '%s': Collection must have a 'content' property", path)
		}
		if _, ok := c.arg(v, "keyfile"); !ok {
			return fmt.Errorf("Node '%s': Missing required properties/entry args: keyfile", path)
		}
		for _, check := range more {
			if err := check(n, path); err != nil {
				return err
			}
		}
		return fmt.Errorf("Node '%s': entry type '%s' is not supported by fwtool (%s)", path, etype, why)
	}
}
