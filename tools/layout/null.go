package layout

import (
	"fmt"
	"sync"
)

// entryTypes are entry types kept in files of their own, each registering
// its constructor from a function registerEntryTypes calls (newEntry's
// switch keeps the original ones).
var entryTypes map[string]func(n *Node, path string) (Entry, error)

var entryTypesOnce sync.Once

// registerEntryTypes fills entryTypes, once, when the first section is
// read: fwtool runs every package's initialisation for every command, so
// a table filled at start-up is paid by `fwtool mkenvimage -V` as much as
// by a build (benchmarks/README.md, start-up). The files register in
// file-name order, as their init functions did.
func registerEntryTypes() {
	entryTypesOnce.Do(func() {
		entryTypes = map[string]func(n *Node, path string) (Entry, error){}
		registerBlobextlist()
		registerCapsule()
		registerCbfs()
		registerCollection()
		registerCollection2()
		registerFmap()
		registerImx8m()
		registerIntelfit()
		registerMkimage()
		registerNull()
		registerNull2()
		registerNxpddrfw()
		registerRcar4()
		registerTeeos()
		registerTesting()
		registerUbootenv()
	})
}

func registerNull() {
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

func registerNull2() {
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
