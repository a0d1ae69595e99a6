// Package flashlayout writes and checks STM32CubeProgrammer flash layouts:
// the tab-separated `.tsv` files (columns Opt, Id, Name, Type, IP, Offset,
// Binary) that U-Boot's stm32prog command and STM32CubeProgrammer use to
// factory-flash STM32MP1 boards over USB.
//
// A layout has two kinds of lines: boot lines with option '-' and device
// 'none' that name the FSBL and SSBL loaded into RAM for the programming
// session, and partition lines that say what to write where. Check applies
// the rules both tools enforce, so a mistake is caught at build time
// rather than on the factory floor.
package flashlayout

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/lazymap"
	"github.com/rules-firmware/rules_firmware/tools/lazyre"
)

// Entry is one line of a flash layout.
type Entry struct {
	Option string `json:"option"` // "-", "P", "PE", "PD", "PDE" (letters in any order)
	ID     string `json:"id"`     // hex partition id, e.g. "0x01"
	Name   string `json:"name"`
	Type   string `json:"type"`   // Binary, System, FileSystem, RawImage, FIP, ENV
	Device string `json:"device"` // none, mmc0, nor0, nand0, spi-nand0, ...
	Offset string `json:"offset"` // hex byte offset, or boot1/boot2 for eMMC boot partitions
	Binary string `json:"binary"` // file name relative to the layout, or "none"
	// Line is the 1-based line number when parsed; 0 for built entries.
	Line int `json:"-"`
}

// Header is the comment line STM32CubeProgrammer's own layouts start with.
const Header = "#Opt\tId\tName\tType\tIP\tOffset\tBinary"

var (
	validOptions = &lazymap.Map[string, bool]{New: func() map[string]bool {
		return map[string]bool{"-": true, "P": true, "PE": true, "PD": true, "PDE": true}
	}}
	validTypes = &lazymap.Map[string, bool]{New: func() map[string]bool {
		return map[string]bool{"Binary": true, "System": true, "FileSystem": true, "RawImage": true, "FIP": true, "ENV": true}
	}}
	deviceRE = &lazyre.Regexp{Expr: `^(mmc|nor|nand|spi-nand)([0-9]+)$`}
	idRE     = &lazyre.Regexp{Expr: `^0[xX][0-9a-fA-F]{1,2}$`}
	offsetRE = &lazyre.Regexp{Expr: `^0[xX][0-9a-fA-F]+$`}
)

// normalOption sorts an option's letters so PE and EP compare equal.
func normalOption(o string) string {
	if o == "-" {
		return o
	}
	var b strings.Builder
	for _, c := range "PDE" {
		if strings.ContainsRune(o, c) {
			b.WriteRune(c)
		}
	}
	if b.Len() != len(o) {
		return "" // repeated or unknown letters
	}
	return b.String()
}

func (e Entry) where() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d (%s)", e.Line, e.Name)
	}
	return fmt.Sprintf("entry '%s'", e.Name)
}

// OffsetValue is the entry's byte offset; ok is false for boot1/boot2.
func (e Entry) OffsetValue() (v uint64, ok bool) {
	if !offsetRE.Get().MatchString(e.Offset) {
		return 0, false
	}
	v, err := strconv.ParseUint(e.Offset[2:], 16, 64)
	return v, err == nil
}

// Check validates the entries as a whole layout: each field, unique ids
// and names, and per-device offsets that only grow.
func Check(entries []Entry) error {
	if len(entries) == 0 {
		return fmt.Errorf("flash layout has no entries")
	}
	ids := map[uint64]string{}
	names := map[string]string{}
	lastOffset := map[string]Entry{}
	for _, e := range entries {
		w := e.where()
		opt := normalOption(e.Option)
		if !validOptions.Get()[opt] {
			return fmt.Errorf("%s: Opt %q is not one of -, P, PE, PD, PDE", w, e.Option)
		}
		if !idRE.Get().MatchString(e.ID) {
			return fmt.Errorf("%s: Id %q is not a hex byte such as 0x01", w, e.ID)
		}
		id, _ := strconv.ParseUint(e.ID[2:], 16, 8)
		if prev, dup := ids[id]; dup {
			return fmt.Errorf("%s: Id %s is already used by %s", w, e.ID, prev)
		}
		ids[id] = w
		if e.Name == "" || strings.ContainsAny(e.Name, " \t\n") || len(e.Name) > 32 {
			return fmt.Errorf("%s: Name %q must be 1 to 32 characters without white space", w, e.Name)
		}
		if prev, dup := names[e.Name]; dup {
			return fmt.Errorf("%s: Name %q is already used by %s", w, e.Name, prev)
		}
		names[e.Name] = w
		if !validTypes.Get()[e.Type] {
			return fmt.Errorf("%s: Type %q is not one of Binary, System, FileSystem, RawImage, FIP, ENV", w, e.Type)
		}
		if e.Binary == "" || strings.ContainsAny(e.Binary, "\t\n") {
			return fmt.Errorf("%s: Binary %q must be a file name or none", w, e.Binary)
		}
		if e.Binary == "none" && !strings.Contains(opt, "E") && opt != "-" {
			return fmt.Errorf("%s: Binary is none but Opt %s programs the partition (use PE to leave it empty)", w, e.Option)
		}
		if e.Device == "none" {
			// A boot line: loaded into RAM for the programming session.
			if opt != "-" {
				return fmt.Errorf("%s: device none takes Opt '-' (the binary is only loaded for the USB session), not %q", w, e.Option)
			}
			if e.Offset != "0x0" && e.Offset != "0x00000000" {
				return fmt.Errorf("%s: device none takes Offset 0x0, not %q", w, e.Offset)
			}
			if e.Type != "Binary" && e.Type != "FIP" {
				return fmt.Errorf("%s: device none takes Type Binary or FIP, not %q", w, e.Type)
			}
			continue
		}
		m := deviceRE.Get().FindStringSubmatch(e.Device)
		if m == nil {
			return fmt.Errorf("%s: IP %q is not none or mmcN, norN, nandN, spi-nandN", w, e.Device)
		}
		if e.Offset == "boot1" || e.Offset == "boot2" {
			if m[1] != "mmc" {
				return fmt.Errorf("%s: Offset %s is an eMMC boot partition, but IP is %s", w, e.Offset, e.Device)
			}
			continue
		}
		off, ok := e.OffsetValue()
		if !ok {
			return fmt.Errorf("%s: Offset %q is not a hex byte offset (or boot1/boot2 on eMMC)", w, e.Offset)
		}
		if e.Type == "RawImage" && off != 0 {
			return fmt.Errorf("%s: a RawImage covers the whole device and must be at Offset 0x0, not %s", w, e.Offset)
		}
		if prev, seen := lastOffset[e.Device]; seen {
			poff, _ := prev.OffsetValue()
			if prev.Type == "RawImage" || e.Type == "RawImage" {
				return fmt.Errorf("%s: a RawImage on %s cannot share the device with %s", w, e.Device, prev.where())
			}
			if off <= poff {
				return fmt.Errorf("%s: Offset 0x%x (%d) on %s is not after %s at 0x%x (%d)", w, off, off, e.Device, prev.where(), poff, poff)
			}
		}
		lastOffset[e.Device] = e
	}
	return nil
}

// Write prints the layout with the standard header, one tab between fields.
func Write(w io.Writer, entries []Entry) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, Header)
	for _, e := range entries {
		fmt.Fprintf(bw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Option, e.ID, e.Name, e.Type, e.Device, e.Offset, e.Binary)
	}
	return bw.Flush()
}

// maxLineBytes bounds one line; real layouts have lines of a few dozen bytes.
const maxLineBytes = 4096

// Parse reads a layout as stm32prog does: '#' lines are comments, runs of
// tabs separate the seven fields, empty lines are skipped. It checks each
// line's shape; call Check for the layout rules.
func Parse(r io.Reader) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256), maxLineBytes)
	var out []Entry
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		var fields []string
		for _, f := range strings.Split(text, "\t") {
			if f != "" {
				fields = append(fields, f)
			}
		}
		if len(fields) != 7 {
			return nil, fmt.Errorf("line %d: %d fields, want 7 tab-separated fields (Opt Id Name Type IP Offset Binary)", line, len(fields))
		}
		out = append(out, Entry{Option: fields[0], ID: fields[1], Name: fields[2], Type: fields[3],
			Device: fields[4], Offset: fields[5], Binary: fields[6], Line: line})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %v", line+1, err)
	}
	return out, nil
}
