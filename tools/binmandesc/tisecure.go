package binmandesc

import (
	"fmt"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

// TI K3 signing (ti-secure, ti-secure-rom): binman makes an X.509
// certificate with openssl from TI's template over a collection of
// entries. fwtool checks the description as binman does (x509-cert's
// content and keyfile; ti-secure's firewall subnodes), then refuses the
// type by name: openssl's certificate has a random serial number and the
// build time in it.
func registerTisecure() {
	refuseX509("ti-secure", "TI K3 signing runs openssl with TI's certificate template", tiFirewalls)
	refuseX509("ti-secure-rom", "TI K3 ROM signing runs openssl with TI's certificate template")
}

// tiFirewalls is binman's ReadFirewallNode: with a non-zero
// auth-in-place, every subnode whose name holds "firewall" needs all of
// its properties.
func tiFirewalls(n *fdt.Node, path string) error {
	if a, err := intProp(n, path, "auth-in-place"); err != nil || a == 0 {
		return err
	}
	for _, sub := range n.Children {
		if !strings.Contains(sub.Name, "firewall") {
			continue
		}
		var missing []string
		for _, p := range []string{"id", "region", "control", "permissions", "start_address", "end_address"} {
			if sub.Prop(p) == nil {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("Node '%s': Subnode '%s' is missing properties: %s", path, sub.Name, strings.Join(missing, ","))
		}
	}
	return nil
}
