package main

import (
	"os"

	"github.com/rules-firmware/rules_firmware/tools/binmandesc"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// `fwtool build -d u-boot.dtb -I DIR... -O OUT [-a NAME=VALUE]... [-m] [-u] [-M]` reads the
// binman node of a compiled U-Boot device tree (tools/binmandesc) and
// writes binman symbols into SPL/TPL-style entries (tools/binsym).
func binmanImport(dtb []byte, inputDirs []string, updateFDT bool, entryArgs map[string]string, tempDir, outDir string, sideFile func(string, []byte) error) ([]*layout.Manifest, func(*layout.Image) error, error) {
	return binmandesc.Load(dtb, binmandesc.Options{InputDirs: inputDirs, UpdateFDT: updateFDT, Warn: os.Stderr, EntryArgs: entryArgs, TempDir: tempDir, OutDir: outDir, SideFile: sideFile})
}
