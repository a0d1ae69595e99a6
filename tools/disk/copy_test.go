package disk

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestCopyFileKeepsDataAndHoles(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("start"), 0)
	f.WriteAt([]byte("end"), 64<<20-3) // 64 MiB, nearly all hole
	f.Close()
	in, _ := os.Open(src)
	defer in.Close()
	out, err := os.Create(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := CopyFile(out, in); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(src)
	b, _ := os.ReadFile(out.Name())
	if !bytes.Equal(a, b) {
		t.Fatal("copy differs from the source")
	}
	if a := allocated(t, out.Name()); a > 8<<20 {
		t.Errorf("copy allocates %d bytes for 8 bytes of data: holes were filled", a)
	}
}
