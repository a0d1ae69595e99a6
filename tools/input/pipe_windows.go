package input

import "os"

// OpenNoWait opens name for reading. Windows has no FIFO whose open waits
// for a writer: a named pipe (\\.\pipe\NAME) exists only while its
// server does, so a plain open neither blocks nor needs O_NONBLOCK.
func OpenNoWait(name string) (*os.File, error) {
	return os.Open(name)
}
