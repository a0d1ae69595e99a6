package layout

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/fdtmap"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// Replace puts data into the entry at entryPath (slash-separated, as
// `binman replace` takes it) of the image file at imagePath, compressing it
// if the entry is compressed. As binman does: data that fits the entry's
// slot is written in place and padded with zeros; bigger data needs an
// image built with allow-repack, which is then packed again from the
// description kept in its fdtmap, with every other entry's current data.
func Replace(imagePath, entryPath string, data []byte) error {
	f, err := os.Open(imagePath)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	m, err := fdtmap.Read(f, st.Size())
	if err != nil {
		f.Close()
		return err
	}
	e, err := m.Find(entryPath)
	if err != nil {
		f.Close()
		return err
	}
	// binman names nodes of an image read back from its fdtmap from "/".
	nodePath := "/" + e.Path
	if len(e.Children) > 0 {
		f.Close()
		return fmt.Errorf("Node '%s': replacing a whole section is not supported; replace its entries", nodePath)
	}
	stored := data
	if e.Compress != "none" {
		if stored, err = compressBytes(e.Compress, data); err != nil {
			f.Close()
			return fmt.Errorf("Node '%s': cannot compress with %s: %v", nodePath, e.Compress, err)
		}
	}
	// Every cell the write depends on is held to the real file first: a
	// crafted map must not make replace write (or allocate) beyond the
	// image.
	_, inFile := e.FilePos()
	if inFile {
		if _, err := e.Extent(st.Size()); err != nil {
			f.Close()
			return fmt.Errorf("Node '%s': %v", nodePath, err)
		}
		if err := checkSections(e, st.Size()); err != nil {
			f.Close()
			return fmt.Errorf("Node '%s': %v", nodePath, err)
		}
	}
	if inFile && uint64(len(stored)) <= e.Size {
		f.Close()
		return replaceInPlace(imagePath, m, e, data, stored)
	}
	repack := m.Tree.Root.Prop("allow-repack") != nil
	if !repack {
		f.Close()
		if uint64(len(stored)) > e.Size {
			return fmt.Errorf("Node '%s': Entry data size does not match, but allow-repack is not present for this image", nodePath)
		}
		return fmt.Errorf("Node '%s': entry lies inside a compressed section; replacing it needs allow-repack", nodePath)
	}
	err = repackImage(f, st.Size(), imagePath, m, e, data)
	f.Close()
	return err
}

// replaceInPlace overwrites the entry's slot and refreshes the fdtmap's
// uncomp-size and hash value for it, keeping the fdtmap's size.
func replaceInPlace(imagePath string, m *fdtmap.Map, e *fdtmap.Entry, data, stored []byte) error {
	slot := make([]byte, e.Size)
	copy(slot, stored)
	if p := e.Node.Prop("uncomp-size"); p != nil && len(p.Value) == 4 {
		binary.BigEndian.PutUint32(p.Value, uint32(len(data)))
	}
	if h := e.Node.Child("hash"); h != nil {
		algo, _ := h.PropString("algo")
		if hh := newHash(algo); hh != nil {
			// binman hashes the new data as padded to the old size.
			hh.Write(slot)
			if v := h.Prop("value"); v != nil && len(v.Value) == hh.Size() {
				v.Value = hh.Sum(nil)
			}
		}
	}
	out, err := os.OpenFile(imagePath, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer out.Close()
	pos, _ := e.FilePos()
	if _, err := out.WriteAt(slot, int64(pos)); err != nil {
		return err
	}
	// Sections (and the image) holding the entry hash their data again,
	// read back with the old fdtmap still in place, as binman's single
	// packing pass sees it.
	for a := e.Parent; a != nil; a = a.Parent {
		if err := rehashSection(out, a); err != nil {
			return err
		}
	}
	// Same properties and value lengths: the fdtmap keeps its size.
	if _, err := out.WriteAt(fdtmap.Encode(m.Tree.Root), m.Pos); err != nil {
		return err
	}
	return out.Close()
}

// checkSections verifies the extents replaceInPlace rehashes: each section
// holding e (with a hash) must lie in the file, as must the span of its
// entries that rehashSection reads.
func checkSections(e *fdtmap.Entry, size int64) error {
	for a := e.Parent; a != nil; a = a.Parent {
		if a.Node.Child("hash") == nil {
			continue
		}
		start, ok := a.FilePos()
		if !ok {
			continue
		}
		if a.Parent != nil {
			if _, err := a.Extent(size); err != nil {
				return err
			}
		}
		end, err := sectionDataEnd(a)
		if err != nil {
			return err
		}
		start += propU32(a.Node, "pad-before")
		if start > uint64(size) || end > uint64(size)-start {
			return fmt.Errorf("section '%s' data at %#x (%d) size %#x (%d) runs past the image end %#x (%d)", a.Path, start, start, end, end, size, size)
		}
	}
	return nil
}

// sectionDataEnd is where a section's data ends: the end of its last entry,
// relative to its first byte.
func sectionDataEnd(s *fdtmap.Entry) (uint64, error) {
	skip := propU32(s.Node, "skip-at-start")
	var end uint64
	for _, c := range s.Children {
		if c.Offset+c.Size < c.Offset || c.Offset+c.Size < skip {
			return 0, fmt.Errorf("entry '%s' offset %#x size %#x lies outside its section", c.Path, c.Offset, c.Size)
		}
		if e := c.Offset + c.Size - skip; e > end {
			end = e
		}
	}
	return end, nil
}

// rehashSection updates a section's hash value: the digest of its data,
// which runs from its first byte (after pad-before) to the end of its last
// entry, as binman's section data does.
func rehashSection(f *os.File, s *fdtmap.Entry) error {
	h := s.Node.Child("hash")
	if h == nil {
		return nil
	}
	algo, _ := h.PropString("algo")
	hh := newHash(algo)
	v := h.Prop("value")
	if hh == nil || v == nil || len(v.Value) != hh.Size() {
		return nil
	}
	start, ok := s.FilePos()
	if !ok {
		return nil
	}
	start += propU32(s.Node, "pad-before")
	end, err := sectionDataEnd(s)
	if err != nil {
		return err
	}
	data := make([]byte, end)
	if _, err := f.ReadAt(data, int64(start)); err != nil {
		return err
	}
	hh.Write(data)
	v.Value = hh.Sum(nil)
	return nil
}

func propU32(n *fdt.Node, name string) uint64 {
	v, _ := n.PropU32(name)
	return uint64(v)
}

// repackImage rebuilds the image from its fdtmap: each leaf becomes a blob
// of its current (decompressed) data, the replaced one gets the new data,
// and the original constraints (orig-offset, orig-size and the other
// properties) drive packing.
func repackImage(f *os.File, size int64, imagePath string, m *fdtmap.Map, target *fdtmap.Entry, data []byte) error {
	tmp, removeTmp, err := outfile.TempDir(filepath.Dir(imagePath), ".repack-*")
	if err != nil {
		return err
	}
	defer removeTmp()
	n := 0
	var convert func(e *fdtmap.Entry) (Node, error)
	convert = func(e *fdtmap.Entry) (Node, error) {
		node := nodeFromProps(e.Node)
		node.Name = e.Node.Name
		if e.Parent == nil {
			node.Name = "image"
			node.Type = "section"
		}
		if len(e.Children) > 0 || node.Type == "section" {
			node.Type = "section"
			for _, c := range e.Children {
				cn, err := convert(c)
				if err != nil {
					return Node{}, err
				}
				node.Entries = append(node.Entries, cn)
			}
			return node, nil
		}
		switch node.Type {
		case "fdtmap", "image-header", "fill", "text":
			if e != target {
				return node, nil
			}
		}
		contents := data
		if e != target {
			var err error
			if contents, err = m.ReadEntry(f, size, e, nil); err != nil {
				return Node{}, err
			}
			if node.Compress != "" && node.Compress != "none" {
				// Keep the compressed bytes as they are, as binman does.
				node.stored = &storedData{raw: contents, uncompSize: e.UncompSize}
				contents = nil
			}
		}
		n++
		p := filepath.Join(tmp, fmt.Sprintf("%d", n))
		if err := os.WriteFile(p, contents, 0o600); err != nil {
			return Node{}, err
		}
		node.Type, node.Path, node.External = "blob", p, false
		return node, nil
	}
	img, err := convert(m.Root)
	if err != nil {
		return err
	}
	img.NodePath = "/"
	img.ImageNode = m.ImageNode
	yes := true
	man := &Manifest{Version: ManifestVersion, UpdateFDT: &yes, Image: img}
	built, err := Build(man, Options{})
	if err != nil {
		return err
	}
	c, err := built.finalContents()
	if err != nil {
		return err
	}
	return outfile.Write(imagePath, outfile.FileMode, func(out *os.File) error { return writeContents(out, c, 0) })
}

// nodeFromProps reads the packing constraints of an fdtmap node back into
// a manifest node, keeping all properties verbatim for the new fdtmap.
// Calculated values (offset, size, image-pos, uncomp-size) are not
// constraints; orig-offset and orig-size are, as binman's repack treats
// them.
func nodeFromProps(n *fdt.Node) Node {
	var node Node
	u := func(name string) (Num, bool) {
		p := n.Prop(name)
		if p == nil || len(p.Value) != 4 {
			return 0, false
		}
		return Num(binary.BigEndian.Uint32(p.Value)), true
	}
	num := func(name string) Num { v, _ := u(name); return v }
	has := func(name string) bool { return n.Prop(name) != nil }
	str := func(name string) string { s, _ := n.PropString(name); return s }
	for _, p := range n.Properties {
		if p.Name == "image-node" {
			continue
		}
		node.Props = append(node.Props, Prop{Name: p.Name, Value: append([]byte(nil), p.Value...)})
	}
	if node.Props == nil {
		node.Props = []Prop{}
	}
	node.Type = str("type")
	if node.Type == "" {
		node.Type = defaultType(n.Name)
	}
	if v, ok := u("orig-offset"); ok {
		node.Offset = &v
	}
	if v, ok := u("orig-size"); ok {
		node.Size = &v
	}
	node.MinSize, node.Align, node.AlignSize, node.AlignEnd = num("min-size"), num("align"), num("align-size"), num("align-end")
	node.PadBefore, node.PadAfter = num("pad-before"), num("pad-after")
	node.ExtendSize, node.Overlap, node.Optional = has("extend-size"), has("overlap"), has("optional")
	node.Compress, node.MissingMsg, node.Text, node.Location = str("compress"), str("missing-msg"), str("text"), str("location")
	if p := n.Prop("fill-byte"); p != nil && len(p.Value) > 0 {
		node.FillByte = Num(p.Value[len(p.Value)-1])
	}
	node.PadByte, node.AlignDefault = num("pad-byte"), num("align-default")
	node.SortByOffset, node.EndAt4GB, node.AllowRepack, node.ReadOnly = has("sort-by-offset"), has("end-at-4gb"), has("allow-repack"), has("read-only")
	if v, ok := u("skip-at-start"); ok && !node.EndAt4GB {
		node.SkipAtStart = &v
	}
	node.NamePrefix = str("name-prefix")
	if h := n.Child("hash"); h != nil {
		node.Hash = str2(h, "algo")
	}
	if node.EndAt4GB && node.Size == nil {
		if v, ok := u("size"); ok {
			node.Size = &v
		}
	}
	node.Type = strings.ReplaceAll(node.Type, "_", "-")
	return node
}

func str2(n *fdt.Node, name string) string { s, _ := n.PropString(name); return s }
