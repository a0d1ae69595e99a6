package dts

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

// NormalizeDTB applies what dtc does to a tree read from a blob before
// writing it out: a "name" property equal to the node's base name is
// redundant and dropped; any other "name" value is an error.
func NormalizeDTB(t *fdt.Tree) error {
	var walk func(n *fdt.Node, path string) error
	walk = func(n *fdt.Node, path string) error {
		base := n.Name
		if i := strings.IndexByte(base, '@'); i >= 0 {
			base = base[:i]
		}
		for i, p := range n.Properties {
			if p.Name != "name" {
				continue
			}
			if !isOneString(p.Value) {
				return fmt.Errorf("%s:name: property is not a string", path)
			}
			if string(p.Value) != base+"\x00" {
				return fmt.Errorf("%s:name: \"name\" property is incorrect (%q instead of base node name)", path, strings.TrimRight(string(p.Value), "\x00"))
			}
			n.Properties = append(n.Properties[:i:i], n.Properties[i+1:]...)
			break
		}
		for _, c := range n.Children {
			cp := path + "/" + c.Name
			if path == "/" {
				cp = "/" + c.Name
			}
			if err := walk(c, cp); err != nil {
				return err
			}
		}
		return nil
	}
	if t.Root == nil {
		return nil
	}
	return walk(t.Root, "/")
}

// Format returns the tree as DTS text exactly as `dtc -I dtb -O dts`
// prints it: value types are guessed from the bytes (strings, 32-bit
// cells, else bytes), since a blob carries no type information.
func Format(t *fdt.Tree) string {
	var b strings.Builder
	Print(&b, t)
	return b.String()
}

// Print writes Format(t) to w.
func Print(w io.Writer, t *fdt.Tree) error {
	var b strings.Builder
	b.WriteString("/dts-v1/;\n\n")
	for _, r := range t.Reserve {
		fmt.Fprintf(&b, "/memreserve/\t0x%016x 0x%016x;\n", r.Address, r.Size)
	}
	root := t.Root
	if root == nil {
		root = &fdt.Node{}
	}
	printNode(&b, root, 0)
	_, err := io.WriteString(w, b.String())
	return err
}

func printNode(b *strings.Builder, n *fdt.Node, level int) {
	ind := strings.Repeat("\t", level)
	name := n.Name
	if name == "" {
		name = "/"
	}
	fmt.Fprintf(b, "%s%s {\n", ind, name)
	for _, p := range n.Properties {
		b.WriteString(ind + "\t" + p.Name)
		writeValue(b, p.Value)
	}
	for _, c := range n.Children {
		b.WriteByte('\n')
		printNode(b, c, level+1)
	}
	b.WriteString(ind + "};\n")
}

func isPrint(c byte) bool { return c >= 0x20 && c < 0x7f }

func isStringByte(c byte) bool {
	return isPrint(c) || c == 0 || strings.IndexByte("\a\b\t\n\v\f\r", c) >= 0
}

func writeValue(b *strings.Builder, v []byte) {
	if len(v) == 0 {
		b.WriteString(";\n")
		return
	}
	notString, nul := 0, 0
	for _, c := range v {
		if !isStringByte(c) {
			notString++
		}
		if c == 0 {
			nul++
		}
	}
	b.WriteString(" = ")
	switch {
	case v[len(v)-1] == 0 && notString == 0 && nul <= len(v)-nul:
		b.WriteByte('"')
		for _, c := range v[:len(v)-1] {
			switch c {
			case '\a':
				b.WriteString(`\a`)
			case '\b':
				b.WriteString(`\b`)
			case '\t':
				b.WriteString(`\t`)
			case '\n':
				b.WriteString(`\n`)
			case '\v':
				b.WriteString(`\v`)
			case '\f':
				b.WriteString(`\f`)
			case '\r':
				b.WriteString(`\r`)
			case '\\':
				b.WriteString(`\\`)
			case '"':
				b.WriteString(`\"`)
			case 0:
				b.WriteString(`\0`)
			default:
				if isPrint(c) {
					b.WriteByte(c)
				} else {
					fmt.Fprintf(b, "\\x%02x", c)
				}
			}
		}
		b.WriteByte('"')
	case len(v)%4 == 0:
		b.WriteByte('<')
		for i := 0; i < len(v); i += 4 {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(b, "0x%02x", be32(v[i:]))
		}
		b.WriteByte('>')
	default:
		b.WriteByte('[')
		for i, c := range v {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(b, "%02x", c)
		}
		b.WriteByte(']')
	}
	b.WriteString(";\n")
}

// SortTree orders reservations by address and size, and every node's
// properties and children by name, as dtc -s does.
func SortTree(t *fdt.Tree) {
	sort.Slice(t.Reserve, func(i, j int) bool {
		a, b := t.Reserve[i], t.Reserve[j]
		if a.Address != b.Address {
			return a.Address < b.Address
		}
		return a.Size < b.Size
	})
	var walk func(n *fdt.Node)
	walk = func(n *fdt.Node) {
		sort.SliceStable(n.Properties, func(i, j int) bool { return n.Properties[i].Name < n.Properties[j].Name })
		sort.SliceStable(n.Children, func(i, j int) bool { return n.Children[i].Name < n.Children[j].Name })
		for _, c := range n.Children {
			walk(c)
		}
	}
	if t.Root != nil {
		walk(t.Root)
	}
}
