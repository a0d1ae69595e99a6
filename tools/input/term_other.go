//go:build !linux

package input

import "errors"

func ioctlGetTermios(fd uintptr) (struct{}, error) { return struct{}{}, errors.New("not a terminal") }
