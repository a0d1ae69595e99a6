// Package gctune sets the garbage collector up for a short-lived command.
//
// Most fwtool runs allocate a few MiB and exit within milliseconds. With
// the default settings the collector first runs at a 4 MiB heap, and on a
// small input that collection (its worker goroutines, write barriers, a
// stop of every thread) costs more CPU than the rest of the command: a
// 3000-node DTB printed as source spent about a seventh of its CPU in two
// collections that freed memory the process was about to give back by
// exiting (benchmarks/README.md, tiny inputs).
package gctune

import (
	"os"
	"runtime"
	"runtime/debug"
)

// FirstGC is the heap size DeferFirstGC lets a command reach before its
// first collection: above what the small commands allocate and above a
// 64 MiB SPI layout with a 16 MiB lz4 section (at 32 MiB it collected
// once, at 21 MiB of heap, freeing nothing: ~140 page faults for the
// collector's own structures), well below the memory of a machine that
// builds firmware.
const FirstGC = 64 << 20

// DeferFirstGC turns the collector off until the process holds limit
// bytes, then back to the pacing it started with, so a command that stays
// below limit never collects and a larger one pays at most one
// collection's worth of extra memory. GOGC or GOMEMLIMIT in the
// environment mean someone chose the settings: then nothing changes.
func DeferFirstGC(limit int64) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	deferFirstGC(limit)
}

// sentinel is big enough and holds a pointer, so it is never packed into
// a shared tiny-allocator block whose neighbours could keep it alive.
type sentinel struct {
	self *sentinel
	_    [24]byte
}

func deferFirstGC(limit int64) {
	percent := debug.SetGCPercent(-1)
	memLimit := debug.SetMemoryLimit(limit)
	// The first collection (reached at limit) finds the sentinel
	// unreachable; its finalizer restores the previous pacing, so the
	// memory limit never stays in force to make a large command collect
	// over and over.
	s := &sentinel{}
	runtime.SetFinalizer(s, func(*sentinel) {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(memLimit)
	})
}
