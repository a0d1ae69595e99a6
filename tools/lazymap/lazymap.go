// Package lazymap builds a package-level lookup table when it is first
// used instead of when the program starts. fwtool is one binary: every
// command runs every package's initialisation, and a map literal at
// package level is built there (allocated and filled, its code and data
// paged in) for `fwtool mkenvimage -V` as much as for the command that
// reads it (benchmarks/README.md, start-up). Declared as
//
//	var names = &lazymap.Map[string, int]{New: func() map[string]int { return map[string]int{...} }}
//
// the Map itself is static data laid out by the linker.
package lazymap

import "sync"

// Map is a map built by New on the first Get.
type Map[K comparable, V any] struct {
	New  func() map[K]V
	once sync.Once
	m    map[K]V
}

// Get returns the map, building it the first time. Callers must not
// change it.
func (l *Map[K, V]) Get() map[K]V {
	l.once.Do(func() { l.m = l.New() })
	return l.m
}
