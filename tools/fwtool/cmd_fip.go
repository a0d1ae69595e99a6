package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/fip"
	"github.com/rules-firmware/rules_firmware/tools/getopt"
	"github.com/rules-firmware/rules_firmware/tools/input"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
	"github.com/rules-firmware/rules_firmware/tools/staticerr"
)

// TF-A Firmware Image Packages with fiptool's command line:
//   fwtool fiptool [--verbose] create [--align N] [--plat-toc-flags N]
//                  [--blob uuid=U,file=F]... [--IMAGE FILE]... FIP
//   fwtool fiptool [--verbose] info FIP
//   fwtool fiptool update [--align N] [--plat-toc-flags N] [--out FIP2] [--blob uuid=U,file=F]... [--IMAGE FILE]... FIP
//   fwtool fiptool unpack [--out DIR] [--force] [--blob uuid=U,file=F]... [--IMAGE FILE]... FIP
//   fwtool fiptool remove [--align N] [--out FIP2] [--force] [--blob uuid=U]... [--IMAGE]... FIP
// `fwtool fip` is the same command.

func registerFipFormats() {
	registerLister(lister{
		name:     "fip",
		priority: 50,
		probe: func(f *os.File, size int64) bool {
			var magic [4]byte
			if _, err := io.ReadFull(f, magic[:]); err != nil {
				return false
			}
			return fip.HasMagic(magic[:])
		},
		list: func(f *os.File, size int64, args []string, stdout io.Writer) error {
			data, err := io.ReadAll(f)
			if err != nil {
				return err
			}
			p, err := fip.Parse(data)
			if err != nil {
				return fmt.Errorf("FIP: %w", err)
			}
			fmt.Fprintf(stdout, "TF-A FIP: %d images, size 0x%X, plat-toc-flags 0x%04X\n", len(p.Entries), p.End, p.PlatTocFlags())
			matched := 0
			for i := range p.Entries {
				e := &p.Entries[i]
				if len(args) != 0 && !matchAny(args, e.Name()) {
					continue
				}
				matched++
				if err := writeFipInfoLine(stdout, e, true); err != nil {
					return err
				}
			}
			if len(args) != 0 && matched == 0 {
				return fmt.Errorf("no image matches %q", args)
			}
			return nil
		},
	})
}

// matchAny reports whether name matches one of the shell patterns.
func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := filepath.Match(p, name); ok {
			return true
		}
	}
	return false
}

const fiptoolUsage = `usage: fwtool fiptool [--verbose] <command> [<args>]

Commands (as TF-A's fiptool):
  create [--align N] [--plat-toc-flags N] [--blob uuid=UUID,file=FILE]... [--IMAGE FILE]... FIP
  info FIP
  update [--align N] [--plat-toc-flags N] [--out FIP2] [--blob uuid=UUID,file=FILE]... [--IMAGE FILE]... FIP
  unpack [--out DIR] [--force] [--blob uuid=UUID,file=FILE]... [--IMAGE FILE]... FIP
  remove [--align N] [--out FIP2] [--force] [--blob uuid=UUID]... [--IMAGE]... FIP

--align is a power of two; --plat-toc-flags a 16-bit value stored in bits 32-47
of the ToC flags. Images are packed in TF-A's table order whatever the order
given. Unpack without image options writes every image to DIR/NAME.bin.

Images:
`

func fiptoolHelp(w io.Writer) {
	fmt.Fprint(w, fiptoolUsage)
	for _, t := range fip.ImageTypes {
		fmt.Fprintf(w, "  --%-18s FILE  %s\n", t.Name, t.Desc)
	}
}

// fiptoolGlobal is fiptool's own getopt_long: "+" stops at the command.
func fiptoolGlobal() *getopt.Spec {
	return getopt.New("+hv", getopt.Long{Name: "help", Short: 'h'}, getopt.Long{Name: "verbose", Short: 'v'})
}

func runFiptool(args []string, stdout, stderr io.Writer) int {
	verbose := false
	sc := fiptoolGlobal().Scan(args)
	for sc.Next() {
		if sc.Option().Name == "h" {
			fiptoolHelp(stdout)
			return 0
		}
		verbose = true
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(stderr, "fwtool fiptool: %v (see fwtool fiptool --help)\n", err)
		return 2
	}
	args = sc.Operands()
	if len(args) == 0 {
		fmt.Fprintln(stderr, "fwtool fiptool: no command given (create, info, update, unpack, remove; see fwtool fiptool --help)")
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help":
		fiptoolHelp(stdout)
		return 0
	case "version":
		fmt.Fprintln(stdout, "fwtool fiptool (command line and layout of TF-A 2.8 fiptool)")
		return 0
	case "create", "info", "unpack", "update", "remove":
	default:
		fmt.Fprintf(stderr, "fwtool fiptool: unknown command %q (create, info, update, unpack, remove)\n", cmd)
		return 2
	}
	opts, err := parseFiptoolArgs(cmd, rest)
	if err == errFiptoolHelp {
		fiptoolHelp(stdout)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "fwtool fiptool %s: %v\n", cmd, err)
		return 2
	}
	switch cmd {
	case "create":
		err = fiptoolCreate(opts)
	case "info":
		err = fiptoolInfo(opts, verbose, stdout)
	case "unpack":
		err = fiptoolUnpack(opts)
	case "update":
		err = fiptoolUpdate(opts)
	case "remove":
		err = fiptoolRemove(opts)
	}
	if err != nil {
		fmt.Fprintf(stderr, "fwtool fiptool %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

// fiptoolImageArg is one image option: a named image or a --blob.
type fiptoolImageArg struct {
	uuid fip.UUID
	file string
	flag string // as given, for messages
}

type fiptoolOptions struct {
	images          []fiptoolImageArg
	align           uint64
	platTocFlags    uint16
	platTocFlagsSet bool
	out             string
	force           bool
	fipFile         string
}

var errFiptoolHelp error = &staticerr.Error{Text: "help"}

// fiptoolShort are each command's short options in TF-A's fiptool (-h is
// ours, as --help is).
func fiptoolShort(cmd string) string {
	switch cmd {
	case "create":
		return "a:b:p:h"
	case "update":
		return "a:b:o:p:h"
	case "unpack":
		return "b:fo:h"
	case "remove":
		return "a:b:fo:h"
	case "info":
		return "h"
	}
	return ""
}

// fiptoolSpec is cmd's getopt_long description: its options and, except
// for info, one long option per named image (a FILE, or none with remove).
func fiptoolSpec(cmd string) *getopt.Spec {
	takes := func(opts string) bool { return strings.Contains(fiptoolShort(cmd), opts) }
	longs := []getopt.Long{{Name: "help", Short: 'h'}}
	add := func(name string, short byte) {
		if takes(string(short) + ":") {
			longs = append(longs, getopt.Long{Name: name, Arg: getopt.RequiredArgument, Short: short})
		} else if takes(string(short)) {
			longs = append(longs, getopt.Long{Name: name, Short: short})
		}
	}
	add("align", 'a')
	add("blob", 'b')
	add("plat-toc-flags", 'p')
	add("out", 'o')
	add("force", 'f')
	if cmd != "info" {
		arg := getopt.RequiredArgument
		if cmd == "remove" {
			arg = getopt.NoArgument
		}
		for _, t := range fip.ImageTypes {
			longs = append(longs, getopt.Long{Name: t.Name, Arg: arg})
		}
	}
	return getopt.New(fiptoolShort(cmd), longs...)
}

// parseFiptoolArgs reads a command's options as fiptool's getopt_long
// does (options and the FIP name in any order). remove takes image
// options without a file (--tb-fw) and --blob uuid=...
func parseFiptoolArgs(cmd string, args []string) (fiptoolOptions, error) {
	var o fiptoolOptions
	sc := fiptoolSpec(cmd).Scan(args)
	for sc.Next() {
		opt := sc.Option()
		if opt.Name == "h" {
			return o, errFiptoolHelp
		}
		if err := o.set(cmd, opt); err != nil {
			return o, err
		}
	}
	if err := sc.Err(); err != nil {
		return o, err
	}
	if len(sc.Operands()) != 1 {
		return o, fmt.Errorf("want exactly one FIP file name, got %d", len(sc.Operands()))
	}
	o.fipFile = sc.Operands()[0]
	return o, nil
}

func (o *fiptoolOptions) set(cmd string, opt getopt.Option) error {
	v := opt.Value
	switch opt.Name {
	case "f":
		o.force = true
	case "o":
		o.out = v
	case "a":
		n, err := strconv.ParseUint(v, 0, 64)
		if err != nil || !fip.ValidAlign(n) {
			return fmt.Errorf("--align %s: alignment must be a power of two", v)
		}
		o.align = n
	case "p":
		n, err := strconv.ParseUint(v, 0, 64)
		if err != nil || n > 0xffff {
			return fmt.Errorf("--plat-toc-flags %s: must be a 16-bit number", v)
		}
		o.platTocFlags, o.platTocFlagsSet = uint16(n), true
	case "b":
		img, err := parseBlobArg(v, cmd != "remove")
		if err != nil {
			return err
		}
		o.images = append(o.images, img)
	default:
		t, _ := fip.TypeByName(opt.Name)
		o.images = append(o.images, fiptoolImageArg{uuid: t.UUID, flag: "--" + opt.Name, file: v})
	}
	return nil
}

// parseBlobArg reads "uuid=...,file=..." in either order; remove's --blob
// has no file.
func parseBlobArg(v string, needFile bool) (fiptoolImageArg, error) {
	img := fiptoolImageArg{flag: "--blob " + v}
	var haveUUID bool
	for _, kv := range strings.Split(v, ",") {
		k, val, _ := strings.Cut(kv, "=")
		switch {
		case k == "uuid":
			u, err := fip.ParseUUID(val)
			if err != nil {
				return img, fmt.Errorf("--blob %s: %v", v, err)
			}
			img.uuid, haveUUID = u, true
		case k == "file" && needFile:
			img.file = val
		default:
			return img, fmt.Errorf("--blob %s: unknown key %q", v, k)
		}
	}
	if !haveUUID || (needFile && img.file == "") {
		if needFile {
			return img, fmt.Errorf("--blob %s: both uuid= and file= are required", v)
		}
		return img, fmt.Errorf("--blob %s: uuid= is required", v)
	}
	return img, nil
}

func readImageArgs(args []fiptoolImageArg) ([]fip.Image, error) {
	var images []fip.Image
	for _, a := range args {
		data, err := input.ReadFile(a.file, fip.MaxPackageSize, "a FIP is limited to 4 GiB")
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", a.flag, a.file, input.Detail(err))
		}
		images = append(images, fip.Image{UUID: a.uuid, Data: data})
	}
	return images, nil
}

// mapImageArgs is readImageArgs for create, whose images are only copied
// once into the output: larger files are mapped from the page cache, not
// read into fresh memory (benchmarks/README.md, tiny inputs).
func mapImageArgs(args []fiptoolImageArg) ([]fip.Image, func(), error) {
	var images []fip.Image
	var releases []func()
	release := func() {
		for _, r := range releases {
			r()
		}
	}
	for _, a := range args {
		data, rel, err := input.Map(a.file, fip.MaxPackageSize, "a FIP is limited to 4 GiB")
		if err != nil {
			release()
			return nil, nil, fmt.Errorf("%s %s: %w", a.flag, a.file, input.Detail(err))
		}
		releases = append(releases, rel)
		images = append(images, fip.Image{UUID: a.uuid, Data: data})
	}
	return images, release, nil
}

// fiptoolCreate writes the package part by part from the (mapped) images
// instead of assembling it in memory first: no second copy of every
// image, no fresh pages for it.
func fiptoolCreate(o fiptoolOptions) error {
	images, release, err := mapImageArgs(o.images)
	if err != nil {
		return err
	}
	defer release()
	layout, err := fip.Plan(images, fip.Options{Align: o.align, PlatTocFlags: o.platTocFlags})
	if err != nil {
		return fmt.Errorf("%s: %w", o.fipFile, err)
	}
	return outfile.Write(o.fipFile, outfile.FileMode, func(f *os.File) error {
		if _, err := layout.WriteTo(f); err != nil {
			return fmt.Errorf("cannot write output %s: %w", o.fipFile, err)
		}
		return nil
	})
}

// fiptoolUpdate adds or replaces images in a FIP (a missing FIP starts
// empty, as with fiptool), keeping its header flags unless
// --plat-toc-flags replaces bits 32-47, and writes it to --out or back.
func fiptoolUpdate(o fiptoolOptions) error {
	var old *fip.Package
	opts := fip.Options{Align: o.align}
	if _, err := os.Stat(o.fipFile); err == nil {
		if old, err = readFip(o.fipFile); err != nil {
			return err
		}
		opts = old.RepackOptions(o.align)
	}
	if o.platTocFlagsSet {
		opts.PlatTocFlags = o.platTocFlags
	}
	added, err := readImageArgs(o.images)
	if err != nil {
		return err
	}
	all := old.Update(added)
	data, err := fip.Create(all, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", o.fipFile, err)
	}
	return outfile.WriteBytes(fiptoolOutput(o), data)
}

// fiptoolRemove drops images from a FIP and repacks the rest.
func fiptoolRemove(o fiptoolOptions) error {
	p, err := readFip(o.fipFile)
	if err != nil {
		return err
	}
	if o.out != "" && !o.force {
		if _, err := os.Lstat(o.out); err == nil {
			return fmt.Errorf("--out %s: file already exists, use --force to overwrite it", o.out)
		}
	}
	var drop []fip.UUID
	for _, a := range o.images {
		if p.Lookup(a.uuid) == nil {
			return fmt.Errorf("%s: %s: no such image in the FIP", o.fipFile, a.flag)
		}
		drop = append(drop, a.uuid)
	}
	kept, err := p.Remove(drop)
	if err != nil {
		return fmt.Errorf("%s: %w", o.fipFile, err)
	}
	data, err := fip.Create(kept, p.RepackOptions(o.align))
	if err != nil {
		return fmt.Errorf("%s: %w", o.fipFile, err)
	}
	return outfile.WriteBytes(fiptoolOutput(o), data)
}

func fiptoolOutput(o fiptoolOptions) string {
	if o.out != "" {
		return o.out
	}
	return o.fipFile
}

func readFip(name string) (*fip.Package, error) {
	data, err := input.ReadFile(name, fip.MaxPackageSize, "a FIP is limited to 4 GiB")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, input.Detail(err))
	}
	p, err := fip.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

// writeFipInfoLine prints one entry as fiptool info does.
func writeFipInfoLine(w io.Writer, e *fip.Entry, withHash bool) error {
	label, cmdline := e.UUID.String(), "--blob"
	if t, ok := fip.TypeByUUID(e.UUID); ok {
		label, cmdline = t.Desc, "--"+t.Name
	}
	line := fmt.Sprintf("%s: offset=0x%X, size=0x%X, cmdline=\"%s\"", label, e.Offset, e.Size, cmdline)
	if withHash {
		line += fmt.Sprintf(", sha256=%x", sha256.Sum256(e.Data))
	}
	_, err := fmt.Fprintln(w, line)
	return err
}

func fiptoolInfo(o fiptoolOptions, verbose bool, stdout io.Writer) error {
	p, err := readFip(o.fipFile)
	if err != nil {
		return err
	}
	for i := range p.Entries {
		if err := writeFipInfoLine(stdout, &p.Entries[i], verbose); err != nil {
			return err
		}
	}
	return nil
}

func fiptoolUnpack(o fiptoolOptions) error {
	p, err := readFip(o.fipFile)
	if err != nil {
		return err
	}
	type job struct {
		entry *fip.Entry
		path  string
	}
	var jobs []job
	if len(o.images) == 0 {
		for i := range p.Entries {
			// Names from the FIP (a UUID fiptool does not know is
			// its own name) stay below --out.
			e := &p.Entries[i]
			path, err := outfile.Join(o.out, e.Name()+".bin", fmt.Sprintf("%s: image %s", o.fipFile, e.Name()))
			if err != nil {
				return err
			}
			jobs = append(jobs, job{e, path})
		}
	} else {
		for _, a := range o.images {
			found := p.Lookup(a.uuid)
			if found == nil {
				return fmt.Errorf("%s: %s: no such image in the FIP", o.fipFile, a.flag)
			}
			jobs = append(jobs, job{found, filepath.Join(o.out, a.file)})
		}
	}
	// All files or none: a later failure (an existing file, an image
	// twice in the FIP) leaves --out as it was.
	w := outfile.NewBatch()
	defer w.Abort()
	if o.out != "" {
		if err := w.MkdirAll(o.out); err != nil {
			return fmt.Errorf("--out %s: %w", o.out, unwrapPathError(err))
		}
	}
	staged := map[string]bool{}
	for _, j := range jobs {
		if !o.force {
			if _, err := os.Lstat(j.path); err == nil || staged[j.path] {
				return fmt.Errorf("%s: file already exists, use --force to overwrite it", j.path)
			}
		}
		staged[j.path] = true
		if err := w.WriteBytes(j.path, j.entry.Data); err != nil {
			return err
		}
	}
	return w.Commit()
}
