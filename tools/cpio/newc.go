// Package cpio writes and reads cpio archives in the SVR4 "newc" format
// (magic "070701", and "070702" with checksums), the format Linux unpacks
// as an initramfs.
//
// Why not a library: github.com/cavaliergopher/cpio (v1.0.1, the only
// release) cannot write device numbers (its header writer leaves
// rdevmajor/rdevminor at 0, so /dev/console is impossible) and switches
// magic by mutating a package-level slice; u-root's pkg/cpio lives in the
// 48 MB u-root module (v0.11.0 is its last go-1.19 release) and pulls in
// golang.org/x/sys and go-humanize. The format itself is a 110-byte ASCII
// header, a name and 4-byte padding, so the code here stays small; what
// matters is the determinism on top (see archive.go).
//
// Layout of one entry: "070701", then 13 fields of 8 upper-case hex digits
// (ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
// rdevmajor, rdevminor, namesize including the NUL, check), the name and
// its NUL, zero padding to a multiple of 4 counted from the header start,
// the data, zero padding to a multiple of 4. An entry named "TRAILER!!!"
// ends the archive.
package cpio

import (
	"fmt"
	"io"

	"github.com/rules-firmware/rules_firmware/tools/staticerr"
)

// Mode type bits, as in <sys/stat.h>.
const (
	TypeMask   = 0o170000
	TypeSocket = 0o140000
	TypeLink   = 0o120000
	TypeReg    = 0o100000
	TypeBlock  = 0o060000
	TypeDir    = 0o040000
	TypeChar   = 0o020000
	TypeFifo   = 0o010000
)

const (
	// Trailer is the name of the entry that ends an archive.
	Trailer = "TRAILER!!!"
	// HeaderSize is the length of the fixed ASCII header.
	HeaderSize = 110
	// MaxNameSize bounds the namesize field a reader accepts (PATH_MAX,
	// as the kernel's unpacker does).
	MaxNameSize = 4096
	// MaxFileSize is the largest size the 8-hex-digit field can hold.
	MaxFileSize = 0xffffffff
)

// Header is one entry's header. FileSize is the number of data bytes that
// follow (a symlink's target is its data).
type Header struct {
	Ino       uint32
	Mode      uint32 // type and permission bits
	UID       uint32
	GID       uint32
	NLink     uint32
	MTime     uint32
	FileSize  uint32
	DevMajor  uint32
	DevMinor  uint32
	RdevMajor uint32
	RdevMinor uint32
	Check     uint32 // sum of the data bytes; written only with Writer.Checksum
	Name      string
}

func pad4(n int64) int64 { return (4 - n%4) % 4 }

var zeros [4]byte

// Writer writes newc entries in order. Call WriteHeader, then write exactly
// FileSize bytes, for each entry; Close writes the trailer.
type Writer struct {
	w        io.Writer
	off      int64
	left     int64 // data bytes the current entry still expects
	Checksum bool  // write "070702" headers (Check is then stored)
	err      error
}

// NewWriter returns a Writer appending to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

func (w *Writer) write(p []byte) error {
	if w.err != nil {
		return w.err
	}
	n, err := w.w.Write(p)
	w.off += int64(n)
	w.err = err
	return err
}

// finish pads the previous entry's data.
func (w *Writer) finish() error {
	if w.left != 0 {
		return fmt.Errorf("cpio: %d data bytes of the previous entry not written", w.left)
	}
	return w.write(zeros[:pad4(w.off)])
}

// WriteHeader starts an entry.
func (w *Writer) WriteHeader(h *Header) error {
	if err := w.finish(); err != nil {
		return err
	}
	if len(h.Name)+1 > MaxNameSize {
		return fmt.Errorf("cpio: '%s': name longer than %d bytes", h.Name, MaxNameSize-1)
	}
	magic, check := "070701", uint32(0)
	if w.Checksum {
		magic, check = "070702", h.Check
	}
	hdr := fmt.Sprintf("%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", magic,
		h.Ino, h.Mode, h.UID, h.GID, h.NLink, h.MTime, h.FileSize,
		h.DevMajor, h.DevMinor, h.RdevMajor, h.RdevMinor, len(h.Name)+1, check)
	buf := make([]byte, 0, len(hdr)+len(h.Name)+4)
	buf = append(buf, hdr...)
	buf = append(buf, h.Name...)
	buf = append(buf, 0)
	buf = append(buf, zeros[:pad4(int64(len(buf)))]...)
	if err := w.write(buf); err != nil {
		return err
	}
	w.left = int64(h.FileSize)
	return nil
}

// Write writes data of the current entry.
func (w *Writer) Write(p []byte) (int, error) {
	if int64(len(p)) > w.left {
		return 0, fmt.Errorf("cpio: %d bytes written beyond the entry's size", int64(len(p))-w.left)
	}
	if err := w.write(p); err != nil {
		return 0, err
	}
	w.left -= int64(len(p))
	return len(p), nil
}

// Close writes the trailer and pads the archive to a multiple of 512 bytes,
// as the kernel's gen_init_cpio and GNU cpio do. It does not close the
// underlying writer.
func (w *Writer) Close() error {
	// The trailer keeps the archive's magic, as gen_init_cpio -c writes it.
	if err := w.WriteHeader(&Header{NLink: 1, Name: Trailer}); err != nil {
		return err
	}
	if err := w.finish(); err != nil {
		return err
	}
	return w.write(make([]byte, (512-w.off%512)%512))
}

// Offset returns the number of bytes written so far.
func (w *Writer) Offset() int64 { return w.off }

// ErrFormat marks data that is not a valid newc archive.
var ErrFormat error = &staticerr.Error{Text: "not a newc cpio archive"}

// Reader reads entries of a newc archive.
type Reader struct {
	r    io.Reader
	off  int64
	left int64 // unread data of the current entry
	pad  int64 // padding after the current entry's data
	done bool
}

// NewReader returns a Reader of the archive in r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r} }

func (r *Reader) read(p []byte) error {
	n, err := io.ReadFull(r.r, p)
	r.off += int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func (r *Reader) skip(n int64) error {
	m, err := io.CopyN(io.Discard, r.r, n)
	r.off += m
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func parseHex(b []byte) (uint32, bool) {
	var v uint32
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(c)
	}
	return v, true
}

// Next skips the rest of the current entry and returns the next header.
// It returns io.EOF after the trailer. Offset is where the header starts.
func (r *Reader) Next() (h *Header, offset int64, err error) {
	if r.done {
		return nil, r.off, io.EOF
	}
	if err := r.skip(r.left + r.pad); err != nil {
		return nil, r.off, fmt.Errorf("offset %#x: %w", r.off, err)
	}
	r.left, r.pad = 0, 0
	start := r.off
	var raw [HeaderSize]byte
	if err := r.read(raw[:]); err != nil {
		return nil, start, fmt.Errorf("offset %#x: header: %w", start, err)
	}
	magic := string(raw[:6])
	if magic != "070701" && magic != "070702" {
		return nil, start, fmt.Errorf("offset %#x: magic %q: %w", start, magic, ErrFormat)
	}
	var f [13]uint32
	for i := range f {
		v, ok := parseHex(raw[6+8*i : 14+8*i])
		if !ok {
			return nil, start, fmt.Errorf("offset %#x: header field %d %q is not hex: %w", start, i, raw[6+8*i:14+8*i], ErrFormat)
		}
		f[i] = v
	}
	h = &Header{Ino: f[0], Mode: f[1], UID: f[2], GID: f[3], NLink: f[4], MTime: f[5], FileSize: f[6],
		DevMajor: f[7], DevMinor: f[8], RdevMajor: f[9], RdevMinor: f[10], Check: f[12]}
	namesize := int64(f[11])
	if namesize < 1 || namesize > MaxNameSize {
		return nil, start, fmt.Errorf("offset %#x: namesize %d is not 1..%d: %w", start, namesize, MaxNameSize, ErrFormat)
	}
	name := make([]byte, namesize+pad4(HeaderSize+namesize))
	if err := r.read(name); err != nil {
		return nil, start, fmt.Errorf("offset %#x: name: %w", start, err)
	}
	if name[namesize-1] != 0 {
		return nil, start, fmt.Errorf("offset %#x: name is not NUL-terminated: %w", start, ErrFormat)
	}
	h.Name = string(name[:namesize-1])
	if h.Name == Trailer {
		r.done = true
		return nil, start, io.EOF
	}
	r.left, r.pad = int64(h.FileSize), pad4(int64(h.FileSize))
	return h, start, nil
}

// Read reads the current entry's data.
func (r *Reader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.r.Read(p)
	r.off += int64(n)
	r.left -= int64(n)
	if err == io.EOF && r.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}
