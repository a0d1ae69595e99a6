package dts

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Pos is a source position; Line and Col count from 1.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Error is a compile error at a source position (or, for errors found
// after parsing, naming the node path).
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string {
	if e.Pos.File == "" {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

type tokKind int

const (
	tEOF tokKind = iota
	tChar
	tV1
	tPlugin
	tMemreserve
	tBits
	tDelProp
	tDelNode
	tOmitNoRef
	tIncbin
	tLabel
	tLiteral
	tCharLiteral
	tLabelRef
	tPathRef
	tByte
	tPropNodeName
	tString
	tLShift
	tRShift
	tLE
	tGE
	tEQ
	tNE
	tAnd
	tOr
)

type token struct {
	kind tokKind
	ch   byte   // tChar
	text string // names, labels, references
	num  uint64 // literals, bytes
	data []byte // string contents after escapes, NUL-terminated
	pos  Pos
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tChar:
		return fmt.Sprintf("'%c'", t.ch)
	case tLabel:
		return "label " + t.text + ":"
	case tPropNodeName:
		return "name " + strconv.Quote(t.text)
	case tLiteral:
		return "integer"
	case tString:
		return "string"
	case tLabelRef, tPathRef:
		return "reference &" + t.text
	}
	return "token"
}

// Lexer states, as in dtc's scanner: names are only recognised after '{',
// ';' and the delete/omit keywords; integers only in the default state;
// hex byte pairs only inside '[ ]'.
type lexState int

const (
	stInitial lexState = iota
	stV1
	stBytes
	stPropNodeName
)

type source struct {
	name string // name used in positions (changed by # line markers)
	dir  string // directory for relative /include/ and /incbin/
	src  []byte
	off  int
	line int
	col  int
}

type lexer struct {
	stack []*source
	state lexState
	c     *compiler
}

const maxIncludeDepth = 200

func isPropNodeChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(",._+*#?@-", c) >= 0
}

func isLabelStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isLabelChar(c byte) bool  { return isLabelStart(c) || c >= '0' && c <= '9' }
func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func (s *source) pos() Pos { return Pos{s.name, s.line, s.col} }

// advance moves over n bytes, counting lines and columns.
func (s *source) advance(n int) {
	for i := 0; i < n; i++ {
		if s.src[s.off] == '\n' {
			s.line++
			s.col = 1
		} else {
			s.col++
		}
		s.off++
	}
}

func (l *lexer) errorf(p Pos, format string, args ...interface{}) error {
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

// matchString returns the length of a dtc string token \"([^\\"]|\\.)*\"
// starting at b[0]=='"', or 0.
func matchString(b []byte) int {
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			if i+1 >= len(b) || b[i+1] == '\n' {
				return 0
			}
			i++
		case '"':
			return i + 1
		}
	}
	return 0
}

// matchCharLiteral returns the length of the longest match of
// '([^']|\\')*' at b[0]=='\”, or 0: a quote preceded by a backslash may
// either close the literal or be part of it, an unescaped one closes it.
func matchCharLiteral(b []byte) int {
	best := 0
	for i := 1; i < len(b); i++ {
		if b[i] != '\'' {
			continue
		}
		best = i + 1
		if b[i-1] != '\\' || i-1 == 0 {
			break
		}
	}
	return best
}

// matchLineMarker matches a cpp line marker ^#(line)?[ \t]+[0-9]+[ \t]+STRING([ \t]+[0-9]+)*
// and returns its length, the line number and the file name.
func matchLineMarker(b []byte) (int, int, string) {
	i := 1
	if strings.HasPrefix(string(b[i:min(len(b), i+4)]), "line") {
		i += 4
	}
	spaces := func() int {
		j := i
		for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		return j - i
	}
	digits := func() int {
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		return j - i
	}
	n := spaces()
	if n == 0 {
		return 0, 0, ""
	}
	i += n
	n = digits()
	if n == 0 {
		return 0, 0, ""
	}
	line, _ := strconv.Atoi(string(b[i : i+n]))
	i += n
	n = spaces()
	if n == 0 || i+n >= len(b) || b[i+n] != '"' {
		return 0, 0, ""
	}
	i += n
	sl := matchString(b[i:])
	if sl == 0 {
		return 0, 0, ""
	}
	name, ok := unescape(b[i+1:i+sl-1], '"')
	if !ok {
		return 0, 0, ""
	}
	i += sl
	for {
		save := i
		n = spaces()
		if n == 0 {
			break
		}
		i += n
		if d := digits(); d > 0 {
			i += d
			continue
		}
		i = save
		break
	}
	return i, line, string(name[:len(name)-1])
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

var keywords = []struct {
	text  string
	kind  tokKind
	state lexState // -1: unchanged
}{
	{"/dts-v1/", tV1, stV1},
	{"/plugin/", tPlugin, -1},
	{"/memreserve/", tMemreserve, stV1},
	{"/bits/", tBits, stV1},
	{"/delete-property/", tDelProp, stPropNodeName},
	{"/delete-node/", tDelNode, stPropNodeName},
	{"/omit-if-no-ref/", tOmitNoRef, stPropNodeName},
}

// next returns the next token, following dtc's scanner rule by rule.
func (l *lexer) next() (token, error) {
	for {
		if len(l.stack) == 0 {
			return token{kind: tEOF}, nil
		}
		s := l.stack[len(l.stack)-1]
		if s.off >= len(s.src) {
			if len(l.stack) == 1 {
				return token{kind: tEOF, pos: s.pos()}, nil
			}
			l.stack = l.stack[:len(l.stack)-1]
			continue
		}
		b := s.src[s.off:]
		p := s.pos()
		c := b[0]
		atLineStart := s.off == 0 || s.src[s.off-1] == '\n'

		if c == '#' && atLineStart {
			if n, line, name := matchLineMarker(b); n > 0 {
				s.advance(n)
				s.name = name
				s.line = line - 1 // the marker names the next line
				continue
			}
		}
		if c == '/' && len(b) > 1 {
			if b[1] == '*' {
				end := bytes.Index(b[2:], []byte("*/"))
				if end < 0 {
					return token{}, l.errorf(p, "unterminated comment")
				}
				s.advance(end + 4)
				continue
			}
			// A // comment needs its newline, as in dtc's scanner; at the
			// very end of a file the slashes are tokens (a syntax error).
			if b[1] == '/' && bytes.IndexByte(b, '\n') >= 0 {
				end := bytes.IndexByte(b, '\n')
				s.advance(end + 1)
				continue
			}
			if strings.HasPrefix(string(b[:min(len(b), 9)]), "/include/") {
				i := 9
				for i < len(b) && isSpace(b[i]) {
					i++
				}
				if i < len(b) && b[i] == '"' {
					if n := matchString(b[i:]); n > 0 {
						name := string(b[i+1 : i+n-1])
						s.advance(i + n)
						if err := l.push(name, p); err != nil {
							return token{}, err
						}
						continue
					}
				}
			}
			for _, kw := range keywords {
				if strings.HasPrefix(string(b[:min(len(b), len(kw.text))]), kw.text) {
					s.advance(len(kw.text))
					if kw.state >= 0 {
						l.state = kw.state
					}
					return token{kind: kw.kind, pos: p}, nil
				}
			}
			if (l.state == stInitial || l.state == stV1) && strings.HasPrefix(string(b[:min(len(b), 8)]), "/incbin/") {
				s.advance(8)
				return token{kind: tIncbin, pos: p}, nil
			}
		}
		if isSpace(c) {
			n := 1
			for n < len(b) && isSpace(b[n]) {
				n++
			}
			s.advance(n)
			continue
		}
		if c == '"' {
			n := matchString(b)
			if n == 0 {
				return token{}, l.errorf(p, "unterminated string")
			}
			data, ok := unescape(b[1:n-1], '"')
			if !ok {
				return token{}, l.errorf(p, "\\x used with no following hex digits")
			}
			s.advance(n)
			return token{kind: tString, data: data, pos: p}, nil
		}
		if isLabelStart(c) {
			n := 1
			for n < len(b) && isLabelChar(b[n]) {
				n++
			}
			if n < len(b) && b[n] == ':' {
				s.advance(n + 1)
				return token{kind: tLabel, text: string(b[:n]), pos: p}, nil
			}
		}
		switch l.state {
		case stPropNodeName:
			start := 0
			if c == '\\' {
				start = 1
			}
			n := start
			for n < len(b) && isPropNodeChar(b[n]) {
				n++
			}
			if n > start {
				s.advance(n)
				l.state = stV1
				return token{kind: tPropNodeName, text: string(b[start:n]), pos: p}, nil
			}
		case stBytes:
			if len(b) >= 2 && isHex(b[0]) && isHex(b[1]) {
				v, _ := strconv.ParseUint(string(b[:2]), 16, 8)
				s.advance(2)
				return token{kind: tByte, num: v, pos: p}, nil
			}
			if c == ']' {
				s.advance(1)
				l.state = stV1
				return token{kind: tChar, ch: ']', pos: p}, nil
			}
		case stInitial, stV1:
			if c >= '0' && c <= '9' {
				return l.literal(s, b, p)
			}
		}
		if c == '\'' {
			if n := matchCharLiteral(b); n > 0 {
				d, ok := unescape(b[1:n-1], '\'')
				if !ok {
					return token{}, l.errorf(p, "\\x used with no following hex digits")
				}
				s.advance(n)
				switch {
				case len(d) == 1:
					return token{}, l.errorf(p, "Empty character literal")
				case len(d) > 2:
					return token{}, l.errorf(p, "Character literal has %d characters instead of 1", len(d)-1)
				}
				return token{kind: tCharLiteral, num: uint64(d[0]), pos: p}, nil
			}
		}
		if c == '&' && len(b) > 1 {
			if isLabelStart(b[1]) {
				n := 2
				for n < len(b) && isLabelChar(b[n]) {
					n++
				}
				s.advance(n)
				return token{kind: tLabelRef, text: string(b[1:n]), pos: p}, nil
			}
			if b[1] == '{' && len(b) > 2 && b[2] == '/' {
				n := 3
				for n < len(b) && (isPropNodeChar(b[n]) || b[n] == '/') {
					n++
				}
				if n < len(b) && b[n] == '}' {
					s.advance(n + 1)
					return token{kind: tPathRef, text: string(b[2:n]), pos: p}, nil
				}
			}
		}
		if len(b) > 1 {
			var k tokKind
			switch string(b[:2]) {
			case "<<":
				k = tLShift
			case ">>":
				k = tRShift
			case "<=":
				k = tLE
			case ">=":
				k = tGE
			case "==":
				k = tEQ
			case "!=":
				k = tNE
			case "&&":
				k = tAnd
			case "||":
				k = tOr
			}
			if k != 0 {
				s.advance(2)
				return token{kind: k, pos: p}, nil
			}
		}
		s.advance(1)
		switch c {
		case '[':
			l.state = stBytes
		case '{', ';':
			l.state = stPropNodeName
		}
		return token{kind: tChar, ch: c, pos: p}, nil
	}
}

// literal scans ([0-9]+|0[xX][0-9a-fA-F]+)(U|L|UL|LL|ULL)? and converts it
// as strtoull(..., 0) does (a leading 0 means octal).
func (l *lexer) literal(s *source, b []byte, p Pos) (token, error) {
	n := 0
	hex := false
	if len(b) > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X') && isHex(b[2]) {
		hex = true
		n = 2
		for n < len(b) && isHex(b[n]) {
			n++
		}
	} else {
		for n < len(b) && b[n] >= '0' && b[n] <= '9' {
			n++
		}
	}
	digits := string(b[:n])
	for _, suf := range []string{"ULL", "UL", "LL", "U", "L"} {
		if strings.HasPrefix(string(b[n:min(len(b), n+len(suf))]), suf) {
			n += len(suf)
			break
		}
	}
	text := string(b[:n])
	s.advance(n)
	var v uint64
	var err error
	switch {
	case hex:
		v, err = strconv.ParseUint(digits[2:], 16, 64)
	case len(digits) > 1 && digits[0] == '0':
		// strtoull stops at the first non-octal digit; dtc then rejects
		// the rest unless it is only U/L suffix letters.
		j := 1
		for j < len(digits) && digits[j] <= '7' {
			j++
		}
		if j < len(digits) {
			return token{}, l.errorf(p, "Bad integer literal '%s'", text)
		}
		v, err = strconv.ParseUint(digits[1:], 8, 64)
	default:
		v, err = strconv.ParseUint(digits, 10, 64)
	}
	if err != nil {
		return token{}, l.errorf(p, "Integer literal '%s' out of range", text)
	}
	return token{kind: tLiteral, num: v, pos: p}, nil
}

// unescape applies dtc's string escapes (\a \b \t \n \v \f \r, octal up
// to 3 digits, \x up to 2 hex digits, anything else literally) and appends
// the terminating NUL. closing is the delimiter after s: like dtc, a
// backslash at the very end escapes it.
func unescape(s []byte, closing byte) ([]byte, bool) {
	out := make([]byte, 0, len(s)+1)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(s) {
			out = append(out, closing)
			break
		}
		c = s[i]
		switch c {
		case 'a':
			out = append(out, '\a')
		case 'b':
			out = append(out, '\b')
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'v':
			out = append(out, '\v')
		case 'f':
			out = append(out, '\f')
		case 'r':
			out = append(out, '\r')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v, j := 0, i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				v = v*8 + int(s[j]-'0')
				j++
			}
			out = append(out, byte(v))
			i = j - 1
		case 'x':
			v, j := 0, i+1
			for j < len(s) && j < i+3 && isHex(s[j]) {
				d, _ := strconv.ParseUint(string(s[j]), 16, 8)
				v = v*16 + int(d)
				j++
			}
			if j == i+1 {
				return nil, false
			}
			out = append(out, byte(v))
			i = j - 1
		default:
			out = append(out, c)
		}
	}
	return append(out, 0), true
}

// push opens an included file, relative to the including file's directory
// first, then to each include directory, as dtc does.
func (l *lexer) push(name string, at Pos) error {
	if len(l.stack) >= maxIncludeDepth {
		return l.errorf(at, "Includes nested too deeply")
	}
	dir := ""
	if len(l.stack) > 0 {
		dir = l.stack[len(l.stack)-1].dir
	}
	data, full, err := l.c.open(name, dir)
	if err != nil {
		return l.errorf(at, "Couldn't open \"%s\": %v", name, err)
	}
	l.stack = append(l.stack, &source{name: full, dir: filepath.Dir(full), src: data, line: 1, col: 1})
	return nil
}
