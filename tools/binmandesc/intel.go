package binmandesc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's Intel x86 blobs. Most are external blobs read from "filename"
// (default: the type name); intel-mrc and intel-refcode always read
// mrc.bin and refcode.bin. intel-descriptor (the 4 KiB flash descriptor)
// sits at the start of its section and, with a sibling named intel-me,
// fixes that entry's offset and size to the descriptor's ME region.
func registerIntel() {
	for _, t := range []string{"intel-cmc", "intel-fsp", "intel-fsp-m", "intel-fsp-s", "intel-fsp-t", "intel-me", "intel-vbt", "intel-vga", "intel-descriptor"} {
		etypeReaders[t] = readIntelBlob
	}
	fixed := map[string]string{"intel-mrc": "mrc.bin", "intel-refcode": "refcode.bin"}
	for t, file := range fixed {
		file := file
		etypeReaders[t] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
			out.Type, out.External, out.Path = "blob", true, c.resolve(file)
			return nil
		}
	}
}

func readIntelBlob(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
	etype, ok := v.strings["type"]
	if !ok {
		etype = n.Name
		if i := bytes.IndexByte([]byte(etype), '@'); i >= 0 {
			etype = etype[:i]
		}
	}
	out.Type, out.External = "blob", true
	name, ok := v.strings["filename"]
	if !ok {
		name = etype
	}
	out.Path = c.resolve(name)
	parent := parentOf(c.tree.Root, n)
	if parent == nil {
		return nil
	}
	switch {
	case etype == "intel-descriptor" && out.Offset == nil:
		skip := layout.Num(sectionStart(parent))
		out.Offset = &skip
	case n.Name == "intel-me":
		desc := childOfType(parent, "intel-descriptor")
		if desc == nil {
			if n.Prop("offset-unset") != nil && out.Offset == nil {
				return fmt.Errorf("Node '%s': No offset set with offset-unset: should another entry provide this correct offset?", path)
			}
			return nil
		}
		file, ok := desc.PropString("filename")
		if !ok {
			file = "intel-descriptor"
		}
		fpath := c.resolve(file)
		if _, err := os.Stat(fpath); err != nil {
			// The descriptor entry reports its missing file (an error
			// without -M); with -M binman puts the ME at 0x1000.
			off := layout.Num(sectionStart(parent) + 0x1000)
			out.Offset = &off
			return nil
		}
		base, size, err := meRegion(fpath)
		if err != nil {
			// binman reports it on the descriptor's node.
			return fmt.Errorf("Node '%s/%s': %v", path[:strings.LastIndex(path, "/")], desc.Name, err)
		}
		off, sz := layout.Num(sectionStart(parent)+base), layout.Num(size)
		out.Offset, out.Size = &off, &sz
	}
	return nil
}

// meRegion reads the ME region (region 2) of an Intel flash descriptor:
// the region table is at FRBA, from FLMAP0 after the 0x0ff0a55a signature.
func meRegion(file string) (base, size uint64, err error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, 0, err
	}
	sig := []byte{0x5a, 0xa5, 0xf0, 0x0f}
	at := bytes.Index(data, sig)
	if at < 0 || at+8 > len(data) {
		return 0, 0, fmt.Errorf("Cannot find Intel Flash Descriptor (FD) signature")
	}
	flmap0 := binary.LittleEndian.Uint32(data[at+4:])
	frba := int((flmap0>>16)&0xff) << 4
	pos := frba + 2*4
	if pos+4 > len(data) {
		return 0, 0, fmt.Errorf("%s: region table at %#x is past the end", file, frba)
	}
	val := binary.LittleEndian.Uint32(data[pos:])
	base = uint64(val&0xfff) << 12
	limit := uint64((val&0x0fff0000)>>4) | 0xfff
	return base, limit - base + 1, nil
}

// sectionStart is binman's GetStartOffset: skip-at-start, which
// end-at-4gb sets to 4 GiB minus the section size.
func sectionStart(s *fdt.Node) uint64 {
	if s.Prop("end-at-4gb") != nil {
		if p := s.Prop("size"); p != nil && len(p.Value) == 4 {
			return 1<<32 - uint64(binary.BigEndian.Uint32(p.Value))
		}
	}
	if p := s.Prop("skip-at-start"); p != nil && len(p.Value) == 4 {
		return uint64(binary.BigEndian.Uint32(p.Value))
	}
	return 0
}

func parentOf(root, n *fdt.Node) *fdt.Node {
	for _, c := range root.Children {
		if c == n {
			return root
		}
		if p := parentOf(c, n); p != nil {
			return p
		}
	}
	return nil
}

func childOfType(parent *fdt.Node, etype string) *fdt.Node {
	for _, c := range parent.Children {
		t, ok := c.PropString("type")
		if !ok {
			t = c.Name
			if i := bytes.IndexByte([]byte(t), '@'); i >= 0 {
				t = t[:i]
			}
		}
		if t == etype {
			return c
		}
	}
	return nil
}
