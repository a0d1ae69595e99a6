package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/rules-firmware/rules_firmware/tools/flashlayout"
)

func runFlashlayout(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "check" {
		return runFlashlayoutCheck(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("flashlayout", flag.ContinueOnError)
	fs.SetOutput(stderr)
	manifest := fs.String("manifest", "", "flash layout manifest (JSON, version 1; see tools/flashlayout/manifest.go)")
	output := fs.String("output", "", "the .tsv file to write")
	var stage stageFlags
	fs.Var(&stage, "stage", "NAME=FILE: copy FILE beside the .tsv as NAME (holes kept), so the directory can be copied to a flashing PC as it is; repeatable")
	archive := fs.String("archive", "", "write the .tsv and every staged file into this .tar.gz, for the flashing PC")
	name := fs.String("name", "", "the .tsv's file name inside --archive (default: --output's)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: fwtool flashlayout --manifest M.json --output FlashLayout.tsv [--stage NAME=FILE]... [--archive X.tar.gz]")
		fmt.Fprintln(stderr, "       fwtool flashlayout check [--disk IMAGE --device mmcN] FlashLayout.tsv")
		fmt.Fprintln(stderr, "Writes the tab-separated layout STM32CubeProgrammer flashes from, after checking")
		fmt.Fprintln(stderr, "options, ids, names, types, devices and offsets (and, when the manifest names a")
		fmt.Fprintln(stderr, "disk image, that each partition line matches the image's partition table).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *manifest == "" || (*output == "" && *archive == "") || fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	if *name == "" {
		*name = filepath.Base(*output)
	}
	if *archive != "" && (*name == "." || *name == "/") {
		fmt.Fprintln(stderr, "fwtool flashlayout: --archive without --output needs --name")
		return 2
	}
	f, err := os.Open(*manifest)
	if err != nil {
		fmt.Fprintf(stderr, "fwtool flashlayout: %v\n", err)
		return 1
	}
	m, err := flashlayout.ReadManifest(f)
	f.Close()
	if err == nil && m.Disk != nil {
		err = flashlayout.ResolveOffsets(m.Entries, *m.Disk)
	}
	if err == nil {
		err = flashlayout.Check(m.Entries)
	}
	if err == nil && m.Disk != nil {
		err = flashlayout.CheckAgainstDisk(m.Entries, *m.Disk)
	}
	if err == nil {
		err = writeFlashlayout(*output, *name, m.Entries, stage, *archive)
	}
	if err != nil {
		fmt.Fprintf(stderr, "fwtool flashlayout: %s: %v\n", *manifest, err)
		return 1
	}
	return 0
}

func runFlashlayoutCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("flashlayout check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	diskImage := fs.String("disk", "", "disk image the layout's partition lines must match")
	device := fs.String("device", "mmc0", "the device (IP column) that disk image is written to")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: fwtool flashlayout check [--disk IMAGE --device mmcN] FlashLayout.tsv")
		return 2
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "fwtool flashlayout check: %v\n", err)
		return 1
	}
	defer f.Close()
	entries, err := flashlayout.Parse(f)
	if err == nil {
		err = flashlayout.Check(entries)
	}
	if err == nil && *diskImage != "" {
		err = flashlayout.CheckAgainstDisk(entries, flashlayout.Disk{Image: *diskImage, Device: *device})
	}
	if err != nil {
		fmt.Fprintf(stderr, "fwtool flashlayout check: %s: %v\n", path, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %d entries, valid\n", path, len(entries))
	return 0
}
