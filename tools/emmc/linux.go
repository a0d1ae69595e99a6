//go:build linux

package emmc

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unsafe"
)

// mmcIocCmd mirrors the kernel's struct mmc_ioc_cmd (uapi
// linux/mmc/ioctl.h): 72 bytes on 32- and 64-bit machines alike.
type mmcIocCmd struct {
	WriteFlag      int32
	IsAcmd         int32
	Opcode         uint32
	Arg            uint32
	Response       [4]uint32
	Flags          uint32
	Blksz          uint32
	Blocks         uint32
	PostsleepMinUs uint32
	PostsleepMaxUs uint32
	DataTimeoutNs  uint32
	CmdTimeoutMs   uint32
	Pad            uint32
	DataPtr        uint64
}

// Kernel and JEDEC constants.
const (
	// _IOWR(MMC_BLOCK_MAJOR=179, 0, struct mmc_ioc_cmd)
	mmcIocCmdNr = 3<<30 | uint32(unsafe.Sizeof(mmcIocCmd{}))<<16 | 179<<8 | 0
	blkFlsBuf   = 0x1261 // _IO(0x12, 97): drop the block device's page cache

	opSwitch     = 6 // CMD6
	opSendExtCSD = 8 // CMD8
	switchWrite  = 3 // SWITCH access mode "write byte"
	cmdSetNormal = 1

	rspPresent = 1 << 0
	rspCRC     = 1 << 2
	rspBusy    = 1 << 3
	rspOpcode  = 1 << 4
	cmdAC      = 0 << 5
	cmdADTC    = 1 << 5
	rspSPIS1   = 1 << 7
	rspSPIBusy = 1 << 10
	rspR1      = rspPresent | rspCRC | rspOpcode
	rspR1B     = rspR1 | rspBusy
	rspSPIR1   = rspSPIS1
	rspSPIR1B  = rspSPIS1 | rspSPIBusy
)

// switchArg is CMD6's argument writing value to EXT_CSD[index].
func switchArg(index, value byte) uint32 {
	return switchWrite<<24 | uint32(index)<<16 | uint32(value)<<8 | cmdSetNormal
}

// Card is a real eMMC card: /dev/mmcblkN with its boot partitions
// /dev/mmcblkNboot0 and boot1 and their sysfs force_ro switches.
type Card struct {
	Dev   string // "/dev/mmcblk1"
	Sysfs string // "/sys/block"; tests may point elsewhere
}

// NewCard names a card by its main block device (/dev/mmcblkN).
func NewCard(dev string) (*Card, error) {
	base := filepath.Base(dev)
	if !strings.HasPrefix(base, "mmcblk") || strings.Contains(base, "boot") || strings.Contains(base, "p") {
		return nil, fmt.Errorf("%s: not an eMMC main block device (/dev/mmcblkN)", dev)
	}
	return &Card{Dev: dev, Sysfs: "/sys/block"}, nil
}

func (c *Card) ioctl(cmd *mmcIocCmd) error {
	f, err := os.OpenFile(c.Dev, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(mmcIocCmdNr), uintptr(unsafe.Pointer(cmd))); e != 0 {
		return fmt.Errorf("%s: MMC_IOC_CMD opcode %d: %w", c.Dev, cmd.Opcode, e)
	}
	return nil
}

func (c *Card) ExtCSD() ([]byte, error) {
	buf := make([]byte, ExtCSDSize)
	cmd := mmcIocCmd{Opcode: opSendExtCSD, Flags: rspSPIR1 | rspR1 | cmdADTC, Blksz: ExtCSDSize, Blocks: 1}
	cmd.DataPtr = uint64(uintptr(unsafe.Pointer(&buf[0])))
	err := c.ioctl(&cmd)
	return buf, err
}

func (c *Card) SetPartitionConfig(v byte) error {
	cmd := mmcIocCmd{WriteFlag: 1, Opcode: opSwitch, Arg: switchArg(ExtCSDPartConfig, v), Flags: rspSPIR1B | rspR1B | cmdAC}
	return c.ioctl(&cmd)
}

func (c *Card) bootDev(part int) string { return fmt.Sprintf("%sboot%d", c.Dev, part) }

func (c *Card) ReadBoot(part int, off int64, p []byte) error {
	f, err := os.Open(c.bootDev(part))
	if err != nil {
		return err
	}
	defer f.Close()
	// Read the card, not what the page cache kept from our own write.
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), blkFlsBuf, 0); e != 0 {
		return fmt.Errorf("%s: BLKFLSBUF: %w", c.bootDev(part), e)
	}
	_, err = f.ReadAt(p, off)
	return err
}

func (c *Card) WriteBoot(part int, off int64, p []byte) error {
	f, err := os.OpenFile(c.bootDev(part), os.O_WRONLY|syscall.O_DSYNC, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(p, off); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (c *Card) forceROPath(part int) string {
	return filepath.Join(c.Sysfs, filepath.Base(c.bootDev(part)), "force_ro")
}

func (c *Card) ForceRO(part int) (bool, error) {
	b, err := os.ReadFile(c.forceROPath(part))
	if err != nil {
		return false, err
	}
	return strings.TrimSpace(string(b)) != "0", nil
}

func (c *Card) SetForceRO(part int, ro bool) error {
	v := "0"
	if ro {
		v = "1"
	}
	return os.WriteFile(c.forceROPath(part), []byte(v), 0)
}
