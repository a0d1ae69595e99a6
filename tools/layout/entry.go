package layout

import (
	"fmt"
)

// Entry is one packed piece of an image. The concrete types (blob, fill,
// text, section, fdtmap, image header) each live in their own file and
// embed *base, which holds the properties every entry shares and binman's
// packing rule for a single entry.
type Entry interface {
	// Exported accessors, for hooks outside the package (symbol patching).
	Name() string
	Path() string
	Type() string
	Offset() uint64
	Size() uint64
	ImagePos() (pos uint64, ok bool)
	UncompSize() uint64
	ContentsSize() uint64
	HashValue() []byte
	Node() *Node
	SetPatch(off uint64, data []byte) error

	b() *base
	// obtain computes the entry's contents (binman's ObtainContents).
	obtain() error
	// pack places the entry at or after offset and returns the offset just
	// past it.
	pack(offset uint64) (uint64, error)
	// process refreshes contents that depend on positions (fdtmap, image
	// header) after packing; false means the size changed and the image
	// must be packed again.
	process() (bool, error)
}

// base holds binman's Entry fields. Offsets are relative to the parent
// section; "set" flags stand in for binman's None.
type base struct {
	node    *Node
	parent  *Section
	image   *Image
	name    string // node name plus any name-prefix of the parent
	path    string // device-tree path, for messages
	etype   string
	props   []Prop // the description's own properties, for the fdtmap
	hasProp bool   // props came from the description (not synthesized)

	origOffset, origSize       uint64
	hasOrigOffset, hasOrigSize bool

	offset    uint64
	offsetSet bool
	size      uint64 // 0 means "not yet known", as binman's falsy size
	imagePos  uint64
	hasPos    bool

	contents     content
	contentsSize uint64
	uncompSize   uint64
	compressed   bool

	minSize, align, alignSize, alignEnd uint64
	padBefore, padAfter                 uint64
	extendSize, overlap, optional       bool
	compress, hashAlgo, missingMsg      string
	hashValue                           []byte

	missing bool // external blob not found
	absent  bool // optional and missing: dropped from the image
}

func (e *base) b() *base { return e }

// Name is the entry name as shown in maps and listings.
func (e *base) Name() string { return e.name }

// Path is the entry's device-tree node path.
func (e *base) Path() string { return e.path }

// Type is binman's entry type name.
func (e *base) Type() string { return e.etype }

// Offset is the entry's offset in its parent section.
func (e *base) Offset() uint64 { return e.offset }

// Size is the packed size, padding included.
func (e *base) Size() uint64 { return e.size }

// ImagePos is the absolute position in the image; ok is false inside a
// compressed section, where binman records no image-pos.
func (e *base) ImagePos() (pos uint64, ok bool) { return e.imagePos, e.hasPos }

// UncompSize is the size before compression, or 0 when not compressed.
func (e *base) UncompSize() uint64 { return e.uncompSize }

// ContentsSize is the size of the entry's data (compressed if
// compressed), without padding.
func (e *base) ContentsSize() uint64 { return e.contentsSize }

// HashValue is the digest of the entry's data from the last packing pass
// (zeros before the first), or nil without a hash.
func (e *base) HashValue() []byte { return append([]byte(nil), e.hashValue...) }

// Node returns the manifest node the entry was made from.
func (e *base) Node() *Node { return e.node }

// errorf formats binman's "Node '<path>': ..." errors ("Image '<path>'"
// for the image itself).
func (e *base) errorf(format string, args ...interface{}) error {
	kind := "Node"
	if e.parent == nil {
		kind = "Image"
	}
	return fmt.Errorf("%s '%s': %s", kind, e.path, fmt.Sprintf(format, args...))
}

func (e *base) setContents(c content) {
	e.contents = c
	e.contentsSize = c.size
}

func notPowerOfTwo(v uint64) bool { return v != 0 && v&(v-1) != 0 }

func alignUp(v, align uint64) uint64 {
	if align == 0 {
		return v
	}
	return (v + align - 1) &^ (align - 1)
}

// hx prints a value the way binman's "%#x (%d)" does.
func hx(v uint64) string { return fmt.Sprintf("%#x (%d)", v, v) }

// readCommon fills the shared fields from the manifest node, with binman's
// checks on the alignment properties.
func (e *base) readCommon(n *Node, parent *Section, img *Image, path, etype string) error {
	e.node, e.parent, e.image, e.path, e.etype = n, parent, img, path, etype
	e.name = n.Name
	if parent != nil {
		e.name = parent.namePrefix + n.Name
	}
	if n.Offset != nil {
		e.origOffset, e.hasOrigOffset = uint64(*n.Offset), true
	}
	if n.Size != nil {
		e.origSize, e.hasOrigSize = uint64(*n.Size), true
	}
	e.minSize = uint64(n.MinSize)
	e.align = uint64(n.Align)
	if notPowerOfTwo(e.align) {
		return e.errorf("Alignment %d must be a power of two", e.align)
	}
	if e.align == 0 && parent != nil {
		e.align = parent.alignDefault
	}
	e.padBefore, e.padAfter = uint64(n.PadBefore), uint64(n.PadAfter)
	e.alignSize = uint64(n.AlignSize)
	if notPowerOfTwo(e.alignSize) {
		return e.errorf("Alignment size %d must be a power of two", e.alignSize)
	}
	e.alignEnd = uint64(n.AlignEnd)
	if notPowerOfTwo(e.alignEnd) {
		return e.errorf("Alignment end %d must be a power of two", e.alignEnd)
	}
	e.extendSize, e.overlap, e.optional = n.ExtendSize, n.Overlap, n.Optional
	if e.overlap && (n.Offset == nil || n.Size == nil) {
		var missing []string
		if n.Offset == nil {
			missing = append(missing, "offset")
		}
		if n.Size == nil {
			missing = append(missing, "size")
		}
		return e.errorf("'%s' entry is missing properties: %s", etype, joinSpace(missing))
	}
	e.compress = n.Compress
	if e.compress == "" {
		e.compress = "none"
	}
	if e.compress != "none" && !binmanCompression(e.compress) {
		// binman checks the name while collecting its tools, with no node
		// in the message.
		return fmt.Errorf("Unknown algorithm '%s'", e.compress)
	}
	if e.compress != "none" && !knownCompression(e.compress) {
		return e.errorf("Unknown algorithm '%s'", e.compress)
	}
	switch n.Hash {
	case "", "sha256", "sha1", "sha512", "crc32":
	default:
		// binman reads the hash node only when it records positions (-u).
		if img.updateFDT {
			return e.errorf("Unknown hash algorithm '%s'", n.Hash)
		}
	}
	e.hashAlgo = n.Hash
	e.hashValue = placeholderHash(n.Hash)
	e.missingMsg = n.MissingMsg
	e.props = n.Props
	e.hasProp = n.Props != nil
	e.resetForPack()
	return nil
}

// binmanCompression are the compression names binman knows.
func binmanCompression(name string) bool {
	switch name {
	case "bzip2", "gzip", "lz4", "lzma", "lzo", "xz", "zstd":
		return true
	}
	return false
}

func joinSpace(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out
}

// resetForPack restores the description's offset and size before a new
// packing pass.
func (e *base) resetForPack() {
	e.offset, e.offsetSet = e.origOffset, e.hasOrigOffset
	e.size = 0
	if e.hasOrigSize {
		e.size = e.origSize
	}
}

// packLeaf is binman's Entry.Pack: place the entry, derive its size from
// contents, padding, min-size and the alignment rules, then check that
// given values agree with the alignments.
func (e *base) packLeaf(offset uint64) (uint64, error) {
	if !e.offsetSet {
		e.offset = alignUp(offset, e.align)
		e.offsetSet = true
	}
	needed := e.padBefore + e.contentsSize + e.padAfter
	if needed < e.minSize {
		needed = e.minSize
	}
	needed = alignUp(needed, e.alignSize)
	size := e.size
	if size == 0 {
		size = needed
	}
	newOffset := e.offset + size
	if aligned := alignUp(newOffset, e.alignEnd); aligned != newOffset {
		size = aligned - e.offset
		newOffset = aligned
	}
	if e.size == 0 {
		e.size = size
	}
	if e.size < needed {
		return 0, e.errorf("Entry contents size is %s but entry size is %s", hx(needed), hx(e.size))
	}
	if e.size != alignUp(e.size, e.alignSize) {
		return 0, e.errorf("Size %s does not match align-size %s", hx(e.size), hx(e.alignSize))
	}
	if e.offset != alignUp(e.offset, e.align) {
		return 0, e.errorf("Offset %s does not match align %s", hx(e.offset), hx(e.align))
	}
	return newOffset, nil
}

// updateContents is binman's ProcessContentsUpdate with entry expansion
// allowed: a bigger content asks for a repack, a smaller one is padded
// with zeros to keep the packed size.
func (e *base) updateContents(c content) bool {
	if c.size > e.contentsSize {
		e.setContents(c)
		return false
	}
	if c.size < e.contentsSize {
		c = c.padTo(e.contentsSize)
	}
	e.setContents(c)
	return true
}

// SetPatch overwrites len(data) bytes of the entry's contents at off
// (relative to the contents, before padding). The ELF symbol patcher calls
// it from Options.AfterPack; the size of the contents never changes.
func (e *base) SetPatch(off uint64, data []byte) error {
	if off+uint64(len(data)) > e.contentsSize {
		return e.errorf("patch at %s of %d bytes lies outside the contents of size %s", hx(off), len(data), hx(e.contentsSize))
	}
	e.contents.addSource(off, literal(append([]byte(nil), data...)))
	return nil
}

// leaf gives blob-like entries default pack and process methods.
type leaf struct{ base }

func (l *leaf) pack(offset uint64) (uint64, error) { return l.packLeaf(offset) }
func (l *leaf) process() (bool, error)             { return true, nil }
