package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/elfgen"
)

// A manifest blob with "symbols" gets its _binman_* symbols patched, as the
// layout_blob rule's elf attribute asks for.
func TestBuildManifestPatchesSymbols(t *testing.T) {
	dir := t.TempDir()
	spl := bytes.Repeat([]byte{0xaa}, 16)
	elf := elfgen.Build(false, 0x1000, spl, []elfgen.Symbol{
		{Name: "__image_copy_start", Addr: 0x1000},
		{Name: "_binman_u_boot_prop_offset", Addr: 0x1004, Size: 4},
		{Name: "_binman_u_boot_prop_size", Addr: 0x1008, Size: 4},
	})
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	splBin := write("u-boot-spl.bin", spl)
	splELF := write("u-boot-spl", elf)
	uboot := write("u-boot.bin", []byte("U-BOOT PROPER"))
	manifest := write("m.json", []byte(fmt.Sprintf(`{"version": 1, "image": {"name": "image", "entries": [
	  {"name": "u-boot-spl", "type": "blob", "path": %q, "symbols": {"elf": %q}},
	  {"name": "u-boot", "type": "blob", "path": %q, "offset": "0x40"}
	]}}`, splBin, splELF, uboot)))
	out := filepath.Join(dir, "image.bin")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"build", "--manifest", manifest, "--output", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	img, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := binary.LittleEndian.Uint32(img[4:]); got != 0x40 {
		t.Errorf("_binman_u_boot_prop_offset = %#x, want 0x40", got)
	}
	if got := binary.LittleEndian.Uint32(img[8:]); got != 13 {
		t.Errorf("_binman_u_boot_prop_size = %d, want 13", got)
	}
	if !bytes.Equal(img[:4], spl[:4]) || !bytes.Equal(img[12:16], spl[12:16]) {
		t.Errorf("bytes around the symbols changed: % x", img[:16])
	}
}
