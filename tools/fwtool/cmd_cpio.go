package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/compress"
	"github.com/rules-firmware/rules_firmware/tools/cpio"
	"github.com/rules-firmware/rules_firmware/tools/fstree"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

func registerCpioFormats() {
	registerLister(lister{name: "cpio", priority: 60, probe: probeCpio, list: listCpio})
	registerExtractor(extractor{name: "cpio", priority: 60, probe: probeCpio, extract: extractCpio})
}

const cpioUsageText = `usage: fwtool cpio --output OUT [--compress ALGO] [--mtime SECONDS] [--checksum]
                  [--list FILE [--list-root DIR] [--map LOCATION=PATH]... [--map-only]]
                  [--file DEST=SRC[:MODE]]... [--dir DEST[:MODE]]... [--symlink DEST=TARGET]...
                  [--node DEST=c|b:MAJOR:MINOR[:MODE]]... [--hardlink DEST=EXISTING]...
                  [--tree DEST=DIR]... [--manifest JSON]... [--mode PATH=MODE]...
Writes a newc ("070701") cpio archive, as Linux unpacks for an initramfs.

--list reads the kernel's usr/gen_init_cpio format (file/dir/nod/slink/pipe/sock
lines) and writes its entries in the list's order, byte for byte as
gen_init_cpio -t SECONDS does (given files whose mtime is SECONDS: we stamp
every entry with --mtime). A LOCATION is looked up in --map first, then
relative to --list-root (default: the current directory); with --map-only a
LOCATION must be in --map. ${VAR} is refused.

The other flags describe a tree (as for fwtool squashfs): entries are sorted,
parents first, owned by 0:0 unless a manifest says otherwise, modes default
to 0644/0755/0777/0600; --hardlink makes DEST another name of the file at
EXISTING; --tree adds the files below a host directory at DEST (files 0644:
Bazel marks outputs executable, so host modes are ignored; --mode PATH=MODE
sets any entry's mode). Tree entries follow the list's.

Every entry gets --mtime (default SOURCE_DATE_EPOCH, else 0), inode numbers
count from 721 in archive order, a hard-linked file's data follows its last
name, and the archive ends with TRAILER!!! padded to 512 bytes.
--compress: none, gzip, bzip2, lzma, xz (CRC32 check), lz4 (legacy format),
zstd — the streams Linux's initramfs decompressors read.
`

type cpioKV struct{ m map[string]string }

func (f cpioKV) String() string { return "" }

func (f cpioKV) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" || val == "" {
		return fmt.Errorf("%q: want NAME=VALUE", v)
	}
	if _, dup := f.m[k]; dup {
		return fmt.Errorf("%q given twice", k)
	}
	f.m[k] = val
	return nil
}

type cpioHardlinks struct {
	entries *[]fstree.Entry
	links   map[string]string
}

func (f cpioHardlinks) String() string { return "" }

func (f cpioHardlinks) Set(v string) error {
	e, dest, existing, err := cpio.ParseHardlinkSpec(v)
	if err != nil {
		return err
	}
	*f.entries = append(*f.entries, e)
	f.links[dest] = existing
	return nil
}

type cpioTrees struct{ entries *[]fstree.Entry }

func (f cpioTrees) String() string { return "" }

func (f cpioTrees) Set(v string) error {
	dest, dir, ok := strings.Cut(v, "=")
	if !ok || dir == "" {
		return fmt.Errorf("tree %q: want DEST=DIR", v)
	}
	es, err := cpio.DirEntries(dest, dir)
	if err != nil {
		return err
	}
	*f.entries = append(*f.entries, es...)
	return nil
}

func runCpio(args []string, stdout, stderr io.Writer) int {
	fs := newFSFlags("cpio", cpioUsageText, stdout, stderr)
	var entries []fstree.Entry
	hardlinks := map[string]string{}
	maps := map[string]string{}
	modeArgs := map[string]string{}
	output := fs.String("output", "", "archive file to write")
	comp := fs.String("compress", "none", "compression: "+strings.Join(cpio.Compressions(), ", "))
	mtime := fs.String("mtime", "", "timestamp of every entry, seconds since 1970 (default SOURCE_DATE_EPOCH, else 0)")
	checksum := fs.Bool("checksum", false, "write \"070702\" headers with data checksums (gen_init_cpio -c)")
	list := fs.String("list", "", "gen_init_cpio file list")
	listRoot := fs.String("list-root", "", "directory the list's LOCATIONs are relative to")
	mapOnly := fs.Bool("map-only", false, "a LOCATION not given by --map is an error (for hermetic builds)")
	fs.Var(cpioKV{maps}, "map", "LOCATION=PATH: read the list's LOCATION from PATH (repeatable)")
	fs.treeFlags(&entries)
	fs.Var(cpioHardlinks{&entries, hardlinks}, "hardlink", "DEST=EXISTING: another name for a regular file (repeatable)")
	fs.Var(cpioTrees{&entries}, "tree", "DEST=DIR: the files below host directory DIR (repeatable)")
	fs.Var(cpioKV{modeArgs}, "mode", "PATH=MODE: permission bits of an entry given by other flags, e.g. a --tree file (repeatable)")
	if code, ok := fs.parse(args); !ok {
		return code
	}
	fail := fs.fail
	if *output == "" {
		return fail("--output is required")
	}
	algo, err := cpio.CompressionFor(*comp)
	if err != nil {
		return fail("%s: --compress: %v", *output, err)
	}
	sec, err := fsModTime(*mtime)
	if err != nil {
		return fail("%s: %v", *output, err)
	}
	var recs []cpio.Record
	if *list != "" {
		recs, err = readCpioList(*list, *listRoot, maps, *mapOnly)
		if err != nil {
			return fail("%s: %v", *output, err)
		}
	} else if len(maps) > 0 || *listRoot != "" {
		return fail("%s: --map and --list-root need --list", *output)
	}
	if len(modeArgs) > 0 {
		modes, err := cpioModes(modeArgs)
		if err == nil {
			err = cpio.SetModes(entries, modes)
		}
		if err != nil {
			return fail("%s: --mode: %v", *output, err)
		}
	}
	if len(entries) > 0 {
		root, err := fstree.Build(entries)
		if err != nil {
			return fail("%s: %v", *output, err)
		}
		// Parents the list already made are not written again.
		written := map[string]bool{}
		for _, r := range recs {
			if r.Mode&cpio.TypeMask == cpio.TypeDir {
				written[r.Names[0]] = true
			}
		}
		more, err := cpio.FromTree(root, hardlinks, written)
		if err != nil {
			return fail("%s: %v", *output, err)
		}
		recs = append(recs, more...)
	}
	opts := cpio.Options{MTime: uint32(sec), Checksum: *checksum, SymlinkNUL: *list != ""}
	err = outfile.Write(*output, outfile.FileMode, func(f *os.File) error {
		zw, err := compress.NewWriter(algo, f)
		if err != nil {
			return err
		}
		if err := cpio.Write(zw, recs, opts); err != nil {
			return err
		}
		return zw.Close()
	})
	if err != nil {
		return fail("%s: %v", *output, err)
	}
	return 0
}

// cpioModes parses --mode values: cleaned path -> octal permission bits.
func cpioModes(args map[string]string) (map[string]uint32, error) {
	out := map[string]uint32{}
	for p, m := range args {
		path, err := fstree.CleanPath(p)
		if err != nil {
			return nil, err
		}
		v, err := strconv.ParseUint(m, 8, 32)
		if err != nil || v > 0o7777 {
			return nil, fmt.Errorf("'%s': mode %q is not octal permission bits up to 07777", p, m)
		}
		out[path] = uint32(v)
	}
	return out, nil
}

func readCpioList(list, root string, maps map[string]string, mapOnly bool) ([]cpio.Record, error) {
	f, err := os.Open(list)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	resolve := func(loc string) (string, error) {
		if p, ok := maps[loc]; ok {
			return p, nil
		}
		if mapOnly {
			return "", fmt.Errorf("not one of the files given with the list (%d given)", len(maps))
		}
		if root != "" && !filepath.IsAbs(loc) {
			return filepath.Join(root, loc), nil
		}
		return loc, nil
	}
	return cpio.ParseList(f, list, resolve)
}

func probeCpio(f *os.File, size int64) bool {
	_, _, ok := cpio.Detect(f)
	return ok
}

// listCpio prints the archive like `cpio -tv` with numeric owners:
// mode, links, uid/gid, size (or major,minor), mtime, name, link target.
func listCpio(f *os.File, size int64, args []string, stdout io.Writer) error {
	algo, r, ok := cpio.Detect(f)
	if !ok {
		return fmt.Errorf("not a newc cpio archive")
	}
	cr := cpio.NewReader(r)
	var lines []string
	n := 0
	for {
		h, off, err := cr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		n++
		if !fsMatch(strings.TrimPrefix(h.Name, "/"), args) {
			continue
		}
		size := fmt.Sprint(h.FileSize)
		if t := h.Mode & cpio.TypeMask; t == cpio.TypeChar || t == cpio.TypeBlock {
			size = fmt.Sprintf("%d,%d", h.RdevMajor, h.RdevMinor)
		}
		line := fmt.Sprintf("%s %3d %d/%d %10s %s %s", cpio.ModeString(h.Mode), h.NLink, h.UID, h.GID, size,
			fsTime(int64(h.MTime)).Format("2006-01-02 15:04"), h.Name)
		if h.Mode&cpio.TypeMask == cpio.TypeLink {
			target, err := io.ReadAll(io.LimitReader(cr, cpio.MaxNameSize))
			if err != nil {
				return fmt.Errorf("'%s' at offset %#x: %v", h.Name, off, err)
			}
			line += " -> " + strings.TrimRight(string(target), "\x00")
		}
		lines = append(lines, line)
	}
	fmt.Fprintf(stdout, "newc cpio archive (%s), %d entries\n", algo, n)
	for _, l := range lines {
		fmt.Fprintln(stdout, l)
	}
	return nil
}

// extractCpio writes the regular files matching paths to out (exactly one)
// or below outDir. A hard-linked file's data travels with its last name,
// so data is collected per inode before anything is written.
func extractCpio(f *os.File, size int64, paths []string, out, outDir string, _ bool, _ io.Writer) error {
	_, r, ok := cpio.Detect(f)
	if !ok {
		return fmt.Errorf("not a newc cpio archive")
	}
	type pick struct {
		name string
		mode uint32
		key  [3]uint32
	}
	var picked []pick
	data := map[[3]uint32][]byte{}
	cr := cpio.NewReader(r)
	for {
		h, off, err := cr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if h.Mode&cpio.TypeMask != cpio.TypeReg {
			continue
		}
		key := [3]uint32{h.DevMajor, h.DevMinor, h.Ino}
		name := strings.TrimPrefix(h.Name, "/")
		if fsMatch(name, paths) {
			picked = append(picked, pick{name, h.Mode, key})
		}
		if h.FileSize > 0 {
			b, err := io.ReadAll(cr)
			if err != nil {
				return fmt.Errorf("'%s' at offset %#x: %v", h.Name, off, err)
			}
			data[key] = b
		}
	}
	if len(picked) == 0 {
		return fmt.Errorf("no regular file matches '%s'", strings.Join(paths, "', '"))
	}
	if out != "" {
		if len(picked) != 1 {
			return fmt.Errorf("'%s' matches %d files; -f takes exactly one", paths[0], len(picked))
		}
		return outfile.Write(out, os.FileMode(picked[0].mode&0o777), func(o *os.File) error {
			_, err := o.Write(data[picked[0].key])
			return err
		})
	}
	w := outfile.NewBatch()
	defer w.Abort()
	for _, pk := range picked {
		pk := pk
		err := fsWrite(w, outDir, pk.name, os.FileMode(pk.mode&0o777), func(o *os.File) error {
			_, err := o.Write(data[pk.key])
			return err
		})
		if err != nil {
			return err
		}
	}
	return w.Commit()
}
