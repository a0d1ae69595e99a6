package binmandesc

import "sync"

var tablesOnce sync.Once

// setupTables builds the package's tables and registers the entry types
// kept in files of their own, once, when Load first runs: fwtool is one
// binary and runs every package's initialisation for every command, so
// tables built at start-up are paid by `fwtool mkenvimage -V` as much as
// by a binman build (benchmarks/README.md, start-up). The order is what
// package initialisation had: the tables first, then each file's
// registration in file-name order (unsupported.go skips types registered
// before it).
func setupTables() {
	tablesOnce.Do(func() {
		namedBlobs = func() map[string]namedBlob {
			m := map[string]namedBlob{
				"u-boot":       {file: "u-boot.bin"},
				"u-boot-nodtb": {file: "u-boot-nodtb.bin"},
				"u-boot-img":   {file: "u-boot.img"},
				"u-boot-elf":   {file: "u-boot"},
				"u-boot-dtb":   {file: "u-boot.dtb", mainDTB: true},
			}
			phaseBlobs(m, "spl", "spl")
			phaseBlobs(m, "tpl", "tpl")
			phaseBlobs(m, "vpl", "vpl")
			return m
		}()
		namedByArg = map[string]bool{
			"atf-bl1": true, "atf-bl31": true, "cros-ec-rw": true, "opensbi": true,
			"rockchip-tpl": true, "scp": true, "ti-dm": true,
		}
		numProps = map[string]bool{
			"offset": true, "size": true, "min-size": true, "align": true,
			"align-size": true, "align-end": true, "pad-before": true,
			"pad-after": true, "pad-byte": true, "skip-at-start": true,
			"align-default": true, "assume-size": true, "symbols-base": true,
		}
		flagProps = map[string]bool{
			"extend-size": true, "overlap": true, "optional": true,
			"sort-by-offset": true, "end-at-4gb": true, "allow-repack": true,
			"read-only": true, "write-symbols": true, "no-write-symbols": true,
			"multiple-images": true, "no-expanded": true,
		}
		stringProps = map[string]bool{
			"type": true, "filename": true, "compress": true, "missing-msg": true,
			"text": true, "location": true, "name-prefix": true,
			"elf-filename": true, "elf-base-sym": true, "text-label": true,
		}
		cbfsArchs = map[string]uint32{
			"unknown": 0xffffffff, "x86": 1, "arm": 0x10, "arm64": 0xaa64,
			"mips": 0x100, "riscv": 0xc001d0de, "ppc64": 0x407570ff,
		}
		dtbTypes = map[string]bool{
			"u-boot-dtb": true, "u-boot-spl-dtb": true, "u-boot-tpl-dtb": true,
			"u-boot-vpl-dtb": true, "u-boot-dtb-with-ucode": true, "u-boot-spl-pubkey-dtb": true,
		}
		etypeReaders = map[string]etypeReader{}
		notBinmanFipTypes = map[string]bool{"cca-cert": true, "core-swd-cert": true, "plat-key-cert": true}
		unsupportedEtypes = map[string]string{
			"nxp-imx8mcst":    "i.MX8M code signing runs NXP's cst tool",
			"nxp-imx9image":   "an i.MX9 container built by mkimage -T imx8image",
			"ti-board-config": "TI board configuration is read from YAML with a schema",
			"xilinx-bootgen":  "it runs Xilinx bootgen",
			"intel-ifwi":      "it runs ifwitool on an Intel IFWI",
			"intel-fit":       "the Intel Firmware Interface Table",
			"intel-fit-ptr":   "the Intel Firmware Interface Table pointer",
			"vblock":          "it runs futility for a Chrome OS verified-boot block",
			"gbb":             "it runs futility for a Chrome OS GBB",
		}
		xplPhases = map[string]string{
			"u-boot-spl": "spl", "u-boot-tpl": "tpl", "u-boot-vpl": "vpl",
		}
		registerAlternates()
		registerBlobextlist()
		registerCapsule()
		registerCbfs()
		registerCollection()
		registerCros()
		registerEncrypted()
		registerEtypes()
		registerEtypes2()
		registerFiles()
		registerFmap()
		registerImx8m()
		registerIntel()
		registerIntelfit()
		registerMkimage()
		registerMpc85xx()
		registerNxpddrfw()
		registerPreload()
		registerRcar4()
		registerSplpubkey()
		registerTeeos()
		registerTesting()
		registerTisecure()
		registerUbootenv()
		registerUcode()
		registerUnsupported()
		registerX509cert()
		registerXplexpand()
	})
}
