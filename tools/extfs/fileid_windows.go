package extfs

import (
	"os"
	"syscall"
)

// hostFileID names the host file at path by volume serial number and file
// index, Windows' device and inode number, so hard links to one file are
// found as on Unix; ok is false if it cannot be read.
func hostFileID(path string) (id fileID, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return fileID{}, false
	}
	defer f.Close()
	var d syscall.ByHandleFileInformation
	if err := syscall.GetFileInformationByHandle(syscall.Handle(f.Fd()), &d); err != nil {
		return fileID{}, false
	}
	return fileID{uint64(d.VolumeSerialNumber), uint64(d.FileIndexHigh)<<32 | uint64(d.FileIndexLow)}, true
}
