package outfile

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Join places name, a path taken from an image or a description (an
// entry, a FIT node, a partition, a file in a filesystem image), below dir.
// "/"-separated names make subdirectories, as binman's do. A name that is
// empty, absolute, holds a ".." component or a NUL byte, or that would
// pass through a symbolic link already in dir to a place outside it, is
// an error naming what (e.g. "Entry 'section/u-boot'"), so a crafted image
// can never plant files outside the directory the user chose.
func Join(dir, name, what string) (string, error) {
	rel, err := cleanName(name)
	if err != nil {
		return "", fmt.Errorf("%s: %v (output directory '%s')", what, err, dir)
	}
	if err := checkLinks(dir, rel); err != nil {
		return "", fmt.Errorf("%s: %v", what, err)
	}
	return filepath.Join(dir, rel), nil
}

// cleanName returns name as a clean relative OS path, or why it is unsafe.
func cleanName(name string) (string, error) {
	switch {
	case name == "":
		return "", errors.New("empty name")
	case strings.IndexByte(name, 0) >= 0:
		return "", fmt.Errorf("name %q holds a NUL byte", name)
	case strings.HasPrefix(name, "/") || filepath.IsAbs(name):
		return "", fmt.Errorf("absolute name '%s' refused", name)
	}
	for _, c := range strings.Split(name, "/") {
		if c == ".." {
			return "", fmt.Errorf("name '%s' has a '..' component", name)
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", fmt.Errorf("name '%s' names the output directory itself", name)
	}
	return filepath.FromSlash(clean), nil
}

// checkLinks walks rel below dir through what already exists on disk and
// refuses symbolic links that lead outside dir (or nowhere: a dangling
// link could be made to point anywhere before it is followed).
func checkLinks(dir, rel string) error {
	root, err := filepath.EvalSymlinks(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil // nothing below dir exists yet, so no link either
	}
	if err != nil {
		return err
	}
	cur, shown := root, dir
	for _, c := range strings.Split(rel, string(filepath.Separator)) {
		cur, shown = filepath.Join(cur, c), filepath.Join(shown, c)
		st, err := os.Lstat(cur)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if st.Mode()&os.ModeSymlink == 0 {
			continue
		}
		real, err := filepath.EvalSymlinks(cur)
		if err != nil {
			return fmt.Errorf("'%s' is a symbolic link that leads nowhere; refusing to write through it", shown)
		}
		if !within(root, real) {
			return fmt.Errorf("'%s' is a symbolic link to '%s', outside output directory '%s'", shown, real, dir)
		}
		cur = real
	}
	return nil
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
