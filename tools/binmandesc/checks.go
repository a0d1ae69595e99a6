package binmandesc

import (
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// dtbTypes are binman's blob_dtb entry types: they take "prepend".
var dtbTypes map[string]bool // setupTables fills it

// checkEntry is binman's Entry.ReadNode refusal of old property names,
// and blob_dtb's checks on "prepend" and zstd (which needs the length
// header to be decompressed). It sets out.Prepend.
func checkEntry(n *fdt.Node, path, etype string, out *layout.Node) error {
	if n.Prop("pos") != nil {
		return fmt.Errorf("Node '%s': Please use 'offset' instead of 'pos'", path)
	}
	if n.Prop("expand-size") != nil {
		return fmt.Errorf("Node '%s': Please use 'extend-size' instead of 'expand-size'", path)
	}
	if !dtbTypes[etype] {
		return nil
	}
	prepend, _ := n.PropString("prepend")
	if prepend != "" && prepend != "length" {
		return fmt.Errorf("Node '%s': Invalid prepend in '%s': '%s'", path, n.Name, prepend)
	}
	if out.Compress == "zstd" && prepend != "length" {
		return fmt.Errorf("Node '%s': The zstd compression requires a length header", path)
	}
	out.Prepend = prepend
	return nil
}
