package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/rules-firmware/rules_firmware/tools/disk"
	"github.com/rules-firmware/rules_firmware/tools/genimage"
	"github.com/rules-firmware/rules_firmware/tools/gpt"
	"github.com/rules-firmware/rules_firmware/tools/input"
	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

func registerDiskFormats() {
	registerLister(lister{
		name:     "disk",
		priority: 20, // a disk's first partition may itself look like another format
		probe: func(f *os.File, size int64) bool {
			return disk.LooksLikeDisk(f, size)
		},
		list: func(f *os.File, size int64, args []string, stdout io.Writer) error {
			return listDisk(f, size, args, stdout)
		},
	})
	registerExtractor(extractor{
		name:     "disk",
		priority: 20,
		probe: func(f *os.File, size int64) bool {
			return disk.LooksLikeDisk(f, size)
		},
		extract: extractDiskPartitions,
	})
}

// extractDiskPartitions serves `fwtool extract -i DISK (-f OUT | -O DIR)
// NAME...`: partitions are named by GPT name (wildcards allowed) or
// number; under -O each goes to DIR/NAME (DIR/partN without a name).
func extractDiskPartitions(f *os.File, size int64, paths []string, out, outDir string, _ bool, _ io.Writer) error {
	info, err := disk.Inspect(f, size)
	if err != nil {
		return err
	}
	var picked []disk.Found
	for _, pat := range paths {
		n := 0
		for _, p := range info.Partitions {
			if matchesAny(p, []string{pat}) {
				picked = append(picked, p)
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("no partition named or numbered '%s'", pat)
		}
	}
	if out != "" {
		if len(picked) != 1 {
			return fmt.Errorf("'%s' matches %d partitions; -f takes exactly one", paths[0], len(picked))
		}
		return outfile.Write(out, outfile.FileMode, func(o *os.File) error { return disk.Extract(f, &picked[0], o) })
	}
	w := outfile.NewBatch()
	defer w.Abort()
	if err := w.MkdirAll(outDir); err != nil {
		return err
	}
	for i := range picked {
		// A partition label is free text, not a path: one that is not a
		// plain file name is written as partN.
		name := picked[i].Name
		if name == "" || strings.ContainsAny(name, "/\\\x00") || name == "." || name == ".." {
			name = fmt.Sprintf("part%d", picked[i].Number)
		}
		p := &picked[i]
		what := fmt.Sprintf("Partition %d ('%s')", p.Number, p.Name)
		if err := w.WriteIn(outDir, name, what, outfile.FileMode, func(o *os.File) error { return disk.Extract(f, p, o) }); err != nil {
			return err
		}
	}
	return w.Commit()
}

const diskUsage = `usage: fwtool disk --manifest MANIFEST.json --output IMAGE [--inputpath DIR]
       fwtool disk extract -i IMAGE -p NAME|NUMBER -f OUT

Assembles a disk image with genimage's hdimage semantics from a manifest
(version 1, see tools/disk/manifest.go), or extracts one partition of a
disk image. Holes in the inputs stay holes in the output.
`

func runDisk(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "extract" {
		return runDiskExtract(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("disk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	manifest := fs.String("manifest", "", "JSON manifest describing the image")
	output := fs.String("output", "", "image file to write")
	inputPath := fs.String("inputpath", "", "directory that relative partition image paths are resolved against")
	fs.Usage = func() { fmt.Fprint(stderr, diskUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(stdout, diskUsage)
			return 0
		}
		return 2
	}
	if *manifest == "" || *output == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "fwtool disk: --manifest and --output are required (see fwtool disk --help)")
		return 2
	}
	f, err := os.Open(*manifest)
	if err != nil {
		fmt.Fprintf(stderr, "fwtool disk: %v\n", err)
		return 1
	}
	m, err := disk.ReadManifest(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "fwtool disk: %s: %v\n", *manifest, err)
		return 1
	}
	if *inputPath != "" {
		for i := range m.Partitions {
			if p := m.Partitions[i].Image; p != "" && !filepath.IsAbs(p) {
				m.Partitions[i].Image = filepath.Join(*inputPath, p)
			}
		}
	}
	if err := outfile.Write(*output, outfile.FileMode, diskWriter(m)); err != nil {
		if m.Label != "" {
			// A rule's manifest: the disk_image's label says where.
			fmt.Fprintf(stderr, "fwtool disk: %v\n", m.InUserTerms(err))
		} else {
			fmt.Fprintf(stderr, "fwtool disk: %s: %v\n", *manifest, err)
		}
		return 1
	}
	return 0
}

// diskWriter returns the function that plans the disk of m and writes it.
func diskWriter(m *disk.Manifest) func(out *os.File) error {
	return func(out *os.File) error { return writeDisk(m, out) }
}

func writeDisk(m *disk.Manifest, out *os.File) error {
	l, err := disk.Plan(m, func(path string) (uint64, error) {
		st, err := os.Stat(path)
		if err != nil {
			return 0, unwrapPathErrorIn(err, path)
		}
		if !st.Mode().IsRegular() {
			return 0, fmt.Errorf("%s is not a regular file", path)
		}
		return uint64(st.Size()), nil
	})
	if err != nil {
		return err
	}
	return disk.Write(l, out, os.Open)
}

func unwrapPathErrorIn(err error, path string) error {
	if pe, ok := err.(*os.PathError); ok {
		return fmt.Errorf("%s: %v", path, pe.Err)
	}
	return err
}

// genimageUsage is built when asked for (it joins genimage.Types()).
func genimageUsage() string {
	return `usage: fwtool genimage --config FILE [--inputpath DIR] [--outputpath DIR] [--rootpath DIR] [--includepath DIRS] [--seed LABEL]

Builds every image of a genimage config as genimage would, but without
host tools and deterministically: GUIDs not given in the config and FAT
volume IDs are derived from --seed (default: the image name), timestamps
are SOURCE_DATE_EPOCH (else 0). Image types: ` + strings.Join(genimage.Types(), ", ") + `;
any other type, exec-pre/exec-post and extraargs flags fwtool does not
implement are errors. include("f")
searches --includepath (colon-separated) and then the working directory;
${VAR} and ${VAR:-default} read the environment. Paths not given as flags
come from the config section, else genimage's defaults.
`
}

func runGenimage(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("genimage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "genimage.cfg", "genimage config file")
	var o genimage.Options
	fs.StringVar(&o.InputPath, "inputpath", "", "directory of the input files (default: config section, else input)")
	fs.StringVar(&o.OutputPath, "outputpath", "", "directory the images are written to (default: config section, else images)")
	fs.StringVar(&o.RootPath, "rootpath", "", "root of filesystem contents (default: config section, else root)")
	fs.StringVar(&o.TmpPath, "tmppath", "", "directory for intermediate images, left as found (default: config section, else the system temporary directory)")
	fs.StringVar(&o.Seed, "seed", "", "seed of derived GUIDs and volume IDs (the build target's label)")
	includePath := fs.String("includepath", "", "colon-separated directories searched by include()")
	fs.Usage = func() { fmt.Fprint(stderr, genimageUsage()); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(stdout, genimageUsage())
			return 0
		}
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "fwtool genimage: %s: %v\n", *config, err)
		return 1
	}
	src, err := input.ReadFile(*config, maxGenimageConfig, "a genimage config")
	if err != nil {
		fmt.Fprintf(stderr, "fwtool genimage: %v\n", err)
		return 1
	}
	cfg, err := disk.ParseGenimage(string(src), disk.GenimageSource{
		LookupEnv: os.LookupEnv,
		Include:   genimageInclude(*includePath),
	})
	if err != nil {
		return fail(err)
	}
	sec, err := fsModTime("")
	if err != nil {
		return fail(err)
	}
	o.ModTime = uint32(sec)
	// All images or none: they are staged and renamed into place last.
	w := outfile.NewBatch()
	defer w.Abort()
	if err := genimage.Build(cfg, o, w); err != nil {
		return fail(err)
	}
	if err := w.Commit(); err != nil {
		fmt.Fprintf(stderr, "fwtool genimage: %v\n", err)
		return 1
	}
	return 0
}

// maxGenimageConfig bounds a config and each file it includes.
const maxGenimageConfig = 16 << 20

// genimageInclude finds an include()d file in the colon-separated
// directories of includePath, then the working directory, as genimage.
func genimageInclude(includePath string) func(string) (string, string, error) {
	return func(name string) (string, string, error) {
		var dirs []string
		if includePath != "" {
			dirs = strings.Split(includePath, ":")
		}
		dirs = append(dirs, "")
		for _, d := range dirs {
			p := name
			if d != "" && !filepath.IsAbs(name) {
				p = filepath.Join(d, name)
			}
			if _, err := os.Stat(p); os.IsNotExist(err) {
				continue
			}
			b, err := input.ReadFile(p, maxGenimageConfig, "a genimage config")
			if err != nil {
				return "", "", err
			}
			return p, string(b), nil
		}
		return "", "", fmt.Errorf("not found in the include path or the working directory")
	}
}

const extractUsage = `usage: fwtool disk extract -i IMAGE -p NAME|NUMBER -f OUT
Writes partition NAME (GPT name) or NUMBER (as Linux numbers it) of IMAGE to OUT.
`

func runDiskExtract(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("disk extract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	image := fs.String("i", "", "disk image")
	part := fs.String("p", "", "partition name or number")
	out := fs.String("f", "", "output file")
	fs.Usage = func() { fmt.Fprint(stderr, extractUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprint(stdout, extractUsage)
			return 0
		}
		return 2
	}
	if *image == "" || *part == "" || *out == "" {
		fmt.Fprintln(stderr, "fwtool disk extract: -i, -p and -f are required")
		return 2
	}
	if err := extractPartition(*image, *part, *out); err != nil {
		fmt.Fprintf(stderr, "fwtool disk extract: %s: %v\n", *image, err)
		return 1
	}
	return 0
}

func extractPartition(image, part, out string) error {
	f, err := os.Open(image)
	if err != nil {
		return unwrapPathErrorIn(err, image)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	info, err := disk.Inspect(f, st.Size())
	if err != nil {
		return err
	}
	p, err := info.Lookup(part)
	if err != nil {
		return err
	}
	return outfile.Write(out, outfile.FileMode, func(o *os.File) error { return disk.Extract(f, p, o) })
}

func listDisk(f *os.File, size int64, args []string, stdout io.Writer) error {
	info, err := disk.Inspect(f, size)
	if err != nil {
		return err
	}
	switch info.Table {
	case disk.TableMBR:
		fmt.Fprintf(stdout, "Disk image: MBR, %d bytes, disk signature 0x%08x\n", size, info.DiskSignature)
	default:
		fmt.Fprintf(stdout, "Disk image: %s, %d bytes, disk GUID %s\n", strings.ToUpper(info.Table.String()), size, info.DiskGUID)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tName\tStart\tSize\tType\tFlags\tGUID")
	for _, p := range info.Partitions {
		if !matchesAny(p, args) {
			continue
		}
		fmt.Fprintf(tw, "%d\t%s\t0x%x\t0x%x\t%s\t%s\t%s\n", p.Number, p.Name, p.Start, p.Size, p.Type, partFlags(p), p.GUID)
	}
	return tw.Flush()
}

func matchesAny(p disk.Found, patterns []string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, pat := range patterns {
		if ok, _ := filepath.Match(pat, p.Name); ok || pat == fmt.Sprint(p.Number) {
			return true
		}
	}
	return false
}

func partFlags(p disk.Found) string {
	var fl []string
	if p.Bootable {
		fl = append(fl, "boot")
	}
	for _, a := range []struct {
		bit  uint64
		name string
	}{{gpt.AttrRequired, "required"}, {gpt.AttrLegacyBIOSBootable, "legacy-bios-bootable"},
		{gpt.AttrReadOnly, "read-only"}, {gpt.AttrHidden, "hidden"}, {gpt.AttrNoAutomount, "no-automount"}} {
		if p.Attributes&a.bit != 0 {
			fl = append(fl, a.name)
		}
	}
	if len(fl) == 0 {
		return "-"
	}
	return strings.Join(fl, ",")
}
