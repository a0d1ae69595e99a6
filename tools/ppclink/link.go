package ppclink

import (
	"fmt"
	"path"
	"sort"
)

// global is one entry of the link's global symbol table.
type global struct {
	name      string
	order     int // insertion order into the table (ld's hash chains)
	def       *inSym
	defObj    *object
	weakDef   bool
	common    bool
	comSize   uint32
	comAlign  uint32
	comObj    *object
	comSmall  bool       // goes to the linker's .sbss (size <= 8, ld's -G default)
	comSec    *inSection // .sbss or the owner's COMMON, once allocated
	comOff    uint32
	comType   byte
	strongRef bool // referenced by a non-weak undefined symbol
	refObj    *object
	other     byte // st_other of the definition (visibility)

	// filled in by the layout
	script      bool // defined by the linker script or the linker
	value       uint32
	out         *outSection // section the value is relative to, nil for ABS
	forcedLocal bool
	abs         bool
}

func (g *global) defined() bool { return g.def != nil || g.common || g.script }

type linker struct {
	opts           Options
	objs           []*object
	globals        map[string]*global
	gorder         []*global
	dynobj         *object
	gotNeeded      bool
	pltOld         bool
	ehFirstRegular bool
	dyn            *dynamicSections
	dynamic        *inSection

	outs        []*outSection
	got         *outSection
	gotIn       *inSection
	sbss        *inSection
	commonSecs  map[*object]*inSection
	mergeGroups []*mergeGroup
}

// gpSize is ld's default -G for PowerPC: commons this small go to .sbss.
const gpSize = 8

func (l *linker) lookup(name string) *global {
	g := l.globals[name]
	if g == nil {
		g = &global{name: name, order: len(l.gorder)}
		l.globals[name] = g
		l.gorder = append(l.gorder, g)
	}
	return g
}

// Link links objs (in command-line order) with the layout opts selects.
func Link(objs []Input, opts Options) (*Output, error) {
	if opts.Script == "" {
		opts.Script = "zImage.lds"
	}
	if opts.Script != "zImage.lds" {
		return nil, fmt.Errorf("ppclink: unknown layout %q (only zImage.lds is built in)", opts.Script)
	}
	if opts.Entry == "" {
		opts.Entry = "_zimage_start"
	}
	l := &linker{opts: opts, globals: map[string]*global{}}
	// ENTRY/EXTERN(_zimage_start): an undefined reference before any input,
	// so archives are searched for it.
	g := l.lookup(opts.Entry)
	g.strongRef = true
	if opts.PIE {
		l.lookup("_DYNAMIC")
	}
	if err := l.load(objs); err != nil {
		return nil, err
	}
	if len(l.objs) == 0 {
		return nil, fmt.Errorf("nothing to link: no object given or pulled out of an archive")
	}
	if err := l.scanRelocs(); err != nil {
		return nil, err
	}
	if opts.PIE {
		if err := l.scanDynamic(); err != nil {
			return nil, err
		}
	}
	if err := l.layout(); err != nil {
		return nil, err
	}
	return l.output()
}

// load adds the inputs in order, searching archives as ld does.
func (l *linker) load(inputs []Input) error {
	for _, in := range inputs {
		switch {
		case isArchive(in.Data):
			a, err := parseArchive(in.Name, in.Data)
			if err != nil {
				return err
			}
			if err := l.searchArchive(a); err != nil {
				return err
			}
		case isELF(in.Data):
			o, err := parseObject(in.Name, in.Data)
			if err != nil {
				return err
			}
			o.base = path.Base(in.Name)
			if err := l.addExtra(o, in.extra); err != nil {
				return err
			}
			if err := l.addObject(o); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: neither an ELF object nor an ar archive", in.Name)
		}
	}
	return nil
}

// searchArchive pulls in members that define a symbol still undefined,
// walking the archive index repeatedly until a pass adds nothing: the order
// in which ld (elf_link_add_archive_symbols) includes members.
func (l *linker) searchArchive(a *archive) error {
	for {
		added := false
		for _, s := range a.index {
			m := a.members[s.offset]
			if m.loaded {
				continue
			}
			g := l.globals[s.name]
			if g == nil || g.def != nil || !g.strongRef && !g.common {
				continue
			}
			o, err := m.parse(a)
			if err != nil {
				return err
			}
			if g.common {
				// A common symbol pulls a member only if the member really
				// defines it (not as another common).
				if !o.definesNonCommon(s.name) {
					continue
				}
			}
			m.loaded = true
			if err := l.addObject(o); err != nil {
				return err
			}
			added = true
		}
		if !added {
			return nil
		}
	}
}

func (m *arMember) parse(a *archive) (*object, error) {
	if m.obj != nil {
		return m.obj, nil
	}
	name := fmt.Sprintf("%s(%s)", a.name, m.name)
	if !isELF(m.data) {
		return nil, fmt.Errorf("%s: archive member is not an ELF object", name)
	}
	o, err := parseObject(name, m.data)
	if err != nil {
		return nil, err
	}
	o.base = m.name
	m.obj = o
	return o, nil
}

func (o *object) definesNonCommon(name string) bool {
	for _, s := range o.syms {
		if s.name == name && s.bind() != stbLocal && s.shndx != shnUndef && s.shndx != shnCommon {
			return true
		}
	}
	return false
}

// addObject enters an object's global symbols: strong definitions win over
// weak ones and commons, two strong definitions are an error.
func (l *linker) addObject(o *object) error {
	o.order = len(l.objs)
	l.objs = append(l.objs, o)
	for i, s := range o.syms {
		if i == 0 || s.bind() == stbLocal {
			continue
		}
		g := l.lookup(s.name)
		s.g = g
		switch s.shndx {
		case shnUndef:
			if s.bind() != stbWeak && !g.strongRef {
				g.strongRef = true
				g.refObj = o
			}
			if g.refObj == nil {
				g.refObj = o
			}
		case shnCommon:
			if g.def != nil {
				continue
			}
			// PowerPC's ld puts commons of up to 8 bytes in a .sbss it
			// creates in the first object declaring one (making that
			// object the one holding all linker-made sections); larger
			// ones go to COMMON of the object with the largest declaration.
			small := s.size <= gpSize
			if small && l.dynobj == nil {
				l.dynobj = o
			}
			if !g.common || s.size > g.comSize {
				g.comObj, g.comSize, g.comSmall = o, s.size, small
			}
			g.common = true
			if s.value > g.comAlign {
				g.comAlign = s.value
			}
			g.comType = s.typ()
		default:
			weak := s.bind() == stbWeak
			switch {
			case g.def == nil:
			case g.weakDef && !weak:
			case weak:
				continue
			default:
				return fmt.Errorf("%s: multiple definition of '%s' (first defined in %s)", o.name, s.name, g.defObj.name)
			}
			g.def, g.defObj, g.weakDef, g.other = s, o, weak, s.other
			g.common = false
		}
	}
	return nil
}

// scanRelocs looks at what the relocations need from the linker: the .got
// (a reference to _GLOBAL_OFFSET_TABLE_) and the GOT style ld picks.
func (l *linker) scanRelocs() error {
	pltType := 0 // 0 unset, 1 old, 2 new
	for _, o := range l.objs {
		rel16, pltCall := false, false
		for _, sec := range o.sections {
			if len(sec.relocs) == 0 {
				continue
			}
			if sec.flags&shfAlloc != 0 && l.dynobj == nil {
				l.dynobj = o
			}
			for _, r := range sec.relocs {
				switch r.typ {
				case rPPCRel16, rPPCRel16Lo, rPPCRel16Hi, rPPCRel16Ha:
					rel16 = true
				case rPPCPltRel24:
					pltCall = true
				}
				if s := o.syms[r.sym]; s.g != nil && s.g.name == "_GLOBAL_OFFSET_TABLE_" {
					l.gotNeeded = true
				}
			}
		}
		if pltType != 1 {
			if rel16 {
				pltType = 2
			} else if pltCall {
				pltType = 1
			}
		}
	}
	l.pltOld = pltType != 2
	if l.dynobj == nil && len(l.objs) > 0 {
		l.dynobj = l.objs[0]
	}
	if g := l.globals["_GLOBAL_OFFSET_TABLE_"]; g != nil && g.def == nil || l.opts.PIE {
		// A -pie link always has the dynamic sections, the GOT among them.
		l.gotNeeded = true
	}
	return nil
}

// sortedNames returns map keys in order, for deterministic messages.
func sortedNames(m map[string]*global) []string {
	var n []string
	for k := range m {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}
