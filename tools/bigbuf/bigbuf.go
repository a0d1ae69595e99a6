// Package bigbuf gives the few large buffers a build needs (a payload to
// compress, its compressed frame) with as little kernel work as possible.
// Reading a file into fresh memory costs a page fault per 4 KiB and a
// copy; on a virtual machine the faults alone can cost as much as
// compressing the data. Map reads a file through the page cache instead
// (no copy, no anonymous pages), and Make asks for transparent huge pages,
// so a 16 MiB buffer faults in 8 times instead of 4096.
package bigbuf

import (
	"fmt"
	"io"
	"os"
	"sync"
	"unsafe"
)

// hugeMin is the size from which Make asks for huge pages: below a few
// huge pages the saving is small and the rounding up costs memory.
const hugeMin = 4 << 20

// hugePage is the x86-64 and arm64 transparent huge page size.
const hugePage = 2 << 20

// Make returns a zeroed byte slice of length n and capacity c (c >= n),
// backed by transparent huge pages where the system offers them. A large
// one starts on a huge-page boundary: a Go allocation only starts on a
// 4 KiB one, and the part before the first boundary (up to 2 MiB) would
// fault in 4 KiB at a time (a 16 MiB lz4 frame took 255 such faults).
func Make(n, c int) []byte {
	if c < hugeMin {
		return make([]byte, n, c)
	}
	b := make([]byte, c+hugePage)
	off := int(-uintptr(unsafe.Pointer(&b[0])) & (hugePage - 1))
	b = b[off : off+n : off+c]
	adviseHuge(b[:c])
	return b
}

// Map returns the contents of the regular file at path and a function
// that releases them; the bytes must not be used after release, nor
// written. Large files are mapped read-only from the page cache where the
// system allows it, others are read. A file truncated by someone else
// while mapped faults the process: build inputs do not change during a
// build.
func Map(path string) (data []byte, release func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file", path)
	}
	if size := st.Size(); size >= mapMin && int64(int(size)) == size {
		if data, release, err := mapFile(f, int(size)); err == nil {
			return data, release, nil
		}
	}
	data, err = io.ReadAll(f)
	if err != nil {
		return nil, nil, err
	}
	return data, func() {}, nil
}

// MapFile maps the first size bytes of the open regular file f read-only
// from the page cache, for callers that opened and checked the file
// themselves. ok is false, and nothing is mapped, where the system cannot
// map it (an empty file, a size beyond int, no mmap); the caller then
// reads the file. The bytes must not be written, nor used after release.
func MapFile(f *os.File, size int64) (data []byte, release func(), ok bool) {
	if size <= 0 || int64(int(size)) != size {
		return nil, nil, false
	}
	data, release, err := mapFile(f, int(size))
	if err != nil {
		return nil, nil, false
	}
	return data, release, true
}

// mapMin is the size from which Map maps instead of reading: a mapping
// costs two system calls and a VMA, a small read is cheaper.
const mapMin = 1 << 20

// MapRegion returns n bytes of the file at path from offset off as a
// private copy-on-write mapping: reads come from the page cache without a
// copy, writes stay in this process. There is no release: the mapping
// lives as long as the process, for callers that keep the bytes for the
// rest of a build anyway. ok is false (and nothing is mapped) where the
// system cannot map it; callers then read the region themselves.
func MapRegion(path string, off, n int64) (data []byte, ok bool, err error) {
	if n < mapMin || int64(int(n)) != n {
		return nil, false, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	if !st.Mode().IsRegular() {
		return nil, false, nil
	}
	if st.Size() < off+n {
		return nil, false, fmt.Errorf("%s: file shrank while building (%d bytes, need %d)", path, st.Size(), off+n)
	}
	return mapPrivate(f, off, int(n))
}

// Region cuts small long-lived buffers (a pool's read or output buffers)
// from allocations Make backs with huge pages: on a virtual machine each
// 4 KiB page fault of a fresh buffer costs tens of microseconds, and a
// few 64-256 KiB buffers cost a hundred faults where one huge page costs
// one. Safe for concurrent use; the zero Region is ready.
type Region struct {
	mu   sync.Mutex
	left []byte
}

// regionSize is what a Region takes from Make at a time: the smallest
// size Make backs with huge pages.
const regionSize = hugeMin

// Cut returns a zeroed buffer of length and capacity n (n <= 4 MiB; a
// larger one is made on its own).
func (r *Region) Cut(n int) []byte {
	if n > regionSize {
		return Make(n, n)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.left) < n {
		r.left = Make(regionSize, regionSize)
	}
	b := r.left[:n:n]
	r.left = r.left[n:]
	return b
}
