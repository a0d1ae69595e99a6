// Package cputime reads the process's CPU time (user + system); see
// cputime_unix.go. Windows has no getrusage: GetProcessTimes says the same.
package cputime

import (
	"syscall"
	"time"
)

// Process returns the CPU time this process has used so far.
func Process() time.Duration {
	h, err := syscall.GetCurrentProcess()
	if err != nil {
		return 0
	}
	var created, exited, kernel, user syscall.Filetime
	if err := syscall.GetProcessTimes(h, &created, &exited, &kernel, &user); err != nil {
		return 0
	}
	// A Filetime counts 100 ns ticks; Nanoseconds() would subtract the 1601 epoch.
	ticks := func(ft syscall.Filetime) int64 { return int64(ft.HighDateTime)<<32 | int64(ft.LowDateTime) }
	return time.Duration((ticks(kernel) + ticks(user)) * 100)
}
