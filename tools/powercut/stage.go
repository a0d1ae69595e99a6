package powercut

import (
	"bytes"
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/bootup"
)

// Protocol is an order of writing an image or bundle into a region.
type Protocol int

const (
	// SignatureLast is BootUp's protocol: invalidate the old signature,
	// erase, program everything but the units holding the signature and
	// header CRC, read back and verify, program those units last.
	SignatureLast Protocol = iota
	// SignatureFirst is a deliberately wrong protocol: after erasing it
	// programs the complete header (signature included) before the body.
	// Without a body CRC a cut leaves a valid-looking partial image.
	SignatureFirst
)

func (p Protocol) String() string {
	return [...]string{"signature last", "signature first (wrong)"}[p]
}

// lastRange is the byte range (relative to the data's start) written last
// and the header range a signature-first writer puts first.
func lastRange(data []byte) (last, header [2]int, err error) {
	if len(data) >= 4 && bytes.Equal(data[:4], bootup.BundleMagic[:]) {
		// A bundle's whole header goes last (FORMAT.md).
		return [2]int{0, bootup.HeaderSize}, [2]int{0, bootup.HeaderSize}, nil
	}
	off, ok := bootup.Locate(data)
	if !ok {
		return last, header, fmt.Errorf("no image or bundle header")
	}
	h, err := bootup.ParseHeader(data[off:])
	if err != nil {
		return last, header, err
	}
	return [2]int{off + bootup.SignatureOff, off + bootup.HeaderSize}, [2]int{off, off + h.Length()}, nil
}

// Invalidate programs zeros over the signature of the image or bundle the
// region holds, if any: one program operation, no erase (NOR flash clears
// bits without erasing).
func Invalidate(n *NVM, r Region, what string) error {
	cur := r.Bytes(n)
	sig := -1
	if bytes.Equal(cur[:4], bootup.BundleMagic[:]) {
		sig = bootup.SignatureOff
	} else if off, ok := bootup.Locate(cur); ok {
		sig = off + bootup.SignatureOff
	}
	if sig < 0 || allBytes(cur[sig:sig+8], 0) {
		return nil
	}
	first := sig / n.ProgSize * n.ProgSize
	for u := first; u < sig+8; u += n.ProgSize {
		data := bytes.Repeat([]byte{0xff}, n.ProgSize)
		for i := range data {
			if p := u + i; p >= sig && p < sig+8 {
				data[i] = 0
			}
		}
		if err := n.ProgramUnit(r.Off+u, data, what+": invalidate signature"); err != nil {
			return err
		}
	}
	return nil
}

// Write puts data (an image or a bundle) at the start of region r with
// protocol p. It returns ErrPowerCut when the power fails.
func Write(n *NVM, r Region, data []byte, p Protocol, what string) error {
	if len(data) > r.Size {
		return fmt.Errorf("%s: %d bytes do not fit region %s (%d bytes)", what, len(data), r.Name, r.Size)
	}
	last, header, err := lastRange(data)
	if err != nil {
		return fmt.Errorf("%s: %v", what, err)
	}
	if err := Invalidate(n, r, what); err != nil {
		return err
	}
	size := (len(data) + n.EraseSize - 1) / n.EraseSize * n.EraseSize
	if err := n.Erase(r.Off, size, what); err != nil {
		return err
	}
	units := n.units(data)
	isLast := func(u int) bool { return u < last[1] && u+n.ProgSize > last[0] }
	isHeader := func(u int) bool { return u < header[1] && u+n.ProgSize > header[0] }
	var order []int
	switch p {
	case SignatureLast:
		for u := range units {
			if !isLast(u * n.ProgSize) {
				order = append(order, u)
			}
		}
	case SignatureFirst:
		for u := range units {
			if isHeader(u * n.ProgSize) {
				order = append(order, u)
			}
		}
		for u := range units {
			if !isHeader(u * n.ProgSize) {
				order = append(order, u)
			}
		}
	}
	for _, u := range order {
		if err := n.ProgramUnit(r.Off+u*n.ProgSize, units[u], what+": "+n.unitKind(u, last, header)); err != nil {
			return err
		}
	}
	if p == SignatureFirst {
		return nil
	}
	// Verify before committing: only then may the signature be written.
	got := n.Read(r.Off, len(units)*n.ProgSize)
	for _, u := range order {
		if !bytes.Equal(got[u*n.ProgSize:(u+1)*n.ProgSize], units[u]) {
			return fmt.Errorf("%s: verify failed at 0x%x", what, r.Off+u*n.ProgSize)
		}
	}
	for u := range units {
		if isLast(u * n.ProgSize) {
			if err := n.ProgramUnit(r.Off+u*n.ProgSize, units[u], what+": signature (last)"); err != nil {
				return err
			}
		}
	}
	return nil
}

func (n *NVM) unitKind(u int, last, header [2]int) string {
	if o := u * n.ProgSize; o < header[1] && o+n.ProgSize > header[0] {
		return "header"
	}
	return "body"
}

// units splits data into program units, the last one padded with FF.
func (n *NVM) units(data []byte) [][]byte {
	var out [][]byte
	for o := 0; o < len(data); o += n.ProgSize {
		u := bytes.Repeat([]byte{0xff}, n.ProgSize)
		copy(u, data[o:])
		out = append(out, u)
	}
	return out
}

func allBytes(b []byte, v byte) bool {
	for _, c := range b {
		if c != v {
			return false
		}
	}
	return true
}
