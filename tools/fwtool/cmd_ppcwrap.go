package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/rules-firmware/rules_firmware/tools/dts"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
	"github.com/rules-firmware/rules_firmware/tools/ppcwrap"
)

// PowerPC boot wrappers: `fwtool ppcwrap` takes the kernel wrapper script's
// options (-p -o -i -d -s -Z -D) and builds the same images without
// binutils, gzip, mkimage, mktree or addnote.

func registerPpcwrapFormats() {
	ppcLister := func(prio int, probe func(f *os.File, size int64) bool) lister {
		return lister{name: "ppcwrap", priority: prio, probe: probe, list: listPpcwrap}
	}
	// Before the uImage lister (a cuImage is a uImage) and the ELF-less
	// formats; raw wrapper binaries have no magic, so they come last.
	registerLister(ppcLister(45, probePpcwrap(func(b []byte) bool { return !isRawCandidate(b) })))
	registerLister(ppcLister(85, probePpcwrap(isRawCandidate)))
}

// ppcwrapProbeLimit bounds what the probe reads: wrapper images are a few
// MiB; a disk image is not worth scanning for the wrapper's banner.
const ppcwrapProbeLimit = 256 << 20

func isRawCandidate(b []byte) bool {
	return !(len(b) >= 4 && (string(b[:4]) == "\x7fELF" || b[0] == 0x27 && b[1] == 0x05 && b[2] == 0x19 && b[3] == 0x56 || b[0] == 0 && b[1] == 0x52 && b[2] == 0x50 && b[3] == 0x4f))
}

func probePpcwrap(want func([]byte) bool) func(f *os.File, size int64) bool {
	return func(f *os.File, size int64) bool {
		if size > ppcwrapProbeLimit {
			return false
		}
		data, err := io.ReadAll(f)
		if err != nil || !want(data) {
			return false
		}
		return ppcwrap.IsWrapperImage(data)
	}
}

func listPpcwrap(f *os.File, size int64, args []string, stdout io.Writer) error {
	if len(args) != 0 {
		return fmt.Errorf("boot-wrapper image has no named entries to match %q", args)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	info, err := ppcwrap.Describe(data)
	if err != nil {
		return err
	}
	return ppcwrap.WriteListing(stdout, info)
}

func runPpcwrap(args []string, stdout, stderr io.Writer) int {
	if err := ppcwrapMain(args, stdout, stderr); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		fmt.Fprintf(stderr, "fwtool ppcwrap: %v\n", err)
		return 1
	}
	return 0
}

func ppcwrapMain(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ppcwrap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "zImage", "output image")
	platform := fs.String("p", "of", "platform (of, chrp, pseries, cuboot-BOARD, simpleboot-BOARD, treeboot-BOARD, uboot, ...)")
	initrd := fs.String("i", "", "initrd to embed (.kernel:initrd)")
	dtb := fs.String("d", "", "device tree blob to embed (.kernel:dtb)")
	dtsFile := fs.String("s", "", "device tree source to compile and embed (instead of -d)")
	comp := fs.String("Z", "gz", "kernel compression inside the wrapper: gz or none")
	objdir := fs.String("D", "", "directory of the kernel build's wrapper objects (crt0.o, wrapper.a, empty.o, PLATFORM.o ...); default arch/powerpc/boot unless --obj is given")
	var objFiles multiFlag
	fs.Var(&objFiles, "obj", "a wrapper object file, found by its base name (repeatable; overrides -D's file of that name)")
	elfOut := fs.String("elf", "", "also write the linked ELF here (the wrapper's OUTPUT.elf)")
	kernelOut := fs.String("kernel-out", "", "also write the kernel as embedded (stripped, maybe gzipped: the wrapper's vmlinux.strip.gz)")
	epoch := fs.String("time", "", "uImage timestamp, seconds since 1970 (default SOURCE_DATE_EPOCH, else 0)")
	beSum := fs.Bool("mktree-be-checksum", false, "treeImage: sum big-endian words (mktree built on a big-endian host) instead of little-endian ones")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: fwtool ppcwrap [-p PLATFORM] [-o OUT] [-i INITRD] [-d DTB | -s DTS] [-Z gz|none] [-D OBJDIR] [--elf OUT.elf] VMLINUX")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("need exactly one vmlinux argument, got %d", fs.NArg())
	}
	if *dtb != "" && *dtsFile != "" {
		return fmt.Errorf("-d and -s both given; pass one device tree")
	}
	opts := ppcwrap.Options{Platform: *platform, Compression: *comp, MkTreeBigEndianSum: *beSum}
	t, err := ppcwrapTime(*epoch)
	if err != nil {
		return err
	}
	opts.Time = t
	in, err := ppcwrapInputs(fs.Arg(0), *initrd, *dtb, *dtsFile)
	if err != nil {
		return err
	}
	p, err := ppcwrap.Lookup(*platform)
	if err != nil {
		return err
	}
	objs, err := ppcwrapObjects(*objdir, objFiles, p.Needed())
	if err != nil {
		return err
	}
	res, err := ppcwrap.Wrap(in, objs, opts)
	if err != nil {
		return err
	}
	if *elfOut != "" && res.ELF == nil {
		return fmt.Errorf("--elf: platform '%s' links no ELF", *platform)
	}
	// The image, ELF and kernel copy go into place together or not at all.
	w := outfile.NewBatch()
	defer w.Abort()
	for _, o := range []struct {
		path string
		data []byte
	}{{*elfOut, res.ELF}, {*kernelOut, res.Kernel}, {*out, res.Image}} {
		if o.path == "" {
			continue
		}
		if err := w.WriteBytes(o.path, o.data); err != nil {
			return err
		}
	}
	return w.Commit()
}

// ppcwrapObjects reads the objects a platform needs from --obj files first,
// then from the object directory.
func ppcwrapObjects(dir string, files []string, needed []string) (ppcwrap.Objects, error) {
	byName := map[string]string{}
	for _, f := range files {
		byName[filepath.Base(f)] = f
	}
	if dir == "" && len(files) == 0 {
		dir = "arch/powerpc/boot"
	}
	objs := ppcwrap.Objects{}
	for _, n := range needed {
		path, ok := byName[n]
		if !ok {
			if dir == "" {
				return nil, fmt.Errorf("wrapper object '%s' not among the --obj files", n)
			}
			path = filepath.Join(dir, n)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("wrapper object '%s': %v", n, err)
		}
		objs[n] = b
	}
	return objs, nil
}

func ppcwrapTime(flagValue string) (uint32, error) {
	v := flagValue
	if v == "" {
		v = os.Getenv("SOURCE_DATE_EPOCH")
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("timestamp %q: not seconds since 1970 that fit 32 bits", v)
	}
	return uint32(n), nil
}

func ppcwrapInputs(vmlinux, initrd, dtb, dtsFile string) (ppcwrap.Inputs, error) {
	var in ppcwrap.Inputs
	var err error
	if in.Vmlinux, err = os.ReadFile(vmlinux); err != nil {
		return in, err
	}
	if initrd != "" {
		if in.Initrd, err = os.ReadFile(initrd); err != nil {
			return in, err
		}
	}
	switch {
	case dtb != "":
		if in.DTB, err = os.ReadFile(dtb); err != nil {
			return in, err
		}
	case dtsFile != "":
		// The wrapper runs `dtc -O dtb -b 0`: no padding, boot CPU 0.
		tree, err := dts.CompileFile(dtsFile, dts.DefaultOptions())
		if err != nil {
			return in, err
		}
		in.DTB = tree.Bytes()
	}
	return in, nil
}
