// Package getopt parses command lines the way glibc's getopt_long does, so
// that fwtool's drop-in front ends (mkimage, dtc, fiptool, mkenvimage)
// accept exactly the argument vectors the real tools accept.
//
// Supported: a short option string with ':' (required argument) and '::'
// (optional argument, attached only), clustered short options, attached
// (-ovalue) and detached (-o value) values, long options as --name=value or
// --name value, unambiguous prefixes of long names, argument permutation
// (GNU's default: operands may stand between options), "--" ending the
// options, and a leading '+' in the option string for POSIX behaviour
// (options end at the first operand). A leading ':' is accepted: errors
// are always returned, never printed, so it changes nothing here.
// POSIXLY_CORRECT is not read: an action's outcome must not depend on the
// environment.
package getopt

import (
	"fmt"
	"strings"
)

// ArgKind says whether an option takes a value.
type ArgKind int

const (
	NoArgument       ArgKind = iota // -x, --name
	RequiredArgument                // -x VALUE, -xVALUE, --name VALUE, --name=VALUE
	OptionalArgument                // -xVALUE, --name=VALUE only
)

// Long declares a long option. A non-zero Short makes it an alias: the
// parsed Option reports the short letter as its Name (as getopt_long's
// val does), so one switch handles -A and --architecture.
type Long struct {
	Name  string
	Arg   ArgKind
	Short byte
}

// Option is one parsed option.
type Option struct {
	// Name is the short letter ("A") or, for a long option without a
	// short alias, its full declared name ("compress").
	Name string
	// Value is the option's argument; HasValue tells an empty value
	// apart from none (optional arguments).
	Value    string
	HasValue bool
	// As is the option as written, for messages: "-A" or "--arch" (a
	// prefix stays a prefix).
	As string
}

// Spec is a compiled option description; build it once with New.
type Spec struct {
	// short[c] is 1 + the ArgKind of option letter c, 0 if c is none: an
	// array rather than a map, so New costs no map building (fwtool
	// builds a spec for every call of a command, -V included).
	short [256]int8
	long  []Long
	posix bool // '+': options end at the first operand
}

// New compiles a getopt option string and long options. A malformed
// description is a programming error and panics.
func New(optstring string, long ...Long) *Spec {
	s := &Spec{long: long}
	for len(optstring) > 0 && (optstring[0] == '+' || optstring[0] == ':') {
		s.posix = s.posix || optstring[0] == '+'
		optstring = optstring[1:]
	}
	for i := 0; i < len(optstring); i++ {
		c := optstring[i]
		if c == ':' || c == ';' || c == '-' {
			panic(fmt.Sprintf("getopt: option string %q: %q cannot be an option", optstring, c))
		}
		kind := NoArgument
		if i+1 < len(optstring) && optstring[i+1] == ':' {
			kind, i = RequiredArgument, i+1
			if i+1 < len(optstring) && optstring[i+1] == ':' {
				kind, i = OptionalArgument, i+1
			}
		}
		s.short[c] = int8(kind) + 1
	}
	for _, l := range long {
		if l.Name == "" || strings.ContainsRune(l.Name, '=') {
			panic(fmt.Sprintf("getopt: long option %q: empty or contains '='", l.Name))
		}
	}
	return s
}

// Parse parses args (without the program name) completely. On an error
// it also returns the options parsed before it, so a caller can act on an
// earlier --help as getopt's caller would have.
func (s *Spec) Parse(args []string) (opts []Option, operands []string, err error) {
	sc := s.Scan(args)
	for sc.Next() {
		opts = append(opts, sc.Option())
	}
	return opts, sc.Operands(), sc.Err()
}

// Scanner yields options one at a time, in command-line order.
type Scanner struct {
	spec     *Spec
	args     []string
	i        int    // next argument
	cluster  string // rest of a short-option cluster, without its '-'
	opt      Option
	operands []string
	err      error
	done     bool
}

// Scan starts parsing args (without the program name).
func (s *Spec) Scan(args []string) *Scanner {
	return &Scanner{spec: s, args: args}
}

// Option is the option the last successful Next found.
func (sc *Scanner) Option() Option { return sc.opt }

// Err is the error that stopped the scan, or nil.
func (sc *Scanner) Err() error { return sc.err }

// Operands are the non-option arguments, in order. Complete once Next
// has returned false without an error.
func (sc *Scanner) Operands() []string { return sc.operands }

// Next parses the next option. It returns false at the end of the
// options or on an error (see Err).
func (sc *Scanner) Next() bool {
	if sc.done {
		return false
	}
	if sc.cluster != "" {
		return sc.short()
	}
	for sc.i < len(sc.args) {
		arg := sc.args[sc.i]
		switch {
		case arg == "--":
			sc.operands = append(sc.operands, sc.args[sc.i+1:]...)
			return sc.finish()
		case len(arg) < 2 || arg[0] != '-':
			if sc.spec.posix {
				sc.operands = append(sc.operands, sc.args[sc.i:]...)
				return sc.finish()
			}
			sc.operands = append(sc.operands, arg)
			sc.i++
		case arg[1] == '-':
			sc.i++
			return sc.longOpt(arg)
		default:
			sc.i++
			sc.cluster = arg[1:]
			return sc.short()
		}
	}
	return sc.finish()
}

func (sc *Scanner) finish() bool {
	sc.done = true
	return false
}

func (sc *Scanner) fail(err *Error) bool {
	sc.err = err
	sc.done = true
	return false
}

// shortKind is the argument kind of option letter c, if c is one.
func (s *Spec) shortKind(c byte) (ArgKind, bool) {
	k := s.short[c]
	if k == 0 {
		return NoArgument, false
	}
	return ArgKind(k - 1), true
}

// short takes the next letter of the current cluster.
func (sc *Scanner) short() bool {
	c := sc.cluster[0]
	sc.cluster = sc.cluster[1:]
	kind, ok := sc.spec.shortKind(c)
	if !ok {
		return sc.fail(&Error{Kind: InvalidOption, Option: "-" + string([]byte{c})})
	}
	sc.opt = Option{Name: string([]byte{c}), As: "-" + string([]byte{c})}
	if kind == NoArgument {
		return true
	}
	if sc.cluster != "" {
		// The rest of the cluster is the value, for ':' and '::' alike.
		sc.opt.Value, sc.opt.HasValue, sc.cluster = sc.cluster, true, ""
		return true
	}
	if kind == OptionalArgument {
		return true
	}
	if sc.i >= len(sc.args) {
		return sc.fail(&Error{Kind: MissingArgument, Option: sc.opt.As})
	}
	// The next argument is the value whatever it looks like ("-o --").
	sc.opt.Value, sc.opt.HasValue = sc.args[sc.i], true
	sc.i++
	return true
}

// longOpt parses "--name", "--name=value" or "--name value".
func (sc *Scanner) longOpt(arg string) bool {
	name, value, hasValue := strings.Cut(arg[2:], "=")
	l, err := sc.spec.lookupLong(name, arg)
	if err != nil {
		return sc.fail(err)
	}
	sc.opt = Option{Name: l.Name, As: "--" + l.Name}
	if l.Short != 0 {
		sc.opt.Name = string(l.Short)
	}
	switch {
	case hasValue && l.Arg == NoArgument:
		return sc.fail(&Error{Kind: UnexpectedArgument, Option: "--" + l.Name})
	case hasValue:
		sc.opt.Value, sc.opt.HasValue = value, true
	case l.Arg == RequiredArgument:
		if sc.i >= len(sc.args) {
			return sc.fail(&Error{Kind: MissingArgument, Option: "--" + l.Name})
		}
		sc.opt.Value, sc.opt.HasValue = sc.args[sc.i], true
		sc.i++
	}
	return true
}

// lookupLong finds name as getopt_long does: an exact match wins; else
// a prefix of exactly one option, or of several that all mean the same
// (same short alias or name, same argument kind). The empty name of
// "--=x" is a prefix of every option, as in glibc.
func (s *Spec) lookupLong(name, arg string) (Long, *Error) {
	var matches []Long
	for _, l := range s.long {
		if l.Name == name {
			return l, nil
		}
		if strings.HasPrefix(l.Name, name) {
			matches = append(matches, l)
		}
	}
	if len(matches) == 0 {
		return Long{}, &Error{Kind: UnrecognizedOption, Option: arg}
	}
	for _, m := range matches[1:] {
		if m.Arg != matches[0].Arg || m.Short != matches[0].Short || (m.Short == 0 && m.Name != matches[0].Name) {
			e := &Error{Kind: AmbiguousOption, Option: arg}
			for _, m := range matches {
				e.Candidates = append(e.Candidates, "--"+m.Name)
			}
			return Long{}, e
		}
	}
	return matches[0], nil
}
