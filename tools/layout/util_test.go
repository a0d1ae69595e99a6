package layout

import (
	"encoding/xml"
	"io"
	"os"
	"strings"
	"syscall"
)

type statBlocks struct{}

// allocated returns the bytes the file occupies on disk.
func (statBlocks) allocated(path string) (int64, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return st.Blocks * 512, true
}

func xmlWellFormed(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
