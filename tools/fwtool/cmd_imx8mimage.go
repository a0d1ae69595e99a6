package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/imx8mimage"
	"github.com/rules-firmware/rules_firmware/tools/input"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// `fwtool mkimage -T imx8mimage -n CFG -d FILE IMAGE`: an i.MX8M boot
// image from mkimage's configuration file (tools/imx8mimage). As with
// mkimage, the files the configuration names are read relative to the
// working directory, and -d must name a readable file though the image is
// made from the configuration's LOADER.

func registerImx8mimageFormats() {
	registerMkimageType("imx8mimage", func(opts mkimageOptions, stdout, stderr io.Writer) int {
		if err := mkimageImx8m(opts); err != nil {
			fmt.Fprintf(stderr, "fwtool mkimage: %v\n", err)
			return 1
		}
		return 0
	})
}

// imx8mInputLimit bounds every input file, checked before reading.
const imx8mInputLimit = 1 << 30

func mkimageImx8m(opts mkimageOptions) error {
	if opts.List {
		return errors.New("-l: imx8mimage images have no header mkimage can list")
	}
	if opts.Image == "" {
		return errors.New("no output image named")
	}
	if !opts.NameSet {
		return fmt.Errorf("%s: -n: imx8mimage needs its configuration file", opts.Image)
	}
	if opts.DataFile == "" {
		return fmt.Errorf("%s: Option -d with image data file was not specified", opts.Image)
	}
	read := func(name string) ([]byte, error) {
		return input.ReadFile(name, imx8mInputLimit, "an i.MX8M image input is limited to 1 GiB")
	}
	f, err := os.Open(opts.DataFile)
	if err != nil {
		return fmt.Errorf("-d: %w", err)
	}
	f.Close()
	text, err := read(opts.Name)
	if err != nil {
		return fmt.Errorf("-n: %w", err)
	}
	cfg, err := imx8mimage.ParseConfig(opts.Name, text)
	if err != nil {
		return err
	}
	data, err := imx8mimage.Build(cfg, read)
	if err != nil {
		return fmt.Errorf("%s: %w", opts.Name, err)
	}
	return outfile.WriteBytes(opts.Image, data)
}
