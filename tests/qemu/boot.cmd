# Run by U-Boot's distro boot from the test disk's FAT partition. Each check
# prints RF-BEGIN/RF-END around U-Boot's own output and RF-OK or RF-FAIL;
# uboot_boot_test.sh reads the serial console. Addresses lie in qemu_arm64's
# RAM (0x40000000, 512 MiB), clear of the script itself at ${scriptaddr}.
setenv rf_payload 0x48000000
setenv rf_uimage 0x49000000
setenv rf_out 0x4a000000
setenv rf_fit 0x4b000000
setenv rf_env 0x4c000000
setenv rf_dtb 0x4c800000
setenv rf_fw 0x4d000000
setenv rf_blob 0x4e000000
echo RF-SCRIPT-STARTED

echo RF-BEGIN payload
if load ${devtype} ${devnum}:${distro_bootpart} ${rf_payload} payload.bin; then echo RF-OK payload-load; else echo RF-FAIL payload-load; fi
setenv rf_payload_size ${filesize}
echo RF-END payload

echo RF-BEGIN uimage
load ${devtype} ${devnum}:${distro_bootpart} ${rf_uimage} kernel.uimg
if iminfo ${rf_uimage}; then echo RF-OK uimage-iminfo; else echo RF-FAIL uimage-iminfo; fi
setexpr rf_data ${rf_uimage} + 0x40
if unzip ${rf_data} ${rf_out}; then echo RF-OK uimage-unzip; else echo RF-FAIL uimage-unzip; fi
if itest ${filesize} == ${rf_payload_size}; then echo RF-OK uimage-size; else echo RF-FAIL uimage-size ${filesize}; fi
if cmp.b ${rf_out} ${rf_payload} ${rf_payload_size}; then echo RF-OK uimage-cmp; else echo RF-FAIL uimage-cmp; fi
echo RF-END uimage

echo RF-BEGIN multi
# Parts in srcs order, which buildifier sorts: blob, then payload.
load ${devtype} ${devnum}:${distro_bootpart} ${rf_blob} blob.bin
setenv rf_blob_size ${filesize}
load ${devtype} ${devnum}:${distro_bootpart} ${rf_uimage} multi.uimg
if iminfo ${rf_uimage}; then echo RF-OK multi-iminfo; else echo RF-FAIL multi-iminfo; fi
if imxtract ${rf_uimage} 0 ${rf_out}; then echo RF-OK multi-imxtract-0; else echo RF-FAIL multi-imxtract-0; fi
if cmp.b ${rf_out} ${rf_blob} ${rf_blob_size}; then echo RF-OK multi-cmp-0; else echo RF-FAIL multi-cmp-0; fi
if imxtract ${rf_uimage} 1 ${rf_out}; then echo RF-OK multi-imxtract-1; else echo RF-FAIL multi-imxtract-1; fi
if cmp.b ${rf_out} ${rf_payload} ${rf_payload_size}; then echo RF-OK multi-cmp-1; else echo RF-FAIL multi-cmp-1; fi
echo RF-END multi

echo RF-BEGIN fit
load ${devtype} ${devnum}:${distro_bootpart} ${rf_fit} image.itb
if iminfo ${rf_fit}; then echo RF-OK fit-iminfo; else echo RF-FAIL fit-iminfo; fi
mw.b ${rf_out} 0 ${rf_payload_size}
if imxtract ${rf_fit} kernel ${rf_out}; then echo RF-OK fit-imxtract; else echo RF-FAIL fit-imxtract; fi
if cmp.b ${rf_out} ${rf_payload} ${rf_payload_size}; then echo RF-OK fit-cmp; else echo RF-FAIL fit-cmp; fi
if source ${rf_fit}:script; then echo RF-OK fit-source; else echo RF-FAIL fit-source; fi
echo RF-END fit

echo RF-BEGIN fit-external
load ${devtype} ${devnum}:${distro_bootpart} ${rf_fit} external.itb
if iminfo ${rf_fit}; then echo RF-OK fit-external-iminfo; else echo RF-FAIL fit-external-iminfo; fi
mw.b ${rf_out} 0 ${rf_payload_size}
if imxtract ${rf_fit} kernel ${rf_out}; then echo RF-OK fit-external-imxtract; else echo RF-FAIL fit-external-imxtract; fi
if cmp.b ${rf_out} ${rf_payload} ${rf_payload_size}; then echo RF-OK fit-external-cmp; else echo RF-FAIL fit-external-cmp; fi
# No `source` here: U-Boot 2023.01's source reads only embedded script data
# ("Could not find script subimage data"), even from mkimage -E's output.
echo RF-END fit-external

echo RF-BEGIN env
load ${devtype} ${devnum}:${distro_bootpart} ${rf_env} uboot.env
if env import -c ${rf_env} ${filesize}; then echo RF-OK env-import; else echo RF-FAIL env-import; fi
printenv rf_greeting
printenv rf_number
echo RF-END env

echo RF-BEGIN dtb
load ${devtype} ${devnum}:${distro_bootpart} ${rf_dtb} board.dtb
if fdt addr ${rf_dtb}; then echo RF-OK dtb-addr; else echo RF-FAIL dtb-addr; fi
fdt print /rf-check
if fdt get value rf_model / model; then echo RF-OK dtb-get; else echo RF-FAIL dtb-get; fi
echo RF-MODEL ${rf_model}
echo RF-END dtb

echo RF-BEGIN firmware
load ${devtype} ${devnum}:${distro_bootpart} ${rf_fw} firmware.bin
setenv rf_fw_size ${filesize}
load ${devtype} ${devnum}:${distro_bootpart} ${rf_blob} blob.bin
setenv rf_blob_size ${filesize}
# The image header's last word is the fdtmap's offset from the image end,
# negative as a 32-bit number.
setexpr rf_end ${rf_fw} + ${rf_fw_size}
setexpr rf_word ${rf_end} - 4
setexpr.l rf_rel *${rf_word}
setexpr rf_back 100000000 - ${rf_rel}
setexpr rf_fdtmap ${rf_end} - ${rf_back}
if itest.s *${rf_fdtmap} == _FDTMAP_; then echo RF-OK firmware-fdtmap-magic; else echo RF-FAIL firmware-fdtmap-magic; fi
setexpr rf_map_dtb ${rf_fdtmap} + 0x10
if fdt addr ${rf_map_dtb}; then echo RF-OK firmware-fdtmap-addr; else echo RF-FAIL firmware-fdtmap-addr; fi
fdt print /fw_blob
fdt get value rf_entry_offset /fw_blob offset
fdt get value rf_entry_size /fw_blob size
if itest ${rf_entry_size} == ${rf_blob_size}; then echo RF-OK firmware-entry-size; else echo RF-FAIL firmware-entry-size ${rf_entry_size}; fi
setexpr rf_entry ${rf_fw} + ${rf_entry_offset}
if cmp.b ${rf_entry} ${rf_blob} ${rf_blob_size}; then echo RF-OK firmware-cmp; else echo RF-FAIL firmware-cmp; fi
echo RF-END firmware

echo RF-BEGIN corrupt-uimage
load ${devtype} ${devnum}:${distro_bootpart} ${rf_uimage} corrupt.uimg
if iminfo ${rf_uimage}; then echo RF-FAIL corrupt-uimage-accepted; else echo RF-OK corrupt-uimage-rejected; fi
echo RF-END corrupt-uimage

echo RF-BEGIN corrupt-fit
load ${devtype} ${devnum}:${distro_bootpart} ${rf_fit} corrupt.itb
if iminfo ${rf_fit}; then echo RF-FAIL corrupt-fit-accepted; else echo RF-OK corrupt-fit-rejected; fi
echo RF-END corrupt-fit

# U-Boot's control DTB requires key "dev" for configurations; this FIT is
# signed with another key under that name. Were bootm to accept it, its
# kernel would power off before RF-SCRIPT-DONE.
echo RF-BEGIN wrong-key-fit
load ${devtype} ${devnum}:${distro_bootpart} ${rf_fit} wrong_key.itb
if bootm ${rf_fit}#conf-1; then echo RF-FAIL wrong-key-fit-accepted; else echo RF-OK wrong-key-fit-rejected; fi
echo RF-END wrong-key-fit

echo RF-SCRIPT-DONE
poweroff
