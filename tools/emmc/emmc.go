// Package emmc updates the boot firmware in an eMMC's two boot partitions
// without ever leaving the device unbootable: the new image goes to the
// boot partition the card does not boot from, is read back and compared,
// and only then does one EXT_CSD write (PARTITION_CONFIG) make it the boot
// partition. The card applies that single-byte SWITCH atomically, so a
// power cut at any moment leaves either the old or the new partition
// active, each complete.
//
// The same Update runs against a real card (linux.go: the kernel's
// MMC_IOC_CMD ioctl, as mmc-utils uses it) and against the file model
// (model.go) the tests and the power-cut simulator use.
package emmc

import (
	"bytes"
	"errors"
	"fmt"
)

// EXT_CSD facts (JEDEC JESD84-B51, section 7.4).
const (
	ExtCSDSize = 512
	// PARTITION_CONFIG: bit 6 BOOT_ACK, bits 5:3 BOOT_PARTITION_ENABLE
	// (0 none, 1 boot0, 2 boot1, 7 user area), bits 2:0 PARTITION_ACCESS.
	ExtCSDPartConfig = 179
	// BOOT_SIZE_MULT: boot partition size in units of 128 KiB.
	ExtCSDBootSizeMult = 226

	bootEnableMask  = 0x38
	bootEnableShift = 3
	BlockSize       = 512
)

// Device is one eMMC card as the updater needs it.
type Device interface {
	// ExtCSD reads the 512-byte Extended CSD register (CMD8).
	ExtCSD() ([]byte, error)
	// SetPartitionConfig writes EXT_CSD[179] with CMD6 SWITCH.
	SetPartitionConfig(v byte) error
	// ReadBoot and WriteBoot access boot partition part (0 or 1);
	// WriteBoot takes whole 512-byte blocks.
	ReadBoot(part int, off int64, p []byte) error
	WriteBoot(part int, off int64, p []byte) error
	// ForceRO reads and SetForceRO writes the kernel's force_ro switch of
	// a boot partition (Linux makes boot partitions read-only by default).
	ForceRO(part int) (bool, error)
	SetForceRO(part int, ro bool) error
}

// BootPartition returns which boot partition (0 or 1) the card boots from.
func BootPartition(partConfig byte) (int, error) {
	switch en := (partConfig & bootEnableMask) >> bootEnableShift; en {
	case 1, 2:
		return int(en) - 1, nil
	default:
		return 0, fmt.Errorf("PARTITION_CONFIG 0x%02x: BOOT_PARTITION_ENABLE %d is not boot0 (1) or boot1 (2); enable booting from a boot partition first", partConfig, en)
	}
}

// withBootPartition returns partConfig with BOOT_PARTITION_ENABLE set to
// part, keeping BOOT_ACK and PARTITION_ACCESS.
func withBootPartition(partConfig byte, part int) byte {
	return partConfig&^bootEnableMask | byte(part+1)<<bootEnableShift
}

// BootSize is the size of each boot partition from EXT_CSD.
func BootSize(ext []byte) int64 { return int64(ext[ExtCSDBootSizeMult]) * 128 << 10 }

// Status is what Update found and did.
type Status struct {
	Active, Target int
	Written        int // bytes
	Skipped        bool
}

// Update writes image to the inactive boot partition, verifies it and
// switches the card to boot from it. It never writes the active
// partition. An image equal to the active partition's contents is left
// alone (Skipped).
func Update(dev Device, image []byte) (Status, error) {
	var st Status
	ext, err := dev.ExtCSD()
	if err != nil {
		return st, fmt.Errorf("reading EXT_CSD: %w", err)
	}
	if len(ext) != ExtCSDSize {
		return st, fmt.Errorf("EXT_CSD: %d bytes, want %d", len(ext), ExtCSDSize)
	}
	cfg := ext[ExtCSDPartConfig]
	if st.Active, err = BootPartition(cfg); err != nil {
		return st, err
	}
	st.Target = 1 - st.Active
	size := BootSize(ext)
	if len(image) == 0 {
		return st, errors.New("image is empty")
	}
	padded := padBlock(image)
	if int64(len(padded)) > size {
		return st, fmt.Errorf("image of %d bytes does not fit the %d-byte boot partition", len(image), size)
	}
	cur := make([]byte, len(padded))
	if err := dev.ReadBoot(st.Active, 0, cur); err != nil {
		return st, fmt.Errorf("reading boot%d: %w", st.Active, err)
	}
	if bytes.Equal(cur, padded) {
		st.Skipped = true
		return st, nil
	}
	if err := writeInactive(dev, st, padded); err != nil {
		return st, err
	}
	st.Written = len(padded)
	if err := dev.SetPartitionConfig(withBootPartition(cfg, st.Target)); err != nil {
		return st, fmt.Errorf("switching PARTITION_CONFIG to boot%d: %w", st.Target, err)
	}
	ext, err = dev.ExtCSD()
	if err != nil {
		return st, fmt.Errorf("re-reading EXT_CSD: %w", err)
	}
	if got, _ := BootPartition(ext[ExtCSDPartConfig]); got != st.Target {
		return st, fmt.Errorf("PARTITION_CONFIG reads 0x%02x after the switch, not boot%d", ext[ExtCSDPartConfig], st.Target)
	}
	return st, nil
}

// writeInactive writes and verifies the target partition, lifting
// force_ro only for the time of the write.
func writeInactive(dev Device, st Status, data []byte) (err error) {
	if st.Target == st.Active {
		return fmt.Errorf("refusing to write boot%d: it is the active boot partition", st.Target)
	}
	ro, err := dev.ForceRO(st.Target)
	if err != nil {
		return fmt.Errorf("boot%d force_ro: %w", st.Target, err)
	}
	if ro {
		if err := dev.SetForceRO(st.Target, false); err != nil {
			return fmt.Errorf("boot%d force_ro: %w", st.Target, err)
		}
		defer func() {
			if e := dev.SetForceRO(st.Target, true); e != nil && err == nil {
				err = fmt.Errorf("boot%d force_ro: restoring: %w", st.Target, e)
			}
		}()
	}
	if err := dev.WriteBoot(st.Target, 0, data); err != nil {
		return fmt.Errorf("writing boot%d: %w", st.Target, err)
	}
	back := make([]byte, len(data))
	if err := dev.ReadBoot(st.Target, 0, back); err != nil {
		return fmt.Errorf("reading back boot%d: %w", st.Target, err)
	}
	if i := firstDiff(back, data); i >= 0 {
		return fmt.Errorf("boot%d: read-back differs at offset 0x%x; PARTITION_CONFIG left on boot%d", st.Target, i, st.Active)
	}
	return nil
}

func padBlock(b []byte) []byte {
	n := (len(b) + BlockSize - 1) / BlockSize * BlockSize
	out := make([]byte, n)
	copy(out, b)
	return out
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}
