// Package binmandesc reads an existing U-Boot binman description — the
// /binman node of a compiled device tree — into layout manifests, one per
// image, so a board's description builds unchanged with the layout engine.
//
// What binman does and this package follows:
//   - With a "multiple-images" property every subnode of /binman is an
//     image named after the node (output <node>.bin); otherwise /binman is
//     the single image "image" (output image.bin). A "filename" property on
//     the image node names the output instead.
//   - An entry's type is its "type" property, else its node name without
//     any "@unit" suffix. A subnode named "hash" describes the entry's hash
//     (sha256, computed with -u only); subnodes named hash* or signature*
//     are never entries.
//   - Blob files are looked up in the input directories in order (the name
//     as given when there are none, or when it is absolute). U-Boot's named
//     blobs (u-boot, u-boot-spl, ...) have fixed file names and ignore
//     "filename"; u-boot-dtb is the description's own device tree, as
//     binman changes it (see dtbupdate.go). `u-boot` is expanded into
//     u-boot-nodtb + u-boot-dtb unless it has "no-expanded". External
//     firmware types (atf-bl31, scp, opensbi, ...) are blob-ext entries
//     named by their "<type>-path" property, "filename" or the type.
//   - u-boot-spl/-tpl/-vpl (plain, -nodtb, -elf) and blobs with
//     "write-symbols" get binman symbols written from their ELF file
//     (spl/u-boot-spl ..., or "elf-filename"), honouring "elf-base-sym",
//     "symbols-base" and "no-write-symbols" (see tools/binsym). With the
//     spl-dtb (tpl-dtb, vpl-dtb) entry argument they are expanded like
//     u-boot (xplexpand.go); the SPL/TPL/VPL device trees get binman's
//     changes too (phasedtb.go).
//   - Every property is also kept verbatim for the fdtmap, so the fdtmap is
//     byte-identical to binman's.
//   - Entry arguments (binman -a name=value, Options.EntryArgs) stand in
//     for the property of that name where binman reads one: a text
//     entry's text-label and the text it names, an external blob's
//     <type>-path.
//
// Templates (insert-template) are expanded first (templates.go); entry
// types kept in files of their own register in etypes.go.
//
// fit, atf-fip, efi-capsule, efi-empty-capsule, mkimage (legacy types),
// nxp-imx8mimage, nxp-header-ddrfw, renesas-rcar4-sa0, the intel-* blobs
// and the x86 microcode entries have files of their own (fit.go, fip.go,
// imx8m.go, ucode.go, ...). Those and mkimage write their data to their
// "filename" too, as binman does.
//
// Not supported: the entry types listed in unsupported.go (other vendor
// mkimage types, signing tools...), each refused by name, plain sections with
// "filename" (binman writes their data to an extra file), and
// "missing-msg" is shown as text rather than looked up in binman's help
// file.
package binmandesc

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/binsym"
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// Options for Convert.
type Options struct {
	// InputDirs are searched in order for blob files (binman -I).
	InputDirs []string
	// UpdateFDT records positions in the fdtmap (binman -u).
	UpdateFDT bool
	// AllowMissing sets the manifests' allow_missing (binman -M).
	AllowMissing bool
	// TempDir is where the description's device tree, as binman changes
	// it, is written for u-boot-dtb entries (one file named by its
	// SHA-256); os.TempDir() if empty.
	TempDir string
	// Warn receives binman's warnings about symbols; nil discards them.
	Warn io.Writer
	// EntryArgs are binman's entry arguments (-a name=value): they take
	// the place of the node property of that name where binman reads one
	// (a text entry's text-label and the text it names, an external
	// blob's <type>-path).
	EntryArgs map[string]string
	// OutDir is binman's -O as given. binman hands mkimage files in it
	// (an imagename node's data, data-to-imagename), and legacy image
	// types record that path as the image name.
	OutDir string
	// SideFile receives the files binman writes next to its images that
	// are not images (u-boot-ucode.bin), by name; nil drops them.
	SideFile func(name string, data []byte) error
}

// namedBlob describes one of U-Boot's named blob entry types.
type namedBlob struct {
	file string // default file name, relative to an input dir
	elf  string // ELF file for binman symbols, "" if the type writes none
	// inELF: the contents are the ELF file itself.
	inELF bool
	// mainDTB: the contents are the description's own device tree.
	mainDTB bool
	// phaseDTB: the contents are an SPL/TPL/VPL device tree, as binman
	// changes it (phasedtb.go).
	phaseDTB bool
}

func phaseBlobs(m map[string]namedBlob, phase, dir string) {
	elf := dir + "/u-boot-" + phase
	m["u-boot-"+phase] = namedBlob{file: elf + ".bin", elf: elf}
	m["u-boot-"+phase+"-nodtb"] = namedBlob{file: elf + "-nodtb.bin", elf: elf}
	m["u-boot-"+phase+"-elf"] = namedBlob{file: elf, elf: elf, inELF: true}
	m["u-boot-"+phase+"-dtb"] = namedBlob{file: elf + ".dtb", phaseDTB: true}
}

// namedBlobs are binman's etype/u_boot*.py default file names.
var namedBlobs map[string]namedBlob // setupTables fills it

// namedByArg are binman's external blobs named by an entry argument or
// argument or property "<type>-path", else "filename", else the type
// name: firmware from other
// projects that may be missing with -M.
var namedByArg map[string]bool // setupTables fills it

// Properties by their decoding.
var (
	numProps    map[string]bool // setupTables fills it
	flagProps   map[string]bool // setupTables fills it
	stringProps map[string]bool // setupTables fills it
)

// Convert reads the /binman node of a compiled device tree into one
// manifest per image, in node order. With UpdateFDT and a u-boot-dtb
// entry, the entry's positions are only right with Load's hook.
func Convert(dtb []byte, opts Options) ([]*layout.Manifest, error) {
	ms, _, err := Load(dtb, opts)
	return ms, err
}

// Load is Convert plus the layout AfterPack hook that does binman's work
// after each packing pass: recording positions in u-boot-dtb entries (-u)
// and writing binman symbols.
func Load(dtb []byte, opts Options) ([]*layout.Manifest, func(*layout.Image) error, error) {
	setupTables()
	tree, err := fdt.Parse(dtb)
	if err != nil {
		return nil, nil, err
	}
	binman := tree.Root.Child("binman")
	if binman == nil {
		return nil, nil, &NoBinmanNodeError{}
	}
	h, err := fdt.ParseHeader(dtb)
	if err != nil {
		return nil, nil, err
	}
	strs := fdt.NewStringTable(stringNames(dtb[h.OffDtStrings : h.OffDtStrings+h.SizeDtStrings])...)
	if err := expandTemplates(tree.Root, binman); err != nil {
		return nil, nil, err
	}
	if r := propagateBootph(tree.Root); !r.empty() {
		r.apply(tree.Root, strs)
	}
	c := &converter{opts: opts, tree: tree, expansions: map[*fdt.Node][]*fdt.Node{}, fitImages: map[*fdt.Node]bool{}, forceType: map[*fdt.Node]string{}, noExpand: map[*fdt.Node]bool{},
		upd: &dtbUpdater{tree: tree, allowRepack: map[string]bool{}, slots: map[string][]slot{}, dtbEntries: map[string][]string{}}}
	type imageNode struct {
		node *fdt.Node
		name string
		path string
	}
	var images []imageNode
	if binman.Prop("multiple-images") != nil {
		for _, n := range binman.Children {
			if strings.HasPrefix(n.Name, "template") {
				continue // binman's templates are not images
			}
			images = append(images, imageNode{n, n.Name, "/binman/" + n.Name})
		}
	} else {
		images = append(images, imageNode{binman, "image", "/binman"})
	}
	var nodes []*layout.Node
	for _, im := range images {
		c.image = im.name
		c.imageNode = im.node
		node, err := c.node(im.node, im.path, "", true, true)
		if err != nil {
			return nil, nil, err
		}
		c.upd.allowRepack[im.name] = node.AllowRepack
		nodes = append(nodes, node)
	}
	var hooks []func(*layout.Image) error
	if c.usesMainDTB || len(c.upd.phases) > 0 {
		r := newRound()
		r.kids = c.expansions
		if opts.UpdateFDT {
			c.upd.addMissing(r)
		}
		if err := c.preparePhaseDTBs(r, nodes); err != nil {
			return nil, nil, err
		}
		if opts.UpdateFDT {
			hooks = append(hooks, c.upd.afterPack)
		}
		if c.usesMainDTB {
			c.upd.mainUsed = true
			r.apply(tree.Root, strs)
			c.upd.strings = strs.Bytes()
			data, err := c.upd.encode()
			if err != nil {
				return nil, nil, err
			}
			c.upd.size = len(data)
			p, err := c.mainDTB(data)
			if err != nil {
				return nil, nil, err
			}
			for _, n := range nodes {
				setMainDTBPath(n, p)
			}
		}
	}
	hooks = append(hooks, binsym.ManifestPatcher(opts.Warn))
	if c.ucode != nil {
		if err := c.finishUcode(nodes); err != nil {
			return nil, nil, err
		}
		hooks = append(hooks, c.ucodeAfterPack)
	}
	if c.alternates != nil {
		hooks = append(hooks, c.alternatesAfterPack)
	}
	var out []*layout.Manifest
	for i, im := range images {
		node := nodes[i]
		node.Name = im.name
		node.Type = "section"
		node.NodePath = im.path
		update := opts.UpdateFDT
		// An empty "props" list (a node with no properties) stays empty
		// through JSON too (layout.Node.MarshalJSON writes "props": []).
		out = append(out, &layout.Manifest{
			Version:      layout.ManifestVersion,
			AllowMissing: opts.AllowMissing,
			UpdateFDT:    &update,
			Image:        *node,
		})
	}
	afterPack := func(img *layout.Image) error {
		for _, h := range hooks {
			if err := h(img); err != nil {
				return err
			}
		}
		return nil
	}
	return out, afterPack, nil
}

type converter struct {
	opts  Options
	tree  *fdt.Tree
	image string // name of the image being read
	// expansions are the subnodes binman adds to u-boot nodes it expands.
	expansions map[*fdt.Node][]*fdt.Node
	// usesMainDTB: some entry's contents are the (changed) description
	// device tree; its path is mainDTBPlaceholder until all images are read.
	usesMainDTB bool
	upd         *dtbUpdater
	// fitImages are a fit entry's image nodes: sections whatever their
	// type property says, whose hash subnodes are mkimage's (fit.go).
	fitImages map[*fdt.Node]bool
	imageNode *fdt.Node // the image being read
	// forceType gives nodes an entry type their container decides (a FIP
	// image named after its type is a blob-ext); noExpand keeps u-boot
	// unexpanded where binman creates entries without expansion.
	forceType map[*fdt.Node]string
	noExpand  map[*fdt.Node]bool
	// ucode is the microcode entries' shared state by section (ucode.go).
	ucode map[*fdt.Node]*ucodeSection
	// alternates is each image's first alternates-fdt entry (alternates.go).
	alternates map[string]*alternatesFDT
}

type propValues struct {
	nums    map[string]uint64
	flags   map[string]bool
	strings map[string]string
}

func readProps(n *fdt.Node, path string) (*propValues, []layout.Prop, error) {
	v := &propValues{nums: map[string]uint64{}, flags: map[string]bool{}, strings: map[string]string{}}
	props := []layout.Prop{}
	for _, p := range n.Properties {
		props = append(props, layout.Prop{Name: p.Name, Value: layout.Hex(append([]byte(nil), p.Value...))})
		switch {
		case numProps[p.Name]:
			switch len(p.Value) {
			case 4:
				v.nums[p.Name] = uint64(binary.BigEndian.Uint32(p.Value))
			case 8:
				v.nums[p.Name] = binary.BigEndian.Uint64(p.Value)
			default:
				return nil, nil, fmt.Errorf("Node '%s': property '%s' has length %d, expected 4 or 8", path, p.Name, len(p.Value))
			}
		case flagProps[p.Name]:
			v.flags[p.Name] = true
		case stringProps[p.Name] || strings.HasSuffix(p.Name, "-path"):
			s, ok := n.PropString(p.Name)
			if !ok {
				return nil, nil, fmt.Errorf("Node '%s': property '%s' is not a string", path, p.Name)
			}
			v.strings[p.Name] = s
		case p.Name == "fill-byte":
			if len(p.Value) == 0 {
				return nil, nil, fmt.Errorf("Node '%s': property 'fill-byte' is empty", path)
			}
			// binman reads the first byte of "fill-byte = [cc]".
			v.nums[p.Name] = uint64(p.Value[0])
		}
	}
	return v, props, nil
}

func num(v *propValues, name string) *layout.Num {
	x, ok := v.nums[name]
	if !ok {
		return nil
	}
	n := layout.Num(x)
	return &n
}

func numOr0(v *propValues, name string) layout.Num {
	return layout.Num(v.nums[name])
}

// node converts one description node (an image when isImage). rel is
// its path below the image; hasPos is false inside a compressed section.
func (c *converter) node(n *fdt.Node, path, rel string, isImage, hasPos bool) (*layout.Node, error) {
	v, props, err := readProps(n, path)
	if err != nil {
		return nil, err
	}
	etype, hasType := v.strings["type"]
	if !hasType {
		etype = strings.SplitN(n.Name, "@", 2)[0]
	}
	if isImage || c.fitImages[n] {
		etype = "section"
	}
	if t, ok := c.forceType[n]; ok {
		etype = t
	}
	out := &layout.Node{
		Name:         n.Name,
		Offset:       num(v, "offset"),
		Size:         num(v, "size"),
		MinSize:      numOr0(v, "min-size"),
		Align:        numOr0(v, "align"),
		AlignSize:    numOr0(v, "align-size"),
		AlignEnd:     numOr0(v, "align-end"),
		PadBefore:    numOr0(v, "pad-before"),
		PadAfter:     numOr0(v, "pad-after"),
		ExtendSize:   v.flags["extend-size"],
		Overlap:      v.flags["overlap"],
		Optional:     v.flags["optional"],
		Compress:     v.strings["compress"],
		MissingMsg:   v.strings["missing-msg"],
		AssumeSize:   numOr0(v, "assume-size"),
		Props:        props,
		PadByte:      numOr0(v, "pad-byte"),
		SortByOffset: v.flags["sort-by-offset"],
		SkipAtStart:  num(v, "skip-at-start"),
		EndAt4GB:     v.flags["end-at-4gb"],
		AlignDefault: numOr0(v, "align-default"),
		NamePrefix:   v.strings["name-prefix"],
		ReadOnly:     v.flags["read-only"],
	}
	if isImage {
		out.Filename = v.strings["filename"]
		out.Symlink, _ = n.PropString("symlink")
		out.AllowRepack = v.flags["allow-repack"]
	}
	// binman's hash is the subnode named exactly "hash", and only -u
	// computes it.
	if h := n.Child("hash"); h != nil && !c.fitImages[n] {
		algo, ok := h.PropString("algo")
		switch {
		case !ok && c.opts.UpdateFDT:
			return nil, fmt.Errorf("Node '%s': Missing 'algo' property for hash node", path)
		case ok && algo != "sha256" && c.opts.UpdateFDT:
			return nil, fmt.Errorf("Node '%s': Unknown hash algorithm '%s'", path, algo)
		}
		out.Hash = algo
	}
	if err := c.offsetFromELF(n, path, out); err != nil {
		return nil, err
	}
	if err := checkEntry(n, path, etype, out); err != nil {
		return nil, err
	}
	compressed := out.Compress != "" && out.Compress != "none"
	s := slot{node: n, entryPath: rel, hasPos: hasPos, compress: compressed, endAt4GB: etype == "section" && out.EndAt4GB}
	if out.Hash != "" {
		s.hash = n.Child("hash")
	}
	if out.Offset != nil {
		s.origOffset, s.hasOrigOffset = uint64(*out.Offset), true
	}
	if out.Size != nil {
		s.origSize, s.hasOrigSize = uint64(*out.Size), true
	}
	c.upd.slots[c.image] = append(c.upd.slots[c.image], s)
	childRel := func(name string) string {
		if rel == "" {
			return name
		}
		return rel + "/" + name
	}
	switch {
	case etype == "section":
		out.Type = "section"
		for _, sub := range n.Children {
			if sub.Name == "hash" {
				// The fdtmap keeps the hash node where the description has it.
				out.HashAfter = layout.Num(len(out.Entries))
			}
			if strings.HasPrefix(sub.Name, "hash") || strings.HasPrefix(sub.Name, "signature") {
				continue
			}
			child, err := c.node(sub, path+"/"+sub.Name, childRel(sub.Name), false, hasPos && !compressed)
			if err != nil {
				return nil, err
			}
			out.Entries = append(out.Entries, *child)
		}
	case etype == "fit":
		if err := c.fit(n, path, rel, out, hasPos); err != nil {
			return nil, err
		}
	case etype == "atf-fip":
		if err := c.atfFip(n, path, rel, out, hasPos); err != nil {
			return nil, err
		}
	case etype == "blob" || etype == "blob-ext":
		out.Type = "blob"
		out.External = etype == "blob-ext"
		name, ok := v.strings["filename"]
		if !ok {
			name = etype // binman's default file name is the entry type
		}
		out.Path = c.resolve(name)
		if v.flags["write-symbols"] {
			if err := c.symbols(out, v, v.strings["elf-filename"], false); err != nil {
				return nil, fmt.Errorf("Node '%s': %v", path, err)
			}
		}
	case etype == "text":
		out.Type = "text"
		text, err := c.text(n, v, path)
		if err != nil {
			return nil, err
		}
		out.Text = text
	case etype == "fill":
		out.Type = "fill"
		out.FillByte = numOr0(v, "fill-byte")
	case etype == "fdtmap" || etype == "image-header":
		out.Type = etype
		out.Location = v.strings["location"]
	case etype == "u-boot" && !v.flags["no-expanded"] && !c.noExpand[n]:
		// binman's u-boot-expanded: a section holding U-Boot without its
		// device tree, then the device tree (so positions can be put in
		// it). The two subnodes are added to the description's tree too.
		out.Type = "section"
		nodtb := layout.Node{Name: "u-boot-nodtb", Type: "blob", Path: c.resolve(namedBlobs["u-boot-nodtb"].file), Props: []layout.Prop{}}
		dtbNode := layout.Node{Name: "u-boot-dtb", Type: "blob", Path: mainDTBPlaceholder, Props: []layout.Prop{}}
		out.Entries = []layout.Node{nodtb, dtbNode}
		// binman puts the two new subnodes in front of the description's.
		out.HashAfter = layout.Num(len(out.Entries))
		c.usesMainDTB = true
		added := []*fdt.Node{{Name: nodtb.Name}, {Name: dtbNode.Name}}
		c.expansions[n] = added
		childPos := hasPos && !compressed
		for _, a := range added {
			c.upd.slots[c.image] = append(c.upd.slots[c.image], slot{node: a, entryPath: childRel(a.Name), hasPos: childPos})
		}
		c.upd.dtbEntries[c.image] = append(c.upd.dtbEntries[c.image], childRel(dtbNode.Name))
	case namedByArg[etype]:
		out.Type = "blob"
		out.External = true
		name, ok := c.arg(v, etype+"-path")
		if !ok && etype == "cros-ec-rw" {
			// binman requires the argument for this one (filename or not).
			return nil, fmt.Errorf("Node '%s': Missing required properties/entry args: %s-path", path, etype)
		}
		if !ok {
			name, ok = v.strings["filename"]
		}
		if !ok {
			name = etype
		}
		out.Path = c.resolve(name)
	default:
		if done, err := c.expandXPL(n, v, etype, path, rel, out, hasPos && !compressed); done || err != nil {
			if err != nil {
				return nil, err
			}
			break
		}
		if read, ok := etypeReaders[etype]; ok {
			if err := read(c, n, v, path, rel, out, hasPos && !compressed); err != nil {
				return nil, err
			}
			break
		}
		nb, ok := namedBlobs[etype]
		if !ok {
			return nil, fmt.Errorf("Unknown entry type '%s' in node '%s'", etype, path)
		}
		out.Type = "blob"
		if nb.mainDTB {
			c.usesMainDTB = true
			c.upd.dtbEntries[c.image] = append(c.upd.dtbEntries[c.image], rel)
			out.Path = mainDTBPlaceholder
		} else {
			out.Path = c.resolve(nb.file)
			if nb.phaseDTB {
				ph, err := c.usePhaseDTB(etype, nb.file, rel)
				if err != nil {
					return nil, fmt.Errorf("Node '%s': %v", path, err)
				}
				if ph != nil {
					out.Path = ph.placeholder
				}
			}
		}
		elfName := nb.elf
		if s, ok := v.strings["elf-filename"]; ok {
			elfName = s
		}
		if (nb.elf != "" || v.flags["write-symbols"]) && elfName != "" {
			if err := c.symbols(out, v, elfName, nb.inELF); err != nil {
				return nil, fmt.Errorf("Node '%s': %v", path, err)
			}
		}
	}
	return out, nil
}

// arg is binman's GetArg: the entry argument of that name, else the
// node's string property.
func (c *converter) arg(v *propValues, name string) (string, bool) {
	if a, ok := c.opts.EntryArgs[name]; ok {
		return a, true
	}
	s, ok := v.strings[name]
	return s, ok
}

// text is binman's text entry: the "text" property, else the value of
// the entry argument or property named by text-label (itself an entry
// argument or property). No text, or an empty one, is an error.
func (c *converter) text(n *fdt.Node, v *propValues, path string) (string, error) {
	if t := v.strings["text"]; t != "" {
		return t, nil
	}
	if p := n.Prop("text"); p != nil && string(p.Value) == "\x00" {
		// dtoc reads text = "" as the byte 0, not as an empty string.
		return "\x00", nil
	}
	label, ok := c.arg(v, "text-label")
	var value string
	if ok {
		if a, isArg := c.opts.EntryArgs[label]; isArg {
			value = a
		} else if s, isProp := n.PropString(label); isProp {
			value = s
		}
	} else {
		label = "None" // Python's None, as binman prints it
	}
	if value == "" {
		return "", fmt.Errorf("Node '%s': No value provided for text label '%s'", path, label)
	}
	return value, nil
}

func (c *converter) symbols(out *layout.Node, v *propValues, elfName string, inELF bool) error {
	if v.flags["no-write-symbols"] {
		return nil
	}
	if elfName == "" {
		return fmt.Errorf("'write-symbols' needs 'elf-filename'")
	}
	t := binsym.Target{ELF: c.resolve(elfName), BaseSymbol: v.strings["elf-base-sym"], InELF: inELF}
	if b, ok := v.nums["symbols-base"]; ok {
		t.SymbolsBase = &b
	}
	out.Symbols = t.Marshal()
	return nil
}

// resolve is binman's get_input_filename: the first input directory
// holding the file, or the name itself when absolute or there are no
// input directories. A file found nowhere resolves to the first input
// directory, so the layout engine reports it missing there.
func (c *converter) resolve(name string) string {
	if len(c.opts.InputDirs) == 0 || filepath.IsAbs(name) {
		return name
	}
	for _, d := range c.opts.InputDirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return filepath.Join(c.opts.InputDirs[0], name)
}

// mainDTBPlaceholder stands for the description's device tree file until
// it is known; a NUL keeps it from naming any real file.
const mainDTBPlaceholder = "\x00main-dtb"

func setMainDTBPath(n *layout.Node, path string) {
	if n.Path == mainDTBPlaceholder {
		n.Path = path
	}
	for i := range n.Entries {
		setMainDTBPath(&n.Entries[i], path)
	}
}

// mainDTB writes the description's device tree as binman changed it to a
// file named by its contents, for u-boot-dtb entries to read.
func (c *converter) mainDTB(data []byte) (string, error) {
	return c.tempFile("dtb", ".dtb", data)
}

// tempFile writes data to a file in TempDir named by kind, its contents
// and ext, for blob entries whose contents binman makes.
func (c *converter) tempFile(kind, ext string, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	dir := c.opts.TempDir
	if dir == "" {
		dir = os.TempDir()
	}
	p := filepath.Join(dir, "fwtool-"+kind+"-"+hex.EncodeToString(sum[:16])+ext)
	if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, data) {
		return p, nil
	}
	tmp, err := os.CreateTemp(dir, "fwtool-"+kind+"-*")
	if err != nil {
		return "", err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), p)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return "", werr
	}
	return p, nil
}
