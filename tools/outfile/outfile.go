// Package outfile writes output files atomically: the data goes to a
// temporary file in the destination directory, which is renamed over the
// destination only when writing succeeded. A failed or interrupted run
// therefore never leaves a partial image behind.
package outfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates path by calling fill with a temporary file in the same
// directory, then renames it into place. On any error the temporary file is
// removed and path is left untouched.
func Write(path string, perm os.FileMode, fill func(f *os.File) error) (err error) {
	if st, statErr := os.Stat(path); statErr == nil && !st.Mode().IsRegular() && !st.IsDir() {
		// A device or pipe (/dev/null, /dev/stdout, a FIFO): renaming over
		// it would replace the device node with a file, so write through it.
		return writeSpecial(path, fill)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot create output %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return fmt.Errorf("cannot set mode of output %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("cannot write output %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot rename output into place %s: %w", path, err)
	}
	return nil
}

// WriteBytes writes data to path atomically with mode 0644.
func WriteBytes(path string, data []byte) error {
	return Write(path, 0o644, func(f *os.File) error {
		if _, err := f.Write(data); err != nil {
			return fmt.Errorf("cannot write output %s: %w", path, err)
		}
		return nil
	})
}

func writeSpecial(path string, fill func(f *os.File) error) error {
	// Writers seek, truncate and leave holes, which a pipe or device
	// cannot take: fill a temporary regular file, then stream it through.
	tmp, err := os.CreateTemp("", "fwtool-out-*")
	if err != nil {
		return fmt.Errorf("cannot create temporary output for %s: %w", path, err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	if err := fill(tmp); err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("cannot read back temporary output for %s: %w", path, err)
	}
	out, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("cannot open output %s: %w", path, err)
	}
	if _, err := io.Copy(out, tmp); err != nil {
		out.Close()
		return fmt.Errorf("cannot write output %s: %w", path, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("cannot write output %s: %w", path, err)
	}
	return nil
}
