package binmandesc

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's alternates-fdt: a section built as usual for the image, then
// once more per device tree in the directory "fdt-list-dir" (each *.dtb
// file, a model), with that file's bytes in place of every device-tree
// entry (u-boot-dtb, u-boot-spl-dtb, ...) inside it, written beside the
// image as "filename-pattern" with NAME replaced by the file's base name
// (default NAME.bin). Sizes stay those of the image's section: a smaller
// tree is padded with zeros to the entry's contents size. With
// "fdt-phase" binman first cuts each tree down for that phase with
// fdtgrep; an unknown phase is binman's error, a known one is refused
// here (no fdtgrep yet). Only the first alternates-fdt of an image is
// written, as binman's FindEntryType finds only that one.

func registerAlternates() {
	etypeReaders["alternates-fdt"] = readAlternatesFDT
}

// alternatesFDT is one image's alternates-fdt entry.
type alternatesFDT struct {
	path    string   // node path, for errors
	rel     string   // entry path in the image
	dtbs    []string // device-tree entries below it, image-relative
	models  []string // base names, sorted
	files   []string // the model files, by model
	pattern string
}

func readAlternatesFDT(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
	dir, ok := n.PropString("fdt-list-dir")
	if !ok {
		return fmt.Errorf("Node '%s': Missing required properties/entry args: fdt-list-dir", path)
	}
	p := c.resolve(dir)
	if _, err := os.Stat(p); err != nil {
		cwd, _ := os.Getwd()
		return fmt.Errorf("Filename '%s' not found in input path (%s) (cwd='%s')", dir, strings.Join(c.opts.InputDirs, ","), cwd)
	}
	alt := &alternatesFDT{path: path, rel: rel, pattern: "NAME.bin"}
	if s, ok := n.PropString("filename-pattern"); ok {
		alt.pattern = s
	}
	names, err := filepath.Glob(filepath.Join(p, "*.dtb"))
	if err != nil {
		return fmt.Errorf("Node '%s': 'fdt-list-dir' %q: %v", path, dir, err)
	}
	sort.Strings(names)
	for _, f := range names {
		base := filepath.Base(f)
		if strings.HasPrefix(base, ".") {
			continue // Python's glob leaves out hidden files
		}
		alt.models = append(alt.models, strings.TrimSuffix(base, ".dtb"))
		alt.files = append(alt.files, f)
	}
	if phase, ok := n.PropString("fdt-phase"); ok && len(alt.models) > 0 {
		switch phase {
		case "spl", "tpl", "vpl":
			return fmt.Errorf("Node '%s': 'fdt-phase' (fdtgrep) is not supported", path)
		default:
			return fmt.Errorf("Invalid U-Boot phase '%s': Use tpl/vpl/spl", phase)
		}
	}
	out.Type = "section"
	kids, err := c.children(n, path, rel, hasPos)
	if err != nil {
		return err
	}
	out.Entries = kids
	if !hasPos {
		return fmt.Errorf("Node '%s': alternates-fdt inside a compressed section is not supported", path)
	}
	if err := alt.findDTBs(out, rel); err != nil {
		return err
	}
	if c.alternates == nil {
		c.alternates = map[string]*alternatesFDT{}
	}
	if c.alternates[c.image] == nil {
		c.alternates[c.image] = alt
	}
	return nil
}

// findDTBs lists the device-tree entries below n (at rel), whose
// contents the models replace.
func (alt *alternatesFDT) findDTBs(n *layout.Node, rel string) error {
	for i := range n.Entries {
		e := &n.Entries[i]
		r := rel + "/" + e.Name
		if rel == "" {
			r = e.Name
		}
		isDTB := e.Type == "blob" && (e.Path == mainDTBPlaceholder ||
			strings.HasPrefix(e.Path, "\x00u-boot-") && strings.HasSuffix(e.Path, "-dtb"))
		if isDTB {
			if e.Compress != "" && e.Compress != "none" {
				return fmt.Errorf("Node '%s/%s': a compressed device tree in alternates-fdt is not supported", alt.path, strings.TrimPrefix(r, alt.rel+"/"))
			}
			alt.dtbs = append(alt.dtbs, r)
		}
		if err := alt.findDTBs(e, r); err != nil {
			return err
		}
	}
	return nil
}

// alternatesAfterPack writes each model's copy of the image's
// alternates-fdt section. It runs after every packing pass; the last
// pass's files replace the earlier ones in the output batch.
func (c *converter) alternatesAfterPack(img *layout.Image) error {
	alt := c.alternates[img.Name()]
	if alt == nil || len(alt.models) == 0 || c.opts.SideFile == nil {
		return nil
	}
	e := img.Find(alt.rel)
	if e == nil {
		return fmt.Errorf("Node '%s': entry not found after packing", alt.path)
	}
	pos, ok := e.ImagePos()
	if !ok {
		return fmt.Errorf("Node '%s': alternates-fdt without an image position is not supported", alt.path)
	}
	all, err := img.Bytes()
	if err != nil {
		return err
	}
	if pos+e.Size() > uint64(len(all)) {
		return fmt.Errorf("Node '%s': section ends past the image", alt.path)
	}
	base := all[pos : pos+e.Size()]
	for i, model := range alt.models {
		tree, err := os.ReadFile(alt.files[i])
		if err != nil {
			return err
		}
		data := append([]byte(nil), base...)
		for _, r := range alt.dtbs {
			d := img.Find(r)
			if d == nil {
				return fmt.Errorf("Node '%s': entry '%s' not found after packing", alt.path, r)
			}
			if uint64(len(tree)) > d.ContentsSize() {
				return fmt.Errorf("Node '%s': alternate '%s' device tree (%d bytes) is larger than entry '%s' (%d bytes): not supported", alt.path, model, len(tree), r, d.ContentsSize())
			}
			dpos, _ := d.ImagePos()
			at := dpos - pos + uint64(d.Node().PadBefore)
			if dpos < pos || at+d.ContentsSize() > uint64(len(data)) {
				return fmt.Errorf("Node '%s': entry '%s' lies outside the section", alt.path, r)
			}
			copy(data[at:at+d.ContentsSize()], append(tree, make([]byte, d.ContentsSize()-uint64(len(tree)))...))
		}
		if err := c.opts.SideFile(strings.ReplaceAll(alt.pattern, "NAME", model), data); err != nil {
			return err
		}
	}
	return nil
}
