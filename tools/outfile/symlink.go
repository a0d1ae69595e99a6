package outfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Symlink makes name (below dir, checked as Join checks it) a symbolic
// link to the file target, also below dir, replacing a link already
// there (binman's image "symlink" property). The link holds target's path
// relative to the link's directory, so it stays right wherever dir is.
func Symlink(dir, name, target, what string) error {
	link, err := Join(dir, name, what)
	if err != nil {
		return err
	}
	to, err := Join(dir, target, what)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(filepath.Dir(link), to)
	if err != nil {
		return fmt.Errorf("%s: symlink '%s': %v", what, name, err)
	}
	if st, err := os.Lstat(link); err == nil {
		if st.Mode()&os.ModeSymlink == 0 {
			return fmt.Errorf("%s: symlink '%s': a file that is no link is in the way", what, name)
		}
		if err := os.Remove(link); err != nil {
			return fmt.Errorf("%s: symlink '%s': %v", what, name, err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return fmt.Errorf("%s: symlink '%s': %v", what, name, err)
	}
	if err := os.Symlink(rel, link); err != nil {
		return fmt.Errorf("%s: symlink '%s': %v", what, name, err)
	}
	return nil
}
