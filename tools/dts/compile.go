// Package dts compiles device tree source to a flattened device tree the
// way dtc 1.6 does (`dtc -I dts -O dtb`), byte for byte, prints the result
// as source like `dtc -I dts -O dts`, and prints a DTB as source like
// `dtc -I dtb -O dts`.
//
// Covered, each checked against dtc in the tests: /dts-v1/, /plugin/
// overlays (fragments, __fixups__, __local_fixups__), /memreserve/,
// /include/, /incbin/, nodes, properties, strings and string lists, cells
// with /bits/ 8|16|32|64, byte strings, mixed values, labels anywhere,
// &label and &{/path} references in cells (phandles, numbered and placed
// as dtc does, -H epapr|legacy|both) and as path strings, node merging,
// &label { } extension, /delete-node/, /delete-property/,
// /omit-if-no-ref/, character literals, C integer expressions, the "name"
// property rule, boot CPU guessing, -@ (__symbols__), -s sorting, and
// dtc's error checks (duplicate names and labels, bad characters, bad or
// duplicate phandles, unresolved references). dtc's warning-level checks
// are not reported.
//
// Input must already be preprocessed, as for dtc: the compiler reads cpp
// line markers (`# 12 "board.dts"`) so errors point into the original
// files, but #include and #define are cpp's. Use package cpp
// (`fwtool cpp -nostdinc -undef -x assembler-with-cpp -I <dirs> in.dts`)
// or the host's `cpp` with the same flags, then compile the output.
package dts

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
)

// Options for Compile.
type Options struct {
	// IncludeDirs are searched after the including file's directory for
	// /include/ and /incbin/ files (dtc -i).
	IncludeDirs []string
	// ReadFile reads included files; os.ReadFile if nil.
	ReadFile func(name string) ([]byte, error)
	// BootCPUID, if set, replaces the boot CPU that dtc guesses from the
	// first /cpus child's reg (dtc -b).
	BootCPUID *uint32
	// Symbols adds a /__symbols__ node listing every label (dtc -@).
	Symbols bool
	// Opened, if set, is told the path of every file read for /include/
	// and /incbin/, in order (for dependency files, dtc -d).
	Opened func(path string)
	// PhandleFormat is dtc -H: "epapr" (the default when empty) writes
	// "phandle", "legacy" writes "linux,phandle", "both" writes both.
	PhandleFormat string
}

// DefaultOptions is dtc without flags: no include directories, the boot
// CPU guessed, epapr phandles. The zero Options value is the same.
func DefaultOptions() Options { return Options{} }

// CompileFile reads and compiles a DTS file.
func CompileFile(path string, opts Options) (*fdt.Tree, error) {
	read := opts.ReadFile
	if read == nil {
		read = readBounded
	}
	src, err := read(path)
	if err != nil {
		return nil, err
	}
	return Compile(path, src, opts)
}

// Compile compiles DTS source; name is used in error positions and as the
// base for relative /include/ paths.
func Compile(name string, src []byte, opts Options) (*fdt.Tree, error) {
	_, t, err := compile(name, src, opts)
	return t, err
}

// CompileToSource compiles DTS source and prints the result as source
// with labels and value types kept, as `dtc -I dts -O dts` does (phandles
// filled in, references resolved, deleted items gone). With sorted set,
// nodes, properties and reservations are in name order, as with dtc -s.
func CompileToSource(name string, src []byte, opts Options, sorted bool) (string, error) {
	c, _, err := compile(name, src, opts)
	if err != nil {
		return "", err
	}
	if sorted {
		sortSource(c)
	}
	return formatSource(c.reserve, c.root), nil
}

func sortSource(c *compiler) {
	sort.SliceStable(c.reserve, func(i, j int) bool {
		a, b := c.reserve[i], c.reserve[j]
		if a.addr != b.addr {
			return a.addr < b.addr
		}
		return a.size < b.size
	})
	var walk func(n *node)
	walk = func(n *node) {
		sort.SliceStable(n.props, func(i, j int) bool { return n.props[i].name < n.props[j].name })
		sort.SliceStable(n.children, func(i, j int) bool { return n.children[i].name < n.children[j].name })
		for _, ch := range n.children {
			walk(ch)
		}
	}
	walk(c.root)
}

func compile(name string, src []byte, opts Options) (*compiler, *fdt.Tree, error) {
	c := &compiler{opts: opts, labels: labelIndex{}}
	c.lex = &lexer{c: c}
	dir := "."
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		dir = name[:i]
		if dir == "" {
			dir = "/"
		}
	}
	c.lex.stack = []*source{{name: name, dir: dir, src: src, line: 1, col: 1}}
	if err := c.parseSourceFile(); err != nil {
		return nil, nil, err
	}
	if c.err != nil {
		return nil, nil, c.err
	}
	t := &fdt.Tree{BootCPUID: guessBootCPUID(c.root)}
	if opts.BootCPUID != nil {
		t.BootCPUID = *opts.BootCPUID
	}
	for _, r := range c.reserve {
		t.Reserve = append(t.Reserve, fdt.Reservation{Address: r.addr, Size: r.size})
	}
	fillFullpaths(c.root, "")
	var legacy, epapr bool
	switch opts.PhandleFormat {
	case "", "epapr":
		epapr = true
	case "legacy":
		legacy = true
	case "both":
		legacy, epapr = true, true
	default:
		return nil, nil, fmt.Errorf("invalid phandle format %q (legacy, epapr or both)", opts.PhandleFormat)
	}
	ck := &checker{root: c.root, labels: c.labels, used: map[uint32]*node{}, next: 1, plugin: c.plugin, legacyPhandle: legacy, epaprPhandle: epapr}
	if err := ck.run(opts.Symbols); err != nil {
		return nil, nil, err
	}
	if opts.Symbols {
		ck.generateSymbols()
	}
	if c.plugin {
		ck.generateFixups()
		ck.generateLocalFixups()
	}
	if !c.root.deleted {
		t.Root = toFDT(c.root)
	}
	return c, t, nil
}

func toFDT(n *node) *fdt.Node {
	out := &fdt.Node{Name: n.name}
	// Counted first so each slice is allocated once at its final size,
	// the properties in one block.
	live := 0
	for _, p := range n.props {
		if !p.deleted {
			live++
		}
	}
	if live > 0 {
		props := make([]fdt.Property, 0, live)
		out.Properties = make([]*fdt.Property, 0, live)
		for _, p := range n.props {
			if !p.deleted {
				props = append(props, fdt.Property{Name: p.name, Value: p.val.b})
				out.Properties = append(out.Properties, &props[len(props)-1])
			}
		}
	}
	live = 0
	for _, ch := range n.children {
		if !ch.deleted {
			live++
		}
	}
	if live > 0 {
		out.Children = make([]*fdt.Node, 0, live)
		for _, ch := range n.children {
			if !ch.deleted {
				out.Children = append(out.Children, toFDT(ch))
			}
		}
	}
	return out
}

// generateSymbols is dtc -@: a /__symbols__ node with one path string
// per node label in tree order, and a phandle for every labelled node.
func (ck *checker) generateSymbols() {
	var anyLabels func(n *node) bool
	anyLabels = func(n *node) bool {
		if len(n.labels) > 0 {
			return true
		}
		for _, c := range n.liveChildren() {
			if anyLabels(c) {
				return true
			}
		}
		return false
	}
	root := ck.root
	if !anyLabels(root) {
		return
	}
	var sym *node
	for _, c := range root.liveChildren() {
		if c.name == "__symbols__" {
			sym = c
			break
		}
	}
	if sym == nil {
		sym = &node{name: "__symbols__"}
		root.children = append(root.children, sym)
	}
	// Names already in /__symbols__, as a set: looking each label up in
	// the property list made -@ quadratic (30 s for 100,000 labels).
	have := map[string]bool{}
	for _, p := range sym.props {
		if !p.deleted {
			have[p.name] = true
		}
	}
	var walk func(n *node)
	walk = func(n *node) {
		if len(n.labels) > 0 {
			for _, l := range n.labels {
				if l.deleted || have[l.name] {
					continue
				}
				have[l.name] = true
				sym.props = append(sym.props, &property{name: l.name, val: value{b: symbolPath(n.fullpath), markers: []marker{{kind: typeString}}}})
			}
			ck.nodePhandle(n)
		}
		for _, c := range n.liveChildren() {
			walk(c)
		}
	}
	walk(root)
}

// checker runs the dtc checks that fail compilation or change the tree,
// in dtc's order: each check walks the whole tree before the next starts.
type checker struct {
	root   *node
	labels labelIndex
	plugin bool             // an overlay: references may point outside the file
	used   map[uint32]*node // nodes by phandle; deleted ones no longer count
	next   uint32           // dtc's phandle allocation counter

	legacyPhandle, epaprPhandle bool // which phandle properties to add
}

type nodeError struct {
	path string
	prop string
	msg  string
	pos  Pos
}

func (e *nodeError) Error() string {
	where := e.path
	if e.prop != "" {
		where = e.path + ":" + e.prop
	}
	if e.pos.File != "" {
		return fmt.Sprintf("%s: %s: %s", e.pos, where, e.msg)
	}
	return where + ": " + e.msg
}

func walkLive(n *node, fn func(*node) error) error {
	if err := fn(n); err != nil {
		return err
	}
	for _, c := range n.children {
		if !c.deleted {
			if err := walkLive(c, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

const nodeChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,._+-@"
const propChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,._+*#?-"

func badChar(s, allowed string) int {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(allowed, s[i]) < 0 {
			return i
		}
	}
	return -1
}

func (ck *checker) run(symbols bool) error {
	checks := []func(*node) error{
		func(n *node) error { // duplicate_node_names: a live child with a later namesake
			seen := newNameSet(len(n.children))
			for _, c := range n.children {
				if seen.has(c.name) {
					return &nodeError{path: n.fullpath, msg: fmt.Sprintf("Duplicate node name %q", c.name), pos: c.pos}
				}
				if !c.deleted {
					seen.add(c.name)
				}
			}
			return nil
		},
		func(n *node) error { // duplicate_property_names
			seen := newNameSet(len(n.props))
			for _, p := range n.props {
				if p.deleted {
					continue
				}
				if seen.has(p.name) {
					return &nodeError{path: n.fullpath, prop: p.name, msg: "Duplicate property name", pos: p.pos}
				}
				seen.add(p.name)
			}
			return nil
		},
		func(n *node) error { // node_name_chars, node_name_format
			if i := badChar(n.name, nodeChars); i >= 0 {
				return &nodeError{path: n.fullpath, msg: fmt.Sprintf("Bad character '%c' in node name", n.name[i]), pos: n.pos}
			}
			if at := strings.IndexByte(n.name, '@'); at >= 0 && strings.IndexByte(n.name[at+1:], '@') >= 0 {
				return &nodeError{path: n.fullpath, msg: "multiple '@' characters in node name", pos: n.pos}
			}
			return nil
		},
		func(n *node) error { // property_name_chars
			for _, p := range n.props {
				if p.deleted {
					continue
				}
				if i := badChar(p.name, propChars); i >= 0 {
					return &nodeError{path: n.fullpath, prop: p.name, msg: fmt.Sprintf("Bad character '%c' in property name", p.name[i]), pos: p.pos}
				}
			}
			return nil
		},
		func(n *node) error { // name_is_string
			if p := n.getProp("name"); p != nil && !isOneString(p.val.b) {
				return &nodeError{path: n.fullpath, prop: "name", msg: "property is not a string", pos: p.pos}
			}
			return nil
		},
		func(n *node) error { // name_properties: a correct "name" is redundant and dropped
			for i, p := range n.props {
				if p.name != "name" {
					continue
				}
				v := p.val.b
				if len(v) != n.basenamelen+1 || string(v[:n.basenamelen]) != n.name[:n.basenamelen] {
					return &nodeError{path: n.fullpath, prop: "name", msg: fmt.Sprintf("\"name\" property is incorrect (%q instead of base node name)", strings.TrimRight(string(v), "\x00")), pos: p.pos}
				}
				n.props = append(n.props[:i:i], n.props[i+1:]...)
				return nil
			}
			return nil
		},
	}
	for _, check := range checks {
		if err := walkLive(ck.root, check); err != nil {
			return err
		}
	}
	if err := ck.duplicateLabels(); err != nil {
		return err
	}
	if err := walkLive(ck.root, ck.explicitPhandles); err != nil {
		return err
	}
	if err := walkLive(ck.root, ck.phandleReferences); err != nil {
		return err
	}
	if err := walkLive(ck.root, ck.pathReferences); err != nil {
		return err
	}
	return walkLive(ck.root, func(n *node) error { // omit_unused_nodes
		if symbols && len(n.labels) > 0 {
			return nil
		}
		if n.omitIfUnused && !n.referenced {
			deleteNode(n)
		}
		return nil
	})
}

func isOneString(v []byte) bool {
	return len(v) > 0 && v[len(v)-1] == 0 && strings.IndexByte(string(v[:len(v)-1]), 0) < 0
}

func (ck *checker) duplicateLabels() error {
	type owner struct {
		n    *node
		p    *property
		mark int
		pos  Pos
	}
	seen := map[string]owner{}
	describe := func(o owner) string {
		switch {
		case o.mark >= 0:
			return fmt.Sprintf("value of '%s' in %s", o.p.name, o.n.fullpath)
		case o.p != nil:
			return fmt.Sprintf("'%s' in %s", o.p.name, o.n.fullpath)
		}
		return o.n.fullpath
	}
	add := func(name string, o owner) error {
		if prev, ok := seen[name]; ok {
			if prev.n != o.n || prev.p != o.p || prev.mark != o.mark {
				return &nodeError{path: o.n.fullpath, msg: fmt.Sprintf("Duplicate label '%s' on %s and %s", name, describe(o), describe(prev)), pos: o.pos}
			}
			return nil
		}
		seen[name] = o
		return nil
	}
	return walkLive(ck.root, func(n *node) error {
		for _, l := range n.labels {
			if !l.deleted {
				if err := add(l.name, owner{n, nil, -1, n.pos}); err != nil {
					return err
				}
			}
		}
		for _, p := range n.props {
			if p.deleted {
				continue
			}
			for _, l := range p.labels {
				if !l.deleted {
					if err := add(l.name, owner{n, p, -1, p.pos}); err != nil {
						return err
					}
				}
			}
			for i, m := range p.val.markers {
				if m.kind == valueLabel {
					if err := add(m.ref, owner{n, p, i, m.pos}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

func (ck *checker) phandleProp(n *node, name string) (uint32, error) {
	p := n.getProp(name)
	if p == nil {
		return 0, nil
	}
	if len(p.val.b) != 4 {
		return 0, &nodeError{path: n.fullpath, prop: name, msg: fmt.Sprintf("bad length (%d) %s property", len(p.val.b), name), pos: p.pos}
	}
	for _, m := range p.val.markers {
		if m.kind != refPhandle {
			continue
		}
		if ck.labels.nodeByRef(ck.root, m.ref) != n {
			return 0, &nodeError{path: n.fullpath, msg: name + " is a reference to another node", pos: m.pos}
		}
		// A node's phandle referring to itself asks for a fresh
		// phandle, filled in with the other references.
		return 0, nil
	}
	ph := be32(p.val.b)
	if ph == 0 || ph == 0xffffffff {
		return 0, &nodeError{path: n.fullpath, prop: name, msg: fmt.Sprintf("bad value (0x%x) in %s property", ph, name), pos: p.pos}
	}
	return ph, nil
}

func (ck *checker) explicitPhandles(n *node) error {
	ph, err := ck.phandleProp(n, "phandle")
	if err != nil {
		return err
	}
	lph, err := ck.phandleProp(n, "linux,phandle")
	if err != nil {
		return err
	}
	if ph == 0 && lph == 0 {
		return nil
	}
	if ph != 0 && lph != 0 && ph != lph {
		return &nodeError{path: n.fullpath, msg: "mismatching 'phandle' and 'linux,phandle' properties", pos: n.pos}
	}
	if ph == 0 {
		ph = lph
	}
	if ck.inUse(ph) {
		return &nodeError{path: n.fullpath, msg: fmt.Sprintf("duplicated phandle 0x%x", ph), pos: n.pos}
	}
	ck.used[ph] = n
	n.phandle = ph
	return nil
}

func (ck *checker) inUse(ph uint32) bool {
	n := ck.used[ph]
	return n != nil && !n.deleted
}

// nodePhandle is dtc's get_node_phandle: the first number from a counter
// that is not the phandle of a live node, stored as a "phandle" property
// appended to the node unless it has one (a self-reference being filled
// in). The counter stays on the number it handed out, so a number freed
// by /omit-if-no-ref/ is handed out again, as dtc does.
func (ck *checker) nodePhandle(n *node) uint32 {
	if n.phandle != 0 && n.phandle != 0xffffffff {
		return n.phandle
	}
	for ck.inUse(ck.next) {
		ck.next++
	}
	n.phandle = ck.next
	ck.used[ck.next] = n
	cell := func() value {
		return value{b: []byte{byte(n.phandle >> 24), byte(n.phandle >> 16), byte(n.phandle >> 8), byte(n.phandle)},
			markers: []marker{{kind: typeU32}}}
	}
	if ck.legacyPhandle && n.getProp("linux,phandle") == nil {
		n.props = append(n.props, &property{name: "linux,phandle", val: cell()})
	}
	if ck.epaprPhandle && n.getProp("phandle") == nil {
		n.props = append(n.props, &property{name: "phandle", val: cell()})
	}
	return n.phandle
}

func (ck *checker) phandleReferences(n *node) error {
	for _, p := range n.props {
		if p.deleted {
			continue
		}
		for _, m := range p.val.markers {
			if m.kind != refPhandle {
				continue
			}
			target := ck.labels.nodeByRef(ck.root, m.ref)
			if target == nil && ck.plugin {
				// Resolved when the overlay is applied, through __fixups__.
				copy(p.val.b[m.offset:], []byte{0xff, 0xff, 0xff, 0xff})
				continue
			}
			if target == nil {
				return &Error{Pos: m.pos, Msg: fmt.Sprintf("Reference to non-existent node or label \"%s\"", m.ref)}
			}
			ph := ck.nodePhandle(target)
			b := p.val.b[m.offset:]
			b[0], b[1], b[2], b[3] = byte(ph>>24), byte(ph>>16), byte(ph>>8), byte(ph)
			target.referenced = true
		}
	}
	return nil
}

func (ck *checker) pathReferences(n *node) error {
	for _, p := range n.props {
		if p.deleted {
			continue
		}
		for i := 0; i < len(p.val.markers); i++ {
			m := p.val.markers[i]
			if m.kind != refPath {
				continue
			}
			target := ck.labels.nodeByRef(ck.root, m.ref)
			if target == nil {
				return &Error{Pos: m.pos, Msg: fmt.Sprintf("Reference to non-existent node or label \"%s\"", m.ref)}
			}
			ins := append([]byte(target.fullpath), 0)
			nb := make([]byte, 0, len(p.val.b)+len(ins))
			nb = append(nb, p.val.b[:m.offset]...)
			nb = append(nb, ins...)
			nb = append(nb, p.val.b[m.offset:]...)
			p.val.b = nb
			for j := i + 1; j < len(p.val.markers); j++ {
				p.val.markers[j].offset += len(ins)
			}
			target.referenced = true
		}
	}
	return nil
}

// symbolPath is the __symbols__ value of a path: dtc runs it through its
// string-escape decoder.
func symbolPath(path string) []byte {
	b, ok := unescape([]byte(path), 0)
	if !ok {
		return append([]byte(path), 0)
	}
	return b
}

// rootChild returns the live child of / called name, creating it at the end.
func (ck *checker) rootChild(name string) *node {
	for _, c := range ck.root.liveChildren() {
		if c.name == name {
			return c
		}
	}
	n := &node{name: name}
	ck.root.children = append(ck.root.children, n)
	return n
}

// appendToProp extends a live property, or adds it at the end of n.
func appendToProp(n *node, name string, kind markerKind, data []byte) {
	p := n.getProp(name)
	if p == nil {
		p = &property{name: name}
		n.props = append(n.props, p)
	}
	p.val.mark(kind, name, Pos{})
	p.val.b = append(p.val.b, data...)
}

// phandleRefs calls fn for every phandle reference in tree order.
func (ck *checker) phandleRefs(fn func(n *node, p *property, m marker)) {
	walkLive(ck.root, func(n *node) error {
		for _, p := range n.props {
			if p.deleted {
				continue
			}
			for _, m := range p.val.markers {
				if m.kind == refPhandle {
					fn(n, p, m)
				}
			}
		}
		return nil
	})
}

// generateFixups is dtc's /__fixups__ for an overlay: per unresolved label,
// the "path:property:offset" strings of the cells to patch.
func (ck *checker) generateFixups() {
	needed := false
	ck.phandleRefs(func(n *node, p *property, m marker) {
		needed = needed || ck.labels.nodeByRef(ck.root, m.ref) == nil
	})
	if !needed {
		return
	}
	fix := ck.rootChild("__fixups__")
	ck.phandleRefs(func(n *node, p *property, m marker) {
		if ck.labels.nodeByRef(ck.root, m.ref) == nil {
			appendToProp(fix, m.ref, typeString, []byte(fmt.Sprintf("%s:%s:%d\x00", n.fullpath, p.name, m.offset)))
		}
	})
}

// generateLocalFixups is dtc's /__local_fixups__: a tree mirroring the
// nodes that hold resolved phandles, listing the offsets of those cells.
func (ck *checker) generateLocalFixups() {
	needed := false
	ck.phandleRefs(func(n *node, p *property, m marker) {
		needed = needed || ck.labels.nodeByRef(ck.root, m.ref) != nil
	})
	if !needed {
		return
	}
	local := ck.rootChild("__local_fixups__")
	ck.phandleRefs(func(n *node, p *property, m marker) {
		if ck.labels.nodeByRef(ck.root, m.ref) == nil {
			return
		}
		w := local
		if n != ck.root {
			for _, part := range strings.Split(n.fullpath[1:], "/") {
				var next *node
				for _, c := range w.liveChildren() {
					if c.name == part {
						next = c
						break
					}
				}
				if next == nil {
					next = &node{name: part}
					w.children = append(w.children, next)
				}
				w = next
			}
		}
		off := uint32(m.offset)
		appendToProp(w, p.name, typeU32, []byte{byte(off >> 24), byte(off >> 16), byte(off >> 8), byte(off)})
	})
}

// nameSet is a set of names for the duplicate checks: a scan of a small
// array for the few names most nodes have (a map per node was most of
// what the checks allocated on a large tree), a map beyond.
type nameSet struct {
	few  [16]string
	n    int
	many map[string]bool
}

func newNameSet(size int) nameSet {
	if size > len(nameSet{}.few) {
		return nameSet{many: make(map[string]bool, size)}
	}
	return nameSet{}
}

func (s *nameSet) has(name string) bool {
	if s.many != nil {
		return s.many[name]
	}
	for _, f := range s.few[:s.n] {
		if f == name {
			return true
		}
	}
	return false
}

func (s *nameSet) add(name string) {
	if s.many != nil {
		s.many[name] = true
		return
	}
	s.few[s.n] = name
	s.n++
}
