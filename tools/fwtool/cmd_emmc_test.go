package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEmmcUpdateOnFileModel(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "card")
	if _, e, rc := bootupRun(t, "emmc", "model", "--size", "0x20000", "--active", "0", model); rc != 0 {
		t.Fatal(e)
	}
	img := filepath.Join(dir, "boot.img")
	os.WriteFile(img, bytes.Repeat([]byte("bootimage"), 700), 0o644)
	out, e, rc := bootupRun(t, "emmc", "update", "--model", model, img)
	if rc != 0 || !strings.Contains(out, "to boot1, verified, PARTITION_CONFIG now boots boot1 (was boot0)") {
		t.Fatalf("update: %q %q", out, e)
	}
	boot1, _ := os.ReadFile(filepath.Join(model, "boot1"))
	boot0, _ := os.ReadFile(filepath.Join(model, "boot0"))
	if !bytes.HasPrefix(boot1, bytes.Repeat([]byte("bootimage"), 700)) || !bytes.Equal(boot0, make([]byte, 0x20000)) {
		t.Fatal("wrong partition written")
	}
	if out, _, _ := bootupRun(t, "emmc", "status", "--model", model); !strings.Contains(out, "Boots from:       boot1") {
		t.Fatalf("status: %s", out)
	}
	// The same image again: the active partition already holds it.
	if out, _, _ := bootupRun(t, "emmc", "update", "--model", model, img); !strings.Contains(out, "boot1 already holds") {
		t.Fatalf("second update: %s", out)
	}
	big := filepath.Join(dir, "big.img")
	os.WriteFile(big, make([]byte, 0x20001), 0o644)
	if _, e, rc := bootupRun(t, "emmc", "update", "--model", model, big); rc != 1 || !strings.Contains(e, "does not fit") || strings.Count(e, "\n") != 1 {
		t.Fatalf("oversized: %d %q", rc, e)
	}
}
