package ppclink

import (
	"encoding/binary"
	"fmt"

	"github.com/rules-firmware/rules_firmware/tools/lazymap"
)

// PowerPC relocation types this linker applies.
const (
	rPPCNone     = 0
	rPPCAddr32   = 1
	rPPCAddr24   = 2
	rPPCAddr16   = 3
	rPPCAddr16Lo = 4
	rPPCAddr16Hi = 5
	rPPCAddr16Ha = 6
	rPPCAddr14   = 7
	rPPCRel24    = 10
	rPPCRel14    = 11
	rPPCPltRel24 = 18
	rPPCRel32    = 26
	rPPCRel16    = 249
	rPPCRel16Lo  = 250
	rPPCRel16Hi  = 251
	rPPCRel16Ha  = 252
)

var relocNames = &lazymap.Map[uint32, string]{New: func() map[uint32]string {
	return map[uint32]string{
		rPPCNone: "R_PPC_NONE", rPPCAddr32: "R_PPC_ADDR32", rPPCAddr24: "R_PPC_ADDR24",
		rPPCAddr16: "R_PPC_ADDR16", rPPCAddr16Lo: "R_PPC_ADDR16_LO", rPPCAddr16Hi: "R_PPC_ADDR16_HI",
		rPPCAddr16Ha: "R_PPC_ADDR16_HA", rPPCAddr14: "R_PPC_ADDR14", rPPCRel24: "R_PPC_REL24",
		rPPCRel14: "R_PPC_REL14", rPPCPltRel24: "R_PPC_PLTREL24", rPPCRel32: "R_PPC_REL32",
		rPPCRel16: "R_PPC_REL16", rPPCRel16Lo: "R_PPC_REL16_LO", rPPCRel16Hi: "R_PPC_REL16_HI",
		rPPCRel16Ha: "R_PPC_REL16_HA",
	}
}}

// relocWidth is the number of bytes a relocation type patches (0: unknown).
func relocWidth(t uint32) int {
	switch t {
	case rPPCNone:
		return 0
	case rPPCAddr32, rPPCAddr24, rPPCRel24, rPPCPltRel24, rPPCRel32, rPPCAddr14, rPPCRel14:
		return 4
	case rPPCAddr16, rPPCAddr16Lo, rPPCAddr16Hi, rPPCAddr16Ha, rPPCRel16, rPPCRel16Lo, rPPCRel16Hi, rPPCRel16Ha:
		return 2
	}
	return -1
}

func ha(v uint32) uint16 { return uint16((v + 0x8000) >> 16) }

// relocate copies an input section's contents into data (its place in the
// output) and applies its relocations there.
func (l *linker) relocate(s *inSection, data []byte) error {
	switch {
	case s.merge != nil:
		copy(data, s.merge.contents())
		return nil
	case s.eh != nil:
		copy(data, s.ehContents())
	default:
		copy(data, s.data)
	}
	o := s.obj
	base := s.out.addr + s.offset
	for _, r := range s.relocs {
		if r.typ == rPPCNone {
			continue
		}
		if s.eh != nil {
			off, ok := s.eh.mapOff(r.off)
			if !ok {
				continue // in a CIE merged away
			}
			r.off = off
		}
		sym := o.syms[r.sym]
		name := sym.displayName()
		if relocWidth(r.typ) < 0 {
			return fmt.Errorf("%s: section '%s' offset %#x: unsupported relocation type %d against '%s'", o.name, s.name, r.off, r.typ, name)
		}
		sv, a, err := l.symbolValue(sym, r)
		if err != nil {
			return fmt.Errorf("%s: section '%s' offset %#x: %s against '%s': %v", o.name, s.name, r.off, relocName(r.typ), name, err)
		}
		if l.opts.PIE && l.needsRelative(s, sym, r) {
			// The dynamic R_PPC_RELATIVE carries the value; ld leaves the
			// section's bytes as they were.
			continue
		}
		if err := patch(data[r.off:], r.typ, sv+uint32(a), base+r.off); err != nil {
			return fmt.Errorf("%s: section '%s' offset %#x: %s against '%s': %v", o.name, s.name, r.off, relocName(r.typ), name, err)
		}
	}
	return nil
}

// patch applies one relocation of type typ with value v (S+A) at address
// p to the bytes at b, checking the ranges ld checks.
func patch(b []byte, typ, v, p uint32) error {
	branch := func(d int32, mask uint32, lim int32) error {
		if d < -lim || d > lim-1 || d&3 != 0 {
			return fmt.Errorf("target %#x out of range from %#x (relocation truncated to fit)", v, p)
		}
		binary.BigEndian.PutUint32(b, binary.BigEndian.Uint32(b)&^mask|uint32(d)&mask)
		return nil
	}
	switch typ {
	case rPPCAddr32:
		binary.BigEndian.PutUint32(b, v)
	case rPPCRel32:
		binary.BigEndian.PutUint32(b, v-p)
	case rPPCAddr16Lo:
		binary.BigEndian.PutUint16(b, uint16(v))
	case rPPCAddr16Hi:
		binary.BigEndian.PutUint16(b, uint16(v>>16))
	case rPPCAddr16Ha:
		binary.BigEndian.PutUint16(b, ha(v))
	case rPPCAddr16:
		if int32(v) < -0x8000 || int32(v) > 0xffff {
			return fmt.Errorf("value %#x does not fit in 16 bits", v)
		}
		binary.BigEndian.PutUint16(b, uint16(v))
	case rPPCRel16:
		if d := int32(v - p); d < -0x8000 || d > 0x7fff {
			return fmt.Errorf("displacement %d does not fit in 16 bits", d)
		}
		binary.BigEndian.PutUint16(b, uint16(v-p))
	case rPPCRel16Lo:
		binary.BigEndian.PutUint16(b, uint16(v-p))
	case rPPCRel16Hi:
		binary.BigEndian.PutUint16(b, uint16((v-p)>>16))
	case rPPCRel16Ha:
		binary.BigEndian.PutUint16(b, ha(v-p))
	case rPPCRel24, rPPCPltRel24:
		return branch(int32(v-p), 0x03fffffc, 0x2000000)
	case rPPCAddr24:
		return branch(int32(v), 0x03fffffc, 0x2000000)
	case rPPCRel14:
		return branch(int32(v-p), 0xfffc, 0x8000)
	case rPPCAddr14:
		return branch(int32(v), 0xfffc, 0x8000)
	}
	return nil
}

func relocName(t uint32) string {
	if n, ok := relocNames.Get()[t]; ok {
		return n
	}
	return fmt.Sprintf("type %d", t)
}

// symbolValue returns S and A for a relocation: the symbol's final address
// and the addend, with section-symbol references into merged sections
// mapped to where their string went.
func (l *linker) symbolValue(sym *inSym, r reloc) (uint32, int32, error) {
	a := r.addend
	if r.typ == rPPCPltRel24 {
		// The addend of a PLT call only says which .got2 r30 points at; a
		// direct branch ignores it.
		a = 0
	}
	if sym.g != nil {
		g := sym.g
		switch {
		case g.defined():
			return g.value, a, nil
		case !g.strongRef:
			return 0, a, nil // undefined weak resolves to 0
		default:
			return 0, 0, fmt.Errorf("undefined reference")
		}
	}
	switch {
	case sym.shndx == shnAbs:
		return sym.value, a, nil
	case sym.sec == nil:
		if sym.name == "" && sym.shndx == shnUndef {
			return 0, a, nil
		}
		return 0, 0, fmt.Errorf("local symbol without section")
	case !sym.sec.keep && !sym.sec.excluded:
		return 0, 0, fmt.Errorf("section '%s' is not part of the output", sym.sec.name)
	case sym.typ() == sttSection && sym.sec.merge != nil:
		off, sec := sym.sec.mapOffsetSec(uint32(int32(sym.value) + a))
		return sec.out.addr + sec.offset + off, 0, nil
	default:
		off, sec := sym.sec.mapOffsetSec(sym.value)
		return sec.out.addr + sec.offset + off, a, nil
	}
}
