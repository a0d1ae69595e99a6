// Package outfile is the one way fwtool writes outputs. Every output goes
// to a temporary file beside its destination and is renamed into place
// only when the whole command succeeded (a Batch), so a failed or
// interrupted run leaves the output directory as it was. Names taken from
// an image or a description go through Join, which keeps them inside the
// output directory. Files are created as open(2) creates them: the mode
// asked for (0666) less the umask, and an existing output keeps its mode.
package outfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// FileMode is the mode new outputs are created with before the umask, as
// mkimage, dtc and cp create theirs.
const FileMode os.FileMode = 0o666

// DirMode is the mode of directories made for outputs, before the umask.
const DirMode os.FileMode = 0o777

// Write creates path by calling fill with a temporary file in the same
// directory, then renames it into place. perm is the mode of a new file
// before the umask; an existing file keeps its mode. On any error the
// temporary file is removed and path is left untouched.
func Write(path string, perm os.FileMode, fill func(f *os.File) error) error {
	b := NewBatch()
	defer b.Abort()
	if err := b.Write(path, perm, fill); err != nil {
		return err
	}
	return b.Commit()
}

// WriteBytes writes data to path atomically (mode 0666 less the umask, or
// the existing file's mode).
func WriteBytes(path string, data []byte) error {
	return Write(path, FileMode, bytesFill(path, data))
}

func bytesFill(path string, data []byte) func(f *os.File) error {
	return func(f *os.File) error {
		if _, err := f.Write(data); err != nil {
			return fmt.Errorf("cannot write output %s: %w", path, err)
		}
		return nil
	}
}

// createTemp is os.CreateTemp with a mode: the kernel applies the umask
// to perm, so the file gets the mode open(2) would give path itself.
func createTemp(dir, prefix string, perm os.FileMode) (*os.File, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	var r [6]byte
	for i := 0; i < 100; i++ {
		if _, err := rand.Read(r[:]); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(filepath.Join(dir, prefix+hex.EncodeToString(r[:])), os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("cannot create a temporary file in %s", dir)
}

// streamTo copies the filled temporary file through a device or pipe
// (/dev/null, /dev/stdout, a FIFO): renaming over it would replace the
// device node with a file, and writers seek, truncate and leave holes,
// which a pipe cannot take.
func streamTo(path string, tmp *os.File) error {
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
