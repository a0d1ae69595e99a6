package uimage

import "strings"

// The numeric values below are the IH_ARCH_*, IH_OS_*, IH_TYPE_* and
// IH_COMP_* codes of U-Boot's legacy image header. They are part of the
// on-disk format, so they never change; the short names are the ones
// mkimage accepts on its command line and the long names are the ones
// `mkimage -l` prints. The FIT writer uses the same names in its .its
// properties, which is why these tables are exported.

// Entry is one code of a header field: its number, the name used on the
// command line and in FIT sources, and the description mkimage prints.
type Entry struct {
	ID       uint8
	Name     string
	LongName string
}

// Table lists the codes of one header field. Several names may share an
// ID (aliases such as "ppc" for "powerpc"); the first one is canonical.
type Table struct {
	// Field is what the table describes, used in messages ("architecture").
	Field string
	// Unknown is what mkimage prints for an ID it has no name for.
	Unknown string
	Entries []Entry
}

// Lookup returns the code for a command-line name. Case does not
// matter, as with mkimage.
func (t *Table) Lookup(name string) (uint8, bool) {
	for _, e := range t.Entries {
		if strings.EqualFold(e.Name, name) {
			return e.ID, true
		}
	}
	return 0, false
}

// Name returns the canonical short name of id, or "" if it has none.
func (t *Table) Name(id uint8) string {
	for _, e := range t.Entries {
		if e.ID == id {
			return e.Name
		}
	}
	return ""
}

// LongName returns the description mkimage prints for id.
func (t *Table) LongName(id uint8) string {
	for _, e := range t.Entries {
		if e.ID == id {
			return e.LongName
		}
	}
	return t.Unknown
}

// Names returns every accepted name, aliases included, in table order.
func (t *Table) Names() []string {
	names := make([]string, 0, len(t.Entries))
	for _, e := range t.Entries {
		names = append(names, e.Name)
	}
	return names
}

// Architecture codes (IH_ARCH_*).
const (
	ArchInvalid    uint8 = 0
	ArchAlpha      uint8 = 1
	ArchARM        uint8 = 2
	ArchX86        uint8 = 3
	ArchIA64       uint8 = 4
	ArchMIPS       uint8 = 5
	ArchMIPS64     uint8 = 6
	ArchPowerPC    uint8 = 7
	ArchS390       uint8 = 8
	ArchSH         uint8 = 9
	ArchSPARC      uint8 = 10
	ArchSPARC64    uint8 = 11
	ArchM68K       uint8 = 12
	ArchMicroBlaze uint8 = 14
	ArchNIOS2      uint8 = 15
	ArchBlackfin   uint8 = 16
	ArchAVR32      uint8 = 17
	ArchSandbox    uint8 = 19
	ArchNDS32      uint8 = 20
	ArchOpenRISC   uint8 = 21
	ArchARM64      uint8 = 22
	ArchARC        uint8 = 23
	ArchX86_64     uint8 = 24
	ArchXtensa     uint8 = 25
	ArchRISCV      uint8 = 26
)

// Arch is the architecture table (mkimage -A).
var Arch = Table{
	Field:   "architecture",
	Unknown: "Unknown Architecture",
	Entries: []Entry{
		{ArchInvalid, "invalid", "Invalid ARCH"},
		{ArchAlpha, "alpha", "Alpha"},
		{ArchARM, "arm", "ARM"},
		{ArchX86, "x86", "Intel x86"},
		{ArchIA64, "ia64", "IA64"},
		{ArchMIPS, "mips", "MIPS"},
		{ArchMIPS64, "mips64", "MIPS 64 Bit"},
		{ArchPowerPC, "powerpc", "PowerPC"},
		{ArchPowerPC, "ppc", "PowerPC"},
		{ArchS390, "s390", "IBM S390"},
		{ArchSH, "sh", "SuperH"},
		{ArchSPARC, "sparc", "SPARC"},
		{ArchSPARC64, "sparc64", "SPARC 64 Bit"},
		{ArchM68K, "m68k", "M68K"},
		{ArchMicroBlaze, "microblaze", "MicroBlaze"},
		{ArchNIOS2, "nios2", "NIOS II"},
		{ArchBlackfin, "blackfin", "Blackfin"},
		{ArchAVR32, "avr32", "AVR32"},
		{ArchSandbox, "sandbox", "Sandbox"},
		{ArchNDS32, "nds32", "NDS32"},
		{ArchOpenRISC, "or1k", "OpenRISC 1000"},
		{ArchARM64, "arm64", "AArch64"},
		{ArchARC, "arc", "ARC"},
		{ArchX86_64, "x86_64", "AMD x86_64"},
		{ArchXtensa, "xtensa", "Xtensa"},
		{ArchRISCV, "riscv", "RISC-V"},
	},
}

// Operating system codes (IH_OS_*).
const (
	OSInvalid            uint8 = 0
	OSOpenBSD            uint8 = 1
	OSNetBSD             uint8 = 2
	OSFreeBSD            uint8 = 3
	OS4_4BSD             uint8 = 4
	OSLinux              uint8 = 5
	OSSVR4               uint8 = 6
	OSEsix               uint8 = 7
	OSSolaris            uint8 = 8
	OSIrix               uint8 = 9
	OSSCO                uint8 = 10
	OSDell               uint8 = 11
	OSNCR                uint8 = 12
	OSVxWorks            uint8 = 14
	OSPSOS               uint8 = 15
	OSQNX                uint8 = 16
	OSUBoot              uint8 = 17
	OSRTEMS              uint8 = 18
	OSIntegrity          uint8 = 21
	OSOSE                uint8 = 22
	OSPlan9              uint8 = 23
	OSOpenRTOS           uint8 = 24
	OSARMTrustedFirmware uint8 = 25
	OSTEE                uint8 = 26
	OSOpenSBI            uint8 = 27
	OSEFI                uint8 = 28
)

// OS is the operating system table (mkimage -O).
var OS = Table{
	Field:   "operating system",
	Unknown: "Unknown OS",
	Entries: []Entry{
		{OSInvalid, "invalid", "Invalid OS"},
		{OSOpenBSD, "openbsd", "OpenBSD"},
		{OSNetBSD, "netbsd", "NetBSD"},
		{OSFreeBSD, "freebsd", "FreeBSD"},
		{OS4_4BSD, "4_4bsd", "4_4BSD"},
		{OSLinux, "linux", "Linux"},
		{OSSVR4, "svr4", "SVR4"},
		{OSEsix, "esix", "Esix"},
		{OSSolaris, "solaris", "Solaris"},
		{OSIrix, "irix", "Irix"},
		{OSSCO, "sco", "SCO"},
		{OSDell, "dell", "Dell"},
		{OSNCR, "ncr", "NCR"},
		{OSVxWorks, "vxworks", "VxWorks"},
		{OSPSOS, "psos", "pSOS"},
		{OSQNX, "qnx", "QNX"},
		{OSUBoot, "u-boot", "U-Boot"},
		{OSRTEMS, "rtems", "RTEMS"},
		{OSIntegrity, "integrity", "INTEGRITY"},
		{OSOSE, "ose", "Enea OSE"},
		{OSPlan9, "plan9", "Plan 9"},
		{OSOpenRTOS, "openrtos", "OpenRTOS"},
		{OSARMTrustedFirmware, "arm-trusted-firmware", "ARM Trusted Firmware"},
		{OSTEE, "tee", "Trusted Execution Environment"},
		{OSOpenSBI, "opensbi", "RISC-V OpenSBI"},
		{OSEFI, "efi", "EFI Firmware"},
	},
}

// Image type codes (IH_TYPE_*). Only the types a plain legacy header can
// carry are named here; the SoC boot formats (stm32image, ...) have their
// own writers.
const (
	TypeInvalid      uint8 = 0
	TypeStandalone   uint8 = 1
	TypeKernel       uint8 = 2
	TypeRamdisk      uint8 = 3
	TypeMulti        uint8 = 4
	TypeFirmware     uint8 = 5
	TypeScript       uint8 = 6
	TypeFilesystem   uint8 = 7
	TypeFlatDT       uint8 = 8
	TypeKernelNoload uint8 = 14
	TypeFPGA         uint8 = 29
	TypeTEE          uint8 = 31
	TypeSTM32Image   uint8 = 34
)

// Type is the image type table (mkimage -T). It includes the types a FIT
// image node may declare (flat_dt, fpga, loadable, tee) besides the ones a
// legacy header is written for; IsLegacy tells them apart.
var Type = Table{
	Field:   "image type",
	Unknown: "Unknown Image",
	Entries: []Entry{
		{TypeInvalid, "invalid", "Invalid Image"},
		{TypeStandalone, "standalone", "Standalone Program"},
		{TypeKernel, "kernel", "Kernel Image"},
		{TypeRamdisk, "ramdisk", "RAMDisk Image"},
		{TypeMulti, "multi", "Multi-File Image"},
		{TypeFirmware, "firmware", "Firmware"},
		{TypeScript, "script", "Script"},
		{TypeFilesystem, "filesystem", "Filesystem Image"},
		{TypeFlatDT, "flat_dt", "Flat Device Tree"},
		{TypeKernelNoload, "kernel_noload", "Kernel Image (no loading done)"},
		{TypeFPGA, "fpga", "FPGA Image"},
		{TypeTEE, "tee", "Trusted Execution Environment Image"},
		{TypeSTM32Image, "stm32image", "STMicroelectronics STM32 Image"},
	},
}

// IsLegacy reports whether a plain 64-byte legacy header is written for
// image type id (as opposed to FIT-only or SoC-specific types).
func IsLegacy(id uint8) bool {
	switch id {
	case TypeStandalone, TypeKernel, TypeRamdisk, TypeMulti, TypeFirmware,
		TypeScript, TypeFilesystem, TypeKernelNoload:
		return true
	}
	return false
}

// Compression codes (IH_COMP_*).
const (
	CompNone  uint8 = 0
	CompGzip  uint8 = 1
	CompBzip2 uint8 = 2
	CompLZMA  uint8 = 3
	CompLZO   uint8 = 4
	CompLZ4   uint8 = 5
	CompZstd  uint8 = 6
)

// Comp is the compression table (mkimage -C).
var Comp = Table{
	Field:   "compression",
	Unknown: "Unknown Compression",
	Entries: []Entry{
		{CompNone, "none", "uncompressed"},
		{CompGzip, "gzip", "gzip compressed"},
		{CompBzip2, "bzip2", "bzip2 compressed"},
		{CompLZMA, "lzma", "lzma compressed"},
		{CompLZO, "lzo", "lzo compressed"},
		{CompLZ4, "lz4", "lz4 compressed"},
		{CompZstd, "zstd", "zstd compressed"},
	},
}
