// Package cpp is the part of the C preprocessor that device tree sources
// use, run the way the Linux kernel runs cpp on them
// (`cpp -nostdinc -undef -x assembler-with-cpp -I dir -D name`), so that
// `fwtool cpp` followed by `fwtool dtc` replaces the host tools in
// hermetic builds.
//
// Supported: #include "file" and <file>, object-like and function-like
// #define (with #, ## and __VA_ARGS__), #undef, #if/#ifdef/#ifndef/#elif/
// #else/#endif with defined and C integer arithmetic, #error, and cpp's
// assembler-mode rule that any other line starting with '#' (such as
// "#address-cells = <1>;") passes through unchanged. The output carries
// "# line "file"" markers, so dtc and fwtool dtc report positions in the
// original files. __FILE__, __LINE__ and GCC's -undef predefinitions
// (__STDC__, __STDC_HOSTED__, __ASSEMBLER__) are there. Not supported:
// __COUNTER__, __DATE__/__TIME__ (never reproducible), __has_include,
// #include_next, GCC's obsolete #assert predicates, and #line/#pragma,
// which pass through as text.
//
// Checked against GCC's cpp: curated cases, thousands of random macro
// sets and mutated sources (same tokens; GCC sometimes puts a space at a
// macro boundary where this package does not, never inside a token), and
// the ~1400 .dts files of a Linux tree, whose DTBs come out byte-identical
// through this package and package dts.
package cpp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Options configure Preprocess.
type Options struct {
	// IncludeDirs are searched for #include <f>, and for #include "f"
	// after the including file's directory (cpp -I).
	IncludeDirs []string
	// Defines are NAME or NAME=VALUE, as cpp -D (NAME alone means 1).
	Defines []string
	// Undefines are names removed after Defines (cpp -U).
	Undefines []string
	// ReadFile reads sources; os.ReadFile if nil.
	ReadFile func(name string) ([]byte, error)
	// Opened, if set, is told the path of every file #included, in order.
	Opened func(path string)
}

// WriteDeps formats a make rule "target: deps..." the way GCC's -MD does:
// each file once, lines wrapped before 72 columns, special characters
// escaped for make.
func WriteDeps(target string, deps []string) string {
	var b strings.Builder
	col := 0
	write := func(name string) {
		name = strings.NewReplacer(" ", "\\ ", "\t", "\\\t", "#", "\\#", "$", "$$").Replace(name)
		if col > 0 {
			if col+len(name) > 72 {
				b.WriteString(" \\\n")
				col = 0
			}
			col++
			b.WriteByte(' ')
		}
		b.WriteString(name)
		col += len(name)
	}
	write(target)
	b.WriteByte(':')
	col++
	seen := map[string]bool{}
	for _, d := range deps {
		if !seen[d] {
			seen[d] = true
			write(d)
		}
	}
	b.WriteByte('\n')
	return b.String()
}

// DepsTarget is GCC's default -MD target: the input's base name with its
// extension replaced by ".o".
func DepsTarget(input string) string {
	base := filepath.Base(input)
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	return base + ".o"
}

// Error is a preprocessing error at file:line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

type tokKind int

const (
	tIdent tokKind = iota
	tNumber
	tString // "..." or '...'
	tPunct
)

type token struct {
	kind  tokKind
	text  string
	space bool            // whitespace before it
	edge  bool            // first token of, or first token after, a macro expansion or argument
	hide  map[string]bool // macros that must not expand this token again
	param int             // in macro bodies: parameter index+1, 0 if none
}

type macro struct {
	name     string
	function bool
	params   []string
	variadic bool
	body     []token
}

type state struct {
	opts   Options
	macros map[string]*macro
	out    strings.Builder
	depth  int
	steps  int // expansion work done, bounded by maxExpansionSteps

	// Where the text being expanded comes from, for __FILE__ and __LINE__.
	curFile string
	curLine int
}

const maxIncludeDepth = 200

// Preprocess reads and preprocesses a file.
func Preprocess(path string, opts Options) ([]byte, error) {
	read := opts.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	src, err := read(path)
	if err != nil {
		return nil, err
	}
	return PreprocessSource(path, src, opts)
}

// PreprocessSource preprocesses src, named path for markers and #include.
func PreprocessSource(path string, src []byte, opts Options) ([]byte, error) {
	if opts.ReadFile == nil {
		opts.ReadFile = os.ReadFile
	}
	st := &state{opts: opts, macros: map[string]*macro{}}
	// What GCC predefines for -undef -x assembler-with-cpp.
	for _, d := range []string{"__STDC__ 1", "__STDC_HOSTED__ 1", "__ASSEMBLER__ 1"} {
		if err := st.file("<built-in>", []byte("#define "+d+"\n"), false); err != nil {
			return nil, err
		}
	}
	for _, d := range opts.Defines {
		name, val, ok := strings.Cut(d, "=")
		if !ok {
			val = "1"
		}
		line := "#define " + name + " " + val
		if err := st.file("<command-line>", []byte(line+"\n"), false); err != nil {
			return nil, err
		}
	}
	for _, u := range opts.Undefines {
		delete(st.macros, u)
	}
	st.out.Reset()
	if err := st.file(path, src, true); err != nil {
		return nil, err
	}
	return []byte(st.out.String()), nil
}

// logicalLines splits src into lines after joining backslash-newline
// continuations; each entry records the physical line it starts on.
type logicalLine struct {
	text  string
	line  int
	lines int // physical lines covered
}

func splitLines(src []byte) []logicalLine {
	s := strings.ReplaceAll(string(src), "\r\n", "\n")
	phys := strings.Split(s, "\n")
	if len(phys) > 0 && phys[len(phys)-1] == "" {
		phys = phys[:len(phys)-1]
	}
	var out []logicalLine
	for i := 0; i < len(phys); i++ {
		start := i
		text := phys[i]
		// Only a backslash ending a physical line splices (GCC also
		// allows blanks between it and the newline).
		spliced := func(l string) bool { return strings.HasSuffix(strings.TrimRight(l, " \t"), "\\") }
		for spliced(phys[i]) && i+1 < len(phys) {
			i++
			text = strings.TrimRight(text, " \t")
			text = text[:len(text)-1] + phys[i]
		}
		if spliced(phys[i]) && i+1 == len(phys) && strings.HasSuffix(s, "\n") {
			// Backslash-newline at the end of the file joins with nothing.
			text = strings.TrimRight(text, " \t")
			text = text[:len(text)-1]
		}
		out = append(out, logicalLine{text: text, line: start + 1, lines: i - start + 1})
	}
	return out
}

type condState struct {
	active    bool // this branch is being emitted
	taken     bool // some branch of this #if was taken
	parentOff bool // the enclosing region is skipped
	sawElse   bool
}

func (st *state) blankLines(n int, emit bool) {
	if emit {
		st.out.WriteString(strings.Repeat("\n", n))
	}
}

func (st *state) marker(line int, file string, flag string) {
	fmt.Fprintf(&st.out, "# %d %q%s\n", line, file, flag)
}

func (st *state) file(path string, src []byte, emit bool) error {
	if st.depth >= maxIncludeDepth {
		return &Error{path, 1, "#include nested too deeply"}
	}
	st.depth++
	defer func() { st.depth-- }()
	lines := splitLines(src)
	var conds []condState
	active := func() bool { return len(conds) == 0 || conds[len(conds)-1].active }
	if emit {
		st.marker(1, path, "")
	}
	inComment := false
	tokensBeforeComment := false // the line an open comment began on had tokens
	// Text lines are collected so a function-like macro call may span
	// several lines, as in cpp.
	var pending []token
	pendingLine := 0
	lineOpen := false // the current output line has text
	var last token
	indent := ""
	write := func(toks []token) {
		if !emit {
			return
		}
		for _, t := range toks {
			if !lineOpen {
				// Original indentation keeps dtc's column numbers right;
				// like GCC, a '#' that a macro put at the start of a line
				// gets a space so it cannot read as a directive.
				st.out.WriteString(indent)
				if indent == "" && strings.HasPrefix(t.text, "#") && len(t.hide) > 0 {
					st.out.WriteByte(' ')
				}
			}
			if lineOpen && (t.space || t.edge && avoidPaste(last, t)) {
				st.out.WriteByte(' ')
			}
			st.out.WriteString(t.text)
			lineOpen, last = true, t
		}
	}
	endLine := func() {
		if emit {
			st.out.WriteByte('\n')
		}
		lineOpen = false
	}
	flush := func(final bool) error {
		if len(pending) == 0 {
			return nil
		}
		st.curFile, st.curLine = path, pendingLine
		out, rest, err := st.expand(pending, !final)
		if err != nil {
			return &Error{path, pendingLine, err.Error()}
		}
		write(out)
		pending = rest
		return nil
	}
	for li := 0; li < len(lines); li++ {
		ll := lines[li]
		text := ll.text
		startsInComment := inComment
		if inComment {
			end := strings.Index(text, "*/")
			if end < 0 {
				if len(pending) == 0 {
					endLine()
				}
				continue
			}
			text = strings.Repeat(" ", end+2) + text[end+2:]
			inComment = false
		}
		stripped, endsInComment := stripComments(text, false)
		trimmed := strings.TrimLeft(stripped, " \t")
		// A line that starts inside a comment continues the line the
		// comment began on: '#' is only a directive if that line had no
		// tokens before the comment.
		directiveAllowed := !startsInComment || !tokensBeforeComment
		if endsInComment {
			tokensBeforeComment = (startsInComment && tokensBeforeComment) || trimmed != ""
		}
		if strings.HasPrefix(trimmed, "#") && directiveAllowed {
			name, rest := directiveName(trimmed[1:])
			if name == "" && strings.TrimSpace(rest) == "" {
				// The null directive: a line holding only '#'.
				inComment = endsInComment
				if err := flush(true); err != nil {
					return err
				}
				if lineOpen {
					endLine()
				}
				st.blankLines(ll.lines, emit)
				continue
			}
			if isDirective(name) {
				// Inside the arguments of a macro call spanning lines, cpp
				// runs the directive and goes on collecting arguments.
				// A directive met while still looking for the '(' after a
				// function-like macro's name means there is no call.
				if len(pending) == 1 {
					if err := flush(true); err != nil {
						return err
					}
				}
				collecting := len(pending) > 0
				if !collecting && lineOpen {
					endLine()
				}
				// A /* comment left open continues the directive on the
				// following lines, as in cpp.
				span := ll.lines
				for endsInComment && li+1 < len(lines) {
					li++
					span += lines[li].lines
					next := lines[li].text
					end := strings.Index(next, "*/")
					if end < 0 {
						continue
					}
					more, open := stripComments(next[end+2:], false)
					rest += " " + more
					endsInComment = open
				}
				ll.lines = span
				inComment = endsInComment
				wasActive := active()
				if collecting && name == "include" && wasActive {
					return &Error{path, ll.line, "#include inside the arguments of a macro call is not supported"}
				}
				if _, err := st.directive(path, ll.line, name, rest, &conds, active, emit); err != nil {
					return err
				}
				// Keep output lines in step with the source: a blank line
				// per directive line, a marker after an included file (or
				// after the macro call, when collecting its arguments).
				if collecting {
					continue
				}
				if emit && name == "include" && wasActive {
					st.marker(ll.line+ll.lines, path, "")
				} else {
					st.blankLines(ll.lines, emit)
				}
				continue
			}
		}
		inComment = endsInComment
		if !active() {
			st.blankLines(ll.lines, emit)
			continue
		}
		toks := tokenize(stripped)
		if !lineOpen {
			indent = stripped[:len(stripped)-len(strings.TrimLeft(stripped, " \t"))]
		}
		spanning := len(pending) > 0
		if !spanning {
			pendingLine = ll.line
		} else if len(toks) > 0 {
			toks[0].space = true
		}
		pending = append(pending, toks...)
		if err := flush(false); err != nil {
			return err
		}
		if len(pending) > 0 {
			continue
		}
		endLine()
		if spanning && emit {
			st.marker(ll.line+ll.lines, path, "")
		} else {
			st.blankLines(ll.lines-1, emit)
		}
	}
	if err := flush(true); err != nil {
		return err
	}
	if lineOpen {
		endLine()
	}
	if inComment {
		return &Error{path, len(lines), "unterminated comment"}
	}
	if len(conds) > 0 {
		return &Error{path, len(lines), "unterminated conditional directive"}
	}
	return nil
}

// directiveName splits off a leading identifier (empty if there is none).
func directiveName(s string) (string, string) {
	s = strings.TrimLeft(s, " \t")
	if s == "" || !isIdentStart(s[0]) {
		return "", s
	}
	i := 1
	for i < len(s) && isIdentChar(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

func isDirective(name string) bool {
	switch name {
	case "include", "define", "undef", "if", "ifdef", "ifndef", "elif", "else", "endif", "error", "warning":
		return true
	}
	return false
}

// directive handles one directive line; handled reports whether a marker
// should resynchronise the output line numbers.
func (st *state) directive(path string, line int, name, rest string, conds *[]condState, active func() bool, emit bool) (bool, error) {
	errf := func(format string, a ...interface{}) error {
		return &Error{path, line, fmt.Sprintf(format, a...)}
	}
	rest = strings.TrimSpace(rest)
	switch name {
	case "ifdef", "ifndef":
		on := false
		if active() {
			id, _ := directiveName(rest)
			if id == "" {
				return false, errf("no macro name given in #%s directive", name)
			}
			_, def := st.macros[id]
			on = def == (name == "ifdef")
		}
		*conds = append(*conds, condState{active: on, taken: on, parentOff: !active()})
		return true, nil
	case "if":
		on := false
		if active() {
			v, err := st.evalCondition(rest)
			if err != nil {
				return false, errf("#if: %v", err)
			}
			on = v != 0
		}
		*conds = append(*conds, condState{active: on, taken: on, parentOff: !active()})
		return true, nil
	case "elif", "else":
		if len(*conds) == 0 {
			return false, errf("#%s without #if", name)
		}
		c := &(*conds)[len(*conds)-1]
		if c.sawElse {
			return false, errf("#%s after #else", name)
		}
		if name == "else" {
			c.sawElse = true
			c.active = !c.parentOff && !c.taken
			c.taken = true
			return true, nil
		}
		if c.parentOff || c.taken {
			c.active = false
			return true, nil
		}
		v, err := st.evalCondition(rest)
		if err != nil {
			return false, errf("#elif: %v", err)
		}
		c.active = v != 0
		c.taken = c.active
		return true, nil
	case "endif":
		if len(*conds) == 0 {
			return false, errf("#endif without #if")
		}
		*conds = (*conds)[:len(*conds)-1]
		return true, nil
	}
	if !active() {
		return true, nil
	}
	switch name {
	case "define":
		return true, st.define(rest, errf)
	case "undef":
		id, _ := directiveName(rest)
		if id == "" {
			return false, errf("no macro name given in #undef directive")
		}
		if id == "defined" {
			return false, errf("\"defined\" cannot be used as a macro name")
		}
		delete(st.macros, id)
		return true, nil
	case "error":
		return false, errf("#error %s", rest)
	case "warning":
		return true, nil
	case "include":
		target := rest
		if !strings.HasPrefix(target, "\"") && !strings.HasPrefix(target, "<") {
			toks, _, err := st.expand(tokenize(rest), false)
			if err != nil {
				return false, errf("#include: %v", err)
			}
			target = strings.TrimSpace(render(toks))
		}
		var file string
		quoted := false
		switch {
		case strings.HasPrefix(target, "\"") && strings.Count(target, "\"") >= 2:
			file = target[1 : 1+strings.IndexByte(target[1:], '"')]
			quoted = true
		case strings.HasPrefix(target, "<") && strings.IndexByte(target, '>') > 0:
			file = target[1:strings.IndexByte(target, '>')]
		default:
			return false, errf("#include expects \"FILENAME\" or <FILENAME>")
		}
		var dirs []string
		if quoted {
			dirs = append(dirs, filepath.Dir(path))
		}
		dirs = append(dirs, st.opts.IncludeDirs...)
		for _, d := range dirs {
			full := file
			if !filepath.IsAbs(file) {
				full = filepath.Join(d, file)
			}
			data, err := st.opts.ReadFile(full)
			if err != nil {
				continue
			}
			if st.opts.Opened != nil && emit {
				st.opts.Opened(full)
			}
			if err := st.file(full, data, emit); err != nil {
				return false, err
			}
			return true, nil
		}
		return false, errf("%s: No such file or directory", file)
	}
	return false, errf("unsupported directive #%s", name)
}

func (st *state) define(rest string, errf func(string, ...interface{}) error) error {
	name, after := directiveName(rest)
	if isStringPrefix(name) && after != "" && (after[0] == '"' || after[0] == '\'') {
		name = ""
	}
	if name == "" {
		if strings.TrimSpace(rest) == "" {
			return errf("no macro name given in #define directive")
		}
		return errf("macro names must be identifiers")
	}
	if name == "defined" {
		return errf("\"defined\" cannot be used as a macro name")
	}
	m := &macro{name: name}
	if strings.HasPrefix(after, "(") {
		m.function = true
		close := strings.IndexByte(after, ')')
		if close < 0 {
			return errf("missing ')' in macro parameter list of %s", name)
		}
		plist := strings.TrimSpace(after[1:close])
		after = after[close+1:]
		if plist != "" {
			for _, p := range strings.Split(plist, ",") {
				p = strings.TrimSpace(p)
				switch {
				case p == "...":
					m.variadic = true
					p = "__VA_ARGS__"
				case strings.HasSuffix(p, "...") && isIdent(strings.TrimSpace(strings.TrimSuffix(p, "..."))):
					// GNU named variadic parameter: "args..."
					m.variadic = true
					p = strings.TrimSpace(strings.TrimSuffix(p, "..."))
				case !isIdent(p):
					return errf("invalid macro parameter %q in %s", p, name)
				}
				m.params = append(m.params, p)
			}
		}
	}
	var body []token
	for _, t := range tokenize(strings.TrimSpace(after)) {
		// "a ## ## b" is "a ## b": GCC folds repeated paste operators.
		isPaste := t.kind == tPunct && t.text == "##"
		if isPaste && len(body) > 0 && body[len(body)-1].kind == tPunct && body[len(body)-1].text == "##" {
			continue
		}
		body = append(body, t)
	}
	if len(body) > 0 {
		body[0].space = false
	}
	for i := range body {
		if body[i].kind != tIdent {
			continue
		}
		for pi, p := range m.params {
			if body[i].text == p {
				body[i].param = pi + 1
			}
		}
	}
	if len(body) > 0 && (body[0].text == "##" && body[0].kind == tPunct || body[len(body)-1].text == "##" && body[len(body)-1].kind == tPunct) {
		return errf("'##' cannot appear at either end of a macro expansion")
	}
	m.body = body
	st.macros[name] = m
	return nil
}

func isStringPrefix(s string) bool { return s == "L" || s == "u" || s == "U" || s == "u8" }

func isIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	return true
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }

// stripComments replaces comments with a space (or, in a comment that
// does not end on this line, drops the rest); inComment reports whether a
// /* comment continues past the line.
func stripComments(s string, inComment bool) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\'':
			// A quote with no closing partner on the line is one character
			// in assembler mode.
			end := closingQuote(s, i)
			if end < 0 {
				// Unmatched quotes are fine in assembler mode: the rest
				// of the line is one token, comment markers included.
				b.WriteString(s[i:])
				return b.String(), false
			}
			b.WriteString(s[i : end+1])
			i = end
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			return b.String(), false
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return b.String(), true
			}
			b.WriteByte(' ')
			i += 2 + end + 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), false
}

func closingQuote(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			return j
		}
	}
	return -1
}

// tokenize splits a comment-free line into preprocessing tokens.
func tokenize(s string) []token {
	var toks []token
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r':
			space = true
			i++
			continue
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			if isStringPrefix(s[i:j]) && j < len(s) && (s[j] == '"' || s[j] == '\'') {
				// L"wide", u8"utf-8" and friends are single string tokens.
				if end := closingQuote(s, j); end >= 0 {
					toks = append(toks, token{kind: tString, text: s[i : end+1], space: space})
					i = end + 1
				} else {
					toks = append(toks, token{kind: tPunct, text: s[i:], space: space})
					i = len(s)
				}
				break
			}
			toks = append(toks, token{kind: tIdent, text: s[i:j], space: space})
			i = j
		case isDigit(c) || c == '.' && i+1 < len(s) && isDigit(s[i+1]):
			// pp-number: digits, letters, '.', and e+ e- p+ p- pairs.
			j := i + 1
			for j < len(s) {
				d := s[j]
				if (d == '+' || d == '-') && strings.IndexByte("eEpP", s[j-1]) >= 0 {
					j++
					continue
				}
				if isIdentChar(d) || d == '.' {
					j++
					continue
				}
				break
			}
			toks = append(toks, token{kind: tNumber, text: s[i:j], space: space})
			i = j
		case c == '"' || c == '\'':
			end := closingQuote(s, i)
			if end < 0 {
				// GCC's assembler mode: an unmatched quote runs to the end
				// of the line as one token.
				toks = append(toks, token{kind: tPunct, text: s[i:], space: space})
				i = len(s)
				break
			}
			toks = append(toks, token{kind: tString, text: s[i : end+1], space: space})
			i = end + 1
		default:
			n := 1
			for _, p := range multiPunct {
				if strings.HasPrefix(s[i:], p) {
					n = len(p)
					break
				}
			}
			toks = append(toks, token{kind: tPunct, text: s[i : i+n], space: space})
			i += n
		}
		space = false
	}
	return toks
}

// multiPunct are C's multi-character punctuators, longest first.
var multiPunct = []string{"<<=", ">>=", "...", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "++", "--", "->",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "##"}

// render joins tokens as the output does.
func render(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && (t.space || t.edge && avoidPaste(toks[i-1], t)) {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// avoidPaste is GCC's rule for separating two tokens at a macro boundary
// that could otherwise be read back as one (or as a comment).
func avoidPaste(a, b token) bool {
	var c byte // b's first character if b is an operator
	if b.kind == tPunct && b.text != "" {
		c = b.text[0]
	}
	if a.kind == tPunct && c == '=' {
		switch a.text {
		case "=", "!", ">", "<", "+", "-", "*", "/", "%", "&", "|", "^", ">>", "<<":
			return true
		}
	}
	isChar := func(t token) bool { return t.kind == tString && strings.HasPrefix(t.text, "'") }
	isStr := func(t token) bool { return t.kind == tString && strings.HasPrefix(t.text, "\"") }
	switch a.kind {
	case tIdent:
		return b.kind == tIdent || isChar(b) || isStr(b)
	case tNumber:
		return b.kind == tNumber || b.kind == tIdent || isChar(b) || c == '.' || c == '+' || c == '-'
	case tPunct:
		switch a.text {
		case ">":
			return c == '>'
		case "<":
			return c == '<' || c == '%' || c == ':'
		case "+":
			return c == '+'
		case "-":
			return c == '-' || c == '>'
		case "/":
			return c == '/' || c == '*'
		case "%":
			return c == ':' || c == '%'
		case "&":
			return c == '&'
		case "|":
			return c == '|'
		case ":":
			return c == ':' || c == '>'
		case "->":
			return c == '*'
		case ".":
			return c == '.' || c == '%' || b.kind == tNumber
		case "#":
			return c == '#' || c == '%'
		}
	}
	return false
}
