package emmc

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/rules-firmware/rules_firmware/tools/outfile"
)

// The file model on disk: a directory holding boot0, boot1 and ext_csd
// (512 bytes), so `fwtool emmc update --model DIR` runs the same Update a
// real card gets. force_ro is not kept on disk; it starts set, as Linux
// sets it.

var modelFiles = []string{"boot0", "boot1", "ext_csd"}

// LoadModel reads a file model.
func LoadModel(dir string) (*Model, error) {
	m := &Model{RO: [2]bool{true, true}}
	for i, name := range modelFiles {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("eMMC model: %w", err)
		}
		if i < 2 {
			m.Boot[i] = b
		} else {
			m.Ext = b
		}
	}
	if len(m.Ext) != ExtCSDSize {
		return nil, fmt.Errorf("eMMC model %s: ext_csd has %d bytes, want %d", dir, len(m.Ext), ExtCSDSize)
	}
	for i := 0; i < 2; i++ {
		if int64(len(m.Boot[i])) != BootSize(m.Ext) {
			return nil, fmt.Errorf("eMMC model %s: boot%d has %d bytes, EXT_CSD BOOT_SIZE_MULT says %d", dir, i, len(m.Boot[i]), BootSize(m.Ext))
		}
	}
	return m, nil
}

// SaveModel writes a file model (each file atomically).
func SaveModel(dir string, m *Model) error {
	for i, b := range [][]byte{m.Boot[0], m.Boot[1], m.Ext} {
		if err := outfile.WriteBytes(filepath.Join(dir, modelFiles[i]), b); err != nil {
			return err
		}
	}
	return nil
}
