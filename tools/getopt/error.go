package getopt

import (
	"fmt"
	"strings"
)

// ErrorKind is what went wrong, one per message glibc's getopt prints.
type ErrorKind int

const (
	InvalidOption      ErrorKind = iota // an unknown short option
	UnrecognizedOption                  // an unknown long option
	AmbiguousOption                     // a prefix of several long options
	MissingArgument                     // a required value is absent
	UnexpectedArgument                  // --name=value for an option without one
)

// Error is a command-line error. Its text is glibc's message without the
// leading "program: ", so a front end reads like the tool it replaces.
type Error struct {
	Kind ErrorKind
	// Option is as glibc quotes it: "-x" for short options; "--name"
	// (the full declared name) for missing and unexpected values; the
	// argument as typed for unrecognized and ambiguous ones.
	Option string
	// Candidates are the long options an ambiguous prefix matches.
	Candidates []string
}

func (e *Error) Error() string { return escape(e.message()) }

// escape keeps a message on one line whatever the arguments hold:
// control characters are written as \xNN (glibc prints them raw).
func escape(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); i++ {
		if c := msg[i]; c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "\\x%02x", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (e *Error) message() string {
	switch e.Kind {
	case InvalidOption:
		return fmt.Sprintf("invalid option -- '%s'", e.Option[1:])
	case UnrecognizedOption:
		return fmt.Sprintf("unrecognized option '%s'", e.Option)
	case AmbiguousOption:
		msg := fmt.Sprintf("option '%s' is ambiguous; possibilities:", e.Option)
		for _, c := range e.Candidates {
			msg += fmt.Sprintf(" '%s'", c)
		}
		return msg
	case MissingArgument:
		if len(e.Option) == 2 {
			return fmt.Sprintf("option requires an argument -- '%s'", e.Option[1:])
		}
		return fmt.Sprintf("option '%s' requires an argument", e.Option)
	case UnexpectedArgument:
		return fmt.Sprintf("option '%s' doesn't allow an argument", e.Option)
	}
	return fmt.Sprintf("bad option '%s'", e.Option)
}
