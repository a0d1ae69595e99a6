package fdtmap

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Decompressor undoes an entry's compression ("lz4", "gzip", ...).
type Decompressor func(algo string, data []byte) ([]byte, error)

// ReadEntry returns an entry's data from the image as binman's ReadData
// does: the image is the whole file; an entry with an image position is
// read from there; an entry inside a compressed section is cut from its
// parent's decompressed data. With decomp set, compressed entries are
// decompressed.
func (m *Map) ReadEntry(r io.ReaderAt, size int64, e *Entry, decomp Decompressor) ([]byte, error) {
	data, err := m.ReadStored(r, size, e, decomp)
	if err != nil {
		return nil, err
	}
	if decomp != nil && e.Compress != "none" && e.Parent != nil {
		// The stored region may carry padding after the compressed
		// stream; decompressors stop at the end of the stream.
		out, err := decomp(e.Compress, data)
		if err != nil {
			return nil, fmt.Errorf("entry '%s': cannot decompress %s data: %v", e.Path, e.Compress, err)
		}
		data = out
	}
	return data, nil
}

// ReadStored returns an entry's data as stored (still compressed if the
// entry is), with the sections around it decompressed by decomp, so a
// caller can stream the entry's own decompression to its output.
func (m *Map) ReadStored(r io.ReaderAt, size int64, e *Entry, decomp Decompressor) ([]byte, error) {
	var data []byte
	if e.Parent != nil && (!e.HasOffset || !e.HasSize) {
		// An image built without binman -u has an fdtmap that lists
		// entries but records no offsets or sizes: nothing to cut out.
		return nil, fmt.Errorf("Entry '%s': the fdtmap records no offset and size for it (image built without -u?); cannot read its data", e.Path)
	}
	switch {
	case e.Parent == nil:
		data = make([]byte, size)
		if _, err := r.ReadAt(data, 0); err != nil && err != io.EOF {
			return nil, err
		}
	case e.filePosOK():
		pos, err := e.Extent(size)
		if err != nil {
			return nil, err
		}
		data = make([]byte, e.Size)
		if _, err := r.ReadAt(data, int64(pos)); err != nil {
			return nil, err
		}
	default:
		pd, err := m.ReadEntry(r, size, e.Parent, decomp)
		if err != nil {
			return nil, err
		}
		skip, _ := u32(e.Parent.Node, "skip-at-start")
		off := e.Offset - skip
		if e.Offset < skip || off+e.Size > uint64(len(pd)) {
			return nil, fmt.Errorf("entry '%s' offset %#x (%d) size %#x (%d) lies outside its section", e.Path, e.Offset, e.Offset, e.Size, e.Size)
		}
		data = pd[off : off+e.Size]
	}
	return data, nil
}

// FilePos is the entry's position in the image file: its offset less its
// section's skip-at-start, plus the section's position, up to the image.
// Unlike image-pos it is right for end-at-4gb images. ok is false inside a
// compressed section or when an offset is not recorded.
func (e *Entry) FilePos() (pos uint64, ok bool) {
	if e.Parent == nil {
		return 0, true
	}
	if !e.HasOffset || e.Parent.Compress != "none" {
		return 0, false
	}
	base, ok := e.Parent.FilePos()
	if !ok {
		return 0, false
	}
	skip, _ := u32(e.Parent.Node, "skip-at-start")
	if e.Offset < skip {
		return 0, false
	}
	return base + e.Offset - skip, true
}

// Extent checks that the entry lies inside an image file of size bytes
// (no cell, nor the sum of its section's positions, reaching past the
// end) and returns its position in the file. Entries inside a compressed
// section have no position in the file and fail.
func (e *Entry) Extent(size int64) (uint64, error) {
	if size < 0 {
		return 0, fmt.Errorf("entry '%s': negative image size", e.Path)
	}
	// Each level's position is checked against the file as FilePos adds
	// them up, so a huge cell cannot wrap the sum around into the file.
	for a := e; a != nil && a.Parent != nil; a = a.Parent {
		p, ok := a.FilePos()
		if ok && p > uint64(size) {
			return 0, fmt.Errorf("entry '%s' at %#x (%d) starts past the image end %#x (%d)", a.Path, p, p, size, size)
		}
		if ok && a.Parent.Parent != nil {
			if b, _ := a.Parent.FilePos(); p < b {
				return 0, fmt.Errorf("entry '%s' offset %#x (%d) wraps around the image", a.Path, a.Offset, a.Offset)
			}
		}
	}
	pos, ok := e.FilePos()
	if !ok {
		return 0, fmt.Errorf("entry '%s' has no position in the image file (inside a compressed section, or no offset recorded)", e.Path)
	}
	if pos > uint64(size) || e.Size > uint64(size)-pos {
		return 0, fmt.Errorf("entry '%s' at %#x (%d) size %#x (%d) runs past the image end %#x (%d)", e.Path, pos, pos, e.Size, e.Size, size, size)
	}
	return pos, nil
}

func (e *Entry) filePosOK() bool {
	_, ok := e.FilePos()
	return ok
}

// Find returns the entry at a slash-separated path ("section/u-boot"),
// with binman's error when a part is missing.
func (m *Map) Find(path string) (*Entry, error) {
	cur := m.Root
	parent := "/"
	for _, part := range strings.Split(path, "/") {
		var next *Entry
		for _, c := range cur.Children {
			if c.Name == part {
				next = c
				break
			}
		}
		if next == nil {
			return nil, fmt.Errorf("Entry '%s' not found in '%s'", part, parent)
		}
		parent = "/" + next.Path
		cur = next
	}
	return cur, nil
}

// Select returns the entries binman's ls/extract pick for the patterns:
// all entries if none are given, else every entry whose path matches a
// pattern (shell wildcards, '*' also matching '/'), with its descendants.
func (m *Map) Select(patterns []string) ([]*Entry, []int, error) {
	var res []*regexp.Regexp
	for _, p := range patterns {
		re, err := Wildcard(p)
		if err != nil {
			return nil, nil, err
		}
		res = append(res, re)
	}
	var out []*Entry
	var indents []int
	const none = 1 << 30
	minIndent := none
	m.Root.Walk(func(e *Entry, indent int) {
		if len(res) > 0 && indent <= minIndent {
			matched := false
			for _, re := range res {
				if re.MatchString(e.Path) {
					matched = true
					break
				}
			}
			if !matched {
				minIndent = none
				return
			}
			minIndent = indent
		}
		out = append(out, e)
		indents = append(indents, indent)
	})
	return out, indents, nil
}

// Wildcard compiles a Python fnmatch pattern: '*' and '?' match any
// character including '/', '[...]' is a character class.
func Wildcard(p string) (*regexp.Regexp, error) {
	var sb strings.Builder
	sb.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			sb.WriteString(".*")
		case '?':
			sb.WriteString(".")
		case '[':
			j := strings.IndexByte(p[i+1:], ']')
			if j < 0 {
				sb.WriteString(`\[`)
				continue
			}
			class := p[i+1 : i+1+j]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			sb.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += j + 1
		default:
			sb.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	sb.WriteString("$")
	re, err := regexp.Compile(sb.String())
	if err != nil {
		return nil, fmt.Errorf("bad pattern %q: %v", p, err)
	}
	return re, nil
}

// List writes binman's `ls` table for the selected entries.
func (m *Map) List(w io.Writer, patterns []string) error {
	entries, indents, err := m.Select(patterns)
	if err != nil {
		return err
	}
	rows := [][]string{{"Name", "Image-pos", "Size", "Entry-type", "Offset", "Uncomp-size"}}
	hexOr := func(v uint64, ok bool) string {
		if !ok {
			return ""
		}
		return fmt.Sprintf(">%x", v)
	}
	for i, e := range entries {
		// binman lists no uncompressed size for sections, compressed or not.
		hasUncomp := e.HasUncompSize && len(e.Children) == 0
		// binman shows an entry's name with its section's name-prefix
		// (paths keep the node names).
		name := e.Name
		if e.Parent != nil && e.Parent.Node != nil {
			if prefix, ok := e.Parent.Node.PropString("name-prefix"); ok {
				name = prefix + name
			}
		}
		rows = append(rows, []string{strings.Repeat("  ", indents[i]) + name,
			hexOr(e.ImagePos, e.HasImagePos), hexOr(e.Size, e.HasSize), e.Type,
			hexOr(e.Offset, e.HasOffset), hexOr(e.UncompSize, hasUncomp)})
	}
	widths := make([]int, 6)
	for _, r := range rows {
		for i, c := range r {
			// Like binman, the width counts the '>' right-align marker.
			if l := len(c); l > widths[i] {
				widths[i] = l
			}
		}
	}
	total := 0
	for _, wd := range widths {
		total += wd + 2
	}
	for n, r := range rows {
		if n == 1 {
			fmt.Fprintln(w, strings.Repeat("-", total))
		}
		var line strings.Builder
		for i, c := range r {
			if strings.HasPrefix(c, ">") {
				fmt.Fprintf(&line, "%*s  ", widths[i], c[1:])
			} else {
				fmt.Fprintf(&line, "%-*s  ", widths[i], c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(line.String(), " "))
	}
	return nil
}
