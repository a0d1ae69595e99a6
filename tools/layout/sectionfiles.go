package layout

// SectionFile is a file binman writes beside the image: a section's data
// (as the section holds it: no padding, compressed if the section is)
// under the section's "filename".
type SectionFile struct {
	Name string
	Data []byte
}

// SectionFiles lists the sections below the image that name a file, in
// description order, with their final data.
func (img *Image) SectionFiles() ([]SectionFile, error) {
	var out []SectionFile
	var err error
	img.Walk(func(e Entry, depth int) {
		s, ok := e.(*Section)
		if !ok || depth == 0 || err != nil || s.node == nil || s.node.Filename == "" {
			return
		}
		if s.absent && s.optional {
			return
		}
		var c content
		if c, err = s.buildContents(true); err != nil {
			return
		}
		var data []byte
		if data, err = c.render(); err == nil {
			out = append(out, SectionFile{Name: s.node.Filename, Data: data})
		}
	})
	return out, err
}
