package cpio

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
)

// Record is one archive member: a regular file (with its hard links), a
// directory, symlink, device node, fifo or socket. Records are written in
// the order given; the front ends (ParseList, FromTree) decide that order.
type Record struct {
	// Names are archive paths without a leading slash. A regular file may
	// have several (hard links): every name gets a header with the same
	// inode number and the data goes with the last, as GNU cpio and the
	// kernel's gen_init_cpio write them.
	Names     []string
	Mode      uint32 // type and permission bits
	UID, GID  uint32
	RdevMajor uint32 // device nodes
	RdevMinor uint32
	Target    string // symlink target
	Source    string // regular file: host path of the contents
	Data      []byte // regular file: contents, when Source is ""
	NLink     uint32 // 0: 2 for directories, the number of names for files, 1 otherwise
	Where     string // what to name in errors (e.g. "list:12"); default the first name
}

// Options are the archive-wide fields.
type Options struct {
	// MTime is every entry's modification time (seconds since 1970).
	MTime uint32
	// Checksum writes "070702" headers whose check field is the byte sum
	// of the file data (gen_init_cpio -c).
	Checksum bool
	// SymlinkNUL stores symlink targets with a terminating NUL (the target
	// length + 1 as file size), as the kernel's gen_init_cpio does. GNU
	// cpio and libarchive store the target alone.
	SymlinkNUL bool
}

// The device number every entry claims and the first inode number: the
// values the kernel's usr/gen_init_cpio uses, so an archive made from a
// kernel-tree list is byte-identical with its output. Readers only use
// (dev, ino) to pair hard links.
const (
	devMajor  = 3
	devMinor  = 1
	firstIno  = 721
	copyChunk = 1 << 20
)

func (r *Record) where() string {
	if r.Where != "" {
		return r.Where
	}
	if len(r.Names) > 0 {
		return "'/" + r.Names[0] + "'"
	}
	return "record"
}

// Write writes the records and the trailer to w.
func Write(w io.Writer, recs []Record, opt Options) error {
	bw := bufio.NewWriterSize(w, copyChunk)
	cw := NewWriter(bw)
	cw.Checksum = opt.Checksum
	ino := uint32(firstIno)
	seen := map[string]string{}
	for i := range recs {
		// The kernel would silently replace an earlier entry.
		for _, n := range recs[i].Names {
			if prev, dup := seen[n]; dup {
				return fmt.Errorf("%s: '/%s' is already in the archive (%s)", recs[i].where(), n, prev)
			}
			seen[n] = recs[i].where()
		}
		if err := writeRecord(cw, &recs[i], ino, opt); err != nil {
			return err
		}
		ino++
	}
	if err := cw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

func writeRecord(cw *Writer, r *Record, ino uint32, opt Options) error {
	if len(r.Names) == 0 {
		return fmt.Errorf("%s: no name", r.where())
	}
	h := Header{Ino: ino, Mode: r.Mode, UID: r.UID, GID: r.GID, NLink: r.NLink, MTime: opt.MTime,
		DevMajor: devMajor, DevMinor: devMinor, RdevMajor: r.RdevMajor, RdevMinor: r.RdevMinor}
	typ := r.Mode & TypeMask
	if typ != TypeReg && len(r.Names) > 1 {
		return fmt.Errorf("%s: only regular files can have hard links", r.where())
	}
	if h.NLink == 0 {
		switch typ {
		case TypeDir:
			h.NLink = 2
		case TypeReg:
			h.NLink = uint32(len(r.Names))
		default:
			h.NLink = 1
		}
	}
	switch typ {
	case TypeReg:
		return writeFile(cw, r, h)
	case TypeLink:
		target := r.Target
		if opt.SymlinkNUL {
			target += "\x00"
		}
		if r.Target == "" || len(target) >= MaxNameSize {
			return fmt.Errorf("%s: symlink target must be 1..%d bytes", r.where(), MaxNameSize-1)
		}
		h.FileSize = uint32(len(target))
		h.Name = r.Names[0]
		if err := cw.WriteHeader(&h); err != nil {
			return fmt.Errorf("%s: %w", r.where(), err)
		}
		_, err := io.WriteString(cw, target)
		return err
	case TypeDir, TypeChar, TypeBlock, TypeFifo, TypeSocket:
		h.Name = r.Names[0]
		if err := cw.WriteHeader(&h); err != nil {
			return fmt.Errorf("%s: %w", r.where(), err)
		}
		return nil
	}
	return fmt.Errorf("%s: mode %#o has no file type", r.where(), r.Mode)
}

// writeFile writes every name of a regular file; the data follows the last.
func writeFile(cw *Writer, r *Record, h Header) error {
	var src io.Reader
	size := int64(len(r.Data))
	if r.Source != "" {
		f, err := os.Open(r.Source)
		if err != nil {
			return fmt.Errorf("%s: %v", r.where(), err)
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return fmt.Errorf("%s: %v", r.where(), err)
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s: source %s is not a regular file", r.where(), r.Source)
		}
		size = st.Size()
		src = f
		if cw.Checksum {
			if h.Check, err = byteSum(f); err != nil {
				return fmt.Errorf("%s: source %s: %v", r.where(), r.Source, err)
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return fmt.Errorf("%s: %v", r.where(), err)
			}
		}
	} else {
		src = bytes.NewReader(r.Data)
		if cw.Checksum {
			h.Check, _ = byteSum(bytes.NewReader(r.Data))
		}
	}
	if size > MaxFileSize {
		return fmt.Errorf("%s: %d bytes is more than newc's 4 GiB - 1 limit", r.where(), size)
	}
	check := h.Check
	for i, name := range r.Names {
		h.Name, h.FileSize, h.Check = name, 0, 0
		if i == len(r.Names)-1 {
			h.FileSize, h.Check = uint32(size), check
		}
		if err := cw.WriteHeader(&h); err != nil {
			return fmt.Errorf("%s: %w", r.where(), err)
		}
	}
	n, err := io.CopyN(cw, src, size)
	if err != nil {
		return fmt.Errorf("%s: source %s: read %d of %d bytes: %v", r.where(), r.Source, n, size, err)
	}
	return nil
}

func byteSum(r io.Reader) (uint32, error) {
	var sum uint32
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		for _, b := range buf[:n] {
			sum += uint32(b)
		}
		if err == io.EOF {
			return sum, nil
		}
		if err != nil {
			return 0, err
		}
	}
}
