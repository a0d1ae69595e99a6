package layout

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Entries and CBFS files with compress = "lzma" hold what binman's
// `lzma_alone e IN OUT -lc1 -lp0 -pb0 -d8` writes, byte for byte, and
// read back. The input is long enough (past the 256-byte window and the
// encoder's 4096-position parse) that another encoder's valid stream
// would differ.
func TestLzmaMatchesBinmansLzmaAlone(t *testing.T) {
	path, err := exec.LookPath("lzma_alone")
	if err != nil {
		t.Fatal("no lzma_alone on PATH (Debian lzma-alone): binman's lzma compressor")
	}
	var data bytes.Buffer
	for i := 0; data.Len() < 40000; i++ {
		fmt.Fprintf(&data, "u-boot %d: dram init %x\x00", i%50, i*7)
		data.Write(bytes.Repeat([]byte{0xff}, i%300))
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	if err := os.WriteFile(in, data.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(path, "e", in, out, "-lc1", "-lp0", "-pb0", "-d8").CombinedOutput(); err != nil {
		t.Fatalf("lzma_alone: %v: %s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Compress("lzma", data.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("lzma entry: %d bytes, lzma_alone wrote %d (different streams)", len(got), len(want))
	}
	back, err := DecompressLimit("lzma", got, int64(data.Len()))
	if err != nil || !bytes.Equal(back, data.Bytes()) {
		t.Fatalf("read back %d bytes (%v), want %d", len(back), err, data.Len())
	}
}
