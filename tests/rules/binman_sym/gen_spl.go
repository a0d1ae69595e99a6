// Command gen_spl writes a tiny SPL and its ELF with binman symbols, so the
// symbol-patching test needs no cross toolchain.
package main

import (
	"bytes"
	"os"

	"github.com/rules-firmware/rules_firmware/tools/elfgen"
)

func main() {
	text := bytes.Repeat([]byte{0xaa}, 32)
	elf := elfgen.Build(false, 0x2ffc0000, text, []elfgen.Symbol{
		{Name: "__image_copy_start", Addr: 0x2ffc0000},
		{Name: "_binman_u_boot_prop_offset", Addr: 0x2ffc0004, Size: 4},
		{Name: "_binman_u_boot_prop_size", Addr: 0x2ffc0008, Size: 4},
		{Name: "_binman_u_boot_prop_image_pos", Addr: 0x2ffc0010, Size: 8},
	})
	if err := os.WriteFile(os.Args[1], text, 0o644); err != nil {
		panic(err)
	}
	if err := os.WriteFile(os.Args[2], elf, 0o644); err != nil {
		panic(err)
	}
}
