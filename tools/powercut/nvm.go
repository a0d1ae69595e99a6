package powercut

import "fmt"

// NVM is NOR-style flash: erasing a block sets it to FF; programming can
// only clear bits (the stored byte becomes old AND new), in units of
// ProgSize bytes at ProgSize-aligned offsets. Each erased block and each
// programmed unit is one operation.
type NVM struct {
	Data      []byte
	EraseSize int
	ProgSize  int
	P         *Power
}

// NewNVM returns erased flash of size bytes.
func NewNVM(size, eraseSize, progSize int, p *Power) *NVM {
	n := &NVM{Data: make([]byte, size), EraseSize: eraseSize, ProgSize: progSize, P: p}
	for i := range n.Data {
		n.Data[i] = 0xff
	}
	return n
}

// Erase erases the blocks covering [off, off+size).
func (n *NVM) Erase(off, size int, what string) error {
	if off%n.EraseSize != 0 {
		return fmt.Errorf("erase at 0x%x: not block aligned", off)
	}
	for b := off; b < off+size; b += n.EraseSize {
		blk := n.Data[b : b+n.EraseSize]
		cut, partial := n.P.Step(func() string { return fmt.Sprintf("%s: erase block 0x%x", what, b) })
		if cut {
			if partial {
				// A torn erase leaves some bits erased, others not.
				r := n.P.Rand()
				for i := range blk {
					blk[i] |= byte(r.Intn(256))
				}
			}
			return ErrPowerCut
		}
		for i := range blk {
			blk[i] = 0xff
		}
	}
	return nil
}

// ProgramUnit programs one unit at off (aligned) with data (ProgSize bytes).
func (n *NVM) ProgramUnit(off int, data []byte, what string) error {
	if off%n.ProgSize != 0 || len(data) != n.ProgSize {
		return fmt.Errorf("program at 0x%x+%d: not one aligned %d-byte unit", off, len(data), n.ProgSize)
	}
	u := n.Data[off : off+n.ProgSize]
	cut, partial := n.P.Step(func() string { return fmt.Sprintf("%s: program 0x%x", what, off) })
	if cut {
		if partial {
			// A torn program clears only some of the bits it should.
			r := n.P.Rand()
			for i := range u {
				u[i] &= data[i] | byte(r.Intn(256))
			}
		}
		return ErrPowerCut
	}
	for i := range u {
		u[i] &= data[i]
	}
	return nil
}

// Read returns a copy of [off, off+size).
func (n *NVM) Read(off, size int) []byte {
	return append([]byte(nil), n.Data[off:off+size]...)
}

// Region is a slice of NVM, erase-block aligned.
type Region struct {
	Name      string
	Off, Size int
}

// Bytes is the region's current contents (not a copy).
func (r Region) Bytes(n *NVM) []byte { return n.Data[r.Off : r.Off+r.Size] }
