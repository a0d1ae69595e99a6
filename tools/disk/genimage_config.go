package disk

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
)

// GenimageImage is one `image NAME { hdimage {...} partition ... }` section
// of a genimage config, turned into a manifest. Partition image paths are
// already resolved against the input path.
type GenimageImage struct {
	Name     string // output file name, relative to the output path
	Manifest *Manifest
}

// ParseGenimageConfig reads the hdimage images of a genimage config (the
// libconfuse syntax genimage uses). Images of other types may be declared
// only as `file` images (to give an input's holes); anything genimage would
// have to build itself is an error naming it. seed, if empty, becomes each
// image's name.
func ParseGenimageConfig(src, inputPath, seed string) ([]GenimageImage, error) {
	p := &cfgParser{src: src, line: 1}
	root, err := p.parseBlock(true)
	if err != nil {
		return nil, err
	}
	files := map[string]*cfgNode{}
	var hd []*cfgNode
	for _, n := range root.children {
		switch n.name {
		case "image":
			handler := imageHandler(n)
			switch {
			case handler == nil:
				return nil, fmt.Errorf("genimage config line %d: image '%s' has no type section (hdimage, file, ...)", n.line, n.title)
			case handler.name == "hdimage":
				hd = append(hd, n)
			case handler.name == "file":
				files[n.title] = n
			default:
				files[n.title] = n // reported when a partition uses it
			}
		case "config", "flash":
			// Paths come from the command line; flash types are for
			// flash images, not disks.
		default:
			return nil, fmt.Errorf("genimage config line %d: unsupported top-level section '%s'", n.line, n.name)
		}
	}
	var out []GenimageImage
	for _, n := range hd {
		m, err := hdimageManifest(n, files, inputPath, seed)
		if err != nil {
			return nil, fmt.Errorf("genimage config: image '%s': %v", n.title, err)
		}
		out = append(out, GenimageImage{Name: n.title, Manifest: m})
	}
	return out, nil
}

var imageTypes = map[string]bool{"android-sparse": true, "btrfs": true, "cpio": true, "cramfs": true, "custom": true,
	"erofs": true, "ext2": true, "ext3": true, "ext4": true, "f2fs": true, "file": true, "fip": true, "FIT": true,
	"flash": true, "hdimage": true, "iso": true, "jffs2": true, "mdraid": true, "qemu": true, "rauc": true,
	"squashfs": true, "tar": true, "ubi": true, "ubifs": true, "verity": true, "vfat": true}

func imageHandler(n *cfgNode) *cfgNode {
	for _, c := range n.children {
		if imageTypes[c.name] {
			return c
		}
	}
	return nil
}

func hdimageManifest(n *cfgNode, files map[string]*cfgNode, inputPath, seed string) (*Manifest, error) {
	if seed == "" {
		seed = n.title
	}
	m := &Manifest{Version: ManifestVersion, Seed: seed}
	var err error
	for _, o := range n.opts {
		switch o.key {
		case "size":
			err = setSize(o, &m.Size)
		case "name", "mountpoint", "srcpath", "exec-pre", "exec-post", "flashtype":
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
				return nil, fmt.Errorf("line %d: disk-signature \"random\" would make the image irreproducible; give a value", o.line)
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
	if tt, err := parseTableType(m.PartitionTable); err == nil && tt&TableMBR == 0 && *m.DiskSignature == 0 {
		m.DiskSignature = nil // only valid on mbr and hybrid tables
	}
	for _, c := range n.children {
		if c.name != "partition" {
			continue
		}
		part, err := genimagePartition(c, files, inputPath)
		if err != nil {
			return nil, err
		}
		m.Partitions = append(m.Partitions, part)
	}
	return m, nil
}

func genimagePartition(c *cfgNode, files map[string]*cfgNode, inputPath string) (Partition, error) {
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
		default:
			return part, fmt.Errorf("line %d: unknown partition option '%s'", o.line, o.key)
		}
		if err != nil {
			return part, fmt.Errorf("partition '%s': %v", c.title, err)
		}
	}
	if part.Image != "" {
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
}

func (p *cfgParser) errorf(line int, format string, args ...interface{}) error {
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
		return cfgToken{kind: 's', text: b.String(), line: line}, nil
	}
	start := p.pos
	for p.pos < len(p.src) {
		ch := rune(p.src[p.pos])
		if unicode.IsSpace(ch) || strings.ContainsRune("={}(),\"'#", ch) {
			break
		}
		p.pos++
	}
	if p.pos == start {
		return cfgToken{}, p.errorf(line, "unexpected character %q", c)
	}
	return cfgToken{kind: 's', text: p.src[start:p.pos], line: line}, nil
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
			return nil, p.errorf(name.line, "'%s(...)' (include and other functions) is not supported", name.text)
		default:
			return nil, p.errorf(nt.line, "want '=' or '{' after '%s'", name.text)
		}
	}
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
