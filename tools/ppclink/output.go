package ppclink

import (
	"encoding/binary"
	"fmt"
	"sort"
)

const (
	ptLoad      = 1
	ptDynamic   = 2
	ptGNUStack  = 0x6474e551
	maxPageSize = 0x10000
	phdrSize    = 32
)

// output applies relocations and builds the Output.
func (l *linker) output() (*Output, error) {
	if err := l.checkUndefined(); err != nil {
		return nil, err
	}
	var kept []*outSection
	for _, os := range l.outs {
		if os.kept {
			kept = append(kept, os)
			os.shndx = len(kept)
		}
	}
	if l.opts.PIE {
		if err := l.fillDynamic(kept); err != nil {
			return nil, err
		}
	}
	for _, os := range kept {
		if os.typ == shtNobits {
			continue
		}
		os.data = make([]byte, os.size)
		end := uint32(0)
		for _, p := range os.parts {
			if p.in == nil || p.in.excluded || p.in.typ == shtNobits {
				continue
			}
			if os.flags&shfExecinstr != 0 {
				nopFill(os.data[end:p.off])
			}
			end = p.off + p.in.outSize()
			if err := l.relocate(p.in, os.data[p.off:end]); err != nil {
				return nil, err
			}
		}
	}
	out := &Output{Entry: l.globals[l.opts.Entry].value, syms: map[string]uint32{}}
	for _, os := range kept {
		out.Sections = append(out.Sections, Section{Name: os.name, Type: os.typ, Flags: os.flags,
			Addr: os.addr, Size: os.size, Align: os.align, Data: os.data})
	}
	for name, g := range l.globals {
		if g.defined() {
			out.syms[name] = g.value
		}
	}
	out.elf = l.writeELF(kept, out.Entry)
	return out, nil
}

// nopFill fills alignment padding in code as ld does on PowerPC
// (bfd_arch_ppc_nop_fill): nops when the gap is whole instructions, zeros
// otherwise.
func nopFill(b []byte) {
	if len(b)%4 != 0 {
		return
	}
	for i := 0; i < len(b); i += 4 {
		binary.BigEndian.PutUint32(b[i:], 0x60000000)
	}
}

// checkUndefined reports the first strongly referenced symbol nothing
// defines, naming an object and section that use it.
func (l *linker) checkUndefined() error {
	for _, o := range l.objs {
		for _, s := range o.sections {
			for _, r := range s.relocs {
				g := o.syms[r.sym].g
				if g != nil && !g.defined() && g.strongRef && s.keep {
					return fmt.Errorf("%s: section '%s' offset %#x: undefined reference to '%s'", o.name, s.name, r.off, g.name)
				}
			}
		}
	}
	for _, g := range l.gorder {
		if !g.defined() && g.strongRef {
			who := "the linker script"
			if g.refObj != nil {
				who = g.refObj.name
			}
			return fmt.Errorf("%s: undefined reference to '%s'", who, g.name)
		}
	}
	return nil
}

// strtab builds an ELF string table the way bfd's elf-strtab.c does: strings
// in the order first added, those that are the tail of another kept string
// pointing into it.
type strtab struct {
	list  []string
	index map[string]int
	off   map[string]uint32
	data  []byte
}

func newStrtab() *strtab { return &strtab{index: map[string]int{}} }

func (t *strtab) add(s string) {
	if s == "" {
		return
	}
	if _, ok := t.index[s]; !ok {
		t.index[s] = len(t.list)
		t.list = append(t.list, s)
	}
}

func (t *strtab) finalize() {
	arr := append([]string(nil), t.list...)
	sort.Slice(arr, func(i, j int) bool { return revStrLess(arr[i], arr[j]) })
	suffixOf := map[string]string{}
	if len(arr) > 0 {
		e := arr[len(arr)-1]
		for i := len(arr) - 2; i >= 0; i-- {
			c := arr[i]
			if len(e) > len(c) && e[len(e)-len(c):] == c {
				suffixOf[c] = e
			} else {
				e = c
			}
		}
	}
	t.off = map[string]uint32{}
	t.data = []byte{0}
	for _, s := range t.list {
		if _, ok := suffixOf[s]; ok {
			continue
		}
		t.off[s] = uint32(len(t.data))
		t.data = append(append(t.data, s...), 0)
	}
	for s, e := range suffixOf {
		t.off[s] = t.off[e] + uint32(len(e)-len(s))
	}
}

func revStrLess(a, b string) bool {
	n := len(a)
	if len(b) < n {
		n = len(b)
	}
	for k := 1; k <= n; k++ {
		if a[len(a)-k] != b[len(b)-k] {
			return a[len(a)-k] < b[len(b)-k]
		}
	}
	return len(a) < len(b)
}

func (t *strtab) get(s string) uint32 {
	if s == "" {
		return 0
	}
	return t.off[s]
}

type outSymbol struct {
	name  string
	value uint32
	size  uint32
	info  byte
	other byte
	shndx uint16
}

// symbols builds the output symbol table as ld orders it: section symbols,
// each object's locals (behind its FILE symbol), symbols forced local, then
// the globals in the order of ld's symbol hash table.
func (l *linker) symbols(kept []*outSection) ([]outSymbol, int) {
	syms := []outSymbol{{}}
	for _, os := range kept {
		v := os.addr
		if os.flags&shfAlloc == 0 {
			v = 0
		}
		syms = append(syms, outSymbol{value: v, info: sttSection, shndx: uint16(os.shndx)})
	}
	for _, o := range l.objs {
		var locals []outSymbol
		for i, s := range o.syms {
			if i == 0 || s.bind() != stbLocal || s.typ() == sttSection {
				continue
			}
			if s.typ() == sttFile {
				locals = append(locals, outSymbol{name: s.name, info: sttFile, shndx: shnAbs})
				continue
			}
			os, ok := l.localSymbol(s)
			if !ok {
				continue
			}
			locals = append(locals, os)
		}
		if len(locals) > 0 && !o.hasFile {
			locals = append([]outSymbol{{name: o.base, info: sttFile, shndx: shnAbs}}, locals...)
		}
		syms = append(syms, locals...)
	}
	hashed := l.hashOrder()
	var forced []outSymbol
	var globals []outSymbol
	for _, g := range hashed {
		s, ok := l.globalSymbol(g, kept)
		if !ok {
			continue
		}
		if s.info>>4 == stbLocal {
			forced = append(forced, s)
		} else {
			globals = append(globals, s)
		}
	}
	if len(forced) > 0 {
		syms = append(syms, outSymbol{info: sttFile, shndx: shnAbs})
		syms = append(syms, forced...)
	}
	nlocal := len(syms)
	return append(syms, globals...), nlocal
}

func (l *linker) localSymbol(s *inSym) (outSymbol, bool) {
	o := outSymbol{name: s.name, size: s.size, info: s.info, other: s.other}
	switch {
	case s.shndx == shnAbs:
		o.value, o.shndx = s.value, shnAbs
	case s.sec == nil:
		return o, false
	case s.sec.merge != nil && len(s.name) >= 2 && s.name[:2] == ".L":
		return o, false
	case s.sec.keep || s.sec.excluded:
		off, sec := s.sec.mapOffsetSec(s.value)
		if sec.out == nil {
			return o, false
		}
		o.value, o.shndx = sec.out.addr+sec.offset+off, uint16(sec.out.shndx)
	default:
		return o, false
	}
	return o, true
}

func (l *linker) globalSymbol(g *global, kept []*outSection) (outSymbol, bool) {
	s := outSymbol{name: g.name, value: g.value}
	bind := byte(stbGlobal)
	switch {
	case g.script:
		s.info = bind<<4 | sttNotype
		if g.forcedLocal {
			s.info = stbLocal<<4 | sttObject
		}
		s.shndx = l.sectionIndexFor(g)
	case g.def != nil:
		d := g.def
		if d.bind() == stbWeak {
			bind = stbWeak
		}
		s.size, s.other = d.size, d.other
		s.info = bind<<4 | d.typ()
		if g.abs {
			s.shndx = shnAbs
		} else {
			s.shndx = uint16(g.out.shndx)
		}
		if v := d.other & 3; v == 2 || v == 1 { // hidden, internal: forced local
			s.info = stbLocal<<4 | d.typ()
		}
	case g.common:
		s.size = g.comSize
		s.info = stbGlobal<<4 | g.comType
		s.shndx = uint16(g.out.shndx)
	default:
		// Undefined weak symbols resolve to 0 and, as with ld on ppc32,
		// do not appear in the output's symbol table.
		return s, false
	}
	return s, true
}

// sectionIndexFor gives a script symbol its section: the one it was
// assigned in, or, when that was dropped as empty, the neighbour bfd's
// _bfd_nearby_section would choose.
func (l *linker) sectionIndexFor(g *global) uint16 {
	if g.out == nil {
		return shnAbs
	}
	if g.out.kept {
		return uint16(g.out.shndx)
	}
	var prev, next *outSection
	seen := false
	for _, os := range l.outs {
		if os == g.out {
			seen = true
			continue
		}
		if !os.kept {
			continue
		}
		if !seen {
			prev = os
		} else if next == nil {
			next = os
		}
	}
	best := next
	load := func(os *outSection) bool { return os.flags&shfAlloc != 0 && os.typ != shtNobits }
	switch {
	case prev == nil:
		if next == nil {
			return shnAbs
		}
	case next == nil:
		best = prev
	case (prev.flags^next.flags)&shfAlloc != 0 || load(prev) != load(next):
		if next.flags&shfAlloc != 0 || load(prev) && !load(next) {
			best = prev
		}
	case (prev.flags^next.flags)&shfWrite != 0:
		if next.flags&shfWrite == 0 {
			best = prev
		}
	case (prev.flags^next.flags)&shfExecinstr != 0:
		if next.flags&shfExecinstr != 0 {
			best = prev
		}
	default:
		if g.value < next.addr {
			best = prev
		}
	}
	return uint16(best.shndx)
}

// hashOrder returns the global symbols in the order ld's bfd hash table
// traversal visits them: bucket by bucket (bfd_hash_hash modulo 4051 while
// the table holds fewer than 3/4 of that), newest first within a bucket.
func (l *linker) hashOrder() []*global {
	size := uint64(4051)
	buckets := map[uint64][]*global{}
	for _, g := range l.gorder {
		b := bfdHash(g.name) % size
		buckets[b] = append([]*global{g}, buckets[b]...)
	}
	var keys []uint64
	for k := range buckets {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var out []*global
	for _, k := range keys {
		out = append(out, buckets[k]...)
	}
	return out
}

// bfdHash is bfd_hash_hash from bfd/hash.c on a 64-bit host.
func bfdHash(s string) uint64 {
	var h uint64
	for i := 0; i < len(s); i++ {
		c := uint64(s[i])
		h += c + c<<17
		h ^= h >> 2
	}
	n := uint64(len(s))
	h += n + n<<17
	h ^= h >> 2
	return h
}

// segment is one program header.
type segment struct{ typ, off, vaddr, filesz, memsz, flags, align uint32 }

// writeELF lays the executable out as ld does: headers, the loadable
// sections at file offsets congruent to their addresses modulo the 64 KiB
// page, the other sections, .symtab, .strtab, .shstrtab, section headers.
func (l *linker) writeELF(kept []*outSection, entry uint32) []byte {
	syms, nlocal := l.symbols(kept)
	str := newStrtab()
	for _, s := range syms {
		str.add(s.name)
	}
	str.finalize()
	shstr := newStrtab()
	for _, n := range []string{".symtab", ".strtab", ".shstrtab"} {
		shstr.add(n)
	}
	for _, os := range kept {
		shstr.add(os.name)
	}
	shstr.finalize()

	segs, off := l.placeInFile(kept)
	symOff := alignUp(off, 4)
	strOff := symOff + uint32(len(syms)*symSize)
	shstrOff := strOff + uint32(len(str.data))
	shOff := alignUp(shstrOff+uint32(len(shstr.data)), 4)
	nsec := len(kept) + 4
	img := make([]byte, shOff+uint32(nsec)*shdrSize)

	copy(img, "\x7fELF\x01\x02\x01")
	for off, v := range map[int]uint16{16: 2, 18: emPPC, 40: elfHeaderSize, 42: phdrSize,
		44: uint16(len(segs)), 46: shdrSize, 48: uint16(nsec), 50: uint16(nsec - 1)} {
		binary.BigEndian.PutUint16(img[off:], v)
	}
	for off, v := range map[int]uint32{20: 1, 24: entry, 28: elfHeaderSize, 32: shOff, 36: l.elfFlags()} {
		binary.BigEndian.PutUint32(img[off:], v)
	}
	for i, sg := range segs {
		b := img[elfHeaderSize+i*phdrSize:]
		for k, v := range []uint32{sg.typ, sg.off, sg.vaddr, sg.vaddr, sg.filesz, sg.memsz, sg.flags, sg.align} {
			binary.BigEndian.PutUint32(b[4*k:], v)
		}
	}
	for _, os := range kept {
		if os.typ != shtNobits {
			copy(img[os.fileOff:], os.data)
		}
	}
	for i, s := range syms {
		b := img[symOff+uint32(i*symSize):]
		binary.BigEndian.PutUint32(b, str.get(s.name))
		binary.BigEndian.PutUint32(b[4:], s.value)
		binary.BigEndian.PutUint32(b[8:], s.size)
		b[12], b[13] = s.info, s.other
		binary.BigEndian.PutUint16(b[14:], s.shndx)
	}
	copy(img[strOff:], str.data)
	copy(img[shstrOff:], shstr.data)

	sh := func(i int, name string, typ, flags, addr, off, size, link, info, align, ent uint32) {
		b := img[shOff+uint32(i)*shdrSize:]
		for k, v := range []uint32{shstr.get(name), typ, flags, addr, off, size, link, info, align, ent} {
			binary.BigEndian.PutUint32(b[4*k:], v)
		}
	}
	for i, os := range kept {
		sh(i+1, os.name, os.typ, os.flags, os.addr, os.fileOff, os.size, os.link, os.info, os.align, os.entsize)
	}
	n := len(kept) + 1
	sh(n, ".symtab", shtSymtab, 0, 0, symOff, strOff-symOff, uint32(n+1), uint32(nlocal), 4, symSize)
	sh(n+1, ".strtab", shtStrtab, 0, 0, strOff, uint32(len(str.data)), 0, 0, 1, 0)
	sh(n+2, ".shstrtab", shtStrtab, 0, 0, shstrOff, uint32(len(shstr.data)), 0, 0, 1, 0)
	return img
}

// placeInFile gives each section its file offset and returns the program
// headers (PT_LOAD, PT_DYNAMIC for -pie, PT_GNU_STACK when an object has a
// .note.GNU-stack) and the end of the sections' data.
func (l *linker) placeInFile(kept []*outSection) ([]segment, uint32) {
	hasStack, execStack := l.stackNote()
	nph := uint32(1)
	if hasStack {
		nph++
	}
	if l.opts.PIE {
		nph++
	}
	off := uint32(elfHeaderSize + nph*phdrSize)
	load := segment{typ: ptLoad, flags: loadFlags(kept), align: maxPageSize}
	var fileEnd, memEnd uint32
	firstAlloc := true
	for _, os := range kept {
		if os.flags&shfAlloc == 0 {
			off = alignUp(off, os.align)
			os.fileOff = off
			off += os.size
			continue
		}
		switch {
		case firstAlloc && os.addr%maxPageSize >= off:
			// The headers fit below the first section in its page: ld
			// loads them too, from offset 0.
			load.off, load.vaddr = 0, os.addr&^(maxPageSize-1)
			off = os.addr % maxPageSize
		case firstAlloc:
			off += (os.addr - off) % maxPageSize
			load.off, load.vaddr = off, os.addr
		case os.typ != shtNobits:
			off = load.off + (os.addr - load.vaddr)
		}
		firstAlloc = false
		os.fileOff = off
		if os.typ != shtNobits {
			off += os.size
			fileEnd = os.addr + os.size
		}
		memEnd = os.addr + os.size
	}
	var segs []segment
	if !firstAlloc {
		load.filesz, load.memsz = fileEnd-load.vaddr, memEnd-load.vaddr
		segs = append(segs, load)
	} else {
		segs = append(segs, segment{})
	}
	if l.opts.PIE {
		d := l.dynamic.out
		segs = append(segs, segment{ptDynamic, d.fileOff, d.addr, d.size, d.size, 6, d.align})
	}
	if hasStack {
		flags := uint32(6)
		if execStack {
			flags = 7
		}
		segs = append(segs, segment{typ: ptGNUStack, flags: flags, align: 0x10})
	}
	return segs, off
}

// elfFlags merges the objects' e_flags as ld does for PowerPC: the
// relocatable-lib bit survives only if every object has it.
func (l *linker) elfFlags() uint32 {
	if len(l.objs) == 0 {
		return 0
	}
	f := l.objs[0].flags
	for _, o := range l.objs[1:] {
		f &= o.flags | ^uint32(efPPCRelocLib|efPPCRelocable)
		f |= o.flags &^ uint32(efPPCRelocLib|efPPCRelocable)
	}
	return f
}

// stackNote: ld (2.40) writes a PT_GNU_STACK when some object has a
// .note.GNU-stack; the stack is executable when one of them marks it so or
// some object has none.
func (l *linker) stackNote() (has, exec bool) {
	for _, o := range l.objs {
		if len(o.sections) <= 1 {
			continue
		}
		if o.hasStack {
			has = true
			if o.execStack {
				exec = true
			}
		} else {
			exec = true
		}
	}
	return has, exec
}

// loadFlags: PF_R, plus PF_W and PF_X when a loaded section needs them.
func loadFlags(kept []*outSection) uint32 {
	f := uint32(4)
	for _, os := range kept {
		if os.flags&shfAlloc == 0 {
			continue
		}
		if os.flags&shfWrite != 0 {
			f |= 2
		}
		if os.flags&shfExecinstr != 0 {
			f |= 1
		}
	}
	return f
}
