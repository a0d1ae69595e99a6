package kmod

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-firmware/rules_firmware/tools/compress"
)

// fakeModule is what buildModule writes into a relocatable ELF.
type fakeModule struct {
	info      []string // "key=value"
	undefined []string
	exports   []string // written as __crc_<name> absolute symbols
}

// buildModule writes a minimal relocatable ELF (.modinfo, .symtab,
// .strtab, .shstrtab) like a kernel module, so tests need no kernel build.
func buildModule(is64 bool, order binary.ByteOrder, m fakeModule) []byte {
	var modinfo []byte
	for _, kv := range m.info {
		modinfo = append(append(modinfo, kv...), 0)
	}
	strtab := []byte{0}
	str := func(tab *[]byte, s string) uint32 {
		off := uint32(len(*tab))
		*tab = append(append(*tab, s...), 0)
		return off
	}
	type sym struct {
		name  uint32
		shndx uint16
		info  byte
	}
	syms := []sym{{}}
	for _, u := range m.undefined {
		syms = append(syms, sym{str(&strtab, u), uint16(elf.SHN_UNDEF), byte(elf.STB_GLOBAL)<<4 | byte(elf.STT_NOTYPE)})
	}
	for _, e := range m.exports {
		syms = append(syms, sym{str(&strtab, "__crc_"+e), uint16(elf.SHN_ABS), byte(elf.STB_GLOBAL)<<4 | byte(elf.STT_NOTYPE)})
	}
	var symtab bytes.Buffer
	for _, s := range syms {
		if is64 {
			binary.Write(&symtab, order, elf.Sym64{Name: s.name, Info: s.info, Shndx: s.shndx})
		} else {
			binary.Write(&symtab, order, elf.Sym32{Name: s.name, Info: s.info, Shndx: s.shndx})
		}
	}
	shstrtab := []byte{0}
	type section struct {
		name          uint32
		typ           elf.SectionType
		data          []byte
		link, entsize uint32
	}
	symEnt := uint32(16)
	if is64 {
		symEnt = 24
	}
	secs := []section{
		{},
		{str(&shstrtab, ".modinfo"), elf.SHT_PROGBITS, modinfo, 0, 0},
		{str(&shstrtab, ".symtab"), elf.SHT_SYMTAB, symtab.Bytes(), 3, symEnt},
		{str(&shstrtab, ".strtab"), elf.SHT_STRTAB, strtab, 0, 0},
	}
	secs = append(secs, section{str(&shstrtab, ".shstrtab"), elf.SHT_STRTAB, shstrtab, 0, 0})
	ehsize, shentsize := 52, 40
	if is64 {
		ehsize, shentsize = 64, 64
	}
	// Section data after the header, each 8-aligned; headers at the end.
	body := make([]byte, ehsize)
	offs := make([]int, len(secs))
	for i, s := range secs {
		for len(body)%8 != 0 {
			body = append(body, 0)
		}
		offs[i] = len(body)
		body = append(body, s.data...)
	}
	for len(body)%8 != 0 {
		body = append(body, 0)
	}
	shoff := len(body)
	var out bytes.Buffer
	ident := [elf.EI_NIDENT]byte{0x7f, 'E', 'L', 'F', byte(elf.ELFCLASS32), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)}
	if is64 {
		ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	}
	if order == binary.BigEndian {
		ident[elf.EI_DATA] = byte(elf.ELFDATA2MSB)
	}
	if is64 {
		binary.Write(&out, order, elf.Header64{Ident: ident, Type: uint16(elf.ET_REL), Machine: uint16(elf.EM_AARCH64), Version: 1,
			Shoff: uint64(shoff), Ehsize: uint16(ehsize), Shentsize: uint16(shentsize), Shnum: uint16(len(secs)), Shstrndx: uint16(len(secs) - 1)})
	} else {
		binary.Write(&out, order, elf.Header32{Ident: ident, Type: uint16(elf.ET_REL), Machine: uint16(elf.EM_ARM), Version: 1,
			Shoff: uint32(shoff), Ehsize: uint16(ehsize), Shentsize: uint16(shentsize), Shnum: uint16(len(secs)), Shstrndx: uint16(len(secs) - 1)})
	}
	copy(body, out.Bytes())
	out.Reset()
	out.Write(body)
	for i, s := range secs {
		if i == 0 {
			out.Write(make([]byte, shentsize))
			continue
		}
		if is64 {
			binary.Write(&out, order, elf.Section64{Name: s.name, Type: uint32(s.typ), Off: uint64(offs[i]), Size: uint64(len(s.data)), Link: s.link, Addralign: 1, Entsize: uint64(s.entsize)})
		} else {
			binary.Write(&out, order, elf.Section32{Name: s.name, Type: uint32(s.typ), Off: uint32(offs[i]), Size: uint32(len(s.data)), Link: s.link, Addralign: 1, Entsize: s.entsize})
		}
	}
	return out.Bytes()
}

// fakeTree writes modules into a lib/modules/<version> directory. deps maps
// module path -> (depends list, undefined symbols); each module exports
// sym_<name>.
func fakeTree(t *testing.T, mods map[string][2][]string, order []string, compressed map[string]bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "lib", "modules", "9.9.9-test")
	for path, d := range mods {
		name := ModuleName(path)
		m := fakeModule{
			info:      []string{"alias=fake:" + name, "depends=" + strings.Join(d[0], ","), "name=" + name, "vermagic=9.9.9-test SMP mod_unload"},
			undefined: d[1],
			exports:   []string{"sym_" + name},
		}
		data := buildModule(false, binary.LittleEndian, m)
		if compressed[path] {
			var err error
			if data, err = compress.Bytes("xz", data); err != nil {
				t.Fatal(err)
			}
			path += ".xz"
		}
		p := filepath.Join(dir, filepath.FromSlash(path))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if order != nil {
		os.WriteFile(filepath.Join(dir, "modules.order"), []byte(strings.Join(order, "\n")+"\n"), 0o644)
	}
	return dir
}

func TestParseAllClasses(t *testing.T) {
	m := fakeModule{info: []string{"name=foo_bar", "depends=a,b-c", "vermagic=6.1.0 SMP", "alias=of:N*T*Cfoo"}, undefined: []string{"printk", "sym_a"}, exports: []string{"foo_fn"}}
	for _, tc := range []struct {
		is64  bool
		order binary.ByteOrder
	}{{false, binary.LittleEndian}, {true, binary.LittleEndian}, {false, binary.BigEndian}, {true, binary.BigEndian}} {
		got, err := Parse(buildModule(tc.is64, tc.order, m))
		if err != nil {
			t.Fatalf("64=%v %v: %v", tc.is64, tc.order, err)
		}
		if got.Name != "foo_bar" || strings.Join(got.Depends, " ") != "a b_c" || got.Vermagic != "6.1.0 SMP" ||
			strings.Join(got.Undefined, " ") != "printk sym_a" || strings.Join(got.Exports, " ") != "foo_fn" {
			t.Errorf("64=%v %v: %+v", tc.is64, tc.order, got)
		}
	}
}

// A chain and a diamond: top needs left and right, both need base; ext
// needs top. The closure comes out dependencies first.
var diamond = map[string][2][]string{
	"kernel/a/base.ko":   {nil, nil},
	"kernel/a/left.ko":   {{"base"}, {"sym_base"}},
	"kernel/b/right.ko":  {{"base"}, {"sym_base"}},
	"kernel/b/top.ko":    {{"right", "left"}, {"sym_right", "printk", "sym_left"}},
	"kernel/c/ext-y.ko":  {{"top", "base"}, {"sym_base", "sym_top"}},
	"kernel/c/other.ko":  {nil, nil},
	"kernel/d/cycle1.ko": {{"cycle2"}, {"sym_cycle2"}},
	"kernel/d/cycle2.ko": {{"cycle1"}, {"sym_cycle1"}},
	"kernel/d/broken.ko": {{"absent"}, nil},
}

func TestClosureAndErrors(t *testing.T) {
	dir := fakeTree(t, diamond, nil, map[string]bool{"kernel/a/left.ko": true})
	tree, err := OpenTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	mods, err := tree.Closure([]string{"ext-y"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range mods {
		names = append(names, m.Name)
	}
	if got := strings.Join(names, " "); got != "base right left top ext_y" {
		t.Errorf("closure %q", got)
	}
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"nosuch"}, "module 'nosuch' is not in the package's module tree"},
		{[]string{"broken"}, "module 'absent' (needed by 'broken'): module 'absent' is not in the package's module tree"},
		{[]string{"cycle1"}, "dependency cycle: cycle1 -> cycle2 -> cycle1"},
	} {
		if _, err := tree.Closure(tc.names); err == nil || err.Error() != tc.want {
			t.Errorf("%v: error %v, want %q", tc.names, err, tc.want)
		}
	}
}

// TestDepmodEqual stages sets of fake modules and has kmod's depmod index
// the same directory: modules.dep, .alias, .softdep, .devname and the dep,
// alias and symbols .bin indexes must match byte for byte, with modules in
// and out of the package's modules.order.
func TestDepmodEqual(t *testing.T) {
	depmod, err := exec.LookPath("depmod")
	if err != nil {
		for _, d := range []string{"/usr/sbin/depmod", "/sbin/depmod"} {
			if _, e := os.Stat(d); e == nil {
				depmod, err = d, nil
			}
		}
	}
	if err != nil {
		t.Fatal("kmod's depmod is needed (bazelw installs kmod)")
	}
	order := []string{"kernel/c/other.ko", "kernel/b/top.ko", "kernel/a/left.ko", "kernel/a/base.ko"}
	dir := fakeTree(t, diamond, order, map[string]bool{"kernel/b/right.ko": true})
	tree, err := OpenTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range [][]string{{"ext_y"}, {"other", "left"}, {"top", "other"}} {
		out := t.TempDir()
		if _, err := Stage(tree, set, "", out); err != nil {
			t.Fatal(err)
		}
		verDir := filepath.Join(out, "lib", "modules", "9.9.9-test")
		ours := map[string][]byte{}
		for _, f := range []string{"modules.dep", "modules.alias", "modules.softdep", "modules.devname", "modules.dep.bin", "modules.alias.bin", "modules.symbols.bin"} {
			b, err := os.ReadFile(filepath.Join(verDir, f))
			if err != nil {
				t.Fatal(err)
			}
			ours[f] = b
			os.Remove(filepath.Join(verDir, f))
		}
		if out, err := exec.Command(depmod, "-b", out, "9.9.9-test").CombinedOutput(); err != nil {
			t.Fatalf("depmod: %v: %s", err, out)
		}
		for f, want := range ours {
			got, err := os.ReadFile(filepath.Join(verDir, f))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%v: %s:\ndepmod:\n%q\nours:\n%q", set, f, got, want)
			}
		}
	}
}

// TestIndexSplit pins the trie layout for keys that share prefixes: the
// root's prefix splits, children are written before parents.
func TestIndexSplit(t *testing.T) {
	idx := newIndexNode("")
	for i, k := range []string{"abc", "abd", "ab", "x"} {
		if err := idx.insert(k, "v"+k, uint32(i)); err != nil {
			t.Fatal(err)
		}
	}
	idx.insert("ab", "first", 2) // same priority: goes before
	b := idx.bytes()
	if binary.BigEndian.Uint32(b) != indexMagic || binary.BigEndian.Uint32(b[4:]) != indexVersion {
		t.Fatalf("header % x", b[:8])
	}
	if !bytes.Contains(b, []byte("\x00\x00\x00\x02first\x00\x00\x00\x00\x02vab\x00")) {
		t.Errorf("values of 'ab' not in priority order (latest first among equals): %q", b)
	}
	if err := idx.insert("caf\xe9", "v", 0); err == nil {
		t.Error("non-ASCII key accepted")
	}
	if a, ok := normalizeAlias("usb:v-1[a-b]-x"); !ok || a != "usb:v_1[a-b]_x" {
		t.Errorf("normalizeAlias = %q, %v", a, ok)
	}
	if _, ok := normalizeAlias("a[b"); ok {
		t.Error("unmatched bracket accepted")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(buildModule(false, binary.LittleEndian, fakeModule{info: []string{"name=a", "depends=b"}, undefined: []string{"x"}, exports: []string{"y"}}))
	f.Add(buildModule(true, binary.BigEndian, fakeModule{info: []string{"name=a"}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err == nil && m == nil {
			t.Fatal("nil module without error")
		}
	})
}
