// Package ppcwrap builds the Linux PowerPC boot-wrapper images (zImage,
// cuImage, dtbImage, simpleImage, treeImage, uImage) the way the kernel's
// arch/powerpc/boot/wrapper script does, without binutils, gzip, mkimage or
// the host-built mktree/addnote: the wrapper objects a kernel build leaves
// in arch/powerpc/boot are linked with the stripped, compressed vmlinux by
// tools/ppclink, and the post-processing (raw binary, gzip + uImage, the
// OpenBIOS tree header, the CHRP/RPA notes) is done here.
//
// The platform table follows the wrapper's `case "$platform"` block (Linux
// 6.1): which objects are linked, at which address, and what the output is.
package ppcwrap

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rules-firmware/rules_firmware/tools/lazymap"
)

// Kind is what the wrapper makes of the linked ELF.
type Kind string

const (
	// KindELF: the linked ELF is the image (of, pmac, gamecube, ...).
	KindELF Kind = "elf"
	// KindELFNotes: the ELF with the CHRP/RPA PT_NOTE headers addnote adds
	// (chrp, pseries, maple).
	KindELFNotes Kind = "elf-notes"
	// KindBinary: `objcopy -O binary` of the ELF (simpleboot-*, fixed-head
	// boards); the ELF is kept beside it.
	KindBinary Kind = "binary"
	// KindCUImage: the raw binary gzipped in a legacy uImage with load
	// address _start and the ELF entry (cuboot-*).
	KindCUImage Kind = "cuimage"
	// KindTreeImage: the ELF behind an IBM OpenBIOS boot block (treeboot-*).
	KindTreeImage Kind = "treeimage"
	// KindUImage: no link at all: the kernel's own loadable bytes in a
	// legacy uImage at its physical load address (platform "uboot").
	KindUImage Kind = "uimage"
)

// DefaultLinkAddress is the wrapper's link address when a platform names
// none.
const DefaultLinkAddress = 0x400000

// Platform is one row of the wrapper's platform table.
type Platform struct {
	Name string
	// Objects are linked first, in this order, before the payload object and
	// wrapper.a (names of files in the wrapper object directory).
	Objects []string
	// LinkAddress is -Ttext.
	LinkAddress uint32
	// MakeSpace: raise LinkAddress to the next MiB above the stripped
	// vmlinux when the vmlinux would overlap the wrapper.
	MakeSpace bool
	Kind      Kind
	// KernelUncompressed: the kernel goes into the wrapper uncompressed
	// whatever compression was asked for (cuboot-*: the uImage is gzipped
	// as a whole instead).
	KernelUncompressed bool
	// PIE links position-independent (epapr: ld -pie --no-dynamic-linker
	// -z notext), so the image runs wherever the firmware loads it.
	PIE bool
}

// Platforms the wrapper knows but this package cannot build, and why.
var unsupported = &lazymap.Map[string, string]{New: func() map[string]string {
	return map[string]string{
		"coff":         "needs zImage.coff.lds and an aixcoff-rs6000 conversion (32-bit PowerMac COFF)",
		"miboot":       "miboot images are a bare objcopy of vmlinux with sections renamed",
		"ps3":          "needs zImage.ps3.lds and the system-reset overlay",
		"ep405":        "has no ep405.c in the kernel tree (the wrapper names an object that is never built)",
		"uboot-obs600": "is a multi-file uImage with a placeholder initrd; build it with the uimage rule",
	}
}}

// cubootObject maps a cuboot-<board> platform to its object the way the
// wrapper's nested case does (shell patterns, first match wins).
func cubootObject(platform string) (string, uint32) {
	board := strings.TrimPrefix(platform, "cuboot")
	match := func(pats ...string) bool {
		for _, p := range pats {
			if shellMatch(p, board) {
				return true
			}
		}
		return false
	}
	switch {
	case match("*-mpc866ads", "*-mpc885ads", "*-adder875*", "*-ep88xc"):
		return "cuboot-8xx.o", DefaultLinkAddress
	case match("*5200*", "*-motionpro"):
		return "cuboot-52xx.o", DefaultLinkAddress
	case match("*-pq2fads", "*-ep8248e", "*-mpc8272*", "*-storcenter"):
		return "cuboot-pq2.o", DefaultLinkAddress
	case match("*-mpc824*"):
		return "cuboot-824x.o", DefaultLinkAddress
	case match("*-mpc83*", "*-asp834x*"):
		return "cuboot-83xx.o", DefaultLinkAddress
	case match("*-tqm8541", "*-mpc8560*", "*-tqm8560", "*-tqm8555", "*-ksi8560*"):
		return "cuboot-85xx-cpm2.o", DefaultLinkAddress
	case match("*-mpc85*", "*-tqm85*"):
		return "cuboot-85xx.o", DefaultLinkAddress
	case match("*-amigaone"):
		return platform + ".o", 0x800000
	}
	return platform + ".o", DefaultLinkAddress
}

// Lookup returns the table row for platform (the wrapper's -p argument:
// "of", "cuboot-hotfoot", "simpleboot-virtex440-ml507", "treeboot-ebony", ...).
func Lookup(platform string) (Platform, error) {
	if platform == "" {
		return Platform{}, fmt.Errorf("platform: empty name")
	}
	if why, ok := unsupported.Get()[platform]; ok {
		return Platform{}, fmt.Errorf("platform '%s' %s", platform, why)
	}
	p := Platform{
		Name:        platform,
		Objects:     []string{platform + ".o"},
		LinkAddress: DefaultLinkAddress,
		MakeSpace:   true,
		Kind:        KindELF,
	}
	ofObjects := []string{"of.o", "epapr.o"}
	switch {
	case platform == "of" || platform == "pmac":
		p.Objects, p.MakeSpace = ofObjects, false
	case platform == "chrp" || platform == "maple":
		p.Objects, p.MakeSpace, p.Kind = ofObjects, false, KindELFNotes
	case platform == "pseries":
		p.Objects = []string{"pseries-head.o", "of.o", "epapr.o"}
		p.LinkAddress, p.MakeSpace, p.Kind = 0x4000000, false, KindELFNotes
	case platform == "uboot":
		p.Objects, p.Kind = nil, KindUImage
	case strings.HasPrefix(platform, "uboot"):
		return Platform{}, fmt.Errorf("platform '%s': the wrapper only builds 'uboot' and 'uboot-obs600' uImages", platform)
	case strings.HasPrefix(platform, "cuboot"):
		obj, addr := cubootObject(platform)
		p.Objects, p.LinkAddress = []string{obj}, addr
		p.Kind, p.KernelUncompressed = KindCUImage, true
	case platform == "ep88xc" || platform == "ep8248e":
		p.Objects, p.Kind = []string{"fixed-head.o", platform + ".o"}, KindBinary
	case platform == "adder875-redboot":
		p.Objects, p.Kind = []string{"fixed-head.o", "redboot-8xx.o"}, KindBinary
	case strings.HasPrefix(platform, "simpleboot-"):
		p.Objects, p.Kind = []string{"fixed-head.o", "simpleboot.o"}, KindBinary
	case platform == "asp834x-redboot":
		p.Objects, p.Kind = []string{"fixed-head.o", "redboot-83xx.o"}, KindBinary
	case strings.HasPrefix(platform, "xpedite52"):
		p.Objects, p.LinkAddress = []string{"cuboot-85xx.o"}, 0x1400000
	case platform == "gamecube" || platform == "wii":
		p.Objects, p.LinkAddress = []string{platform + "-head.o", platform + ".o"}, 0x600000
	case platform == "microwatt":
		p.Objects, p.LinkAddress, p.Kind = []string{"fixed-head.o", "microwatt.o"}, 0x500000, KindBinary
	case platform == "treeboot-currituck" || platform == "treeboot-akebono":
		p.LinkAddress, p.Kind = 0x1000000, KindTreeImage
	case platform == "treeboot-iss4xx-mpic":
		p.Objects, p.Kind = []string{"treeboot-iss4xx.o"}, KindTreeImage
	case strings.HasPrefix(platform, "treeboot"):
		p.Kind = KindTreeImage
	case platform == "epapr":
		p.Objects = []string{"pseries-head.o", "epapr.o", "epapr-wrapper.o"}
		p.LinkAddress, p.PIE = 0x20000000, true
	case platform == "mvme5100":
		p.Objects, p.Kind = []string{"fixed-head.o", "mvme5100.o"}, KindBinary
	case platform == "mvme7100":
		p.Objects, p.LinkAddress, p.Kind = []string{"motload-head.o", "mvme7100.o"}, 0x4000000, KindBinary
	}
	return p, nil
}

// EffectiveLinkAddress is the wrapper's make_space step: a kernel whose
// stripped image is larger than the link address would be overwritten by
// its own decompression, so the wrapper moves up to the next MiB boundary
// at or above the stripped size.
func (p Platform) EffectiveLinkAddress(stripSize uint64) uint32 {
	if !p.MakeSpace || uint64(p.LinkAddress) >= stripSize {
		return p.LinkAddress
	}
	return uint32((stripSize + 0xfffff) &^ 0xfffff)
}

// Unsupported lists the platforms Lookup rejects, sorted.
func Unsupported() []string {
	var names []string
	for n := range unsupported.Get() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// shellMatch matches s against a shell pattern with '*' only (the only
// metacharacter the wrapper's case patterns use).
func shellMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i := 1; i < len(parts)-1; i++ {
		j := strings.Index(s, parts[i])
		if j < 0 {
			return false
		}
		s = s[j+len(parts[i]):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}
