package binmandesc

import (
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// binman's pre-load entry: a collection signed into a header (the layout
// engine's PreLoad, which reads algo-name, padding-name, header-size and
// version from the node's properties). The key is key-name below the
// pre-load-key-path entry argument or property, joined as Python's
// os.path.join does and opened from the working directory, as binman
// opens it (not searched in the input directories).
func registerPreload() {
	etypeReaders["pre-load"] = func(c *converter, n *fdt.Node, v *propValues, path, rel string, out *layout.Node, hasPos bool) error {
		if err := readCollection(c, n, v, path, rel, out, hasPos); err != nil {
			return err
		}
		out.Type = "pre-load"
		dir, _ := c.arg(v, "pre-load-key-path")
		name, _ := n.PropString("key-name")
		out.Path = pyJoin(dir, name)
		return nil
	}
}

// pyJoin is os.path.join for two parts.
func pyJoin(dir, name string) string {
	switch {
	case strings.HasPrefix(name, "/"), dir == "":
		return name
	case strings.HasSuffix(dir, "/"):
		return dir + name
	}
	return dir + "/" + name
}
