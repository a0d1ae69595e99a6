package bootup

import (
	"bytes"
	"fmt"
	"io"
	"sort"

	"github.com/rules-firmware/rules_firmware/tools/elffile"
)

// maxELFSpan bounds the flat image an ELF file may produce, so a corrupt
// or hostile program header cannot make us allocate gigabytes.
const maxELFSpan = 256 << 20

// IsELF reports whether data starts with the ELF magic.
func IsELF(data []byte) bool { return bytes.HasPrefix(data, []byte(elffile.ELFMAG)) }

// FlattenELF lays out the loadable segments of an ELF file from the lowest
// physical address, as objcopy -O binary does, filling gaps with FF (the
// erased NVM value). It returns the bytes, that address and the entry.
func FlattenELF(data []byte) (bin []byte, load, entry uint64, err error) {
	f, err := elffile.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("ELF: %v", err)
	}
	var segs []*elffile.Prog
	for _, p := range f.Progs {
		if p.Type == elffile.PT_LOAD && p.Filesz > 0 {
			segs = append(segs, p)
		}
	}
	if len(segs) == 0 {
		return nil, 0, 0, fmt.Errorf("ELF: no loadable segment with file contents")
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].Paddr < segs[j].Paddr })
	lo, hi := segs[0].Paddr, uint64(0)
	for _, p := range segs {
		if end := p.Paddr + p.Filesz; end > hi {
			hi = end
		}
	}
	if hi-lo > maxELFSpan {
		return nil, 0, 0, fmt.Errorf("ELF: loadable segments span 0x%x..0x%x, more than %d MiB", lo, hi, maxELFSpan>>20)
	}
	bin = bytes.Repeat([]byte{0xff}, int(hi-lo))
	for _, p := range segs {
		if _, err := io.ReadFull(p.Open(), bin[p.Paddr-lo:p.Paddr-lo+p.Filesz]); err != nil {
			return nil, 0, 0, fmt.Errorf("ELF: segment at 0x%x: %v", p.Paddr, err)
		}
	}
	return bin, lo, f.Entry, nil
}
