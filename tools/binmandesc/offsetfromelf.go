package binmandesc

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// offsetFromELF is binman's offset-from-elf = <&entry>, "symbol", <add>:
// an entry without an offset is placed at the symbol's offset from the
// base symbol (elf-base-sym, else __image_copy_start) in the ELF file of
// the entry the phandle names (its elf-filename), plus add.
func (c *converter) offsetFromELF(n *fdt.Node, path string, out *layout.Node) error {
	p := n.Prop("offset-from-elf")
	if p == nil || out.Offset != nil {
		return nil
	}
	v := p.Value
	nul := bytes.IndexByte(v[minInt(4, len(v)):], 0)
	if len(v) < 4 || nul < 0 || len(v) != 4+nul+1+4 {
		return fmt.Errorf("Node '%s': property 'offset-from-elf' must be <&phandle>, \"symbol\", <offset>", path)
	}
	sym := string(v[4 : 4+nul])
	add := uint64(binary.BigEndian.Uint32(v[len(v)-4:]))
	target := nodeByPhandle(c.tree.Root, binary.BigEndian.Uint32(v))
	if target == nil {
		return fmt.Errorf("Node '%s': Cannot find node for phandle %d", path, binary.BigEndian.Uint32(v))
	}
	elfName, ok := target.PropString("elf-filename")
	if !ok {
		return fmt.Errorf("Node '%s': Need elf-fname property '%s'", path, target.Name)
	}
	base, ok := target.PropString("elf-base-sym")
	if !ok || base == "" {
		base = "__image_copy_start"
	}
	if _, err := c.readInput(elfName); err != nil {
		return err
	}
	file := c.resolve(elfName)
	b, okB, err := elfSymbol(file, base)
	if err != nil {
		return fmt.Errorf("Node '%s': %v", path, err)
	}
	s, okS, err := elfSymbol(file, sym)
	if err != nil {
		return fmt.Errorf("Node '%s': %v", path, err)
	}
	if !okB || !okS {
		return fmt.Errorf("Node '%s': symbol '%s' or '%s' not in %s", path, sym, base, elfName)
	}
	off := layout.Num(s - b + add)
	out.Offset = &off
	return nil
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}
