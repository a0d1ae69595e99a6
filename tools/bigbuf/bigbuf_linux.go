package bigbuf

import (
	"os"
	"syscall"
)

// madvPopulateRead is MADV_POPULATE_READ, which package syscall lacks.
const madvPopulateRead = 22

// adviseHuge asks for transparent huge pages over b, which must start on a
// page boundary (large Go allocations do). Only advice: errors (no THP,
// an old kernel) leave ordinary pages.
func adviseHuge(b []byte) {
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
}

// mapFile maps the first size bytes of f read-only and shared, and asks
// the kernel to fill the page tables up front (one call instead of a
// fault per page) and to read ahead sequentially.
func mapFile(f *os.File, size int) ([]byte, func(), error) {
	data, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	if err != nil {
		return nil, nil, err
	}
	_ = syscall.Madvise(data, syscall.MADV_SEQUENTIAL)
	return data, func() { _ = syscall.Munmap(data) }, nil
}

// mapPrivate maps n bytes of f from off copy-on-write (mmap needs a
// page-aligned offset: the mapping starts at the page holding off). No
// MAP_POPULATE here: on a writable private mapping it would copy every
// page up front. MADV_POPULATE_READ (Linux 5.14) instead maps the page
// cache's pages read-only in one call, as reading them would, so the
// reader takes no fault per 64 KiB; only a write copies a page.
func mapPrivate(f *os.File, off int64, n int) ([]byte, bool, error) {
	page := int64(os.Getpagesize())
	start := off &^ (page - 1)
	skip := int(off - start)
	data, err := syscall.Mmap(int(f.Fd()), start, skip+n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, false, nil
	}
	_ = syscall.Madvise(data, syscall.MADV_SEQUENTIAL)
	_ = syscall.Madvise(data, madvPopulateRead) // advice: older kernels say EINVAL
	return data[skip : skip+n : skip+n], true, nil
}
