package ppcwrap

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/compress"
	"github.com/rules-firmware/rules_firmware/tools/ppclink"
	"github.com/rules-firmware/rules_firmware/tools/uimage"
)

// Objects are the wrapper objects of a kernel build (arch/powerpc/boot):
// file name ("crt0.o", "wrapper.a", "empty.o", "simpleboot.o", ...) to
// contents. Only the ones a platform links are needed.
type Objects map[string][]byte

// ReadObjects reads the named files of dir. zImage.lds is not needed: the
// linker has the script's layout built in.
func ReadObjects(dir string, names []string) (Objects, error) {
	objs := Objects{}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, fmt.Errorf("wrapper object '%s': %v", n, err)
		}
		objs[n] = b
	}
	return objs, nil
}

// Needed lists the object files a platform links: its own, the payload
// carrier empty.o and wrapper.a (nothing for a plain uImage).
func (p Platform) Needed() []string {
	if p.Kind == KindUImage {
		return nil
	}
	return append(append([]string{}, p.Objects...), "empty.o", "wrapper.a")
}

// Options are the wrapper's command-line choices.
type Options struct {
	Platform string
	// Compression of the kernel inside the wrapper: "gz" (default) or
	// "none" (the wrapper's -Z). cuboot-* ignores it, as the wrapper does.
	Compression string
	// Time is the uImage timestamp (mkimage uses SOURCE_DATE_EPOCH).
	Time uint32
	// MkTreeBigEndianSum computes the treeImage checksum over big-endian
	// words (see MkTree); the default matches mktree built on x86.
	MkTreeBigEndianSum bool
}

// Inputs are the files the wrapper reads besides its objects.
type Inputs struct {
	Vmlinux []byte
	Initrd  []byte // nil: none
	DTB     []byte // nil: none
}

// Result is what the wrapper leaves behind.
type Result struct {
	Platform Platform
	// Image is the wrapper's output file (-o).
	Image []byte
	// ELF is the linked executable (the wrapper's OUTPUT.elf where Image is
	// derived from it); nil for a plain uImage.
	ELF []byte
	// LinkAddress is the -Ttext used; Start the _start symbol; Entry the ELF
	// entry point.
	LinkAddress, Start, Entry uint32
	// Version is the "Linux version" found in vmlinux, "" if none.
	Version string
	// Kernel is the kernel as placed in the wrapper (stripped, maybe
	// compressed); for a plain uImage its payload.
	Kernel []byte
}

// Wrap builds the image for opts.Platform from vmlinux (and optional initrd
// and DTB) and the wrapper objects.
func Wrap(in Inputs, objs Objects, opts Options) (*Result, error) {
	p, err := Lookup(opts.Platform)
	if err != nil {
		return nil, err
	}
	comp := opts.Compression
	switch comp {
	case "", "gz", "gzip":
		comp = "gz"
	case "none":
	default:
		return nil, fmt.Errorf("compression '%s': the wrapper takes gz or none here", opts.Compression)
	}
	if p.KernelUncompressed {
		comp = "none"
	}
	res := &Result{Platform: p, Version: KernelVersion(in.Vmlinux)}
	if p.Kind == KindUImage {
		return res, wrapUImage(in, comp, opts, res)
	}
	stripped, err := StripAll("vmlinux", in.Vmlinux)
	if err != nil {
		return nil, err
	}
	res.Kernel = stripped
	if comp == "gz" {
		if res.Kernel, err = gzip9(stripped); err != nil {
			return nil, fmt.Errorf("vmlinux: gzip: %v", err)
		}
	}
	res.LinkAddress = p.EffectiveLinkAddress(uint64(len(stripped)))
	out, err := link(p, objs, in, res.Kernel, res.LinkAddress)
	if err != nil {
		return nil, err
	}
	start, ok := out.Symbol("_start")
	if !ok {
		return nil, fmt.Errorf("platform '%s': the link defines no _start", p.Name)
	}
	res.ELF, res.Start, res.Entry = out.ELF(), start, out.Entry
	return res, finish(p, out, opts, res)
}

// link links the platform objects, empty.o carrying the kernel, initrd
// and DTB sections (as the wrapper's objcopy --add-section does), and
// wrapper.a, in the wrapper's order.
func link(p Platform, objs Objects, in Inputs, kernel []byte, addr uint32) (*ppclink.Output, error) {
	var inputs []ppclink.Input
	for _, n := range p.Needed() {
		if objs[n] == nil {
			return nil, fmt.Errorf("platform '%s': wrapper object '%s' not given", p.Name, n)
		}
	}
	for _, n := range p.Objects {
		inputs = append(inputs, ppclink.Input{Name: n, Data: objs[n]})
	}
	carrier := ppclink.Input{Name: "empty.o", Data: objs["empty.o"]}.WithSection(".kernel:vmlinux.strip", kernel)
	if in.Initrd != nil {
		carrier = carrier.WithSection(".kernel:initrd", in.Initrd)
	}
	if in.DTB != nil {
		carrier = carrier.WithSection(".kernel:dtb", in.DTB)
	}
	inputs = append(inputs, carrier, ppclink.Input{Name: "wrapper.a", Data: objs["wrapper.a"]})
	out, err := ppclink.Link(inputs, ppclink.Options{TextAddr: addr, PIE: p.PIE})
	if err != nil {
		return nil, fmt.Errorf("platform '%s': %v", p.Name, err)
	}
	return out, nil
}

// finish turns the linked ELF into the platform's output.
func finish(p Platform, out *ppclink.Output, opts Options, res *Result) error {
	var err error
	switch p.Kind {
	case KindELF:
		res.Image = res.ELF
	case KindELFNotes:
		res.Image, err = AddNote(p.Name+" image", res.ELF)
	case KindBinary:
		res.Image = out.Binary()
	case KindCUImage:
		var gz []byte
		if gz, err = gzip9(out.Binary()); err != nil {
			return fmt.Errorf("platform '%s': gzip: %v", p.Name, err)
		}
		res.Image, err = legacyImage(gz, res.Start, res.Entry, res.Version, opts.Time)
	case KindTreeImage:
		res.Image, err = MkTree(p.Name+" image", res.ELF, res.Start, res.Entry, !opts.MkTreeBigEndianSum)
	default:
		err = fmt.Errorf("platform '%s': unknown output kind %q", p.Name, p.Kind)
	}
	return err
}

// wrapUImage is the wrapper's "uboot" platform: vmlinux's loadable bytes,
// compressed, in a uImage loading and starting at the first segment's
// physical address.
func wrapUImage(in Inputs, comp string, opts Options, res *Result) error {
	bin, membase, err := LoadBinary("vmlinux", in.Vmlinux)
	if err != nil {
		return err
	}
	h := uimage.Header{Time: opts.Time, Load: membase, Entry: membase, OS: 5, Arch: 7, Type: 2, Comp: 0}
	res.Kernel = bin
	if comp == "gz" {
		if res.Kernel, err = gzip9(bin); err != nil {
			return fmt.Errorf("vmlinux: gzip: %v", err)
		}
		h.Comp = 1
	}
	if res.Version != "" {
		h.Name, _ = uimage.TruncateName("Linux-" + res.Version)
	}
	res.Start, res.Entry = membase, membase
	res.Image, err = uimage.Build(h, res.Kernel)
	return err
}

// legacyImage is `mkimage -A ppc -O linux -T kernel -C gzip -a LOAD -e
// ENTRY [-n Linux-VERSION]` of a gzipped payload.
func legacyImage(gz []byte, load, entry uint32, version string, t uint32) ([]byte, error) {
	h := uimage.Header{Time: t, Load: load, Entry: entry, OS: 5, Arch: 7, Type: 2, Comp: 1}
	if version != "" {
		h.Name, _ = uimage.TruncateName("Linux-" + version)
	}
	return uimage.Build(h, gz)
}

// OutputKinds names each Kind for humans (fwtool ls, rule docs).
func (k Kind) String() string {
	switch k {
	case KindELF:
		return "ELF zImage"
	case KindELFNotes:
		return "ELF zImage with CHRP/RPA notes"
	case KindBinary:
		return "raw binary (simpleImage/dtbImage)"
	case KindCUImage:
		return "cuImage (gzipped wrapper in a legacy uImage)"
	case KindTreeImage:
		return "treeImage (OpenBIOS boot block)"
	case KindUImage:
		return "uImage"
	}
	return strings.ToLower(string(k))
}

// gzip9 compresses as the wrapper's `gzip -n -f -9` does, byte for byte.
func gzip9(data []byte) ([]byte, error) {
	return compress.GNUGzip(data, 9)
}
