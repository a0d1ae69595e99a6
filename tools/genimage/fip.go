package genimage

import (
	"fmt"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/disk"
	"github.com/rules-firmware/rules_firmware/tools/fip"
	"github.com/rules-firmware/rules_firmware/tools/input"
)

// buildFip packs the named components with tools/fip as fiptool create
// would. Each option names a TF-A image type (fiptool's flag names, as in
// genimage); tos-fw's second and third files are tos-fw-extra1/2.
func buildFip(b *build, img disk.GenimageSection, out string) error {
	if err := checkImageOptions(img, "size"); err != nil {
		return err
	}
	var images []fip.Image
	var fo fip.Options
	err := extraArgs(img, func(flag string, rest []string) (int, error) {
		if flag != "--align" {
			return 0, unknownFlag("fiptool", flag)
		}
		v, err := needArg(flag, rest)
		if err != nil {
			return 0, err
		}
		n, err := disk.ParseSize(v)
		if err != nil || !fip.ValidAlign(uint64(n)) {
			return 0, fmt.Errorf("--align %s: not a power of two", v)
		}
		fo.Align = uint64(n)
		return 1, nil
	})
	if err != nil {
		return err
	}
	for _, o := range img.TypeOptions {
		if o.Key == "extraargs" {
			continue
		}
		names := []string{o.Key}
		if o.Key == "tos-fw" {
			names = append(names, "tos-fw-extra1", "tos-fw-extra2")
		}
		if len(o.Values) > len(names) {
			return fmt.Errorf("line %d: option '%s' takes at most %d files", o.Line, o.Key, len(names))
		}
		for i, v := range o.Values {
			t, ok := fip.TypeByName(names[i])
			if !ok {
				return fmt.Errorf("line %d: '%s' is not a FIP image type", o.Line, o.Key)
			}
			data, err := input.ReadFile(b.input(v), fip.MaxPackageSize, "a FIP component")
			if err != nil {
				return fmt.Errorf("line %d: %s: %v", o.Line, o.Key, err)
			}
			images = append(images, fip.Image{UUID: t.UUID, Data: data})
		}
	}
	if len(images) == 0 {
		return fmt.Errorf("a fip image needs at least one component")
	}
	data, err := fip.Create(images, fo)
	if err != nil {
		return err
	}
	if size, err := imageSize(img); err != nil {
		return err
	} else if size != 0 && int64(len(data)) > size {
		return fmt.Errorf("the package is %d bytes, more than its size %d", len(data), size)
	}
	return writeFile(out, func(f *os.File) error { _, err := f.Write(data); return err })
}
