package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/bootup"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
	"github.com/rules-firmware/rules_firmware/tools/staticerr"
)

// BootUp application images and bundles (tools/bootup/FORMAT.md).

func registerBootupFormats() {
	registerLister(lister{name: "bootup", priority: 60, probe: probeBootupImage, list: listBootupImage})
	registerLister(lister{name: "bundle", priority: 60, probe: probeMagic(bootup.BundleMagic[:]), list: listBundle})
}

const bootupUsage = `usage: fwtool bootup [--label=LABEL] create -o OUT [flags] INPUT
       fwtool bootup invalidate -o OUT IMAGE
       fwtool bootup verify [--key PEM] IMAGE

create: INPUT is a raw binary or an ELF file (segments laid out from the
lowest physical address; load and entry from the ELF unless given).
  --signature N      64-bit version/time stamp, stored little-endian (required)
  --load ADDR        load address (0x hex or decimal)
  --entry ADDR       entry address (default: ELF entry or load)
  --preamble         header in front of the application (default: embedded)
  --header-offset N  where the embedded header goes (e.g. 0x200 behind the vector table)
  --no-crc           leave the body CRC out
  --copy-to-ram      BootUp copies the body to the load address before starting it
  --key PEM          add an Ed25519 or RSA authenticity tag
  --max-size N       size of the NVM region the image must fit
See tools/bootup/FORMAT.md.`

func runBootup(args []string, stdout, stderr io.Writer) int {
	return runActions("bootup", bootupUsage, args, stderr, []action{
		{"create", func(a []string) error { return bootupCreate(a, stderr) }},
		{"invalidate", func(a []string) error { return bootupInvalidate(a, stderr) }},
		{"verify", func(a []string) error { return bootupVerify(a, stdout, stderr) }},
	})
}

// action is one verb of a command with several ("fwtool bundle verify").
type action struct {
	name string
	run  func(args []string) error
}

// runActions dispatches to the named action and prints its error as one
// line, prefixed with the rule's label when one was passed.
func runActions(cmd, usage string, args []string, stderr io.Writer, actions []action) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	label, args := takeLabel(args)
	var names []string
	err := error(nil)
	found := false
	for _, a := range actions {
		names = append(names, a.name)
		if a.name == args[0] {
			err, found = a.run(args[1:]), true
		}
	}
	if !found {
		err = fmt.Errorf("unknown action %q (%s)", args[0], strings.Join(names, ", "))
	}
	if errors.Is(err, errUsage) {
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "fwtool %s: %s%v\n", cmd, label, err)
		return 1
	}
	return 0
}

var errUsage error = &staticerr.Error{Text: "usage"}

// takeLabel removes a leading "--label=LABEL" (rules pass their target) and
// returns the error prefix it makes.
func takeLabel(args []string) (string, []string) {
	if len(args) > 1 && strings.HasPrefix(args[0], "--label=") {
		return strings.TrimPrefix(args[0], "--label=") + ": ", args[1:]
	}
	return "", args
}

// parseFlags parses and returns the single positional argument.
func parseOneArg(fs *flag.FlagSet, args []string, what string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", errUsage
	}
	if fs.NArg() != 1 {
		return "", fmt.Errorf("%s: need exactly one %s, got %d arguments", fs.Name(), what, fs.NArg())
	}
	return fs.Arg(0), nil
}

// newActionFlags is the flag set of one bootup or bundle action: errors
// and -h print the command's usage.
func newActionFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usage) }
	return fs
}

func newBootupFlags(name string, stderr io.Writer) *flag.FlagSet {
	return newActionFlags(name, bootupUsage, stderr)
}

func bootupCreate(args []string, stderr io.Writer) error {
	fs := newBootupFlags("create", stderr)
	out := fs.String("o", "", "output image")
	sig := fs.String("signature", "", "signature")
	load := fs.String("load", "", "load address")
	entry := fs.String("entry", "", "entry address")
	preamble := fs.Bool("preamble", false, "header in front")
	hdrOff := fs.String("header-offset", "0", "embedded header offset")
	noCRC := fs.Bool("no-crc", false, "no body CRC")
	copyRAM := fs.Bool("copy-to-ram", false, "copy to RAM")
	key := fs.String("key", "", "private key PEM")
	maxSize := fs.String("max-size", "0", "region size")
	in, err := parseOneArg(fs, args, "INPUT")
	if err != nil {
		return err
	}
	if *out == "" {
		return errors.New("create: -o OUT is required")
	}
	o := bootup.Options{Preamble: *preamble, CRC: !*noCRC, CopyToRAM: *copyRAM}
	if o.Signature, err = parseSignature(*sig); err != nil {
		return fmt.Errorf("%s: %v", in, err)
	}
	data, err := os.ReadFile(in)
	if err != nil {
		return unwrapPathErrorIn(err, in)
	}
	isELF := bootup.IsELF(data)
	if isELF {
		if data, o.Load, o.Entry, err = bootup.FlattenELF(data); err != nil {
			return fmt.Errorf("%s: %v", in, err)
		}
	}
	entrySet := *entry != ""
	for _, a := range []struct {
		name, text string
		dst        *uint64
		bits       int
	}{{"--load", *load, &o.Load, 64}, {"--entry", *entry, &o.Entry, 64}} {
		if a.text == "" {
			continue
		}
		if *a.dst, err = strconv.ParseUint(a.text, 0, a.bits); err != nil {
			return fmt.Errorf("%s: %s %q is not a number", in, a.name, a.text)
		}
	}
	if !entrySet && !isELF {
		o.Entry = o.Load
	}
	off, err := strconv.ParseUint(*hdrOff, 0, 32)
	if err != nil {
		return fmt.Errorf("%s: --header-offset %q is not a 32-bit number", in, *hdrOff)
	}
	o.HeaderOffset = uint32(off)
	if o.MaxSize, err = strconv.ParseInt(*maxSize, 0, 64); err != nil || o.MaxSize < 0 {
		return fmt.Errorf("%s: --max-size %q is not a size", in, *maxSize)
	}
	if *key != "" {
		if o.Signer, err = bootup.LoadSigner(*key); err != nil {
			return fmt.Errorf("--key: %v", err)
		}
	}
	img, err := bootup.Build(data, o)
	if err != nil {
		return fmt.Errorf("%s: %v", in, err)
	}
	return outfile.WriteBytes(*out, img)
}

// parseSignature reads a 64-bit number; the header stores it
// little-endian.
func parseSignature(s string) ([8]byte, error) {
	var sig [8]byte
	if s == "" {
		return sig, errors.New("--signature is required (the image's version or time stamp)")
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return sig, fmt.Errorf("--signature %q is not a 64-bit number", s)
	}
	binary.LittleEndian.PutUint64(sig[:], v)
	return sig, nil
}

func bootupInvalidate(args []string, stderr io.Writer) error {
	fs := newBootupFlags("invalidate", stderr)
	out := fs.String("o", "", "output image")
	in, err := parseOneArg(fs, args, "IMAGE")
	if err != nil {
		return err
	}
	if *out == "" {
		return errors.New("invalidate: -o OUT is required")
	}
	data, err := os.ReadFile(in)
	if err != nil {
		return unwrapPathErrorIn(err, in)
	}
	inv, err := bootup.Invalidate(data)
	if err != nil {
		return fmt.Errorf("%s: %v", in, err)
	}
	return outfile.WriteBytes(*out, inv)
}

func bootupVerify(args []string, stdout, stderr io.Writer) error {
	fs := newBootupFlags("verify", stderr)
	key := fs.String("key", "", "public key PEM")
	in, err := parseOneArg(fs, args, "IMAGE")
	if err != nil {
		return err
	}
	var v bootup.Verifier
	if *key != "" {
		if v, err = bootup.LoadVerifier(*key); err != nil {
			return fmt.Errorf("--key: %v", err)
		}
	}
	data, err := os.ReadFile(in)
	if err != nil {
		return unwrapPathErrorIn(err, in)
	}
	im, err := bootup.Read(data, v)
	if err != nil {
		return fmt.Errorf("%s: %v", in, err)
	}
	fmt.Fprintf(stdout, "%s: valid, signature %x, body %d bytes\n", in, im.Signature, im.BodyLength)
	return nil
}

func probeMagic(magic []byte) func(f *os.File, size int64) bool {
	return func(f *os.File, size int64) bool {
		b := make([]byte, len(magic))
		_, err := io.ReadFull(f, b)
		return err == nil && string(b) == string(magic)
	}
}

func probeBootupImage(f *os.File, size int64) bool {
	b := make([]byte, 64<<10+bootup.HeaderSize)
	n, _ := io.ReadFull(f, b)
	_, ok := bootup.Locate(b[:n])
	return ok
}

func listBootupImage(f *os.File, size int64, args []string, stdout io.Writer) error {
	if len(args) != 0 {
		return fmt.Errorf("BootUp image has no named entries to match %q", args)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	im, err := bootup.Read(data, nil)
	if im == nil {
		return err
	}
	state := "valid"
	if im.Invalidated() {
		state = "invalidated"
	} else if err != nil {
		state = "INVALID: " + err.Error()
	}
	placement := fmt.Sprintf("embedded at 0x%x", im.HeaderOffset)
	if im.Flags&bootup.FlagPreamble != 0 {
		placement = "preamble"
	}
	fmt.Fprintf(stdout, "BootUp application image (%s)\n", state)
	fmt.Fprintf(stdout, "Header:       %s, %d bytes\n", placement, im.Length())
	fmt.Fprintf(stdout, "Signature:    %x\n", im.Signature)
	fmt.Fprintf(stdout, "Load address: 0x%x\n", im.Load)
	fmt.Fprintf(stdout, "Entry:        0x%x\n", im.Entry)
	fmt.Fprintf(stdout, "Body:         %d bytes", im.BodyLength)
	if im.Flags&bootup.FlagCRC != 0 {
		fmt.Fprintf(stdout, ", CRC32 0x%08x", im.BodyCRC)
	}
	fmt.Fprintln(stdout)
	start := "execute in place"
	if im.Flags&bootup.FlagCopyToRAM != 0 {
		start = "copy to RAM"
	}
	fmt.Fprintf(stdout, "Start:        %s\n", start)
	fmt.Fprintf(stdout, "Tag:          %s\n", [...]string{"none", "Ed25519", "RSA PKCS#1 v1.5 SHA-256"}[im.TagType])
	return nil
}

func listBundle(f *os.File, size int64, args []string, stdout io.Writer) error {
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	bu, err := bootup.ReadBundle(data)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "BootUp bundle, signature %x, %d files\n", bu.Signature, len(bu.Entries))
	fmt.Fprintf(stdout, "%-31s %10s %10s %10s  %s\n", "Name", "Offset", "Stored", "Size", "Compression")
	for _, e := range bu.Entries {
		if len(args) > 0 && !matchAny(args, e.Name) {
			continue
		}
		fmt.Fprintf(stdout, "%-31s %#10x %10d %10d  %s\n", e.Name, e.Offset, e.Stored, e.Length, bootup.CompressionName(e.Compression))
	}
	return nil
}

const bundleUsage = `usage: fwtool bundle create -o OUT --signature N NAME=FILE[:lz4] ...
       fwtool bundle verify BUNDLE
       fwtool bundle extract -C DIR BUNDLE [NAME...]

verify decompresses and checks every file; extract checks everything
before it writes anything. See tools/bootup/FORMAT.md.`

func runBundle(args []string, stdout, stderr io.Writer) int {
	return runActions("bundle", bundleUsage, args, stderr, []action{
		{"create", func(a []string) error { return bundleCreate(a, stderr) }},
		{"verify", func(a []string) error { return bundleVerify(a, stdout, stderr) }},
		{"extract", func(a []string) error { return bundleExtract(a, stderr) }},
	})
}

func newBundleFlags(name string, stderr io.Writer) *flag.FlagSet {
	return newActionFlags(name, bundleUsage, stderr)
}

func bundleCreate(args []string, stderr io.Writer) error {
	fs := newBundleFlags("create", stderr)
	out := fs.String("o", "", "output bundle")
	sigText := fs.String("signature", "", "signature")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *out == "" || fs.NArg() == 0 {
		return errors.New("create: need -o OUT and at least one NAME=FILE[:COMPRESSION]")
	}
	sig, err := parseSignature(*sigText)
	if err != nil {
		return fmt.Errorf("%s: %v", *out, err)
	}
	var files []bootup.File
	for _, a := range fs.Args() {
		name, path, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("%q: not NAME=FILE[:COMPRESSION]", a)
		}
		comp := "none"
		if i := strings.LastIndex(path, ":"); i >= 0 {
			path, comp = path[:i], path[i+1:]
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("file %q: %v", name, unwrapPathErrorIn(err, path))
		}
		files = append(files, bootup.File{Name: name, Data: data, Compression: comp})
	}
	b, err := bootup.BuildBundle(files, sig)
	if err != nil {
		return fmt.Errorf("%s: %v", *out, err)
	}
	return outfile.WriteBytes(*out, b)
}

func readBundle(path string) (*bootup.Bundle, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, unwrapPathErrorIn(err, path)
	}
	bu, err := bootup.Verify(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return bu, nil
}

func bundleVerify(args []string, stdout, stderr io.Writer) error {
	in, err := parseOneArg(newBundleFlags("verify", stderr), args, "BUNDLE")
	if err != nil {
		return err
	}
	bu, err := readBundle(in)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: valid, signature %x, %d files\n", in, bu.Signature, len(bu.Entries))
	return nil
}

func bundleExtract(args []string, stderr io.Writer) error {
	fs := newBundleFlags("extract", stderr)
	dir := fs.String("C", ".", "output directory")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() == 0 {
		return errors.New("extract: need BUNDLE")
	}
	in, names := fs.Arg(0), fs.Args()[1:]
	bu, err := readBundle(in)
	if err != nil {
		return err
	}
	var files [][]byte
	var picked []string
	for i, e := range bu.Entries {
		if len(names) > 0 && !matchAny(names, e.Name) {
			continue
		}
		data, _ := bu.Extract(i) // Verify checked every file already
		files, picked = append(files, data), append(picked, e.Name)
	}
	if len(picked) == 0 {
		return fmt.Errorf("%s: no file matches %q", in, names)
	}
	// All files or none: a failure part-way leaves the directory as it was.
	w := outfile.NewBatch()
	defer w.Abort()
	for i, name := range picked {
		if err := w.WriteBytesIn(*dir, name, "bundle file '"+name+"'", files[i]); err != nil {
			return err
		}
	}
	return w.Commit()
}
