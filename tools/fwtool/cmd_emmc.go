package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/rules-firmware/rules_firmware/tools/emmc"
)

// eMMC boot-partition A/B updates (tools/emmc): the same Update runs on a
// real card (--device) and on the file model (--model) tests use.

const emmcUsage = `usage: fwtool emmc update (--device /dev/mmcblkN | --model DIR) IMAGE
       fwtool emmc status (--device /dev/mmcblkN | --model DIR)
       fwtool emmc model --size BYTES [--active 0|1] DIR

update writes IMAGE to the boot partition the card does not boot from
(lifting and restoring its force_ro), reads it back, and only then switches
EXT_CSD PARTITION_CONFIG to it. It never writes the active partition.
model creates a file model (boot0, boot1, ext_csd) for tests.`

func runEmmc(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, emmcUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, emmcUsage) }
	device := fs.String("device", "", "eMMC main block device")
	model := fs.String("model", "", "file model directory")
	size := fs.String("size", "", "boot partition size (model)")
	active := fs.Int("active", 0, "active boot partition (model)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	var err error
	switch args[0] {
	case "update":
		err = emmcUpdate(*device, *model, fs.Args(), stdout)
	case "status":
		err = emmcStatus(*device, *model, stdout)
	case "model":
		err = emmcModel(*size, *active, fs.Args())
	default:
		err = fmt.Errorf("unknown action %q (update, status, model)", args[0])
	}
	if err != nil {
		fmt.Fprintf(stderr, "fwtool emmc: %v\n", err)
		return 1
	}
	return 0
}

// openEmmc returns the device and, for the model, a function saving it.
func openEmmc(device, model string) (emmc.Device, func() error, error) {
	switch {
	case device != "" && model != "":
		return nil, nil, errors.New("give --device or --model, not both")
	case device != "":
		c, err := emmc.NewCard(device)
		return c, func() error { return nil }, err
	case model != "":
		m, err := emmc.LoadModel(model)
		if err != nil {
			return nil, nil, err
		}
		return m, func() error { return emmc.SaveModel(model, m) }, nil
	}
	return nil, nil, errors.New("no card: give --device /dev/mmcblkN or --model DIR")
}

func emmcUpdate(device, model string, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("update: need exactly one IMAGE, got %d arguments", len(args))
	}
	image, err := os.ReadFile(args[0])
	if err != nil {
		return unwrapPathErrorIn(err, args[0])
	}
	dev, save, err := openEmmc(device, model)
	if err != nil {
		return err
	}
	st, err := emmc.Update(dev, image)
	if err != nil {
		return fmt.Errorf("%s: %v", args[0], err)
	}
	if err := save(); err != nil {
		return err
	}
	if st.Skipped {
		fmt.Fprintf(stdout, "boot%d already holds %s; nothing written\n", st.Active, args[0])
		return nil
	}
	fmt.Fprintf(stdout, "wrote %d bytes to boot%d, verified, PARTITION_CONFIG now boots boot%d (was boot%d)\n", st.Written, st.Target, st.Target, st.Active)
	return nil
}

func emmcStatus(device, model string, stdout io.Writer) error {
	dev, _, err := openEmmc(device, model)
	if err != nil {
		return err
	}
	ext, err := dev.ExtCSD()
	if err != nil {
		return err
	}
	cfg := ext[emmc.ExtCSDPartConfig]
	fmt.Fprintf(stdout, "PARTITION_CONFIG: 0x%02x\n", cfg)
	if p, err := emmc.BootPartition(cfg); err != nil {
		fmt.Fprintf(stdout, "Boots from:       %v\n", err)
	} else {
		fmt.Fprintf(stdout, "Boots from:       boot%d\n", p)
	}
	fmt.Fprintf(stdout, "Boot partitions:  2 x %d bytes\n", emmc.BootSize(ext))
	return nil
}

func emmcModel(size string, active int, args []string) error {
	if len(args) != 1 {
		return errors.New("model: need exactly one DIR")
	}
	n, err := strconv.ParseInt(size, 0, 64)
	if err != nil || n <= 0 || n%(128<<10) != 0 || n > 255*(128<<10) {
		return fmt.Errorf("model: --size %q is not a positive multiple of 128 KiB up to 255 x 128 KiB", size)
	}
	if active != 0 && active != 1 {
		return fmt.Errorf("model: --active %d is not 0 or 1", active)
	}
	if err := os.MkdirAll(args[0], 0o777); err != nil { // less the umask, as mkdir(1)
		return err
	}
	return emmc.SaveModel(args[0], emmc.NewModel(n, active))
}
