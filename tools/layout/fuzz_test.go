package layout

import (
	"testing"
)

// FuzzParseManifest: any input either parses or is rejected with an error,
// never a panic; a parsed manifest with only inline entries builds or
// fails cleanly.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"version":1,"image":{"entries":[{"name":"t","type":"text","text":"x","align":4}]}}`))
	f.Add([]byte(`{"version":1,"image":{"size":"0x20","pad_byte":255,"entries":[{"name":"f","type":"fill","size":3},{"name":"fdtmap"},{"name":"image-header","location":"end"}]}}`))
	f.Add([]byte(`{"version":1,"image":{"end_at_4gb":true,"size":16,"entries":[{"name":"s","type":"section","compress":"lz4","entries":[{"name":"t","type":"text","text":"ab"}]}]}}`))
	f.Add([]byte(`{"version":1,"image":{"entries":[{"name":"a","type":"text","text":"aa","offset":1,"size":1,"overlap":true}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		if hasBlob(&m.Image) {
			return // blobs name files; stay inside the inputs
		}
		if n := m.Image.Size; n != nil && *n > 1<<20 {
			return
		}
		img, err := Build(m, Options{})
		if err != nil {
			return
		}
		if img.Size() > 1<<20 {
			return
		}
		if _, err := img.Bytes(); err != nil {
			t.Fatalf("built but cannot render: %v", err)
		}
		_ = img.Map()
		_ = img.SVG()
	})
}

func hasBlob(n *Node) bool {
	for i := range n.Entries {
		c := &n.Entries[i]
		if c.Type == "blob" || c.Type == "blob-ext" || hasBlob(c) {
			return true
		}
		if c.Type == "fill" && c.Size != nil && *c.Size > 1<<20 {
			return true
		}
		if c.Offset != nil && *c.Offset > 1<<20 || c.Size != nil && *c.Size > 1<<20 || c.MinSize > 1<<20 || c.PadBefore > 1<<20 || c.PadAfter > 1<<20 || c.Align > 1<<20 || c.AlignSize > 1<<20 || c.AlignEnd > 1<<20 {
			return true
		}
	}
	return false
}
