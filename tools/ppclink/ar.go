package ppclink

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

const arMagic = "!<arch>\n"

func isArchive(data []byte) bool {
	return len(data) >= len(arMagic) && string(data[:len(arMagic)]) == arMagic
}

// archive is an `ar` archive with its symbol index, read as ld reads it.
type archive struct {
	name    string
	members map[uint32]*arMember // by header offset, as the index refers to them
	index   []arSymbol           // the armap, in file order
}

type arMember struct {
	name   string
	offset uint32
	data   []byte
	obj    *object // parsed when first pulled in
	loaded bool
}

type arSymbol struct {
	name   string
	offset uint32
}

// parseArchive reads a GNU/SysV `ar` archive: its "/" symbol index, its "//"
// long-name table and its members. Thin archives are not supported.
func parseArchive(name string, data []byte) (*archive, error) {
	a := &archive{name: name, members: map[uint32]*arMember{}}
	var longNames []byte
	haveIndex := false
	off := uint32(len(arMagic))
	for uint64(off) < uint64(len(data)) {
		if uint64(off)+60 > uint64(len(data)) {
			return nil, fmt.Errorf("%s: truncated member header at offset %#x", name, off)
		}
		h := data[off : off+60]
		if string(h[58:60]) != "`\n" {
			return nil, fmt.Errorf("%s: bad member header magic at offset %#x", name, off)
		}
		size, err := strconv.ParseUint(strings.TrimSpace(string(h[48:58])), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%s: member at offset %#x: bad size field %q", name, off, strings.TrimSpace(string(h[48:58])))
		}
		start := uint64(off) + 60
		if start+size > uint64(len(data)) {
			return nil, fmt.Errorf("%s: member at offset %#x: size %d past end of archive (%d bytes)", name, off, size, len(data))
		}
		body := data[start : start+size]
		rawName := strings.TrimRight(string(h[:16]), " ")
		switch {
		case rawName == "/" || rawName == "/SYM64/":
			if rawName == "/SYM64/" {
				return nil, fmt.Errorf("%s: 64-bit archive index not supported", name)
			}
			if err := a.parseIndex(body); err != nil {
				return nil, err
			}
			haveIndex = true
		case rawName == "//":
			longNames = body
		default:
			mname, err := memberName(rawName, longNames)
			if err != nil {
				return nil, fmt.Errorf("%s: member at offset %#x: %v", name, off, err)
			}
			a.members[off] = &arMember{name: mname, offset: off, data: body}
		}
		next := start + size
		next += next & 1
		if next > uint64(len(data)) {
			break
		}
		off = uint32(next)
	}
	if !haveIndex && len(a.members) > 0 {
		return nil, fmt.Errorf("%s: archive has no index; run ranlib to add one", name)
	}
	for _, s := range a.index {
		if a.members[s.offset] == nil {
			return nil, fmt.Errorf("%s: index entry '%s' points to offset %#x, which is no member", name, s.name, s.offset)
		}
	}
	return a, nil
}

func (a *archive) parseIndex(body []byte) error {
	if len(body) < 4 {
		return fmt.Errorf("%s: truncated archive index", a.name)
	}
	n := uint64(binary.BigEndian.Uint32(body))
	if 4+4*n > uint64(len(body)) {
		return fmt.Errorf("%s: archive index with %d entries larger than its member (%d bytes)", a.name, n, len(body))
	}
	names := body[4+4*n:]
	a.index = make([]arSymbol, 0, n)
	p := 0
	for i := uint64(0); i < n; i++ {
		end := p
		for end < len(names) && names[end] != 0 {
			end++
		}
		if end >= len(names) {
			return fmt.Errorf("%s: archive index name %d runs past the index", a.name, i)
		}
		a.index = append(a.index, arSymbol{name: string(names[p:end]), offset: binary.BigEndian.Uint32(body[4+4*i:])})
		p = end + 1
	}
	return nil
}

func memberName(raw string, longNames []byte) (string, error) {
	if strings.HasPrefix(raw, "/") && len(raw) > 1 {
		idx, err := strconv.ParseUint(raw[1:], 10, 32)
		if err != nil {
			return "", fmt.Errorf("bad long-name reference %q", raw)
		}
		if idx >= uint64(len(longNames)) {
			return "", fmt.Errorf("long-name offset %d outside the name table", idx)
		}
		rest := string(longNames[idx:])
		end := strings.Index(rest, "/\n")
		if end < 0 {
			return "", fmt.Errorf("unterminated long name at offset %d", idx)
		}
		return rest[:end], nil
	}
	return strings.TrimSuffix(raw, "/"), nil
}
