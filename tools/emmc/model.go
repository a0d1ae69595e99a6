package emmc

import (
	"errors"
	"fmt"
)

// Model is an eMMC card in memory: two boot partitions and EXT_CSD.
// Power-cut simulation hooks in through BeforeWrite, which is called before
// every 512-byte block write and every EXT_CSD SWITCH (one operation each,
// the card's unit of atomicity) and may stop the operation.
type Model struct {
	Boot [2][]byte
	Ext  []byte
	RO   [2]bool
	// BeforeWrite, when set, sees each operation before it happens.
	// Returning bytes writes them instead of the block (a torn or corrupted
	// write); returning an error (a power cut) stops the operation after
	// writing those bytes, if any.
	BeforeWrite func(op Op) (torn []byte, err error)
}

// Op is one atomic card operation.
type Op struct {
	Kind string // "write" or "switch"
	Part int
	Off  int64
	Data []byte // the block, or the new PARTITION_CONFIG byte
}

func (op Op) String() string {
	if op.Kind == "switch" {
		return fmt.Sprintf("SWITCH PARTITION_CONFIG=0x%02x", op.Data[0])
	}
	return fmt.Sprintf("write boot%d block 0x%x", op.Part, op.Off/BlockSize)
}

// NewModel makes a card with boot partitions of size bytes (a multiple of
// 128 KiB), booting from boot partition active, both force_ro as Linux
// sets them.
func NewModel(size int64, active int) *Model {
	m := &Model{Ext: make([]byte, ExtCSDSize), RO: [2]bool{true, true}}
	m.Boot[0], m.Boot[1] = make([]byte, size), make([]byte, size)
	m.Ext[ExtCSDBootSizeMult] = byte(size / (128 << 10))
	m.Ext[ExtCSDPartConfig] = withBootPartition(0x40, active) // BOOT_ACK set
	return m
}

// Clone copies the card (not its hook).
func (m *Model) Clone() *Model {
	c := &Model{Ext: append([]byte(nil), m.Ext...), RO: m.RO}
	c.Boot[0] = append([]byte(nil), m.Boot[0]...)
	c.Boot[1] = append([]byte(nil), m.Boot[1]...)
	return c
}

func (m *Model) ExtCSD() ([]byte, error) { return append([]byte(nil), m.Ext...), nil }

func (m *Model) SetPartitionConfig(v byte) error {
	if m.BeforeWrite != nil {
		if _, err := m.BeforeWrite(Op{Kind: "switch", Data: []byte{v}}); err != nil {
			return err
		}
	}
	m.Ext[ExtCSDPartConfig] = v
	return nil
}

func (m *Model) check(part int, off int64, n int) error {
	if part != 0 && part != 1 {
		return fmt.Errorf("no boot partition %d", part)
	}
	if off < 0 || off+int64(n) > int64(len(m.Boot[part])) {
		return fmt.Errorf("boot%d: 0x%x+0x%x beyond the partition's 0x%x bytes", part, off, n, len(m.Boot[part]))
	}
	return nil
}

func (m *Model) ReadBoot(part int, off int64, p []byte) error {
	if err := m.check(part, off, len(p)); err != nil {
		return err
	}
	copy(p, m.Boot[part][off:])
	return nil
}

func (m *Model) WriteBoot(part int, off int64, p []byte) error {
	if err := m.check(part, off, len(p)); err != nil {
		return err
	}
	if m.RO[part] {
		return fmt.Errorf("boot%d is read-only (force_ro)", part)
	}
	if off%BlockSize != 0 || len(p)%BlockSize != 0 {
		return errors.New("write not in whole 512-byte blocks")
	}
	for i := 0; i < len(p); i += BlockSize {
		blk := p[i : i+BlockSize]
		if m.BeforeWrite != nil {
			instead, err := m.BeforeWrite(Op{Kind: "write", Part: part, Off: off + int64(i), Data: blk})
			if instead != nil {
				blk = instead
			}
			if err != nil {
				copy(m.Boot[part][off+int64(i):], instead) // a torn block, or nothing
				return err
			}
		}
		copy(m.Boot[part][off+int64(i):], blk)
	}
	return nil
}

func (m *Model) ForceRO(part int) (bool, error) { return m.RO[part], nil }
func (m *Model) SetForceRO(part int, ro bool) error {
	m.RO[part] = ro
	return nil
}

// BootImage is what the boot ROM reads: the active boot partition, or an
// error when PARTITION_CONFIG names none.
func (m *Model) BootImage() ([]byte, int, error) {
	p, err := BootPartition(m.Ext[ExtCSDPartConfig])
	if err != nil {
		return nil, 0, err
	}
	return m.Boot[p], p, nil
}
