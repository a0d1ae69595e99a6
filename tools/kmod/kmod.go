// Package kmod picks kernel modules out of a kernel package's module tree
// (lib/modules/<version>/), follows their dependencies and writes the
// index files module loaders read (text and .bin), the way kmod's depmod
// writes them.
//
// What it reads from each .ko (ELF32 or ELF64, either byte order, plain or
// .ko.xz/.ko.zst/.ko.gz): the .modinfo strings (name, depends, alias,
// softdep, vermagic), the undefined symbols in .symtab order and the
// symbols the module exports (its __crc_ symbols, else __ksymtab_strings),
// which is what depmod uses to order modules.dep.
//
// The dependency closure comes from depends= (what modpost recorded); the
// order of each modules.dep line follows depmod: modules in modules.order
// order, dependencies sorted by a topological index computed with depmod's
// stack-based Kahn walk over symbol-derived direct dependencies.
package kmod

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/compress"
	"github.com/rules-firmware/rules_firmware/tools/elffile"
)

// Module is one kernel module of a tree.
type Module struct {
	Name      string   // module name ('-' in the file name becomes '_')
	Path      string   // path below the module directory, e.g. kernel/fs/squashfs/squashfs.ko
	Depends   []string // modinfo depends=, in order
	Info      [][2]string
	Vermagic  string
	Undefined []string // undefined symbols, .symtab order
	Exports   []string
}

// UncompressedPath is Path without a compression suffix (as modules.order
// names modules).
func (m *Module) UncompressedPath() string {
	for _, s := range compressedSuffixes {
		if strings.HasSuffix(m.Path, s.suffix) {
			return strings.TrimSuffix(m.Path, s.suffix) + ".ko"
		}
	}
	return m.Path
}

var compressedSuffixes = []struct{ suffix, algo string }{
	{".ko.xz", "xz"}, {".ko.zst", "zstd"}, {".ko.gz", "gzip"},
}

// ModuleName derives a module's name from its file name.
func ModuleName(path string) string {
	base := filepath.Base(path)
	if i := strings.Index(base, ".ko"); i >= 0 {
		base = base[:i]
	}
	return strings.ReplaceAll(base, "-", "_")
}

// isModuleFile reports whether a file name is a (possibly compressed) module.
func isModuleFile(name string) bool {
	if strings.HasSuffix(name, ".ko") {
		return true
	}
	for _, s := range compressedSuffixes {
		if strings.HasSuffix(name, s.suffix) {
			return true
		}
	}
	return false
}

// maxModuleSize bounds what is read of one module (Linux's largest
// modules are a few tens of MiB).
const maxModuleSize = 512 << 20

// ReadModule reads one module file; rel is its path below the module dir.
func ReadModule(path, rel string) (*Module, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxModuleSize {
		return nil, fmt.Errorf("%s: %d bytes is more than a module can be", rel, st.Size())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for _, s := range compressedSuffixes {
		if strings.HasSuffix(rel, s.suffix) {
			if data, err = compress.DecompressBytes(s.algo, data); err != nil {
				return nil, fmt.Errorf("%s: %v", rel, err)
			}
		}
	}
	m, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", rel, err)
	}
	m.Path = rel
	if want := ModuleName(rel); m.Name == "" {
		m.Name = want
	} else if m.Name != want {
		return nil, fmt.Errorf("%s: .modinfo name=%s does not match the file name", rel, m.Name)
	}
	return m, nil
}

// Parse reads the module facts from an uncompressed .ko image.
func Parse(data []byte) (m *Module, err error) {
	// debug/elf checks offsets against the data but may panic on some
	// malformed tables; a module that breaks it is simply not a module.
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("malformed ELF: %v", r)
		}
	}()
	f, err := elffile.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not an ELF module: %v", err)
	}
	m = &Module{}
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, fmt.Errorf("no .modinfo section")
	}
	info, err := sectionData(sec, len(data))
	if err != nil {
		return nil, fmt.Errorf(".modinfo: %v", err)
	}
	for _, kv := range bytes.Split(info, []byte{0}) {
		if len(kv) == 0 {
			continue
		}
		k, v, _ := strings.Cut(string(kv), "=")
		m.Info = append(m.Info, [2]string{k, v})
		switch k {
		case "name":
			m.Name = v
		case "vermagic":
			m.Vermagic = v
		case "depends":
			for _, d := range strings.Split(v, ",") {
				if d != "" {
					m.Depends = append(m.Depends, strings.ReplaceAll(d, "-", "_"))
				}
			}
		}
	}
	// A section must fit in the file before anything reads it.
	for _, s := range f.Sections {
		if s.Type != elffile.SHT_NOBITS && s.Size > uint64(len(data)) {
			return nil, fmt.Errorf("section %s: %d bytes in a %d-byte file", s.Name, s.Size, len(data))
		}
	}
	syms, err := f.Symbols()
	if err != nil && err != elffile.ErrNoSymbols {
		return nil, fmt.Errorf(".symtab: %v", err)
	}
	for _, s := range syms {
		switch {
		case s.Section == elffile.SHN_UNDEF && s.Name != "":
			m.Undefined = append(m.Undefined, s.Name)
		case strings.HasPrefix(s.Name, "__crc_"):
			m.Exports = append(m.Exports, strings.TrimPrefix(s.Name, "__crc_"))
		}
	}
	if len(m.Exports) == 0 {
		if ks := f.Section("__ksymtab_strings"); ks != nil {
			b, err := sectionData(ks, len(data))
			if err != nil {
				return nil, fmt.Errorf("__ksymtab_strings: %v", err)
			}
			for _, s := range bytes.Split(b, []byte{0}) {
				if len(s) > 0 {
					m.Exports = append(m.Exports, string(s))
				}
			}
		}
	}
	return m, nil
}

func sectionData(s *elffile.Section, fileSize int) ([]byte, error) {
	if s.Type == elffile.SHT_NOBITS {
		return nil, nil
	}
	if s.Size > uint64(fileSize) {
		return nil, fmt.Errorf("%d bytes in a %d-byte file", s.Size, fileSize)
	}
	return s.Data()
}

// Tree indexes the modules below a module directory by name, reading each
// module only when asked for.
type Tree struct {
	Dir     string
	paths   map[string]string // name -> relative path
	order   []string          // relative .ko paths of modules.order
	mods    map[string]*Module
	Builtin map[string]bool // names in modules.builtin
}

// OpenTree lists the modules below dir (lib/modules/<version>).
func OpenTree(dir string) (*Tree, error) {
	// Bazel hands a source directory to an action as a symlink to it.
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("module tree %s: %v", dir, err)
	}
	t := &Tree{Dir: real, paths: map[string]string{}, mods: map[string]*Module{}, Builtin: map[string]bool{}}
	err = filepath.Walk(real, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.IsDir() || !isModuleFile(fi.Name()) {
			return nil
		}
		rel, err := filepath.Rel(real, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		name := ModuleName(rel)
		if prev, dup := t.paths[name]; dup {
			return fmt.Errorf("module '%s' is in the tree twice: %s and %s", name, prev, rel)
		}
		t.paths[name] = rel
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("module tree %s: %v", dir, err)
	}
	if len(t.paths) == 0 {
		return nil, fmt.Errorf("module tree %s: no .ko files", dir)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "modules.order")); err == nil {
		t.order = strings.Fields(string(b))
	}
	if b, err := os.ReadFile(filepath.Join(dir, "modules.builtin")); err == nil {
		for _, l := range strings.Fields(string(b)) {
			t.Builtin[ModuleName(l)] = true
		}
	}
	return t, nil
}

// Module reads the named module.
func (t *Tree) Module(name string) (*Module, error) {
	if m, ok := t.mods[name]; ok {
		return m, nil
	}
	rel, ok := t.paths[name]
	if !ok {
		return nil, fmt.Errorf("module '%s' is not in the package's module tree", name)
	}
	m, err := ReadModule(filepath.Join(t.Dir, filepath.FromSlash(rel)), rel)
	if err != nil {
		return nil, err
	}
	t.mods[name] = m
	return m, nil
}

// Closure returns the named modules and everything they depend on, in
// load order (every module after its dependencies; ties in the order asked
// for). A name not in the tree, a missing dependency or a dependency cycle
// is an error naming it. Built-in modules (modules.builtin) need no file
// and are left out.
func (t *Tree) Closure(names []string) ([]*Module, error) {
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var out []*Module
	var visit func(name string, path []string) error
	visit = func(name string, path []string) error {
		switch state[name] {
		case done:
			return nil
		case visiting:
			i := 0
			for path[i] != name {
				i++
			}
			return fmt.Errorf("dependency cycle: %s", strings.Join(append(path[i:], name), " -> "))
		}
		if _, ok := t.paths[name]; !ok && t.Builtin[name] {
			state[name] = done
			return nil
		}
		m, err := t.Module(name)
		if err != nil {
			if len(path) > 0 {
				return fmt.Errorf("module '%s' (needed by '%s'): %v", name, path[len(path)-1], err)
			}
			return err
		}
		state[name] = visiting
		for _, d := range m.Depends {
			if err := visit(d, append(path, name)); err != nil {
				return err
			}
		}
		state[name] = done
		out = append(out, m)
		return nil
	}
	for _, n := range names {
		if err := visit(strings.ReplaceAll(n, "-", "_"), nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Order returns the modules.order for a set: the tree's modules.order lines
// naming modules of the set, then the set's other modules by path, so
// depmod's ordering never depends on directory listing order.
func (t *Tree) Order(mods []*Module) []string {
	in := map[string]bool{}
	for _, m := range mods {
		in[m.UncompressedPath()] = true
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range t.order {
		if in[p] && !seen[p] {
			out = append(out, p)
			seen[p] = true
		}
	}
	var rest []string
	for p := range in {
		if !seen[p] {
			rest = append(rest, p)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// Version returns the kernel version the modules were built for: the first
// word of their vermagic (all must agree).
func Version(mods []*Module) (string, error) {
	v := ""
	for _, m := range mods {
		f := strings.Fields(m.Vermagic)
		if len(f) == 0 {
			return "", fmt.Errorf("module '%s' has no vermagic", m.Name)
		}
		if v != "" && f[0] != v {
			return "", fmt.Errorf("module '%s' is for kernel %s, others for %s", m.Name, f[0], v)
		}
		v = f[0]
	}
	return v, nil
}
