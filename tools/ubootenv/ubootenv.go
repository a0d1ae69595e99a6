// Package ubootenv writes and reads U-Boot environment images: a CRC-32 of
// the data area, an optional flag byte (redundant environments), then
// "name=value" strings each ended by a NUL, one more NUL, and padding up to
// the configured size.
//
// FromText reads mkenvimage's text syntax with mkenvimage's exact rules, so
// its output is byte-identical to `mkenvimage`; it additionally rejects a
// variable without '=', which mkenvimage would store and U-Boot would then
// drop.
package ubootenv

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
)

// Options describe the target's environment storage.
type Options struct {
	// Size of the whole image (CRC, flag byte and data), as mkenvimage -s.
	Size int
	// Redundant adds the flag byte used when two copies exist (-r); it is
	// written as 1, as mkenvimage does.
	Redundant bool
	// BigEndian stores the CRC big-endian (-b).
	BigEndian bool
	// Pad fills the unused data area (-p); mkenvimage's default is 0xff.
	Pad byte
}

// DefaultOptions returns mkenvimage's defaults for size.
func DefaultOptions(size int) Options { return Options{Size: size, Pad: 0xff} }

func (o Options) headerSize() int {
	if o.Redundant {
		return 5
	}
	return 4
}

// dataSize is the part the CRC covers.
func (o Options) dataSize() (int, error) {
	n := o.Size - o.headerSize()
	// Room for at least the two terminating NULs.
	if n < 2 {
		return 0, fmt.Errorf("size %d (0x%x) leaves no room for an environment after the %d-byte header", o.Size, o.Size, o.headerSize())
	}
	return n, nil
}

// ErrTooLarge is returned when the variables do not fit the data area.
type ErrTooLarge struct{ Size int }

func (e *ErrTooLarge) Error() string {
	return fmt.Sprintf("environment is too large for the target storage of %d (0x%x) bytes", e.Size, e.Size)
}

// SyntaxError points at the input line of a bad variable.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// FromText builds an image from mkenvimage's input syntax: one name=value
// per line; empty lines and lines starting with '#' are skipped; a
// backslash at the end of a line continues the value on the next line with
// an embedded newline.
func FromText(text []byte, opts Options) ([]byte, error) {
	envSize, err := opts.dataSize()
	if err != nil {
		return nil, err
	}
	// The header goes in front of the data area in the same buffer, so
	// sealing needs no second copy of it.
	out := make([]byte, opts.headerSize()+envSize)
	env := out[opts.headerSize():]
	for i := range env {
		env[i] = opts.Pad
	}
	// The byte before the data area is what mkenvimage inspects when the
	// input is empty (it reads env[-1], uninitialised memory that is zero in
	// practice); a leading zero models that.
	prev := func(ep int) byte {
		if ep == 0 {
			return 0
		}
		return env[ep-1]
	}

	// Parse exactly as mkenvimage does, remembering the line each variable
	// starts on for error messages.
	var starts []int
	line := 1
	fp, ep := 0, 0
	n := len(text)
	for ; fp < n && ep < envSize-1; fp++ {
		c := text[fp]
		switch {
		case c == '\n':
			line++
			switch {
			case fp == 0 || text[fp-1] == '\n':
				// empty line
			case text[fp-1] == '\\':
				env[ep-1] = '\n'
			default:
				env[ep] = 0
				ep++
			}
		case (fp == 0 || text[fp-1] == '\n') && c == '#':
			for fp+1 < n && text[fp+1] != '\n' {
				fp++
			}
			// mkenvimage steps over the comment's newline without
			// treating it as the end of a variable.
			if fp+1 < n {
				fp++
				line++
			}
		default:
			if prev(ep) == 0 {
				starts = append(starts, line)
			}
			env[ep] = c
			ep++
		}
	}
	// The data area filled up: only blank lines and comments may remain.
	for ; fp < n; fp++ {
		c := text[fp]
		switch {
		case c == '\n':
		case (fp == 0 || text[fp-1] == '\n') && c == '#':
			for fp+1 < n && text[fp+1] != '\n' {
				fp++
			}
		default:
			return nil, &ErrTooLarge{opts.Size}
		}
	}
	if prev(ep) != 0 {
		env[ep] = 0
		ep++
		if ep >= envSize {
			return nil, &ErrTooLarge{opts.Size}
		}
	}
	env[ep] = 0

	if err := checkVars(env[:ep], starts); err != nil {
		return nil, err
	}
	return seal(out, opts), nil
}

// checkVars rejects variables without '=' or without a name.
func checkVars(data []byte, starts []int) error {
	i := 0
	for len(data) > 0 {
		v := data
		if end := bytes.IndexByte(data, 0); end >= 0 {
			v, data = data[:end], data[end+1:]
		} else {
			data = nil
		}
		if len(v) == 0 {
			continue
		}
		line := 0
		if i < len(starts) {
			line = starts[i]
		}
		i++
		eq := bytes.IndexByte(v, '=')
		if eq < 0 {
			return &SyntaxError{line, fmt.Sprintf("variable %q has no '=' (want name=value)", firstLine(v))}
		}
		if eq == 0 {
			return &SyntaxError{line, fmt.Sprintf("variable %q has an empty name", firstLine(v))}
		}
	}
	return nil
}

func firstLine(b []byte) string {
	s := string(b)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + "..."
	}
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

// Var is one environment variable.
type Var struct {
	Name, Value string
}

// FromVars builds an image from variables in the given order, with the same
// layout mkenvimage gives the equivalent text file.
func FromVars(vars []Var, opts Options) ([]byte, error) {
	envSize, err := opts.dataSize()
	if err != nil {
		return nil, err
	}
	h := opts.headerSize()
	env := make([]byte, h, h+envSize) // header, filled in by seal
	for _, v := range vars {
		switch {
		case v.Name == "":
			return nil, fmt.Errorf("variable with value %q has an empty name", firstLine([]byte(v.Value)))
		case strings.ContainsAny(v.Name, "=\x00\n"):
			return nil, fmt.Errorf("variable name %q contains '=', a newline or NUL", v.Name)
		case strings.IndexByte(v.Value, 0) >= 0:
			return nil, fmt.Errorf("variable %s: value contains a NUL byte", v.Name)
		}
		env = append(env, v.Name...)
		env = append(env, '=')
		env = append(env, v.Value...)
		env = append(env, 0)
	}
	// The final NUL; with no variables mkenvimage writes just this one.
	env = append(env, 0)
	// mkenvimage needs the last NUL strictly inside the area, except that
	// an input ending in a newline may use its last byte.
	if len(env)-h > envSize {
		return nil, &ErrTooLarge{opts.Size}
	}
	for len(env) < h+envSize {
		env = append(env, opts.Pad)
	}
	return seal(env, opts), nil
}

// seal fills in the header in front of the data area: the CRC of the
// data (and the flag byte).
func seal(out []byte, opts Options) []byte {
	crc := crc32.ChecksumIEEE(out[opts.headerSize():])
	if opts.BigEndian {
		binary.BigEndian.PutUint32(out, crc)
	} else {
		binary.LittleEndian.PutUint32(out, crc)
	}
	if opts.Redundant {
		out[4] = 1
	}
	return out
}

// Env is a parsed environment image.
type Env struct {
	Redundant bool
	Flags     byte // the redundant copy's flag byte
	BigEndian bool
	CRC       uint32
	Vars      []Var
	// Used is the number of data bytes up to and including the final NUL.
	Used int
	// DataSize is the size of the area the CRC covers.
	DataSize int
}

// Detect reports which header layout makes the CRC match, trying the plain
// layout first, as a reader without a config file must. ok is false when
// none does.
func Detect(data []byte) (redundant, bigEndian, ok bool) {
	for _, r := range []bool{false, true} {
		h := 4
		if r {
			h = 5
		}
		if len(data) < h+2 {
			continue
		}
		crc := crc32.ChecksumIEEE(data[h:])
		if binary.LittleEndian.Uint32(data) == crc {
			return r, false, true
		}
		if binary.BigEndian.Uint32(data) == crc {
			return r, true, true
		}
	}
	return false, false, false
}

// Parse reads an image whose layout is found by Detect.
func Parse(data []byte) (*Env, error) {
	redundant, bigEndian, ok := Detect(data)
	if !ok {
		return nil, fmt.Errorf("field 'crc': no CRC-32 at offset 0 matches the data (plain or redundant layout, either byte order)")
	}
	return ParseLayout(data, Options{Size: len(data), Redundant: redundant, BigEndian: bigEndian})
}

// ParseLayout reads an image with a known layout (opts.Size is ignored: the
// data's length is the size), checking the CRC.
func ParseLayout(data []byte, opts Options) (*Env, error) {
	h := opts.headerSize()
	if len(data) < h+2 {
		return nil, fmt.Errorf("field 'crc': image of %d bytes is too small for an environment", len(data))
	}
	e := &Env{Redundant: opts.Redundant, BigEndian: opts.BigEndian, DataSize: len(data) - h}
	if opts.BigEndian {
		e.CRC = binary.BigEndian.Uint32(data)
	} else {
		e.CRC = binary.LittleEndian.Uint32(data)
	}
	if opts.Redundant {
		e.Flags = data[4]
	}
	env := data[h:]
	if crc := crc32.ChecksumIEEE(env); crc != e.CRC {
		return nil, fmt.Errorf("field 'crc': stored 0x%08x, data has 0x%08x", e.CRC, crc)
	}
	pos := 0
	for {
		end := bytes.IndexByte(env[pos:], 0)
		if end < 0 {
			return nil, fmt.Errorf("field 'data': variable at offset 0x%x has no terminating NUL", h+pos)
		}
		if end == 0 {
			e.Used = pos + 1
			return e, nil
		}
		v := env[pos : pos+end]
		eq := bytes.IndexByte(v, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("field 'data': variable %q at offset 0x%x is not name=value", firstLine(v), h+pos)
		}
		e.Vars = append(e.Vars, Var{Name: string(v[:eq]), Value: string(v[eq+1:])})
		pos += end + 1
	}
}
