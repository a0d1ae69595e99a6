// Package staticerr makes sentinel errors that are static data. A
// package-level errors.New runs (and allocates) in the package's
// initialisation, which fwtool, one binary, runs for every command; an
// error declared as
//
//	var ErrX error = &staticerr.Error{Text: "..."}
//
// is laid out by the linker instead. Each declaration is a distinct
// value, compared (==, errors.Is) by identity as errors.New's are.
package staticerr

// Error is an error with a fixed text.
type Error struct{ Text string }

func (e *Error) Error() string { return e.Text }
