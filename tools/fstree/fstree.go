// Package fstree describes the contents of a filesystem image to be built:
// which files (read from host paths), directories, symlinks and device nodes
// go where, with which modes and owners. It parses the command-line specs and
// JSON manifests the Bazel rules pass, and arranges the entries into a sorted
// tree so that filesystem writers produce the same bytes for the same inputs
// whatever order they were given in.
package fstree

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Kind is the type of a filesystem entry.
type Kind int

const (
	File Kind = iota
	Dir
	Symlink
	CharDevice
	BlockDevice
)

func (k Kind) String() string {
	switch k {
	case File:
		return "file"
	case Dir:
		return "dir"
	case Symlink:
		return "symlink"
	case CharDevice:
		return "char"
	case BlockDevice:
		return "block"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Entry is one item placed in the image.
type Entry struct {
	Path   string // slash-separated, relative to the image root, cleaned; "" is the root
	Kind   Kind
	Source string // File: host path the contents are read from
	Target string // Symlink: link target, stored verbatim
	// Mode holds permission bits (07777). HasMode false means the default:
	// 0644 for files, 0755 for directories, 0777 for symlinks, 0600 for devices.
	Mode    uint32
	HasMode bool
	UID     uint32
	GID     uint32
	Major   uint32
	Minor   uint32
}

// Perm returns the entry's permission bits, applying the per-kind default.
func (e *Entry) Perm() uint32 {
	if e.HasMode {
		return e.Mode & 0o7777
	}
	switch e.Kind {
	case Dir:
		return 0o755
	case Symlink:
		return 0o777
	case CharDevice, BlockDevice:
		return 0o600
	}
	return 0o644
}

// CleanPath validates an image path and returns it in canonical form: no
// leading or trailing slash, no empty, "." or ".." components. "/" and ""
// name the root.
func CleanPath(p string) (string, error) {
	parts := strings.Split(p, "/")
	out := parts[:0]
	for _, c := range parts {
		switch c {
		case "", ".":
			continue
		case "..":
			return "", fmt.Errorf("path %q: '..' is not allowed", p)
		}
		if strings.IndexByte(c, 0) >= 0 {
			return "", fmt.Errorf("path %q: NUL byte in name", p)
		}
		out = append(out, c)
	}
	return strings.Join(out, "/"), nil
}

func parseMode(s string) (uint32, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0o"), "0O")
	v, err := strconv.ParseUint(s, 8, 32)
	if err != nil || v > 0o7777 {
		return 0, fmt.Errorf("mode %q is not an octal permission value up to 07777", s)
	}
	return uint32(v), nil
}

// isOctal reports whether s could only be a mode suffix (":0755").
func isOctal(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '7' {
			return false
		}
	}
	return true
}

// ParseFileSpec parses "DEST=SRC" or "DEST=SRC:MODE" (MODE octal). A SRC
// that itself ends in ":digits" must be given with an explicit MODE.
func ParseFileSpec(spec string) (Entry, error) {
	dest, src, ok := strings.Cut(spec, "=")
	if !ok || src == "" {
		return Entry{}, fmt.Errorf("file spec %q: want DEST=SRC[:MODE]", spec)
	}
	e := Entry{Kind: File, Source: src}
	if i := strings.LastIndexByte(src, ':'); i >= 0 && isOctal(src[i+1:]) {
		m, err := parseMode(src[i+1:])
		if err != nil {
			return Entry{}, fmt.Errorf("file spec %q: %v", spec, err)
		}
		e.Source, e.Mode, e.HasMode = src[:i], m, true
	}
	return withPath(e, dest, spec)
}

// ParseDirSpec parses "DEST" or "DEST:MODE".
func ParseDirSpec(spec string) (Entry, error) {
	e := Entry{Kind: Dir}
	dest := spec
	if i := strings.LastIndexByte(spec, ':'); i >= 0 {
		m, err := parseMode(spec[i+1:])
		if err != nil {
			return Entry{}, fmt.Errorf("dir spec %q: %v", spec, err)
		}
		dest, e.Mode, e.HasMode = spec[:i], m, true
	}
	return withPath(e, dest, spec)
}

// ParseSymlinkSpec parses "DEST=TARGET".
func ParseSymlinkSpec(spec string) (Entry, error) {
	dest, target, ok := strings.Cut(spec, "=")
	if !ok || target == "" {
		return Entry{}, fmt.Errorf("symlink spec %q: want DEST=TARGET", spec)
	}
	return withPath(Entry{Kind: Symlink, Target: target}, dest, spec)
}

// ParseDeviceSpec parses "DEST=c:MAJOR:MINOR[:MODE]" (b for block devices).
func ParseDeviceSpec(spec string) (Entry, error) {
	dest, rest, ok := strings.Cut(spec, "=")
	f := strings.Split(rest, ":")
	if !ok || len(f) < 3 || len(f) > 4 {
		return Entry{}, fmt.Errorf("device spec %q: want DEST=c|b:MAJOR:MINOR[:MODE]", spec)
	}
	e := Entry{}
	switch f[0] {
	case "c":
		e.Kind = CharDevice
	case "b":
		e.Kind = BlockDevice
	default:
		return Entry{}, fmt.Errorf("device spec %q: type %q is neither c nor b", spec, f[0])
	}
	maj, err1 := strconv.ParseUint(f[1], 10, 32)
	min, err2 := strconv.ParseUint(f[2], 10, 32)
	if err1 != nil || err2 != nil || maj > 0xfff || min > 0xfffff {
		return Entry{}, fmt.Errorf("device spec %q: major must be 0..4095 and minor 0..1048575", spec)
	}
	e.Major, e.Minor = uint32(maj), uint32(min)
	if len(f) == 4 {
		m, err := parseMode(f[3])
		if err != nil {
			return Entry{}, fmt.Errorf("device spec %q: %v", spec, err)
		}
		e.Mode, e.HasMode = m, true
	}
	return withPath(e, dest, spec)
}

func withPath(e Entry, dest, spec string) (Entry, error) {
	p, err := CleanPath(dest)
	if err != nil {
		return Entry{}, fmt.Errorf("spec %q: %v", spec, err)
	}
	if p == "" && e.Kind != Dir {
		return Entry{}, fmt.Errorf("spec %q: only a directory may be placed at the root", spec)
	}
	e.Path = p
	return e, nil
}

// manifestEntry is the JSON form of an Entry.
type manifestEntry struct {
	Path   string  `json:"path"`
	Type   string  `json:"type"`
	Src    string  `json:"src,omitempty"`
	Target string  `json:"target,omitempty"`
	Mode   string  `json:"mode,omitempty"`
	UID    *uint32 `json:"uid,omitempty"`
	GID    *uint32 `json:"gid,omitempty"`
	Major  *uint32 `json:"major,omitempty"`
	Minor  *uint32 `json:"minor,omitempty"`
}

// ReadManifest parses a JSON manifest:
//
//	{"entries": [
//	  {"path": "bin/busybox", "type": "file", "src": "in/busybox", "mode": "0755"},
//	  {"path": "bin/sh", "type": "symlink", "target": "busybox"},
//	  {"path": "proc", "type": "dir", "mode": "0555"},
//	  {"path": "dev/console", "type": "char", "major": 5, "minor": 1, "mode": "0600"}
//	]}
//
// "type" defaults to "file"; "uid" and "gid" default to 0.
func ReadManifest(r io.Reader, name string) ([]Entry, error) {
	var m struct {
		Entries []manifestEntry `json:"entries"`
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest %s: %v", name, err)
	}
	out := make([]Entry, 0, len(m.Entries))
	for i, me := range m.Entries {
		where := fmt.Sprintf("manifest %s: entry %d (%q)", name, i, me.Path)
		e := Entry{Source: me.Src, Target: me.Target}
		switch me.Type {
		case "", "file":
			e.Kind = File
			if me.Src == "" {
				return nil, fmt.Errorf("%s: file needs \"src\"", where)
			}
		case "dir":
			e.Kind = Dir
		case "symlink":
			e.Kind = Symlink
			if me.Target == "" {
				return nil, fmt.Errorf("%s: symlink needs \"target\"", where)
			}
		case "char", "block":
			e.Kind = CharDevice
			if me.Type == "block" {
				e.Kind = BlockDevice
			}
			if me.Major == nil || me.Minor == nil {
				return nil, fmt.Errorf("%s: device needs \"major\" and \"minor\"", where)
			}
			e.Major, e.Minor = *me.Major, *me.Minor
			if e.Major > 0xfff || e.Minor > 0xfffff {
				return nil, fmt.Errorf("%s: major must be 0..4095 and minor 0..1048575", where)
			}
		default:
			return nil, fmt.Errorf("%s: unknown type %q (want file, dir, symlink, char or block)", where, me.Type)
		}
		if me.Mode != "" {
			mode, err := parseMode(me.Mode)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", where, err)
			}
			e.Mode, e.HasMode = mode, true
		}
		if me.UID != nil {
			e.UID = *me.UID
		}
		if me.GID != nil {
			e.GID = *me.GID
		}
		ne, err := withPath(e, me.Path, me.Path)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		out = append(out, ne)
	}
	return out, nil
}

// ReadManifestFile reads a manifest from a host file.
func ReadManifestFile(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadManifest(f, path)
}

// Node is one entry of a Tree. Directories have their children sorted by
// name (byte order).
type Node struct {
	Name     string // last path component; "" for the root
	Entry    Entry
	Implicit bool // directory created because a deeper path needed it
	Children []*Node
	// Size is the length of a file's source, filled in by Stat.
	Size int64
}

// IsDir reports whether n is a directory.
func (n *Node) IsDir() bool { return n.Entry.Kind == Dir }

// Build arranges entries into a tree rooted at an implicit directory,
// creating missing parent directories (mode 0755). Two entries at the same
// path, or an entry below a non-directory, are errors. An explicit
// directory entry may restate an implicitly created directory to set its
// mode or owner.
func Build(entries []Entry) (*Node, error) {
	root := &Node{Entry: Entry{Kind: Dir}, Implicit: true}
	index := map[string]*Node{"": root}
	explicit := map[string]bool{}
	for _, e := range entries {
		p, err := CleanPath(e.Path)
		if err != nil {
			return nil, err
		}
		e.Path = p
		if n, ok := index[p]; ok {
			if explicit[p] || e.Kind != Dir {
				return nil, fmt.Errorf("'/%s': given twice (as %s and %s)", p, n.Entry.Kind, e.Kind)
			}
			n.Entry, n.Implicit = e, false
			explicit[p] = true
			continue
		}
		parent := root
		parts := strings.Split(p, "/")
		for i := 0; i < len(parts)-1; i++ {
			dp := strings.Join(parts[:i+1], "/")
			d, ok := index[dp]
			if !ok {
				d = &Node{Name: parts[i], Entry: Entry{Path: dp, Kind: Dir}, Implicit: true}
				index[dp] = d
				parent.Children = append(parent.Children, d)
			} else if !d.IsDir() {
				return nil, fmt.Errorf("'/%s': parent '/%s' is a %s, not a directory", p, dp, d.Entry.Kind)
			}
			parent = d
		}
		n := &Node{Name: parts[len(parts)-1], Entry: e}
		index[p] = n
		explicit[p] = true
		parent.Children = append(parent.Children, n)
	}
	sortTree(root)
	return root, nil
}

func sortTree(n *Node) {
	sort.Slice(n.Children, func(i, j int) bool { return n.Children[i].Name < n.Children[j].Name })
	for _, c := range n.Children {
		if c.IsDir() {
			sortTree(c)
		}
	}
}

// Stat records the size of every file's source and checks each is a
// regular file, so writers can lay the image out before reading any data.
func Stat(root *Node) error {
	return Walk(root, func(n *Node) error {
		if n.Entry.Kind != File {
			return nil
		}
		st, err := os.Stat(n.Entry.Source)
		if err != nil {
			return fmt.Errorf("'/%s': %v", n.Entry.Path, err)
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("'/%s': source %s is not a regular file", n.Entry.Path, n.Entry.Source)
		}
		n.Size = st.Size()
		return nil
	})
}

// Walk calls fn for n and every node below it, parents before children, in
// sorted order.
func Walk(n *Node, fn func(*Node) error) error {
	if err := fn(n); err != nil {
		return err
	}
	for _, c := range n.Children {
		if err := Walk(c, fn); err != nil {
			return err
		}
	}
	return nil
}
