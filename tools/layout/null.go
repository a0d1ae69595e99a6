package layout

import "fmt"

// entryTypes are entry types kept in files of their own, each registering
// its constructor from init (newEntry's switch keeps the original ones).
var entryTypes = map[string]func(n *Node, path string) (Entry, error){}

func init() {
	entryTypes["null"] = func(n *Node, path string) (Entry, error) {
		if n.Size == nil {
			return nil, fmt.Errorf("Node '%s': 'null' entry is missing properties: size", path)
		}
		return &Null{}, nil
	}
}

// Null is binman's null entry: no contents of its own. Its space holds
// the parent section's pad byte, and as an overlap entry it leaves what
// is already there untouched.
type Null struct {
	leaf
}

func (e *Null) obtain() error {
	e.setContents(sourceContent(fill{e.parent.padByte, e.size}))
	return nil
}

func init() {
	entryTypes["encrypted"] = func(n *Node, path string) (Entry, error) { return &Encrypted{}, nil }
}

// Encrypted is binman's encrypted entry: no data of its own. What it
// does (a "cipher" node next to it in the description, which a FIT copies
// into its image node) is done when the description is read.
type Encrypted struct {
	leaf
}

func (e *Encrypted) obtain() error {
	e.setContents(bytesContent(nil))
	return nil
}
