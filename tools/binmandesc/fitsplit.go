package binmandesc

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

// splitELF is binman's fit,operation = "split-elf": the generator node's
// contents are an ELF file; each loadable segment (PT_LOAD with a memory
// size) becomes an image node named after the generator with SEQ the
// segment's program-header index plus one. fit,load, fit,entry (first
// segment only) and fit,data give load = the segment's physical address,
// entry = the ELF entry and data = its file bytes; other properties are
// copied as they are. The nodes join the loadables.
func (g *fitGen) splitELF(dst, gen *fdt.Node, rel string, depth int) error {
	file, err := g.splitELFFile(gen, rel)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(file)
	if os.IsNotExist(err) && optionalContent(gen) {
		// binman: an optional entry that is missing gives no segments
		// (and a missing-blob warning); the FIT is built without them.
		return nil
	}
	if err != nil {
		return g.errorf(gen, rel, "Failed to read ELF file: %v", err)
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return g.errorf(gen, rel, "Failed to read ELF file: %v", err)
	}
	for i, p := range f.Progs {
		if p.Type != elf.PT_LOAD || p.Memsz == 0 {
			continue
		}
		if p.Off+p.Filesz > uint64(len(data)) || p.Paddr > 0xffffffff {
			return g.errorf(gen, rel, "Failed to read ELF file: segment %d outside the file or above 4 GiB", i)
		}
		name := strings.ReplaceAll(gen.Name[1:], "SEQ", strconv.Itoa(i+1))
		out := dst.AddChild(name)
		g.loadables = append(g.loadables, name)
		for _, pr := range gen.Properties {
			switch pr.Name {
			case "fit,load":
				out.Properties = append(out.Properties, &fdt.Property{Name: "load", Value: u32be(uint32(p.Paddr))})
			case "fit,entry":
				if i == 0 {
					out.Properties = append(out.Properties, &fdt.Property{Name: "entry", Value: u32be(uint32(f.Entry))})
				}
			case "fit,data":
				out.Properties = append(out.Properties, &fdt.Property{Name: "data", Value: data[p.Off : p.Off+p.Filesz]})
			case "fit,operation":
			default:
				if strings.HasPrefix(pr.Name, "fit,") {
					return g.errorf(gen, rel, "Unknown directive '%s'", pr.Name)
				}
				out.Properties = append(out.Properties, &fdt.Property{Name: pr.Name, Value: pr.Value})
			}
		}
		if g.c.opts.UpdateFDT {
			// -u's positions of the generator entry, all 0, come last.
			zero := []string{"offset", "size"}
			if g.hasPos {
				zero = append(zero, "image-pos")
			}
			for _, z := range zero {
				if gen.Prop(z) == nil {
					out.Properties = append(out.Properties, &fdt.Property{Name: z, Value: u32be(0)})
				}
			}
		}
		// binman copies every subnode, the content entry's too.
		for _, sub := range gen.Children {
			if err := g.addNode(out.AddChild(sub.Name), sub, gen, "/"+sub.Name, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func u32be(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// splitELFFile is the file of the generator's one content entry: a blob
// or an external blob named by its property or entry argument (tee-os
// too: an ELF file, as split-elf wants it, is used as it is).
func (g *fitGen) splitELFFile(gen *fdt.Node, rel string) (string, error) {
	var content []*fdt.Node
	for _, sub := range gen.Children {
		if !special(sub) {
			content = append(content, sub)
		}
	}
	if len(content) != 1 {
		return "", g.errorf(gen, rel, "split-elf needs exactly one content entry, found %d", len(content))
	}
	n := content[0]
	etype, ok := n.PropString("type")
	if !ok {
		etype = strings.SplitN(n.Name, "@", 2)[0]
	}
	name, ok := n.PropString("filename")
	switch {
	case namedByArg[etype] || etype == "tee-os":
		if a, isArg := g.c.opts.EntryArgs[etype+"-path"]; isArg {
			name, ok = a, true
		} else if p, isProp := n.PropString(etype + "-path"); isProp {
			name, ok = p, true
		}
	case etype == "blob" || etype == "blob-ext":
	default:
		return "", g.errorf(gen, rel, "split-elf of a '%s' entry is not supported by fwtool", etype)
	}
	if !ok {
		name = etype
	}
	return g.c.resolve(name), nil
}

// optionalContent: the generator's content entry has "optional".
func optionalContent(gen *fdt.Node) bool {
	for _, sub := range gen.Children {
		if !special(sub) && sub.Prop("optional") != nil {
			return true
		}
	}
	return false
}
