package genimage

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rules-firmware/rules_firmware/tools/compress"
	"github.com/rules-firmware/rules_firmware/tools/disk"
	"github.com/rules-firmware/rules_firmware/tools/fstree"
)

// tarRecord is GNU tar's default record size (blocking factor 20): the
// archive is padded to a multiple of it, as tar pads it.
const tarRecord = 10240

// tarCompression picks the compressor from the image name as genimage
// does (".tar.gz" or "tgz" anywhere: gzip; ".tar.bz2": bzip2) and
// otherwise as GNU tar's -a does from the suffix.
func tarCompression(name string) (string, error) {
	switch {
	case strings.Contains(name, ".tar.gz") || strings.Contains(name, "tgz"):
		return "gzip", nil
	case strings.Contains(name, ".tar.bz2"):
		return "bzip2", nil
	}
	for _, s := range []struct{ suffix, algo string }{
		{".gz", "gzip"}, {".taz", "gzip"}, {".bz2", "bzip2"}, {".tz2", "bzip2"}, {".tbz2", "bzip2"}, {".tbz", "bzip2"},
		{".lzma", "lzma"}, {".tlz", "lzma"}, {".xz", "xz"}, {".txz", "xz"}, {".zst", "zstd"}, {".tzst", "zstd"},
		{".Z", ""}, {".taZ", ""}, {".lz", ""}, {".lzo", ""},
	} {
		if strings.HasSuffix(name, s.suffix) {
			if s.algo == "" {
				return "", fmt.Errorf("the name's suffix %s asks tar for a compressor fwtool does not have (it has gzip, bzip2, lzma, xz, zstd)", s.suffix)
			}
			return s.algo, nil
		}
	}
	return "none", nil
}

// buildTar archives the image's content directory as genimage's
// `tar c -C DIR .` does (GNU format, names "./...", directories with a
// trailing slash), made reproducible: entries sorted by name, owner
// root:root (0:0), every time the build's mtime, modes 0755 for
// directories and executables, 0644 for other files.
func buildTar(b *build, img disk.GenimageSection, out string) error {
	if err := checkImageOptions(img, "mountpoint", "srcpath", "empty"); err != nil {
		return err
	}
	opts, err := typeOptions(img)
	if err != nil {
		return err
	}
	if o, ok := opts["extraargs"]; ok {
		return fmt.Errorf("line %d: tar option 'extraargs' is not supported", o.Line)
	}
	algo, err := tarCompression(img.Name)
	if err != nil {
		return err
	}
	entries, err := b.contentTree(img)
	if err != nil {
		return err
	}
	for i, e := range entries {
		if e.Kind == fstree.File && e.Source != "" {
			if st, err := os.Stat(e.Source); err == nil && st.Mode()&0o111 != 0 {
				entries[i].Mode, entries[i].HasMode = 0o755, true
			}
		}
	}
	root, err := fstree.Build(entries)
	if err != nil {
		return err
	}
	if err := fstree.Stat(root); err != nil {
		return err
	}
	mtime := time.Unix(int64(b.opts.ModTime), 0).UTC()
	return writeFile(out, func(f *os.File) error {
		zw, err := newCompressor(algo, f)
		if err != nil {
			return err
		}
		cw := &countWriter{w: zw}
		if err := writeTar(cw, root, mtime); err != nil {
			return err
		}
		if pad := (tarRecord - cw.n%tarRecord) % tarRecord; pad != 0 {
			if _, err := cw.Write(make([]byte, pad)); err != nil {
				return err
			}
		}
		return zw.Close()
	})
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeTar writes root and everything below it, parents first; names are
// "./" for the root, "./a/" for a directory, "./a/b" for anything else.
func writeTar(w io.Writer, root *fstree.Node, mtime time.Time) error {
	hw := &headerWriter{w: w}
	tw := tar.NewWriter(hw)
	var walk func(n *fstree.Node, name string) error
	walk = func(n *fstree.Node, name string) error {
		h := &tar.Header{Name: name, Mode: int64(n.Entry.Perm()), ModTime: mtime, Uname: "root", Gname: "root",
			Uid: int(n.Entry.UID), Gid: int(n.Entry.GID), Format: tar.FormatGNU}
		switch n.Entry.Kind {
		case fstree.Dir:
			h.Typeflag, h.Name = tar.TypeDir, name+"/"
		case fstree.File:
			h.Typeflag, h.Size = tar.TypeReg, n.Size
		case fstree.Symlink:
			h.Typeflag, h.Linkname = tar.TypeSymlink, n.Entry.Target
		case fstree.CharDevice, fstree.BlockDevice:
			h.Typeflag = map[fstree.Kind]byte{fstree.CharDevice: tar.TypeChar, fstree.BlockDevice: tar.TypeBlock}[n.Entry.Kind]
			h.Devmajor, h.Devminor = int64(n.Entry.Major), int64(n.Entry.Minor)
		default:
			return fmt.Errorf("%s: a %v cannot be archived", name, n.Entry.Kind)
		}
		hw.inHeader = true
		err := tw.WriteHeader(h)
		hw.inHeader = false
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		if n.Entry.Kind == fstree.File {
			if err := copyInto(tw, n.Entry.Source, n.Size); err != nil {
				return fmt.Errorf("%s: %v", name, err)
			}
		}
		for _, c := range n.Children {
			if err := walk(c, name+"/"+c.Name); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root, "."); err != nil {
		return err
	}
	// Close writes the two zero blocks that end the archive; it does not
	// close w.
	return tw.Close()
}

// copyInto copies exactly size bytes of the file at src: a file that
// changed size since it was measured is an error, not a short entry.
func copyInto(w io.Writer, src string, size int64) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := io.Copy(w, io.LimitReader(f, size+1))
	if err == nil && n != size {
		err = fmt.Errorf("%s changed size while archived (%d bytes, was %d)", src, n, size)
	}
	return err
}

// headerWriter blanks the device number fields of header blocks that are
// not devices, as GNU tar leaves them (archive/tar writes "0000000"), and
// gives long-name records GNU tar's mode and owner names, so
// that an archive equals GNU tar's with the same entries and metadata. It
// only looks at whole blocks written by WriteHeader that carry the GNU
// magic and a valid checksum: never at file data.
type headerWriter struct {
	w        io.Writer
	inHeader bool
}

func (h *headerWriter) Write(p []byte) (int, error) {
	if h.inHeader && len(p) == 512 && string(p[257:265]) == "ustar  \x00" && p[156] != tar.TypeChar && p[156] != tar.TypeBlock && validChecksum(p) {
		b := append([]byte(nil), p...)
		for i := 329; i < 345; i++ {
			b[i] = 0
		}
		if b[156] == 'L' || b[156] == 'K' {
			// GNU tar's long-name records carry mode 0644 and the
			// entry's owner names (always root here).
			copy(b[100:108], "0000644\x00")
			copy(b[265:297], "root\x00")
			copy(b[297:329], "root\x00")
		}
		copy(b[148:156], fmt.Sprintf("%06o\x00 ", checksum(b)))
		return h.w.Write(b)
	}
	return h.w.Write(p)
}

// checksum is the header's byte sum with the checksum field as spaces.
func checksum(b []byte) int {
	sum := 0
	for i, c := range b {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int(c)
	}
	return sum
}

func validChecksum(b []byte) bool {
	return strings.TrimRight(string(b[148:155]), "\x00 ") == fmt.Sprintf("%06o", checksum(b))
}

// newCompressor is the compressor genimage pipes tar and cpio output
// through. For gzip that is `gzip` at its default level 6 reading a pipe
// (no name, mtime 0): GNU gzip's own encoder at level 6 gives its bytes.
func newCompressor(algo string, w io.Writer) (io.WriteCloser, error) {
	if algo == "gzip" {
		return compress.NewGNUGzipWriter(w, 6)
	}
	return compress.NewWriter(algo, w)
}
