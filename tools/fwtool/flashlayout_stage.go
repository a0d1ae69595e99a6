package main

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rules-firmware/rules_firmware/tools/compress"
	"github.com/rules-firmware/rules_firmware/tools/disk"
	"github.com/rules-firmware/rules_firmware/tools/flashlayout"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// stageFlags collects --stage NAME=FILE.
type stageFlags map[string]string

func (s *stageFlags) String() string { return "" }

func (s *stageFlags) Set(v string) error {
	name, file, ok := strings.Cut(v, "=")
	if !ok || name == "" || file == "" || strings.ContainsAny(name, "/\\\x00") || name == "." || name == ".." {
		return fmt.Errorf("--stage %q: want NAME=FILE with a plain file name", v)
	}
	if *s == nil {
		*s = stageFlags{}
	}
	if _, dup := (*s)[name]; dup {
		return fmt.Errorf("--stage: %s given twice", name)
	}
	(*s)[name] = file
	return nil
}

// writeFlashlayout writes the .tsv (when tsv is not empty), real copies of
// the binaries it names beside it (a flash layout directory must survive
// being copied to the PC running STM32CubeProgrammer; symlinks into a build
// tree do not), and the .tar.gz archive (when archive is not empty; name is
// the .tsv's name inside it). Everything is written or nothing.
func writeFlashlayout(tsv, name string, entries []flashlayout.Entry, stage stageFlags, archive string) error {
	for _, e := range entries {
		if e.Binary != "" && e.Binary != "none" && stage != nil {
			if _, ok := stage[e.Binary]; !ok {
				return fmt.Errorf("entry '%s': binary '%s' has no --stage file", e.Name, e.Binary)
			}
		}
	}
	b := outfile.NewBatch()
	defer b.Abort()
	if tsv != "" {
		if err := b.Write(tsv, outfile.FileMode, func(out *os.File) error { return flashlayout.Write(out, entries) }); err != nil {
			return err
		}
		dir := filepath.Dir(tsv)
		for _, n := range stage.names() {
			src := stage[n]
			err := b.WriteIn(dir, n, "staged binary '"+n+"'", outfile.FileMode, func(out *os.File) error {
				in, err := os.Open(src)
				if err != nil {
					return err
				}
				defer in.Close()
				return disk.CopyFile(out, in)
			})
			if err != nil {
				return err
			}
		}
	}
	if archive != "" {
		err := b.Write(archive, outfile.FileMode, func(out *os.File) error {
			return writeLayoutArchive(out, name, entries, stage)
		})
		if err != nil {
			return err
		}
	}
	return b.Commit()
}

func (s stageFlags) names() []string {
	names := make([]string, 0, len(s))
	for n := range s {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// writeLayoutArchive writes a reproducible .tar.gz: the .tsv first, then the
// staged files in name order, all owned by 0:0 with mtime 0 and mode 0644,
// under one directory named after the layout. The gzip layer is GNU gzip
// -6's bytes (compress.NewGNUGzipWriter), the same whatever Go release
// built fwtool.
func writeLayoutArchive(out io.Writer, tsv string, entries []flashlayout.Entry, stage stageFlags) error {
	zw, err := compress.NewGNUGzipWriter(out, 6)
	if err != nil {
		return err
	}
	if err := writeLayoutTar(zw, tsv, entries, stage); err != nil {
		zw.Close() // ends the encoder; the caller discards the output
		return err
	}
	return zw.Close()
}

func writeLayoutTar(zw io.Writer, tsv string, entries []flashlayout.Entry, stage stageFlags) error {
	tw := tar.NewWriter(zw)
	top := strings.TrimSuffix(filepath.Base(tsv), filepath.Ext(tsv))
	var text strings.Builder
	if err := flashlayout.Write(&text, entries); err != nil {
		return err
	}
	add := func(name string, size int64, r io.Reader) error {
		hdr := &tar.Header{Name: top + "/" + name, Mode: 0o644, Size: size, Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := io.Copy(tw, r)
		return err
	}
	if err := add(filepath.Base(tsv), int64(text.Len()), strings.NewReader(text.String())); err != nil {
		return err
	}
	for _, name := range stage.names() {
		f, err := os.Open(stage[name])
		if err != nil {
			return err
		}
		st, err := f.Stat()
		if err == nil {
			err = add(name, st.Size(), f)
		}
		f.Close()
		if err != nil {
			return fmt.Errorf("archiving %s: %v", name, err)
		}
	}
	return tw.Close()
}
