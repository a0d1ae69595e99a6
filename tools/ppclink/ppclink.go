// Package ppclink is a small static linker for 32-bit big-endian PowerPC
// ELF relocatable objects, made for one job: linking the Linux kernel's
// PowerPC boot wrapper (arch/powerpc/boot: crt0.o, main.o, a platform
// object, wrapper.a and the payload object holding .kernel:* sections) the
// way `powerpc-linux-gnu-ld -m elf32ppc -T zImage.lds -Ttext ADDR
// --no-dynamic-linker` does, without a host linker.
//
// It is not a general linker. The only layout is the one of the kernel's
// zImage.lds (arch/powerpc/boot/zImage.lds.S after cpp, 32-bit), built in as
// Go data rather than parsed from a linker script. Inputs are ELF32-BE
// relocatable objects and `ar` archives (told apart by magic); archives are
// searched as ld searches them (members pulled in order while they define a
// symbol still undefined, strong definitions over weak ones).
//
// Outputs are the ELF executable (one RWE PT_LOAD and a PT_GNU_STACK, section
// headers, .symtab/.strtab/.shstrtab) and the raw image `objcopy -O binary`
// makes of it.
//
// Not covered (yet): -pie links (the epapr platform), the other wrapper
// scripts (zImage.coff.lds, zImage.ps3.lds).
package ppclink

import (
	"errors"
)

// Input is one linker input: an ELF32-BE relocatable object or an `ar`
// archive, recognised by magic. Name is used in error messages.
type Input struct {
	Name string
	Data []byte
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
	syms     []outSym
	symIndex map[string]int
}

// ErrNotImplemented is returned by the skeleton while the linker is filled in.
var ErrNotImplemented = errors.New("ppclink: not implemented")

// BlobObject returns the object `objcopy --add-section=SECTION=FILE
// --set-section-flags=SECTION=contents,alloc,load,readonly,data` yields when
// applied to an empty object (the wrapper's empty.o): one PROGBITS section
// holding data, alignment 1, no symbols. With section ".data" and a name
// "_binary_..." it is not what `objcopy -I binary` gives; use it for the
// wrapper's .kernel:* sections.
func BlobObject(name, section string, data []byte) Input {
	return Input{Name: name, Data: blobObject(section, data)}
}

// Link links objs (in command-line order) with the layout opts selects.
func Link(objs []Input, opts Options) (*Output, error) {
	return nil, ErrNotImplemented
}

// ELF returns the linked executable as ld writes it.
func (o *Output) ELF() []byte { return nil }

// Binary returns the image `objcopy -O binary` makes of the executable: the
// loadable sections' contents from the lowest to the highest loaded address,
// gaps filled with zeros, trailing NOBITS sections left out.
func (o *Output) Binary() []byte { return nil }

// Symbol returns the value of a global (or, failing that, local) symbol of
// the output.
func (o *Output) Symbol(name string) (uint32, bool) {
	i, ok := o.symIndex[name]
	if !ok {
		return 0, false
	}
	return o.syms[i].value, true
}

type outSym struct {
	name  string
	value uint32
}

func blobObject(section string, data []byte) []byte { return nil }
