package verity

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// Small trees by hand: one data block has no hash level (the root hashes
// the block); two blocks give one hash block holding both hashes.
func TestSmallTreesByHand(t *testing.T) {
	one, _ := Build(bytes.Repeat([]byte{1}, BlockSize), []byte("s"))
	want := sha256.Sum256(append([]byte("s"), bytes.Repeat([]byte{1}, BlockSize)...))
	if len(one.Hashes) != 0 || !bytes.Equal(one.Root, want[:]) {
		t.Fatalf("one block: root %x, want %x", one.Root, want)
	}
	data := bytes.Repeat([]byte{0xab}, 2*BlockSize)
	salt := []byte("salt")
	tr, err := Build(data, salt)
	if err != nil {
		t.Fatal(err)
	}
	leaf := sha256.Sum256(append(append([]byte(nil), salt...), data[:BlockSize]...))
	block := make([]byte, BlockSize)
	copy(block, leaf[:])
	copy(block[32:], leaf[:])
	root := sha256.Sum256(append(append([]byte(nil), salt...), block...))
	if !bytes.Equal(tr.Hashes, block) || !bytes.Equal(tr.Root, root[:]) {
		t.Fatalf("root %x, want %x", tr.Root, root)
	}
}

// veritysetup (cryptsetup) verifies our trees: one level, two levels, and
// three levels (more than 128*128 blocks would be slow; 129 blocks already
// needs a second level).
func TestVeritysetupVerifies(t *testing.T) {
	if _, err := exec.LookPath("veritysetup"); err != nil {
		t.Fatal("veritysetup not installed (cryptsetup-bin; ./bazelw installs it)")
	}
	for _, blocks := range []int{1, 128, 129, 300} {
		data := make([]byte, blocks*BlockSize)
		rand.New(rand.NewSource(int64(blocks))).Read(data)
		salt := sha256.Sum256([]byte(strconv.Itoa(blocks)))
		tr, err := Build(data, salt[:])
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		img := filepath.Join(dir, "img")
		os.WriteFile(img, append(append([]byte(nil), data...), tr.Hashes...), 0o644)
		verify := func(root []byte) error {
			return exec.Command("veritysetup", "verify", "--no-superblock",
				"--data-blocks", strconv.Itoa(blocks), "--hash-offset", strconv.Itoa(len(data)),
				"--salt", hex.EncodeToString(tr.Salt), img, img, hex.EncodeToString(root)).Run()
		}
		if err := verify(tr.Root); err != nil {
			t.Errorf("%d blocks: veritysetup rejects our tree: %v", blocks, err)
		}
		bad := append([]byte(nil), tr.Root...)
		bad[0] ^= 1
		if err := verify(bad); err == nil {
			t.Errorf("%d blocks: veritysetup accepts a wrong root hash", blocks)
		}
	}
}
