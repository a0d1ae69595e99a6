package genimage

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/rules-firmware/rules_firmware/tools/cpio"
	"github.com/rules-firmware/rules_firmware/tools/disk"
	"github.com/rules-firmware/rules_firmware/tools/fstree"
	"github.com/rules-firmware/rules_firmware/tools/squashfs"
	"github.com/rules-firmware/rules_firmware/tools/vfat"
)

// fsOptions are the image-level options a filesystem image takes.
var fsOptions = []string{"size", "mountpoint", "srcpath", "empty"}

// contentTree returns the entries of a filesystem image filled from a
// directory, as genimage does: srcpath if given, else rootpath followed by
// mountpoint (default "/"); nothing when empty is true.
// statTree builds the tree of entries and reads the size of every host
// file in it, as the vfat, squashfs and ext writers need before writing.
func statTree(entries []fstree.Entry) (*fstree.Node, error) {
	root, err := fstree.Build(entries)
	if err != nil {
		return nil, err
	}
	if err := fstree.Stat(root); err != nil {
		return nil, err
	}
	return root, nil
}

func (b *build) contentTree(img disk.GenimageSection) ([]fstree.Entry, error) {
	if o, ok := imageOption(img, "empty"); ok {
		empty, err := o.Bool()
		if err != nil {
			return nil, err
		}
		if empty {
			return nil, nil
		}
	}
	mount := strings.Trim(path.Clean("/"+optValue(img, "mountpoint")), "/")
	dir := filepath.Join(b.opts.RootPath, filepath.FromSlash(mount))
	src := optValue(img, "srcpath")
	if src != "" {
		dir = src
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("content directory: %v", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("content directory %s is not a directory", dir)
	}
	entries, err := cpio.DirEntries("/", dir)
	if err != nil || src != "" {
		return entries, err
	}
	return b.withoutMountpoints(entries, mount), nil
}

// withoutMountpoints drops the content of other images' mountpoints
// below mount (those images hold it) and keeps each such mountpoint as an
// empty directory, as genimage does.
func (b *build) withoutMountpoints(entries []fstree.Entry, mount string) []fstree.Entry {
	var below []string
	for _, other := range b.cfg.Images {
		m := strings.Trim(path.Clean("/"+optValue(other, "mountpoint")), "/")
		if _, ok := imageOption(other, "mountpoint"); !ok || m == mount || optValue(other, "srcpath") != "" {
			continue
		}
		if mount == "" || strings.HasPrefix(m, mount+"/") {
			below = append(below, strings.TrimPrefix(strings.TrimPrefix(m, mount), "/"))
		}
	}
	if len(below) == 0 {
		return entries
	}
	var out []fstree.Entry
	for _, e := range entries {
		keep := true
		for _, m := range below {
			if e.Path == m || strings.HasPrefix(e.Path, m+"/") {
				keep = false
			}
		}
		if keep {
			out = append(out, e)
		}
	}
	for _, m := range below {
		out = append(out, fstree.Entry{Path: m, Kind: fstree.Dir, Mode: 0o755, HasMode: true})
	}
	return out
}

func optValue(img disk.GenimageSection, key string) string {
	o, _ := imageOption(img, key)
	return o.Value()
}

// typeOptions checks the type section's options against allowed and
// returns them by key. extraargs is always allowed here; each builder reads
// the flags it understands with extraArgs and refuses the rest.
func typeOptions(img disk.GenimageSection, allowed ...string) (map[string]disk.GenimageOption, error) {
	ok := map[string]bool{"extraargs": true}
	for _, a := range allowed {
		ok[a] = true
	}
	out := map[string]disk.GenimageOption{}
	for _, o := range img.TypeOptions {
		if !ok[o.Key] {
			return nil, fmt.Errorf("line %d: %s option '%s' is not supported", o.Line, img.Type, o.Key)
		}
		out[o.Key] = o
	}
	return out, nil
}

func imageSize(img disk.GenimageSection) (int64, error) {
	o, ok := imageOption(img, "size")
	if !ok {
		return 0, nil
	}
	if strings.HasSuffix(o.Value(), "%") {
		return 0, fmt.Errorf("line %d: size %q: a percentage of the content is not supported; give a size", o.Line, o.Value())
	}
	v, err := disk.ParseSize(o.Value())
	if err != nil {
		return 0, fmt.Errorf("line %d: size: %v", o.Line, err)
	}
	return int64(v), nil
}

type vfatFile struct {
	dest, image string
	line        int
}

// vfatFiles lists what `files = {...}` and `file DEST { image = SRC }`
// put into a vfat image: files by their base name at the root.
func vfatFiles(img disk.GenimageSection) []vfatFile {
	var out []vfatFile
	for _, o := range img.TypeOptions {
		if o.Key == "files" {
			for _, v := range o.Values {
				out = append(out, vfatFile{dest: path.Base(v), image: v, line: o.Line})
			}
		}
	}
	for _, s := range img.TypeSections {
		if s.Name != "file" {
			continue
		}
		f := vfatFile{dest: s.Title, line: s.Line}
		for _, o := range s.Options {
			if o.Key == "image" {
				f.image = o.Value()
			}
		}
		out = append(out, f)
	}
	return out
}

func buildVfat(b *build, img disk.GenimageSection, out string) error {
	if err := checkImageOptions(img, fsOptions...); err != nil {
		return err
	}
	opts, err := typeOptions(img, "label", "files")
	if err != nil {
		return err
	}
	for _, s := range img.TypeSections {
		if s.Name != "file" {
			return fmt.Errorf("line %d: vfat section '%s' is not supported", s.Line, s.Name)
		}
		for _, o := range s.Options {
			if o.Key != "image" {
				return fmt.Errorf("line %d: vfat file '%s': option '%s' is not supported", o.Line, s.Title, o.Key)
			}
		}
	}
	size, err := imageSize(img)
	if err != nil {
		return err
	}
	if size == 0 {
		return fmt.Errorf("vfat images need a size")
	}
	var entries []fstree.Entry
	if files := vfatFiles(img); len(files) > 0 {
		for _, f := range files {
			if f.image == "" {
				return fmt.Errorf("line %d: vfat file '%s' has no image", f.line, f.dest)
			}
			entries = append(entries, fstree.Entry{Path: strings.Trim(f.dest, "/"), Kind: fstree.File, Source: b.input(f.image)})
		}
	} else if entries, err = b.contentTree(img); err != nil {
		return err
	}
	root, err := statTree(entries)
	if err != nil {
		return err
	}
	label := opts["label"].Value()
	vo := vfat.Options{Size: size, Label: label, VolumeIDSeed: b.opts.Seed + ":" + img.Name}
	err = extraArgs(img, func(flag string, rest []string) (int, error) {
		switch flag {
		case "-n", "-F", "-s":
			v, err := needArg(flag, rest)
			if err != nil {
				return 0, err
			}
			switch flag {
			case "-n":
				vo.Label = v
			case "-F":
				if v != "12" && v != "16" && v != "32" {
					return 0, fmt.Errorf("-F %s: not 12, 16 or 32", v)
				}
				vo.FATType = map[string]int{"12": 12, "16": 16, "32": 32}[v]
			case "-s":
				n, err := disk.ParseSize(v)
				if err != nil || n == 0 || n > 128 || n&(n-1) != 0 {
					return 0, fmt.Errorf("-s %s: not a power of two up to 128", v)
				}
				vo.SectorsPerCluster = int(n)
			}
			return 1, nil
		}
		return 0, unknownFlag("mkdosfs", flag)
	})
	if err != nil {
		return err
	}
	if b.opts.ModTime != 0 {
		vo.ModTime = time.Unix(int64(b.opts.ModTime), 0).UTC()
	}
	return writeFile(out, func(f *os.File) error { return vfat.Build(f, root, vo) })
}

func buildSquashfs(b *build, img disk.GenimageSection, out string) error {
	if err := checkImageOptions(img, fsOptions...); err != nil {
		return err
	}
	opts, err := typeOptions(img, "compression", "block-size")
	if err != nil {
		return err
	}
	// genimage's defaults: gzip and 4 KiB blocks.
	so := squashfs.Options{Compressor: "gzip", BlockSize: 4096, ModTime: b.opts.ModTime}
	if o, ok := opts["compression"]; ok {
		so.Compressor = o.Value()
	}
	if o, ok := opts["block-size"]; ok {
		v, err := disk.ParseSize(o.Value())
		if err != nil {
			return fmt.Errorf("line %d: block-size: %v", o.Line, err)
		}
		so.BlockSize = int(v)
	}
	err = extraArgs(img, func(flag string, rest []string) (int, error) {
		switch flag {
		case "-b", "-comp":
			v, err := needArg(flag, rest)
			if err != nil {
				return 0, err
			}
			if flag == "-comp" {
				so.Compressor = v
				return 1, nil
			}
			n, err := disk.ParseSize(v)
			if err != nil {
				return 0, fmt.Errorf("-b %s: %v", v, err)
			}
			so.BlockSize = int(n)
			return 1, nil
		case "-noappend", "-all-root", "-no-xattrs":
			// Our image is always new, owned by root, without xattrs.
			return 0, nil
		case "-no-fragments":
			so.NoFragments = true
			return 0, nil
		case "-no-exports":
			so.NoExport = true
			return 0, nil
		}
		return 0, unknownFlag("mksquashfs", flag)
	})
	if err != nil {
		return err
	}
	if size, err := imageSize(img); err != nil || size != 0 {
		if err == nil {
			err = fmt.Errorf("size: a squashfs image is as large as its content; genimage ignores size for it, fwtool refuses it")
		}
		return err
	}
	entries, err := b.contentTree(img)
	if err != nil {
		return err
	}
	root, err := statTree(entries)
	if err != nil {
		return err
	}
	return writeFile(out, func(f *os.File) error { return squashfs.Build(f, root, so) })
}

func buildCpio(b *build, img disk.GenimageSection, out string) error {
	if err := checkImageOptions(img, "mountpoint", "srcpath", "empty"); err != nil {
		return err
	}
	opts, err := typeOptions(img, "format", "compress")
	if err != nil {
		return err
	}
	if err := extraArgs(img, func(flag string, _ []string) (int, error) { return 0, unknownFlag("cpio", flag) }); err != nil {
		return err
	}
	if o, ok := opts["format"]; ok && o.Value() != "newc" {
		return fmt.Errorf("line %d: cpio format %q is not supported (only newc)", o.Line, o.Value())
	}
	algo := "none"
	if o, ok := opts["compress"]; ok && o.Value() != "" {
		if algo, err = cpio.CompressionFor(o.Value()); err != nil {
			return fmt.Errorf("line %d: compress: %v", o.Line, err)
		}
	}
	entries, err := b.contentTree(img)
	if err != nil {
		return err
	}
	root, err := fstree.Build(entries)
	if err != nil {
		return err
	}
	recs, err := cpio.FromTree(root, nil, map[string]bool{})
	if err != nil {
		return err
	}
	// genimage archives `find . | cpio -H newc -o` in the root directory,
	// whose first entry is "." itself; an archive without it lists one
	// name fewer than genimage's.
	dot := cpio.Record{Names: []string{"."}, Mode: cpio.TypeDir | root.Entry.Perm(), UID: root.Entry.UID, GID: root.Entry.GID}
	recs = append([]cpio.Record{dot}, recs...)
	return writeFile(out, func(f *os.File) error {
		zw, err := newCompressor(algo, f)
		if err != nil {
			return err
		}
		if err := cpio.Write(zw, recs, cpio.Options{MTime: b.opts.ModTime}); err != nil {
			return err
		}
		return zw.Close()
	})
}
