package layout

import (
	"fmt"
	"os"
)

func registerBlobextlist() {
	entryTypes["blob-ext-list"] = func(n *Node, path string) (Entry, error) {
		if len(n.Paths) == 0 {
			return nil, fmt.Errorf("Node '%s': 'blob-ext-list' entry has no filenames", path)
		}
		return &BlobExtList{paths: n.Paths}, nil
	}
}

// BlobExtList is binman's blob-ext-list entry: external files joined in
// order. When one is missing and missing blobs are allowed, the entry is
// empty and marked missing, as binman does.
type BlobExtList struct {
	leaf
	paths []string
}

func (e *BlobExtList) obtain() error {
	for _, p := range e.paths {
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			if !(e.optional || e.image.allowMissing) {
				return e.errorf("Cannot find file '%s' (blob-ext-list entry '%s' expects it)", p, e.name)
			}
			e.missing = true
			e.setContents(bytesContent(nil))
			return nil
		}
	}
	var data []byte
	for _, p := range e.paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return e.errorf("%v", err)
		}
		data = append(data, b...)
	}
	e.setContents(bytesContent(data))
	return nil
}

// MissingMessage is the line printed when a file of the list is missing.
func (e *BlobExtList) MissingMessage() string {
	msg := e.missingMsg
	if msg == "" {
		msg = "a file of the list was not found"
	}
	return fmt.Sprintf("%s: %s", e.path, msg)
}
