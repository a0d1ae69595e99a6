package getopt

import "fmt"

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

func (e *Error) Error() string {
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
