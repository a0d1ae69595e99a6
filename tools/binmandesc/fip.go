package binmandesc

import (
	"encoding/binary"
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/fip"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// notBinmanFipTypes are fiptool names binman's fip_util does not know:
// binman treats a node so named as an ordinary entry.
var notBinmanFipTypes map[string]bool // setupTables fills it

func binmanFipType(name string) (fip.ImageType, bool) {
	if notBinmanFipTypes[name] {
		return fip.ImageType{}, false
	}
	return fip.TypeByName(name)
}

// atfFip reads binman's atf-fip entry: every subnode is an image of the
// FIP. A subnode named after a FIP type is an external blob
// ("filename", else the file "blob-ext", as binman's blob-ext has it);
// any other is an ordinary entry (u-boot not expanded) that needs
// fip-uuid or fip-type. fip-flags and fip-hdr-flags are 64-bit.
func (c *converter) atfFip(n *fdt.Node, path, rel string, out *layout.Node, hasPos bool) error {
	spec := &layout.FipSpec{Entries: []layout.FipEntrySpec{}}
	flags, err := u64Prop(n, path, "fip-hdr-flags")
	if err != nil {
		return err
	}
	spec.HdrFlags = layout.Num(flags)
	if p := n.Prop("fip-align"); p != nil {
		a, err := u32Prop(path, p)
		if err != nil {
			return err
		}
		if a == 0 || a&(a-1) != 0 {
			return fmt.Errorf("Node '%s': FIP alignment %d must be a power of two", path, a)
		}
		spec.Align = layout.Num(a)
	}
	for _, sub := range n.Children {
		subPath := path + "/" + sub.Name
		var uuid []byte
		if p := sub.Prop("fip-uuid"); p != nil {
			if len(p.Value) != 16 {
				return fmt.Errorf("Node '%s': Property 'fip-uuid' has length %d, expected 16", subPath, len(p.Value))
			}
			uuid = p.Value
		}
		if t, ok := binmanFipType(sub.Name); ok {
			c.forceType[sub] = "blob-ext"
			uuid = t.UUID[:]
		} else if uuid == nil {
			name, ok := sub.PropString("fip-type")
			if !ok {
				return fmt.Errorf("Node '%s': Must provide a fip-type (node name '%s' is not a known FIP type)", path, sub.Name)
			}
			t, ok := binmanFipType(name)
			if !ok {
				return fmt.Errorf("Unknown FIP entry type '%s'", name)
			}
			uuid = t.UUID[:]
		}
		flags, err := u64Prop(sub, subPath, "fip-flags")
		if err != nil {
			return err
		}
		c.noExpand[sub] = true
		childRel := sub.Name
		if rel != "" {
			childRel = rel + "/" + sub.Name
		}
		child, err := c.node(sub, subPath, childRel, false, hasPos && (out.Compress == "" || out.Compress == "none"))
		if err != nil {
			return err
		}
		out.Entries = append(out.Entries, *child)
		spec.Entries = append(spec.Entries, layout.FipEntrySpec{UUID: append(layout.Hex(nil), uuid...), Flags: layout.Num(flags)})
	}
	out.Type = "atf-fip"
	out.FIP = spec
	return nil
}

// u64Prop is fdt_util.GetInt64: 0 when absent.
func u64Prop(n *fdt.Node, path, name string) (uint64, error) {
	p := n.Prop(name)
	if p == nil {
		return 0, nil
	}
	switch len(p.Value) {
	case 8:
		return binary.BigEndian.Uint64(p.Value), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(p.Value)), nil
	}
	return 0, fmt.Errorf("Node '%s': property '%s' has length %d, expected 8", path, name, len(p.Value))
}
