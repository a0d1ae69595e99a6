package layout

import (
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/uimage"
)

// MkimageSpec is binman's mkimage entry for mkimage's legacy image types:
// a 64-byte uImage header over the children's data (tools/uimage), the
// data as one file or, with MultipleDataFiles, one file per child (the
// types with a size table, script and multi, list each file).
type MkimageSpec struct {
	OS                uint8  `json:"os"`
	Arch              uint8  `json:"arch"`
	Type              uint8  `json:"image_type"`
	Comp              uint8  `json:"comp"`
	Load              uint32 `json:"load,omitempty"`
	Entry             uint32 `json:"entry,omitempty"`
	Name              string `json:"image_name,omitempty"`
	MultipleDataFiles bool   `json:"multiple_data_files,omitempty"`
	// Imagename: the description has an imagename node, which binman
	// leaves unplaced, so the entry and its children get no image
	// positions (binman's SetImagePos gives up).
	Imagename bool `json:"imagename,omitempty"`
	// Imx8m is the nxp-imx8mimage entry's description (imx8m.go), which
	// runs mkimage -T imx8mimage instead of a legacy type.
	Imx8m *Imx8mSpec `json:"imx8m,omitempty"`
}

func registerMkimage() { entryTypes["mkimage"] = newMkimage }

func newMkimage(n *Node, path string) (Entry, error) {
	if n.Mkimage == nil {
		return nil, fmt.Errorf("Node '%s': 'mkimage' entry has no image description", path)
	}
	spec := *n.Mkimage
	if !uimage.IsLegacy(spec.Type) {
		return nil, fmt.Errorf("Node '%s': mkimage image type %d is not a legacy type", path, spec.Type)
	}
	if len(spec.Name) > uimage.NameLen {
		return nil, fmt.Errorf("Node '%s': image name '%s' is longer than %d bytes", path, spec.Name, uimage.NameLen)
	}
	s := &Section{noCheck: true, noImagePos: spec.Imagename}
	s.gen = func(s *Section, final bool) (content, error) { return buildMkimage(s, spec, final) }
	return s, nil
}

// buildMkimage runs mkimage's legacy path; the children are then placed as
// binman's Entry_mkimage.SetImagePos places them: one after another from
// 0x48 (the header and a one-file size table), whatever the type.
func buildMkimage(s *Section, spec MkimageSpec, final bool) (content, error) {
	var files [][]byte
	var joined []byte
	for _, e := range s.entries {
		c := e.b().contents
		if sec, ok := e.(*Section); ok && final {
			var err error
			if c, err = sec.buildContents(true); err != nil {
				return content{}, err
			}
		}
		raw, err := c.render()
		if err != nil {
			return content{}, err
		}
		files = append(files, raw)
		joined = append(joined, raw...)
	}
	if !spec.MultipleDataFiles {
		files = [][]byte{joined}
	}
	payload := joined
	if uimage.HasSizeTable(spec.Type) {
		var err error
		if payload, err = uimage.MultiPayload(files); err != nil {
			return content{}, s.errorf("%v", err)
		}
	}
	h := uimage.Header{OS: spec.OS, Arch: spec.Arch, Type: spec.Type, Comp: spec.Comp, Load: spec.Load, Entry: spec.Entry, Name: spec.Name, Time: s.image.timestamp}
	out, err := uimage.Build(h, payload)
	if err != nil {
		return content{}, s.errorf("%v", err)
	}
	at := uint64(0x48)
	for _, e := range s.entries {
		b := e.b()
		b.offset, b.offsetSet = at, true
		at += b.size
	}
	return bytesContent(out), nil
}
