//go:build linux

package emmc

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"
)

// Values from linux/mmc/ioctl.h, linux/mmc/core.h and JEDEC, computed by
// hand: _IOWR(179, 0, 72 bytes) = 3<<30 | 72<<16 | 0xb3<<8.
func TestIoctlEncoding(t *testing.T) {
	if s := unsafe.Sizeof(mmcIocCmd{}); s != 72 {
		t.Errorf("struct mmc_ioc_cmd is %d bytes, want 72", s)
	}
	if mmcIocCmdNr != 0xC048B300 {
		t.Errorf("MMC_IOC_CMD = 0x%x, want 0xC048B300", mmcIocCmdNr)
	}
	if a := switchArg(179, 0x50); a != 0x03B35001 {
		t.Errorf("SWITCH arg = 0x%08x, want 0x03B35001", a)
	}
	if f := rspSPIR1B | rspR1B | cmdAC; f != 0x49D {
		t.Errorf("SWITCH flags = 0x%x, want 0x49D", f)
	}
	if f := rspSPIR1 | rspR1 | cmdADTC; f != 0xB5 {
		t.Errorf("SEND_EXT_CSD flags = 0x%x, want 0xB5", f)
	}
}

func TestCardForceRO(t *testing.T) {
	sys := t.TempDir()
	os.MkdirAll(filepath.Join(sys, "mmcblk1boot1"), 0o755)
	os.WriteFile(filepath.Join(sys, "mmcblk1boot1", "force_ro"), []byte("1\n"), 0o644)
	c, err := NewCard("/dev/mmcblk1")
	if err != nil {
		t.Fatal(err)
	}
	c.Sysfs = sys
	if ro, err := c.ForceRO(1); err != nil || !ro {
		t.Fatalf("ForceRO = %v %v", ro, err)
	}
	c.SetForceRO(1, false)
	if ro, _ := c.ForceRO(1); ro {
		t.Fatal("force_ro still set")
	}
	if _, err := NewCard("/dev/mmcblk1boot0"); err == nil {
		t.Error("accepted a boot partition as the card")
	}
}
