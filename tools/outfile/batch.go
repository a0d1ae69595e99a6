package outfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// A Batch holds the outputs of one command until Commit renames them all
// into place. Abort (or a signal) removes every temporary file and every
// directory the batch made, so a command that fails halfway (a bad entry
// after good ones, a map file that cannot be written after the image)
// leaves the file system as it found it. Use:
//
//	b := outfile.NewBatch()
//	defer b.Abort()
//	... b.Write / b.WriteIn ...
//	return b.Commit()
type Batch struct {
	items  []*item
	byPath map[string]*item // live items by cleaned destination
	dirs   []madeDir        // directories made, oldest first
	done   bool
}

type item struct {
	path    string
	tmpName string
	file    *os.File // kept open for a device or pipe, streamed at Commit
	id      int      // signal-cleanup registration
	dead    bool
}

type madeDir struct {
	path string
	id   int
}

// NewBatch starts an empty batch.
func NewBatch() *Batch { return &Batch{byPath: map[string]*item{}} }

// Write fills a temporary file beside path (see the package Write) and
// stages it to replace path at Commit. A later Write to the same path
// replaces the earlier one.
func (b *Batch) Write(path string, perm os.FileMode, fill func(f *os.File) error) (err error) {
	if b.done {
		return fmt.Errorf("cannot write output %s: output batch already finished", path)
	}
	st, statErr := os.Stat(path)
	special := statErr == nil && !st.Mode().IsRegular() && !st.IsDir()
	if statErr == nil && st.IsDir() {
		return fmt.Errorf("cannot write output %s: is a directory", path)
	}
	dir, prefix := filepath.Dir(path), "."+filepath.Base(path)+".tmp-"
	if special {
		dir, prefix = "", "fwtool-out-"
	}
	var tmp *os.File
	tmpName, id, err := made(func() (string, error) {
		f, err := createTemp(dir, prefix, perm)
		if err != nil {
			return "", err
		}
		tmp = f
		return f.Name(), nil
	}, remove)
	if err != nil {
		return fmt.Errorf("cannot create output %s: %w", path, err)
	}
	it := &item{path: path, tmpName: tmpName, id: id}
	defer func() {
		if err != nil {
			tmp.Close()
			it.discard()
		}
	}()
	if err = fill(tmp); err != nil {
		return err
	}
	if special {
		it.file = tmp
	} else {
		if statErr == nil {
			// Updated in place, an output keeps its mode (a private
			// key-holding DTB stays private), as open(O_TRUNC) keeps it.
			if err = tmp.Chmod(st.Mode().Perm()); err != nil {
				return fmt.Errorf("cannot set mode of output %s: %w", path, err)
			}
		}
		if err = tmp.Close(); err != nil {
			return fmt.Errorf("cannot write output %s: %w", path, err)
		}
	}
	key := filepath.Clean(path)
	if old := b.byPath[key]; old != nil {
		old.discard()
	}
	b.byPath[key] = it
	b.items = append(b.items, it)
	return nil
}

// WriteBytes stages data for path (mode 0666 less the umask).
func (b *Batch) WriteBytes(path string, data []byte) error {
	return b.Write(path, FileMode, bytesFill(path, data))
}

// WriteIn stages the output named name, taken from an image or a
// description, below dir (see Join; what names the entry in errors),
// making dir and the directories the name holds as needed.
func (b *Batch) WriteIn(dir, name, what string, perm os.FileMode, fill func(f *os.File) error) error {
	p, err := Join(dir, name, what)
	if err != nil {
		return err
	}
	if err := b.MkdirAll(filepath.Dir(p)); err != nil {
		return fmt.Errorf("%s: %v", what, err)
	}
	return b.Write(p, perm, fill)
}

// WriteBytesIn is WriteIn for data in memory.
func (b *Batch) WriteBytesIn(dir, name, what string, data []byte) error {
	return b.WriteIn(dir, name, what, FileMode, bytesFill(filepath.Join(dir, name), data))
}

// MkdirAll makes dir and its missing parents (0777 less the umask),
// remembering them so Abort removes them again.
func (b *Batch) MkdirAll(dir string) error {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		_, err := os.Lstat(d)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	for i := len(missing) - 1; i >= 0; i-- {
		d := missing[i]
		if b.byPath[d] != nil {
			return fmt.Errorf("cannot make directory %s: it is also an output file", d)
		}
		_, id, err := made(func() (string, error) { return d, os.Mkdir(d, DirMode) }, remove)
		if err != nil {
			return err
		}
		b.dirs = append(b.dirs, madeDir{d, id})
	}
	return nil
}

// Commit renames every staged output into place (streams it, for a device
// or pipe), in the order written. It stops at the first failure, removing
// what was not yet in place.
func (b *Batch) Commit() error {
	if b.done {
		return errors.New("output batch already finished")
	}
	b.done = true
	var first error
	for _, it := range b.items {
		if it.dead {
			continue
		}
		if first == nil {
			first = it.commit()
		}
		it.discard()
	}
	if first != nil {
		b.removeDirs()
		return first
	}
	for _, d := range b.dirs {
		unregister(d.id)
	}
	return nil
}

// Abort removes everything the batch made; after Commit it does nothing.
func (b *Batch) Abort() {
	if b.done {
		return
	}
	b.done = true
	for _, it := range b.items {
		it.discard()
	}
	b.removeDirs()
}

func (b *Batch) removeDirs() {
	for i := len(b.dirs) - 1; i >= 0; i-- {
		os.Remove(b.dirs[i].path) // only if empty: never what others put there
		unregister(b.dirs[i].id)
	}
}

func (it *item) commit() error {
	if it.file != nil {
		return streamTo(it.path, it.file)
	}
	err := settle(it.id, func() error { return os.Rename(it.tmpName, it.path) })
	if err != nil {
		return fmt.Errorf("cannot rename output into place %s: %w", it.path, err)
	}
	it.tmpName = ""
	return nil
}

// discard removes the item's temporary file if it still has one.
func (it *item) discard() {
	if it.dead {
		return
	}
	it.dead = true
	if it.file != nil {
		it.file.Close()
	}
	if it.tmpName != "" {
		os.Remove(it.tmpName)
	}
	unregister(it.id)
}
