package dts

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/input"
)

type compiler struct {
	opts      Options
	lex       *lexer
	tok       token // current lookahead
	err       error // first error; parsing continues after semantic errors as dtc does
	plugin    bool
	fragments int // overlay fragments made so far
	reserve   []reserveEntry
	root      *node
	labels    labelIndex
	depth     int // node nesting while parsing
	exprDepth int // expression nesting while parsing
}

// MaxDepth bounds node nesting, as the DTB reader does (fdt): every pass
// over the tree recurses, so a hostile source must not nest without end.
const MaxDepth = 512

// maxExprDepth bounds parentheses and unary operators in an expression;
// each level costs a dozen stack frames of the precedence climber.
const maxExprDepth = 256

// readBounded is the default file reader: devices are refused, FIFOs
// never waited on, and nothing bigger than a DTB can hold is read.
func readBounded(name string) ([]byte, error) {
	return input.ReadFile(name, fdt.MaxTotalSize, "a DTB's totalsize is 32-bit")
}

type reserveEntry struct {
	addr, size uint64
	labels     []*label
}

func (c *compiler) open(name, dir string) ([]byte, string, error) {
	read := c.opts.ReadFile
	if read == nil {
		read = readBounded
	}
	return c.openWith(name, dir, read)
}

// openWith finds name in dir or an include directory and reads it with read.
func (c *compiler) openWith(name, dir string, read func(string) ([]byte, error)) ([]byte, string, error) {
	try := func(d string) string {
		if d == "" || filepath.IsAbs(name) {
			return name
		}
		return filepath.Join(d, name)
	}
	var firstErr error
	for _, d := range append([]string{dir}, c.opts.IncludeDirs...) {
		full := try(d)
		data, err := read(full)
		if err == nil {
			if c.opts.Opened != nil {
				c.opts.Opened(full)
			}
			return data, full, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, "", firstErr
}

// fail records a semantic error; parsing goes on so the first error wins.
func (c *compiler) fail(p Pos, format string, args ...interface{}) {
	if c.err == nil {
		c.err = &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
	}
}

func (c *compiler) advance() error {
	t, err := c.lex.next()
	if err != nil {
		return err
	}
	c.tok = t
	return nil
}

func (c *compiler) syntaxError() error {
	return &Error{Pos: c.tok.pos, Msg: "syntax error: unexpected " + c.tok.describe()}
}

func (c *compiler) isChar(ch byte) bool { return c.tok.kind == tChar && c.tok.ch == ch }

func (c *compiler) expectChar(ch byte) error {
	if !c.isChar(ch) {
		return &Error{Pos: c.tok.pos, Msg: fmt.Sprintf("syntax error: expected '%c', found %s", ch, c.tok.describe())}
	}
	return c.advance()
}

func (c *compiler) parseSourceFile() error {
	if err := c.advance(); err != nil {
		return err
	}
	// headers
	if c.tok.kind != tV1 {
		return &Error{Pos: c.tok.pos, Msg: "syntax error: missing /dts-v1/ tag"}
	}
	first := true
	for c.tok.kind == tV1 {
		p := c.tok.pos
		if err := c.advance(); err != nil {
			return err
		}
		if err := c.expectChar(';'); err != nil {
			return err
		}
		plugin := false
		if c.tok.kind == tPlugin {
			plugin = true
			if err := c.advance(); err != nil {
				return err
			}
			if err := c.expectChar(';'); err != nil {
				return err
			}
		}
		if first {
			c.plugin = plugin
			first = false
		} else if plugin != c.plugin {
			c.fail(p, "Header flags don't match earlier ones")
		}
	}
	// memreserves
	for c.tok.kind == tLabel || c.tok.kind == tMemreserve {
		var labels []string
		for c.tok.kind == tLabel {
			labels = append(labels, c.tok.text)
			if err := c.advance(); err != nil {
				return err
			}
		}
		if c.tok.kind != tMemreserve {
			return c.syntaxError()
		}
		if err := c.advance(); err != nil {
			return err
		}
		addr, err := c.integerPrim()
		if err != nil {
			return err
		}
		size, err := c.integerPrim()
		if err != nil {
			return err
		}
		if err := c.expectChar(';'); err != nil {
			return err
		}
		r := reserveEntry{addr: addr, size: size}
		addLabelsInOrder(&r.labels, labels)
		c.reserve = append(c.reserve, r)
	}
	// devicetree
	switch {
	case c.isChar('/'):
		if err := c.advance(); err != nil {
			return err
		}
		n, err := c.nodedef()
		if err != nil {
			return err
		}
		n.name = ""
		c.root = n
	case c.tok.kind == tLabelRef || c.tok.kind == tPathRef:
		ref := c.tok
		if err := c.advance(); err != nil {
			return err
		}
		n, err := c.nodedef()
		if err != nil {
			return err
		}
		c.root = &node{}
		if c.plugin {
			c.addOrphan(n, ref)
		} else {
			n.discarded = true
			c.fail(ref.pos, "Label or path %s not found", ref.text)
		}
	default:
		return c.syntaxError()
	}
	for c.tok.kind != tEOF {
		switch {
		case c.isChar('/'):
			if err := c.advance(); err != nil {
				return err
			}
			n, err := c.nodedef()
			if err != nil {
				return err
			}
			mergeNodes(c.labels, c.root, n)
		case c.tok.kind == tLabel:
			lbl := c.tok.text
			if err := c.advance(); err != nil {
				return err
			}
			if c.tok.kind != tLabelRef && c.tok.kind != tPathRef {
				return c.syntaxError()
			}
			ref := c.tok
			if err := c.advance(); err != nil {
				return err
			}
			n, err := c.nodedef()
			if err != nil {
				return err
			}
			if target := c.labels.nodeByRef(c.root, ref.text); target != nil {
				c.labels.add(target, lbl)
				mergeNodes(c.labels, target, n)
			} else {
				n.discarded = true
				c.fail(ref.pos, "Label or path %s not found", ref.text)
			}
		case c.tok.kind == tLabelRef || c.tok.kind == tPathRef:
			ref := c.tok
			if err := c.advance(); err != nil {
				return err
			}
			n, err := c.nodedef()
			if err != nil {
				return err
			}
			target := c.labels.nodeByRef(c.root, ref.text)
			switch {
			case c.plugin && ref.kind == tPathRef:
				// An overlay always targets paths through a fragment.
				c.addOrphan(n, ref)
			case target != nil:
				mergeNodes(c.labels, target, n)
			case c.plugin:
				c.addOrphan(n, ref)
			default:
				n.discarded = true
				c.fail(ref.pos, "Label or path %s not found", ref.text)
			}
		case c.tok.kind == tDelNode || c.tok.kind == tOmitNoRef:
			omit := c.tok.kind == tOmitNoRef
			if err := c.advance(); err != nil {
				return err
			}
			if c.tok.kind != tLabelRef && c.tok.kind != tPathRef {
				return c.syntaxError()
			}
			ref := c.tok
			if err := c.advance(); err != nil {
				return err
			}
			if err := c.expectChar(';'); err != nil {
				return err
			}
			target := c.labels.nodeByRef(c.root, ref.text)
			switch {
			case target == nil:
				c.fail(ref.pos, "Label or path %s not found", ref.text)
			case omit:
				target.omitIfUnused = true
			default:
				deleteNode(target)
			}
		default:
			return c.syntaxError()
		}
	}
	return nil
}

// addOrphan wraps an overlay's body for a target outside this file in
// /fragment@N { target = <&label>; or target-path = "/path"; __overlay__ {...} }.
func (c *compiler) addOrphan(n *node, ref token) {
	var p *property
	if ref.text[0] == '/' {
		p = &property{name: "target-path", val: value{b: append([]byte(ref.text), 0), markers: []marker{{kind: typeString}}}}
	} else {
		p = &property{name: "target", val: value{b: []byte{0xff, 0xff, 0xff, 0xff},
			markers: []marker{{kind: refPhandle, ref: ref.text, pos: ref.pos}}}}
	}
	n.name = "__overlay__"
	frag := &node{name: fmt.Sprintf("fragment@%d", c.fragments), props: []*property{p}, children: []*node{n}, pos: ref.pos}
	c.fragments++
	c.root.children = append(c.root.children, frag)
}

// nodedef parses '{' proplist subnodes '}' ';'.
func (c *compiler) nodedef() (*node, error) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > MaxDepth {
		return nil, &Error{Pos: c.tok.pos, Msg: fmt.Sprintf("nodes nested too deep (more than %d levels)", MaxDepth)}
	}
	n := &node{pos: c.tok.pos}
	if err := c.expectChar('{'); err != nil {
		return nil, err
	}
	seenSubnode := false
	for !c.isChar('}') {
		var labels []string
		omit := false
		for c.tok.kind == tLabel || c.tok.kind == tOmitNoRef {
			if c.tok.kind == tLabel {
				labels = append(labels, c.tok.text)
			} else {
				omit = true
			}
			if err := c.advance(); err != nil {
				return nil, err
			}
		}
		start := c.tok.pos
		switch c.tok.kind {
		case tDelProp:
			if omit {
				return nil, c.syntaxError()
			}
			if err := c.advance(); err != nil {
				return nil, err
			}
			if c.tok.kind != tPropNodeName {
				return nil, c.syntaxError()
			}
			p := &property{name: c.tok.text, deleted: true, pos: start}
			if err := c.advance(); err != nil {
				return nil, err
			}
			if err := c.expectChar(';'); err != nil {
				return nil, err
			}
			if seenSubnode {
				return nil, &Error{Pos: start, Msg: "Properties must precede subnodes"}
			}
			addLabelsInOrder(&p.labels, labels)
			n.props = append(n.props, p)
		case tDelNode:
			if err := c.advance(); err != nil {
				return nil, err
			}
			if c.tok.kind != tPropNodeName {
				return nil, c.syntaxError()
			}
			child := &node{name: c.tok.text, deleted: true, pos: start, omitIfUnused: omit}
			if err := c.advance(); err != nil {
				return nil, err
			}
			if err := c.expectChar(';'); err != nil {
				return nil, err
			}
			c.labelNode(child, labels)
			n.children = append(n.children, child)
			seenSubnode = true
		case tPropNodeName:
			name := c.tok.text
			if err := c.advance(); err != nil {
				return nil, err
			}
			if c.isChar('{') {
				child, err := c.nodedef()
				if err != nil {
					return nil, err
				}
				child.name = name
				child.omitIfUnused = child.omitIfUnused || omit
				c.labelNode(child, labels)
				n.children = append(n.children, child)
				seenSubnode = true
				continue
			}
			if omit {
				return nil, c.syntaxError()
			}
			p := &property{name: name, pos: start}
			if c.isChar('=') {
				if err := c.advance(); err != nil {
					return nil, err
				}
				v, err := c.propdata()
				if err != nil {
					return nil, err
				}
				p.val = v
			}
			if err := c.expectChar(';'); err != nil {
				return nil, err
			}
			if seenSubnode {
				return nil, &Error{Pos: start, Msg: "Properties must precede subnodes"}
			}
			addLabelsInOrder(&p.labels, labels)
			n.props = append(n.props, p)
		default:
			return nil, c.syntaxError()
		}
	}
	if err := c.advance(); err != nil {
		return nil, err
	}
	if err := c.expectChar(';'); err != nil {
		return nil, err
	}
	return n, nil
}

// labelNode labels a node in the same order as addLabelsInOrder.
func (c *compiler) labelNode(n *node, labels []string) {
	for i := len(labels) - 1; i >= 0; i-- {
		c.labels.add(n, labels[i])
	}
}

// addLabelsInOrder applies "a: b: x" as dtc's grammar does: innermost
// label first, each prepended.
func addLabelsInOrder(list *[]*label, labels []string) {
	for i := len(labels) - 1; i >= 0; i-- {
		addLabel(list, labels[i])
	}
}

func (c *compiler) valueLabel(v *value) error {
	v.markers = append(v.markers, marker{kind: valueLabel, offset: len(v.b), ref: c.tok.text, pos: c.tok.pos})
	return c.advance()
}

// propdata parses a comma-separated list of strings, cell arrays, byte
// strings, path references and /incbin/, with labels anywhere between.
func (c *compiler) propdata() (value, error) {
	var v value
	for {
		for c.tok.kind == tLabel {
			if err := c.valueLabel(&v); err != nil {
				return v, err
			}
		}
		switch {
		case c.tok.kind == tString:
			v.mark(typeString, "", c.tok.pos)
			v.b = append(v.b, c.tok.data...)
			if err := c.advance(); err != nil {
				return v, err
			}
		case c.tok.kind == tBits || c.isChar('<'):
			if err := c.array(&v); err != nil {
				return v, err
			}
		case c.isChar('['):
			v.mark(typeU8, "", c.tok.pos)
			if err := c.advance(); err != nil {
				return v, err
			}
			for !c.isChar(']') {
				switch c.tok.kind {
				case tByte:
					v.b = append(v.b, byte(c.tok.num))
					if err := c.advance(); err != nil {
						return v, err
					}
				case tLabel:
					if err := c.valueLabel(&v); err != nil {
						return v, err
					}
				default:
					return v, c.syntaxError()
				}
			}
			if err := c.advance(); err != nil {
				return v, err
			}
		case c.tok.kind == tLabelRef || c.tok.kind == tPathRef:
			v.mark(typeString, c.tok.text, c.tok.pos)
			v.mark(refPath, c.tok.text, c.tok.pos)
			if err := c.advance(); err != nil {
				return v, err
			}
		case c.tok.kind == tIncbin:
			if err := c.incbin(&v); err != nil {
				return v, err
			}
		default:
			return v, c.syntaxError()
		}
		for c.tok.kind == tLabel {
			if err := c.valueLabel(&v); err != nil {
				return v, err
			}
		}
		if !c.isChar(',') {
			return v, nil
		}
		if err := c.advance(); err != nil {
			return v, err
		}
	}
}

func (c *compiler) incbin(v *value) error {
	p := c.tok.pos
	if err := c.advance(); err != nil {
		return err
	}
	if err := c.expectChar('('); err != nil {
		return err
	}
	if c.tok.kind != tString {
		return c.syntaxError()
	}
	name := string(c.tok.data[:len(c.tok.data)-1])
	if err := c.advance(); err != nil {
		return err
	}
	var off, length uint64
	whole := true
	if c.isChar(',') {
		whole = false
		if err := c.advance(); err != nil {
			return err
		}
		var err error
		if off, err = c.integerPrim(); err != nil {
			return err
		}
		if err := c.expectChar(','); err != nil {
			return err
		}
		if length, err = c.integerPrim(); err != nil {
			return err
		}
	}
	if err := c.expectChar(')'); err != nil {
		return err
	}
	dir := ""
	if len(c.lex.stack) > 0 {
		dir = c.lex.stack[len(c.lex.stack)-1].dir
	}
	if !whole && (length > fdt.MaxTotalSize || off > math.MaxInt64) {
		return &Error{Pos: p, Msg: fmt.Sprintf("/incbin/ \"%s\": length %#x is more than a DTB can hold", name, length)}
	}
	read := c.opts.ReadFile
	if read == nil && whole {
		read = readBounded
	} else if read == nil {
		// Only the asked-for range is read, so a bounded /incbin/ of a
		// big file or of a device (/dev/zero) costs what it asks for.
		read = func(full string) ([]byte, error) { return readRange(full, off, length) }
	}
	data, _, err := c.openWith(name, dir, read)
	if err != nil {
		return &Error{Pos: p, Msg: fmt.Sprintf("Couldn't open \"%s\": %v", name, err)}
	}
	if !whole && c.opts.ReadFile != nil {
		if off > uint64(len(data)) {
			data = nil
		} else {
			data = data[off:]
		}
		// Like dtc, a file shorter than requested gives what there is.
		if length < uint64(len(data)) {
			data = data[:length]
		}
	}
	if uint64(len(v.b))+uint64(len(data)) > fdt.MaxTotalSize {
		return &Error{Pos: p, Msg: fmt.Sprintf("/incbin/ \"%s\": value grows past what a DTB can hold", name)}
	}
	v.mark(typeNone, "", p)
	v.b = append(v.b, data...)
	return nil
}

// readRange reads at most length bytes from offset off of a file: by
// seeking where it can, else by skipping (a pipe; bounded by
// input.StreamLimit). A file shorter than asked gives what there is, as
// with dtc.
func readRange(name string, off, length uint64) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("is a directory")
	}
	// A FIFO opened without waiting for a writer: reads end at once when
	// there is none.
	f, err := input.OpenNoWait(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if off > 0 {
		if _, err := f.Seek(int64(off), io.SeekStart); err != nil {
			if off > input.StreamLimit {
				return nil, fmt.Errorf("cannot skip %#x bytes of a stream (more than %s)", off, input.Bytes(input.StreamLimit))
			}
			if _, err := io.CopyN(io.Discard, f, int64(off)); err != nil && err != io.EOF {
				return nil, err
			}
		}
	}
	size := length
	if st.Mode().IsRegular() {
		// Allocate no more than the file holds past off.
		left := uint64(0)
		if uint64(st.Size()) > off {
			left = uint64(st.Size()) - off
		}
		if left < size {
			size = left
		}
	}
	buf := make([]byte, size)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	return buf[:n], nil
}

// array parses [/bits/ N] '<' (integer_prim | reference | label)* '>'.
func (c *compiler) array(v *value) error {
	bits := uint64(32)
	if c.tok.kind == tBits {
		if err := c.advance(); err != nil {
			return err
		}
		if c.tok.kind != tLiteral {
			return c.syntaxError()
		}
		bits = c.tok.num
		switch bits {
		case 8, 16, 32, 64:
		default:
			c.fail(c.tok.pos, "Array elements must be 8, 16, 32 or 64-bits")
			bits = 32
		}
		if err := c.advance(); err != nil {
			return err
		}
	}
	v.mark(map[uint64]markerKind{8: typeU8, 16: typeU16, 32: typeU32, 64: typeU64}[bits], "", c.tok.pos)
	if err := c.expectChar('<'); err != nil {
		return err
	}
	for !c.isChar('>') {
		switch c.tok.kind {
		case tLabel:
			if err := c.valueLabel(v); err != nil {
				return err
			}
		case tLabelRef, tPathRef:
			if bits == 32 {
				v.markers = append(v.markers, marker{kind: refPhandle, offset: len(v.b), ref: c.tok.text, pos: c.tok.pos})
			} else {
				c.fail(c.tok.pos, "References are only allowed in arrays with 32-bit elements.")
			}
			v.b = appendInteger(v.b, ^uint64(0)>>(64-bits), bits)
			if err := c.advance(); err != nil {
				return err
			}
		default:
			p := c.tok.pos
			x, err := c.integerPrim()
			if err != nil {
				return err
			}
			if bits < 64 {
				mask := uint64(1)<<bits - 1
				if x > mask && x|mask != ^uint64(0) {
					c.fail(p, "Value out of range for %d-bit array element", bits)
				}
			}
			v.b = appendInteger(v.b, x, bits)
		}
	}
	return c.advance()
}

func appendInteger(b []byte, x, bits uint64) []byte {
	for shift := int(bits) - 8; shift >= 0; shift -= 8 {
		b = append(b, byte(x>>uint(shift)))
	}
	return b
}

// integerPrim parses a literal, a character literal or '(' expr ')'.
func (c *compiler) integerPrim() (uint64, error) {
	switch {
	case c.tok.kind == tLiteral || c.tok.kind == tCharLiteral:
		x := c.tok.num
		return x, c.advance()
	case c.isChar('('):
		if err := c.advance(); err != nil {
			return 0, err
		}
		x, err := c.expr()
		if err != nil {
			return 0, err
		}
		return x, c.expectChar(')')
	}
	return 0, c.syntaxError()
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// expr is integer_trinary: or-expression, optionally '?' expr ':' trinary.
func (c *compiler) expr() (uint64, error) {
	if err := c.enterExpr(); err != nil {
		return 0, err
	}
	defer func() { c.exprDepth-- }()
	cond, err := c.binary(0)
	if err != nil {
		return 0, err
	}
	if !c.isChar('?') {
		return cond, nil
	}
	if err := c.advance(); err != nil {
		return 0, err
	}
	a, err := c.expr()
	if err != nil {
		return 0, err
	}
	if err := c.expectChar(':'); err != nil {
		return 0, err
	}
	b, err := c.expr()
	if err != nil {
		return 0, err
	}
	if cond != 0 {
		return a, nil
	}
	return b, nil
}

// Binary operator precedence levels, loosest first, as in C.
var binaryLevels = [][]string{
	{"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", ">", "<=", ">="}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"},
}

func (c *compiler) binaryOp() string {
	switch c.tok.kind {
	case tOr:
		return "||"
	case tAnd:
		return "&&"
	case tEQ:
		return "=="
	case tNE:
		return "!="
	case tLE:
		return "<="
	case tGE:
		return ">="
	case tLShift:
		return "<<"
	case tRShift:
		return ">>"
	case tChar:
		switch c.tok.ch {
		case '|', '^', '&', '<', '>', '+', '-', '*', '/', '%':
			return string(c.tok.ch)
		}
	}
	return ""
}

func (c *compiler) binary(level int) (uint64, error) {
	if level == len(binaryLevels) {
		return c.unary()
	}
	x, err := c.binary(level + 1)
	if err != nil {
		return 0, err
	}
	for {
		op := c.binaryOp()
		found := false
		for _, o := range binaryLevels[level] {
			if o == op {
				found = true
			}
		}
		if !found {
			return x, nil
		}
		p := c.tok.pos
		if err := c.advance(); err != nil {
			return 0, err
		}
		y, err := c.binary(level + 1)
		if err != nil {
			return 0, err
		}
		switch op {
		case "||":
			x = b2u(x != 0 || y != 0)
		case "&&":
			x = b2u(x != 0 && y != 0)
		case "|":
			x |= y
		case "^":
			x ^= y
		case "&":
			x &= y
		case "==":
			x = b2u(x == y)
		case "!=":
			x = b2u(x != y)
		case "<":
			x = b2u(x < y)
		case ">":
			x = b2u(x > y)
		case "<=":
			x = b2u(x <= y)
		case ">=":
			x = b2u(x >= y)
		case "<<":
			if y < 64 {
				x <<= y
			} else {
				x = 0
			}
		case ">>":
			if y < 64 {
				x >>= y
			} else {
				x = 0
			}
		case "+":
			x += y
		case "-":
			x -= y
		case "*":
			x *= y
		case "/", "%":
			if y == 0 {
				c.fail(p, "Division by zero")
				x = 0
			} else if op == "/" {
				x /= y
			} else {
				x %= y
			}
		}
	}
}

// enterExpr counts one more level of expression nesting.
func (c *compiler) enterExpr() error {
	c.exprDepth++
	if c.exprDepth > maxExprDepth {
		return &Error{Pos: c.tok.pos, Msg: fmt.Sprintf("expression nested too deep (more than %d levels)", maxExprDepth)}
	}
	return nil
}

func (c *compiler) unary() (uint64, error) {
	if err := c.enterExpr(); err != nil {
		return 0, err
	}
	defer func() { c.exprDepth-- }()
	if c.tok.kind == tChar {
		switch ch := c.tok.ch; ch {
		case '-', '~', '!':
			if err := c.advance(); err != nil {
				return 0, err
			}
			x, err := c.unary()
			if err != nil {
				return 0, err
			}
			switch ch {
			case '-':
				return -x, nil
			case '~':
				return ^x, nil
			}
			return b2u(x == 0), nil
		}
	}
	return c.integerPrim()
}
