package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rules-firmware/rules_firmware/tools/fstree"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// Flags shared by the filesystem image commands (vfat, squashfs): what
// goes into the image is given by repeatable --file/--dir/--symlink/--node
// flags and/or JSON manifests (see fstree.ReadManifest), collected in
// command-line order.

// fsFlags is the command line cpio, vfat and squashfs share: Go flags,
// --help printing the usage text and the flags, a parse error in one
// line (exit 2), and no positional arguments.
type fsFlags struct {
	*flag.FlagSet
	usage          string
	stdout, stderr io.Writer
}

func newFSFlags(name, usage string, stdout, stderr io.Writer) *fsFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// Parse errors are reported in one line by parse, without the usage.
	fs.SetOutput(io.Discard)
	return &fsFlags{fs, usage, stdout, stderr}
}

// parse reads args; when ok is false the command returns code at once.
func (f *fsFlags) parse(args []string) (code int, ok bool) {
	if err := f.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(f.stdout, f.usage)
			f.SetOutput(f.stdout)
			f.PrintDefaults()
			return 0, false
		}
		fmt.Fprintf(f.stderr, "fwtool %s: %v\n", f.Name(), err)
		return 2, false
	}
	if f.NArg() != 0 {
		return f.fail("unexpected argument %q", f.Arg(0)), false
	}
	return 0, true
}

// fail prints a one-line error and returns the exit code 1.
func (f *fsFlags) fail(format string, a ...interface{}) int {
	fmt.Fprintf(f.stderr, "fwtool %s: %s\n", f.Name(), fmt.Sprintf(format, a...))
	return 1
}

// fsEntryFlag is a repeatable flag whose values are parsed into entries.
// treeFlags registers the entry flags squashfs, ext and cpio share:
// --file, --dir, --symlink, --node and --manifest, appending to entries.
func (f *fsFlags) treeFlags(entries *[]fstree.Entry) {
	f.Var(fsEntryFlag{entries: entries, parse: fstree.ParseFileSpec}, "file", "DEST=SRC[:MODE]: put host file SRC at DEST (repeatable)")
	f.Var(fsEntryFlag{entries: entries, parse: fstree.ParseDirSpec}, "dir", "DEST[:MODE]: create directory DEST (repeatable)")
	f.Var(fsEntryFlag{entries: entries, parse: fstree.ParseSymlinkSpec}, "symlink", "DEST=TARGET: symbolic link (repeatable)")
	f.Var(fsEntryFlag{entries: entries, parse: fstree.ParseDeviceSpec}, "node", "DEST=c|b:MAJOR:MINOR[:MODE]: device node (repeatable)")
	f.Var(fsEntryFlag{entries: entries, manif: true}, "manifest", "JSON manifest of entries (repeatable)")
}

type fsEntryFlag struct {
	entries *[]fstree.Entry
	parse   func(string) (fstree.Entry, error)
	manif   bool
}

func (f fsEntryFlag) String() string { return "" }

func (f fsEntryFlag) Set(v string) error {
	if f.manif {
		es, err := fstree.ReadManifestFile(v)
		if err != nil {
			return err
		}
		*f.entries = append(*f.entries, es...)
		return nil
	}
	e, err := f.parse(v)
	if err != nil {
		return err
	}
	*f.entries = append(*f.entries, e)
	return nil
}

// fsSize parses a byte count: decimal, 0x hex, or with a K/M/G suffix
// (powers of 1024, "KiB"/"MiB"/"GiB" accepted too).
func fsSize(s string) (int64, error) {
	t := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(s), "iB"), "B")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'k', 'K':
			mult, t = 1<<10, t[:n-1]
		case 'm', 'M':
			mult, t = 1<<20, t[:n-1]
		case 'g', 'G':
			mult, t = 1<<30, t[:n-1]
		}
	}
	v, err := strconv.ParseInt(t, 0, 64)
	if err != nil || v < 0 || v > (1<<62)/mult {
		return 0, fmt.Errorf("size %q is not a byte count (e.g. 67108864, 0x4000000, 64M)", s)
	}
	return v * mult, nil
}

// fsModTime returns the time to stamp on every entry: --mtime when given,
// else SOURCE_DATE_EPOCH, else the Unix epoch (which FAT clamps to
// 1980-01-01), never the current time.
func fsModTime(flagValue string) (int64, error) {
	v := flagValue
	if v == "" {
		v = os.Getenv("SOURCE_DATE_EPOCH")
	}
	if v == "" {
		return 0, nil
	}
	t, err := strconv.ParseInt(v, 10, 64)
	if err != nil || t < 0 || t > 0xffffffff {
		return 0, fmt.Errorf("mtime %q is not seconds since 1970 (0..4294967295)", v)
	}
	return t, nil
}

func fsTime(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

// fsMatch reports whether p matches one of the patterns (path.Match
// syntax, a leading slash optional); no patterns match everything. A
// pattern naming a directory matches everything below it.
func fsMatch(p string, patterns []string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, pat := range patterns {
		pat = strings.Trim(pat, "/")
		if ok, _ := path.Match(pat, p); ok || pat == "" || strings.HasPrefix(p, pat+"/") {
			return true
		}
	}
	return false
}

// fsSafeJoin places an image path below dir (outfile.Join), refusing
// besides the names no walk of a sound filesystem yields: empty or "."
// components, backslashes.
func fsSafeJoin(dir, p string) (string, error) {
	for _, c := range strings.Split(p, "/") {
		if c == "" || c == "." || strings.ContainsAny(c, "\\") {
			return "", fmt.Errorf("'/%s': unsafe path for extraction", p)
		}
	}
	return outfile.Join(dir, p, fmt.Sprintf("'/%s'", p))
}

// fsWrite stages the file at image path p below dir in w.
func fsWrite(w *outfile.Batch, dir, p string, perm os.FileMode, fill func(*os.File) error) error {
	dst, err := fsSafeJoin(dir, p)
	if err != nil {
		return err
	}
	if err := w.MkdirAll(filepath.Dir(dst)); err != nil {
		return fmt.Errorf("'/%s': %v", p, err)
	}
	return w.Write(dst, perm, fill)
}
