package binmandesc

import (
	"encoding/binary"
	"fmt"
	"os"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/elffile"
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// x86 microcode (binman's u-boot-with-ucode-ptr, u-boot-dtb-with-ucode and
// u-boot-ucode, see binman's u_boot_ucode docs). Three entries of one
// section work together:
//   - the pointer entry is U-Boot without its device tree; its ELF file's
//     _dt_ucode_base_size symbol addresses 8 bytes that get the microcode's
//     address and size (little-endian u32s) once the image is packed;
//   - the device-tree entry is the description's own tree; when it has
//     more than one /microcode update node their "data" properties are
//     deleted from the tree ("collated"), else the one update stays in it
//     and the pointer addresses it there;
//   - u-boot-ucode holds the collated updates (else it is empty); binman
//     also writes them to u-boot-ucode.bin in its output directory.
// binman's entries find each other by type in their section (the first of
// each type), and the tree entry only sees a pointer entry placed before it.

// ucodePtrTypes are the pointer entry types in the order binman's tree
// entry looks for them, with their ELF and default contents.
var ucodePtrTypes = []struct {
	etype, elf, file string
	autoSymbols      bool
}{
	{"u-boot-spl-with-ucode-ptr", "spl/u-boot-spl", "spl/u-boot-spl-nodtb.bin", true},
	{"u-boot-tpl-with-ucode-ptr", "tpl/u-boot-tpl", "tpl/u-boot-tpl-nodtb.bin", true},
	{"u-boot-with-ucode-ptr", "u-boot", "u-boot-nodtb.bin", false},
}

const ucodeSymbol = "_dt_ucode_base_size"

// ucodeSection is what the microcode entries of one section share.
type ucodeSection struct {
	// ptrs are the pointer entries with a symbol, by entry path below the image.
	ptrs []ucodePtr
	// dtbs are the first tree entry of each type.
	dtbs map[string]*ucodeDTB
	// ucode is the first u-boot-ucode entry.
	ucode    string
	hasUcode bool
	// placeholder is its entries' path until finishUcode.
	placeholder string
}

// ucodeDTB is a tree entry: collate and data are its microcode, prop the
// property left in the tree (root) when there is one update.
type ucodeDTB struct {
	rel     string
	collate bool
	data    []byte
	prop    *fdt.Property
	root    *fdt.Node
	encode  func() ([]byte, error)
}

// ucodeDTBTypes are the tree entry types, in the order binman looks for
// them, with the tree each holds.
var ucodeDTBTypes = []struct{ etype, fdtEtype, file string }{
	{"u-boot-dtb-with-ucode", "u-boot-dtb", ""},
	{"u-boot-spl-dtb-with-ucode", "u-boot-spl-dtb", "spl/u-boot-spl.dtb"},
	{"u-boot-tpl-dtb-with-ucode", "u-boot-tpl-dtb", "tpl/u-boot-tpl.dtb"},
}

// firstDTB is the tree entry binman's FindEntryType finds first among types.
func (s *ucodeSection) firstDTB(types ...string) *ucodeDTB {
	for _, t := range types {
		if d := s.dtbs[t]; d != nil {
			return d
		}
	}
	return nil
}

type ucodePtr struct {
	rel, path string
	target    uint64
}

func registerUcode() {
	for _, p := range ucodePtrTypes {
		p := p
		etypeReaders[p.etype] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
			target, err := c.ucodeTarget(n, v, path, p.elf)
			if err != nil {
				return err
			}
			out.Type, out.Path = "blob", c.resolve(p.file)
			if (p.autoSymbols || v.flags["write-symbols"]) && !v.flags["no-write-symbols"] {
				elfName := p.elf
				if s, ok := v.strings["elf-filename"]; ok {
					elfName = s
				}
				if err := c.symbols(out, v, elfName, false); err != nil {
					return fmt.Errorf("Node '%s': %v", path, err)
				}
			}
			if target != 0 {
				s := c.ucodeSection(n)
				s.ptrs = append(s.ptrs, ucodePtr{rel: rel, path: path, target: target})
			}
			return nil
		}
	}
	// binman looks for u-boot-spl-dtb-with-ucode too, but has no such type.
	for _, i := range []int{0, 2} {
		d := ucodeDTBTypes[i]
		etypeReaders[d.etype] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
			return c.readDTBWithUcode(n, path, rel, out, d.etype, d.fdtEtype, d.file)
		}
	}
	etypeReaders["u-boot-ucode"] = readUcode
}

// ucodeTarget is the pointer entry's ProcessFdt: the address of the
// symbol in the entry's ELF file, 0 when there is none and the node says
// optional-ucode.
func (c *converter) ucodeTarget(n *fdt.Node, v *propValues, path, elfName string) (uint64, error) {
	p := c.resolve(elfName)
	if _, err := os.Stat(p); err != nil {
		return 0, fmt.Errorf("Node '%s': Filename '%s' not found in input path (%s)", path, elfName, strings.Join(c.opts.InputDirs, ","))
	}
	addr, err := elfSymbolAddress(p, ucodeSymbol)
	if err != nil {
		return 0, fmt.Errorf("Node '%s': %v", path, err)
	}
	if addr == 0 && n.Prop("optional-ucode") == nil {
		return 0, fmt.Errorf("Node '%s': Cannot locate %s symbol in %s", path, ucodeSymbol, elfName)
	}
	return addr, nil
}

// elfSymbolAddress is the value of the named symbol, 0 if absent.
func elfSymbolAddress(path, name string) (uint64, error) {
	v, _, err := elfSymbol(path, name)
	return v, err
}

// elfSymbol is the value of the named symbol and whether the ELF file has it.
func elfSymbol(path, name string) (uint64, bool, error) {
	f, err := elffile.Open(path)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err == elffile.ErrNoSymbols {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("%s: %v", path, err)
	}
	var addr uint64
	found := false
	for _, s := range syms {
		if s.Name == name {
			addr, found = s.Value, true // binman keeps the last of equal names
		}
	}
	return addr, found, nil
}

// ucodeSection returns the shared state of the section holding n.
func (c *converter) ucodeSection(n *fdt.Node) *ucodeSection {
	parent := parentOf(c.tree.Root, n)
	if c.ucode == nil {
		c.ucode = map[*fdt.Node]*ucodeSection{}
	}
	s := c.ucode[parent]
	if s == nil {
		// A NUL keeps the placeholder from naming any real file.
		s = &ucodeSection{placeholder: fmt.Sprintf("\x00ucode%d", len(c.ucode))}
		c.ucode[parent] = s
	}
	return s
}

// readDTBWithUcode is u-boot-dtb-with-ucode (the description's tree) or
// u-boot-tpl-dtb-with-ucode (TPL's), less the microcode when a pointer
// entry before it wants it collated.
func (c *converter) readDTBWithUcode(n *fdt.Node, path, rel string, out *layout.Node, etype, fdtEtype, file string) error {
	d := &ucodeDTB{rel: rel}
	out.Type = "blob"
	if file == "" {
		out.Path, d.root, d.encode = mainDTBPlaceholder, c.tree.Root, c.upd.encode
		c.usesMainDTB = true
		c.upd.dtbEntries[c.image] = append(c.upd.dtbEntries[c.image], rel)
	} else {
		ph, err := c.usePhaseDTB(fdtEtype, file, rel)
		if err != nil {
			return err
		}
		if ph == nil {
			return fmt.Errorf("Node '%s': No '%s' device tree (%s) in the input directories", path, fdtEtype, file)
		}
		out.Path, d.root, d.encode = ph.placeholder, ph.tree.Root, ph.encode
	}
	s := c.ucodeSection(n)
	if s.dtbs == nil {
		s.dtbs = map[string]*ucodeDTB{}
	}
	if s.dtbs[etype] == nil {
		s.dtbs[etype] = d
	}
	if len(s.ptrs) == 0 {
		return nil
	}
	mc := d.root.Child("microcode")
	if mc == nil {
		return fmt.Errorf("Node '%s': No /microcode node found in '%s'", path, fdtEtype)
	}
	d.collate = len(mc.Children) > 1
	for _, u := range mc.Children {
		p := u.Prop("data")
		if p == nil {
			continue
		}
		d.data = append(d.data, p.Value...)
		if d.collate {
			u.DeleteProp("data") // libfdt keeps the name in the strings block
		} else {
			d.prop = p
		}
	}
	if !d.collate && d.prop == nil {
		return fmt.Errorf("Node '%s': No microcode 'data' in /microcode", path)
	}
	return nil
}

// readUcode is u-boot-ucode: the collated microcode, or nothing. Its
// contents depend on entries after it, so they are filled in once every
// image is read (finishUcode).
func readUcode(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
	s := c.ucodeSection(n)
	if !s.hasUcode {
		s.ucode, s.hasUcode = rel, true
	}
	out.Type, out.Path = "blob", s.placeholder
	return nil
}

// finishUcode gives the u-boot-ucode entries their contents and hands
// binman's u-boot-ucode.bin (the last collated microcode) to SideFile.
func (c *converter) finishUcode(nodes []*layout.Node) error {
	paths := map[string]string{}
	var side []byte
	for _, s := range c.ucode {
		var data []byte
		d := s.firstDTB(ucodeDTBTypes[0].etype, ucodeDTBTypes[1].etype, ucodeDTBTypes[2].etype)
		if d != nil && d.collate && len(s.ptrs) > 0 {
			data, side = d.data, d.data
		}
		p, err := c.tempFile("ucode", ".bin", data)
		if err != nil {
			return err
		}
		paths[s.placeholder] = p
	}
	var fill func(n *layout.Node)
	fill = func(n *layout.Node) {
		if p, ok := paths[n.Path]; ok {
			n.Path = p
		}
		for i := range n.Entries {
			fill(&n.Entries[i])
		}
	}
	for _, n := range nodes {
		fill(n)
	}
	if side != nil && c.opts.SideFile != nil {
		return c.opts.SideFile("u-boot-ucode.bin", side)
	}
	return nil
}

// ucodeAfterPack is the pointer entries' ProcessContents: each gets the
// microcode's offset and size, from u-boot-ucode when it has a size, else
// from the property left in the tree.
func (c *converter) ucodeAfterPack(img *layout.Image) error {
	for _, s := range c.ucode {
		for _, p := range s.ptrs {
			e := img.Find(p.rel)
			if e == nil {
				continue
			}
			if err := c.writeUcodePtr(img, s, p, e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *converter) writeUcodePtr(img *layout.Image, s *ucodeSection, p ucodePtr, e layout.Entry) error {
	if !s.hasUcode {
		return fmt.Errorf("Node '%s': Cannot find microcode region u-boot-ucode", p.path)
	}
	pos, _ := e.ImagePos()
	if p.target < pos || p.target >= pos+e.Size() {
		return fmt.Errorf("Node '%s': Microcode pointer %s at %08x is outside the section ranging from %08x to %08x", p.path, ucodeSymbol, p.target, pos, pos+e.Size())
	}
	var offset, size uint64
	if u := img.Find(s.ucode); u != nil && u.Size() != 0 {
		offset, size = u.Offset(), u.Size()
	} else {
		d := s.firstDTB(ucodeDTBTypes[0].etype, ucodeDTBTypes[2].etype)
		if d == nil {
			return fmt.Errorf("Node '%s': Cannot find microcode region u-boot-dtb-with-ucode", p.path)
		}
		e := img.Find(d.rel)
		if e == nil || d.prop == nil {
			return fmt.Errorf("Node '%s': no microcode left in the device tree for the pointer", p.path)
		}
		at, err := ucodePropOffset(d)
		if err != nil {
			return err
		}
		offset, size = e.Offset()+at, uint64(len(d.prop.Value))
	}
	buf := make([]byte, 8)
	binary.LittleEndian.PutUint32(buf, uint32(offset))
	binary.LittleEndian.PutUint32(buf[4:], uint32(size))
	return e.SetPatch(p.target-pos, buf)
}

// ucodePropOffset is the file offset of the property's value in the
// description's tree as u-boot-dtb entries hold it.
func ucodePropOffset(d *ucodeDTB) (uint64, error) {
	data, err := d.encode()
	if err != nil {
		return 0, err
	}
	h, err := fdt.ParseHeader(data)
	if err != nil {
		return 0, err
	}
	at, ok := structPropOffset(d.root, d.prop, 0)
	if !ok {
		return 0, fmt.Errorf("microcode property not in the device tree")
	}
	return uint64(h.OffDtStruct) + uint64(at) + 12, nil // past tag, length and name offset
}

// structPropOffset finds prop in the structure block written from n at
// off: BEGIN_NODE and name, properties, subnodes, END_NODE.
func structPropOffset(n *fdt.Node, prop *fdt.Property, off int) (int, bool) {
	off += 4 + align4(len(n.Name)+1)
	for _, p := range n.Properties {
		if p == prop {
			return off, true
		}
		off += 12 + align4(len(p.Value))
	}
	for _, k := range n.Children {
		at, ok := structPropOffset(k, prop, off)
		if ok {
			return at, true
		}
		off = at
	}
	return off + 4, false
}

func align4(n int) int { return (n + 3) &^ 3 }
