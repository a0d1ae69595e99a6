//go:build !linux

package emmc

import (
	"strings"
	"testing"
)

func TestNewCardNeedsLinux(t *testing.T) {
	c, err := NewCard("/dev/mmcblk1")
	if c != nil || err == nil || !strings.Contains(err.Error(), "only be switched on Linux") {
		t.Errorf("NewCard = %v, %v; want the needs-Linux error", c, err)
	}
}
