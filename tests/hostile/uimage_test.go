package hostile

import (
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/uimage"
)

// uImage: 64-byte legacy header; size, CRCs and the multi-file size table
// come from the file.
func TestUImage(t *testing.T) { runFamily(t, uimageCases(t)) }

func uimageHeader(t *testing.T, h uimage.Header) []byte {
	b, err := h.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func uimageCases(t *testing.T) []Case {
	kernel := uimage.Header{OS: 5, Arch: 2, Type: 2, Comp: 0, Name: "k"}
	valid, err := uimage.Build(kernel, []byte("payload"))
	if err != nil {
		t.Fatal(err)
	}
	huge := kernel
	huge.DataSize = 0xffffffff
	multi := uimage.Header{OS: 5, Arch: 2, Type: 4, Name: "m"}
	// Multi image whose size table never ends (no zero terminator).
	table := make([]byte, 0, 4096)
	for len(table) < 4096 {
		table = append(table, be32(0x7fffffff)...)
	}
	m := multi
	m.DataSize = uint32(len(table))
	gz := kernel
	gz.Comp = 1
	gzBomb := bomb256()
	gz.DataSize = uint32(len(gzBomb))
	return []Case{
		{Name: "truncated-header", Files: map[string][]byte{"u": valid[:40]}, Args: []string{"ls", "{in}/u"}},
		{Name: "size-0xffffffff-ls", Files: map[string][]byte{"u": append(uimageHeader(t, huge), "x"...)}, Args: []string{"ls", "{in}/u"}},
		{Name: "size-0xffffffff-list", Files: map[string][]byte{"u": append(uimageHeader(t, huge), "x"...)}, Args: []string{"mkimage", "-l", "{in}/u"}},
		{Name: "size-0xffffffff-extract", Files: map[string][]byte{"u": append(uimageHeader(t, huge), "x"...)},
			Args: []string{"extract", "-i", "{in}/u", "-f", "{out}/d", "data"}},
		{Name: "multi-endless-table", Files: map[string][]byte{"u": append(uimageHeader(t, m), table...)}, Args: []string{"extract", "-i", "{in}/u", "-O", "{out}", "*"}},
		{Name: "fifo-data", Setup: fifo("d"), Args: []string{"mkimage", "-A", "arm", "-T", "kernel", "-C", "none", "-a", "0", "-d", "{in}/d", "{out}/u"}},
		{Name: "dev-zero-data", Args: []string{"mkimage", "-A", "arm", "-T", "kernel", "-C", "none", "-a", "0", "-d", "/dev/zero", "{out}/u"}},
		{Name: "data-over-4GiB", Setup: sparse("d", []byte("x"), 5<<30), Args: []string{"mkimage", "-A", "arm", "-T", "kernel", "-C", "none", "-a", "0", "-d", "{in}/d", "{out}/u"}},
		// A gzip payload inflating to 256 MiB streams to the output file.
		{Name: "gzip-256MiB-extract", WantOK: true, Timeout: 60e9, Files: map[string][]byte{"u": append(uimageHeader(t, withCRC(gz, gzBomb)), gzBomb...)},
			Args: []string{"extract", "-i", "{in}/u", "-f", "{out}/d", "data"}, Check: outSize("d", 256<<20)},
	}
}

func withCRC(h uimage.Header, data []byte) uimage.Header {
	b, _ := uimage.Build(h, data)
	parsed, _, _ := uimage.Parse(b)
	return parsed
}
