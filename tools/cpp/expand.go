package cpp

import (
	"fmt"
	"strconv"
	"strings"
)

// Bounds on macro expansion, far above what real sources need.
const (
	maxExpansionSteps  = 100000000
	maxExpansionTokens = 4000000
)

func withHide(t token, hs map[string]bool) token {
	if len(hs) == 0 {
		return t
	}
	n := make(map[string]bool, len(t.hide)+len(hs))
	for k := range t.hide {
		n[k] = true
	}
	for k := range hs {
		n[k] = true
	}
	t.hide = n
	return t
}

// collectArgs reads a parenthesised argument list starting at toks[0]=='('.
// It returns the arguments, the index after ')', and ok=false if the list
// is not closed within toks.
func collectArgs(toks []token) (args [][]token, end int, ok bool) {
	depth := 0
	var cur []token
	for i := 1; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tPunct {
			switch t.text {
			case "(":
				depth++
			case ")":
				if depth == 0 {
					args = append(args, cur)
					return args, i + 1, true
				}
				depth--
			case ",":
				if depth == 0 {
					args = append(args, cur)
					cur = nil
					continue
				}
			}
		}
		cur = append(cur, t)
	}
	return nil, 0, false
}

// expand macro-expands toks with hide sets (Prosser's algorithm). When
// allowIncomplete is set, a function-like macro whose argument list is not
// closed by the end of toks stops the expansion, and the tokens from its
// name on come back as rest, to be completed by the next line.
func (st *state) expand(toks []token, allowIncomplete bool) (out, rest []token, err error) {
	in := append([]token{}, toks...)
	for len(in) > 0 {
		// A budget over the whole run: nested calls like f(f(f(x))) with
		// "#define f(x) x x" grow exponentially.
		st.steps++
		if st.steps > maxExpansionSteps || len(in)+len(out) > maxExpansionTokens {
			return nil, nil, fmt.Errorf("macro expansion too large")
		}
		t := in[0]
		m := st.macros[t.text]
		if t.kind == tIdent && m == nil && (t.text == "__FILE__" || t.text == "__LINE__") {
			r := token{kind: tString, text: `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(st.curFile) + `"`, space: t.space, edge: t.edge}
			if t.text == "__LINE__" {
				r = token{kind: tNumber, text: strconv.Itoa(st.curLine), space: t.space, edge: t.edge}
			}
			out = append(out, r)
			in = in[1:]
			continue
		}
		if t.kind != tIdent || m == nil || t.hide[t.text] {
			out = append(out, t)
			in = in[1:]
			continue
		}
		if !m.function {
			hs := map[string]bool{m.name: true}
			for k := range t.hide {
				hs[k] = true
			}
			exp, err := st.substitute(m, nil, hs, t.space)
			if err != nil {
				return nil, nil, err
			}
			in = append(exp, markEdge(in[1:])...)
			continue
		}
		if len(in) == 1 {
			if allowIncomplete {
				return out, in, nil
			}
			out = append(out, t)
			in = in[1:]
			continue
		}
		if in[1].kind != tPunct || in[1].text != "(" {
			out = append(out, t)
			in = in[1:]
			continue
		}
		args, end, ok := collectArgs(in[1:])
		if !ok {
			if allowIncomplete {
				return out, in, nil
			}
			return nil, nil, fmt.Errorf("unterminated argument list invoking macro \"%s\"", m.name)
		}
		end++ // collectArgs counted from in[1]
		if len(m.params) == 0 && len(args) == 1 && len(args[0]) == 0 {
			args = nil
		}
		if m.variadic {
			fixed := len(m.params) - 1
			if len(args) < fixed {
				return nil, nil, fmt.Errorf("macro \"%s\" requires at least %d arguments, but only %d given", m.name, fixed, len(args))
			}
			if len(args) > fixed {
				var va []token
				for i, a := range args[fixed:] {
					if i > 0 {
						va = append(va, token{kind: tPunct, text: ","})
					}
					va = append(va, a...)
				}
				args = append(args[:fixed:fixed], va)
			} else {
				args = append(args, nil)
			}
		} else if len(args) != len(m.params) {
			return nil, nil, fmt.Errorf("macro \"%s\" passed %d arguments, but takes %d", m.name, len(args), len(m.params))
		}
		// The expansion's hide set: the name's and ')''s, plus the macro.
		rparen := in[end-1]
		hs := map[string]bool{m.name: true}
		for k := range t.hide {
			if rparen.hide[k] {
				hs[k] = true
			}
		}
		exp, err := st.substitute(m, args, hs, t.space)
		if err != nil {
			return nil, nil, err
		}
		in = append(exp, markEdge(in[end:])...)
	}
	return out, nil, nil
}

// substitute builds a macro's replacement: parameters replaced by their
// fully expanded arguments, or by the raw ones next to # and ##.
func (st *state) substitute(m *macro, args [][]token, hs map[string]bool, space bool) ([]token, error) {
	var out []token
	body := m.body
	afterArg := false
	for i := 0; i < len(body); i++ {
		t := body[i]
		if afterArg && t.param == 0 {
			t.edge = true
		}
		afterArg = false
		switch {
		case m.function && t.kind == tPunct && t.text == "#" && i+1 < len(body) && body[i+1].param > 0:
			s := stringize(args[body[i+1].param-1])
			out = append(out, token{kind: tString, text: s, space: t.space})
			i++
		case t.kind == tPunct && t.text == "##" && len(out) > 0 && i+1 < len(body):
			next := body[i+1]
			i++
			var rhs []token
			if next.param > 0 {
				rhs = args[next.param-1]
			} else {
				rhs = []token{next}
			}
			if len(rhs) == 0 {
				continue
			}
			lhs := out[len(out)-1]
			if lhs.kind == tPunct && lhs.text == "" { // placemarker
				out[len(out)-1] = rhs[0]
				out[len(out)-1].space = lhs.space
			} else {
				pasted := tokenize(lhs.text + rhs[0].text)
				if len(pasted) == 1 {
					p := pasted[0]
					p.space = lhs.space
					p.hide = lhs.hide
					out[len(out)-1] = p
				} else {
					// In assembler mode an invalid paste is not an error:
					// the two tokens stay side by side.
					r := rhs[0]
					r.space = false
					out = append(out, r)
				}
			}
			out = append(out, rhs[1:]...)
		case t.param > 0:
			arg := args[t.param-1]
			pasteNext := i+1 < len(body) && body[i+1].kind == tPunct && body[i+1].text == "##"
			var sub []token
			if pasteNext {
				sub = append([]token{}, arg...)
				if len(sub) == 0 {
					// A placemarker, so that ## has a left operand.
					sub = []token{{kind: tPunct, text: "", space: t.space}}
				}
			} else {
				x, _, err := st.expand(arg, false)
				if err != nil {
					return nil, err
				}
				sub = x
			}
			if len(sub) > 0 {
				sub[0].space = t.space
				sub[0].edge = true
			}
			out = append(out, sub...)
			if !pasteNext && i+1 < len(body) {
				afterArg = true
			}
		default:
			out = append(out, t)
		}
	}
	var res []token
	for _, t := range out {
		if t.kind == tPunct && t.text == "" {
			continue
		}
		res = append(res, withHide(t, hs))
	}
	if len(res) > 0 {
		res[0].space = space
		res[0].edge = true
	}
	return res, nil
}

// markEdge flags the token after an expansion as a macro boundary.
func markEdge(rest []token) []token {
	if len(rest) == 0 {
		return rest
	}
	r := append([]token{}, rest...)
	r[0].edge = true
	return r
}

// stringize is the # operator: the argument's spelling in a string
// literal, with quotes and backslashes inside literals escaped.
func stringize(arg []token) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, t := range arg {
		if i > 0 && t.space {
			b.WriteByte(' ')
		}
		if t.kind == tString {
			for j := 0; j < len(t.text); j++ {
				if t.text[j] == '"' || t.text[j] == '\\' {
					b.WriteByte('\\')
				}
				b.WriteByte(t.text[j])
			}
			continue
		}
		b.WriteString(t.text)
	}
	b.WriteByte('"')
	return b.String()
}

// evalCondition evaluates a #if expression: defined is resolved first,
// then macros are expanded and remaining identifiers count as 0.
func (st *state) evalCondition(s string) (int64, error) {
	toks := tokenize(s)
	var pre []token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tIdent || t.text != "defined" {
			pre = append(pre, t)
			continue
		}
		j := i + 1
		paren := j < len(toks) && toks[j].text == "("
		if paren {
			j++
		}
		if j >= len(toks) || toks[j].kind != tIdent {
			return 0, fmt.Errorf("operator \"defined\" requires an identifier")
		}
		name := toks[j].text
		if paren {
			j++
			if j >= len(toks) || toks[j].text != ")" {
				return 0, fmt.Errorf("missing ')' after \"defined\"")
			}
		}
		v := "0"
		if st.macros[name] != nil {
			v = "1"
		}
		pre = append(pre, token{kind: tNumber, text: v, space: t.space})
		i = j
	}
	exp, _, err := st.expand(pre, false)
	if err != nil {
		return 0, err
	}
	for i := range exp {
		if exp[i].kind == tIdent {
			exp[i] = token{kind: tNumber, text: "0", space: exp[i].space}
		}
	}
	// Tokens are whole operators already; spaces keep them apart.
	texts := make([]string, len(exp))
	for i, t := range exp {
		texts[i] = t.text
	}
	p := &exprParser{src: strings.Join(texts, " ")}
	if err := p.next(); err != nil {
		return 0, err
	}
	v, err := p.comma()
	if err != nil {
		return 0, err
	}
	if p.tok != "" {
		return 0, fmt.Errorf("missing binary operator before token \"%s\"", p.tok)
	}
	return int64(v.v), nil
}

// cval is a #if value: C's intmax_t or uintmax_t.
type cval struct {
	v        uint64
	unsigned bool
}

type exprParser struct {
	src string
	pos int
	tok string
	num cval
}

var exprOps = []string{"<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+", "-", "*", "/", "%", "<", ">", "&", "|", "^", "~", "!", "?", ":", "(", ")", ","}

func (p *exprParser) next() error {
	for p.pos < len(p.src) && strings.IndexByte(" \t", p.src[p.pos]) >= 0 {
		p.pos++
	}
	if p.pos >= len(p.src) {
		p.tok = ""
		return nil
	}
	s := p.src[p.pos:]
	c := s[0]
	switch {
	case isDigit(c):
		j := 0
		for j < len(s) && (isIdentChar(s[j]) || s[j] == '.') {
			j++
		}
		lit := s[:j]
		p.pos += j
		p.tok = "num"
		digits := strings.TrimRight(lit, "uUlL")
		unsigned := strings.ContainsAny(lit[len(digits):], "uU")
		v, err := strconv.ParseUint(digits, 0, 64)
		if err != nil {
			return fmt.Errorf("invalid integer \"%s\" in #if", lit)
		}
		p.num = cval{v, unsigned || v > 1<<63-1}
		return nil
	case c == '\'':
		end := closingQuote(s, 0)
		if end < 0 {
			return fmt.Errorf("missing terminating ' character")
		}
		body := s[1:end]
		p.pos += end + 1
		p.tok = "num"
		v, err := charValue(body)
		p.num = cval{uint64(v), false}
		return err
	}
	for _, op := range exprOps {
		if strings.HasPrefix(s, op) {
			p.tok = op
			p.pos += len(op)
			return nil
		}
	}
	return fmt.Errorf("token \"%c\" is not valid in preprocessor expressions", c)
}

// charValue is a character constant's value as GCC computes it: one char
// is a signed char; several make an int, eight bits each, last char lowest.
func charValue(body string) (int64, error) {
	var chars []byte
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' || i+1 >= len(body) {
			chars = append(chars, c)
			continue
		}
		i++
		switch e := body[i]; e {
		case 'n':
			chars = append(chars, '\n')
		case 't':
			chars = append(chars, '\t')
		case 'r':
			chars = append(chars, '\r')
		case 'a':
			chars = append(chars, '\a')
		case 'b':
			chars = append(chars, '\b')
		case 'f':
			chars = append(chars, '\f')
		case 'v':
			chars = append(chars, '\v')
		case 'e', 'E':
			chars = append(chars, 0x1b)
		case 'x':
			v, j := 0, i+1
			for j < len(body) && isHexDigit(body[j]) {
				d, _ := strconv.ParseUint(body[j:j+1], 16, 8)
				v = v*16 + int(d)
				j++
			}
			if j == i+1 {
				return 0, fmt.Errorf("\\x used with no following hex digits")
			}
			chars = append(chars, byte(v))
			i = j - 1
		default:
			if e >= '0' && e <= '7' {
				v, j := 0, i
				for j < len(body) && j < i+3 && body[j] >= '0' && body[j] <= '7' {
					v = v*8 + int(body[j]-'0')
					j++
				}
				chars = append(chars, byte(v))
				i = j - 1
			} else {
				chars = append(chars, e)
			}
		}
	}
	switch len(chars) {
	case 0:
		return 0, fmt.Errorf("empty character constant")
	case 1:
		return int64(int8(chars[0])), nil
	}
	var v uint32
	for _, c := range chars {
		v = v<<8 | uint32(c)
	}
	return int64(int32(v)), nil
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func (p *exprParser) expect(op string) error {
	if p.tok != op {
		return fmt.Errorf("expected '%s' in #if expression", op)
	}
	return p.next()
}

// comma is the comma operator, which GCC only warns about in #if.
func (p *exprParser) comma() (cval, error) {
	v, err := p.ternary()
	for err == nil && p.tok == "," {
		if err = p.next(); err == nil {
			v, err = p.ternary()
		}
	}
	return v, err
}

func (p *exprParser) ternary() (cval, error) {
	c, err := p.binary(0)
	if err != nil || p.tok != "?" {
		return c, err
	}
	if err := p.next(); err != nil {
		return c, err
	}
	a, err := p.ternary()
	if err != nil {
		return c, err
	}
	if err := p.expect(":"); err != nil {
		return c, err
	}
	b, err := p.ternary()
	if err != nil {
		return c, err
	}
	u := a.unsigned || b.unsigned
	if c.v != 0 {
		return cval{a.v, u}, nil
	}
	return cval{b.v, u}, nil
}

var exprLevels = [][]string{{"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", ">", "<=", ">="}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"}}

func truth(b bool) cval {
	if b {
		return cval{1, false}
	}
	return cval{0, false}
}

func (p *exprParser) binary(level int) (cval, error) {
	if level == len(exprLevels) {
		return p.unary()
	}
	x, err := p.binary(level + 1)
	if err != nil {
		return x, err
	}
	for {
		op := ""
		for _, o := range exprLevels[level] {
			if p.tok == o {
				op = o
			}
		}
		if op == "" {
			return x, nil
		}
		if err := p.next(); err != nil {
			return x, err
		}
		y, err := p.binary(level + 1)
		if err != nil {
			return x, err
		}
		u := x.unsigned || y.unsigned
		sx, sy := int64(x.v), int64(y.v)
		switch op {
		case "||":
			x = truth(x.v != 0 || y.v != 0)
		case "&&":
			x = truth(x.v != 0 && y.v != 0)
		case "|":
			x = cval{x.v | y.v, u}
		case "^":
			x = cval{x.v ^ y.v, u}
		case "&":
			x = cval{x.v & y.v, u}
		case "==":
			x = truth(x.v == y.v)
		case "!=":
			x = truth(x.v != y.v)
		case "<", ">", "<=", ">=":
			var lt, gt bool
			if u {
				lt, gt = x.v < y.v, x.v > y.v
			} else {
				lt, gt = sx < sy, sx > sy
			}
			x = truth(map[string]bool{"<": lt, ">": gt, "<=": !gt, ">=": !lt}[op])
		case "<<":
			x = cval{x.v << (y.v & 63), x.unsigned}
		case ">>":
			if x.unsigned {
				x = cval{x.v >> (y.v & 63), true}
			} else {
				x = cval{uint64(sx >> (y.v & 63)), false}
			}
		case "+":
			x = cval{x.v + y.v, u}
		case "-":
			x = cval{x.v - y.v, u}
		case "*":
			x = cval{x.v * y.v, u}
		case "/", "%":
			if y.v == 0 {
				return x, fmt.Errorf("division by zero in #if")
			}
			switch {
			case u && op == "/":
				x = cval{x.v / y.v, true}
			case u:
				x = cval{x.v % y.v, true}
			case op == "/":
				x = cval{uint64(sx / sy), false}
			default:
				x = cval{uint64(sx % sy), false}
			}
		}
	}
}

func (p *exprParser) unary() (cval, error) {
	switch p.tok {
	case "-", "+", "~", "!":
		op := p.tok
		if err := p.next(); err != nil {
			return cval{}, err
		}
		x, err := p.unary()
		if err != nil {
			return x, err
		}
		switch op {
		case "-":
			return cval{-x.v, x.unsigned}, nil
		case "~":
			return cval{^x.v, x.unsigned}, nil
		case "!":
			return truth(x.v == 0), nil
		}
		return x, nil
	case "(":
		if err := p.next(); err != nil {
			return cval{}, err
		}
		x, err := p.comma()
		if err != nil {
			return x, err
		}
		return x, p.expect(")")
	case "num":
		x := p.num
		return x, p.next()
	case "":
		return cval{}, fmt.Errorf("#if with no expression")
	}
	return cval{}, fmt.Errorf("token \"%s\" is not valid in preprocessor expressions", p.tok)
}
