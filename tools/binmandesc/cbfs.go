package binmandesc

import (
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// cbfsArchs are cbfs_util's architecture names.
var cbfsArchs map[string]uint32 // setupTables fills it

func registerCbfs() { etypeReaders["cbfs"] = readCbfs }

// readCbfs reads binman's cbfs entry: each subnode is a CBFS file
// (cbfs-name, default the node name; cbfs-type raw; cbfs-compress none,
// lz4 or lzma; cbfs-offset), u-boot not expanded. Checks come in binman's
// order: compression while reading, then architecture, size and types.
// Stage files (ELF segments) are refused by name.
func readCbfs(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
	spec := &layout.CbfsSpec{Files: []layout.CbfsFileSpec{}}
	var types []string
	for _, sub := range n.Children {
		f := layout.CbfsFileSpec{Name: sub.Name, Compress: "none"}
		if s, ok := sub.PropString("cbfs-name"); ok {
			f.Name = s
		}
		if s, ok := sub.PropString("cbfs-compress"); ok {
			f.Compress = s
		}
		if f.Compress != "none" && f.Compress != "lz4" && f.Compress != "lzma" {
			return fmt.Errorf("Node '%s': Invalid compression in '%s': '%s'", path, sub.Name, f.Compress)
		}
		if p := sub.Prop("cbfs-offset"); p != nil {
			off, err := u32Prop(path+"/"+sub.Name, p)
			if err != nil {
				return err
			}
			o := layout.Num(off)
			f.Offset = &o
		}
		t, ok := sub.PropString("cbfs-type")
		if !ok {
			t = "None"
		}
		types = append(types, t)
		spec.Files = append(spec.Files, f)
	}
	archName, ok := v.strings["cbfs-arch"]
	if !ok {
		archName, _ = n.PropString("cbfs-arch")
	}
	if archName == "" {
		archName = "x86"
	}
	arch, ok := cbfsArchs[archName]
	if !ok {
		return fmt.Errorf("Node '%s': Invalid architecture '%s'", path, archName)
	}
	spec.Arch = layout.Num(arch)
	if out.Size == nil {
		return fmt.Errorf("Node '%s': 'cbfs' entry must have a size property", path)
	}
	for i, sub := range n.Children {
		subPath := path + "/" + sub.Name
		switch types[i] {
		case "raw":
		case "stage":
			return fmt.Errorf("Node '%s': cbfs-type 'stage' (an ELF file's segments) is not supported by fwtool", subPath)
		default:
			return fmt.Errorf("Node '%s': Unknown cbfs-type '%s' (use 'raw', 'stage')", subPath, types[i])
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
	}
	out.Type = "cbfs"
	out.Cbfs = spec
	return nil
}
