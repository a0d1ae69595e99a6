package ppclink

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Small objects written here and compiled at test time cover what the
// kernel's boot objects do not: commons, orphan code/data/bss sections,
// old-style (non-PIC) GOT headers, ADDR16 relocations, weak symbols
// resolved through archives, calls to undefined weak functions, strings
// merged across objects.

type srcFile struct {
	name, text string
}

// compile builds each source with powerpc-linux-gnu-gcc (C or assembly by
// suffix); files under "lib/" go into lib.a (ar rcs) instead.
func compile(t *testing.T, dir string, cflags []string, srcs ...srcFile) (objs []string, lib string) {
	t.Helper()
	var members []string
	for _, s := range srcs {
		path := filepath.Join(dir, filepath.Base(s.name))
		if err := os.WriteFile(path, []byte(s.text), 0o644); err != nil {
			t.Fatal(err)
		}
		obj := strings.TrimSuffix(path, filepath.Ext(path)) + ".o"
		args := append([]string{"-c", "-o", obj}, cflags...)
		run(t, "powerpc-linux-gnu-gcc", append(args, path)...)
		if strings.HasPrefix(s.name, "lib/") {
			members = append(members, obj)
		} else {
			objs = append(objs, obj)
		}
	}
	if len(members) > 0 {
		lib = filepath.Join(dir, "lib.a")
		run(t, "powerpc-linux-gnu-ar", append([]string{"rcsD", lib}, members...)...)
	}
	return objs, lib
}

func inputs(t *testing.T, paths ...string) []Input {
	var ins []Input
	for _, p := range paths {
		ins = append(ins, Input{Name: filepath.Base(p), Data: readFile(t, p)})
	}
	return ins
}

func lds(t *testing.T, dir string) string {
	p := filepath.Join(dir, "zImage.lds")
	if err := os.WriteFile(p, []byte(zImageLDS), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// zImageLDS is arch/powerpc/boot/zImage.lds.S after cpp for 32-bit, the
// script ld gets; the layout this package builds in.
const zImageLDS = `OUTPUT_ARCH(powerpc:common)
ENTRY(_zimage_start)
EXTERN(_zimage_start)
SECTIONS
{
  .text : { _start = .; *(.text) *(.fixup) _etext = .; }
  . = ALIGN(4096);
  .data : { *(.rodata*) *(.data*) *(.sdata*) *(.got2) }
  .dynsym : { *(.dynsym) }
  .dynstr : { *(.dynstr) }
  .dynamic : { __dynamic_start = .; *(.dynamic) }
  .hash : { *(.hash) }
  .interp : { *(.interp) }
  .rela.dyn : { *(.rela*) }
  . = ALIGN(8);
  .kernel:dtb : { _dtb_start = .; *(.kernel:dtb) _dtb_end = .; }
  . = ALIGN(4096);
  .kernel:vmlinux.strip : { _vmlinux_start = .; *(.kernel:vmlinux.strip) _vmlinux_end = .; }
  . = ALIGN(4096);
  .kernel:initrd : { _initrd_start = .; *(.kernel:initrd) _initrd_end = .; }
  . = ALIGN(4096);
  .kernel:esm_blob : { _esm_blob_start = .; *(.kernel:esm_blob) _esm_blob_end = .; }
  . = ALIGN(4096);
  .bss : { _edata = .; __bss_start = .; *(.sbss) *(.bss) *(COMMON) _end = . ; }
}
`

const startAsm = `
	.text
	.globl _zimage_start
_zimage_start:
	bl main
	lis 3,table@ha
	addi 3,3,table@l
	lis 4,table@h
	ori 4,4,table@l
	beq 1f
	nop
1:	b .
	.section .note.GNU-stack,"",@progbits
`

var smallCases = []struct {
	name   string
	cflags []string
	srcs   []srcFile
	blob   bool
	addr   uint32
}{
	{
		name:   "pic-common-weak-archive",
		cflags: []string{"-O2", "-fPIC", "-fcommon", "-msoft-float"},
		blob:   true,
		addr:   0x400000,
		srcs: []srcFile{
			{"start.S", startAsm},
			{"main.c", `
extern void helper(void);
extern void maybe(void) __attribute__((weak));
int counter; int other[4]; char buf[100];
int table[3] = {1, 2, 3};
const char *msgs[] = {"hello, world", "world", "another string"};
int main(void) { helper(); if (maybe) maybe(); counter++; buf[1] = 2; return (int)msgs[1][0] + other[2]; }
`},
			{"lib/helper.c", `
extern int counter; int counter; int lonely[7];
const char *tail = "string";
void helper(void) { counter += 2; lonely[1] = 3; }
__attribute__((weak)) void overridden(void) {}
`},
			{"lib/strong.c", `void overridden(void) { } const char *more = "o, world";`},
		},
	},
	{
		name:   "nonpic-old-got-orphans-no-Ttext",
		cflags: []string{"-O2", "-fno-pic", "-msoft-float", "-ffunction-sections"},
		addr:   0, // no -Ttext: .text at 0
		srcs: []srcFile{
			{"start.S", startAsm + `
	.section .text.extra,"ax",@progbits
	.globl extra
extra:	blr
	.section .myro,"a",@progbits
	.long _GLOBAL_OFFSET_TABLE_
	.section .mybss,"aw",@nobits
	.space 12
	.section .mydata,"aw",@progbits
	.long extra
`},
			{"main.c", `
int table[3];
static int used(int x) { return x * 3; }
int main(void) { return used(table[1]); }
`},
		},
	},
}

func init() {
	smallCases = append(smallCases, struct {
		name   string
		cflags []string
		srcs   []srcFile
		blob   bool
		addr   uint32
	}{
		name:   "commons-small-and-large-odd-Ttext",
		cflags: []string{"-O2", "-fPIC", "-fcommon"},
		addr:   0x400104, // not page aligned: the file offset follows it
		srcs: []srcFile{
			{"s.S", "\t.text\n\t.globl _zimage_start\n_zimage_start:\n\tbl main\n\tbl b\n"},
			{"a.c", "int c1; char c2; long long c8; char c9[9]; int c16[4]; short zz; int yy[2];\nint main(void){return c1+c2+c8+c9[0]+c16[0]+zz+yy[0];}\n"},
			{"b.c", "int c1; char c9[12]; int bb[3]; int yy[2];\nint b(void){return c1+bb[0];}\n"},
		},
	})
}

func init() {
	smallCases = append(smallCases, struct {
		name   string
		cflags []string
		srcs   []srcFile
		blob   bool
		addr   uint32
	}{
		// Debug sections (.debug_str merged, .debug_line_str from the
		// assembler in an archive member) and .gnu.attributes from a later
		// member: ld's order of non-allocated sections.
		name:   "debug-info-attributes",
		cflags: []string{"-O2", "-fPIC", "-g", "-msoft-float"},
		blob:   true,
		addr:   0x400000,
		srcs: []srcFile{
			{"main.c", "extern void start2(void); extern double pass(double);\nvolatile double v;\nint main(void) { start2(); v = pass(v); return 0; }\n"},
			{"lib/start.S", "\t.text\n\t.globl _zimage_start\n_zimage_start:\n\tbl main\n\t.globl start2\nstart2:\tblr\n"},
			{"lib/fp.c", "double pass(double x) { return x; }\n"},
		},
	})
}

// TestSmallObjectsMatchLD compares whole ELF files and raw images with ld.
func TestSmallObjectsMatchLD(t *testing.T) {
	for _, c := range smallCases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			objs, lib := compile(t, dir, c.cflags, c.srcs...)
			paths := append([]string{}, objs...)
			ins := inputs(t, objs...)
			if c.blob {
				payload := bytes.Repeat([]byte("payload!"), 1000)
				emptyC := filepath.Join(dir, "empty.c")
				os.WriteFile(emptyC, nil, 0o644)
				emptyO := filepath.Join(dir, "empty.o")
				run(t, "powerpc-linux-gnu-gcc", "-c", "-O2", "-fPIC", "-o", emptyO, emptyC)
				tmpo := filepath.Join(dir, "tmp.o")
				addSections(t, emptyO, tmpo, map[string][]byte{".kernel:vmlinux.strip": payload}, []string{".kernel:vmlinux.strip"})
				paths = append(paths, tmpo)
				ins = append(ins, Input{Name: "empty.o", Data: readFile(t, emptyO)}.WithSection(".kernel:vmlinux.strip", payload))
			}
			if lib != "" {
				paths = append(paths, lib)
				ins = append(ins, inputs(t, lib)...)
			}
			refELF, refBin := ldLink(t, dir, lds(t, dir), c.addr, paths...)
			out, err := Link(ins, Options{TextAddr: c.addr})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Binary(), refBin) {
				t.Errorf("raw image differs from ld's (%d vs %d bytes, first difference at %#x)", len(out.Binary()), len(refBin), firstDiff(out.Binary(), refBin))
			}
			if !bytes.Equal(out.ELF(), refELF) {
				t.Errorf("ELF differs from ld's (%d vs %d bytes, first difference at %#x)", len(out.ELF()), len(refELF), firstDiff(out.ELF(), refELF))
			}
		})
	}
}

// TestPIEMatchesLD: a -pie link with absolute words against code, data,
// script symbols, an absolute symbol and an undefined weak one.
func TestPIEMatchesLD(t *testing.T) {
	dir := t.TempDir()
	objs, _ := compile(t, dir, []string{"-O2", "-fPIC"},
		srcFile{"start.S", `
	.text
	.globl _zimage_start
_zimage_start:
	bl main
	b .
p:	.long _start, _end, main, table, absval
	.weak gone
	.long gone
	.section .note.GNU-stack,"",@progbits
`},
		srcFile{"main.c", "int table[4] = {1};\nint *tp = &table[2];\nconst char *s = \"text\";\nint main(void) { return *tp; }\n"},
		srcFile{"abs.S", "\t.globl absval\n\tabsval = 0x1234\n"})
	refELF, refBin := ldLinkArgs(t, dir, lds(t, dir), 0x20000000, []string{"-pie", "-z", "notext"}, objs...)
	out, err := Link(inputs(t, objs...), Options{TextAddr: 0x20000000, PIE: true})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Binary(), refBin) {
		t.Errorf("raw image differs from ld's at %#x", firstDiff(out.Binary(), refBin))
	}
	if !bytes.Equal(out.ELF(), refELF) {
		t.Errorf("ELF differs from ld's (%d vs %d bytes) at %#x", len(out.ELF()), len(refELF), firstDiff(out.ELF(), refELF))
	}
}

func TestPIERejectsAbsoluteHalfWords(t *testing.T) {
	ins := assemble(t, t.TempDir(), srcFile{"start.S", "\t.text\n\t.globl _zimage_start\n_zimage_start:\n\tlis 3,x@ha\n\taddi 3,3,x@l\nx:\tblr\n"})
	_, err := Link(ins, Options{TextAddr: 0x20000000, PIE: true})
	wantErr(t, err, "start.o", "'.text'", "R_PPC_ADDR16_HA", "dynamic relocation")
}
