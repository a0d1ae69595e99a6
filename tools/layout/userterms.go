package layout

import (
	"errors"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/lazyre"
)

// binmanNodeRef matches how errors name a node: binman's "Node '/binman/x'"
// (also "Image '...'" and "Section '...'"), or a bare quoted node path as in
// "overlaps with previous entry '/binman/spl'".
var binmanNodeRef = &lazyre.Regexp{Expr: `(?:\b(Node|Image|Section) )?'(/[^']*)'`}

// InUserTerms restates err for someone who wrote BUILD files rather than a
// binman description: when the manifest carries Bazel labels, the message
// starts with the image's label and names each node as the entry the user
// declared, `entry 'ssbl' (//boards/x:ssbl)`, instead of its node path.
// Without labels (a binman description) err is returned unchanged, so
// binman-compatible messages stay byte-identical.
func (m *Manifest) InUserTerms(err error) error {
	if err == nil || m.Image.Label == "" {
		return err
	}
	entries := map[string]*Node{}
	var walk func(n *Node, path, rel string)
	walk = func(n *Node, path, rel string) {
		entries[path] = n
		for i := range n.Entries {
			c := &n.Entries[i]
			r := c.Name
			if rel != "" {
				r = rel + "/" + c.Name
			}
			walk(c, strings.TrimSuffix(path, "/")+"/"+c.Name, r)
		}
	}
	root := m.Image.NodePath
	if root == "" {
		root = "/binman"
	}
	walk(&m.Image, root, "")
	msg := binmanNodeRef.Get().ReplaceAllStringFunc(err.Error(), func(ref string) string {
		sub := binmanNodeRef.Get().FindStringSubmatch(ref)
		kind, path := sub[1], sub[2]
		n, ok := entries[path]
		if !ok {
			return ref
		}
		if n == &m.Image {
			return "image"
		}
		named := "'" + strings.TrimPrefix(strings.TrimPrefix(path, root), "/") + "'"
		if n.Label != "" {
			named += " (" + n.Label + ")"
		}
		if kind != "" {
			return "entry " + named
		}
		return named
	})
	return errors.New(m.Image.Label + ": " + msg)
}
