// Package binsym writes binman symbols: a firmware binary built from an ELF
// file (U-Boot SPL, TPL...) may declare symbols named
// _binman_<entry>_prop_<offset|image_pos|size>, and once the image is packed
// their locations in the binary are overwritten with the packed values, so
// the code finds the other pieces of the image at run time.
//
// The rules are U-Boot binman's (tools/binman/elf.py LookupAndWriteSymbols
// and the section/image symbol lookup), read with Go's debug/elf instead of
// objdump:
//
//   - Only symbols whose name (or section name) contains "image" or
//     "binman" are considered, as binman filters objdump's listing.
//   - The base symbol (__image_copy_start unless overridden) marks the
//     start of the binary; without it nothing is written. A symbol lands at
//     (address - base address) in the entry's contents. When the entry's
//     contents are the ELF file itself, the symbol lands at its file
//     offset through the PT_LOAD segment holding its address.
//   - 4-byte symbols get a little-endian u32, 8-byte ones a u64; any other
//     size is an error.
//   - _binman_sym_magic gets 0x4d595342 ("BSYM").
//   - The entry is looked up by name among all the image's entries, as
//     binman collects them: children before their section, depth first,
//     the last one of a name winning; "_any"
//     after the name also matches <name>, <name>-elf, <name>-img and
//     <name>-nodtb. An unknown entry is an error, or for a weak symbol a
//     warning and the value -1.
//   - image_pos adds the base address: the base symbol's address, or the
//     entry's symbols-base, or 0 in an end-at-4gb image. An entry with no
//     image position (inside a compressed section, or — as binman tests
//     the value for truth — at position 0) gets -1.
package binsym

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/elffile"
	"github.com/rules-firmware/rules_firmware/tools/layout"
	"github.com/rules-firmware/rules_firmware/tools/lazyre"
)

// DefaultBaseSymbol marks the start of a U-Boot binary.
const DefaultBaseSymbol = "__image_copy_start"

// MagicSymbol is patched with MagicValue so code can tell binman ran.
const (
	MagicSymbol = "_binman_sym_magic"
	MagicValue  = 0x4d595342 // "BSYM" in little endian
)

// Symbol is one ELF symbol binman looks at.
type Symbol struct {
	Name    string
	Section string // name of the section holding it ("*UND*", "*ABS*" for special indices)
	Address uint64
	Size    uint64
	Weak    bool
	// FileOffset is the symbol's offset in the ELF file through the PT_LOAD
	// segment containing its address, or -1 when no segment holds it.
	FileOffset int64
}

// ReadSymbols returns the symbols of an ELF file that binman considers,
// ordered by address (ties keep symbol-table order). A name listed twice
// keeps the later symbol at the earlier one's place, as binman's dict does.
// A file without a symbol table has no symbols.
func ReadSymbols(r io.ReaderAt) ([]Symbol, error) {
	f, err := elffile.NewFile(r)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err == elffile.ErrNoSymbols {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	index := map[string]int{}
	var out []Symbol
	for _, s := range syms {
		sec := sectionName(f, s.Section)
		if !interesting(s.Name) && !interesting(sec) {
			continue
		}
		sym := Symbol{
			Name:       s.Name,
			Section:    sec,
			Address:    s.Value,
			Size:       s.Size,
			Weak:       elffile.ST_BIND(s.Info) == elffile.STB_WEAK,
			FileOffset: fileOffset(f, s.Value),
		}
		if i, ok := index[s.Name]; ok {
			out[i] = sym
			continue
		}
		index[s.Name] = len(out)
		out = append(out, sym)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out, nil
}

// ReadSymbolsFile is ReadSymbols on a named file.
func ReadSymbolsFile(path string) ([]Symbol, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	syms, err := ReadSymbols(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return syms, nil
}

// interesting is binman's filter on objdump lines: /image|binman/.
func interesting(s string) bool {
	return strings.Contains(s, "image") || strings.Contains(s, "binman")
}

func sectionName(f *elffile.File, idx uint16) string {
	switch idx {
	case elffile.SHN_UNDEF:
		return "*UND*"
	case elffile.SHN_ABS:
		return "*ABS*"
	case elffile.SHN_COMMON:
		return "*COM*"
	}
	if int(idx) < len(f.Sections) {
		return f.Sections[idx].Name
	}
	return ""
}

func fileOffset(f *elffile.File, addr uint64) int64 {
	for _, p := range f.Progs {
		if p.Type == elffile.PT_LOAD && addr >= p.Vaddr && addr < p.Vaddr+p.Filesz {
			return int64(addr - p.Vaddr + p.Off)
		}
	}
	return -1
}

// Target says where an entry's symbols come from.
type Target struct {
	// ELF is the file holding the symbol table (e.g. spl/u-boot-spl).
	ELF string
	// BaseSymbol marks the start of the binary; DefaultBaseSymbol if empty
	// (binman's elf-base-sym).
	BaseSymbol string
	// SymbolsBase, when set, replaces the base address added to image_pos
	// (binman's symbols-base).
	SymbolsBase *uint64
	// InELF: the entry's contents are the ELF file itself (u-boot-spl-elf),
	// so symbols are written at their file offsets and the base is 0.
	InELF bool
}

// Value of a symbol whose entry or position is unknown: all ones.
const unknown = ^uint64(0)

var symbolName = &lazyre.Regexp{Expr: `^_binman_(\w+)_prop_(\w+)$`}

// Patch is one write into an entry's contents.
type Patch struct {
	Symbol string
	Offset uint64
	Data   []byte
}

// Resolve computes the writes binman makes into entry e of img for the
// given symbols. Warnings (weak symbols naming unknown entries) go to warn.
// contentsSize is the size of the entry's contents (for the bounds check).
func Resolve(img *layout.Image, e layout.Entry, contentsSize uint64, syms []Symbol, t Target, warn func(string)) ([]Patch, error) {
	baseSym := t.BaseSymbol
	if baseSym == "" {
		baseSym = DefaultBaseSymbol
	}
	var base *Symbol
	for i := range syms {
		if syms[i].Name == baseSym {
			base = &syms[i]
		}
	}
	if base == nil && !t.InELF {
		return nil, nil // binman: no base symbol, nothing to write
	}
	var baseAddr uint64
	switch {
	case t.SymbolsBase != nil:
		baseAddr = *t.SymbolsBase
	case img.EndAt4GB() || t.InELF:
		baseAddr = 0
	default:
		baseAddr = base.Address
	}
	imagePath := img.Path()
	var patches []Patch
	for _, s := range syms {
		if !strings.HasPrefix(s.Name, "_binman") {
			continue
		}
		msg := fmt.Sprintf("Section '%s': Symbol '%s' in entry '%s'", imagePath, s.Name, e.Path())
		var off uint64
		if t.InELF {
			if s.FileOffset < 0 {
				return nil, fmt.Errorf("%s: address %#x is in no loadable segment of '%s'", msg, s.Address, t.ELF)
			}
			off = uint64(s.FileOffset)
		} else {
			// Python's negative offset is our wrap-around.
			off = s.Address - base.Address
			if s.Address < base.Address || off+s.Size > contentsSize || off+s.Size < off {
				return nil, fmt.Errorf("%s has offset %s (size %x) but the contents size is %x", e.Path(), pyHex(int64(s.Address-base.Address)), s.Size, contentsSize)
			}
		}
		if s.Size != 4 && s.Size != 8 {
			return nil, fmt.Errorf("%s has size %d: only 4 and 8 are supported", msg, s.Size)
		}
		var value uint64
		if s.Name == MagicSymbol {
			value = MagicValue
		} else {
			v, err := lookup(img, s, msg, baseAddr, warn)
			if err != nil {
				return nil, err
			}
			value = v
		}
		data := make([]byte, s.Size)
		if s.Size == 4 {
			if value != unknown && value > 0xffffffff {
				return nil, fmt.Errorf("%s: value %#x does not fit in 4 bytes", msg, value)
			}
			binary.LittleEndian.PutUint32(data, uint32(value))
		} else {
			binary.LittleEndian.PutUint64(data, value)
		}
		patches = append(patches, Patch{Symbol: s.Name, Offset: off, Data: data})
	}
	return patches, nil
}

func pyHex(v int64) string {
	if v < 0 {
		return fmt.Sprintf("-%x", -v)
	}
	return fmt.Sprintf("%x", v)
}

// lookup finds the value for a _binman_<entry>_prop_<prop> symbol.
func lookup(img *layout.Image, s Symbol, msg string, baseAddr uint64, warn func(string)) (uint64, error) {
	m := symbolName.Get().FindStringSubmatch(s.Name)
	if m == nil {
		return 0, fmt.Errorf("%s: Symbol '%s' has invalid format", msg, s.Name)
	}
	entryName := strings.ReplaceAll(m[1], "_", "-")
	prop := m[2]
	names, byName := collect(img)
	ent, ok := byName[entryName]
	if !ok && strings.HasSuffix(entryName, "-any") {
		root := strings.TrimSuffix(entryName, "-any")
		for _, n := range names {
			if !strings.HasPrefix(n, root) {
				continue
			}
			switch n[len(root):] {
			case "", "-elf", "-img", "-nodtb":
				ent, ok = byName[n], true
			}
		}
	}
	if !ok {
		err := fmt.Sprintf("%s: Entry '%s' not found in list (%s)", msg, entryName, strings.Join(names, ","))
		if s.Weak {
			if warn != nil {
				warn("Warning: " + err)
			}
			return unknown, nil
		}
		return 0, fmt.Errorf("%s", err)
	}
	switch prop {
	case "offset":
		return ent.Offset(), nil
	case "image_pos":
		pos, ok := ent.ImagePos()
		if !ok || pos == 0 {
			return unknown, nil
		}
		return baseAddr + pos, nil
	case "size":
		return ent.Size(), nil
	}
	return 0, fmt.Errorf("%s: No such property '%s'", msg, prop)
}

// collect lists the image's entries by name in binman's order: each
// section's children (recursively) before the section itself; a name met
// again replaces the earlier entry but keeps its place in the list.
func collect(img *layout.Image) ([]string, map[string]layout.Entry) {
	var names []string
	byName := map[string]layout.Entry{}
	add := func(e layout.Entry) {
		if _, ok := byName[e.Name()]; !ok {
			names = append(names, e.Name())
		}
		byName[e.Name()] = e
	}
	var rec func(e layout.Entry)
	rec = func(e layout.Entry) {
		if s, ok := e.(*layout.Section); ok {
			for _, c := range s.Entries() {
				rec(c)
			}
		}
		add(e)
	}
	rec(&img.Section)
	return names, byName
}
