package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/binsym"
	"github.com/rules-firmware/rules_firmware/tools/layout"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// importBinmanDTB turns the binman node of a compiled U-Boot DTB into one
// manifest per image, resolving blob file names in the input directories.
// It is the binman-description importer (cmd_binman.go); the AfterPack
// hook it returns (may be nil) patches binman symbols. Files it makes for
// the build (the description's own device tree) go to tempDir; files
// binman writes next to its images go to sideFile; outDir is -O as given
// (binman hands mkimage file names in it).
var importBinmanDTB func(dtb []byte, inputDirs []string, updateFDT bool, entryArgs map[string]string, tempDir, outDir string, sideFile func(name string, data []byte) error) ([]*layout.Manifest, func(*layout.Image) error, error) = binmanImport

const buildUsageText = `usage: fwtool build --manifest M.json --output IMAGE [--map IMAGE.map] [--svg IMAGE.svg] [-M]
       fwtool build -d u-boot.dtb [-I DIR]... [-O OUTDIR] [-a NAME=VALUE]... [-m] [-u] [-M]
Packs the entries described by a layout manifest (see tools/layout/MANIFEST.md)
into IMAGE, optionally writing binman's .map file and an SVG picture of the
layout. The second form builds every image of a binman description; outputs
are named as binman names them (image.bin / <node>.bin, image.map) in OUTDIR,
which is created if missing. -a gives binman's entry arguments (text-label...).
`

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func runBuild(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	manifestPath := fs.String("manifest", "", "layout manifest (JSON, version 1)")
	output := fs.String("output", "", "image file to write")
	mapPath := fs.String("map", "", "binman .map file to write")
	svgPath := fs.String("svg", "", "SVG picture of the layout to write")
	allowMissing := fs.Bool("M", false, "allow missing external blobs (zero contents plus a warning)")
	fs.BoolVar(allowMissing, "allow-missing", false, "same as -M")
	dtb := fs.String("d", "", "binman description: compiled DTB with a /binman node")
	fs.StringVar(dtb, "binman-dtb", "", "same as -d")
	var inputDirs multiFlag
	fs.Var(&inputDirs, "I", "input directory for blobs named by a binman description (repeatable)")
	var entryArgs multiFlag
	fs.Var(&entryArgs, "a", "binman entry argument NAME=VALUE for a binman description (repeatable)")
	outDir := fs.String("O", ".", "output directory for a binman description's images")
	writeMap := fs.Bool("m", false, "write <image>.map for each image of a binman description")
	update := fs.Bool("u", false, "record offsets and sizes in the fdtmap (binman -u)")
	fs.Usage = func() { fmt.Fprint(stderr, buildUsageText); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(stdout, buildUsageText)
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "fwtool build: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *dtb != "" {
		args := map[string]string{}
		for _, a := range entryArgs {
			kv := strings.SplitN(a, "=", 2)
			if len(kv) != 2 || kv[0] == "" {
				fmt.Fprintf(stderr, "fwtool build: -a %q: expected NAME=VALUE\n", a)
				return 2
			}
			args[kv[0]] = kv[1]
		}
		return buildFromDTB(*dtb, inputDirs, args, *outDir, *writeMap, *update, *allowMissing, stderr)
	}
	if len(entryArgs) > 0 {
		fmt.Fprintln(stderr, "fwtool build: -a entry arguments need a binman description (-d)")
		return 2
	}
	if *manifestPath == "" || *output == "" {
		fmt.Fprintln(stderr, "fwtool build: --manifest and --output are required")
		return 2
	}
	data, err := os.ReadFile(*manifestPath)
	if err != nil {
		fmt.Fprintf(stderr, "fwtool build: %v\n", err)
		return 1
	}
	m, err := layout.ParseManifest(data)
	if err != nil {
		fmt.Fprintf(stderr, "fwtool build: %s: %v\n", *manifestPath, err)
		return 1
	}
	// Entries whose node carries "symbols" get binman_sym patching.
	opts := layout.Options{AllowMissing: *allowMissing, AfterPack: binsym.ManifestPatcher(stderr), Timestamp: sourceDateEpoch()}
	// The image, map and picture go into place together or not at all.
	w := outfile.NewBatch()
	defer w.Abort()
	_, err = buildOne(w, m, opts, *output, *mapPath, *svgPath, stderr)
	if err == nil {
		err = w.Commit()
	}
	if err != nil {
		fmt.Fprintf(stderr, "fwtool build: %v\n", m.InUserTerms(err))
		return 1
	}
	return 0
}

func buildOne(w *outfile.Batch, m *layout.Manifest, opts layout.Options, output, mapPath, svgPath string, stderr io.Writer) (*layout.Image, error) {
	// The image is built into its output file, so blobs can be copied
	// there while a compressed section is still packing.
	var img *layout.Image
	err := w.Write(output, outfile.FileMode, func(f *os.File) error {
		opts.Output = f
		var err error
		if img, err = layout.Build(m, opts); err != nil {
			return err
		}
		return img.WriteFile(f, output)
	})
	if img != nil {
		for _, warning := range img.Warnings {
			fmt.Fprintln(stderr, warning)
		}
	}
	if err != nil {
		return nil, err
	}
	if mapPath != "" {
		if err := w.WriteBytes(mapPath, []byte(img.Map())); err != nil {
			return nil, err
		}
	}
	if svgPath != "" {
		if err := w.WriteBytes(svgPath, []byte(img.SVG())); err != nil {
			return nil, err
		}
	}
	return img, nil
}

func buildFromDTB(dtbPath string, inputDirs []string, entryArgs map[string]string, outDir string, writeMap, update, allowMissing bool, stderr io.Writer) int {
	if importBinmanDTB == nil {
		fmt.Fprintln(stderr, "fwtool build: -d: reading binman descriptions is not built into this fwtool")
		return 1
	}
	data, err := os.ReadFile(dtbPath)
	if err != nil {
		fmt.Fprintf(stderr, "fwtool build: %v\n", err)
		return 1
	}
	// The description's device tree, as binman changes it, lives only
	// as long as the build (and goes on a signal too).
	tempDir, removeTemp, err := outfile.TempDir("", "fwtool-build-*")
	if err != nil {
		fmt.Fprintf(stderr, "fwtool build: %v\n", err)
		return 1
	}
	defer removeTemp()
	// binman creates its output directory. Every image, map and side file
	// goes into place together, or none.
	w := outfile.NewBatch()
	defer w.Abort()
	if err := w.MkdirAll(outDir); err != nil {
		fmt.Fprintf(stderr, "fwtool build: -O %s: %v\n", outDir, err)
		return 1
	}
	sideFile := func(name string, data []byte) error {
		return w.WriteBytesIn(outDir, name, "binman output", data)
	}
	manifests, afterPack, err := importBinmanDTB(data, inputDirs, update, entryArgs, tempDir, outDir, sideFile)
	if nf, ok := err.(interface{ InFile(string) error }); ok {
		// The message names the device tree itself, as binman's does.
		fmt.Fprintf(stderr, "fwtool build: %v\n", nf.InFile(dtbPath))
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "fwtool build: %s: %v\n", dtbPath, err)
		return 1
	}
	if err := buildImages(w, manifests, afterPack, outDir, writeMap, allowMissing, stderr); err != nil {
		fmt.Fprintf(stderr, "fwtool build: %v\n", err)
		return 1
	}
	if err := w.Commit(); err != nil {
		fmt.Fprintf(stderr, "fwtool build: %v\n", err)
		return 1
	}
	if err := binmanSymlinks(manifests, outDir); err != nil {
		fmt.Fprintf(stderr, "fwtool build: %v\n", err)
		return 1
	}
	return 0
}

// buildImages stages each image of a binman description, named by its
// filename property or node name, below outDir.
func buildImages(w *outfile.Batch, manifests []*layout.Manifest, afterPack func(*layout.Image) error, outDir string, writeMap, allowMissing bool, stderr io.Writer) error {
	for _, m := range manifests {
		name := m.Image.Name
		file := m.Image.Filename
		if file == "" {
			file = name + ".bin"
		}
		what := fmt.Sprintf("Image '%s'", name)
		imagePath, err := outfile.Join(outDir, file, what)
		if err != nil {
			return err
		}
		mapPath := ""
		if writeMap {
			if mapPath, err = outfile.Join(outDir, name+".map", what); err != nil {
				return err
			}
		}
		for _, p := range []string{imagePath, mapPath} {
			if p != "" {
				if err := w.MkdirAll(filepath.Dir(p)); err != nil {
					return fmt.Errorf("%s: %v", what, err)
				}
			}
		}
		opts := layout.Options{AllowMissing: allowMissing, AfterPack: afterPack, Timestamp: sourceDateEpoch()}
		img, err := buildOne(w, m, opts, imagePath, mapPath, "", stderr)
		if err != nil {
			return err
		}
		// binman also writes each section that names a file to that file.
		files, err := img.SectionFiles()
		if err != nil {
			return err
		}
		for _, f := range files {
			if err := w.WriteBytesIn(outDir, f.Name, what, f.Data); err != nil {
				return err
			}
		}
	}
	return nil
}

// sourceDateEpoch is the time mkimage would write into FIT and uImage
// headers: SOURCE_DATE_EPOCH when set (parsed as mkimage parses it), else
// 0 where mkimage would read the clock.
func sourceDateEpoch() uint32 {
	if v, ok := os.LookupEnv("SOURCE_DATE_EPOCH"); ok {
		return parseSourceDateEpoch(v)
	}
	return 0
}
