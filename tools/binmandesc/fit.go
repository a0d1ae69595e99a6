package binmandesc

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// fit reads binman's fit entry: the FIT description below the node is
// copied (binman's _build_input) into out.Fit.Tree, with the "@" generator
// nodes expanded once per device tree named by fit,fdt-list; each image
// node becomes a section child of out holding the image's content
// entries. The layout engine adds their data and runs mkimage's steps.
func (c *converter) fit(n *fdt.Node, path, rel string, out *layout.Node, hasPos bool) error {
	g := &fitGen{c: c, fit: n, path: path, hasPos: hasPos}
	if err := g.readLists(); err != nil {
		return err
	}
	spec := &layout.FitSpec{}
	if p := n.Prop("fit,external-offset"); p != nil {
		v, err := u32Prop(path, p)
		if err != nil {
			return err
		}
		x := layout.Num(v)
		spec.ExternalOffset = &x
	}
	if p := n.Prop("fit,align"); p != nil {
		v, err := u32Prop(path, p)
		if err != nil {
			return err
		}
		spec.Align = layout.Num(v)
	}
	if n.Prop("fit,fdt-list-dir") != nil {
		return fmt.Errorf("Node '%s': 'fit,fdt-list-dir' is not supported", path)
	}
	tree := fdt.NewTree()
	if err := g.addNode(tree.Root, n, n, "", 0); err != nil {
		return err
	}
	keyDir, err := g.keyDir(tree.Root)
	if err != nil {
		return err
	}
	spec.KeyDir = keyDir
	spec.Tree = tree.Bytes()
	desc := fdt.NewTree()
	desc.Root.Children = n.Children
	spec.Desc = desc.Bytes()
	out.Type = "fit"
	out.Fit = spec
	images := n.Child("images")
	if images == nil {
		return nil
	}
	for _, img := range images.Children {
		// Below the fit entry, as layout.Image.Find names its children.
		childRel := img.Name
		if rel != "" {
			childRel = rel + "/" + childRel
		}
		if strings.HasPrefix(img.Name, "@") {
			// binman makes generator nodes entries too and drops them
			// after building the FIT: with -u their nodes get offset,
			// size and image-pos that stay 0 (no entry has that path).
			c.upd.slots[c.image] = append(c.upd.slots[c.image], slot{node: img, entryPath: childRel, hasPos: hasPos})
			for _, sub := range img.Children {
				if !special(sub) {
					c.upd.slots[c.image] = append(c.upd.slots[c.image], slot{node: sub, entryPath: childRel + "/" + sub.Name, hasPos: hasPos})
				}
			}
			continue
		}
		c.fitImages[img] = true
		child, err := c.node(img, path+"/images/"+img.Name, childRel, false, hasPos && (out.Compress == "" || out.Compress == "none"))
		if err != nil {
			return err
		}
		out.Entries = append(out.Entries, *child)
	}
	return nil
}

func u32Prop(path string, p *fdt.Property) (uint32, error) {
	if len(p.Value) != 4 {
		return 0, fmt.Errorf("Node '%s': property '%s' has length %d, expected 4", path, p.Name, len(p.Value))
	}
	return binary.BigEndian.Uint32(p.Value), nil
}

type fitGen struct {
	c         *converter
	fit       *fdt.Node
	path      string
	fdts      []string // device trees for generator nodes; nil if none given
	hasList   bool
	listProp  string
	defaultDT string
	hasPos    bool // the fit entry has image positions (not compressed)
	// loadables are the image nodes split-elf generated, in order.
	loadables []string
}

// readLists is binman's Entry_fit.ReadNode: the device-tree list from the
// entry argument fit,fdt-list names (or a property of that name), else
// fit,fdt-list-val; the default from the default-dt argument.
func (g *fitGen) readLists() error {
	if s, ok := g.fit.PropString("fit,fdt-list"); ok {
		g.hasList, g.listProp = true, s
		if v, ok := g.c.argOrProp(g.fit, s); ok {
			g.fdts = strings.Fields(v)
		}
	} else if l, ok := g.fit.PropStrings("fit,fdt-list-val"); ok {
		g.fdts = l
	}
	g.defaultDT, _ = g.c.argOrProp(g.fit, "default-dt")
	return nil
}

// argOrProp is binman's GetEntryArgsOrProps for one string.
func (c *converter) argOrProp(n *fdt.Node, name string) (string, bool) {
	if a, ok := c.opts.EntryArgs[name]; ok {
		return a, true
	}
	return n.PropString(name)
}

func (g *fitGen) errorf(sub *fdt.Node, rel, format string, args ...interface{}) error {
	msg := fmt.Sprintf(format, args...)
	if sub != nil {
		msg = fmt.Sprintf("subnode '%s': %s", strings.TrimPrefix(rel, "/"), msg)
	}
	return fmt.Errorf("Node '%s': %s", g.path, msg)
}

// special is binman's IsSpecialSubnode: nodes of the section itself, not
// entries.
func special(n *fdt.Node) bool {
	for _, p := range []string{"cipher", "hash", "signature", "template"} {
		if strings.HasPrefix(n.Name, p) {
			return true
		}
	}
	return false
}

// addNode is binman's _add_node: the node's properties (fit,* and
// binman's offset/size/image-pos left out, an "@" default resolved),
// then its subnodes; content subnodes of image nodes are left out (the
// engine puts their data in), generator nodes expanded.
func (g *fitGen) addNode(dst, src, base *fdt.Node, rel string, depth int) error {
	for _, p := range src.Properties {
		if err := g.addProp(dst, p); err != nil {
			return err
		}
	}
	inImages := strings.HasPrefix(rel, "/images")
	hasImages := depth == 2 && inImages
	if depth == 0 || hasImages {
		g.addRepackProps(dst, src)
	}
	for _, sub := range src.Children {
		switch {
		case hasImages && !special(sub):
		case strings.HasPrefix(sub.Name, "@"):
			if err := g.genNode(dst, sub, rel+"/"+sub.Name, depth, inImages); err != nil {
				return err
			}
		default:
			if err := g.addNode(dst.AddChild(sub.Name), sub, base, rel+"/"+sub.Name, depth+1); err != nil {
				return err
			}
		}
	}
	if hasImages {
		return g.addCiphers(dst, src, rel)
	}
	return nil
}

// addCiphers adds the cipher node of an encrypted content entry of an
// image node: binman adds it to the description's node before the FIT is
// built.
func (g *fitGen) addCiphers(dst, src *fdt.Node, rel string) error {
	for _, sub := range src.Children {
		etype, ok := sub.PropString("type")
		if !ok {
			etype = strings.SplitN(sub.Name, "@", 2)[0]
		}
		if special(sub) || etype != "encrypted" {
			continue
		}
		cipher, err := g.c.encryptedCipher(sub, g.path+rel+"/"+sub.Name)
		if err != nil {
			return err
		}
		if dst.Child(cipher.Name) != nil {
			return fmt.Errorf("Node '%s': the image already has a 'cipher' node (one encrypted entry per image)", g.path+rel)
		}
		// binman's tree is read back from libfdt, which puts a new
		// subnode first.
		dst.Children = append([]*fdt.Node{cipher}, dst.Children...)
	}
	return nil
}

func (g *fitGen) addProp(dst *fdt.Node, p *fdt.Property) error {
	switch {
	case p.Name == "default":
		val := strings.TrimRight(string(p.Value), "\x00")
		if !strings.HasPrefix(val, "@") {
			break
		}
		if len(g.fdts) == 0 {
			return nil
		}
		if g.defaultDT == "" {
			return fmt.Errorf("Node '%s': Generated 'default' node requires default-dt entry argument", g.path)
		}
		seq := -1
		for i, f := range g.fdts {
			if f == g.defaultDT {
				seq = i
				break
			}
		}
		if seq < 0 {
			return fmt.Errorf("Node '%s': default-dt entry argument '%s' not found in fdt list: %s", g.path, g.defaultDT, strings.Join(g.fdts, ", "))
		}
		val = strings.ReplaceAll(val[1:], "DEFAULT-SEQ", strconv.Itoa(seq+1))
		val = strings.ReplaceAll(val, "DEFAULT-NAME", g.defaultDT)
		dst.Properties = append(dst.Properties, &fdt.Property{Name: p.Name, Value: fdt.String(val)})
		return nil
	case strings.HasPrefix(p.Name, "fit,"), p.Name == "offset", p.Name == "size", p.Name == "image-pos":
		return nil
	}
	dst.Properties = append(dst.Properties, &fdt.Property{Name: p.Name, Value: append([]byte(nil), p.Value...)})
	return nil
}

// addRepackProps: with -u and allow-repack binman adds orig-offset and
// orig-size to an entry's node before the FIT is built from it, and
// _build_input copies them (only offset, size and image-pos are left
// out), after the node's own properties.
func (g *fitGen) addRepackProps(dst, src *fdt.Node) {
	c := g.c
	if !c.opts.UpdateFDT || c.imageNode == nil || c.imageNode.Prop("allow-repack") == nil {
		return
	}
	for _, n := range [][2]string{{"offset", "orig-offset"}, {"size", "orig-size"}} {
		if p := src.Prop(n[0]); p != nil && src.Prop(n[1]) == nil {
			dst.Properties = append(dst.Properties, &fdt.Property{Name: n[1], Value: append([]byte(nil), p.Value...)})
		}
	}
}

// genNode is binman's _gen_node for the gen-fdt-nodes operation: one node
// per device tree, NAME and SEQ replaced in the node name and property
// values, the tree's file as "data" for image nodes.
func (g *fitGen) genNode(dst, gen *fdt.Node, rel string, depth int, inImages bool) error {
	if op, ok := gen.PropString("fit,operation"); ok && op != "gen-fdt-nodes" {
		if op == "split-elf" {
			return g.splitELF(dst, gen, rel, depth)
		}
		return g.errorf(gen, rel, "Unknown operation '%s'", op)
	}
	if g.fdts == nil {
		if g.hasList {
			return fmt.Errorf("Node '%s': Generator node requires '%s' entry argument", g.path, g.listProp)
		}
		return fmt.Errorf("Node '%s': Generator node requires 'fit,fdt-list' property", g.path)
	}
	firmware, loadables := g.firmware(gen)
	for i, name := range g.fdts {
		seq := strconv.Itoa(i + 1)
		nodeName := strings.ReplaceAll(strings.ReplaceAll(gen.Name[1:], "SEQ", seq), "NAME", name)
		file := g.c.resolve(name + ".dtb")
		out := dst.AddChild(nodeName)
		for _, p := range gen.Properties {
			switch {
			case p.Name == "fit,firmware":
				if firmware != "" {
					out.Properties = append(out.Properties, &fdt.Property{Name: "firmware", Value: fdt.String(firmware)})
				}
			case p.Name == "fit,loadables":
				out.Properties = append(out.Properties, &fdt.Property{Name: "loadables", Value: []byte(strings.Join(loadables, "\x00") + "\x00")})
			case p.Name == "fit,operation":
			case p.Name == "fit,compatible":
				data, err := os.ReadFile(file)
				if err != nil {
					return g.errorf(gen, rel, "%v", err)
				}
				t, err := fdt.Parse(data)
				if err != nil {
					return g.errorf(gen, rel, "%s: %v", file, err)
				}
				cp := t.Root.Prop("compatible")
				if cp == nil {
					return g.errorf(gen, rel, "%s has no root 'compatible' property", file)
				}
				out.Properties = append(out.Properties, &fdt.Property{Name: "compatible", Value: cp.Value})
			case p.Name == "fit,fdt-phase":
				return g.errorf(gen, rel, "'fit,fdt-phase' (fdtgrep) is not supported")
			case strings.HasPrefix(p.Name, "fit,"):
				return g.errorf(gen, rel, "Unknown directive '%s'", p.Name)
			default:
				v := strings.ReplaceAll(string(p.Value), "NAME", name)
				v = strings.ReplaceAll(v, "SEQ", seq)
				out.Properties = append(out.Properties, &fdt.Property{Name: p.Name, Value: []byte(v)})
			}
		}
		if depth == 1 && inImages && g.c.opts.UpdateFDT {
			// The generator node is an entry to binman, so -u has given
			// it offset, size (and image-pos), all 0, which are copied.
			zero := []string{"offset", "size"}
			if g.hasPos {
				zero = append(zero, "image-pos")
			}
			for _, z := range zero {
				if gen.Prop(z) == nil {
					out.Properties = append(out.Properties, &fdt.Property{Name: z, Value: []byte{0, 0, 0, 0}})
				}
			}
		}
		if depth == 1 && inImages {
			data, err := os.ReadFile(file)
			if err != nil {
				return fmt.Errorf("Node '%s': %v", g.path, err)
			}
			out.Properties = append(out.Properties, &fdt.Property{Name: "data", Value: data})
		}
		for _, sub := range gen.Children {
			if err := g.addNode(out.AddChild(sub.Name), sub, gen, "/"+sub.Name, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// firmware is binman's _process_firmware_prop: the first name in
// fit,firmware that is an image entry (all are present: a missing blob
// stops the build first), the rest going to the front of the loadables.
func (g *fitGen) firmware(gen *fdt.Node) (string, []string) {
	names, ok := gen.PropStrings("fit,firmware")
	if !ok {
		return "", g.loadables
	}
	valid := map[string]bool{}
	for _, l := range g.loadables {
		valid[l] = true
	}
	if images := g.fit.Child("images"); images != nil {
		for _, img := range images.Children {
			valid[img.Name] = true
		}
	}
	firmware := ""
	var rest []string
	for _, n := range names {
		if !valid[n] {
			continue
		}
		if firmware == "" {
			firmware = n
		} else if !contains(rest, n) {
			rest = append(rest, n)
		}
	}
	for _, l := range g.loadables {
		if l != firmware && !contains(rest, l) {
			rest = append(rest, l)
		}
	}
	return firmware, rest
}

func contains(l []string, s string) bool {
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}

// keyDir is mkimage's -k as binman's BuildSectionData picks it for
// fit,sign / fit,encrypt: the keydir entry argument (or property), else
// the one input directory holding every signature node's NAME.key and
// cipher node's NAME.bin (key-name-hint), else none. An OpenSSL engine
// (fit,engine) is refused.
func (g *fitGen) keyDir(fit *fdt.Node) (string, error) {
	sign, encrypt := g.fit.Prop("fit,sign") != nil, g.fit.Prop("fit,encrypt") != nil
	if !sign && !encrypt {
		return "", nil
	}
	if sign && g.fit.Prop("fit,engine") != nil {
		if encrypt {
			return "", fmt.Errorf("Node '%s': fit,engine currently does not support encryption", g.path)
		}
		return "", fmt.Errorf("Node '%s': 'fit,engine' (signing through an OpenSSL engine) is not supported by fwtool", g.path)
	}
	if d, ok := g.c.argOrProp(g.fit, "keydir"); ok {
		return d, nil
	}
	var dirs []string
	var walk func(n *fdt.Node) error
	walk = func(n *fdt.Node) error {
		for _, sub := range n.Children {
			isSig := strings.HasPrefix(sub.Name, "signature")
			if !isSig && !strings.HasPrefix(sub.Name, "cipher") {
				if err := walk(sub); err != nil {
					return err
				}
				continue
			}
			hint, ok := sub.PropString("key-name-hint")
			if !ok {
				return fmt.Errorf("Node '%s': node '%s' has no key-name-hint", g.path, sub.Name)
			}
			if strings.Contains(hint, "/") {
				return fmt.Errorf("Node '%s': '%s' is a path not a filename", g.path, hint)
			}
			name := hint + ".bin"
			if isSig {
				name = hint + ".key"
			}
			if _, err := g.c.readInput(name); err != nil {
				return err
			}
			if d := filepath.Dir(g.c.resolve(name)); !contains(dirs, d) {
				dirs = append(dirs, d)
			}
		}
		return nil
	}
	if err := walk(fit); err != nil {
		return "", err
	}
	if len(dirs) > 1 {
		return "", fmt.Errorf("Node '%s': multiple key paths found (%s)", g.path, strings.Join(dirs, ","))
	}
	if len(dirs) == 0 {
		return "", nil
	}
	if encrypt && hasCipher(fit) {
		// mkimage -k would encrypt each image with a cipher node, with an
		// IV it draws at random unless iv-name-hint names one.
		return "", fmt.Errorf("Node '%s': 'fit,encrypt' (mkimage's AES encryption of images with a cipher node) is not supported by fwtool", g.path)
	}
	return dirs[0], nil
}

func hasCipher(n *fdt.Node) bool {
	for _, sub := range n.Children {
		if strings.HasPrefix(sub.Name, "cipher") || hasCipher(sub) {
			return true
		}
	}
	return false
}
