//go:build !linux

package emmc

import "errors"

// errNotLinux is what --device gets where there is no MMC_IOC_CMD ioctl,
// no /dev/mmcblkNbootM and no sysfs force_ro switch: every system but
// Linux. The file model (LoadModel, NewModel) works everywhere.
var errNotLinux = errors.New("eMMC boot partitions can only be switched on Linux")

// NewCard fails here: switching a real card's boot partition needs Linux.
func NewCard(dev string) (Device, error) {
	return nil, errNotLinux
}
