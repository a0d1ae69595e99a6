package main

import (
	"os"

	"github.com/rules-firmware/rules_firmware/tools/binmandesc"
	"github.com/rules-firmware/rules_firmware/tools/binsym"
	"github.com/rules-firmware/rules_firmware/tools/layout"
)

// `fwtool build -d u-boot.dtb -I DIR... -O OUT [-m] [-u] [-M]` reads the
// binman node of a compiled U-Boot device tree (tools/binmandesc) and
// writes binman symbols into SPL/TPL-style entries (tools/binsym).
func init() {
	importBinmanDTB = func(dtb []byte, inputDirs []string, updateFDT bool) ([]*layout.Manifest, func(*layout.Image) error, error) {
		ms, err := binmandesc.Convert(dtb, binmandesc.Options{InputDirs: inputDirs, UpdateFDT: updateFDT})
		if err != nil {
			return nil, nil, err
		}
		return ms, binsym.ManifestPatcher(os.Stderr), nil
	}
}
