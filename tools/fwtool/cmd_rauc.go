package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/outfile"
	"github.com/rules-firmware/rules_firmware/tools/rauc"
)

// RAUC update bundles (tools/rauc).

const raucUsage = `usage: fwtool rauc bundle -o OUT --compatible C --cert PEM --key PEM [flags] --image SLOT=FILE[:NAME]...

  --format plain|verity  bundle format (default verity)
  --version V            [update] version
  --description D        [update] description
  --build B              [update] build
  --label L              prefix for error messages (rules pass their target)
The signing certificate file may hold intermediates after the signer.`

type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(s string) error { *r = append(*r, s); return nil }

func runRauc(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "bundle" {
		fmt.Fprintln(stderr, raucUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return 0
		}
		return 2
	}
	fs := flag.NewFlagSet("rauc bundle", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, raucUsage) }
	out := fs.String("o", "", "output bundle")
	label := fs.String("label", "", "error prefix")
	o := rauc.Options{}
	fs.StringVar(&o.Compatible, "compatible", "", "compatible")
	fs.StringVar(&o.Version, "version", "", "version")
	fs.StringVar(&o.Description, "description", "", "description")
	fs.StringVar(&o.Build, "build", "", "build")
	fs.StringVar(&o.Format, "format", "verity", "format")
	cert := fs.String("cert", "", "certificate PEM")
	key := fs.String("key", "", "private key PEM")
	var images repeated
	fs.Var(&images, "image", "SLOT=FILE[:NAME]")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if err := raucBundle(*out, *cert, *key, images, o); err != nil {
		prefix := ""
		if *label != "" {
			prefix = *label + ": "
		}
		fmt.Fprintf(stderr, "fwtool rauc: %s%v\n", prefix, err)
		return 1
	}
	return 0
}

func raucBundle(out, cert, key string, images []string, o rauc.Options) error {
	if out == "" || fs0(cert) || fs0(key) {
		return errors.New("-o, --cert and --key are required")
	}
	for _, spec := range images {
		slot, file, ok := strings.Cut(spec, "=")
		if !ok || slot == "" || file == "" {
			return fmt.Errorf("--image %q: not SLOT=FILE[:NAME]", spec)
		}
		name := ""
		if i := strings.LastIndex(file, ":"); i >= 0 {
			file, name = file[:i], file[i+1:]
		}
		o.Images = append(o.Images, rauc.Image{Slot: slot, Source: file, Name: name})
	}
	var err error
	if o.Cert, o.Chain, o.Key, err = rauc.LoadCertAndKey(cert, key); err != nil {
		return err
	}
	o.TempDir = filepath.Dir(out)
	return outfile.Write(out, outfile.FileMode, func(f *os.File) error {
		if err := rauc.Build(f, o); err != nil {
			return fmt.Errorf("%s: %v", out, err)
		}
		return nil
	})
}

func fs0(s string) bool { return s == "" }
