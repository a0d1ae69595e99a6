package kmod

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// Stage writes the closure of names from tree t below out as
// lib/modules/<version>/ (version "": from the modules' vermagic): each module at its path in the package, the
// modules.order of the set, modules.dep, modules.alias, modules.softdep and
// modules.devname and the .bin indexes of dep, alias, symbols and builtin as
// depmod writes them, the package's modules.builtin (so loaders know what
// needs no file) and modules.load: every module path,
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
	// Module paths come from the tree's modules.order: they stay below
	// out, and the whole set goes into place at once or not at all.
	w := outfile.NewBatch()
	defer w.Abort()
	dir := "lib/modules/" + version + "/"
	for _, m := range mods {
		m := m
		src := filepath.Join(t.Dir, filepath.FromSlash(m.Path))
		err := w.WriteIn(out, dir+m.Path, fmt.Sprintf("module '%s'", m.Name), outfile.FileMode, func(o *os.File) error {
			if err := copyFile(src, o); err != nil {
				return fmt.Errorf("module '%s': %v", m.Name, err)
			}
			return nil
		})
		if err != nil {
			return nil, err
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
	for name, b := range idx.Bin {
		files[name] = string(b)
	}
	if b, err := os.ReadFile(filepath.Join(t.Dir, "modules.builtin")); err == nil {
		files["modules.builtin"] = string(b)
		bin, err := BuiltinIndex(string(b))
		if err != nil {
			return nil, fmt.Errorf("modules.builtin: %v", err)
		}
		files["modules.builtin.bin"] = string(bin)
	}
	for name, text := range files {
		if err := w.WriteBytesIn(out, dir+name, "'"+name+"'", []byte(text)); err != nil {
			return nil, err
		}
	}
	if err := w.Commit(); err != nil {
		return nil, err
	}
	return mods, nil
}

func copyFile(src string, o *os.File) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	_, err = io.Copy(o, in)
	return err
}
