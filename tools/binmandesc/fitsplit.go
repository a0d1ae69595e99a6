package binmandesc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/elffile"
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
	content := contentEntries(gen)
	if len(content) != 1 {
		return g.splitSeveral(gen, rel, content)
	}
	file, etype, err := g.splitELFFile(gen, rel, content[0])
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
	var segs []segment
	var entry uint64
	if etype == "tee-os" && opteeV1(data) {
		segs, entry, err = opteeSegments(data)
		if err != nil {
			return fmt.Errorf("Node '%s%s/%s': %v", g.path, rel, content[0].Name, err)
		}
	} else if segs, entry, err = elfSegments(data); err != nil {
		return g.errorf(gen, rel, "Failed to read ELF file: %v", err)
	}
	for _, seg := range segs {
		name := strings.ReplaceAll(gen.Name[1:], "SEQ", strconv.Itoa(seg.index+1))
		out := dst.AddChild(name)
		g.loadables = append(g.loadables, name)
		for _, pr := range gen.Properties {
			switch pr.Name {
			case "fit,load":
				out.Properties = append(out.Properties, &fdt.Property{Name: "load", Value: u32be(uint32(seg.addr))})
			case "fit,entry":
				if seg.index == 0 {
					out.Properties = append(out.Properties, &fdt.Property{Name: "entry", Value: u32be(uint32(entry))})
				}
			case "fit,data":
				out.Properties = append(out.Properties, &fdt.Property{Name: "data", Value: seg.data})
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

// segment is one loadable part: binman's (program header index, address,
// bytes).
type segment struct {
	index int
	addr  uint64
	data  []byte
}

// elfSegments is binman's elf.read_loadable_segments: each PT_LOAD with a
// memory size, at its physical address; errors in pyelftools' words where
// binman's tests meet them.
func elfSegments(data []byte) ([]segment, uint64, error) {
	if !bytes.HasPrefix(data, []byte("\x7fELF")) {
		return nil, 0, fmt.Errorf("Magic number does not match")
	}
	f, err := elffile.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, 0, err
	}
	var segs []segment
	for i, p := range f.Progs {
		if p.Type != elffile.PT_LOAD || p.Memsz == 0 {
			continue
		}
		if p.Off+p.Filesz > uint64(len(data)) || p.Paddr > 0xffffffff {
			return nil, 0, fmt.Errorf("segment %d outside the file or above 4 GiB", i)
		}
		segs = append(segs, segment{i, p.Paddr, data[p.Off : p.Off+p.Filesz]})
	}
	return segs, f.Entry, nil
}

// opteeV1 is binman's is_optee_bin_v1: OP-TEE's tee.bin header "OPTE" 1.
func opteeV1(data []byte) bool { return len(data) >= 8 && bytes.HasPrefix(data, []byte("OPTE\x01")) }

// opteeSegments is binman's Entry_tee_os.read_elf_segments for the v1
// header: init size, entry (high, low words), init memory size and paged
// size (little-endian from byte 8); the one segment is the rest of the
// file, loaded at the entry.
func opteeSegments(data []byte) ([]segment, uint64, error) {
	if len(data) < 0x1c {
		return nil, 0, fmt.Errorf("Invalid OP-TEE file: size mismatch (expected a header of 0x1c bytes, have %#x)", len(data))
	}
	le := binary.LittleEndian
	initSize, hi, lo, paged := le.Uint32(data[8:]), le.Uint32(data[12:]), le.Uint32(data[16:]), le.Uint32(data[24:])
	if paged != 0 {
		return nil, 0, fmt.Errorf("OP-TEE paged mode not supported")
	}
	entry := uint64(hi)<<32 | uint64(lo)
	body := data[0x1c:]
	if len(body) != int(initSize) {
		return nil, 0, fmt.Errorf("Invalid OP-TEE file: size mismatch (expected %#x, have %#x)", initSize, len(body))
	}
	return []segment{{0, entry, body}}, entry, nil
}

// splitSeveral: binman splits the section's joined data as an ELF file
// when the generator holds other than one entry; fwtool gives binman's
// error when that data cannot be an ELF file (the first entry's file does
// not start like one) and refuses the rest.
func (g *fitGen) splitSeveral(gen *fdt.Node, rel string, content []*fdt.Node) error {
	if len(content) > 0 {
		if file, _, err := g.splitELFFile(gen, rel, content[0]); err == nil {
			if head, err := readHead(file, 4); err == nil && len(head) == 4 && !bytes.Equal(head, []byte("\x7fELF")) {
				return g.errorf(gen, rel, "Failed to read ELF file: Magic number does not match")
			}
		}
	}
	return g.errorf(gen, rel, "split-elf of %d content entries is not supported by fwtool", len(content))
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	k, err := io.ReadFull(f, b)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return b[:k], err
}

func u32be(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// contentEntries are the generator's content entries (not its hash or
// signature nodes).
func contentEntries(gen *fdt.Node) []*fdt.Node {
	var content []*fdt.Node
	for _, sub := range gen.Children {
		if !special(sub) {
			content = append(content, sub)
		}
	}
	return content
}

// splitELFFile is the file of one content entry of the generator, and its
// type: a blob or an external blob named by its property or entry
// argument (tee-os too: an ELF file or an OP-TEE v1 binary).
func (g *fitGen) splitELFFile(gen *fdt.Node, rel string, n *fdt.Node) (string, string, error) {
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
		return "", "", g.errorf(gen, rel, "split-elf of a '%s' entry is not supported by fwtool", etype)
	}
	if !ok {
		name = etype
	}
	return g.c.resolve(name), etype, nil
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
