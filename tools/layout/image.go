// Package layout packs firmware images the way U-Boot's binman does:
// entries (blobs, fills, text, sections, fdtmap, image header) are placed
// by offset, alignment, padding and size rules, checked, and written in one
// streaming pass. The description is a versioned JSON manifest (see
// MANIFEST.md); outputs are the image, binman's .map file and an SVG
// picture of the layout.
package layout

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// maxPasses bounds packing when entries change size after packing, as
// binman's ProcessImage does.
const maxPasses = 5

// Image is the top-level section plus image-wide settings.
type Image struct {
	Section
	filename     string
	allowMissing bool
	allowRepack  bool
	updateFDT    bool
	timestamp    uint32
	byBase       map[*base]Entry
	// digests of input-file regions, computed while packing (hashprefetch.go)
	digests     map[digestKey]*pendingDigest
	digestsDone chan struct{} // closed when every digest is computed
	// early holds the blobs copied to Options.Output during the first
	// packing pass (earlywrite.go); placing is true during that pass.
	early   *earlyWriter
	placing bool
	// Warnings collects non-fatal problems (missing external blobs).
	Warnings []string
}

// Options tune a build beyond the manifest.
type Options struct {
	// AllowMissing overrides the manifest's allow_missing when true.
	AllowMissing bool
	// AfterPack runs after every packing pass, once positions are known
	// and before position-dependent contents are refreshed; the ELF symbol
	// patcher uses it to write binman symbols (see SetPatch).
	AfterPack func(img *Image) error
	// Timestamp goes into FIT and uImage headers where mkimage writes the
	// time (its SOURCE_DATE_EPOCH, else the clock; a hermetic build
	// passes 0 or the caller's SOURCE_DATE_EPOCH).
	Timestamp uint32
	// Output, when set, is the empty file the image will be written to
	// with WriteFile: Build may copy blobs into it while it packs
	// (earlywrite.go).
	Output *os.File
}

// Filename is the image's output file name (binman's "<name>.bin" unless
// the description says otherwise).
func (img *Image) Filename() string { return img.filename }

// Build reads the manifest into entries, obtains their contents and packs
// them until no entry changes size. The image is then ready for WriteImage,
// WriteMap and WriteSVG.
func Build(m *Manifest, opts Options) (*Image, error) {
	if err := m.normalize(); err != nil {
		return nil, err
	}
	img := &Image{
		allowMissing: m.AllowMissing || opts.AllowMissing,
		allowRepack:  m.Image.AllowRepack,
		updateFDT:    m.UpdatesFDT(),
		timestamp:    opts.Timestamp,
		byBase:       map[*base]Entry{},
	}
	img.filename = m.Image.Filename
	if img.filename == "" {
		img.filename = m.Image.Name + ".bin"
	}
	if err := img.readCommon(&m.Image, nil, img, m.Image.NodePath, "section"); err != nil {
		return nil, err
	}
	img.name = m.Image.Name
	img.byBase[&img.base] = &img.Section
	if err := img.readSection(&m.Image, img); err != nil {
		return nil, err
	}
	if err := img.obtain(); err != nil {
		return nil, err
	}
	img.collectMissing()
	if opts.Output != nil {
		img.early = newEarlyWriter(opts.Output)
		defer img.early.done() // never leave a digest worker waiting
	}
	img.startDigests()
	if err := img.applyEntryOffsets(); err != nil {
		return nil, err
	}
	for pass := 0; ; pass++ {
		if pass == maxPasses {
			return nil, fmt.Errorf("Image '%s': Entries changed size after packing (tried %d passes)", img.path, maxPasses)
		}
		img.placing = pass == 0 && img.early != nil
		_, err := img.pack(0)
		img.placing = false
		if err != nil {
			return nil, err
		}
		setImagePos(&img.Section, 0)
		if err := img.computeHashes(&img.Section); err != nil {
			return nil, err
		}
		if opts.AfterPack != nil {
			if err := opts.AfterPack(img); err != nil {
				return nil, err
			}
		}
		ok, err := img.process()
		if err != nil {
			return nil, err
		}
		if ok {
			break
		}
		img.resetAll()
	}
	return img, nil
}

// newEntry makes the Go type for a manifest node.
func newEntry(n *Node, parent *Section, img *Image, path string) (Entry, error) {
	etype := strings.ReplaceAll(n.Type, "_", "-")
	if strings.HasPrefix(n.Type, "_") {
		etype = n.Type // binman's test-only types keep their name (_testing)
	}
	var e Entry
	switch etype {
	case "blob", "blob-ext":
		e = &Blob{filePath: n.Path, external: n.External || etype == "blob-ext", assumeSize: uint64(n.AssumeSize)}
	case "fill":
		if n.FillByte > 0xff {
			return nil, fmt.Errorf("Node '%s': fill-byte %s must fit in one byte", path, hx(uint64(n.FillByte)))
		}
		if n.Size == nil {
			return nil, fmt.Errorf("Node '%s': 'fill' entry is missing properties: size", path)
		}
		e = &Fill{value: byte(n.FillByte)}
	case "text":
		e = &Text{text: n.Text}
	case "section":
		e = &Section{}
	case "fit":
		s, err := newFit(n, path)
		if err != nil {
			return nil, err
		}
		e = s
	case "atf-fip":
		s, err := newFip(n, path)
		if err != nil {
			return nil, err
		}
		e = s
	case "fdtmap":
		e = &FdtMap{}
	case "image-header":
		e = &ImageHeader{location: n.Location}
	default:
		mk, ok := entryTypes[etype]
		if !ok {
			return nil, fmt.Errorf("Node '%s': Unknown entry type '%s'", path, n.Type)
		}
		var err error
		if e, err = mk(n, path); err != nil {
			return nil, err
		}
	}
	if err := e.b().readCommon(n, parent, img, path, etype); err != nil {
		return nil, err
	}
	img.byBase[e.b()] = e
	if s, ok := e.(*Section); ok {
		if err := s.readSection(n, img); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// collectMissing records binman's warning for missing external blobs:
// one line naming them all, then each with its missing-msg.
func (img *Image) collectMissing() {
	var names, lines []string
	var optNames, optLines []string
	img.Walk(func(e Entry, depth int) {
		m, ok := e.(interface{ MissingMessage() string })
		if !ok || !e.b().missing {
			return
		}
		b := e.b()
		if b.optional {
			optNames = append(optNames, b.name)
			optLines = append(optLines, m.MissingMessage())
			return
		}
		names = append(names, b.name)
		lines = append(lines, m.MissingMessage())
	})
	if len(names) > 0 {
		img.Warnings = append(img.Warnings, fmt.Sprintf("Image '%s' is missing external blobs and is non-functional: %s", img.name, strings.Join(names, " ")))
		img.Warnings = append(img.Warnings, lines...)
	}
	if len(optNames) > 0 {
		img.Warnings = append(img.Warnings, fmt.Sprintf("Image '%s' is missing optional external blobs but is still functional: %s", img.name, strings.Join(optNames, " ")))
		img.Warnings = append(img.Warnings, optLines...)
	}
}

// Walk visits every entry depth-first (the image itself at depth 0).
func (img *Image) Walk(fn func(e Entry, depth int)) {
	var rec func(e Entry, d int)
	rec = func(e Entry, d int) {
		fn(e, d)
		if s, ok := e.(*Section); ok {
			for _, c := range s.entries {
				rec(c, d+1)
			}
		}
	}
	rec(&img.Section, 0)
}

// Find returns the entry at a slash-separated path below the image
// ("section/u-boot"), or nil.
func (img *Image) Find(p string) Entry {
	var cur Entry = &img.Section
	for _, part := range strings.Split(p, "/") {
		s, ok := cur.(*Section)
		if !ok {
			return nil
		}
		cur = s.sibling(part)
		if cur == nil {
			return nil
		}
	}
	return cur
}

// Size is the image size.
func (img *Image) Size() uint64 { return img.size }

// OutputPath joins dir and the image file name.
func (img *Image) OutputPath(dir string) string { return filepath.Join(dir, img.filename) }
