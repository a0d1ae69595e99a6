package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/input"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
	"github.com/rules-firmware/rules_firmware/tools/stm32"
)

// STM32MP1 boot images: `fwtool mkimage -T stm32image` (mkimage's command
// line, header v1) and `-T stm32imagev2` (header v2, the type newer
// mkimage versions add for the STM32MP13), and `fwtool stm32image`, which
// also sets the fields mkimage leaves at their defaults (binary type,
// anti-rollback version).

func registerStm32Formats() {
	registerMkimageType("stm32image", func(opts mkimageOptions, stdout, stderr io.Writer) int {
		return mkimageStm32(opts, 1, stdout, stderr)
	})
	registerMkimageType("stm32imagev2", func(opts mkimageOptions, stdout, stderr io.Writer) int {
		return mkimageStm32(opts, 2, stdout, stderr)
	})
	registerLister(lister{
		name:     "stm32",
		priority: 50,
		probe: func(f *os.File, size int64) bool {
			var magic [4]byte
			if _, err := io.ReadFull(f, magic[:]); err != nil {
				return false
			}
			return stm32.HasMagic(magic[:])
		},
		list: func(f *os.File, size int64, args []string, stdout io.Writer) error {
			if len(args) != 0 {
				return fmt.Errorf("STM32 image has no named entries to match %q", args)
			}
			data, err := io.ReadAll(f)
			if err != nil {
				return err
			}
			h, _, err := stm32.Parse(data)
			if err != nil {
				return fmt.Errorf("STM32 image: %w", err)
			}
			return stm32.WriteListing(stdout, h)
		},
	})
}

func mkimageStm32(opts mkimageOptions, major uint8, stdout, stderr io.Writer) int {
	if opts.List {
		return listImageFile(opts.Image, stdout, stderr, "fwtool mkimage")
	}
	entry := opts.Load
	if opts.EntrySet {
		entry = opts.Entry
	}
	err := writeStm32(opts.Image, opts.DataFile, major, func(h *stm32.Header) error {
		if opts.Load > 0xffffffff {
			return fmt.Errorf("-a 0x%x does not fit the header's 32-bit load address", opts.Load)
		}
		if entry > 0xffffffff {
			return fmt.Errorf("-e 0x%x does not fit the header's 32-bit entry point", entry)
		}
		h.LoadAddress, h.EntryPoint = uint32(opts.Load), uint32(entry)
		return nil
	}, opts.Quiet, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "fwtool mkimage: %v\n", err)
		return 1
	}
	return 0
}

// writeStm32 wraps the data file and writes image; set fills the header
// fields from the command line.
func writeStm32(image, dataFile string, major uint8, set func(*stm32.Header) error, quiet bool, stdout io.Writer) error {
	if image == "" {
		return errors.New("no output image named")
	}
	if dataFile == "" {
		return fmt.Errorf("%s: -d: no data file given", image)
	}
	// Checked by size before reading: the header's length is 32-bit.
	payload, err := input.ReadFile(dataFile, 0xffffffff, "the STM32 header's length field is 32-bit")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
			return fmt.Errorf("-d %s: cannot read data file: %w", dataFile, unwrapPathError(err))
		}
		return fmt.Errorf("-d: %w", err)
	}
	if len(payload) == 0 {
		// mkimage refuses an empty payload too; the boot ROM would load nothing.
		return fmt.Errorf("-d %s: data file is empty", dataFile)
	}
	h, err := stm32.NewHeader(major, 0, 0)
	if err != nil {
		return fmt.Errorf("%s: %w", image, err)
	}
	if err := set(&h); err != nil {
		return fmt.Errorf("%s: %w", image, err)
	}
	data, err := stm32.Wrap(h, payload)
	if err != nil {
		return fmt.Errorf("%s: %w", image, err)
	}
	if err := outfile.WriteBytes(image, data); err != nil {
		return err
	}
	if quiet {
		return nil
	}
	written, _, err := stm32.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: reading back: %w", image, err)
	}
	return stm32.WriteListing(stdout, written)
}

// parseHexAddress reads an address as mkimage does: hexadecimal, with or
// without 0x.
func parseHexAddress(s string) (uint32, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	v, err := strconv.ParseUint(t, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not a 32-bit hexadecimal address", s)
	}
	return uint32(v), nil
}

const stm32imageUsage = `usage: fwtool stm32image [-v 1|2] -a LOAD [-e ENTRY] -d DATA [options] IMAGE

Wraps DATA (U-Boot SPL or TF-A BL2) in the STM32MP1 boot ROM header.
  -v N              header version: 1 (STM32MP15, 256 bytes; default) or
                    2 (STM32MP13, 512 bytes with the padding extension)
  -a LOAD           load address, hexadecimal (0x optional), as mkimage -a
  -e ENTRY          entry point, hexadecimal (default: LOAD)
  -d DATA           payload file
  -binary-type N    0x00 U-Boot (default), 0x10 TF-A BL2, or any byte
  -image-version N  anti-rollback version number (default 0)
  -minor N          header minor version (default 0)
  -q                do not print the header after writing
With -v 1 and default options the output is what mkimage -T stm32image writes.
`

func runStm32image(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stm32image", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	major := fs.Uint("v", 1, "")
	load := fs.String("a", "", "")
	entry := fs.String("e", "", "")
	data := fs.String("d", "", "")
	binaryType := fs.String("binary-type", "0", "")
	imageVersion := fs.String("image-version", "0", "")
	minor := fs.Uint("minor", 0, "")
	quiet := fs.Bool("q", false, "")
	fail := func(format string, a ...interface{}) int {
		fmt.Fprintf(stderr, "fwtool stm32image: "+format+"\n", a...)
		return 2
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(stdout, stm32imageUsage)
			return 0
		}
		return fail("%v (see fwtool stm32image --help)", err)
	}
	if fs.NArg() != 1 {
		return fail("want exactly one output IMAGE, got %d arguments (see fwtool stm32image --help)", fs.NArg())
	}
	image := fs.Arg(0)
	if *load == "" {
		return fail("%s: -a: load address required", image)
	}
	if *major > 0xff || *minor > 0xff {
		return fail("%s: -v/-minor: header version must fit a byte", image)
	}
	err := writeStm32(image, *data, uint8(*major), func(h *stm32.Header) error {
		var err error
		if h.LoadAddress, err = parseHexAddress(*load); err != nil {
			return fmt.Errorf("-a: %w", err)
		}
		h.EntryPoint = h.LoadAddress
		if *entry != "" {
			if h.EntryPoint, err = parseHexAddress(*entry); err != nil {
				return fmt.Errorf("-e: %w", err)
			}
		}
		bt, err := strconv.ParseUint(*binaryType, 0, 32)
		if err != nil {
			return fmt.Errorf("-binary-type: %q is not a number", *binaryType)
		}
		iv, err := strconv.ParseUint(*imageVersion, 0, 32)
		if err != nil {
			return fmt.Errorf("-image-version: %q is not a number", *imageVersion)
		}
		h.BinaryType, h.ImageVersion, h.Minor = uint32(bt), uint32(iv), uint8(*minor)
		return nil
	}, *quiet, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "fwtool stm32image: %v\n", err)
		return 1
	}
	return 0
}
