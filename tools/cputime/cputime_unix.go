//go:build !windows

// Package cputime reads the process's CPU time (user + system), which
// benchmarks and scaling tests report because it is steadier than wall
// time on a shared machine.
package cputime

import (
	"syscall"
	"time"
)

// Process returns the CPU time this process has used so far.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
