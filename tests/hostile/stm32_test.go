package hostile

import (
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/stm32"
)

// STM32MP1 boot header: a 32-bit payload length, so inputs are bounded by
// 4 GiB before they are read.
func TestSTM32(t *testing.T) { runFamily(t, stm32Cases(t)) }

func stm32Cases(t *testing.T) []Case {
	h, err := stm32.NewHeader(1, 0x2ffc2500, 0x2ffc2500)
	if err != nil {
		t.Fatal(err)
	}
	valid, err := stm32.Wrap(h, []byte("spl payload"))
	if err != nil {
		t.Fatal(err)
	}
	wrap := []string{"stm32image", "-q", "-a", "0x2ffc2500", "-d"}
	return []Case{
		{Name: "length-0xffffffff", Files: map[string][]byte{"s": patch(valid, 0x4c, le32(0xffffffff))}, Args: []string{"ls", "{in}/s"}},
		{Name: "truncated-header", Files: map[string][]byte{"s": valid[:100]}, Args: []string{"ls", "{in}/s"}},
		{Name: "dev-zero-payload", Args: append(append([]string{}, wrap...), "/dev/zero", "{out}/s.stm32"), WantErr: "/dev/zero"},
		{Name: "fifo-payload", Setup: fifo("p"), Args: append(append([]string{}, wrap...), "{in}/p", "{out}/s.stm32")},
		{Name: "payload-5GiB", Setup: sparse("p", []byte("x"), 5<<30), Args: append(append([]string{}, wrap...), "{in}/p", "{out}/s.stm32"), WantErr: "32-bit"},
	}
}
