package genimage

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/disk"
)

// buildHDImage lays out the partitions with tools/disk; partitions naming
// an image of the config take the file built for it.
func buildHDImage(b *build, img disk.GenimageSection, path string) error {
	m, err := b.cfg.HDImageManifest(img, b.opts.InputPath, b.opts.Seed, func(name string) string { return b.built[name] })
	if err != nil {
		return err
	}
	if s, ok := b.seeded[img.Name]; ok {
		applySeeded(m, s)
	}
	l, err := disk.Plan(m, func(p string) (uint64, error) {
		st, err := os.Stat(p)
		if err != nil {
			return 0, err
		}
		if !st.Mode().IsRegular() {
			return 0, fmt.Errorf("%s is not a regular file", p)
		}
		return uint64(st.Size()), nil
	})
	if err != nil {
		return namedBuilt(err, b.built)
	}
	return namedBuilt(writeFile(path, func(f *os.File) error { return disk.Write(l, f, os.Open) }), b.built)
}

// namedBuilt restates err with each image built in this run named as the
// config names it, not by its file in the scratch directory.
func namedBuilt(err error, built map[string]string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for name, p := range built {
		msg = strings.ReplaceAll(msg, "'"+p+"'", "'"+name+"'")
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// writeFile creates path in the scratch directory and fills it.
func writeFile(path string, fill func(f *os.File) error) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
