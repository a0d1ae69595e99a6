package kmod

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Stage writes the closure of names from tree t below out as
// lib/modules/<version>/ (version "": from the modules' vermagic): each module at its path in the package, the
// modules.order of the set, modules.dep, modules.alias, modules.softdep and
// modules.devname as depmod writes them, the package's modules.builtin (so
// loaders know what needs no file) and modules.load: every module path,
// dependencies first, for an init that loads them one by one.
// It returns the modules in load order.
func Stage(t *Tree, names []string, version, out string) ([]*Module, error) {
	mods, err := t.Closure(names)
	if err != nil {
		return nil, err
	}
	if version == "" {
		if version, err = Version(mods); err != nil {
			return nil, err
		}
	}
	if version == "" || strings.ContainsAny(version, "/\x00") || version == "." || version == ".." {
		return nil, fmt.Errorf("kernel version %q is not a directory name", version)
	}
	order := t.Order(mods)
	idx, err := Depmod(mods, order)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(out, "lib", "modules", version)
	for _, m := range mods {
		if err := copyFile(filepath.Join(t.Dir, filepath.FromSlash(m.Path)), filepath.Join(dir, filepath.FromSlash(m.Path))); err != nil {
			return nil, fmt.Errorf("module '%s': %v", m.Name, err)
		}
	}
	var load strings.Builder
	for _, m := range mods {
		load.WriteString(m.Path + "\n")
	}
	files := map[string]string{
		"modules.order":   strings.Join(order, "\n") + "\n",
		"modules.dep":     idx.Dep,
		"modules.alias":   idx.Alias,
		"modules.softdep": idx.Softdep,
		"modules.devname": idx.Devname,
		"modules.load":    load.String(),
	}
	if len(order) == 0 {
		files["modules.order"] = ""
	}
	if b, err := os.ReadFile(filepath.Join(t.Dir, "modules.builtin")); err == nil {
		files["modules.builtin"] = string(b)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	return mods, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	o, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}
