package cpio

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fstree"
)

// FromTree turns an fstree into records in the tree's sorted order,
// parents before children (which is what the kernel's unpacker needs: it
// creates each name as it comes). The root directory itself is not written.
//
// hardlinks maps a path to the path of the regular file it is another name
// for; the caller must also have put the path into the tree (as a File
// entry, see HardlinkEntry) so its parents exist and it sorts into place.
// A file and its links become one record, written where its last name
// sorts, so every name's parent directory comes before it.
//
// Directories the tree only created as parents are left out when written
// says they are already in the archive (e.g. from a gen_init_cpio list
// written before); an explicit entry for them is still a duplicate.
func FromTree(root *fstree.Node, hardlinks map[string]string, written map[string]bool) ([]Record, error) {
	var order []*fstree.Node
	byPath := map[string]*fstree.Node{}
	err := fstree.Walk(root, func(n *fstree.Node) error {
		if n == root {
			return nil
		}
		order = append(order, n)
		byPath[n.Entry.Path] = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The file each name finally refers to.
	origin := func(p string) (string, error) {
		seen := map[string]bool{}
		for {
			t, ok := hardlinks[p]
			if !ok {
				return p, nil
			}
			if seen[p] {
				return "", fmt.Errorf("'/%s': hard links form a cycle", p)
			}
			seen[p] = true
			n, ok := byPath[t]
			if !ok {
				return "", fmt.Errorf("'/%s': hard link to '/%s', which is not in the archive", p, t)
			}
			if n.Entry.Kind != fstree.File {
				return "", fmt.Errorf("'/%s': hard link to '/%s', a %s, not a regular file", p, t, n.Entry.Kind)
			}
			p = t
		}
	}
	groups := map[string][]string{}
	last := map[string]int{}
	for i, n := range order {
		o, err := origin(n.Entry.Path)
		if err != nil {
			return nil, err
		}
		groups[o] = append(groups[o], n.Entry.Path)
		last[o] = i
	}
	var recs []Record
	for i, n := range order {
		o, _ := origin(n.Entry.Path)
		if last[o] != i || (n.Implicit && written[n.Entry.Path]) {
			continue
		}
		rec, err := nodeRecord(byPath[o])
		if err != nil {
			return nil, err
		}
		rec.Names = groups[o]
		recs = append(recs, rec)
	}
	return recs, nil
}

func nodeRecord(n *fstree.Node) (Record, error) {
	e := n.Entry
	rec := Record{Mode: e.Perm(), UID: e.UID, GID: e.GID}
	switch e.Kind {
	case fstree.File:
		rec.Mode |= TypeReg
		rec.Source = e.Source
	case fstree.Dir:
		rec.Mode |= TypeDir
	case fstree.Symlink:
		rec.Mode |= TypeLink
		rec.Target = e.Target
	case fstree.CharDevice, fstree.BlockDevice:
		rec.Mode |= TypeChar
		if e.Kind == fstree.BlockDevice {
			rec.Mode = e.Perm() | TypeBlock
		}
		rec.RdevMajor, rec.RdevMinor = e.Major, e.Minor
	default:
		return Record{}, fmt.Errorf("'/%s': cannot archive a %s", e.Path, e.Kind)
	}
	return rec, nil
}

// ParseHardlinkSpec parses "DEST=EXISTING": DEST becomes another name of the
// regular file at EXISTING. It returns the tree entry to add for DEST (a
// placeholder file whose contents are EXISTING's) and both cleaned paths.
func ParseHardlinkSpec(spec string) (e fstree.Entry, dest, existing string, err error) {
	d, t, ok := strings.Cut(spec, "=")
	if !ok || t == "" {
		return e, "", "", fmt.Errorf("hardlink spec %q: want DEST=EXISTING", spec)
	}
	if dest, err = fstree.CleanPath(d); err == nil {
		existing, err = fstree.CleanPath(t)
	}
	if err != nil {
		return e, "", "", fmt.Errorf("hardlink spec %q: %v", spec, err)
	}
	if dest == "" || existing == "" {
		return e, "", "", fmt.Errorf("hardlink spec %q: the root cannot be a hard link", spec)
	}
	return fstree.Entry{Path: dest, Kind: fstree.File}, dest, existing, nil
}

// DirEntries lists a host directory as tree entries placed under dest:
// directories 0755 (only empty ones get an entry of their own), files 0644,
// all owned by 0:0. Host permission bits are not used: Bazel marks every
// output executable, so they say nothing; SetModes overrides a mode. Symlinks are followed, because Bazel hands
// directory outputs to actions as trees of links; anything but files and
// directories is an error. The order is lexical, as fstree sorts anyway.
func DirEntries(dest, dir string) ([]fstree.Entry, error) {
	base, err := fstree.CleanPath(dest)
	if err != nil {
		return nil, err
	}
	var out []fstree.Entry
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if name == "." {
			name = ""
		}
		path := strings.Trim(base+"/"+name, "/")
		switch {
		case st.IsDir():
			// Only empty directories need an entry: fstree creates the
			// others (0755) as parents, and an explicit entry would
			// clash with one the caller gives for the same directory.
			if ents, err := os.ReadDir(p); err != nil {
				return err
			} else if len(ents) == 0 && path != "" {
				out = append(out, fstree.Entry{Path: path, Kind: fstree.Dir, Mode: 0o755, HasMode: true})
			}
			if d.Type()&fs.ModeSymlink != 0 && p != dir {
				// WalkDir does not descend into linked directories.
				sub, err := DirEntries(path, p)
				if err != nil {
					return err
				}
				out = append(out, sub...)
			}
		case st.Mode().IsRegular():
			out = append(out, fstree.Entry{Path: path, Kind: fstree.File, Source: p, Mode: 0o644, HasMode: true})
		default:
			return fmt.Errorf("%s: %s is neither a file nor a directory", dir, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tree %s: %v", dir, err)
	}
	return out, nil
}

// SetModes gives the entries at the named paths the modes given (path ->
// permission bits); a path no entry has is an error.
func SetModes(entries []fstree.Entry, modes map[string]uint32) error {
	left := map[string]bool{}
	for p := range modes {
		left[p] = true
	}
	for i := range entries {
		if m, ok := modes[entries[i].Path]; ok {
			entries[i].Mode, entries[i].HasMode = m, true
			delete(left, entries[i].Path)
		}
	}
	var missing []string
	for p := range left {
		missing = append(missing, p)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("mode for '/%s': no such entry", missing[0])
	}
	return nil
}
