package binmandesc

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/eficapsule"
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's efi-capsule (an FMP capsule of its children, as mkeficapsule
// writes it) and efi-empty-capsule (the FWU accept/revert capsules).
func registerCapsule() {
	etypeReaders["efi-capsule"] = readCapsule
	etypeReaders["efi-empty-capsule"] = readEmptyCapsule
}

// capsuleGUID is binman's image-guid: the text form, or "binman-test",
// which binman's own tests map to a fixed GUID.
func capsuleGUID(path, s string) (layout.Hex, error) {
	if s == "binman-test" {
		s = "985f2937-7c2e-5e9a-8a5e-8e063312964b"
	}
	g, err := eficapsule.ParseGUID(s)
	if err != nil {
		return nil, fmt.Errorf("Node '%s': image-guid: %v", path, err)
	}
	return layout.Hex(g[:]), nil
}

func intProp(n *fdt.Node, path, name string) (uint64, error) {
	p := n.Prop(name)
	if p == nil {
		return 0, nil
	}
	switch len(p.Value) {
	case 4:
		return uint64(binary.BigEndian.Uint32(p.Value)), nil
	case 8:
		return binary.BigEndian.Uint64(p.Value), nil
	}
	return 0, fmt.Errorf("Node '%s': property '%s' has length %d, expected 4 or 8", path, name, len(p.Value))
}

func readCapsule(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
	if err := requireProps(n, path, "efi-capsule", "image-index", "image-guid"); err != nil {
		return err
	}
	_, priv := n.PropString("private-key")
	_, cert := n.PropString("public-key-cert")
	if priv != cert {
		return fmt.Errorf("Node '%s': Both private key and public key certificate need to be provided", path)
	}
	if priv {
		return fmt.Errorf("Node '%s': signed capsules (private-key, public-key-cert) are not supported by fwtool", path)
	}
	if n.Prop("fw-version") != nil {
		return fmt.Errorf("Node '%s': 'fw-version' (an FMP payload header, newer mkeficapsule) is not supported by fwtool", path)
	}
	spec := &layout.CapsuleSpec{Kind: "fmp"}
	guid, _ := n.PropString("image-guid")
	var err error
	if spec.ImageGUID, err = capsuleGUID(path, guid); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		dst  *layout.Num
		max  uint64
	}{{"image-index", &spec.Index, 0xff}, {"hardware-instance", &spec.Instance, 1<<64 - 1}, {"oem-flags", &spec.OEMFlags, 0xffff}} {
		x, err := intProp(n, path, f.name)
		if err != nil {
			return err
		}
		if x > f.max {
			return fmt.Errorf("Node '%s': '%s' %#x is more than %#x", path, f.name, x, f.max)
		}
		*f.dst = layout.Num(x)
	}
	out.Type = "efi-capsule"
	out.Capsule = spec
	for _, sub := range n.Children {
		if special(sub) {
			continue
		}
		childRel := sub.Name
		if rel != "" {
			childRel = rel + "/" + sub.Name
		}
		child, err := c.node(sub, path+"/"+sub.Name, childRel, false, hasPos)
		if err != nil {
			return err
		}
		out.Entries = append(out.Entries, *child)
	}
	return nil
}

func readEmptyCapsule(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
	if err := requireProps(n, path, "efi-empty-capsule", "capsule-type"); err != nil {
		return err
	}
	kind, _ := n.PropString("capsule-type")
	if kind != "accept" && kind != "revert" {
		return fmt.Errorf("Node '%s': capsule-type should be either 'accept' or 'revert'", path)
	}
	spec := &layout.CapsuleSpec{Kind: kind}
	guid, ok := n.PropString("image-guid")
	if kind == "accept" {
		if !ok || strings.TrimSpace(guid) == "" {
			return fmt.Errorf("Node '%s': Image GUID needed for generating accept capsule", path)
		}
		var err error
		if spec.ImageGUID, err = capsuleGUID(path, guid); err != nil {
			return err
		}
	}
	out.Type = "efi-empty-capsule"
	out.Capsule = spec
	return nil
}

// requireProps is binman's CheckRequiredProps.
func requireProps(n *fdt.Node, path, etype string, names ...string) error {
	var missing []string
	for _, name := range names {
		if n.Prop(name) == nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("Node '%s': '%s' entry is missing properties: %s", path, etype, strings.Join(missing, " "))
	}
	return nil
}
