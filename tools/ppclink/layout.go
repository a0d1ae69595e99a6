package ppclink

import (
	"encoding/binary"
	"fmt"
)

// The zImage.lds layout (arch/powerpc/boot/zImage.lds.S, 32-bit, after cpp)
// as data: output sections in order, what each collects, the symbols it
// assigns and the ALIGN statements between them. Orphan slots say where ld
// puts input sections the script does not name.
type stmt struct {
	align uint32 // ". = ALIGN(align)" when sec == ""
	sec   string
	body  []item
	slot  string // orphans of this kind are inserted after this section
}

type item struct {
	sym     string // "sym = ." when non-empty
	pattern string // "*(pattern)"
	common  bool   // "*(COMMON)"
}

var zImageLayout = []stmt{
	{sec: ".text", body: []item{{sym: "_start"}, {pattern: ".text"}, {pattern: ".fixup"}, {sym: "_etext"}}, slot: "text"},
	{align: 4096},
	{sec: ".data", body: []item{{pattern: ".rodata*"}, {pattern: ".data*"}, {pattern: ".sdata*"}, {pattern: ".got2"}}, slot: "data"},
	{sec: ".dynsym", body: []item{{pattern: ".dynsym"}}},
	{sec: ".dynstr", body: []item{{pattern: ".dynstr"}}},
	{sec: ".dynamic", body: []item{{sym: "__dynamic_start"}, {pattern: ".dynamic"}}},
	{sec: ".hash", body: []item{{pattern: ".hash"}}},
	{sec: ".interp", body: []item{{pattern: ".interp"}}, slot: "rodata"},
	{sec: ".rela.dyn", body: []item{{pattern: ".rela*"}}},
	{align: 8},
	{sec: ".kernel:dtb", body: []item{{sym: "_dtb_start"}, {pattern: ".kernel:dtb"}, {sym: "_dtb_end"}}},
	{align: 4096},
	{sec: ".kernel:vmlinux.strip", body: []item{{sym: "_vmlinux_start"}, {pattern: ".kernel:vmlinux.strip"}, {sym: "_vmlinux_end"}}},
	{align: 4096},
	{sec: ".kernel:initrd", body: []item{{sym: "_initrd_start"}, {pattern: ".kernel:initrd"}, {sym: "_initrd_end"}}},
	{align: 4096},
	{sec: ".kernel:esm_blob", body: []item{{sym: "_esm_blob_start"}, {pattern: ".kernel:esm_blob"}, {sym: "_esm_blob_end"}}},
	{align: 4096},
	{sec: ".bss", body: []item{{sym: "_edata"}, {sym: "__bss_start"}, {pattern: ".sbss"}, {pattern: ".bss"}, {common: true}, {sym: "_end"}}, slot: "bss"},
}

// outSection is one output section.
type outSection struct {
	name    string
	typ     uint32
	flags   uint32
	align   uint32
	entsize uint32
	addr    uint32
	size    uint32
	stmt    *stmt
	parts   []part // inputs and symbol assignments in order
	inputs  []*inSection
	synth   []byte // linker-created contents (.got, .gnu.attributes)
	kept    bool
	data    []byte
	fileOff uint32
	shndx   int
	link    uint32 // sh_link, sh_info of the linker's dynamic sections
	info    uint32
}

type part struct {
	sym string
	in  *inSection
	off uint32
}

// placeable reports whether an input section takes part in the layout.
func placeable(s *inSection) bool {
	if s.linker {
		return true
	}
	switch s.typ {
	case shtNull, shtSymtab, shtStrtab, shtRela, shtRel, shtGroup:
		return false
	}
	if s.name == "" || s.name == ".note.GNU-stack" || s.flags&shfExclude != 0 {
		return false
	}
	return true
}

func (l *linker) layout() error {
	script := map[string]*outSection{}
	for i := range zImageLayout {
		if st := &zImageLayout[i]; st.sec != "" {
			script[st.sec] = &outSection{name: st.sec, stmt: st, align: 1}
		}
	}
	l.allocCommons()
	cands := l.candidates()
	claimed, orphans := claimInputs(cands, script)
	l.fillScriptSections(cands, claimed, script)
	order, firstEH := l.placeOrphans(orphans, script)
	if firstEH != nil && l.ehFirstRegular {
		if err := editEH(firstEH.inputs); err != nil {
			return err
		}
	}
	if err := l.mergeSections(order); err != nil {
		return err
	}
	l.assignAddresses(order)
	l.outs = order
	if err := checkAddresses(order); err != nil {
		return err
	}
	return l.defineSymbols()
}

// attributesAfterComment moves .gnu.attributes (which ld merges and writes
// itself) right behind .comment, where ld puts it even when debug sections
// first seen in an earlier object come in between.
func attributesAfterComment(secs []*outSection) []*outSection {
	attr, comment := -1, -1
	for i, os := range secs {
		switch os.name {
		case ".gnu.attributes":
			attr = i
		case ".comment":
			comment = i
		}
	}
	if attr < 0 || comment < 0 || attr == comment+1 {
		return secs
	}
	a := secs[attr]
	rest := append(append([]*outSection{}, secs[:attr]...), secs[attr+1:]...)
	if comment > attr {
		comment--
	}
	out := append(append(append([]*outSection{}, rest[:comment+1]...), a), rest[comment+1:]...)
	return out
}

// rodataAnchor picks where read-only data orphans go, as ld's
// lang_output_section_find_by_flags does for the first one: after the last
// script section whose flags (and, for sections from objects, ELF type)
// match exactly. .interp, never filled here, carries the flags ld gives it;
// the .kernel:* sections match once they hold an input section.
func rodataAnchor(s *inSection, script map[string]*outSection) string {
	anchor := "rodata"
	if s.linker {
		return anchor
	}
	for i := stmtIndex(interpStmt()) + 1; i < len(zImageLayout); i++ {
		os := script[zImageLayout[i].sec]
		if os == nil || len(os.inputs) == 0 {
			continue
		}
		match := true
		for _, in := range os.inputs {
			if in.flags&(shfWrite|shfExecinstr|shfAlloc) != shfAlloc || in.typ != s.typ {
				match = false
			}
		}
		if match {
			anchor = "after:" + os.name
		}
	}
	return anchor
}

func stmtIndex(st *stmt) int {
	for i := range zImageLayout {
		if &zImageLayout[i] == st {
			return i
		}
	}
	return -1
}

func interpStmt() *stmt {
	for i := range zImageLayout {
		if zImageLayout[i].sec == ".interp" {
			return &zImageLayout[i]
		}
	}
	return nil
}

// claim records which script item takes an input section.
type claim struct {
	os  *outSection
	idx int
}

// claimInputs gives each input section to the first script pattern that
// matches its name, as ld's wildcard walk does; the rest are orphans.
func claimInputs(cands []*inSection, script map[string]*outSection) (map[*inSection]claim, []*inSection) {
	claimed := map[*inSection]claim{}
	var orphans []*inSection
	for _, s := range cands {
		found := false
		for i := 0; i < len(zImageLayout) && !found; i++ {
			st := &zImageLayout[i]
			for j, it := range st.body {
				if it.pattern != "" && globMatch(it.pattern, s.name) {
					claimed[s] = claim{script[st.sec], j}
					found = true
					break
				}
			}
		}
		if !found {
			orphans = append(orphans, s)
		}
	}
	return claimed, orphans
}

// fillScriptSections lists each script section's contents: item by item,
// the inputs of a pattern in link order, commons at *(COMMON).
func (l *linker) fillScriptSections(cands []*inSection, claimed map[*inSection]claim, script map[string]*outSection) {
	for i := range zImageLayout {
		st := &zImageLayout[i]
		if st.sec == "" {
			continue
		}
		os := script[st.sec]
		for j, it := range st.body {
			switch {
			case it.sym != "":
				os.parts = append(os.parts, part{sym: it.sym})
			case it.common:
				for _, o := range l.objs {
					if c := l.commonSecs[o]; c != nil {
						os.add(c)
					}
				}
			default:
				for _, s := range cands {
					if m, ok := claimed[s]; ok && m.os == os && m.idx == j {
						os.add(s)
					}
				}
			}
		}
	}
}

func (os *outSection) add(s *inSection) {
	os.parts = append(os.parts, part{in: s})
	os.inputs = append(os.inputs, s)
}

// placeOrphans makes one output section per orphan name (linker-created
// sections have no ELF type yet and get their own) and returns all output
// sections in order: each orphan after the last section of its kind, in
// the order first seen (ld's lang_insert_orphan), the non-allocated ones
// last. It also returns the first output section named .eh_frame.
func (l *linker) placeOrphans(orphans []*inSection, script map[string]*outSection) ([]*outSection, *outSection) {
	type key struct {
		name   string
		linker bool
	}
	outs := map[key]*outSection{}
	slotAfter := map[string][]*outSection{}
	var nonAlloc []*outSection
	var firstEH *outSection
	rodataSlot := ""
	for _, s := range orphans {
		k := key{s.name, s.linker}
		os := outs[k]
		if os == nil {
			os = &outSection{name: s.name, align: 1}
			outs[k] = os
			if s.name == ".eh_frame" && firstEH == nil {
				firstEH = os
				l.ehFirstRegular = !s.linker
			}
			switch slot := orphanSlot(s); {
			case s.flags&shfAlloc == 0:
				nonAlloc = append(nonAlloc, os)
			case slot == "rodata":
				if rodataSlot == "" {
					rodataSlot = rodataAnchor(s, script)
				}
				slotAfter[rodataSlot] = append(slotAfter[rodataSlot], os)
			default:
				slotAfter[slot] = append(slotAfter[slot], os)
			}
		}
		os.add(s)
	}
	var order []*outSection
	for i := range zImageLayout {
		st := &zImageLayout[i]
		if st.sec == "" {
			continue
		}
		order = append(order, script[st.sec])
		order = append(order, slotAfter[st.slot]...)
		order = append(order, slotAfter["after:"+st.sec]...)
	}
	return append(order, attributesAfterComment(nonAlloc)...), firstEH
}

// orphanSlot says after which script section ld puts an orphan.
func orphanSlot(s *inSection) string {
	// The order of ld's tests: no contents, writable, then code or not.
	switch {
	case s.typ == shtNobits:
		return "bss"
	case s.flags&shfWrite != 0:
		return "data"
	case s.flags&shfExecinstr != 0:
		return "text"
	default:
		return "rodata"
	}
}

// candidates lists input sections in link order; the linker-created .got
// follows the sections of the first object with relocations (ld's dynobj).
func (l *linker) candidates() []*inSection {
	var out []*inSection
	attrDone := false
	for _, o := range l.objs {
		for _, s := range o.sections {
			if !placeable(s) {
				continue
			}
			if s.typ == shtGNUAttr {
				// ld merges all attribute sections into one it writes itself.
				if attrDone {
					continue
				}
				attrDone = true
			}
			out = append(out, s)
		}
		if o == l.dynobj {
			if l.sbss != nil {
				out = append(out, l.sbss)
			}
			if l.gotNeeded {
				out = append(out, l.gotSection(o))
			}
			if l.opts.PIE {
				out = append(out, l.dynamicSections(o)...)
			}
			// ld's PowerPC backend creates an (empty) .eh_frame for its
			// PLT stubs in this object; it decides where .eh_frame goes
			// when it is the first one seen.
			out = append(out, &inSection{obj: o, name: ".eh_frame", typ: shtProgbits,
				flags: shfAlloc, align: 4, linker: true})
		}
	}
	return out
}

// gotSection is the GOT header ld creates when _GLOBAL_OFFSET_TABLE_ is
// used: three zero words (secure-PLT style, when the objects use REL16
// relocations), or the old style: a blrl, then _GLOBAL_OFFSET_TABLE_ at +4
// followed by three words, executable.
func (l *linker) gotSection(o *object) *inSection {
	s := &inSection{obj: o, name: ".got", typ: shtProgbits, flags: shfAlloc | shfWrite, align: 4, entsize: 4, linker: true}
	if l.pltOld {
		s.flags |= shfExecinstr
		s.data = make([]byte, 16)
		binary.BigEndian.PutUint32(s.data, 0x4e800021)
	} else {
		s.data = make([]byte, 12)
	}
	s.size = uint32(len(s.data))
	l.gotIn = s
	return s
}

// allocCommons gives each common symbol its place, visiting them in ld's
// hash-table order as lang_common does: small ones in the linker's .sbss,
// the others in their owner's COMMON.
func (l *linker) allocCommons() {
	l.commonSecs = map[*object]*inSection{}
	for _, g := range l.hashOrder() {
		if !g.common || g.def != nil {
			continue
		}
		var sec *inSection
		if g.comSmall {
			if l.sbss == nil {
				l.sbss = &inSection{obj: l.dynobj, name: ".sbss", typ: shtNobits, flags: shfAlloc | shfWrite, align: 1, linker: true}
			}
			sec = l.sbss
		} else {
			sec = l.commonSecs[g.comObj]
			if sec == nil {
				sec = &inSection{obj: g.comObj, name: "COMMON", typ: shtNobits, flags: shfAlloc | shfWrite, align: 1}
				l.commonSecs[g.comObj] = sec
			}
		}
		a := g.comAlign
		if a == 0 {
			a = 1
		}
		if a > sec.align {
			sec.align = a
		}
		sec.size = alignUp(sec.size, a)
		g.comSec, g.comOff = sec, sec.size
		sec.size += g.comSize
	}
}

func alignUp(v, a uint32) uint32 {
	if a <= 1 {
		return v
	}
	return (v + a - 1) &^ (a - 1)
}

// assignAddresses walks the layout as ld's lang_size_sections does: ALIGN
// moves the location counter, a section starts at the counter aligned to its
// largest input alignment, empty sections are dropped without moving it.
func (l *linker) assignAddresses(order []*outSection) {
	dot := uint32(0)
	stmtAt := map[*stmt]int{}
	for i := range zImageLayout {
		stmtAt[&zImageLayout[i]] = i
	}
	next := 0 // next statement of the script to process for ALIGNs
	for _, os := range order {
		if os.stmt != nil {
			for ; next < stmtAt[os.stmt]; next++ {
				if a := zImageLayout[next].align; a != 0 && zImageLayout[next].sec == "" {
					dot = alignUp(dot, a)
				}
			}
			next = stmtAt[os.stmt] + 1
		}
		// -Ttext fixes .text's address, aligned or not; its inputs are
		// aligned on their absolute addresses. Other sections start
		// aligned to their largest input, so offsets align the same.
		forced := os.name == ".text" && os.stmt != nil && l.opts.TextAddr != 0
		base := uint32(0)
		if forced {
			base = l.opts.TextAddr
		}
		l.sizeSection(os, base)
		alloc := os.flags&shfAlloc != 0
		if !alloc && os.stmt == nil {
			os.addr = 0
			continue
		}
		if forced {
			os.addr = l.opts.TextAddr
			if a := os.addr & -os.addr; a < os.align {
				// ld records only the alignment the address has.
				os.align = a
			}
		} else if os.kept {
			os.addr = alignUp(dot, os.align)
		} else {
			os.addr = dot
		}
		if os.kept {
			dot = os.addr + os.size
		}
	}
}

// maxImage bounds the loaded image (and so the output files) this linker
// builds; boot wrappers are a few MiB.
var maxImage uint64 = 1 << 30

// checkAddresses rejects layouts that wrap around the 32-bit address space
// or would make an absurdly large image, before anything is allocated.
func checkAddresses(order []*outSection) error {
	var end uint64
	var first uint64
	haveFirst := false
	for _, os := range order {
		if !os.kept || os.flags&shfAlloc == 0 {
			continue
		}
		a, e := uint64(os.addr), uint64(os.addr)+uint64(os.size)
		if a < end || e > 1<<32 {
			return fmt.Errorf("section '%s' (address %#x, size %#x) does not fit in the 32-bit address space after the previous sections", os.name, os.addr, os.size)
		}
		if !haveFirst {
			first, haveFirst = a, true
		}
		if os.typ != shtNobits && e-first > maxImage {
			return fmt.Errorf("section '%s' ends %#x bytes after the start of the image; more than the %d MiB this linker builds", os.name, e-first, maxImage>>20)
		}
		end = e
	}
	return nil
}

// allLinker: the output section holds only linker-made sections (whose
// entity size it keeps).
func allLinker(os *outSection) bool {
	for _, s := range os.inputs {
		if !s.linker {
			return false
		}
	}
	return len(os.inputs) > 0
}

// sizeSection places the inputs of one output section and sets its type,
// flags and size.
func (l *linker) sizeSection(os *outSection, base uint32) {
	off := uint32(0)
	os.typ = shtNobits
	mergeFlags := uint32(shfMerge | shfStrings)
	first := true
	for i := range os.parts {
		p := &os.parts[i]
		switch {
		case p.in != nil && p.in.excluded:
			p.off = off
		case p.in != nil:
			s := p.in
			if s.align > os.align {
				os.align = s.align
			}
			off = alignUp(base+off, s.align) - base
			p.off = off
			s.offset = off
			s.out = os
			s.keep = true
			off += s.outSize()
			if s.typ != shtNobits {
				os.typ = s.typ
				if s.typ == shtGNUAttr {
					os.typ = shtGNUAttr
				}
			}
			if first {
				os.entsize = s.entsize
				mergeFlags &= s.flags
				first = false
			} else {
				mergeFlags &= s.flags
				if os.entsize != s.entsize {
					os.entsize = 0
				}
			}
			os.flags |= s.flags &^ (shfMerge | shfStrings | shfGroup | shfInfoLink)
		default:
			p.off = off
		}
	}
	if mergeFlags&shfMerge != 0 && !first {
		os.flags |= mergeFlags
	} else if !allLinker(os) {
		os.entsize = 0
	}
	if os.typ == shtNobits && first && len(os.parts) > 0 {
		os.typ = shtProgbits
	}
	os.size = off
	os.kept = off > 0
}

// outSize is the size an input section takes in the output (merged
// sections shrink).
func (s *inSection) outSize() uint32 {
	if s.eh != nil {
		return s.eh.size
	}
	if s.merge != nil {
		return s.merge.size
	}
	return s.size
}

// defineSymbols gives the script's symbols, commons and the GOT symbol
// their values.
func (l *linker) defineSymbols() error {
	for _, os := range l.outs {
		for _, p := range os.parts {
			switch {
			case p.sym != "":
				g := l.lookup(p.sym)
				g.script, g.value, g.out = true, os.addr+p.off, os
			}
		}
	}
	for _, g := range l.gorder {
		if g.comSec != nil && g.common && g.def == nil {
			g.value, g.out = g.comSec.out.addr+g.comSec.offset+g.comOff, g.comSec.out
		}
	}
	if l.opts.PIE {
		g := l.lookup("_DYNAMIC")
		if g.def == nil {
			g.script, g.forcedLocal = true, true
			g.value, g.out = l.dynamic.out.addr+l.dynamic.offset, l.dynamic.out
		}
	}
	if l.gotNeeded {
		g := l.lookup("_GLOBAL_OFFSET_TABLE_")
		if g.def == nil {
			g.script, g.forcedLocal = true, true
			g.value, g.out = l.gotIn.out.addr+l.gotIn.offset, l.gotIn.out
			if l.pltOld {
				g.value += 4
			}
		}
	}
	for _, name := range sortedNames(l.globals) {
		g := l.globals[name]
		if g.def == nil || g.script {
			continue
		}
		s := g.def
		switch {
		case s.shndx == shnAbs:
			g.value, g.abs = s.value, true
		case s.sec != nil:
			if !s.sec.keep {
				return fmt.Errorf("%s: symbol '%s' is defined in section '%s', which is not part of the output", g.defObj.name, name, s.sec.name)
			}
			g.value, g.out = s.sec.out.addr+s.sec.offset+s.sec.mapOffset(s.value), s.sec.out
		}
	}
	g := l.globals[l.opts.Entry]
	if g == nil || !g.defined() {
		return fmt.Errorf("entry symbol '%s' is not defined by any input", l.opts.Entry)
	}
	return nil
}

// globMatch matches ld's wildcard section patterns (* ? [...]).
// '*' matches any run of characters (including '/', as fnmatch without
// FNM_PATHNAME), '?' any one character.
func globMatch(pattern, name string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for i := len(name); i >= 0; i-- {
				if globMatch(pattern[1:], name[i:]) {
					return true
				}
			}
			return false
		case '?':
			if name == "" {
				return false
			}
		default:
			if name == "" || name[0] != pattern[0] {
				return false
			}
		}
		pattern, name = pattern[1:], name[1:]
	}
	return name == ""
}
