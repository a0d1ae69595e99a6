package cputime

import (
	"testing"
	"time"
)

// Spinning for 50 ms of wall time must show as CPU time, and CPU time
// never runs backwards.
func TestProcessCounts(t *testing.T) {
	before := Process()
	x := 0
	for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); {
		x++
	}
	after := Process()
	if after < before+10*time.Millisecond {
		t.Errorf("CPU time went from %v to %v while spinning 50 ms (%d loops)", before, after, x)
	}
}
