package gctune

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

var keep [][]byte

// TestNoCollectionBelowLimitThenRestored: below the limit the heap grows
// without a collection; past it one collection runs and the finalizer
// puts the previous GOGC and memory limit back.
func TestNoCollectionBelowLimitThenRestored(t *testing.T) {
	runtime.GC()
	prevPercent := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prevPercent)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	limit := int64(ms.Sys) + 64<<20
	deferFirstGC(limit)
	before := numGC()
	// 16 MiB of garbage in 64 KiB pieces: far past the default 4 MiB
	// first goal, below the limit.
	for i := 0; i < 256; i++ {
		keep = append(keep[:0], make([]byte, 64<<10))
	}
	if n := numGC(); n != before {
		t.Fatalf("%d collections below the limit, want none", n-before)
	}
	// Past the limit: a collection, then the finalizer restores pacing.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for i := 0; i < 64; i++ {
			keep = append(keep[:0], make([]byte, 1<<20))
		}
		if p := debug.SetGCPercent(100); p == 100 && debug.SetMemoryLimit(-1) == restoredLimit {
			if numGC() == before {
				t.Fatal("pacing restored without a collection")
			}
			return
		}
		debug.SetGCPercent(-1)
	}
	t.Fatal("GOGC and the memory limit were not restored after the first collection")
}

// restoredLimit is what SetMemoryLimit reports with no limit set.
const restoredLimit = math.MaxInt64

func numGC() uint32 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.NumGC
}
