package main

import (
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/layout"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// binmanSymlinks makes the links binman's image "symlink" property asks
// for, once the images are in place.
func binmanSymlinks(manifests []*layout.Manifest, outDir string) error {
	for _, m := range manifests {
		if m.Image.Symlink == "" {
			continue
		}
		file := m.Image.Filename
		if file == "" {
			file = m.Image.Name + ".bin"
		}
		if err := outfile.Symlink(outDir, m.Image.Symlink, file, fmt.Sprintf("Image '%s'", m.Image.Name)); err != nil {
			return err
		}
	}
	return nil
}
