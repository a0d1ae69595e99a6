// Package ppclink is a small static linker for 32-bit big-endian PowerPC
// ELF relocatable objects, made for one job: linking the Linux kernel's
// PowerPC boot wrapper (arch/powerpc/boot: the platform objects, empty.o
// carrying the .kernel:* payload sections, wrapper.a with crt0.o) the way
//
//	powerpc-linux-gnu-ld -m elf32ppc -T zImage.lds -Ttext ADDR --no-dynamic-linker
//
// does, without a host linker, and byte for byte: the tests link every
// platform of the kernel's wrapper with the bootstrap-built objects through
// both and compare whole ELF files and `objcopy -O binary` images (GNU ld
// 2.40, Debian's binutils-powerpc-linux-gnu).
//
// It is not a general linker. The only layout is the kernel's zImage.lds
// (arch/powerpc/boot/zImage.lds.S after cpp, 32-bit), built in as Go data,
// not parsed from a script. What it does as ld does:
//   - inputs: ELF32-BE relocatable objects and `ar` archives (by magic);
//     archives searched through their index, pass after pass, pulling the
//     members that define a still undefined symbol (undefined weak symbols
//     pull nothing); strong definitions override weak ones.
//   - layout: ENTRY/EXTERN(_zimage_start), -Ttext, the script's symbols
//     (_start, _etext, __dynamic_start, _dtb_*, _vmlinux_*, _initrd_*,
//     _esm_blob_*, _edata, __bss_start, _end), ALIGN, the wildcard input
//     patterns, orphans (.got and writable sections after .data, read-only
//     ones after the last matching section, code after .text, non-allocated
//     ones at the end), empty output sections dropped, nop-filled code gaps.
//   - the linker's own sections: the GOT header at _GLOBAL_OFFSET_TABLE_
//     (12 zero bytes when the objects use REL16, else the old 16-byte one
//     with a blrl), the .sbss for commons of up to 8 bytes, COMMON.
//   - SHF_MERGE sections merged as ld 2.40 does (.rodata.str*, .comment,
//     .debug_str): duplicates and tails dropped, each input keeping the
//     strings it brought first; identical .eh_frame CIEs kept once when ld
//     edits that .eh_frame; .gnu.attributes taken from the first input.
//   - relocations R_PPC_ADDR32/24/16/16_LO/16_HI/16_HA/14, REL32, REL24,
//     PLTREL24 (a direct branch; its addend only names the .got2), REL14,
//     REL16/_LO/_HI/_HA, with range checks; calls to undefined weak
//     functions branch to 0.
//   - output: ELF with one PT_LOAD (flags from the sections) and a
//     PT_GNU_STACK when an object has .note.GNU-stack, section, section and
//     local symbols, globals in the order of ld's hash table, tail-merged
//     string tables; the raw image objcopy -O binary makes.
//
// Errors are one line naming the object (archive members as
// "lib.a(member.o)"), the section and the symbol. Every size and offset in
// the input is checked before it is used or allocated; FuzzLink runs the
// readers and the link on arbitrary bytes.
//
// Options.PIE links as the epapr platform does (-pie -z notext
// --no-dynamic-linker): absolute words become R_PPC_RELATIVE relocations,
// with the dynamic sections ld makes for a PIE without dynamic symbols.
//
// Not covered: the other wrapper scripts (zImage.coff.lds, zImage.ps3.lds),
// section groups (COMDAT), TLS, shared objects, and anything needing a PLT,
// dynamic symbols or dynamic relocations other than R_PPC_RELATIVE.
package ppclink

// Input is one linker input: an ELF32-BE relocatable object or an `ar`
// archive, recognised by magic. Name is used in error messages.
type Input struct {
	Name string
	Data []byte

	extra []blob // sections added with WithSection
}

type blob struct {
	section string
	data    []byte
}

// WithSection returns the input with one more section, as `objcopy
// --add-section=SECTION=FILE --set-section-flags=SECTION=contents,alloc,
// load,readonly,data` makes it: PROGBITS, SHF_ALLOC, alignment 1, after the
// object's own sections. The wrapper applies this to its empty.o to carry
// the kernel, initrd and DTB; doing it on the real empty.o keeps that
// object's FILE symbol and .comment, so the link matches ld's byte for byte.
func (in Input) WithSection(section string, data []byte) Input {
	out := in
	out.extra = append(append([]blob{}, in.extra...), blob{section, data})
	return out
}

// BlobObject returns an object holding only SECTION with data, like
// WithSection applied to an object with no sections of its own. Prefer
// WithSection on the kernel build's empty.o when byte identity with the
// kernel's wrapper matters for the ELF output (it adds a FILE symbol and a
// .comment); the loaded image (Binary) is the same either way.
func BlobObject(name, section string, data []byte) Input {
	return Input{Name: name, Data: emptyObject()}.WithSection(section, data)
}

// Options selects the layout and addresses of a link.
type Options struct {
	// Entry is the ENTRY symbol; empty means "_zimage_start" (zImage.lds).
	Entry string
	// TextAddr is the address of .text (ld's -Ttext, the wrapper's
	// $link_address). Zero means 0, as ld does without -Ttext.
	TextAddr uint32
	// Script names the built-in layout; empty means "zImage.lds".
	Script string
	// PIE links as the wrapper's epapr platform does (-pie -z notext
	// --no-dynamic-linker): absolute 32-bit relocations become
	// R_PPC_RELATIVE entries in .rela.dyn, with .dynamic, .dynsym,
	// .dynstr, .hash and .gnu.hash as ld makes them.
	PIE bool
}

// Section is one section of the linked output.
type Section struct {
	Name  string
	Type  uint32 // SHT_*
	Flags uint32 // SHF_*
	Addr  uint32
	Size  uint32
	Align uint32
	Data  []byte // nil for SHT_NOBITS
}

// Output is a linked executable.
type Output struct {
	Entry    uint32
	Sections []Section
	syms     map[string]uint32
	elf      []byte
}

// Symbol returns the value of a global symbol of the output (including the
// linker script's and _GLOBAL_OFFSET_TABLE_).
func (o *Output) Symbol(name string) (uint32, bool) {
	v, ok := o.syms[name]
	return v, ok
}

// ELF returns the linked executable as ld writes it.
func (o *Output) ELF() []byte { return o.elf }

// Binary returns the image `objcopy -O binary` makes of the executable: the
// contents of the loadable sections from the lowest to the highest address,
// gaps filled with zeros, NOBITS sections left out.
func (o *Output) Binary() []byte {
	var lo, hi uint32
	first := true
	for _, s := range o.Sections {
		if s.Flags&shfAlloc == 0 || s.Type == shtNobits || s.Size == 0 {
			continue
		}
		if first || s.Addr < lo {
			lo = s.Addr
		}
		if first || s.Addr+s.Size > hi {
			hi = s.Addr + s.Size
		}
		first = false
	}
	if first {
		return []byte{}
	}
	out := make([]byte, hi-lo)
	for _, s := range o.Sections {
		if s.Flags&shfAlloc == 0 || s.Type == shtNobits {
			continue
		}
		copy(out[s.Addr-lo:], s.Data)
	}
	return out
}
