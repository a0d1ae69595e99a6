package genimage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/disk"
	"github.com/rules-firmware/rules_firmware/tools/dts"
	"github.com/rules-firmware/rules_firmware/tools/fdt"
	"github.com/rules-firmware/rules_firmware/tools/fit"
	"github.com/rules-firmware/rules_firmware/tools/input"
)

// maxITS bounds the its text (its data comes through /incbin/).
const maxITS = 16 << 20

// buildFIT does what genimage's FIT type does with mkimage: the its file,
// followed by one `/ { images { NAME { data = /incbin/(FILE); }; }; };`
// per partition (NAME's data comes from the partition's image), compiled
// and processed with mkimage -r. The its, like the partition images, is
// an image name: the input path's file unless the config builds it (every key-name-hint needs its key in
// keydir). The its is compiled from the scratch directory, as genimage
// compiles its copy in tmppath.
func buildFIT(b *build, img disk.GenimageSection, out string) error {
	if err := checkImageOptions(img); err != nil {
		return err
	}
	opts, err := typeOptions(img, "its", "keydir")
	if err != nil {
		return err
	}
	if err := extraArgs(img, func(flag string, _ []string) (int, error) { return 0, unknownFlag("mkimage", flag) }); err != nil {
		return err
	}
	itsOpt, ok := opts["its"]
	if !ok || itsOpt.Value() == "" {
		return fmt.Errorf("a FIT image needs its = \"FILE.its\"")
	}
	src, err := input.ReadFile(b.input(itsOpt.Value()), maxITS, "an its source")
	if err != nil {
		return fmt.Errorf("line %d: its: %v", itsOpt.Line, err)
	}
	var text strings.Builder
	text.Write(src)
	for _, p := range img.Partitions {
		image := ""
		for _, o := range p.Options {
			if o.Key != "image" {
				return fmt.Errorf("line %d: partition '%s': option '%s' is not supported in a FIT image", o.Line, p.Title, o.Key)
			}
			image = o.Value()
		}
		if image == "" {
			return fmt.Errorf("line %d: partition '%s' has no image", p.Line, p.Title)
		}
		data, err := filepath.Abs(b.input(image))
		if err != nil {
			return err
		}
		fmt.Fprintf(&text, "\n/ { images { %s { data = /incbin/(%q); };};};\n", p.Title, data)
	}
	its := out + ".its"
	if err := os.WriteFile(its, []byte(text.String()), 0o644); err != nil {
		return err
	}
	tree, err := dts.CompileFile(its, dts.Options{})
	if err != nil {
		return fmt.Errorf("its %s: %v", itsOpt.Value(), err)
	}
	compiled, err := tree.Encode(fdt.EncodeOptions{Spare: fit.Headroom})
	if err != nil {
		return err
	}
	fo := fit.Options{Timestamp: b.opts.ModTime, RequireKeys: true}
	if o, ok := opts["keydir"]; ok && o.Value() != "" {
		if !filepath.IsAbs(o.Value()) {
			return fmt.Errorf("line %d: keydir %q must be an absolute path (as in genimage)", o.Line, o.Value())
		}
		fo.Keys = fit.KeyDir{Dir: o.Value()}
	}
	res, err := fit.ProcessBuffer(compiled, fo)
	if err != nil {
		return fmt.Errorf("its %s: %v", itsOpt.Value(), err)
	}
	return writeFile(out, func(f *os.File) error { _, err := f.Write(res.FIT); return err })
}
