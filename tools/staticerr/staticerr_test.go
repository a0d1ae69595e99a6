package staticerr

import (
	"errors"
	"fmt"
	"testing"
)

var errA error = &Error{Text: "same"}
var errB error = &Error{Text: "same"}

func TestDistinctByIdentity(t *testing.T) {
	wrapped := fmt.Errorf("ctx: %w", errA)
	if !errors.Is(wrapped, errA) || errors.Is(wrapped, errB) {
		t.Errorf("errors.Is: want a match for errA only")
	}
	if wrapped.Error() != "ctx: same" {
		t.Errorf("text %q", wrapped.Error())
	}
}
