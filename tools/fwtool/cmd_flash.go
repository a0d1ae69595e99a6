package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"

	"github.com/rules-firmware/rules_firmware/tools/blockdev"
)

const flashSDUsage = `usage: fwtool flash-sd [--dry-run] [--yes] IMAGE DEVICE

Writes IMAGE to the whole DEVICE (/dev/sdX, /dev/mmcblkN) from offset 0,
every byte, then flushes it. Refuses a device that is not removable, that
has a mounted partition, or that is smaller than the image. Without --yes
it only shows what it would write.
`

func runFlashSD(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("flash-sd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	yes := fs.Bool("yes", false, "really write (otherwise: show what would be written and stop)")
	dryRun := fs.Bool("dry-run", false, "check the device and show what would be written, even with --yes")
	sys := blockdev.Host
	// For tests: a fake sysfs, mount table and /dev.
	fs.StringVar(&sys.Sys, "sysfs", sys.Sys, "")
	fs.StringVar(&sys.Mounts, "mounts", sys.Mounts, "")
	fs.StringVar(&sys.Dev, "devdir", sys.Dev, "")
	fs.Usage = func() { fmt.Fprint(stderr, flashSDUsage) }
	// `bazel run :flash_sd -- /dev/sdX --yes` puts flags after the image
	// and device the launcher passes: accept them anywhere.
	if err := fs.Parse(flagsFirst(args, map[string]bool{"-sysfs": true, "--sysfs": true, "-mounts": true, "--mounts": true, "-devdir": true, "--devdir": true})); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return 2
	}
	fail := func(format string, a ...interface{}) int {
		fmt.Fprintf(stderr, "fwtool flash-sd: "+format+"\n", a...)
		return 1
	}
	if runtime.GOOS != "linux" && sys == blockdev.Host {
		// Removable, mounted and size come from Linux's /sys and
		// /proc/self/mounts; writing a disk unchecked is not an option.
		return fail("SD cards can only be checked and written on Linux")
	}
	image, device := fs.Arg(0), fs.Arg(1)
	img, err := os.Open(image)
	if err != nil {
		return fail("%v", err)
	}
	defer img.Close()
	st, err := img.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return fail("%s: not a regular file", image)
	}
	dev, err := sys.Inspect(device)
	if err != nil {
		return fail("%v", err)
	}
	if err := dev.Refuse(st.Size()); err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(stdout, "will write %s (%d bytes) to %s\n", image, st.Size(), dev.Summary())
	if *dryRun || !*yes {
		fmt.Fprintln(stdout, "nothing written: run again with --yes to write")
		return 0
	}
	// O_EXCL on a block device fails while anything has it mounted or open
	// exclusively: a last guard against a mount that raced the check above.
	out, err := os.OpenFile(device, os.O_WRONLY|syscall.O_EXCL, 0)
	if err != nil {
		return fail("%v", err)
	}
	last := int64(-1)
	err = blockdev.Write(out, img, st.Size(), func(done int64) {
		if pct := done * 100 / st.Size(); pct/10 != last/10 {
			fmt.Fprintf(stdout, "%3d%%\n", pct)
			last = pct
		}
	})
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail("%s: %v", device, err)
	}
	fmt.Fprintf(stdout, "wrote %d bytes to %s\n", st.Size(), device)
	return 0
}

// flagsFirst moves flags (and the values of those in withValue) before the
// positional arguments, so a flag package that stops at the first operand
// still sees them.
func flagsFirst(args []string, withValue map[string]bool) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i+1:]...)
			return append(append(flags, "--"), rest...)
		case strings.HasPrefix(a, "-") && a != "-":
			flags = append(flags, a)
			if withValue[a] && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		default:
			rest = append(rest, a)
		}
	}
	return append(flags, rest...)
}
