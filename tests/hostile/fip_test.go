package hostile

import (
	"encoding/binary"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/fip"
)

// TF-A FIP: a ToC of 40-byte entries with 64-bit offsets and sizes.
func TestFIP(t *testing.T) { runFamily(t, fipCases(t)) }

func fipCases(t *testing.T) []Case {
	valid, err := fip.Create([]fip.Image{{UUID: fip.ImageTypes[0].UUID, Data: []byte("bl2 image")}}, fip.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Header is 16 bytes; the first entry's offset is at 16+16, size at 16+24.
	at := func(off int, v uint64) []byte {
		b := append([]byte(nil), valid...)
		binary.LittleEndian.PutUint64(b[off:], v)
		return b
	}
	fipFile := func(b []byte) map[string][]byte { return map[string][]byte{"f": b} }
	return []Case{
		{Name: "entry-size-huge-info", Files: fipFile(at(40, 1<<62)), Args: []string{"fiptool", "info", "{in}/f"}},
		{Name: "entry-offset-huge-unpack", Files: fipFile(at(32, 0xffffffffffff0000)), Args: []string{"fiptool", "unpack", "--out", "{out}", "{in}/f"}},
		{Name: "entry-size-huge-unpack", Files: fipFile(at(40, 0xffffffff)), Args: []string{"fiptool", "unpack", "--out", "{out}", "{in}/f"}},
		{Name: "entry-size-huge-update", Files: fipFile(at(40, 1<<40)), Args: []string{"fiptool", "update", "--out", "{out}/g", "{in}/f"}},
		{Name: "entry-size-huge-ls", Files: fipFile(at(40, 1<<40)), Args: []string{"ls", "{in}/f"}},
		{Name: "truncated-toc", Files: fipFile(valid[:20]), Args: []string{"fiptool", "info", "{in}/f"}},
		{Name: "align-2^63", Files: map[string][]byte{"b": []byte("bl2")}, Args: []string{"fiptool", "create", "--align", "0x8000000000000000", "--tb-fw", "{in}/b", "{out}/f"}},
		{Name: "align-not-power-of-two", Files: map[string][]byte{"b": []byte("bl2")}, Args: []string{"fiptool", "create", "--align", "3", "--tb-fw", "{in}/b", "{out}/f"}},
		{Name: "dev-zero-image", Args: []string{"fiptool", "create", "--tb-fw", "/dev/zero", "{out}/f"}, WantErr: "/dev/zero"},
		// A FIFO without a writer reads as an empty image (no ToC entry).
		{Name: "fifo-image", WantOK: true, Setup: fifo("b"), Args: []string{"fiptool", "create", "--tb-fw", "{in}/b", "{out}/f"}},
		{Name: "fifo-fip", Setup: fifo("f"), Args: []string{"fiptool", "info", "{in}/f"}},
	}
}
