package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/compress"
	"github.com/rules-firmware/rules_firmware/tools/dts"
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/fit"
	"github.com/rules-firmware/rules_firmware/tools/input"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// FIT images: `fwtool mkimage -f`, `fwtool fit` (from a JSON description),
// `fwtool verify`, and the FIT lister for `fwtool ls` / `mkimage -l`.

func registerFitFormats() {
	registerLister(lister{
		name:     "FIT",
		priority: 40, // before the plain DTB lister: a FIT is a DTB with /images
		probe:    probeFIT,
		list:     listFIT,
	})
	registerExtractor(extractor{name: "FIT", priority: 40, probe: probeFIT, extract: extractFIT})
}

// extractFIT writes /images nodes (names, wildcards allowed) to files,
// decompressing those whose "compression" tools/compress handles unless
// decompress is false; like dumpimage -T flat_dt -p N, but by name.
func extractFIT(f *os.File, size int64, paths []string, out, outDir string, decompress bool, stdout io.Writer) error {
	b, err := readAllAt(f, size)
	if err != nil {
		return err
	}
	img, err := fit.Parse(b)
	if err != nil {
		return err
	}
	images, err := img.Images()
	if err != nil {
		return err
	}
	var picked []fit.Image
	for _, im := range images {
		for _, p := range paths {
			if ok, err := path.Match(p, im.Name); err != nil {
				return fmt.Errorf("bad pattern %q: %v", p, err)
			} else if ok {
				picked = append(picked, im)
				break
			}
		}
	}
	if len(picked) == 0 {
		return fmt.Errorf("no image under /images matches %v", paths)
	}
	if out != "" && len(picked) != 1 {
		return fmt.Errorf("%q matches %d images; -f takes exactly one", paths[0], len(picked))
	}
	w := outfile.NewBatch()
	defer w.Abort()
	for _, im := range picked {
		data, err := img.Data(im)
		if err != nil {
			return err
		}
		part := extractPart{data: data}
		if decompress && im.Compression != "" && im.Compression != "none" {
			if !compress.Supported(im.Compression) {
				return fmt.Errorf("Node '/images/%s': compression '%s' cannot be undone here (use -U)", im.Name, im.Compression)
			}
			// Streamed into the output as it is written.
			part = extractPart{data: data, algo: im.Compression, what: fmt.Sprintf("Node '/images/%s'", im.Name)}
		}
		if out != "" {
			err = w.Write(out, outfile.FileMode, part.fill)
		} else {
			err = w.WriteIn(outDir, im.Name, fmt.Sprintf("Node '/images/%s'", im.Name), outfile.FileMode, part.fill)
		}
		if err != nil {
			return err
		}
	}
	return w.Commit()
}

func probeFIT(f *os.File, size int64) bool {
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil || string(magic[:]) != "\xd0\x0d\xfe\xed" {
		return false
	}
	b, err := readAllAt(f, size)
	return err == nil && fit.IsFIT(b)
}

func readAllAt(f *os.File, size int64) ([]byte, error) {
	b := make([]byte, size)
	_, err := f.ReadAt(b, 0)
	return b, err
}

func listFIT(f *os.File, size int64, args []string, stdout io.Writer) error {
	b, err := readAllAt(f, size)
	if err != nil {
		return err
	}
	img, err := fit.Parse(b)
	if err != nil {
		return err
	}
	return img.WriteListing(stdout)
}

// runMkimageFIT is mkimage -f / -F.
func runMkimageFIT(opts mkimageOptions, stdout, stderr io.Writer) int {
	fail := func(format string, a ...interface{}) int {
		fmt.Fprintf(stderr, "fwtool mkimage: "+format+"\n", a...)
		return 1
	}
	if opts.Image == "" {
		return fail("no output image given")
	}
	switch {
	case opts.FITSource == "auto":
		return fail("%s: -f auto is not supported; write an .its (or use `fwtool fit`)", opts.Image)
	case opts.Engine != "":
		return fail("%s: -N %s: OpenSSL engines are not supported", opts.Image, opts.Engine)
	case opts.Ramdisk != "" || len(opts.DeviceTrees) > 0:
		return fail("%s: -i/-b only apply to -f auto, which is not supported", opts.Image)
	}
	var compiled []byte
	fitOpts := fit.Options{
		Timestamp:   opts.Time,
		RequireKeys: opts.KeyRequired,
		Comment:     opts.Comment,
		AlgoName:    opts.Algo,
		External:    opts.External,
	}
	if opts.AlignmentSet {
		// -B 0 means mkimage's default of 4, like leaving it out.
		if opts.Alignment > 1<<30 {
			return fail("%s: -B %#x: alignment out of range", opts.Image, opts.Alignment)
		}
		fitOpts.Align = int(opts.Alignment)
	}
	if opts.ExternalPosSet {
		if opts.ExternalPosition > 1<<31 {
			return fail("%s: -p %#x: position out of range", opts.Image, opts.ExternalPosition)
		}
		fitOpts.Position = int(opts.ExternalPosition)
	}
	if opts.FITSource != "" {
		dtsOpts, err := fitDtcOptions(opts.DTCOpts)
		if err != nil {
			return fail("%s: -D %q: %v", opts.Image, opts.DTCOpts, err)
		}
		tree, err := dts.CompileFile(opts.FITSource, dtsOpts)
		if err != nil {
			return fail("%v", err)
		}
		// The compiler's copies of the /incbin/ files are garbage now;
		// hand them back before the blob is allocated, so peak memory is
		// two copies of the payload (tree and blob), not three or four.
		debug.FreeOSMemory()
		// Spare room lets fit.ProcessBuffer edit the blob in place
		// instead of copying the payload again.
		if compiled, err = tree.Encode(fdt.EncodeOptions{Spare: fit.Headroom}); err != nil {
			return fail("%s: %v", opts.FITSource, err)
		}
		// Likewise the tree, before -E gathers the external data.
		debug.FreeOSMemory()
	} else {
		// -F re-signs the existing image; mkimage keeps its timestamp
		// unless -t is given.
		var err error
		if compiled, err = readFileWithSpare(opts.Image, fit.Headroom); err != nil {
			return fail("%v", err)
		}
		fitOpts.KeepTimestamp = !opts.Touch
	}
	if opts.KeyDir != "" || opts.KeyFile != "" {
		fitOpts.Keys = fit.KeyDir{Dir: opts.KeyDir, File: opts.KeyFile}
	}
	if opts.KeyDest != "" {
		b, err := readDTBInput(opts.KeyDest)
		if err != nil {
			return fail("%v", err)
		}
		fitOpts.KeyDest = b
	}
	res, err := fit.ProcessBuffer(compiled, fitOpts)
	if err != nil {
		name := opts.FITSource
		if name == "" {
			name = opts.Image
		}
		return fail("%s: %v", name, err)
	}
	// The FIT and the control DTB it was signed into go in together.
	w := outfile.NewBatch()
	defer w.Abort()
	if err := w.WriteBytes(opts.Image, res.FIT); err != nil {
		return fail("%v", err)
	}
	if opts.KeyDest != "" {
		if err := w.WriteBytes(opts.KeyDest, res.KeyDest); err != nil {
			return fail("%v", err)
		}
	}
	if err := w.Commit(); err != nil {
		return fail("%v", err)
	}
	if !opts.Quiet {
		img, err := fit.Parse(res.FIT)
		if err != nil {
			return fail("%s: %v", opts.Image, err)
		}
		if err := img.WriteListing(stdout); err != nil {
			return fail("%v", err)
		}
	}
	return 0
}

// readFileWithSpare reads a whole file into a slice with spare capacity, so
// fit.ProcessBuffer can grow a FIT read for -F in place.
func readFileWithSpare(name string, spare int) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > 1<<31 {
		return nil, fmt.Errorf("%s: %d bytes is too large for a FIT", name, st.Size())
	}
	b := make([]byte, st.Size(), st.Size()+int64(spare))
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return b, nil
}

// fitDtcOptions interprets mkimage's -D (the dtc command line it runs) for
// our compiler: -i adds an include directory; -I dts, -O dtb and the size
// options (-p, -S, -a, whose padding mkimage packs away) change nothing.
func fitDtcOptions(s string) (dts.Options, error) {
	o := dts.DefaultOptions()
	f := strings.Fields(s)
	for i := 0; i < len(f); i++ {
		arg := f[i]
		val := ""
		if len(arg) > 2 && arg[0] == '-' && arg[1] != '-' {
			arg, val = arg[:2], arg[2:]
		}
		needVal := map[string]bool{"-I": true, "-O": true, "-p": true, "-S": true, "-a": true, "-i": true}
		if needVal[arg] && val == "" {
			if i+1 >= len(f) {
				return o, fmt.Errorf("%s needs a value", arg)
			}
			i++
			val = f[i]
		}
		switch {
		case arg == "-I" && val == "dts", arg == "-O" && val == "dtb", arg == "-p", arg == "-S", arg == "-a", arg == "-q":
		case arg == "-i":
			o.IncludeDirs = append(o.IncludeDirs, val)
		default:
			return o, fmt.Errorf("dtc option %s %s is not supported (only -i DIR and -I dts -O dtb -p/-S/-a)", arg, val)
		}
	}
	return o, nil
}

type keyFlags fit.KeyFiles

func (k keyFlags) String() string { return "" }
func (k keyFlags) Set(v string) error {
	name, path, ok := strings.Cut(v, "=")
	if !ok || name == "" || path == "" {
		return fmt.Errorf("want NAME=FILE.pem, got %q", v)
	}
	if _, dup := k[name]; dup {
		return fmt.Errorf("key %q given twice", name)
	}
	k[name] = path
	return nil
}

type hexFlag struct {
	v   uint64
	set bool
}

func (h *hexFlag) String() string { return "" }
func (h *hexFlag) Set(s string) error {
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(s), "0x"), 16, 32)
	if err != nil {
		return fmt.Errorf("not a hex number: %q", s)
	}
	h.v, h.set = v, true
	return nil
}

const fitUsage = `usage: fwtool fit --spec SPEC.json -o OUT.itb [--its OUT.its]
                 [-E] [-B HEX] [-p HEX] [--key NAME=KEY.pem]... [-k KEYDIR]
                 [--control-in U-BOOT.dtb --control-out OUT.dtb] [-r] [-c COMMENT]

Builds a FIT from a JSON description, byte-identical to mkimage -f on the
equivalent .its (which --its writes). SPEC.json:
  {"description": "...", "default": "conf-1",
   "images": [{"name": "kernel-1", "description": "...", "type": "kernel",
               "arch": "arm64", "os": "linux", "compression": "none",
               "load": 524288, "entry": 524288, "data_file": "Image",
               "hashes": ["sha256", "crc32"]}],
   "configurations": [{"name": "conf-1", "kernel": "kernel-1",
               "fdt": ["fdt-1"], "ramdisk": "", "firmware": "", "loadables": [],
               "compatible": "",
               "signatures": [{"algo": "sha256,rsa2048", "key_name": "dev",
                               "padding": "pkcs-1.5", "sign_images": []}]}]}
Keys: --key NAME=FILE gives the PEM private key for key-name-hint NAME (the
public key written with --control-out is derived from it); -k DIR reads
DIR/NAME.key (and DIR/NAME.crt) as mkimage does. Timestamps come from
$SOURCE_DATE_EPOCH, else 0.
`

func runFit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, fitUsage) }
	spec := fs.String("spec", "", "JSON description")
	out := fs.String("o", "", "output FIT")
	its := fs.String("its", "", "also write the equivalent .its source here")
	external := fs.Bool("E", false, "external data after the FDT")
	var align, pos hexFlag
	fs.Var(&align, "B", "external data alignment, hex")
	fs.Var(&pos, "p", "external data position, hex")
	keys := keyFlags{}
	fs.Var(keys, "key", "NAME=FILE.pem private key for key-name-hint NAME (repeatable)")
	keyDir := fs.String("k", "", "key directory (NAME.key, NAME.crt)")
	ctlIn := fs.String("control-in", "", "U-Boot control DTB to add public keys to")
	ctlOut := fs.String("control-out", "", "where to write the control DTB with the keys")
	require := fs.Bool("r", false, "mark keys required")
	comment := fs.String("c", "", "comment for signature nodes")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, fitUsage)
			return 0
		}
		return 2
	}
	fail := func(format string, a ...interface{}) int {
		fmt.Fprintf(stderr, "fwtool fit: "+format+"\n", a...)
		return 1
	}
	if *spec == "" || *out == "" || fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	if (*ctlIn == "") != (*ctlOut == "") {
		return fail("--control-in and --control-out go together")
	}
	raw, err := input.ReadFile(*spec, fitSpecLimit, "a FIT description")
	if err != nil {
		return fail("%v", err)
	}
	var s fit.Spec
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return fail("%s: %v", *spec, err)
	}
	if err := s.Validate(); err != nil {
		return fail("%s: %v", *spec, err)
	}
	if err := s.LoadData(); err != nil {
		return fail("%s: %v", *spec, err)
	}
	var epoch uint32
	if v, ok := os.LookupEnv("SOURCE_DATE_EPOCH"); ok {
		epoch = parseSourceDateEpoch(v)
	}
	opts := fit.Options{Timestamp: epoch, External: *external, RequireKeys: *require, Comment: *comment}
	if align.set {
		if align.v == 0 {
			return fail("-B 0: alignment must be positive")
		}
		opts.Align = int(align.v)
	}
	if pos.set {
		opts.Position = int(pos.v)
	}
	switch {
	case len(keys) > 0 && *keyDir != "":
		return fail("give keys with --key or -k, not both")
	case len(keys) > 0:
		opts.Keys = fit.KeyFiles(keys)
	case *keyDir != "":
		opts.Keys = fit.KeyDir{Dir: *keyDir}
	}
	if *ctlIn != "" {
		if opts.KeyDest, err = readDTBInput(*ctlIn); err != nil {
			return fail("%v", err)
		}
	}
	res, err := fit.Build(&s, opts)
	if err != nil {
		return fail("%s: %v", *spec, err)
	}
	w := outfile.NewBatch()
	defer w.Abort()
	if *its != "" {
		text, err := s.ITS()
		if err != nil {
			return fail("%s: %v", *spec, err)
		}
		if err := w.WriteBytes(*its, []byte(text)); err != nil {
			return fail("%v", err)
		}
	}
	if err := w.WriteBytes(*out, res.FIT); err != nil {
		return fail("%v", err)
	}
	if *ctlOut != "" {
		if err := w.WriteBytes(*ctlOut, res.KeyDest); err != nil {
			return fail("%v", err)
		}
	}
	if err := w.Commit(); err != nil {
		return fail("%v", err)
	}
	return 0
}

const verifyUsage = `usage: fwtool verify -k CONTROL.dtb [-c CONFIG] [-q] [-strict] [-f] IMAGE.itb

Checks a signed FIT the way U-Boot does before booting (fit_check_sign's
command line): the configuration (default: the FIT's default) must carry a
signature that verifies with a key in CONTROL.dtb's /signature node, every
key marked required = "conf" must have verified it, and every image the
configuration names must match its hash nodes. Exit 0 when it verifies.
Images the configuration names but no verified signature covers (U-Boot
signs only kernel and fdt unless sign-images lists more) are reported, and
with -strict fail the check.
`

func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, verifyUsage) }
	keyDTB := fs.String("k", "", "U-Boot control DTB with /signature/key-* nodes")
	conf := fs.String("c", "", "configuration to check (default: the FIT's default)")
	image := fs.String("f", "", "FIT image (or give it as the argument)")
	quiet := fs.Bool("q", false, "print nothing on success")
	strict := fs.Bool("strict", false, "also fail when the configuration names an image no verified signature covers")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, verifyUsage)
			return 0
		}
		return 2
	}
	if *image == "" && fs.NArg() == 1 {
		*image = fs.Arg(0)
	} else if fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	if *image == "" || *keyDTB == "" {
		fs.Usage()
		return 2
	}
	fitBytes, err := readDTBInput(*image)
	if err != nil {
		fmt.Fprintf(stderr, "fwtool verify: %v\n", err)
		return 1
	}
	ctl, err := readDTBInput(*keyDTB)
	if err != nil {
		fmt.Fprintf(stderr, "fwtool verify: %v\n", err)
		return 1
	}
	rep, err := fit.Verify(fitBytes, ctl, *conf)
	if err != nil {
		fmt.Fprintf(stderr, "fwtool verify: %s: %v\n", *image, err)
		return 1
	}
	if *strict && len(rep.Unsigned) > 0 {
		fmt.Fprintf(stderr, "fwtool verify: %s: Node '/configurations/%s': images %s are not covered by a verified signature (add them to sign-images)\n",
			*image, rep.Config, strings.Join(rep.Unsigned, ", "))
		return 1
	}
	if !*quiet {
		fmt.Fprintf(stdout, "%s: configuration '%s' verified: %s; image hashes OK: %s\n",
			*image, rep.Config, strings.Join(rep.Signatures, ", "), strings.Join(rep.Images, ", "))
		if len(rep.Unsigned) > 0 {
			fmt.Fprintf(stdout, "%s: note: images %s are hash-checked but not covered by the signature (U-Boot boots them; their properties are not protected)\n",
				*image, strings.Join(rep.Unsigned, ", "))
		}
	}
	return 0
}

// fitSpecLimit bounds a `fwtool fit` JSON description (it names its data
// files; it does not hold them).
const fitSpecLimit = 64 << 20

// readDTBInput reads a FIT or control DTB: no more than a DTB's 32-bit
// totalsize, and never a device or a FIFO's wait.
func readDTBInput(name string) ([]byte, error) {
	return input.ReadFile(name, fdt.MaxTotalSize, "a DTB's totalsize is 32-bit")
}
