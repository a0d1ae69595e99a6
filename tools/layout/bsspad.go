package layout

import (
	"debug/elf"
	"strings"
)

// binman's u-boot-spl-bss-pad (and -tpl-, -vpl-): zeros covering the
// phase's BSS, as many as the value of the __bss_size symbol of its ELF
// file (spl/u-boot-spl ...), which the node's path names.
func init() {
	for _, phase := range []string{"spl", "tpl", "vpl"} {
		elfName := phase + "/u-boot-" + phase
		entryTypes["u-boot-"+phase+"-bss-pad"] = func(n *Node, path string) (Entry, error) {
			return &BssPad{elfPath: n.Path, elfName: elfName}, nil
		}
	}
}

// BssPad is binman's u-boot-*-bss-pad entry.
type BssPad struct {
	leaf
	elfPath, elfName string
}

func (e *BssPad) obtain() error {
	f, err := elf.Open(e.elfPath)
	if err != nil {
		return e.errorf("%s: %v", e.elfName, err)
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil && !strings.Contains(err.Error(), "no symbol") {
		return e.errorf("%s: %v", e.elfName, err)
	}
	for _, s := range syms {
		if s.Name == "__bss_size" {
			e.setContents(sourceContent(fill{0, s.Value}))
			return nil
		}
	}
	return e.errorf("Expected __bss_size symbol in %s", e.elfName)
}
