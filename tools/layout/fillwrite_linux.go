package layout

import (
	"os"
	"syscall"
	"unsafe"
)

// writeRepeated writes chunk, one byte repeated, over and over to f from
// at until n bytes are written, fillCall bytes per pwritev of copies of
// chunk: a 32 MiB fill comes from one small buffer (a fresh 1 MiB buffer
// costs a page fault per 4 KiB).
func writeRepeated(f *os.File, at uint64, chunk []byte, n uint64) error {
	iov := make([]syscall.Iovec, (fillCall+len(chunk)-1)/len(chunk))
	for i := range iov {
		iov[i].Base = &chunk[0]
		iov[i].SetLen(len(chunk))
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	for n > 0 {
		k := n / uint64(len(chunk))
		if k > uint64(len(iov)) {
			k = uint64(len(iov))
		}
		if k == 0 {
			_, err := f.WriteAt(chunk[:n], int64(at))
			return err
		}
		var wrote uintptr
		var errno syscall.Errno
		if err := rc.Write(func(fd uintptr) bool {
			pos := int64(at)
			wrote, _, errno = syscall.Syscall6(syscall.SYS_PWRITEV, fd, uintptr(unsafe.Pointer(&iov[0])), uintptr(k),
				uintptr(pos), uintptr(pos>>32), 0)
			return true
		}); err != nil {
			return err
		}
		if errno == syscall.EINTR {
			continue
		}
		if errno == syscall.ENOSYS || errno == syscall.EINVAL || errno == syscall.EOPNOTSUPP {
			// A sandbox without pwritev, or a file that takes no list
			// of buffers: the same bytes, one write per chunk.
			return writeEach(f, at, chunk, n)
		}
		if errno != 0 {
			return &os.PathError{Op: "pwritev", Path: f.Name(), Err: errno}
		}
		if wrote == 0 {
			return &os.PathError{Op: "pwritev", Path: f.Name(), Err: syscall.EIO}
		}
		// chunk is one byte repeated: after a short write, the next
		// call may start anywhere in it.
		at += uint64(wrote)
		n -= uint64(wrote)
	}
	return nil
}
