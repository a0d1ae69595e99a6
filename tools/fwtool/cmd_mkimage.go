package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/compress"
	"github.com/rules-firmware/rules_firmware/tools/getopt"
	"github.com/rules-firmware/rules_firmware/tools/input"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
	"github.com/rules-firmware/rules_firmware/tools/staticerr"
	"github.com/rules-firmware/rules_firmware/tools/uimage"
)

// `fwtool mkimage` accepts mkimage's own command line so existing build
// scripts keep working. This file parses every mkimage flag into
// mkimageOptions and writes legacy uImages itself; other image kinds plug
// in through registerMkimageType (-T NAME) and mkimageFIT (-f / -F).

// mkimageOptions is the parsed command line. Fields a flag did not set keep
// mkimage's defaults; the *Set booleans tell whether the user gave them.
type mkimageOptions struct {
	Arch, OS, Type, Comp             string // -A -O -T -C (names as typed)
	ArchSet, OSSet, TypeSet, CompSet bool

	Load, Entry       uint64 // -a -e (hex, as mkimage parses them)
	LoadSet, EntrySet bool

	Name       string // -n (primary name or FIT configuration)
	NameSet    bool
	SecondName string // -R

	// DataFile is -d exactly as given; DataFiles is it split on ':'.
	// Multi-file and script images (and mkimage types that take several
	// inputs) use DataFiles; other types use DataFile whole, as mkimage
	// does, so a path containing ':' still works for them.
	DataFile  string
	DataFiles []string

	XIP     bool // -x
	NoCopy  bool // -s: header only, no data
	List    bool // -l: list Image instead of writing it
	Quiet   bool // -q
	Verbose bool // -v

	// FIT options; parsed here, implemented by the FIT writer.
	FITSource        string   // -f FILE.its or "auto"
	FITResign        bool     // -F
	DTCOpts          string   // -D
	DeviceTrees      []string // -b (repeatable)
	Ramdisk          string   // -i
	External         bool     // -E
	Alignment        uint64   // -B (hex)
	AlignmentSet     bool
	ExternalPosition uint64 // -p (hex)
	ExternalPosSet   bool
	KeyDir           string // -k
	KeyFile          string // -G
	KeyDest          string // -K
	KeyNameHint      string // -g
	Comment          string // -c
	KeyRequired      bool   // -r
	Engine           string // -N
	Algo             string // -o
	Touch            bool   // -t

	// Compress is our extension: compress the data in-process with this
	// algorithm (see tools/compress) and set -C to match.
	Compress string

	// Time is the header timestamp: SOURCE_DATE_EPOCH when set (parsed as
	// mkimage does), otherwise 0 where mkimage would use the current time.
	Time    uint32
	TimeSet bool

	// Image is the positional argument: the file to write, or to list with -l.
	Image string
}

// mkimageHandler writes (or, with opts.List, lists) one image kind. It
// prints its own one-line error to stderr and returns the exit code.
type mkimageHandler func(opts mkimageOptions, stdout, stderr io.Writer) int

// mkimageTypes is filled by registerFormats (on the first -T lookup).
var mkimageTypes map[string]mkimageHandler

// registerMkimageType makes `fwtool mkimage -T typeName` call fn.
func registerMkimageType(typeName string, fn mkimageHandler) {
	if mkimageTypes == nil {
		mkimageTypes = map[string]mkimageHandler{}
	}
	if _, dup := mkimageTypes[typeName]; dup {
		panic("fwtool mkimage: image type registered twice: " + typeName)
	}
	mkimageTypes[typeName] = fn
}

// mkimageType is the writer registered for -T, if any.
func mkimageType(opts mkimageOptions) (mkimageHandler, bool) {
	if !opts.TypeSet {
		return nil, false
	}
	registerFormats()
	fn, ok := mkimageTypes[strings.ToLower(opts.Type)]
	return fn, ok
}

// mkimageFIT handles -f (and -F): the FIT writer (cmd_fit.go). While it
// is nil, -f fails with a clear message.
var mkimageFIT mkimageHandler = runMkimageFIT

const mkimageUsage = `usage: fwtool mkimage [-x] [-A arch] [-O os] [-T type] [-C comp] [-a addr] [-e ep]
                     [-n name] [--compress algo] -d data_file[:data_file...] image
       fwtool mkimage [-T type] -l image
       fwtool mkimage -f its_file|auto [-E] [-B size] [-p addr] [-k keydir] [-K dtb] ... image

Writes U-Boot images byte-for-byte as mkimage does. Flags are mkimage's:
  -A arch       architecture (default powerpc): arm, arm64, x86, x86_64, riscv, ...
  -O os         operating system (default linux): u-boot, arm-trusted-firmware, tee, opensbi, efi, ...
  -T type       image type (default kernel): kernel, kernel_noload, ramdisk, firmware,
                standalone, script, multi, filesystem, and registered SoC formats
  -C comp       compression recorded in the header (default gzip; data is NOT compressed):
                none, gzip, bzip2, lzma, lzo, lz4, zstd
  -a addr       load address, hex (0x prefix optional)
  -e addr       entry point, hex (default: the load address; +64 with -x)
  -n name       image name; names longer than 32 bytes are truncated (with a warning)
  -d file       data file; multi and script images take file:file:...
  -x            execute in place: the data file's first 64 bytes (all 0xff) hold the header
  -s            write the header only, without data
  -l            list the image's header instead of writing it
  -q            do not print the header after writing
  -f its|auto, -F, -E, -B, -p, -k, -K, -G, -g, -c, -r, -N, -o, -D, -b, -i, -t, -R, -v
                FIT options, as in mkimage
Extension:
  --compress algo  compress the data in-process (` + "none, gzip, bzip2, lzma, lz4, zstd" + `) and set -C to match

Time: the header time is $SOURCE_DATE_EPOCH when set, as with mkimage; where
mkimage would write the current time, fwtool writes 0, so outputs are
reproducible.
`

// mkimageArgs is mkimage's getopt_long description (2023.01) plus our
// --compress; long options report their short letter.
func mkimageArgs() *getopt.Spec {
	return getopt.New("a:A:b:B:c:C:d:D:e:Ef:FG:g:hi:I:k:K:ln:N:o:O:p:qrR:stT:vVx",
		getopt.Long{Name: "architecture", Arg: getopt.RequiredArgument, Short: 'A'},
		getopt.Long{Name: "os", Arg: getopt.RequiredArgument, Short: 'O'},
		getopt.Long{Name: "type", Arg: getopt.RequiredArgument, Short: 'T'},
		getopt.Long{Name: "compression", Arg: getopt.RequiredArgument, Short: 'C'},
		getopt.Long{Name: "load-address", Arg: getopt.RequiredArgument, Short: 'a'},
		getopt.Long{Name: "entry-point", Arg: getopt.RequiredArgument, Short: 'e'},
		getopt.Long{Name: "config", Arg: getopt.RequiredArgument, Short: 'n'},
		getopt.Long{Name: "secondary-config", Arg: getopt.RequiredArgument, Short: 'R'},
		getopt.Long{Name: "image", Arg: getopt.RequiredArgument, Short: 'd'},
		getopt.Long{Name: "xip", Short: 'x'},
		getopt.Long{Name: "no-copy", Short: 's'},
		getopt.Long{Name: "list", Short: 'l'},
		getopt.Long{Name: "quiet", Short: 'q'},
		getopt.Long{Name: "verbose", Short: 'v'},
		getopt.Long{Name: "version", Short: 'V'},
		getopt.Long{Name: "help", Short: 'h'},
		getopt.Long{Name: "fit", Arg: getopt.RequiredArgument, Short: 'f'},
		getopt.Long{Name: "update", Short: 'F'},
		getopt.Long{Name: "device-tree", Arg: getopt.RequiredArgument, Short: 'b'},
		getopt.Long{Name: "comment", Arg: getopt.RequiredArgument, Short: 'c'},
		getopt.Long{Name: "dtcopts", Arg: getopt.RequiredArgument, Short: 'D'},
		getopt.Long{Name: "external", Short: 'E'},
		getopt.Long{Name: "alignment", Arg: getopt.RequiredArgument, Short: 'B'},
		getopt.Long{Name: "position", Arg: getopt.RequiredArgument, Short: 'p'},
		getopt.Long{Name: "initramfs", Arg: getopt.RequiredArgument, Short: 'i'},
		getopt.Long{Name: "key-dir", Arg: getopt.RequiredArgument, Short: 'k'},
		getopt.Long{Name: "key-file", Arg: getopt.RequiredArgument, Short: 'G'},
		getopt.Long{Name: "key-dest", Arg: getopt.RequiredArgument, Short: 'K'},
		getopt.Long{Name: "key-name-hint", Arg: getopt.RequiredArgument, Short: 'g'},
		getopt.Long{Name: "algo", Arg: getopt.RequiredArgument, Short: 'o'},
		getopt.Long{Name: "key-required", Short: 'r'},
		getopt.Long{Name: "engine", Arg: getopt.RequiredArgument, Short: 'N'},
		getopt.Long{Name: "touch", Short: 't'},
		getopt.Long{Name: "compress", Arg: getopt.RequiredArgument},
	)
}

// errMkimageHelp is returned by parseMkimageArgs for -h / --help.
var errMkimageHelp error = &staticerr.Error{Text: "help requested"}

// parseMkimageArgs parses args as mkimage's getopt_long does (see
// tools/getopt); options act in command-line order, so -h or -V before
// a bad option still answers.
func parseMkimageArgs(args []string, lookupEnv func(string) (string, bool)) (mkimageOptions, error) {
	o := mkimageOptions{Arch: "powerpc", OS: "linux", Type: "kernel", Comp: "gzip"}
	if v, ok := lookupEnv("SOURCE_DATE_EPOCH"); ok {
		o.Time, o.TimeSet = parseSourceDateEpoch(v), true
	}
	sc := mkimageArgs().Scan(args)
	for sc.Next() {
		opt := sc.Option()
		switch opt.Name {
		case "h":
			return o, errMkimageHelp
		case "compress":
			o.Compress = opt.Value
		default:
			if err := o.set(opt.Name[0], opt.Value); err != nil {
				return o, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return o, err
	}
	positional := sc.Operands()
	if len(positional) != 1 {
		if len(positional) == 0 {
			return o, errors.New("missing image file argument")
		}
		return o, fmt.Errorf("expected one image file, got %d arguments: %q", len(positional), positional)
	}
	o.Image = positional[0]
	return o, nil
}

func (o *mkimageOptions) set(flag byte, value string) error {
	var err error
	hex := func(what string) uint64 {
		v, perr := parseMkimageHex(value)
		if perr != nil && err == nil {
			err = fmt.Errorf("-%c: invalid %s %q (want hex, e.g. 0x80008000)", flag, what, value)
		}
		return v
	}
	switch flag {
	case 'A':
		o.Arch, o.ArchSet = value, true
	case 'O':
		o.OS, o.OSSet = value, true
	case 'T':
		o.Type, o.TypeSet = value, true
	case 'C':
		o.Comp, o.CompSet = value, true
	case 'a':
		o.Load, o.LoadSet = hex("load address"), true
	case 'e':
		o.Entry, o.EntrySet = hex("entry point"), true
	case 'n':
		o.Name, o.NameSet = value, true
	case 'R':
		o.SecondName = value
	case 'd':
		o.DataFile = value
		o.DataFiles = strings.Split(value, ":")
	case 'x':
		o.XIP = true
	case 's':
		o.NoCopy = true
	case 'l':
		o.List = true
	case 'q':
		o.Quiet = true
	case 'v':
		o.Verbose = true
	case 'V':
		return errMkimageVersion
	case 'f':
		o.FITSource = value
	case 'F':
		o.FITResign = true
	case 'D':
		o.DTCOpts = value
	case 'b':
		o.DeviceTrees = append(o.DeviceTrees, value)
	case 'i':
		o.Ramdisk = value
	case 'E':
		o.External = true
	case 'B':
		o.Alignment, o.AlignmentSet = hex("alignment"), true
	case 'p':
		o.ExternalPosition, o.ExternalPosSet = hex("external position"), true
	case 'k':
		o.KeyDir = value
	case 'G':
		o.KeyFile = value
	case 'K':
		o.KeyDest = value
	case 'g':
		o.KeyNameHint = value
	case 'c':
		o.Comment = value
	case 'r':
		o.KeyRequired = true
	case 'N':
		o.Engine = value
	case 'o':
		o.Algo = value
	case 't':
		o.Touch = true
	case 'I':
		// mkimage's -I is an undocumented input-type hint; accepted and ignored.
	default:
		return fmt.Errorf("unknown option %q", "-"+string(rune(flag)))
	}
	return err
}

var errMkimageVersion error = &staticerr.Error{Text: "version requested"}

// parseMkimageHex parses an address as mkimage's strtoull(s, &end, 16)
// with a full-match check: hex digits with an optional 0x prefix.
func parseMkimageHex(s string) (uint64, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if t == "" {
		return 0, fmt.Errorf("empty")
	}
	return strconv.ParseUint(t, 16, 64)
}

// parseSourceDateEpoch mirrors how mkimage reads SOURCE_DATE_EPOCH (with
// strtoul into a 32-bit time field): leading decimal digits, an optional
// sign with unsigned wrap-around, anything unparsable reads as 0.
func parseSourceDateEpoch(s string) uint32 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var v uint64
	overflow := false
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if v > (^uint64(0)-d)/10 {
			overflow = true
			break
		}
		v = v*10 + d
	}
	if overflow {
		v = ^uint64(0)
	}
	if neg {
		v = -v
	}
	return uint32(v)
}

func runMkimage(args []string, stdout, stderr io.Writer) int {
	opts, err := parseMkimageArgs(args, os.LookupEnv)
	switch {
	case err == errMkimageHelp:
		fmt.Fprint(stdout, mkimageUsage)
		return 0
	case err == errMkimageVersion:
		fmt.Fprintln(stdout, "fwtool mkimage (command line of mkimage 2023.01)")
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "fwtool mkimage: %s (see fwtool mkimage --help)\n", oneLine(err))
		return 2
	}
	return dispatchMkimage(opts, stdout, stderr)
}

// oneLine keeps an error on one line even when it quotes a file name
// with a newline in it.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", `\n`)
}

// dispatchMkimage picks the writer for opts: a registered -T type, the FIT
// writer for -f/-F, or the legacy uImage writer.
func dispatchMkimage(opts mkimageOptions, stdout, stderr io.Writer) int {
	if fn, ok := mkimageType(opts); ok {
		return fn(opts, stdout, stderr)
	}
	if opts.FITSource != "" || opts.FITResign {
		if mkimageFIT == nil {
			fmt.Fprintf(stderr, "fwtool mkimage: %s: FIT images (-f/-F) are not supported by this fwtool build\n", opts.Image)
			return 1
		}
		return mkimageFIT(opts, stdout, stderr)
	}
	if opts.List {
		return listImageFile(opts.Image, stdout, stderr, "fwtool mkimage")
	}
	if err := writeLegacyImage(opts, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "fwtool mkimage: %s\n", oneLine(err))
		return 1
	}
	return 0
}

// listImageFile prints path with the first registered lister that
// recognises it (the same dispatch as `fwtool ls`).
func listImageFile(path string, stdout, stderr io.Writer, who string) int {
	return runLsWithName([]string{path}, stdout, stderr, who)
}

// runLsWithName runs `fwtool ls` but reports errors as who.
func runLsWithName(args []string, stdout, stderr io.Writer, who string) int {
	var errBuf bytes.Buffer
	code := runLs(args, stdout, &errBuf)
	msg := strings.TrimPrefix(errBuf.String(), "fwtool ls: ")
	if msg != "" {
		fmt.Fprintf(stderr, "%s: %s", who, msg)
	}
	return code
}

// mkimageForeignTypes are SoC boot formats mkimage writes that have no
// writer here (yet): named in errors as unsupported rather than unknown.
var mkimageForeignTypes = []string{
	"aisimage", "atmelimage", "copro", "firmware_ivt", "gpimage", "imx8image", "imx8mimage",
	"imximage", "kwbimage", "lpc32xximage", "mtk_image", "mxsimage", "omapimage", "pblimage",
	"pmmc", "rkimage", "rksd", "rkspi", "socfpgaimage", "socfpgaimage_v1", "sunxi_egon",
	"sunxi_toc0", "ublimage", "vybridimage", "x86_setup", "zynqimage", "zynqmpbif",
	"zynqmpimage",
}

// mkimageForeignType reports whether typeName is in mkimageForeignTypes.
func mkimageForeignType(typeName string) bool {
	for _, t := range mkimageForeignTypes {
		if t == typeName {
			return true
		}
	}
	return false
}

// legacyHeaderFields resolves the names in opts into header codes.
func legacyHeaderFields(opts mkimageOptions) (uimage.Header, error) {
	var h uimage.Header
	lookup := func(t *uimage.Table, flag, name string) (uint8, error) {
		id, ok := t.Lookup(name)
		if !ok {
			names := t.Names()
			sort.Strings(names)
			return 0, fmt.Errorf("-%s: unknown %s %q (known: %s)", flag, t.Field, name, strings.Join(names, ", "))
		}
		return id, nil
	}
	var err error
	if h.Arch, err = lookup(&uimage.Arch, "A", opts.Arch); err != nil {
		return h, err
	}
	if h.OS, err = lookup(&uimage.OS, "O", opts.OS); err != nil {
		return h, err
	}
	if mkimageForeignType(strings.ToLower(opts.Type)) {
		return h, fmt.Errorf("-T: image type %q is not supported by fwtool mkimage", opts.Type)
	}
	if h.Type, err = lookup(&uimage.Type, "T", opts.Type); err != nil {
		return h, err
	}
	if !uimage.IsLegacy(h.Type) {
		return h, fmt.Errorf("-T: image type %q is not supported by fwtool mkimage (legacy types: kernel, kernel_noload, ramdisk, firmware, standalone, script, multi, filesystem)", opts.Type)
	}
	if h.Comp, err = lookup(&uimage.Comp, "C", opts.Comp); err != nil {
		return h, err
	}
	if opts.Compress != "" {
		if !compress.Supported(opts.Compress) {
			return h, fmt.Errorf("--compress: unknown algorithm %q (known: %s)", opts.Compress, strings.Join(compress.Names(), ", "))
		}
		comp, ok := uimage.Comp.Lookup(opts.Compress)
		if !ok {
			return h, fmt.Errorf("--compress: %q has no uImage compression code (U-Boot cannot unpack it)", opts.Compress)
		}
		if opts.CompSet && comp != h.Comp {
			return h, fmt.Errorf("-C %s contradicts --compress %s", opts.Comp, opts.Compress)
		}
		if uimage.HasSizeTable(h.Type) {
			return h, fmt.Errorf("--compress: %s images are not compressed as a whole; compress the files instead", opts.Type)
		}
		h.Comp = comp
	}
	if opts.Load > 0xffffffff {
		return h, fmt.Errorf("-a: load address 0x%x does not fit the 32-bit header field", opts.Load)
	}
	if opts.Entry > 0xffffffff {
		return h, fmt.Errorf("-e: entry point 0x%x does not fit the 32-bit header field", opts.Entry)
	}
	h.Load = uint32(opts.Load)
	h.Entry = uint32(opts.Entry)
	if !opts.EntrySet {
		h.Entry = h.Load
		if opts.XIP {
			h.Entry += uimage.HeaderSize
		}
	}
	h.Time = opts.Time
	return h, nil
}

// writeLegacyImage writes a 64-byte-header uImage as mkimage does.
func writeLegacyImage(opts mkimageOptions, stdout, stderr io.Writer) error {
	h, err := legacyHeaderFields(opts)
	if err != nil {
		return fmt.Errorf("%s: %w", opts.Image, err)
	}
	if name, cut := uimage.TruncateName(opts.Name); cut {
		fmt.Fprintf(stderr, "fwtool mkimage: warning: %s: -n name is %d bytes, truncated to the header's %d: %q\n", opts.Image, len(opts.Name), uimage.NameLen, name)
		h.Name = name
	} else {
		h.Name = name
	}
	if opts.DataFile == "" && !opts.NoCopy {
		return fmt.Errorf("%s: -d: no data file given (use -s for a header-only image)", opts.Image)
	}

	var payload []byte
	switch {
	case opts.NoCopy:
		// Header only; the data size and CRC describe no data.
	case uimage.HasSizeTable(h.Type):
		if opts.XIP {
			// mkimage would record each file's full size in the table but
			// copy it without its first 64 bytes: an unreadable image.
			return fmt.Errorf("%s: -x cannot be used with -T %s", opts.Image, opts.Type)
		}
		files := make([][]byte, len(opts.DataFiles))
		for i, name := range opts.DataFiles {
			if files[i], err = readLegacyInput(name); err != nil {
				return err
			}
		}
		if payload, err = uimage.MultiPayload(files); err != nil {
			return fmt.Errorf("%s: -d: %w", opts.Image, err)
		}
	default:
		// One file, possibly large (a root filesystem): stream it.
		written, err := writeLegacyStream(opts, h, stderr)
		if err != nil || opts.Quiet {
			return err
		}
		return uimage.WriteListing(stdout, written, nil)
	}
	if h.OS == uimage.OSTEE {
		h.Load, h.Entry = teeAddresses(opts, payload, stderr)
	}
	image, err := uimage.Build(h, payload)
	if err != nil {
		return fmt.Errorf("%s: %w", opts.Image, err)
	}
	if err := outfile.WriteBytes(opts.Image, image); err != nil {
		return err
	}
	if opts.Quiet {
		return nil
	}
	written, data, err := uimage.Parse(image)
	if err != nil {
		return fmt.Errorf("%s: reading back: %w", opts.Image, err)
	}
	return uimage.WriteListing(stdout, written, data)
}

// teeAddresses applies mkimage's rule for -O tee: the load and entry
// addresses come from the OP-TEE header at the start of the payload.
func teeAddresses(opts mkimageOptions, payload []byte, stderr io.Writer) (load, entry uint32) {
	load, entry = uimage.TEEAddresses(payload)
	if (opts.LoadSet && uint32(opts.Load) != load) || (opts.EntrySet && uint32(opts.Entry) != entry) {
		fmt.Fprintf(stderr, "fwtool mkimage: warning: %s: -O tee: load 0x%08x and entry 0x%08x come from the OP-TEE header in the data, as with mkimage; -a/-e are ignored\n", opts.Image, load, entry)
	}
	return load, entry
}

// inputError marks read errors of the -d file, so they are reported
// against it rather than against the output.
type inputError struct {
	name string
	err  error
}

func (e *inputError) Error() string {
	return fmt.Sprintf("-d %s: cannot read data file: %v", e.name, e.err)
}

type annotatedReader struct {
	r    io.Reader
	name string
}

func (a annotatedReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if err != nil && err != io.EOF {
		err = &inputError{a.name, unwrapPathError(err)}
	}
	return n, err
}

// writeLegacyStream writes a single-file image without holding the data
// in memory: input (less the XIP reserve) -> optional compressor ->
// uimage.WriteStream into the temporary output file.
func writeLegacyStream(opts mkimageOptions, h uimage.Header, stderr io.Writer) (uimage.Header, error) {
	name := opts.DataFile
	in, st, err := input.Open(name)
	if err != nil {
		return h, dataFileError(name, err)
	}
	defer in.Close()
	// Uncompressed data must fit the header's 32-bit size; compressed
	// input is bounded by the same figure, checked before reading.
	src, err := input.StreamBound(name, in, st, 0xffffffff, "the uImage header's data size is 32-bit")
	if err != nil {
		return h, fmt.Errorf("-d: %w", err)
	}
	var data io.Reader = annotatedReader{src, name}
	if opts.XIP {
		reserve := make([]byte, uimage.HeaderSize)
		n, err := io.ReadFull(data, reserve)
		if err != nil && n == 0 && err == io.EOF {
			return h, fmt.Errorf("-d %s: data file is empty", name)
		}
		if _, unreadable := err.(*inputError); unreadable {
			return h, err
		}
		if err := uimage.CheckXIPReserve(reserve[:n]); err != nil {
			return h, fmt.Errorf("-d %s: -x: %w", name, err)
		}
	} else {
		// Peek one byte: mkimage refuses empty inputs, and so do we.
		first := make([]byte, 1)
		n, err := io.ReadFull(data, first)
		if n == 0 {
			if err == io.EOF {
				return h, fmt.Errorf("-d %s: data file is empty", name)
			}
			return h, err
		}
		data = io.MultiReader(bytes.NewReader(first), data)
	}

	var written uimage.Header
	err = outfile.Write(opts.Image, outfile.FileMode, func(f *os.File) error {
		payload := data
		var compressErr chan error
		var pr *io.PipeReader
		if opts.Compress != "" {
			var pw *io.PipeWriter
			pr, pw = io.Pipe()
			compressErr = make(chan error, 1)
			go func() {
				zw, err := compress.NewWriter(opts.Compress, pw)
				if err == nil {
					_, err = io.Copy(zw, data)
					if cerr := zw.Close(); err == nil {
						err = cerr
					}
				}
				pw.CloseWithError(err)
				compressErr <- err
			}()
			payload = pr
		}
		var err error
		written, err = uimage.WriteStream(f, h, payload)
		if compressErr != nil {
			// Unblocks the compressor if WriteStream stopped early.
			pr.Close()
			if cerr := <-compressErr; cerr != nil {
				if _, isInput := cerr.(*inputError); isInput {
					return cerr
				}
				return fmt.Errorf("-d %s: --compress %s: %w", name, opts.Compress, cerr)
			}
		}
		if err != nil {
			var ie *inputError
			if errors.As(err, &ie) {
				return ie
			}
			return fmt.Errorf("cannot write output %s: %w", opts.Image, err)
		}
		if written.OS == uimage.OSTEE {
			head := make([]byte, 20)
			n, err := f.ReadAt(head, uimage.HeaderSize)
			if err != nil && err != io.EOF {
				return fmt.Errorf("cannot read back output %s: %w", opts.Image, err)
			}
			written.Load, written.Entry = teeAddresses(opts, head[:n], stderr)
			hdr, err := written.Marshal()
			if err != nil {
				return err
			}
			if _, err := f.WriteAt(hdr, 0); err != nil {
				return fmt.Errorf("cannot write output %s: %w", opts.Image, err)
			}
		}
		return nil
	})
	return written, err
}

// readLegacyInput reads one file of a multi-file or script image.
func readLegacyInput(name string) ([]byte, error) {
	data, err := input.ReadFile(name, 0xffffffff, "the uImage header's data size is 32-bit")
	if err != nil {
		return nil, dataFileError(name, err)
	}
	if len(data) == 0 {
		// mkimage refuses empty inputs too; an empty payload is a build bug.
		return nil, fmt.Errorf("-d %s: data file is empty", name)
	}
	return data, nil
}

// dataFileError words an input error of -d FILE: missing or unreadable
// files as mkimage says it, size and file-type refusals as input has them.
func dataFileError(name string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("-d %s: cannot read data file: %w", name, pe.Err)
	}
	return fmt.Errorf("-d: %w", err)
}

// unwrapPathError drops the *PathError's repetition of the file name.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func probeUImage(f *os.File, size int64) bool {
	var magic [4]byte
	if _, err := f.ReadAt(magic[:], 0); err != nil {
		return false
	}
	return uimage.IsUImage(magic[:])
}

// uimageExtractEntries names the parts `fwtool extract` can pull out of a
// legacy image: "data" is the payload (decompressed by the header's
// compression unless -U, as it is written out); multi-file and script
// images also have "0", "1", ... for their files, as `dumpimage -T multi
// -p N` extracts them.
func uimageExtractEntries(h uimage.Header, data []byte, decompress bool) (map[string]extractPart, []string, error) {
	entries := map[string]extractPart{}
	order := []string{"data"}
	entries["data"] = extractPart{data: data}
	if uimage.HasSizeTable(h.Type) {
		files, err := uimage.SplitMulti(data)
		if err != nil {
			return nil, nil, err
		}
		for i, f := range files {
			name := strconv.Itoa(i)
			entries[name] = extractPart{data: f}
			order = append(order, name)
		}
	} else if decompress && h.Comp != uimage.CompNone {
		algo := uimage.Comp.Name(h.Comp)
		if !compress.Supported(algo) {
			return nil, nil, fmt.Errorf("data: cannot decompress %s (use -U for the stored bytes)", uimage.Comp.LongName(h.Comp))
		}
		entries["data"] = extractPart{data: data, algo: algo, what: "data"}
	}
	return entries, order, nil
}

func extractUImage(f *os.File, size int64, paths []string, out, outDir string, decompress bool, _ io.Writer) error {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, size))
	if err != nil {
		return err
	}
	h, data, err := uimage.Parse(b)
	if err != nil {
		return fmt.Errorf("uImage: %w", err)
	}
	entries, order, err := uimageExtractEntries(h, data, decompress)
	if err != nil {
		return err
	}
	var picked []string
	for _, pat := range paths {
		n := 0
		for _, name := range order {
			if ok, _ := path.Match(pat, name); ok {
				picked = append(picked, name)
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("no entry '%s' (entries: %s)", pat, strings.Join(order, ", "))
		}
	}
	if out != "" {
		if len(picked) != 1 {
			return fmt.Errorf("'%s' matches %d entries; -f takes exactly one", paths[0], len(picked))
		}
		return outfile.Write(out, outfile.FileMode, entries[picked[0]].fill)
	}
	w := outfile.NewBatch()
	defer w.Abort()
	if err := w.MkdirAll(outDir); err != nil {
		return err
	}
	for _, name := range picked {
		if err := w.WriteIn(outDir, name, fmt.Sprintf("uImage entry '%s'", name), outfile.FileMode, entries[name].fill); err != nil {
			return err
		}
	}
	return w.Commit()
}

// uimageLister lets `fwtool ls` recognise legacy images, and `fwtool
// extract` take them apart.
func registerMkimageFormats() {
	registerExtractor(extractor{name: "uimage", priority: 50, probe: probeUImage, extract: extractUImage})
	registerLister(lister{
		name:     "uimage",
		priority: 50,
		probe:    probeUImage,
		list: func(f *os.File, size int64, args []string, stdout io.Writer) error {
			if len(args) != 0 {
				return fmt.Errorf("uImage has no named entries to match %q", args)
			}
			// Stream the CRC check: a filesystem image may be large.
			h, err := uimage.Verify(f, size)
			if err != nil {
				return fmt.Errorf("uImage: %w", err)
			}
			var data []byte
			if uimage.HasSizeTable(h.Type) {
				data = make([]byte, h.DataSize)
				if _, err := f.ReadAt(data, uimage.HeaderSize); err != nil {
					return err
				}
			}
			return uimage.WriteListing(stdout, h, data)
		},
	})
}
