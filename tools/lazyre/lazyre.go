// Package lazyre compiles a regular expression when it is first used
// instead of when the program starts. fwtool is one binary: every command
// runs every package's initialisation, so a package-level
// regexp.MustCompile is paid by `fwtool mkenvimage -V` as much as by the
// command that matches with it (benchmarks/README.md, start-up).
package lazyre

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled on first use. A bad expression
// panics there, as regexp.MustCompile would have at start-up; each user's
// tests reach it.
//
// Declared as &lazyre.Regexp{Expr: `...`} (rather than with New), a
// package-level Regexp is static data: nothing runs for it at start-up.
type Regexp struct {
	Expr string
	once sync.Once
	re   *regexp.Regexp
}

// New returns expr, not yet compiled.
func New(expr string) *Regexp { return &Regexp{Expr: expr} }

// Get returns the compiled expression, compiling it the first time.
func (l *Regexp) Get() *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(l.Expr) })
	return l.re
}
