package vfat

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// shortChars are the bytes allowed in an 8.3 name besides A-Z and 0-9
// (Microsoft FAT specification, "Directory Structure").
const shortChars = "!#$%&'()-@^_`{}~"

// longInvalid are the characters no FAT long name may contain.
const longInvalid = "\"*/:<>?\\|"

func isShortChar(c byte) bool {
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strings.IndexByte(shortChars, c) >= 0
}

// checkLongName rejects names no FAT implementation can store.
func checkLongName(name string) error {
	if len(utf16.Encode([]rune(name))) > 255 {
		return fmt.Errorf("name longer than 255 UTF-16 characters")
	}
	for _, r := range name {
		if r < 0x20 || strings.ContainsRune(longInvalid, r) {
			return fmt.Errorf("character %q is not allowed in a FAT name", r)
		}
	}
	if strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		return fmt.Errorf("FAT names cannot end in '.' or ' '")
	}
	return nil
}

// exactShortName returns the 11-byte directory form of name when name is
// already a valid upper-case 8.3 name, which needs no long-name entries.
func exactShortName(name string) ([11]byte, bool) {
	var out [11]byte
	base, ext := name, ""
	if i := strings.IndexByte(name, '.'); i >= 0 {
		base, ext = name[:i], name[i+1:]
		if strings.IndexByte(ext, '.') >= 0 {
			return out, false
		}
	}
	if len(base) < 1 || len(base) > 8 || len(ext) > 3 {
		return out, false
	}
	for i := 0; i < len(name); i++ {
		if name[i] != '.' && !isShortChar(name[i]) {
			return out, false
		}
	}
	pad(out[:8], base)
	pad(out[8:], ext)
	return out, true
}

func pad(dst []byte, s string) {
	for i := range dst {
		if i < len(s) {
			dst[i] = s[i]
		} else {
			dst[i] = ' '
		}
	}
}

// shortBasis maps a long name onto the characters an 8.3 name allows, as
// the specification's basis-name algorithm does: upper case, spaces and
// leading dots removed, the last dot separating the extension, anything
// else unrepresentable replaced by '_'.
func shortBasis(name string) (base, ext string) {
	clean := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			switch {
			case r == ' ' || r == '.':
				continue
			case r < 0x80 && isShortChar(byte(strings.ToUpper(string(r))[0])):
				b.WriteString(strings.ToUpper(string(r)))
			default:
				b.WriteByte('_')
			}
		}
		return b.String()
	}
	trimmed := strings.TrimLeft(name, ".")
	if i := strings.LastIndexByte(trimmed, '.'); i >= 0 {
		base, ext = clean(trimmed[:i]), clean(trimmed[i+1:])
	} else {
		base = clean(trimmed)
	}
	if len(ext) > 3 {
		ext = ext[:3]
	}
	if base == "" {
		base = "_"
	}
	return base, ext
}

// assignShortNames gives every name in one directory a unique 8.3 name.
// Names that already are 8.3 keep themselves; the others, in the order
// given (sorted by the caller), get the first free "BASIS~N" so the result
// depends only on the set of names.
func assignShortNames(names []string) (shorts [][11]byte, needLong []bool, err error) {
	shorts = make([][11]byte, len(names))
	needLong = make([]bool, len(names))
	used := map[[11]byte]bool{}
	folded := map[string]string{}
	for i, n := range names {
		if err := checkLongName(n); err != nil {
			return nil, nil, fmt.Errorf("'%s': %v", n, err)
		}
		key := strings.ToUpper(n)
		if prev, ok := folded[key]; ok {
			return nil, nil, fmt.Errorf("'%s' and '%s' differ only in case, which FAT cannot tell apart", prev, n)
		}
		folded[key] = n
		if s, ok := exactShortName(n); ok {
			shorts[i] = s
			used[s] = true
		} else {
			needLong[i] = true
		}
	}
	for i, n := range names {
		if !needLong[i] {
			continue
		}
		base, ext := shortBasis(n)
		found := false
		for seq := 1; seq < 1000000; seq++ {
			tail := "~" + strconv.Itoa(seq)
			b := base
			if len(b) > 8-len(tail) {
				b = b[:8-len(tail)]
			}
			var s [11]byte
			pad(s[:8], b+tail)
			pad(s[8:], ext)
			if !used[s] {
				shorts[i], used[s], found = s, true, true
				break
			}
		}
		if !found {
			return nil, nil, fmt.Errorf("'%s': no free short name", n)
		}
	}
	return shorts, needLong, nil
}

// shortChecksum is the checksum long-name entries carry of their short name.
func shortChecksum(s [11]byte) byte {
	var sum byte
	for _, c := range s {
		sum = (sum&1)<<7 + sum>>1 + c
	}
	return sum
}

// longEntries returns the long-name directory entries for name, in the
// order they are stored (last part first).
func longEntries(name string, short [11]byte) []byte {
	u := utf16.Encode([]rune(name))
	n := (len(u) + 12) / 13
	chars := make([]uint16, n*13)
	for i := range chars {
		switch {
		case i < len(u):
			chars[i] = u[i]
		case i == len(u):
			chars[i] = 0
		default:
			chars[i] = 0xffff
		}
	}
	sum := shortChecksum(short)
	out := make([]byte, 0, n*dirEntrySize)
	for seq := n; seq >= 1; seq-- {
		var e [dirEntrySize]byte
		e[0] = byte(seq)
		if seq == n {
			e[0] |= 0x40
		}
		e[11] = attrLongName
		e[13] = sum
		part := chars[(seq-1)*13 : seq*13]
		slots := []int{1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30}
		for k, off := range slots {
			e[off] = byte(part[k])
			e[off+1] = byte(part[k] >> 8)
		}
		out = append(out, e[:]...)
	}
	return out
}

// longEntryCount is how many long-name entries name needs.
func longEntryCount(name string) int {
	return (len(utf16.Encode([]rune(name))) + 12) / 13
}
