// Command payloadgen writes the PowerPC test kernel the boot-wrapper tests
// wrap: a few hand-assembled ppc32 instructions, linked as a `vmlinux` ELF
// with one PT_LOAD at address 0 (where the wrapper decompresses a kernel
// and jumps). It prints "RF-PPC-PAYLOAD " on a 16550 UART, then "FDT-OK" if
// r3 points at a flattened device tree (magic 0xd00dfeed) or "FDT-BAD", and
// spins. The UART address and register stride differ per QEMU machine.
//
//	payloadgen -uart 0x83e01003 -stride 4 -o vmlinux
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"strconv"
)

// Marker is what the payload prints before the device-tree verdict.
const Marker = "RF-PPC-PAYLOAD "

// Version is the "Linux version" string the payload carries (after the
// code and any padding), so the
// wrapper names uImages after it ("Linux-" + its third word).
const Version = "Linux version 6.1.0-rf-payload (rules_firmware PowerPC test payload)"

// Registers used.
const (
	r3, r4, r5, r6, r9, r10, r11, r31 = 3, 4, 5, 6, 9, 10, 11, 31
)

// asm is a tiny two-pass assembler: instructions may name labels defined
// later; fixups patch branch displacements once all labels are known.
type asm struct {
	code   []byte
	labels map[string]int
	fixups []fixup
}

type fixup struct {
	at    int
	label string
	cond  bool // 14-bit conditional displacement, else 24-bit
}

func (a *asm) word(w uint32)  { a.code = binary.BigEndian.AppendUint32(a.code, w) }
func (a *asm) label(n string) { a.labels[n] = len(a.code) }

func dform(op, rt, ra uint32, imm int32) uint32 {
	return op<<26 | rt<<21 | ra<<16 | uint32(uint16(imm))
}

func (a *asm) mr(ra, rs uint32)                  { a.word(31<<26 | rs<<21 | ra<<16 | rs<<11 | 444<<1) }
func (a *asm) lis(rt uint32, imm int32)          { a.word(dform(15, rt, 0, imm)) }
func (a *asm) addi(rt, ra uint32, imm int32)     { a.word(dform(14, rt, ra, imm)) }
func (a *asm) lwz(rt uint32, d int32, ra uint32) { a.word(dform(32, rt, ra, d)) }
func (a *asm) lbz(rt uint32, d int32, ra uint32) { a.word(dform(34, rt, ra, d)) }
func (a *asm) stb(rs uint32, d int32, ra uint32) { a.word(dform(38, rs, ra, d)) }
func (a *asm) cmpwi(ra uint32, imm int32)        { a.word(dform(11, 0, ra, imm)) }
func (a *asm) andiDot(ra, rs uint32, imm uint16) { a.word(28<<26 | rs<<21 | ra<<16 | uint32(imm)) }
func (a *asm) cmpw(ra, rb uint32)                { a.word(31<<26 | ra<<16 | rb<<11) }
func (a *asm) mflr(rt uint32)                    { a.word(31<<26 | rt<<21 | 8<<16 | 339<<1) }
func (a *asm) beqlr()                            { a.word(19<<26 | 12<<21 | 2<<16 | 16<<1) }
func (a *asm) ori(ra, rs uint32, imm uint16)     { a.word(24<<26 | rs<<21 | ra<<16 | uint32(imm)) }
func (a *asm) mtspr(spr, rs uint32) {
	a.word(31<<26 | rs<<21 | (spr&0x1f)<<16 | (spr>>5)<<11 | 467<<1)
}

// li32 loads a 32-bit constant.
func (a *asm) li32(rt, v uint32) {
	a.lis(rt, int32(int16(v>>16)))
	a.ori(rt, rt, uint16(v))
}

// mapE500 writes a Book E TLB1 entry (ESEL 15, protected, 1 MiB,
// cache-inhibited and guarded, supervisor read/write) mapping the 1 MiB
// around the UART to physical address phys (36-bit). A kernel started
// directly by QEMU's ppce500 (-kernel, no U-Boot) has only RAM mapped; the
// DUART lives in CCSR, which U-Boot would have mapped at 0xe0000000.
func (a *asm) mapE500(uart uint32, phys uint64) {
	const mas0, mas1, mas2, mas3, mas7 = 624, 625, 626, 627, 944
	ea := uart &^ 0xfffff
	a.li32(r10, 1<<28|15<<16) // TLBSEL 1, ESEL 15
	a.mtspr(mas0, r10)
	a.li32(r10, 0xc0000000|5<<8) // valid, IPROT, 1 MiB
	a.mtspr(mas1, r10)
	a.li32(r10, ea|0x8|0x2) // EPN, I, G
	a.mtspr(mas2, r10)
	a.li32(r10, uint32(phys)&^0xfff|0x1|0x4) // RPN, SR, SW
	a.mtspr(mas3, r10)
	a.li32(r10, uint32(phys>>32))
	a.mtspr(mas7, r10)
	a.word(0x7c0007a4) // tlbwe
	a.word(0x4c00012c) // isync
}

func (a *asm) branch(base uint32, label string, cond bool) {
	a.fixups = append(a.fixups, fixup{len(a.code), label, cond})
	a.word(base)
}
func (a *asm) b(l string)   { a.branch(18<<26, l, false) }
func (a *asm) bl(l string)  { a.branch(18<<26|1, l, false) }
func (a *asm) bne(l string) { a.branch(16<<26|4<<21|2<<16, l, true) }
func (a *asm) beq(l string) { a.branch(16<<26|12<<21|2<<16, l, true) }

// asciz places a NUL-terminated string and pads to a word boundary.
func (a *asm) asciz(s string) {
	a.code = append(append(a.code, s...), 0)
	for len(a.code)%4 != 0 {
		a.code = append(a.code, 0)
	}
}

func (a *asm) resolve() error {
	for _, f := range a.fixups {
		to, ok := a.labels[f.label]
		if !ok {
			return fmt.Errorf("undefined label %s", f.label)
		}
		d := int32(to - f.at)
		w := binary.BigEndian.Uint32(a.code[f.at:])
		if f.cond {
			w |= uint32(uint16(d)) & 0xfffc
		} else {
			w |= uint32(d) & 0x03fffffc
		}
		binary.BigEndian.PutUint32(a.code[f.at:], w)
	}
	return nil
}

// Text returns the payload's instructions for a UART whose transmit
// register is at uart and whose registers are stride bytes apart.
// A non-zero mapPhys first maps the UART's MiB to that physical address
// (Book E, see mapE500).
func Text(uart uint32, stride int32, mapPhys uint64) ([]byte, error) {
	a := &asm{labels: map[string]int{}}
	ha := int32(int16((uart + 0x8000) >> 16))
	lo := int32(int16(uart & 0xffff))
	a.mr(r31, r3) // the device tree pointer the wrapper passes
	if mapPhys != 0 {
		a.mapE500(uart, mapPhys)
	}
	a.lis(r9, ha)
	a.addi(r9, r9, lo)
	a.bl("1")
	a.asciz(Marker)
	a.label("1")
	a.mflr(r4)
	a.bl("puts")
	a.lwz(r10, 0, r31)
	a.lis(r11, -0x2ff2) // 0xd00e, then -0x113: 0xd00dfeed
	a.addi(r11, r11, -0x113)
	a.cmpw(r10, r11)
	a.bne("2")
	a.bl("3")
	a.asciz("FDT-OK\r\n")
	a.label("2")
	a.bl("3")
	a.asciz("FDT-BAD\r\n")
	a.label("3")
	a.mflr(r4)
	a.bl("puts")
	a.label("4")
	a.b("4")
	a.label("puts") // print the string at r4
	a.lbz(r5, 0, r4)
	a.cmpwi(r5, 0)
	a.beqlr()
	a.label("5")
	a.lbz(r6, 5*stride, r9) // line status: wait for an empty transmitter
	a.andiDot(r6, r6, 0x20)
	a.beq("5")
	a.stb(r5, 0, r9)
	a.addi(r4, r4, 1)
	a.b("puts")
	if err := a.resolve(); err != nil {
		return nil, err
	}
	return a.code, nil
}

func main() {
	uart := flag.String("uart", "", "address of the UART's transmit register (hex)")
	stride := flag.Int("stride", 1, "bytes between UART registers")
	out := flag.String("o", "", "output vmlinux")
	pad := flag.Int("pad", 0, "zero bytes to append to the text (a large kernel moves the wrapper's link address)")
	mapPhys := flag.String("map-e500", "", "first map the MiB holding the UART to this physical address (hex; 0xfe0000000: QEMU ppce500 CCSR, which nothing maps when QEMU starts the kernel itself)")
	flag.Parse()
	addr, err := strconv.ParseUint(*uart, 0, 32)
	if err != nil || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: payloadgen -uart ADDR [-stride N] [-map-e500 PHYS] -o FILE")
		os.Exit(2)
	}
	var phys uint64
	if *mapPhys != "" {
		if phys, err = strconv.ParseUint(*mapPhys, 0, 36); err != nil {
			fmt.Fprintf(os.Stderr, "payloadgen: -map-e500 %q: not a 36-bit address\n", *mapPhys)
			os.Exit(2)
		}
	}
	text, err := Text(uint32(addr), int32(*stride), phys)
	if err != nil {
		fmt.Fprintf(os.Stderr, "payloadgen: %v\n", err)
		os.Exit(1)
	}
	if *pad < 0 || *pad > 64<<20 {
		fmt.Fprintln(os.Stderr, "payloadgen: -pad must be between 0 and 64 MiB")
		os.Exit(2)
	}
	text = append(text, make([]byte, *pad)...)
	if err := os.WriteFile(*out, ELF(text), 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "payloadgen: %v\n", err)
		os.Exit(1)
	}
}
