package ppcwrap

import (
	"encoding/binary"
	"fmt"
)

// TreeMagic is the first word of an IBM OpenBIOS ("treeboot") boot block.
const TreeMagic = 0x0052504f

const treeBlock = 512

// treeSkip is how much of the ELF the boot block leaves out: everything
// before the first segment, which ld puts at file offset 64 KiB.
const treeSkip = 64 * 1024

// MkTree wraps a linked ELF for IBM's OpenBIOS the way the kernel's host
// tool mktree does: a 32-byte boot block (magic, load address, size in
// 512-byte blocks, debug flag 0, entry, checksum, two reserved words), then
// the ELF from offset 64 KiB in 512-byte blocks.
//
// Facts of the reference tool kept for byte identity: the block count is
// (size + 512) / 512, so a file of whole blocks gets one block more than
// it needs; the tail of a short last block (and any block read past the
// end of the file) repeats the bytes of the block read before it, because
// the tool reuses one buffer; and the checksum is the 32-bit sum of the
// header and data words as the build host loads them, then stored big
// endian. hostLittleEndian picks the host: true for the x86 and arm64
// machines kernels are normally built on (a PowerPC-hosted build sums
// big-endian words and gets a different checksum).
func MkTree(name string, elf []byte, load, entry uint32, hostLittleEndian bool) ([]byte, error) {
	if len(elf) < treeBlock {
		return nil, fmt.Errorf("%s is too small to be an ELF image (%d bytes, mktree reads a first block of %d)", name, len(elf), treeBlock)
	}
	if string(elf[:4]) != "\x7fELF" {
		return nil, fmt.Errorf("%s is not an ELF image", name)
	}
	if len(elf) < treeSkip {
		return nil, fmt.Errorf("%s is %d bytes; mktree skips the first %d (the ELF headers before the first segment)", name, len(elf), treeSkip)
	}
	nblks := (len(elf) + treeBlock) / treeBlock
	host := binary.ByteOrder(binary.BigEndian)
	if hostLittleEndian {
		host = binary.LittleEndian
	}
	out := make([]byte, 32, 32+(nblks-treeSkip/treeBlock)*treeBlock)
	binary.BigEndian.PutUint32(out[0:], TreeMagic)
	binary.BigEndian.PutUint32(out[4:], load)
	binary.BigEndian.PutUint32(out[8:], uint32(nblks))
	binary.BigEndian.PutUint32(out[16:], entry)
	var sum uint32
	for i := 0; i < 32; i += 4 {
		sum += host.Uint32(out[i:])
	}
	buf := make([]byte, treeBlock)
	copy(buf, elf[:treeBlock])
	pos := treeSkip
	for n := nblks - treeSkip/treeBlock; n > 0; n-- {
		if pos < len(elf) {
			pos += copy(buf, elf[pos:])
		}
		for i := 0; i < treeBlock; i += 4 {
			sum += host.Uint32(buf[i:])
		}
		out = append(out, buf...)
	}
	binary.BigEndian.PutUint32(out[20:], sum)
	return out, nil
}
