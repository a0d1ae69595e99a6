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
