//go:build !linux

package bigbuf

import (
	"errors"
	"os"
)

func adviseHuge([]byte) {}

func mapFile(*os.File, int) ([]byte, func(), error) {
	return nil, nil, errors.New("not mapped")
}

func mapPrivate(*os.File, int64, int) ([]byte, bool, error) { return nil, false, nil }
