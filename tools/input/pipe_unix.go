//go:build !windows

package input

import (
	"os"
	"syscall"
)

// OpenNoWait opens name for reading without waiting for a FIFO's writer;
// reads then block as usual. open(2) on a FIFO blocks until a writer
// appears; O_NONBLOCK returns at once, and a FIFO without writers then
// reads as EOF. On other files O_NONBLOCK changes nothing.
func OpenNoWait(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	// Back to blocking reads so a live writer's data is waited for; with
	// no writer left, read returns 0 (end of file).
	if err := syscall.SetNonblock(int(f.Fd()), false); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
