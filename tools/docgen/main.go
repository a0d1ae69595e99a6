// Command docgen writes docs/rules.md from the docstrings of the public
// Starlark API: every name rules/defs.bzl exports, followed to the rule(),
// provider() or def that defines it in rules/private, with each attribute's
// type, default, whether it is mandatory, and its doc.
//
// It reads the files with buildtools' Starlark parser (the one buildifier
// uses) and evaluates only what attribute dictionaries are built from in
// this repository: dict literals, names of top-level dicts, dict(a, **b) and
// a filtering comprehension over d.items(). Anything else is an error, so a
// new construct cannot silently drop attributes from the docs.
//
//	go run . -root ../.. -o ../../docs/rules.md   # write
//	go run . -root ../.. -check ../../docs/rules.md   # CI: fail if stale
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bazelbuild/buildtools/build"
)

func main() {
	root := flag.String("root", ".", "repository root (holds rules/defs.bzl)")
	out := flag.String("o", "", "write the Markdown here")
	check := flag.String("check", "", "compare with this file instead of writing; exit 1 when it differs")
	flag.Parse()
	doc, err := generate(*root)
	if err != nil {
		fmt.Fprintf(os.Stderr, "docgen: %v\n", err)
		os.Exit(1)
	}
	switch {
	case *check != "":
		old, err := os.ReadFile(*check)
		if err != nil || !bytes.Equal(old, doc) {
			fmt.Fprintf(os.Stderr, "docgen: %s is stale; regenerate it with: (cd tools/docgen && go run . -root ../.. -o ../../docs/rules.md)\n", *check)
			os.Exit(1)
		}
	case *out != "":
		if err := os.WriteFile(*out, doc, 0o666); err != nil {
			fmt.Fprintf(os.Stderr, "docgen: %v\n", err)
			os.Exit(1)
		}
	default:
		os.Stdout.Write(doc)
	}
}

// symbol is one public name and what defines it.
type symbol struct {
	public string
	kind   string // "rule", "provider", "macro"
	doc    string
	attrs  []attribute // rules: attributes; providers: fields; macros: none
	file   string      // defining file, relative to the root
}

type attribute struct {
	name, typ, def, doc string
	mandatory           bool
}

func generate(root string) ([]byte, error) {
	defsPath := filepath.Join(root, "rules", "defs.bzl")
	defs, err := parse(defsPath)
	if err != nil {
		return nil, err
	}
	// local alias -> (file label, name in that file)
	type origin struct{ module, name string }
	loaded := map[string]origin{}
	var syms []symbol
	for _, stmt := range defs.Stmt {
		switch s := stmt.(type) {
		case *build.LoadStmt:
			for i := range s.To {
				loaded[s.To[i].Name] = origin{s.Module.Value, s.From[i].Name}
			}
		case *build.AssignExpr:
			lhs, ok1 := s.LHS.(*build.Ident)
			rhs, ok2 := s.RHS.(*build.Ident)
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("%s: only NAME = _loaded_name assignments are understood", defsPath)
			}
			o, ok := loaded[rhs.Name]
			if !ok {
				return nil, fmt.Errorf("%s: %s is not loaded", defsPath, rhs.Name)
			}
			sym, err := describe(root, o.module, o.name)
			if err != nil {
				return nil, err
			}
			sym.public = lhs.Name
			syms = append(syms, sym)
		}
	}
	if err := undocumented(syms); err != nil {
		return nil, err
	}
	sort.Slice(syms, func(i, j int) bool {
		if syms[i].kind != syms[j].kind {
			return kindOrder(syms[i].kind) < kindOrder(syms[j].kind)
		}
		return syms[i].public < syms[j].public
	})
	return render(docstring(defs), syms), nil
}

// undocumented fails on a public rule, macro, provider, attribute or field
// without a doc string: the generated page is the API reference.
func undocumented(syms []symbol) error {
	var missing []string
	for _, s := range syms {
		if strings.TrimSpace(s.doc) == "" {
			missing = append(missing, s.file+": "+s.public)
		}
		for _, a := range s.attrs {
			if strings.TrimSpace(a.doc) == "" {
				missing = append(missing, s.file+": "+s.public+"."+a.name)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no doc string for %s", strings.Join(missing, ", "))
	}
	return nil
}

func kindOrder(k string) int {
	return map[string]int{"rule": 0, "macro": 1, "provider": 2}[k]
}

func parse(path string) (*build.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return build.ParseBzl(path, data)
}

// fileOf maps "//rules/private:x.bzl" (or ":x.bzl" next to defs.bzl) to a path.
func fileOf(root, module string) (string, error) {
	switch {
	case strings.HasPrefix(module, "//"):
		pkg, name, ok := strings.Cut(module[2:], ":")
		if !ok {
			return "", fmt.Errorf("load label %q has no ':'", module)
		}
		return filepath.Join(root, filepath.FromSlash(pkg), name), nil
	case strings.HasPrefix(module, ":"):
		return filepath.Join(root, "rules", module[1:]), nil
	}
	return "", fmt.Errorf("load label %q is not in this repository", module)
}

func describe(root, module, name string) (symbol, error) {
	path, err := fileOf(root, module)
	if err != nil {
		return symbol{}, err
	}
	f, err := parse(path)
	if err != nil {
		return symbol{}, err
	}
	rel, _ := filepath.Rel(root, path)
	ev := evaluator{file: f, path: rel}
	for _, stmt := range f.Stmt {
		switch s := stmt.(type) {
		case *build.DefStmt:
			if s.Name == name {
				return symbol{kind: "macro", doc: defDoc(s), file: rel}, nil
			}
		case *build.AssignExpr:
			if id, ok := s.LHS.(*build.Ident); ok && id.Name == name {
				return ev.describeCall(name, s.RHS)
			}
		}
	}
	return symbol{}, fmt.Errorf("%s: %s is not defined at top level", rel, name)
}

// evaluator resolves the few expressions attribute dictionaries use here.
type evaluator struct {
	file *build.File
	path string
}

func (e evaluator) describeCall(name string, x build.Expr) (symbol, error) {
	call, ok := x.(*build.CallExpr)
	fn := ""
	if ok {
		fn = calleeName(call)
	}
	sym := symbol{file: e.path}
	switch fn {
	case "rule":
		sym.kind = "rule"
	case "provider":
		sym.kind = "provider"
	default:
		return symbol{}, fmt.Errorf("%s: %s is neither rule(), provider() nor a def", e.path, name)
	}
	kw := kwargs(call)
	if d, ok := kw["doc"]; ok {
		s, err := e.str(d)
		if err != nil {
			return symbol{}, fmt.Errorf("%s: %s: doc: %v", e.path, name, err)
		}
		sym.doc = s
	}
	if sym.kind == "provider" {
		if f, ok := kw["fields"]; ok {
			fields, err := e.dict(f)
			if err != nil {
				return symbol{}, fmt.Errorf("%s: %s: fields: %v", e.path, name, err)
			}
			for _, kv := range fields {
				doc, err := e.str(kv.value)
				if err != nil {
					return symbol{}, fmt.Errorf("%s: %s: field %s: %v", e.path, name, kv.key, err)
				}
				sym.attrs = append(sym.attrs, attribute{name: kv.key, doc: doc})
			}
		}
		return sym, nil
	}
	if a, ok := kw["attrs"]; ok {
		attrs, err := e.dict(a)
		if err != nil {
			return symbol{}, fmt.Errorf("%s: %s: attrs: %v", e.path, name, err)
		}
		for _, kv := range attrs {
			at, err := e.attr(kv.key, kv.value)
			if err != nil {
				return symbol{}, fmt.Errorf("%s: %s: attribute %s: %v", e.path, name, kv.key, err)
			}
			if !strings.HasPrefix(at.name, "_") {
				sym.attrs = append(sym.attrs, at)
			}
		}
	}
	sort.Slice(sym.attrs, func(i, j int) bool {
		a, b := sym.attrs[i], sym.attrs[j]
		if a.mandatory != b.mandatory {
			return a.mandatory
		}
		return a.name < b.name
	})
	return sym, nil
}

func (e evaluator) attr(name string, x build.Expr) (attribute, error) {
	call, ok := x.(*build.CallExpr)
	if !ok {
		return attribute{}, fmt.Errorf("not an attr.*() call")
	}
	fn := calleeName(call)
	if !strings.HasPrefix(fn, "attr.") {
		return attribute{}, fmt.Errorf("%s is not an attr.*() call", fn)
	}
	at := attribute{name: name, typ: strings.TrimPrefix(fn, "attr.")}
	kw := kwargs(call)
	if d, ok := kw["doc"]; ok {
		s, err := e.str(d)
		if err != nil {
			return attribute{}, err
		}
		at.doc = s
	}
	if d, ok := kw["default"]; ok {
		at.def = build.FormatString(d)
	}
	if m, ok := kw["mandatory"]; ok {
		at.mandatory = build.FormatString(m) == "True"
	}
	return at, nil
}

// str evaluates a string literal or a concatenation of them.
func (e evaluator) str(x build.Expr) (string, error) {
	switch v := x.(type) {
	case *build.StringExpr:
		return v.Value, nil
	case *build.BinaryExpr:
		if v.Op == "+" {
			a, err := e.str(v.X)
			if err != nil {
				return "", err
			}
			b, err := e.str(v.Y)
			return a + b, err
		}
	case *build.Ident:
		if d, ok := e.top(v.Name); ok {
			return e.str(d)
		}
	}
	return "", fmt.Errorf("%s is not a string literal", build.FormatString(x))
}

type keyValue struct {
	key   string
	value build.Expr
}

// dict evaluates a dict literal, a top-level name bound to one, dict(a, **b),
// or {k: v for k, v in d.items() if k != "x"} / dict([(k, v) for ...]).
func (e evaluator) dict(x build.Expr) ([]keyValue, error) {
	switch v := x.(type) {
	case *build.DictExpr:
		var out []keyValue
		for _, kv := range v.List {
			k, err := e.str(kv.Key)
			if err != nil {
				return nil, err
			}
			out = append(out, keyValue{k, kv.Value})
		}
		return out, nil
	case *build.Ident:
		if d, ok := e.top(v.Name); ok {
			return e.dict(d)
		}
		return nil, fmt.Errorf("%s is not a top-level name of this file", v.Name)
	case *build.CallExpr:
		if calleeName(v) == "dict" {
			return e.dictCall(v)
		}
	case *build.Comprehension:
		return e.comprehension(v)
	case *build.ListExpr:
		var out []keyValue
		for _, item := range v.List {
			t, ok := item.(*build.TupleExpr)
			if !ok || len(t.List) != 2 {
				return nil, fmt.Errorf("%s is not a (key, value) pair", build.FormatString(item))
			}
			k, err := e.str(t.List[0])
			if err != nil {
				return nil, err
			}
			out = append(out, keyValue{k, t.List[1]})
		}
		return out, nil
	}
	return nil, fmt.Errorf("cannot evaluate %s as a dict", build.FormatString(x))
}

func (e evaluator) dictCall(call *build.CallExpr) ([]keyValue, error) {
	var out []keyValue
	set := func(kvs []keyValue) {
		for _, kv := range kvs {
			replaced := false
			for i := range out {
				if out[i].key == kv.key {
					out[i] = kv
					replaced = true
				}
			}
			if !replaced {
				out = append(out, kv)
			}
		}
	}
	for _, arg := range call.List {
		switch a := arg.(type) {
		case *build.UnaryExpr:
			if a.Op != "**" {
				return nil, fmt.Errorf("cannot evaluate %s", build.FormatString(a))
			}
			kvs, err := e.dict(a.X)
			if err != nil {
				return nil, err
			}
			set(kvs)
		case *build.AssignExpr:
			id, ok := a.LHS.(*build.Ident)
			if !ok {
				return nil, fmt.Errorf("cannot evaluate %s", build.FormatString(a))
			}
			set([]keyValue{{id.Name, a.RHS}})
		default:
			kvs, err := e.dict(a)
			if err != nil {
				return nil, err
			}
			set(kvs)
		}
	}
	return out, nil
}

// comprehension handles [(k, v) for k, v in D.items() if k != "name"] and
// its dict form, the one filtering shape attribute sets use here.
func (e evaluator) comprehension(c *build.Comprehension) ([]keyValue, error) {
	bad := fmt.Errorf("comprehension %s is not a filter over d.items()", build.FormatString(c))
	if len(c.Clauses) == 0 {
		return nil, bad
	}
	fc, ok := c.Clauses[0].(*build.ForClause)
	if !ok {
		return nil, bad
	}
	items, ok := fc.X.(*build.CallExpr)
	if !ok || !strings.HasSuffix(calleeName(items), ".items") {
		return nil, bad
	}
	src, err := e.dict(items.X.(*build.DotExpr).X)
	if err != nil {
		return nil, err
	}
	excluded := map[string]bool{}
	for _, cl := range c.Clauses[1:] {
		ic, ok := cl.(*build.IfClause)
		if !ok {
			return nil, bad
		}
		cmp, ok := ic.Cond.(*build.BinaryExpr)
		if !ok || cmp.Op != "!=" {
			return nil, bad
		}
		s, err := e.str(cmp.Y)
		if err != nil {
			return nil, bad
		}
		excluded[s] = true
	}
	var out []keyValue
	for _, kv := range src {
		if !excluded[kv.key] {
			out = append(out, kv)
		}
	}
	return out, nil
}

// top finds NAME = EXPR at the top level of the file.
func (e evaluator) top(name string) (build.Expr, bool) {
	for _, stmt := range e.file.Stmt {
		if a, ok := stmt.(*build.AssignExpr); ok && a.Op == "=" {
			if id, ok := a.LHS.(*build.Ident); ok && id.Name == name {
				return a.RHS, true
			}
		}
	}
	return nil, false
}

func calleeName(call *build.CallExpr) string {
	switch f := call.X.(type) {
	case *build.Ident:
		return f.Name
	case *build.DotExpr:
		if id, ok := f.X.(*build.Ident); ok {
			return id.Name + "." + f.Name
		}
		return "." + f.Name
	}
	return ""
}

func kwargs(call *build.CallExpr) map[string]build.Expr {
	kw := map[string]build.Expr{}
	for _, arg := range call.List {
		if a, ok := arg.(*build.AssignExpr); ok {
			if id, ok := a.LHS.(*build.Ident); ok {
				kw[id.Name] = a.RHS
			}
		}
	}
	return kw
}

func docstring(f *build.File) string {
	if len(f.Stmt) > 0 {
		if s, ok := f.Stmt[0].(*build.StringExpr); ok {
			return s.Value
		}
	}
	return ""
}

func defDoc(d *build.DefStmt) string {
	if len(d.Body) > 0 {
		if s, ok := d.Body[0].(*build.StringExpr); ok {
			return s.Value
		}
	}
	return ""
}
