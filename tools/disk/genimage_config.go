package disk

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/rules-firmware/rules_firmware/tools/lazymap"
)

// GenimageImage is one `image NAME { hdimage {...} partition ... }` section
// of a genimage config, turned into a manifest. Partition image paths are
// already resolved against the input path.
type GenimageImage struct {
	Name     string // output file name, relative to the output path
	Manifest *Manifest
}

// ParseGenimageConfig reads the hdimage images of a genimage config (the
// libconfuse syntax genimage uses), without include and with variables
// read from the process environment. Images of other types may be declared
// only as `file` images (to give an input's holes); anything genimage would
// have to build itself is an error naming it. seed, if empty, becomes each
// image's name.
func ParseGenimageConfig(src, inputPath, seed string) ([]GenimageImage, error) {
	cfg, err := ParseGenimage(src, GenimageSource{LookupEnv: os.LookupEnv})
	if err != nil {
		return nil, err
	}
	var out []GenimageImage
	for _, img := range cfg.Images {
		switch img.Type {
		case "hdimage":
			m, err := cfg.HDImageManifest(img, inputPath, seed, nil)
			if err != nil {
				return nil, err
			}
			out = append(out, GenimageImage{Name: img.Name, Manifest: m})
		case "file":
		default:
			return nil, fmt.Errorf("genimage config line %d: image '%s': type '%s' is not an hdimage", img.Line, img.Name, img.Type)
		}
	}
	return out, nil
}

// GenimageSource says how a config reads what lies outside its text.
type GenimageSource struct {
	// Name names the config file in errors ("" for "genimage config").
	Name string
	// LookupEnv resolves ${VAR} and ${VAR:-default}; nil: every variable
	// is unset.
	LookupEnv func(string) (string, bool)
	// Include returns the text of an include("file") and the name to
	// report it by; nil: include is an error.
	Include func(file string) (name, text string, err error)
}

// GenimageConfig is a parsed genimage config: its config section and its
// images, in the order written.
type GenimageConfig struct {
	// Settings holds the config section's options (rootpath, inputpath,
	// outputpath, tmppath, ...), each as its single value.
	Settings map[string]string
	Images   []GenimageSection
	// FlashTypes are the top-level `flash NAME { pebsize = ... }`
	// sections (Name "flash", Title the type's name), in order.
	FlashTypes []GenimageSubsection
	byName     map[string]*cfgNode
	// shortcuts are the config section's gpt-shortcuts (lower-case name
	// -> type GUID); they come before the built-in names.
	shortcuts map[string]string
	// RandomSignature, when set, gives the value of an hdimage's
	// `disk-signature = "random"` (genimage draws it from the config's
	// randomseed); unset, "random" is an error.
	RandomSignature func(image string) (uint32, bool)
}

// GenimageSection is one `image NAME { TYPE { ... } ... }` section.
type GenimageSection struct {
	Name, Type string
	Line       int
	// Options are the image's own options (size, mountpoint, ...);
	// TypeOptions and TypeSections those of its TYPE section.
	Options      []GenimageOption
	TypeOptions  []GenimageOption
	TypeSections []GenimageSubsection
	// Partitions are the image's `partition NAME { ... }` sections.
	Partitions []GenimageSubsection
	node       *cfgNode
}

// GenimageSubsection is a titled section inside a type section, such as
// vfat's `file NAME { image = ... }`.
type GenimageSubsection struct {
	Name, Title string
	Line        int
	Options     []GenimageOption
}

// GenimageOption is `key = value` or `key = {v1, v2}`.
type GenimageOption struct {
	Key    string
	Values []string
	Line   int
}

// Value is the option's first value.
func (o GenimageOption) Value() string { return cfgOpt{values: o.Values}.first() }

// Bool reads the option as a libconfuse boolean.
func (o GenimageOption) Bool() (bool, error) {
	return cfgOpt{key: o.Key, values: o.Values, line: o.Line}.boolean()
}

// Image returns the image named name, if the config declares one.
func (c *GenimageConfig) Image(name string) (GenimageSection, bool) {
	for _, img := range c.Images {
		if img.Name == name {
			return img, true
		}
	}
	return GenimageSection{}, false
}

// ParseGenimage reads a genimage config: includes are inlined, variables
// expanded, every image must have exactly one type section, and hooks
// (exec-pre, exec-post) are refused, since a hermetic build runs none.
func ParseGenimage(src string, from GenimageSource) (*GenimageConfig, error) {
	p := &cfgParser{src: src, line: 1, from: from, file: from.Name}
	root, err := p.parseBlock(true)
	if err != nil {
		return nil, err
	}
	cfg := &GenimageConfig{Settings: map[string]string{}, byName: map[string]*cfgNode{}, shortcuts: map[string]string{}}
	for _, n := range root.children {
		switch n.name {
		case "image":
			img, err := genimageSection(n)
			if err != nil {
				return nil, err
			}
			if _, dup := cfg.byName[n.title]; dup {
				return nil, fmt.Errorf("genimage config line %d: image '%s' is declared twice", n.line, n.title)
			}
			cfg.byName[n.title] = n
			cfg.Images = append(cfg.Images, img)
		case "config":
			for _, o := range n.opts {
				cfg.Settings[o.key] = o.first()
			}
			for _, c := range n.children {
				if c.name != "gpt-shortcuts" {
					return nil, fmt.Errorf("genimage config line %d: unknown config section '%s'", c.line, c.name)
				}
				for _, o := range c.opts {
					cfg.shortcuts[strings.ToLower(o.key)] = o.first()
				}
			}
		case "flash":
			cfg.FlashTypes = append(cfg.FlashTypes, GenimageSubsection{Name: n.name, Title: n.title, Line: n.line, Options: exportOpts(n.opts)})
		default:
			return nil, fmt.Errorf("genimage config line %d: unsupported top-level section '%s'", n.line, n.name)
		}
	}
	return cfg, nil
}

func genimageSection(n *cfgNode) (GenimageSection, error) {
	handler := imageHandler(n)
	if handler == nil {
		return GenimageSection{}, fmt.Errorf("genimage config line %d: image '%s' has no type section (hdimage, file, ...)", n.line, n.title)
	}
	img := GenimageSection{Name: n.title, Type: handler.name, Line: n.line, node: n,
		Options: exportOpts(n.opts), TypeOptions: exportOpts(handler.opts)}
	for _, o := range n.opts {
		if o.key == "exec-pre" || o.key == "exec-post" {
			return img, fmt.Errorf("genimage config line %d: image '%s': option '%s' runs a host command; a hermetic build runs no hooks (build that step as its own target)", o.line, n.title, o.key)
		}
	}
	for _, c := range n.children {
		if c.name == "partition" {
			img.Partitions = append(img.Partitions, GenimageSubsection{Name: c.name, Title: c.title, Line: c.line, Options: exportOpts(c.opts)})
		}
		if c != handler && imageTypes.Get()[c.name] {
			return img, fmt.Errorf("genimage config line %d: image '%s' has two type sections ('%s' and '%s')", c.line, n.title, handler.name, c.name)
		}
	}
	for _, c := range handler.children {
		img.TypeSections = append(img.TypeSections, GenimageSubsection{Name: c.name, Title: c.title, Line: c.line, Options: exportOpts(c.opts)})
	}
	return img, nil
}

func exportOpts(opts []cfgOpt) []GenimageOption {
	out := make([]GenimageOption, len(opts))
	for i, o := range opts {
		out[i] = GenimageOption{Key: o.key, Values: o.values, Line: o.line}
	}
	return out
}

// HDImageManifest turns an hdimage image into a manifest. A partition's
// image is, in this order: built(name) when that returns a path (an image
// the config builds), a `file` image's file, or the name below inputPath.
func (c *GenimageConfig) HDImageManifest(img GenimageSection, inputPath, seed string, built func(name string) string) (*Manifest, error) {
	files := map[string]*cfgNode{}
	for name, n := range c.byName {
		files[name] = n
	}
	var random func() (uint32, bool)
	if c.RandomSignature != nil {
		random = func() (uint32, bool) { return c.RandomSignature(img.Name) }
	}
	m, err := hdimageManifest(img.node, files, inputPath, seed, built, random)
	if err != nil {
		return nil, fmt.Errorf("genimage config: image '%s': %v", img.Name, err)
	}
	for i := range m.Partitions {
		if guid, ok := c.shortcuts[strings.ToLower(m.Partitions[i].PartitionTypeUUID)]; ok {
			m.Partitions[i].PartitionTypeUUID = guid
		}
	}
	return m, nil
}

var imageTypes = &lazymap.Map[string, bool]{New: func() map[string]bool {
	return map[string]bool{"android-sparse": true, "btrfs": true, "cpio": true, "cramfs": true, "custom": true,
		"erofs": true, "ext2": true, "ext3": true, "ext4": true, "f2fs": true, "file": true, "fip": true, "FIT": true, "fit": true,
		"flash": true, "hdimage": true, "iso": true, "jffs2": true, "mdraid": true, "qemu": true, "rauc": true,
		"squashfs": true, "tar": true, "ubi": true, "ubifs": true, "verity": true, "vfat": true}
}}

func imageHandler(n *cfgNode) *cfgNode {
	for _, c := range n.children {
		if imageTypes.Get()[c.name] {
			return c
		}
	}
	return nil
}

func hdimageManifest(n *cfgNode, files map[string]*cfgNode, inputPath, seed string, built func(string) string, random func() (uint32, bool)) (*Manifest, error) {
	if seed == "" {
		seed = n.title
	}
	m := &Manifest{Version: ManifestVersion, Seed: seed, EmptyMBRType: true}
	var err error
	for _, o := range n.opts {
		switch o.key {
		case "size":
			err = setSize(o, &m.Size)
		case "name", "mountpoint", "srcpath", "flashtype":
			if o.key != "name" || o.first() != n.title {
				return nil, fmt.Errorf("line %d: option '%s' is not supported for hdimage images", o.line, o.key)
			}
		case "temporary", "empty":
		default:
			return nil, fmt.Errorf("line %d: unknown image option '%s'", o.line, o.key)
		}
		if err != nil {
			return nil, err
		}
	}
	hd := imageHandler(n)
	var deprecatedTable, deprecatedGPT string
	randomSig := false
	// genimage writes 0 when no disk-signature is given; so do we for
	// its configs, so that the images match.
	zero := Number(0)
	m.DiskSignature = &zero
	for _, o := range hd.opts {
		switch o.key {
		case "align":
			err = setSize(o, &m.Align)
		case "disk-signature":
			if o.first() == "random" {
				if random != nil {
					if v, ok := random(); ok {
						n := Number(v)
						m.DiskSignature, randomSig = &n, true
						continue
					}
				}
				return nil, fmt.Errorf("line %d: disk-signature \"random\" would make the image irreproducible; give a value (or the config's randomseed)", o.line)
			}
			var v Number
			err = setSize(o, &v)
			m.DiskSignature = &v
		case "disk-uuid":
			m.DiskUUID = o.first()
		case "partition-table":
			var b bool
			b, err = o.boolean()
			deprecatedTable = map[bool]string{true: "mbr", false: "none"}[b]
		case "gpt":
			var b bool
			b, err = o.boolean()
			deprecatedGPT = map[bool]string{true: "gpt", false: "mbr"}[b]
		case "partition-table-type":
			m.PartitionTable = o.first()
		case "extended-partition":
			var v Number
			err = setSize(o, &v)
			m.ExtendedPartition = int(v)
		case "gpt-location":
			err = setSize(o, &m.GPTLocation)
		case "gpt-no-backup":
			m.GPTNoBackup, err = o.boolean()
		case "fill":
			m.Fill, err = o.boolean()
		default:
			return nil, fmt.Errorf("line %d: unknown hdimage option '%s'", o.line, o.key)
		}
		if err != nil {
			return nil, err
		}
	}
	// The deprecated booleans override partition-table-type, gpt last,
	// as in genimage.
	if deprecatedTable != "" {
		m.PartitionTable = deprecatedTable
	}
	if deprecatedGPT != "" {
		m.PartitionTable = deprecatedGPT
	}
	if tt, err := parseTableType(m.PartitionTable); err == nil && tt&TableMBR == 0 && (*m.DiskSignature == 0 || randomSig) {
		m.DiskSignature = nil // only valid on mbr and hybrid tables
	}
	for _, c := range n.children {
		if c.name != "partition" {
			continue
		}
		part, err := genimagePartition(c, files, inputPath, built)
		if err != nil {
			return nil, err
		}
		m.Partitions = append(m.Partitions, part)
	}
	return m, nil
}

func genimagePartition(c *cfgNode, files map[string]*cfgNode, inputPath string, built func(string) string) (Partition, error) {
	part := Partition{Name: c.title}
	var err error
	var holes []string
	for _, o := range c.opts {
		switch o.key {
		case "offset":
			err = setSize(o, &part.Offset)
		case "size":
			err = setSize(o, &part.Size)
		case "align":
			err = setSize(o, &part.Align)
		case "partition-type":
			err = setSize(o, &part.PartitionType)
		case "bootable":
			part.Bootable, err = o.boolean()
		case "read-only":
			part.ReadOnly, err = o.boolean()
		case "hidden":
			part.Hidden, err = o.boolean()
		case "no-automount":
			part.NoAutomount, err = o.boolean()
		case "autoresize":
			part.Autoresize, err = o.boolean()
		case "in-partition-table":
			var b bool
			b, err = o.boolean()
			part.InPartitionTable = &b
		case "image":
			part.Image = o.first()
		case "holes":
			holes = o.values
		case "partition-uuid":
			part.PartitionUUID = o.first()
		case "imageoffset":
			err = setSize(o, &part.ImageOffset)
		case "fill":
			part.Fill, err = o.boolean()
		case "sparse":
			var b bool
			b, err = o.boolean()
			part.Sparse = &b
		case "partition-type-uuid":
			part.PartitionTypeUUID = o.first()
		case "forced-primary":
			part.ForcedPrimary, err = o.boolean()
		default:
			return part, fmt.Errorf("line %d: unknown partition option '%s'", o.line, o.key)
		}
		if err != nil {
			return part, fmt.Errorf("partition '%s': %v", c.title, err)
		}
	}
	if part.Image != "" && built != nil && built(part.Image) != "" {
		if len(holes) > 0 {
			return part, fmt.Errorf("partition '%s': holes in partitions are only valid for implicit file images; image '%s' is built by the config", c.title, part.Image)
		}
		part.Image = built(part.Image)
	} else if part.Image != "" {
		path := part.Image
		if f, ok := files[part.Image]; ok {
			h := imageHandler(f)
			if h.name != "file" {
				return part, fmt.Errorf("partition '%s': image '%s' is a genimage %s image; build it first and give the file", c.title, part.Image, h.name)
			}
			if len(holes) > 0 {
				return part, fmt.Errorf("partition '%s': holes in partitions are only valid for implicit file images; put them in image '%s'", c.title, part.Image)
			}
			for _, o := range h.opts {
				switch o.key {
				case "name":
					path = o.first()
				case "holes":
					holes = o.values
				case "copy":
				default:
					return part, fmt.Errorf("line %d: unknown file option '%s'", o.line, o.key)
				}
			}
		}
		if !filepath.IsAbs(path) && inputPath != "" {
			path = filepath.Join(inputPath, path)
		}
		part.Image = path
	}
	for _, h := range holes {
		hole, err := parseGenimageHole(h)
		if err != nil {
			return part, fmt.Errorf("partition '%s': %v", c.title, err)
		}
		part.Holes = append(part.Holes, hole)
	}
	return part, nil
}

// parseGenimageHole parses "(<start>;<end>)".
func parseGenimageHole(s string) (Hole, error) {
	t := strings.TrimSpace(s)
	bad := fmt.Errorf("invalid hole specification '%s', use '(<start>;<end>)'", s)
	if !strings.HasPrefix(t, "(") || !strings.HasSuffix(t, ")") {
		return Hole{}, bad
	}
	parts := strings.Split(t[1:len(t)-1], ";")
	if len(parts) != 2 {
		return Hole{}, bad
	}
	start, err1 := ParseSize(parts[0])
	end, err2 := ParseSize(parts[1])
	if err1 != nil || err2 != nil || end <= start {
		return Hole{}, bad
	}
	return Hole{Start: start, End: end}, nil
}

func setSize(o cfgOpt, dst *Number) error {
	v, err := ParseSize(o.first())
	if err != nil {
		return fmt.Errorf("line %d: option '%s': %v", o.line, o.key, err)
	}
	*dst = Number(v)
	return nil
}

// cfgNode is a section: `name [title] { options and sections }`.
type cfgNode struct {
	name, title string
	line        int
	opts        []cfgOpt
	children    []*cfgNode
}

type cfgOpt struct {
	key    string
	values []string
	line   int
}

func (o cfgOpt) first() string {
	if len(o.values) == 0 {
		return ""
	}
	return o.values[0]
}

func (o cfgOpt) boolean() (bool, error) {
	switch strings.ToLower(o.first()) {
	case "true", "yes", "on", "1":
		return true, nil
	case "false", "no", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("line %d: option '%s': %q is not a boolean", o.line, o.key, o.first())
}

type cfgToken struct {
	kind byte // 's' string, or one of = { } ( ) , and '+' for +=, 0 at end
	text string
	line int
}

type cfgParser struct {
	src    string
	pos    int
	line   int
	peeked *cfgToken
	from   GenimageSource
	file   string // for errors: the config or the included file
	depth  int    // include nesting
}

// maxIncludeDepth stops a file that includes itself.
const maxIncludeDepth = 16

func (p *cfgParser) errorf(line int, format string, args ...interface{}) error {
	if p.file != "" {
		return fmt.Errorf("genimage config %s line %d: %s", p.file, line, fmt.Sprintf(format, args...))
	}
	return fmt.Errorf("genimage config line %d: %s", line, fmt.Sprintf(format, args...))
}

func (p *cfgParser) next() (cfgToken, error) {
	if p.peeked != nil {
		t := *p.peeked
		p.peeked = nil
		return t, nil
	}
	return p.lex()
}

func (p *cfgParser) peek() (cfgToken, error) {
	if p.peeked == nil {
		t, err := p.lex()
		if err != nil {
			return t, err
		}
		p.peeked = &t
	}
	return *p.peeked, nil
}

func (p *cfgParser) lex() (cfgToken, error) {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\n':
			p.line++
			p.pos++
		case c == ' ' || c == '\t' || c == '\r':
			p.pos++
		case c == '#' || strings.HasPrefix(p.src[p.pos:], "//"):
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		case strings.HasPrefix(p.src[p.pos:], "/*"):
			end := strings.Index(p.src[p.pos+2:], "*/")
			if end < 0 {
				return cfgToken{}, p.errorf(p.line, "unterminated comment")
			}
			p.line += strings.Count(p.src[p.pos:p.pos+2+end], "\n")
			p.pos += end + 4
		default:
			return p.lexToken()
		}
	}
	return cfgToken{kind: 0, line: p.line}, nil
}

func (p *cfgParser) lexToken() (cfgToken, error) {
	c := p.src[p.pos]
	line := p.line
	switch c {
	case '=', '{', '}', '(', ')', ',':
		p.pos++
		return cfgToken{kind: c, line: line}, nil
	case '+':
		if strings.HasPrefix(p.src[p.pos:], "+=") {
			p.pos += 2
			return cfgToken{kind: '+', line: line}, nil
		}
	case '"', '\'':
		var b strings.Builder
		p.pos++
		for {
			if p.pos >= len(p.src) {
				return cfgToken{}, p.errorf(line, "unterminated string")
			}
			ch := p.src[p.pos]
			p.pos++
			if ch == c {
				break
			}
			if ch == '\n' {
				p.line++
			}
			if ch == '\\' && p.pos < len(p.src) {
				esc := p.src[p.pos]
				p.pos++
				switch {
				case c == '\'' && esc != '\'' && esc != '\\':
					b.WriteByte('\\')
					b.WriteByte(esc)
				case esc == 'n':
					b.WriteByte('\n')
				case esc == 't':
					b.WriteByte('\t')
				default:
					b.WriteByte(esc)
				}
				continue
			}
			b.WriteByte(ch)
		}
		text := b.String()
		if c == '"' {
			var err error
			if text, err = p.expand(text, line); err != nil {
				return cfgToken{}, err
			}
		}
		return cfgToken{kind: 's', text: text, line: line}, nil
	}
	start := p.pos
	for p.pos < len(p.src) {
		ch := rune(p.src[p.pos])
		if strings.HasPrefix(p.src[p.pos:], "${") {
			// A variable reference is part of the word, braces and all.
			end := strings.IndexByte(p.src[p.pos:], '}')
			if end < 0 {
				return cfgToken{}, p.errorf(line, "unterminated '${'")
			}
			p.pos += end + 1
			continue
		}
		if unicode.IsSpace(ch) || strings.ContainsRune("={}(),\"'#", ch) {
			break
		}
		p.pos++
	}
	if p.pos == start {
		return cfgToken{}, p.errorf(line, "unexpected character %q", c)
	}
	text, err := p.expand(p.src[start:p.pos], line)
	if err != nil {
		return cfgToken{}, err
	}
	return cfgToken{kind: 's', text: text, line: line}, nil
}

// expand replaces ${NAME} by the variable's value ("" when unset) and
// ${NAME:-DEFAULT} by the value, or DEFAULT when unset or empty, as
// libconfuse does for genimage in unquoted and double-quoted values.
func (p *cfgParser) expand(s string, line int) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", p.errorf(line, "unterminated '${' in %q", s)
		}
		b.WriteString(s[:i])
		ref := s[i+2 : i+end]
		name, def, hasDef := ref, "", false
		if k := strings.Index(ref, ":-"); k >= 0 {
			name, def, hasDef = ref[:k], ref[k+2:], true
		}
		if name == "" {
			return "", p.errorf(line, "empty variable name in '${%s}'", ref)
		}
		val, ok := "", false
		if p.from.LookupEnv != nil {
			val, ok = p.from.LookupEnv(name)
		}
		if hasDef && (!ok || val == "") {
			val = def
		}
		b.WriteString(val)
		s = s[i+end+1:]
	}
}

// parseBlock reads options and sections up to '}' (or the end at top level).
func (p *cfgParser) parseBlock(top bool) (*cfgNode, error) {
	n := &cfgNode{}
	for {
		t, err := p.next()
		if err != nil {
			return nil, err
		}
		switch {
		case t.kind == 0:
			if !top {
				return nil, p.errorf(t.line, "missing '}'")
			}
			return n, nil
		case t.kind == '}' && !top:
			return n, nil
		case t.kind != 's':
			return nil, p.errorf(t.line, "unexpected '%c'", t.kind)
		}
		name := t
		nt, err := p.next()
		if err != nil {
			return nil, err
		}
		switch nt.kind {
		case '=', '+':
			values, err := p.parseValue()
			if err != nil {
				return nil, err
			}
			n.opts = append(n.opts, cfgOpt{key: name.text, values: values, line: name.line})
		case '{':
			child, err := p.parseBlock(false)
			if err != nil {
				return nil, err
			}
			child.name, child.line = name.text, name.line
			n.children = append(n.children, child)
		case 's':
			if br, err := p.next(); err != nil || br.kind != '{' {
				return nil, p.errorf(nt.line, "want '{' after section '%s %s'", name.text, nt.text)
			}
			child, err := p.parseBlock(false)
			if err != nil {
				return nil, err
			}
			child.name, child.title, child.line = name.text, nt.text, name.line
			n.children = append(n.children, child)
		case '(':
			if name.text != "include" {
				return nil, p.errorf(name.line, "'%s(...)': the only function is include", name.text)
			}
			if err := p.include(n, name.line); err != nil {
				return nil, err
			}
		default:
			return nil, p.errorf(nt.line, "want '=' or '{' after '%s'", name.text)
		}
	}
}

// include reads `("file")` and parses that file's options and sections
// into n, as if written in place.
func (p *cfgParser) include(n *cfgNode, line int) error {
	arg, err := p.next()
	if err != nil {
		return err
	}
	if closing, err := p.next(); err != nil || arg.kind != 's' || closing.kind != ')' {
		return p.errorf(line, "want include(\"FILE\")")
	}
	if p.from.Include == nil {
		return p.errorf(line, "include(\"%s\"): includes are not available here", arg.text)
	}
	if p.depth >= maxIncludeDepth {
		return p.errorf(line, "include(\"%s\"): includes nest deeper than %d", arg.text, maxIncludeDepth)
	}
	name, text, err := p.from.Include(arg.text)
	if err != nil {
		return p.errorf(line, "include(\"%s\"): %v", arg.text, err)
	}
	sub := &cfgParser{src: text, line: 1, from: p.from, file: name, depth: p.depth + 1}
	got, err := sub.parseBlock(true)
	if err != nil {
		return err
	}
	n.opts = append(n.opts, got.opts...)
	n.children = append(n.children, got.children...)
	return nil
}

func (p *cfgParser) parseValue() ([]string, error) {
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	if t.kind == 's' {
		return []string{t.text}, nil
	}
	if t.kind != '{' {
		return nil, p.errorf(t.line, "want a value")
	}
	var vals []string
	for {
		t, err := p.next()
		if err != nil {
			return nil, err
		}
		if t.kind == '}' {
			return vals, nil
		}
		if t.kind != 's' {
			return nil, p.errorf(t.line, "want a list element")
		}
		vals = append(vals, t.text)
		sep, err := p.peek()
		if err != nil {
			return nil, err
		}
		if sep.kind == ',' {
			p.next()
		}
	}
}
