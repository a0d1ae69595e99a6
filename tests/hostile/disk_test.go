package hostile

import (
	"encoding/binary"
	"hash/crc32"
	"path/filepath"
	"testing"
)

// Partitioned disks: GPT and MBR entries claim where a partition lies; an
// extent past the image is an error, as sfdisk and sgdisk report it.
func TestDisk(t *testing.T) { runFamily(t, diskCases(t)) }

func buildDisk(t *testing.T, table string) []byte {
	dir := t.TempDir()
	writeFile(t, dir, "p.bin", []byte("partition data"))
	m := writeFile(t, dir, "m.json", []byte(`{"version": 1, "partition_table": "`+table+`",
		"partitions": [{"name": "p", "image": "p.bin", "offset": "1M", "size": "64K", "partition_type": "0x83"}]}`))
	img := filepath.Join(dir, "disk.img")
	fwtoolOK(t, dir, "disk", "--manifest", m, "--inputpath", dir, "--output", img)
	return readFile(t, img)
}

// gptLastLBA sets partition 1's last LBA in the primary GPT and fixes both
// CRCs, so only the extent is wrong.
func gptLastLBA(img []byte, last uint64) []byte {
	b := append([]byte(nil), img...)
	hdr := b[512:]
	entries := binary.LittleEndian.Uint64(hdr[72:])
	n := binary.LittleEndian.Uint32(hdr[80:])
	size := binary.LittleEndian.Uint32(hdr[84:])
	arr := b[entries*512 : entries*512+uint64(n*size)]
	binary.LittleEndian.PutUint64(arr[40:], last)
	binary.LittleEndian.PutUint32(hdr[88:], crc32.ChecksumIEEE(arr))
	hsize := binary.LittleEndian.Uint32(hdr[12:])
	binary.LittleEndian.PutUint32(hdr[16:], 0)
	binary.LittleEndian.PutUint32(hdr[16:], crc32.ChecksumIEEE(hdr[:hsize]))
	return b
}

func diskCases(t *testing.T) []Case {
	gpt := buildDisk(t, "gpt")
	mbr := buildDisk(t, "mbr")
	tib := uint64(1<<40) / 512
	extract := []string{"disk", "extract", "-i", "{in}/d", "-p", "1", "-f", "{out}/p"}
	return []Case{
		{Name: "gpt-partition-1TiB", Files: map[string][]byte{"d": gptLastLBA(gpt, 2048+tib)}, Args: extract, WantErr: "outside"},
		{Name: "gpt-partition-1TiB-extract", Files: map[string][]byte{"d": gptLastLBA(gpt, 2048+tib)}, Args: []string{"extract", "-i", "{in}/d", "-f", "{out}/p", "p"}},
		{Name: "mbr-partition-2TiB", Files: map[string][]byte{"d": patch(mbr, 446+12, le32(0xffffffff))}, Args: extract, WantErr: "past the end"},
		{Name: "mbr-partition-2TiB-extract", Files: map[string][]byte{"d": patch(mbr, 446+12, le32(0xffffffff))}, Args: []string{"extract", "-i", "{in}/d", "-f", "{out}/p", "1"}},
		{Name: "mbr-start-past-end", Files: map[string][]byte{"d": patch(mbr, 446+8, le32(0xfffffff0))}, Args: extract},
		{Name: "gpt-truncated", Files: map[string][]byte{"d": gpt[:1024]}, Args: []string{"ls", "{in}/d"}},
	}
}
