package binmandesc

import (
	"fmt"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/binsym"
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's u-boot-spl-expanded (and -tpl-, -vpl-): with the entry argument
// spl-dtb (tpl-dtb, vpl-dtb) true, a u-boot-spl entry without
// no-expanded is a section of u-boot-spl-nodtb, u-boot-spl-bss-pad (with
// the entry argument spl-bss-pad true) and u-boot-spl-dtb, added as
// subnodes to the description's tree (and the phase trees) like u-boot's
// expansion. The section passes no-write-symbols and symbols-base on to
// them. u-boot-spl-bss-pad is __bss_size zero bytes from SPL's ELF file.

// xplPhases are the phases binman expands by entry argument.
var xplPhases map[string]string // setupTables fills it

func registerXplexpand() {
	for etype, phase := range xplPhases {
		elfName := phase + "/u-boot-" + phase
		etypeReaders[etype+"-bss-pad"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
			return c.readBSSPad(path, elfName, out)
		}
	}
}

// entryArgBool is binman's GetEntryArgBool: set, and not "", "n" or "0".
func (c *converter) entryArgBool(name string) bool {
	v := c.opts.EntryArgs[name]
	return v != "" && v != "n" && v != "0"
}

// expandXPL expands n into out when binman would; false leaves it a blob.
func (c *converter) expandXPL(n *fdt.Node, v *propValues, etype, path, rel string, out *layout.Node, hasPos bool) (bool, error) {
	phase, ok := xplPhases[etype]
	if !ok || v.flags["no-expanded"] || c.noExpand[n] || !c.entryArgBool(phase+"-dtb") {
		return false, nil
	}
	names := []string{etype + "-nodtb", etype + "-dtb"}
	if c.entryArgBool(phase + "-bss-pad") {
		names = []string{etype + "-nodtb", etype + "-bss-pad", etype + "-dtb"}
	}
	out.Type = "section"
	var added []*fdt.Node
	for _, name := range names {
		kid := &fdt.Node{Name: name}
		added = append(added, kid)
		childRel := name
		if rel != "" {
			childRel = rel + "/" + name
		}
		child, err := c.node(kid, path+"/"+name, childRel, false, hasPos)
		if err != nil {
			return true, err
		}
		if err := passSymbolProps(child, v); err != nil {
			return true, fmt.Errorf("Node '%s': %v", path+"/"+name, err)
		}
		out.Entries = append(out.Entries, *child)
	}
	// The new subnodes go in front of the description's (none, normally).
	out.HashAfter = layout.Num(len(out.Entries))
	c.expansions[n] = added
	return true, nil
}

// passSymbolProps gives an expanded child the section's no-write-symbols
// and symbols-base.
func passSymbolProps(child *layout.Node, v *propValues) error {
	if child.Symbols == nil {
		return nil
	}
	if v.flags["no-write-symbols"] {
		child.Symbols = nil
		return nil
	}
	base, ok := v.nums["symbols-base"]
	if !ok {
		return nil
	}
	t, err := binsym.ParseSpec(child.Symbols)
	if err != nil {
		return err
	}
	t.SymbolsBase = &base
	child.Symbols = t.Marshal()
	return nil
}

// readBSSPad is u-boot-spl-bss-pad: zero bytes as many as the ELF file's
// __bss_size.
func (c *converter) readBSSPad(path, elfName string, out *layout.Node) error {
	p := c.resolve(elfName)
	if _, err := os.Stat(p); err != nil {
		return fmt.Errorf("Node '%s': Filename '%s' not found in input path", path, elfName)
	}
	size, found, err := elfSymbol(p, "__bss_size")
	if err != nil {
		return fmt.Errorf("Node '%s': %v", path, err)
	}
	if !found {
		return fmt.Errorf("Node '%s': Expected __bss_size symbol in %s", path, elfName)
	}
	if size > 1<<30 {
		return fmt.Errorf("Node '%s': __bss_size %#x in %s is too big", path, size, elfName)
	}
	f, err := c.tempFile("bss", ".bin", make([]byte, size))
	if err != nil {
		return err
	}
	out.Type, out.Path = "blob", f
	return nil
}
