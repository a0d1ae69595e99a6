package kmod

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// The binary indexes kmod's modprobe reads (modules.dep.bin,
// modules.alias.bin, modules.symbols.bin, modules.builtin.bin): a trie of
// keys with path-compressed prefixes, each key holding values ordered by
// priority. Written as depmod writes it: big-endian magic 0xB007F457 and
// version 2.1, the root's offset, then the nodes children-first; a node is
// its prefix (if any) and NUL, the child range and child offsets (if any),
// and its value count and values (priority, string, NUL) (if any). An
// offset's high bits say which parts a node has.
const (
	indexMagic    = 0xB007F457
	indexVersion  = 0x00020001
	indexChildMax = 128
	nodePrefix    = 0x80000000
	nodeValues    = 0x40000000
	nodeChilds    = 0x20000000
)

type indexValue struct {
	priority uint32
	value    string
}

type indexNode struct {
	prefix      string
	values      []indexValue
	first, last int
	children    [indexChildMax]*indexNode
}

func newIndexNode(prefix string) *indexNode {
	return &indexNode{prefix: prefix, first: indexChildMax}
}

// addValue keeps values sorted by priority; a value goes before others of
// the same priority, as depmod's list insertion does.
func (n *indexNode) addValue(value string, priority uint32) {
	i := 0
	for i < len(n.values) && n.values[i].priority < priority {
		i++
	}
	n.values = append(n.values, indexValue{})
	copy(n.values[i+1:], n.values[i:])
	n.values[i] = indexValue{priority, value}
}

func checkASCII(s string) error {
	for i := 0; i < len(s); i++ {
		if s[i] >= indexChildMax {
			return fmt.Errorf("module index: %q is not 7-bit ASCII", s)
		}
	}
	return nil
}

// insert adds value under key, splitting prefixes as needed.
func (n *indexNode) insert(key, value string, priority uint32) error {
	if err := checkASCII(key); err != nil {
		return err
	}
	if err := checkASCII(value); err != nil {
		return err
	}
	node, i := n, 0
	for {
		j := 0
		for ; j < len(node.prefix); j++ {
			if i+j >= len(key) || node.prefix[j] != key[i+j] {
				// The node keeps prefix[:j]; a child at prefix[j] takes the rest.
				ch := int(node.prefix[j])
				child := *node
				child.prefix = node.prefix[j+1:]
				*node = indexNode{prefix: node.prefix[:j], first: ch, last: ch}
				node.children[ch] = &child
				break
			}
		}
		i += j
		if i == len(key) {
			node.addValue(value, priority)
			return nil
		}
		ch := int(key[i])
		if node.children[ch] == nil {
			if ch < node.first {
				node.first = ch
			}
			if ch > node.last {
				node.last = ch
			}
			child := newIndexNode(key[i+1:])
			child.addValue(value, priority)
			node.children[ch] = child
			return nil
		}
		node = node.children[ch]
		i++
	}
}

func (n *indexNode) write(out *bytes.Buffer) uint32 {
	if n == nil {
		return 0
	}
	var childOffs []uint32
	if n.first < indexChildMax {
		for c := n.first; c <= n.last; c++ {
			childOffs = append(childOffs, n.children[c].write(out))
		}
	}
	offset := uint32(out.Len())
	if n.prefix != "" {
		out.WriteString(n.prefix)
		out.WriteByte(0)
		offset |= nodePrefix
	}
	if len(childOffs) > 0 {
		out.WriteByte(byte(n.first))
		out.WriteByte(byte(n.last))
		for _, o := range childOffs {
			binary.Write(out, binary.BigEndian, o)
		}
		offset |= nodeChilds
	}
	if len(n.values) > 0 {
		binary.Write(out, binary.BigEndian, uint32(len(n.values)))
		for _, v := range n.values {
			binary.Write(out, binary.BigEndian, v.priority)
			out.WriteString(v.value)
			out.WriteByte(0)
		}
		offset |= nodeValues
	}
	return offset
}

func (n *indexNode) bytes() []byte {
	var out bytes.Buffer
	binary.Write(&out, binary.BigEndian, uint32(indexMagic))
	binary.Write(&out, binary.BigEndian, uint32(indexVersion))
	out.Write(make([]byte, 4))
	root := n.write(&out)
	b := out.Bytes()
	binary.BigEndian.PutUint32(b[8:], root)
	return b
}

// normalizeAlias turns '-' into '_' outside [...] groups, as kmod does
// before indexing an alias; ok is false for unmatched brackets.
func normalizeAlias(a string) (string, bool) {
	b := []byte(a)
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '-':
			b[i] = '_'
		case ']':
			return "", false
		case '[':
			for i < len(b) && b[i] != ']' {
				i++
			}
			if i == len(b) {
				return "", false
			}
		}
	}
	return string(b), true
}

// binIndexes builds modules.dep.bin, modules.alias.bin and
// modules.symbols.bin for nodes in depmod's order.
func binIndexes(nodes []*depNode, owner map[string]*depNode) (map[string][]byte, error) {
	dep, alias, syms := newIndexNode(""), newIndexNode(""), newIndexNode("")
	for _, n := range nodes {
		line := n.m.Path + ":"
		for _, d := range allDeps(n) {
			line += " " + d.m.Path
		}
		if err := dep.insert(n.m.Name, line, uint32(n.idx)); err != nil {
			return nil, err
		}
		for _, kv := range n.m.Info {
			if kv[0] != "alias" {
				continue
			}
			a, ok := normalizeAlias(kv[1])
			if !ok {
				continue // depmod warns "Unmatched bracket" and skips it
			}
			if err := alias.insert(a, n.m.Name, uint32(n.idx)); err != nil {
				return nil, err
			}
		}
	}
	for s, o := range owner {
		if err := syms.insert("symbol:"+s, o.m.Name, uint32(o.idx)); err != nil {
			return nil, err
		}
	}
	return map[string][]byte{
		"modules.dep.bin":     dep.bytes(),
		"modules.alias.bin":   alias.bytes(),
		"modules.symbols.bin": syms.bytes(),
	}, nil
}

// BuiltinIndex builds modules.builtin.bin from the text of modules.builtin
// (one module path a line): each module name a key with an empty value.
func BuiltinIndex(text string) ([]byte, error) {
	idx := newIndexNode("")
	for _, l := range strings.Split(text, "\n") {
		if l == "" {
			continue
		}
		if c := l[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			continue // depmod: "Invalid modules.builtin line"
		}
		if err := idx.insert(ModuleName(l), "", 0); err != nil {
			return nil, err
		}
	}
	return idx.bytes(), nil
}
