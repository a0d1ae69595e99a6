// Command fwtool writes and reads firmware, boot and OS images. Each
// subcommand lives in its own cmd_*.go file and is listed in commands
// below; the formats `ls`, `extract` and `mkimage -T` recognise register
// themselves from those files through registerFormats.
//
// Nothing is registered at start: every call of fwtool runs every
// package's initialisation, so a command table built at start-up is paid
// by `fwtool mkenvimage -V` as much as by the command that uses it
// (benchmarks/README.md, start-up). commands is static data.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/rules-firmware/rules_firmware/tools/gctune"
)

// command is one subcommand. run returns the process exit code; it prints
// its own one-line error to stderr ("fwtool <name>: ...").
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands, sorted by name (TestCommandsSorted).
var commands = []command{
	{"bootup", "write, invalidate or verify a BootUp application image", runBootup},
	{"build", "pack a firmware image from a layout manifest (binman semantics)", runBuild},
	{"bundle", "create, verify or extract a BootUp bundle", runBundle},
	{"cpio", "build a newc cpio archive (initramfs), optionally compressed", runCpio},
	{"cpp", "preprocess device tree sources (#include, #define, #if) like cpp -x assembler-with-cpp", runCpp},
	{"disk", "assemble a partitioned disk image (MBR/GPT/hybrid) from a JSON manifest", runDisk},
	{"dtc", "compile device tree source to a DTB, or print a DTB as source (dtc's command line)", runDtc},
	{"emmc", "update an eMMC's inactive boot partition and switch to it", runEmmc},
	{"ext", "build an ext2, ext3 or ext4 filesystem image", runExt},
	{"extract", "extract entries from an image (decompressing)", runExtract},
	{"fip", "same as fiptool", runFiptool},
	{"fiptool", "create, list, update, unpack and remove TF-A FIPs (fiptool's command line)", runFiptool},
	{"fit", "build a FIT image from a JSON description (the fit_image rule)", runFit},
	{"flash-sd", "write a disk image to a removable, unmounted device (SD card, USB stick)", runFlashSD},
	{"flashlayout", "write or check an STM32CubeProgrammer flash layout (.tsv)", runFlashlayout},
	{"genimage", "build the images of a genimage config (hdimage, vfat, squashfs, cpio, fip, fit; genimage's flags)", runGenimage},
	{"kmod", "stage kernel modules and their dependencies with a depmod-equal modules.dep", runKmod},
	{"ls", "recognise an image and list its contents", runLs},
	{"mkenvimage", "write a U-Boot environment image (mkenvimage's command line)", runMkenvimage},
	{"mkimage", "write U-Boot images with mkimage's command line", runMkimage},
	{"ppcwrap", "build a PowerPC boot-wrapper image (zImage, cuImage, simpleImage, treeImage, ...) like arch/powerpc/boot/wrapper", runPpcwrap},
	{"rauc", "write a signed RAUC bundle (plain or verity)", runRauc},
	{"replace", "replace an entry of an fdtmap image (recompressing, repacking if allowed)", runReplace},
	{"simulate", "cut power after every storage operation of an update and check what boots", runSimulate},
	{"squashfs", "build a squashfs 4.0 filesystem image", runSquashfs},
	{"stm32image", "wrap a boot loader in an STM32MP1 header (v1 MP15, v2 MP13)", runStm32image},
	{"verify", "check a signed FIT against a U-Boot control DTB (like fit_check_sign)", runVerify},
	{"vfat", "build a FAT12/16/32 filesystem image with long names", runVfat},
}

// lookupCommand finds the subcommand called name.
func lookupCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

var formatsOnce sync.Once

// registerFormats registers the listers, extractors and mkimage -T types
// of the cmd_*.go files, once, when a command first needs them; the order
// is the files' (it breaks ties between equal priorities).
func registerFormats() {
	formatsOnce.Do(func() {
		registerBootupFormats()
		registerCpioFormats()
		registerDiskFormats()
		registerDtcFormats()
		registerFdtmapFormats()
		registerFipFormats()
		registerFitFormats()
		registerImx8mimageFormats()
		registerMkimageFormats()
		registerPpcwrapFormats()
		registerSquashfsFormats()
		registerStm32Formats()
		registerUbootenvFormats()
		registerVfatFormats()
	})
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: fwtool <command> [arguments]")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Run 'fwtool <command> --help' for a command's flags.")
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	}
	cmd, ok := lookupCommand(name)
	if !ok {
		fmt.Fprintf(stderr, "fwtool: unknown command %q (known: %s)\n", name, strings.Join(sortedNames(), ", "))
		return 2
	}
	return cmd.run(args[1:], stdout, stderr)
}

func sortedNames() []string {
	names := make([]string, 0, len(commands))
	for _, c := range commands {
		names = append(names, c.name)
	}
	return names
}

func main() {
	// Most commands finish before a first collection would pay off.
	gctune.DeferFirstGC(gctune.FirstGC)
	if err := enterWorkingDirectory(); err != nil {
		fmt.Fprintf(os.Stderr, "fwtool: %v\n", err)
		os.Exit(2)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// enterWorkingDirectory makes relative paths mean what the user typed: under
// `bazel run //tools/fwtool -- ls bazel-bin/x.img` the process starts in the
// runfiles tree, and Bazel names the user's directory in
// BUILD_WORKING_DIRECTORY.
func enterWorkingDirectory() error {
	dir := os.Getenv("BUILD_WORKING_DIRECTORY")
	if dir == "" {
		return nil
	}
	if err := os.Chdir(dir); err != nil {
		return fmt.Errorf("cannot change to BUILD_WORKING_DIRECTORY %s: %v", dir, err)
	}
	return nil
}
