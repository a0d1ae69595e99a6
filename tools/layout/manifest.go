package layout

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// ManifestVersion is the only manifest version this package reads.
const ManifestVersion = 1

// Manifest is the JSON document `fwtool build --manifest` consumes. The
// Starlark rules write it; MANIFEST.md documents every field.
type Manifest struct {
	Version int `json:"version"`
	// AllowMissing turns a missing external blob into zero contents of its
	// assumed size plus a warning, instead of an error (binman -M).
	AllowMissing bool `json:"allow_missing,omitempty"`
	// UpdateFDT records offset/size/image-pos in the fdtmap, as binman -u
	// does. Nil means true: an fdtmap without positions cannot be listed.
	UpdateFDT *bool `json:"update_fdt,omitempty"`
	Image     Node  `json:"image"`
}

// Node is one entry of the description: the image, a section or a leaf.
// Field names follow binman's properties with '-' spelt '_'.
type Node struct {
	// Name is the node name (binman's subnode name); for the image it is
	// the image name used in the map ("image" unless several images).
	Name string `json:"name"`
	// Label is the Bazel target that declared the node, when a rule wrote
	// the manifest: errors then name it instead of binman's node path.
	Label string `json:"label,omitempty"`
	// Type is the entry type: blob, blob-ext, fill, text, section, fdtmap,
	// image-header ('_' and '-' are the same). Empty means "section" for
	// the image; for an entry, the type named by the node name if it is
	// one of these (as binman does), else "blob".
	Type string `json:"type,omitempty"`
	// NodePath is the device-tree path of the image node, used in error
	// messages and the fdtmap ("/binman" by default). Only for the image.
	NodePath string `json:"node_path,omitempty"`
	// ImageNode is the image node name the fdtmap records ("image-node");
	// default: the last component of NodePath. Only for the image.
	ImageNode string `json:"image_node,omitempty"`

	Offset     *Num   `json:"offset,omitempty"`
	Size       *Num   `json:"size,omitempty"`
	MinSize    Num    `json:"min_size,omitempty"`
	Align      Num    `json:"align,omitempty"`
	AlignSize  Num    `json:"align_size,omitempty"`
	AlignEnd   Num    `json:"align_end,omitempty"`
	PadBefore  Num    `json:"pad_before,omitempty"`
	PadAfter   Num    `json:"pad_after,omitempty"`
	ExtendSize bool   `json:"extend_size,omitempty"`
	Overlap    bool   `json:"overlap,omitempty"`
	Optional   bool   `json:"optional,omitempty"`
	Compress   string `json:"compress,omitempty"`
	// Prepend "length": binman's blob_dtb header (32-bit LE length of the
	// data, after any compression).
	Prepend string `json:"prepend,omitempty"`
	// Hash is the algorithm of binman's hash subnode: sha256, sha1,
	// sha512 or crc32. The digest lands in the fdtmap as hash/value.
	Hash string `json:"hash,omitempty"`
	// HashAfter is how many of the entry's subnodes come before its hash
	// node in the fdtmap (binman keeps the description's node order: a
	// hash written after a section's entries, or under an expanded u-boot,
	// follows them). 0 puts the hash first.
	HashAfter  Num    `json:"hash_after,omitempty"`
	MissingMsg string `json:"missing_msg,omitempty"`

	// blob
	Path       string `json:"path,omitempty"`
	External   bool   `json:"external,omitempty"`
	AssumeSize Num    `json:"assume_size,omitempty"`

	// fill
	FillByte Num `json:"fill_byte,omitempty"`

	// text
	Text string `json:"text,omitempty"`

	// image_header
	Location string `json:"location,omitempty"`

	// section and image
	Entries      []Node `json:"entries,omitempty"`
	PadByte      Num    `json:"pad_byte,omitempty"`
	SortByOffset bool   `json:"sort_by_offset,omitempty"`
	SkipAtStart  *Num   `json:"skip_at_start,omitempty"`
	EndAt4GB     bool   `json:"end_at_4gb,omitempty"`
	AlignDefault Num    `json:"align_default,omitempty"`
	NamePrefix   string `json:"name_prefix,omitempty"`
	ReadOnly     bool   `json:"read_only,omitempty"`

	// fit (binman's fit entry; see fit.go)
	Fit *FitSpec `json:"fit,omitempty"`
	// atf-fip (binman's atf-fip entry; see fip.go)
	FIP *FipSpec `json:"fip,omitempty"`
	// efi-capsule, efi-empty-capsule (see capsule.go)
	Capsule *CapsuleSpec `json:"capsule,omitempty"`
	// cbfs (binman's cbfs entry; see cbfs.go)
	Cbfs *CbfsSpec `json:"cbfs,omitempty"`
	// mkimage, legacy image types (see mkimage.go)
	Mkimage *MkimageSpec `json:"mkimage,omitempty"`
	// renesas-rcar4-sa0 (see rcar4.go)
	Rcar4 *Rcar4Spec `json:"rcar4_sa0,omitempty"`

	// collection: paths below the image of the entries whose data it joins
	Collection []string `json:"collection,omitempty"`
	// blob-ext-list: the files whose data it joins, in order
	Paths []string `json:"paths,omitempty"`

	// Filename is the image's file name; on a section below the image it
	// is binman's extra copy of the section's data (Image.SectionFiles),
	// which `fwtool build -d` writes beside the image.
	Filename string `json:"filename,omitempty"`
	// image only
	AllowRepack bool `json:"allow_repack,omitempty"`
	// Symlink names a symbolic link to the image, made next to it.
	Symlink string `json:"symlink,omitempty"`

	// Props are the node's properties as the original description spelt
	// them (name + raw big-endian bytes as hex), copied verbatim into the
	// fdtmap so ours equals binman's. When nil, the fdtmap gets the
	// properties binman would have for an equivalent description.
	Props []Prop `json:"props,omitempty"`
	// Symbols is owned by the ELF symbol patcher (binman_sym); the engine
	// keeps it for the AfterPack hook and otherwise ignores it.
	Symbols json.RawMessage `json:"symbols,omitempty"`

	// stored, set only when repacking an existing image, is a compressed
	// blob's data as found in the image: kept as is (with its recorded
	// uncompressed size) instead of being compressed again, as binman's
	// repack keeps it.
	stored *storedData
}

type storedData struct {
	raw        []byte
	uncompSize uint64
}

// MarshalJSON writes the node with "props": [] when Props is empty but
// given: omitempty would drop it, and ParseManifest would then read "no
// properties given" and synthesize some, so the fdtmap would change.
func (n Node) MarshalJSON() ([]byte, error) {
	type plain Node // no methods: no recursion
	b, err := json.Marshal(plain(n))
	if err != nil || n.Props == nil || len(n.Props) > 0 {
		return b, err
	}
	// b ends in '}' and holds at least "name".
	return append(append(b[:len(b)-1], `,"props":[]`...), '}'), nil
}

// Prop is one raw device-tree property.
type Prop struct {
	Name  string `json:"name"`
	Value Hex    `json:"value"`
}

// Hex is a byte string written as lowercase hex in JSON.
type Hex []byte

func (h Hex) MarshalJSON() ([]byte, error) { return json.Marshal(hex.EncodeToString(h)) }

func (h *Hex) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("expected a hex string, got %s", b)
	}
	v, err := hex.DecodeString(s)
	if err != nil {
		return fmt.Errorf("bad hex string %q", s)
	}
	*h = v
	return nil
}

// Num is an unsigned integer written either as a JSON number or as a
// string in Go syntax ("0x1000", "4096"), so hand-written manifests can use
// hex like binman descriptions do.
type Num uint64

func (n *Num) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return fmt.Errorf("bad number %s", b)
	}
	*n = Num(v)
	return nil
}

// ParseManifest decodes and checks a manifest. Unknown fields are errors,
// so a misspelt property never silently does nothing.
func ParseManifest(data []byte) (*Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("manifest: trailing data after the JSON object")
	}
	if err := m.normalize(); err != nil {
		return nil, err
	}
	return &m, nil
}

// normalize checks the version and names and fills in defaults (image
// name and node path, entry types). Build calls it too, so manifests made
// in Go (the binman description importer) get the same treatment.
func (m *Manifest) normalize() error {
	if m.Version != ManifestVersion {
		return fmt.Errorf("manifest: version %d not supported (want %d)", m.Version, ManifestVersion)
	}
	if m.Image.Type == "" {
		m.Image.Type = "section"
	}
	if m.Image.Type != "section" {
		return fmt.Errorf("manifest: image type must be 'section', not '%s'", m.Image.Type)
	}
	if m.Image.Name == "" {
		m.Image.Name = "image"
	}
	if m.Image.NodePath == "" {
		m.Image.NodePath = "/binman"
	}
	return checkNames(&m.Image, m.Image.NodePath, 0)
}

// MaxDepth bounds section nesting, as the DTB reader and DTS parser bound
// node nesting: packing, fdtmap and map output all recurse.
const MaxDepth = 512

func checkNames(n *Node, path string, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("Node '%s': sections nested too deep (more than %d levels)", path, MaxDepth)
	}
	seen := map[string]bool{}
	for i := range n.Entries {
		c := &n.Entries[i]
		if c.Name == "" || strings.ContainsAny(c.Name, "/\x00") {
			return fmt.Errorf("Node '%s': entry %d has invalid name '%s'", path, i, c.Name)
		}
		if seen[c.Name] {
			return fmt.Errorf("Node '%s': duplicate entry name '%s'", path, c.Name)
		}
		seen[c.Name] = true
		if c.Type == "" {
			c.Type = defaultType(c.Name)
		}
		if err := checkNames(c, strings.TrimSuffix(path, "/")+"/"+c.Name, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// defaultType is binman's rule that a node without a type property has
// the type named by the node (without any @unit suffix), narrowed to the
// types we implement: any other name is a blob.
func defaultType(name string) string {
	t := strings.SplitN(name, "@", 2)[0]
	switch t {
	case "blob", "blob-ext", "fill", "text", "section", "fdtmap", "image-header", "image_header":
		return t
	}
	return "blob"
}

// UpdatesFDT reports whether the fdtmap records positions.
func (m *Manifest) UpdatesFDT() bool { return m.UpdateFDT == nil || *m.UpdateFDT }
