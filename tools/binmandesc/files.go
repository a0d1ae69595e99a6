package binmandesc

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

func registerFiles() {
	etypeReaders["files"] = readFiles
}

// readFiles is binman's files entry: a section holding one blob per
// regular file matching "pattern" in the input directories (all matches,
// sorted by path), each compressed by "files-compress" and aligned by
// "files-align". binman adds those blob nodes to the description's tree
// (type, filename, compress, align), so u-boot-dtb and the fdtmap show
// them; they are added here the same way.
func readFiles(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
	pattern, ok := n.PropString("pattern")
	if !ok || pattern == "" {
		return fmt.Errorf("Node '%s': Missing 'pattern' property", path)
	}
	comp, ok := n.PropString("files-compress")
	if !ok {
		comp = "none"
	}
	var align uint32
	if p := n.Prop("files-align"); p != nil {
		if len(p.Value) != 4 {
			return fmt.Errorf("Node '%s': property 'files-align' has length %d, expected 4", path, len(p.Value))
		}
		align = binary.BigEndian.Uint32(p.Value)
	}
	var matches []string
	if len(c.opts.InputDirs) == 0 {
		m, err := filepath.Glob(pattern)
		if err != nil {
			return fmt.Errorf("Node '%s': bad 'pattern' %q: %v", path, pattern, err)
		}
		matches = m
	} else {
		for _, d := range c.opts.InputDirs {
			m, err := filepath.Glob(filepath.Join(d, pattern))
			if err != nil {
				return fmt.Errorf("Node '%s': bad 'pattern' %q: %v", path, pattern, err)
			}
			matches = append(matches, m...)
		}
		sort.Strings(matches)
	}
	if n.Prop("require-matches") != nil && len(matches) == 0 {
		return fmt.Errorf("Node '%s': Pattern '%s' matched no files", path, pattern)
	}
	out.Type = "section"
	var added []*fdt.Node
	for _, f := range matches {
		if st, err := os.Stat(f); err != nil || !st.Mode().IsRegular() {
			continue
		}
		name := filepath.Base(f)
		if n.Child(name) != nil {
			return fmt.Errorf("Node '%s': file '%s' matches a subnode already there (not supported)", path, name)
		}
		// libfdt puts each new property first: newest first.
		var props []*fdt.Property
		if align != 0 {
			props = append(props, &fdt.Property{Name: "align", Value: be32(align)})
		}
		props = append(props,
			&fdt.Property{Name: "compress", Value: cstr(comp)},
			&fdt.Property{Name: "filename", Value: cstr(f)},
			&fdt.Property{Name: "type", Value: cstr("blob")})
		kid := &fdt.Node{Name: name, Properties: props}
		added = append(added, kid)
		lp := make([]layout.Prop, 0, len(props))
		for _, p := range props {
			lp = append(lp, layout.Prop{Name: p.Name, Value: layout.Hex(p.Value)})
		}
		childRel := name
		if rel != "" {
			childRel = rel + "/" + name
		}
		out.Entries = append(out.Entries, layout.Node{Name: name, Type: "blob", Path: f, Compress: comp, Align: layout.Num(align), Props: lp})
		c.upd.slots[c.image] = append(c.upd.slots[c.image], slot{node: kid, entryPath: childRel, hasPos: hasPos, compress: comp != "none" && comp != ""})
	}
	if len(added) > 0 {
		c.expansions[n] = added
	}
	return nil
}

func be32(v uint32) []byte {
	b := make([]byte, 4)
	binary.BigEndian.PutUint32(b, v)
	return b
}

func cstr(s string) []byte { return append([]byte(s), 0) }
