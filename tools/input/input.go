// Package input reads fwtool's input files with bounds, so a hostile or
// mistaken input cannot make a command wait forever or hold more memory
// than the format it feeds can use:
//
//   - A regular file's size is checked against the caller's limit before
//     anything is read or allocated.
//   - Pipes (standard input, a FIFO, a shell's <(...)) are read up to the
//     limit, capped at StreamLimit; a FIFO nobody writes to is opened
//     without blocking and reads as empty instead of hanging.
//   - Character and block devices and sockets (/dev/zero, /dev/urandom, a
//     disk) are not input files and are refused by name.
package input

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/bigbuf"
)

// StreamLimit caps what is read from a pipe, whose size is unknown until
// it ends: enough for any boot payload, far below what an endless stream
// would take.
const StreamLimit = 512 << 20

// TooLargeError says an input exceeds what its format can hold.
type TooLargeError struct {
	Name  string
	Size  int64 // -1: a stream that went past Limit
	Limit int64
	Why   string // "the header's 32-bit length field", ...
}

func (e *TooLargeError) Error() string {
	why := ""
	if e.Why != "" {
		why = " (" + e.Why + ")"
	}
	if e.Size < 0 {
		return fmt.Sprintf("%s: more than %s%s", e.Name, Bytes(e.Limit), why)
	}
	return fmt.Sprintf("%s: %d bytes is more than %s%s", e.Name, e.Size, Bytes(e.Limit), why)
}

// Bytes formats a limit as "4 GiB (4294967296 bytes)" or "4096 bytes".
func Bytes(n int64) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d %s (%d bytes)", n>>u.shift, u.name, n)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// NotFileError says a named input is a device or socket.
type NotFileError struct {
	Name string
	Kind string
}

func (e *NotFileError) Error() string {
	return fmt.Sprintf("%s: is a %s, not an input file (inputs are regular files or pipes)", e.Name, e.Kind)
}

// Open opens name for reading: a regular file, or a pipe (without waiting
// for a FIFO's writer). It refuses devices and sockets. The FileInfo is
// the opened file's.
func Open(name string) (*os.File, os.FileInfo, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	if err := kindOK(name, st.Mode()); err != nil {
		return nil, nil, err
	}
	var f *os.File
	if st.Mode()&os.ModeNamedPipe != 0 {
		f, err = OpenNoWait(name)
	} else {
		f, err = os.Open(name)
	}
	if err != nil {
		return nil, nil, err
	}
	if st, err = f.Stat(); err != nil {
		f.Close()
		return nil, nil, err
	}
	if err := kindOK(name, st.Mode()); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

func kindOK(name string, m os.FileMode) error {
	switch {
	case m.IsRegular(), m&os.ModeNamedPipe != 0:
		return nil
	case m.IsDir():
		return &NotFileError{name, "directory"}
	case m&os.ModeCharDevice != 0:
		return &NotFileError{name, "character device"}
	case m&os.ModeDevice != 0:
		return &NotFileError{name, "block device"}
	case m&os.ModeSocket != 0:
		return &NotFileError{name, "socket"}
	}
	return &NotFileError{name, "special file"}
}

// CheckSize fails when size exceeds limit.
func CheckSize(name string, size, limit int64, why string) error {
	if size > limit {
		return &TooLargeError{Name: name, Size: size, Limit: limit, Why: why}
	}
	return nil
}

// ReadFile reads the whole input name, which may hold at most limit bytes
// (why says where the limit comes from, for the error).
func ReadFile(name string, limit int64, why string) ([]byte, error) {
	f, st, err := Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(-1)
	if st.Mode().IsRegular() {
		size = st.Size()
	}
	return read(name, f, size, limit, why)
}

// mapMin is the size from which Map maps a regular file instead of
// reading it: reading into fresh memory faults in a page per 4 KiB (on a
// virtual machine each fault costs about as much as copying the page),
// while a mapping costs three system calls whatever its size.
const mapMin = 64 << 10

// Map returns the contents of the input name like ReadFile (same checks,
// same errors) and a function that releases them. A regular file of
// mapMin bytes or more is mapped read-only from the page cache instead of
// copied; the bytes must not be written, nor used after release. As with
// any input, the file must not change while the command runs.
func Map(name string, limit int64, why string) ([]byte, func(), error) {
	f, st, err := Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	size := int64(-1)
	if st.Mode().IsRegular() {
		size = st.Size()
		if err := CheckSize(name, size, limit, why); err != nil {
			return nil, nil, err
		}
		if size >= mapMin {
			if data, release, ok := bigbuf.MapFile(f, size); ok {
				return data, release, nil
			}
		}
	}
	data, err := read(name, f, size, limit, why)
	if err != nil {
		return nil, nil, err
	}
	return data, func() {}, nil
}

// Read reads a stream that was opened elsewhere (standard input) with the
// same bounds as ReadFile; f's type is checked if it is a file.
func Read(name string, r io.Reader, limit int64, why string) ([]byte, error) {
	size := int64(-1)
	if f, ok := r.(*os.File); ok {
		st, err := f.Stat()
		if err != nil {
			return nil, err
		}
		if err := kindOK(name, st.Mode()); err != nil && st.Mode()&os.ModeCharDevice == 0 {
			return nil, err
		} else if err != nil {
			// A terminal on standard input is typed into; other
			// character devices (/dev/zero) never end.
			if !isTerminal(f) {
				return nil, err
			}
		}
		if st.Mode().IsRegular() {
			size = st.Size()
		}
	}
	return read(name, r, size, limit, why)
}

func read(name string, r io.Reader, size, limit int64, why string) ([]byte, error) {
	if size >= 0 {
		if err := CheckSize(name, size, limit, why); err != nil {
			return nil, err
		}
	} else if limit > StreamLimit {
		limit, why = StreamLimit, "the limit for a stream"
	}
	capHint := size + 1
	if size < 0 {
		capHint = 64 << 10
	}
	buf := make([]byte, 0, capHint)
	lr := &io.LimitedReader{R: r, N: limit + 1}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if int64(len(buf)) > limit {
		return nil, &TooLargeError{Name: name, Size: -1, Limit: limit, Why: why}
	}
	return buf, nil
}

func isTerminal(f *os.File) bool {
	_, err := ioctlGetTermios(f.Fd())
	return err == nil
}

// IsTooLarge reports whether err is a TooLargeError.
func IsTooLarge(err error) bool {
	var t *TooLargeError
	return errors.As(err, &t)
}

// Bounded returns a reader of r that fails with a TooLargeError once more
// than limit bytes come through, for inputs streamed instead of read whole.
func Bounded(name string, r io.Reader, limit int64, why string) io.Reader {
	return &bounded{r: r, left: limit, name: name, limit: limit, why: why}
}

type bounded struct {
	r           io.Reader
	left, limit int64
	name, why   string
}

func (b *bounded) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, &TooLargeError{Name: b.name, Size: -1, Limit: b.limit, Why: b.why}
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), &TooLargeError{Name: b.name, Size: -1, Limit: b.limit, Why: b.why}
	}
	return n, err
}

// StreamBound is the bound for streaming an opened input: a regular file
// is checked now against limit, a pipe gets a reader that stops past
// min(limit, StreamLimit).
func StreamBound(name string, f *os.File, st os.FileInfo, limit int64, why string) (io.Reader, error) {
	if st.Mode().IsRegular() {
		if err := CheckSize(name, st.Size(), limit, why); err != nil {
			return nil, err
		}
		return f, nil
	}
	if limit > StreamLimit {
		limit, why = StreamLimit, "the limit for a stream"
	}
	return Bounded(name, f, limit, why), nil
}

// Detail is err without the file name, for callers whose message already
// names the file: "is a character device, ...", "5368709120 bytes is more
// than ...", or the system error of a failed open.
func Detail(err error) error {
	var tl *TooLargeError
	var nf *NotFileError
	var pe *os.PathError
	switch {
	case errors.As(err, &tl):
		c := *tl
		c.Name = ""
		return errors.New(strings.TrimPrefix(c.Error(), ": "))
	case errors.As(err, &nf):
		return fmt.Errorf("is a %s, not an input file (inputs are regular files or pipes)", nf.Kind)
	case errors.As(err, &pe):
		return pe.Err
	}
	return err
}
