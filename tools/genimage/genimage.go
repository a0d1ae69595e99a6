// Package genimage builds the images of a genimage config with the
// project's own writers: hdimage (tools/disk), vfat, squashfs, cpio, fip,
// fit, android-sparse, tar, flash and rauc (tools/rauc), one file each.
// Images are built in dependency order (an hdimage after the images its
// partitions hold), all into a private scratch directory, and only then
// staged into the caller's batch, so a failure leaves no output. Every
// other image type, and every option that would run a host tool, is an
// error naming the image: nothing is skipped.
package genimage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/disk"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// Options are genimage's paths (command-line values; "" takes the
// config section's value, then genimage's default) and the seed of
// derived GUIDs and volume IDs.
type Options struct {
	InputPath, OutputPath, RootPath, TmpPath string
	Seed                                     string
	// ModTime stamps filesystem entries (seconds since 1970).
	ModTime uint32
}

// builder writes one image type to path; in resolves image names.
type builder func(b *build, img disk.GenimageSection, path string) error

// builders are the image types Build writes, sorted by name (byte order),
// each with its writer: static data rather than a map filled at start-up
// (fwtool runs every package's initialisation for every command).
// genimage registers the FIT type as "fit"; its manual writes FIT.
var builders = []struct {
	name  string
	build builder
}{
	{"FIT", buildFIT},
	{"android-sparse", buildAndroidSparse},
	{"cpio", buildCpio},
	{"ext2", buildExt},
	{"ext3", buildExt},
	{"ext4", buildExt},
	{"fip", buildFip},
	{"fit", buildFIT},
	{"flash", buildFlash},
	{"hdimage", buildHDImage},
	{"rauc", buildRauc},
	{"squashfs", buildSquashfs},
	{"tar", buildTar},
	{"vfat", buildVfat},
}

// builderFor is the writer of image type t, nil if there is none.
func builderFor(t string) builder {
	for _, b := range builders {
		if b.name == t {
			return b.build
		}
	}
	return nil
}

// Types lists the image types Build writes, sorted.
func Types() []string {
	var out []string
	for _, b := range builders {
		if b.name != "FIT" { // the manual's spelling of "fit"
			out = append(out, b.name)
		}
	}
	return out
}

type build struct {
	cfg   *disk.GenimageConfig
	opts  Options
	built map[string]string // image name -> scratch file
	// seeded are the GUIDs genimage draws from the config's randomseed
	// (nil without one: GUIDs derive from Options.Seed).
	seeded map[string]seededGUIDs
}

// Build builds every image of cfg and stages the non-temporary ones into
// w below the output path, under their names.
func Build(cfg *disk.GenimageConfig, opts Options, w *outfile.Batch) error {
	tmp := opts.TmpPath
	if tmp == "" {
		tmp = cfg.Settings["tmppath"]
	}
	opts = resolvePaths(cfg, opts)
	order, err := buildOrder(cfg)
	if err != nil {
		return err
	}
	scratch, cleanup, err := scratchDir(tmp)
	if err != nil {
		return err
	}
	// Removed on every return and, should the build be interrupted, on
	// the signal too.
	cancel := outfile.OnSignal(cleanup)
	defer func() { cleanup(); cancel() }()
	b := &build{cfg: cfg, opts: opts, built: map[string]string{}}
	if seed := cfg.Settings["randomseed"]; seed != "" {
		b.seeded = map[string]seededGUIDs{}
		cfg.RandomSignature = func(name string) (uint32, bool) {
			s, ok := b.seeded[name]
			return s.signature, ok && s.hasSignature
		}
		defer func() { cfg.RandomSignature = nil }()
		b.drawGUIDs(seed)
	}
	for i, img := range order {
		path := filepath.Join(scratch, fmt.Sprint(i))
		if err := builderFor(img.Type)(b, img, path); err != nil {
			return fmt.Errorf("image '%s' (line %d, %s): %v", img.Name, img.Line, img.Type, err)
		}
		b.built[img.Name] = path
	}
	for _, img := range cfg.Images {
		if img.Type == "file" && copied(img) && !temporary(img) {
			order = append(order, img)
		}
	}
	for _, img := range order {
		if temporary(img) {
			continue
		}
		src := b.input(img.Name)
		if abs, err := filepath.Abs(src); err == nil && img.Type == "file" {
			if out, err := filepath.Abs(filepath.Join(opts.OutputPath, img.Name)); err == nil && out == abs {
				continue // the input is already the output
			}
		}
		what := fmt.Sprintf("image '%s'", img.Name)
		err := w.WriteIn(opts.OutputPath, img.Name, what, outfile.FileMode, func(out *os.File) error {
			in, err := os.Open(src)
			if err != nil {
				return err
			}
			defer in.Close()
			return disk.CopyFile(out, in)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// scratchDir makes the directory intermediate images are written to:
// below the tmppath when one is given (flag or config section), else
// below the system's temporary directory. An absent tmppath is created
// and removed again, as genimage does; in an existing one fwtool works in
// a private subdirectory and removes only that, where genimage refuses a
// non-empty tmppath and empties it afterwards: another's files are never
// deleted.
func scratchDir(tmppath string) (string, func(), error) {
	created := ""
	if tmppath != "" {
		if _, err := os.Stat(tmppath); os.IsNotExist(err) {
			if err := os.MkdirAll(tmppath, 0o755); err != nil {
				return "", nil, fmt.Errorf("tmppath: %v", err)
			}
			created = tmppath
		}
	}
	d, err := os.MkdirTemp(tmppath, "fwtool-genimage-")
	if err != nil {
		if created != "" {
			os.RemoveAll(created)
		}
		return "", nil, fmt.Errorf("tmppath: %v", err)
	}
	return d, func() {
		os.RemoveAll(d)
		if created != "" {
			os.RemoveAll(created)
		}
	}, nil
}

// copied reports whether a declared file image is copied to the output
// path, as genimage does unless `copy = false`.
func copied(img disk.GenimageSection) bool {
	for _, o := range img.TypeOptions {
		if o.Key == "copy" {
			v, err := o.Bool()
			return err != nil || v
		}
	}
	return true
}

func resolvePaths(cfg *disk.GenimageConfig, o Options) Options {
	pick := func(flag *string, key, def string) {
		if *flag == "" {
			*flag = cfg.Settings[key]
		}
		if *flag == "" {
			*flag = def
		}
	}
	pick(&o.InputPath, "inputpath", "input")
	pick(&o.OutputPath, "outputpath", "images")
	pick(&o.RootPath, "rootpath", "root")
	pick(&o.TmpPath, "tmppath", "tmp")
	return o
}

func temporary(img disk.GenimageSection) bool {
	for _, o := range img.Options {
		if o.Key == "temporary" {
			v, _ := o.Bool()
			return v
		}
	}
	return false
}

// buildOrder checks every image's type and returns the images to build,
// each after the images it uses.
func buildOrder(cfg *disk.GenimageConfig) ([]disk.GenimageSection, error) {
	for _, img := range cfg.Images {
		if builderFor(img.Type) == nil && img.Type != "file" {
			return nil, fmt.Errorf("image '%s' (line %d): genimage image type '%s' is not supported (fwtool genimage writes %s; build it with its own rule and give the file)",
				img.Name, img.Line, img.Type, strings.Join(Types(), ", "))
		}
	}
	state := map[string]int{} // 1 visiting, 2 done
	var order []disk.GenimageSection
	var visit func(img disk.GenimageSection) error
	visit = func(img disk.GenimageSection) error {
		switch state[img.Name] {
		case 1:
			return fmt.Errorf("image '%s' (line %d) uses itself through its partitions or files", img.Name, img.Line)
		case 2:
			return nil
		}
		state[img.Name] = 1
		for _, dep := range uses(img) {
			if d, ok := cfg.Image(dep); ok && d.Type != "file" {
				if err := visit(d); err != nil {
					return err
				}
			}
		}
		state[img.Name] = 2
		order = append(order, img)
		return nil
	}
	for _, img := range cfg.Images {
		if img.Type == "file" {
			continue
		}
		if err := visit(img); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// uses lists the image names img reads: partition images, vfat files,
// fip components.
func uses(img disk.GenimageSection) []string {
	var out []string
	for _, p := range img.Partitions {
		for _, o := range p.Options {
			if o.Key == "image" {
				out = append(out, o.Value())
			}
		}
	}
	switch img.Type {
	case "vfat":
		for _, f := range vfatFiles(img) {
			out = append(out, f.image)
		}
	case "fit", "FIT", "android-sparse":
		for _, o := range img.TypeOptions {
			if o.Key == "its" || o.Key == "image" {
				out = append(out, o.Value())
			}
		}
	case "rauc":
		for _, o := range img.TypeOptions {
			switch o.Key {
			case "files", "cert", "key", "keyring", "intermediate":
				out = append(out, o.Values...)
			}
		}
		for _, s := range img.TypeSections {
			for _, o := range s.Options {
				if o.Key == "image" {
					out = append(out, o.Value())
				}
			}
		}
	case "fip":
		for _, o := range img.TypeOptions {
			if o.Key != "extraargs" {
				out = append(out, o.Values...)
			}
		}
	}
	return out
}

// input returns the file behind an image name: an image the config built,
// a `file` image's file, or the name below the input path.
func (b *build) input(name string) string {
	if p, ok := b.built[name]; ok {
		return p
	}
	if img, ok := b.cfg.Image(name); ok && img.Type == "file" {
		for _, o := range img.TypeOptions {
			if o.Key == "name" {
				name = o.Value()
			}
		}
	}
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(b.opts.InputPath, name)
}

// imageOption returns the image-level option key ("" when absent).
func imageOption(img disk.GenimageSection, key string) (disk.GenimageOption, bool) {
	for _, o := range img.Options {
		if o.Key == key {
			return o, true
		}
	}
	return disk.GenimageOption{}, false
}

// checkImageOptions refuses image-level options the type cannot honour.
func checkImageOptions(img disk.GenimageSection, allowed ...string) error {
	ok := map[string]bool{"name": true, "temporary": true}
	for _, a := range allowed {
		ok[a] = true
	}
	for _, o := range img.Options {
		if !ok[o.Key] {
			return fmt.Errorf("line %d: option '%s' is not supported for %s images", o.Line, o.Key, img.Type)
		}
	}
	return nil
}
