package input

import "testing"

// Windows has no FIFOs in the file system (its named pipes live in
// \\.\pipe\), so the FIFO cases cannot be set up there.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	t.Skip("no FIFOs in the Windows file system")
}
