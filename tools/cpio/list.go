package cpio

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/lazymap"
)

// ParseList reads a file list in the format of the kernel's
// usr/gen_init_cpio (one entry a line, in archive order):
//
//	# a comment
//	file  NAME LOCATION MODE UID GID [HARDLINK...]
//	dir   NAME MODE UID GID
//	nod   NAME MODE UID GID c|b MAJOR MINOR
//	slink NAME TARGET MODE UID GID
//	pipe  NAME MODE UID GID
//	sock  NAME MODE UID GID
//
// MODE is octal permission bits, UID/GID decimal; one leading '/' of a name
// is dropped. Stricter than gen_init_cpio, which warns and goes on: an
// unknown type, a missing or extra field, or a ${VAR} in LOCATION (we do
// not read the environment; give the path) fails naming list:line.
// resolve maps a LOCATION to the host path to read (nil: used as is).
// Records keep the list's order and set NLink as gen_init_cpio does (2 for
// dir, pipe and sock), so Write with SymlinkNUL gives its bytes.
func ParseList(r io.Reader, name string, resolve func(location string) (string, error)) ([]Record, error) {
	var recs []Record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 3*MaxNameSize)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		where := fmt.Sprintf("%s:%d", name, line)
		rec, err := parseListLine(f, resolve)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		rec.Where = where
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return recs, nil
}

var listForms = &lazymap.Map[string, string]{New: func() map[string]string {
	return map[string]string{
		"file":  "file NAME LOCATION MODE UID GID [HARDLINK...]",
		"dir":   "dir NAME MODE UID GID",
		"nod":   "nod NAME MODE UID GID c|b MAJOR MINOR",
		"slink": "slink NAME TARGET MODE UID GID",
		"pipe":  "pipe NAME MODE UID GID",
		"sock":  "sock NAME MODE UID GID",
	}
}}

var listTypes = &lazymap.Map[string, uint32]{New: func() map[string]uint32 {
	return map[string]uint32{"dir": TypeDir, "pipe": TypeFifo, "sock": TypeSocket}
}}

func parseListLine(f []string, resolve func(string) (string, error)) (Record, error) {
	form, ok := listForms.Get()[f[0]]
	if !ok {
		return Record{}, fmt.Errorf("unknown type %q (want file, dir, nod, slink, pipe or sock)", f[0])
	}
	want := len(strings.Fields(form))
	if f[0] == "file" {
		if len(f) < want-1 {
			return Record{}, fmt.Errorf("want %q, got %d fields", form, len(f))
		}
	} else if len(f) != want {
		return Record{}, fmt.Errorf("want %q, got %d fields", form, len(f))
	}
	rec := Record{Names: []string{listName(f[1])}}
	// Position of MODE UID GID.
	at := 2
	switch f[0] {
	case "file", "slink":
		at = 3
	}
	if err := parseModeOwner(&rec, f[at:at+3]); err != nil {
		return Record{}, err
	}
	switch f[0] {
	case "file":
		rec.Mode |= TypeReg
		loc := f[2]
		if strings.Contains(loc, "${") {
			return Record{}, fmt.Errorf("location %q: ${VAR} expansion is not supported; give the path", loc)
		}
		rec.Source = loc
		if resolve != nil {
			p, err := resolve(loc)
			if err != nil {
				return Record{}, fmt.Errorf("location %q: %v", loc, err)
			}
			rec.Source = p
		}
		for _, l := range f[6:] {
			rec.Names = append(rec.Names, listName(l))
		}
	case "slink":
		rec.Mode |= TypeLink
		rec.Target = f[2]
	case "nod":
		switch f[5] {
		case "c":
			rec.Mode |= TypeChar
		case "b":
			rec.Mode |= TypeBlock
		default:
			return Record{}, fmt.Errorf("device type %q is neither c nor b", f[5])
		}
		maj, err1 := strconv.ParseUint(f[6], 10, 32)
		min, err2 := strconv.ParseUint(f[7], 10, 32)
		if err1 != nil || err2 != nil {
			return Record{}, fmt.Errorf("major %q / minor %q: want decimal numbers", f[6], f[7])
		}
		rec.RdevMajor, rec.RdevMinor = uint32(maj), uint32(min)
	default:
		rec.Mode |= listTypes.Get()[f[0]]
		rec.NLink = 2 // gen_init_cpio writes 2 for every dir, pipe and sock
	}
	return rec, nil
}

// listName drops one leading '/', as gen_init_cpio does.
func listName(s string) string { return strings.TrimPrefix(s, "/") }

func parseModeOwner(rec *Record, f []string) error {
	mode, err := strconv.ParseUint(f[0], 8, 32)
	if err != nil || mode > 0o7777 {
		return fmt.Errorf("mode %q: want octal permission bits up to 07777", f[0])
	}
	uid, err1 := strconv.ParseUint(f[1], 10, 32)
	gid, err2 := strconv.ParseUint(f[2], 10, 32)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("uid %q / gid %q: want decimal numbers", f[1], f[2])
	}
	rec.Mode, rec.UID, rec.GID = uint32(mode), uint32(uid), uint32(gid)
	return nil
}
