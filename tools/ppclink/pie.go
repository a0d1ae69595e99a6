package ppclink

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// -pie links, as the kernel's wrapper does for its epapr platform
// (ld -pie --no-dynamic-linker -z notext): every absolute 32-bit relocation
// of a loaded section becomes an R_PPC_RELATIVE in .rela.dyn (sorted by
// address, the section's bytes left as they were), and ld's dynamic
// sections come with it: .dynsym with the one section symbol ld keeps,
// an empty .dynstr, .hash and .gnu.hash for no symbols, and .dynamic
// (with five spare DT_NULL entries, ld's default).

const (
	shtHash    = 5
	shtDynamic = 6
	shtDynsym  = 11
	shtGNUHash = 0x6ffffff6

	rPPCRelative = 22

	dtNull, dtHash, dtStrtab, dtSymtab, dtRela, dtRelasz, dtRelaent = 0, 4, 5, 6, 7, 8, 9
	dtStrsz, dtSyment, dtDebug, dtTextrel, dtFlags                  = 10, 11, 21, 22, 30
	dtGNUHash, dtFlags1, dtRelacount                                = 0x6ffffef5, 0x6ffffffb, 0x6ffffff9
	dfTextrel, df1PIE                                               = 4, 0x08000000
	spareDynTags                                                    = 5
)

type dynamicSections struct {
	dynsym, dynstr, dynamic, hash, gnuHash, rela *inSection
	relocs                                       []dynReloc
	textrel                                      bool
}

type dynReloc struct {
	sec *inSection
	r   reloc
}

// needsRelative says whether a relocation turns into an R_PPC_RELATIVE.
func (l *linker) needsRelative(s *inSection, sym *inSym, r reloc) bool {
	if r.typ != rPPCAddr32 || s.flags&shfAlloc == 0 {
		return false
	}
	if sym.shndx == shnAbs {
		return false
	}
	if g := sym.g; g != nil {
		if !g.defined() && !scriptSymbol(g.name) || g.abs {
			return false // undefined weak: 0, no dynamic relocation
		}
		if g.def != nil && g.def.shndx == shnAbs {
			return false
		}
	}
	return true
}

// scriptSymbol: the layout defines it (known before addresses are).
func scriptSymbol(name string) bool {
	for _, st := range zImageLayout {
		for _, it := range st.body {
			if it.sym == name {
				return true
			}
		}
	}
	return name == "_GLOBAL_OFFSET_TABLE_" || name == "_DYNAMIC"
}

// scanDynamic collects the dynamic relocations and rejects relocations a
// -pie link cannot resolve without dynamic symbols.
func (l *linker) scanDynamic() error {
	d := &dynamicSections{}
	l.dyn = d
	for _, o := range l.objs {
		for _, s := range o.sections {
			if s.flags&shfAlloc == 0 || !placeable(s) {
				continue
			}
			for _, r := range s.relocs {
				sym := o.syms[r.sym]
				switch r.typ {
				case rPPCAddr24, rPPCAddr16, rPPCAddr16Lo, rPPCAddr16Hi, rPPCAddr16Ha, rPPCAddr14:
					if sym.shndx != shnAbs && (sym.g == nil || sym.g.defined()) {
						return fmt.Errorf("%s: section '%s' offset %#x: %s against '%s' needs a dynamic relocation this -pie link does not make", o.name, s.name, r.off, relocName(r.typ), sym.name)
					}
				}
				if l.needsRelative(s, sym, r) {
					d.relocs = append(d.relocs, dynReloc{s, r})
					if s.flags&shfWrite == 0 {
						d.textrel = true
					}
				}
			}
		}
	}
	return nil
}

// dynamicSections are the linker's sections for a -pie link, made in the
// object ld makes them in.
func (l *linker) dynamicSections(o *object) []*inSection {
	d := l.dyn
	mk := func(name string, typ, flags, size, align, ent uint32) *inSection {
		return &inSection{obj: o, name: name, typ: typ, flags: flags, size: size, align: align,
			entsize: ent, data: make([]byte, size), linker: true}
	}
	d.dynsym = mk(".dynsym", shtDynsym, shfAlloc, 2*symSize, 4, symSize)
	d.dynstr = mk(".dynstr", shtStrtab, shfAlloc, 1, 1, 0)
	d.dynamic = mk(".dynamic", shtDynamic, shfAlloc|shfWrite, uint32(8*(len(l.dynTags(nil))+spareDynTags)), 4, 8)
	d.hash = mk(".hash", shtHash, shfAlloc, 5*4, 4, 4)
	d.gnuHash = mk(".gnu.hash", shtGNUHash, shfAlloc, 6*4, 4, 4)
	d.rela = mk(".rela.dyn", shtRela, shfAlloc, uint32(len(d.relocs))*relaSize, 4, relaSize)
	l.dynamic = d.dynamic
	return []*inSection{d.dynsym, d.dynstr, d.dynamic, d.hash, d.gnuHash, d.rela}
}

type dynTag struct{ tag, val uint32 }

// dynTags lists .dynamic in ld's order (addresses once laid out).
func (l *linker) dynTags(d *dynamicSections) []dynTag {
	addr := func(s *inSection) uint32 {
		if d == nil {
			return 0
		}
		return s.out.addr + s.offset
	}
	var size uint32
	if d != nil {
		size = d.rela.size
	}
	tags := []dynTag{
		{dtHash, addr(l.dyn.hash)}, {dtGNUHash, addr(l.dyn.gnuHash)}, {dtStrtab, addr(l.dyn.dynstr)},
		{dtSymtab, addr(l.dyn.dynsym)}, {dtStrsz, 1}, {dtSyment, symSize}, {dtDebug, 0},
	}
	if len(l.dyn.relocs) > 0 {
		tags = append(tags, dynTag{dtRela, addr(l.dyn.rela)}, dynTag{dtRelasz, size}, dynTag{dtRelaent, relaSize})
	}
	if l.dyn.textrel {
		tags = append(tags, dynTag{dtTextrel, 0}, dynTag{dtFlags, dfTextrel})
	}
	tags = append(tags, dynTag{dtFlags1, df1PIE})
	if len(l.dyn.relocs) > 0 {
		tags = append(tags, dynTag{dtRelacount, uint32(len(l.dyn.relocs))})
	}
	return tags
}

// fillDynamic writes the dynamic sections once addresses are known.
func (l *linker) fillDynamic(kept []*outSection) error {
	d := l.dyn
	if !d.dynsym.keep {
		return fmt.Errorf("-pie link: the dynamic sections were not placed")
	}
	// The one dynamic symbol ld keeps: the first loaded section's.
	var text *outSection
	for _, os := range kept {
		if os.flags&shfAlloc != 0 && os.typ != shtNobits {
			text = os
			break
		}
	}
	sym := d.dynsym.data[symSize:]
	binary.BigEndian.PutUint32(sym[4:], text.addr)
	sym[12] = sttSection
	binary.BigEndian.PutUint16(sym[14:], uint16(text.shndx))
	dynsym, dynstr := d.dynsym.out, d.dynstr.out
	dynsym.link, dynsym.info = uint32(dynstr.shndx), 2
	d.dynamic.out.link = uint32(dynstr.shndx)
	d.hash.out.link = uint32(dynsym.shndx)
	d.gnuHash.out.link = uint32(dynsym.shndx)
	d.rela.out.link = uint32(dynsym.shndx)
	binary.BigEndian.PutUint32(d.hash.data, 1)
	binary.BigEndian.PutUint32(d.hash.data[4:], 2)
	for i, v := range []uint32{1, 1, 1, 0, 0, 0} {
		binary.BigEndian.PutUint32(d.gnuHash.data[4*i:], v)
	}
	for i, t := range l.dynTags(d) {
		binary.BigEndian.PutUint32(d.dynamic.data[8*i:], t.tag)
		binary.BigEndian.PutUint32(d.dynamic.data[8*i+4:], t.val)
	}
	type rel struct{ off, val uint32 }
	var rels []rel
	for _, dr := range d.relocs {
		sv, a, err := l.symbolValue(dr.sec.obj.syms[dr.r.sym], dr.r)
		if err != nil {
			return fmt.Errorf("%s: section '%s' offset %#x: %v", dr.sec.obj.name, dr.sec.name, dr.r.off, err)
		}
		rels = append(rels, rel{dr.sec.out.addr + dr.sec.offset + dr.r.off, sv + uint32(a)})
	}
	sort.SliceStable(rels, func(i, j int) bool { return rels[i].off < rels[j].off })
	for i, r := range rels {
		b := d.rela.data[i*relaSize:]
		binary.BigEndian.PutUint32(b, r.off)
		binary.BigEndian.PutUint32(b[4:], rPPCRelative)
		binary.BigEndian.PutUint32(b[8:], r.val)
	}
	if l.gotIn != nil {
		off := 0
		if l.pltOld {
			off = 4
		}
		binary.BigEndian.PutUint32(l.gotIn.data[off:], d.dynamic.out.addr+d.dynamic.offset)
	}
	return nil
}
