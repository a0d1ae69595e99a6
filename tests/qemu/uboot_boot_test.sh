#!/usr/bin/env bash
# Boots the real consumer, U-Boot (Debian's qemu_arm64 build), in QEMU on
# our images, three times, and reads the serial console:
#  1. distro boot finds boot.scr on an MBR disk's bootable FAT partition; the
#     script checks every image with U-Boot's own commands and powers off;
#  2. U-Boot loads our uboot_env from its environment flash; that bootcmd
#     checks a GPT disk with U-Boot's partition code;
#  3. distro boot reads our extlinux.conf from a hybrid-table disk and bootm
#     verifies a FIT and starts its kernel, which prints a marker and powers
#     off.
# The test fails unless every check passed and no error message appeared.
#
# usage: uboot_boot_test.sh DISK PAYLOAD DTB BLOB FLASH_ENV GPT_DISK EXTLINUX_DISK KERNEL CONTROL_DTB
#   DISK       the disk_image to boot
#   PAYLOAD    the bytes inside the uImage and the FIT's kernel node
#   DTB        the dtb rule's output, also the FIT's fdt-1 node
#   BLOB       the firmware_image entry the script compares
#   FLASH_ENV  a uboot_env for U-Boot's environment flash, booted second
#   GPT_DISK   the GPT disk_image that boot's bootcmd checks; sgdisk is the
#              reference for its partition table
#   EXTLINUX_DISK  a hybrid-table disk whose extlinux.conf boots a FIT
#   KERNEL     that FIT's kernel: prints RF-KERNEL-RAN and powers off
#   CONTROL_DTB  QEMU's device tree with the FIT's public key added, given to
#              U-Boot as its control DTB for boots 1 and 3
# RF_QEMU_UBOOT overrides the U-Boot binary (default: where Debian's
# u-boot-qemu package installs it).
set -euo pipefail
# shellcheck source=tests/qemu/qemu_harness.sh
source "$(dirname "$0")/qemu_harness.sh"

[[ $# -eq 9 ]] || fail "usage: $0 DISK PAYLOAD DTB BLOB FLASH_ENV GPT_DISK EXTLINUX_DISK KERNEL CONTROL_DTB"
disk=$1 payload=$2 dtb=$3 blob=$4 flash_env=$5 gpt_disk=$6 extlinux_disk=$7 kernel=$8 control_dtb=$9

qemu=$(command -v qemu-system-aarch64) || fail "qemu-system-aarch64 not found on PATH (Debian package qemu-system-arm)"
command -v sgdisk >/dev/null || fail "sgdisk not found on PATH (Debian package gdisk)"
uboot=${RF_QEMU_UBOOT:-/usr/lib/u-boot/qemu_arm64/u-boot.bin}
[[ -f "$uboot" ]] || fail "U-Boot for QEMU not found at $uboot (Debian package u-boot-qemu)"
for f in "$disk" "$payload" "$dtb" "$blob" "$flash_env" "$gpt_disk" "$extlinux_disk" "$kernel" "$control_dtb"; do
  [[ -f "$f" ]] || fail "input $f missing"
done

work=${TEST_TMPDIR:-$(mktemp -d)}

# boot NAME QEMU-ARGS...: runs U-Boot until it powers off; the serial
# console ends up in $work/NAME.log (and beside Bazel's test log). If U-Boot
# gives up and shows its prompt, nothing more will happen: stop at once.
boot() {
  local name=$1
  shift
  qemu_console "$name" 120 '^=> ' "$qemu" \
    -M virt,dtb-randomness=off -cpu cortex-a57 -m 512 \
    -nographic -no-reboot -nic none \
    -bios "$uboot" "$@"
  [[ -z "$qemu_stop" ]] || fail "$name: U-Boot stopped at its prompt instead of powering off (a boot step failed)"
  ((qemu_status != 124)) || fail "$name: QEMU did not power off within 120 s"
  ((qemu_status == 0)) || fail "$name: QEMU exited with status $qemu_status"
}

# QEMU writes to its drives; boot private copies.
cp "$disk" "$work/disk.img"
chmod u+w "$work/disk.img"
boot disk -dtb "$control_dtb" \
  -drive if=none,file="$work/disk.img",format=raw,id=hd0 \
  -device virtio-blk-device,drive=hd0
console="$work/disk.log"

# The virt board's second flash bank is 64 MiB; the environment sits at its
# start.
truncate -s 64M "$work/flash1.img"
dd if="$flash_env" of="$work/flash1.img" conv=notrunc status=none
cp "$gpt_disk" "$work/gpt_disk.img"
chmod u+w "$work/gpt_disk.img"
boot flash-env \
  -drive if=pflash,unit=1,format=raw,file="$work/flash1.img" \
  -drive if=none,file="$work/gpt_disk.img",format=raw,id=hd0 \
  -device virtio-blk-device,drive=hd0

cp "$extlinux_disk" "$work/extlinux_disk.img"
chmod u+w "$work/extlinux_disk.img"
boot extlinux -dtb "$control_dtb" \
  -drive if=none,file="$work/extlinux_disk.img",format=raw,id=hd0 \
  -device virtio-blk-device,drive=hd0

has_text() { grep -qF -- "$1" "$2"; }

# The lines of one RF-BEGIN/RF-END section of the console.
section() {
  local name=$1 out="$work/section.$1"
  awk -v b="RF-BEGIN $name" -v e="RF-END $name" '$0 == b {on = 1; next} $0 == e {on = 0} on' "$console" >"$out"
  [[ -s "$out" ]] || fail "section $name missing from the console"
  echo "$out"
}

expect() { # SECTION-FILE LINE...
  local f=$1
  shift
  local l
  for l in "$@"; do
    has_line "$l" "$f" || fail "$(basename "$f"): expected line '$l'"
  done
}

has_line "RF-SCRIPT-STARTED" "$console" || fail "boot.scr did not run (distro boot did not find it)"
has_line "RF-SCRIPT-DONE" "$console" || fail "boot.scr did not run to its end"
! grep -n "RF-FAIL" "$console" >&2 || fail "a check in boot.scr failed"

for ok in payload-load \
  uimage-iminfo uimage-unzip uimage-size uimage-cmp \
  multi-iminfo multi-imxtract-0 multi-cmp-0 multi-imxtract-1 multi-cmp-1 \
  fit-iminfo fit-imxtract fit-cmp fit-source \
  fit-external-iminfo fit-external-imxtract fit-external-cmp \
  env-import dtb-addr dtb-get \
  firmware-fdtmap-magic firmware-fdtmap-addr firmware-entry-size firmware-cmp \
  corrupt-uimage-rejected corrupt-fit-rejected wrong-key-fit-rejected; do
  has_line "RF-OK $ok" "$console" || fail "marker RF-OK $ok missing"
done

# Everything the script printed outside the deliberately corrupted images
# must be free of U-Boot's error messages.
awk '$0 == "RF-SCRIPT-STARTED" {on = 1} /^RF-BEGIN (corrupt|wrong-key)-/ {skip = 1} on && !skip; /^RF-END (corrupt|wrong-key)-/ {skip = 0}' \
  "$console" >"$work/positive.log"
for bad in "Bad Data CRC" "Bad Header Checksum" "Bad Magic Number" "Bad hash" "error!" "ERROR" \
  "Error" "FDT_ERR" "differs" "failed" "Unknown command" "not found" "SCRIPT FAILED" "bad CRC"; do
  ! grep -n -F -- "$bad" "$work/positive.log" >&2 || fail "U-Boot reported '$bad'"
done

size_of() { wc -c <"$1" | tr -d ' '; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
# gzip's trailer holds the CRC-32 of its input (little-endian), the same
# CRC U-Boot's crc32 hash nodes use.
crc32_of() {
  gzip -c "$1" | tail -c 8 | head -c 4 | od -An -tx1 | tr -d ' \n' |
    sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/'
}
payload_size=$(size_of "$payload")
dtb_size=$(size_of "$dtb")
blob_size=$(size_of "$blob")

s=$(section uimage)
expect "$s" \
  "   Legacy image found" \
  "   Image Name:   rules_firmware qemu kernel" \
  "   Image Type:   AArch64 Linux Kernel Image (gzip compressed)" \
  "   Load Address: 40400000" \
  "   Verifying Checksum ... OK" \
  "$(printf 'Uncompressed size: %d = 0x%X' "$payload_size" "$payload_size")" \
  "Total of $payload_size byte(s) were the same"

s=$(section multi)
expect "$s" \
  "   Image Type:   AArch64 Linux Multi-File Image (uncompressed)" \
  "   Verifying Checksum ... OK" \
  "   Loading part 0 ... OK" \
  "   Loading part 1 ... OK" \
  "Total of $blob_size byte(s) were the same" \
  "Total of $payload_size byte(s) were the same"

for fit in fit fit-external; do
  s=$(section "$fit")
  expect "$s" \
    "   FIT image found" \
    "     Data Size:    $dtb_size Bytes = $dtb_size Bytes" \
    "     Hash value:   $(sha256_of "$payload")" \
    "     Hash value:   $(crc32_of "$payload")" \
    "     Hash value:   $(sha256_of "$dtb")" \
    "     Hash value:   $(crc32_of "$dtb")" \
    "    Default Configuration: 'conf-1'" \
    "     Kernel:       kernel" \
    "     FDT:          fdt-1" \
    "   Hash(es) for Image 0 (kernel): sha256+ crc32+ " \
    "   Hash(es) for Image 1 (fdt-1): sha256+ crc32+ " \
    "   Hash(es) for Image 2 (script): sha256+ crc32+ " \
    "sha256+ crc32+    Loading part 0 ... OK" \
    "Total of $payload_size byte(s) were the same"
  awk -v p="     Data Size:    $payload_size Bytes = " 'index($0, p) == 1 {found = 1} END {exit !found}' "$s" ||
    fail "$fit: no 'Data Size: $payload_size Bytes' line for the kernel"
done
s=$(section fit)
expect "$s" "sha256+ crc32+ RF-FIT-SCRIPT-RAN from the FIT script node"

s=$(section env)
expect "$s" \
  "rf_greeting=hello from uboot_env" \
  "rf_number=0x2a"

s=$(section dtb)
expect "$s" \
  "rf-check {" \
  $'\tcompatible = "rules-firmware,check-node";' \
  $'\trf-string = "dtb made by the dtb rule";' \
  $'\trf-cells = <0x12345678 0xcafef00d>;' \
  $'\trf-bytes = <0xdeadbeef>;' \
  "RF-MODEL rules_firmware qemu check"

s=$(section firmware)
expect "$s" \
  "fw_blob {" \
  "$(printf '\tsize = <0x%08x>;' "$blob_size")" \
  "Total of $blob_size byte(s) were the same"

s=$(section corrupt-uimage)
has_text "Bad Data CRC" "$s" || fail "the corrupted uImage was not reported as 'Bad Data CRC'"
s=$(section corrupt-fit)
has_text "Bad hash in FIT image!" "$s" || fail "the corrupted FIT was not reported as 'Bad hash in FIT image!'"
s=$(section wrong-key-fit)
has_line "Failed to verify required signature 'key-dev'" "$s" || fail "the FIT signed with another key was not refused for its signature"

flash_console="$work/flash-env.log"
has_line "Loading Environment from Flash... OK" "$flash_console" || fail "flash-env: U-Boot did not accept the environment in flash"
has_line "RF-FLASH-ENV environment loaded from pflash" "$flash_console" || fail "flash-env: the environment's bootcmd did not run"
has_line "RF-FLASH-DONE" "$flash_console" || fail "flash-env: the environment's bootcmd did not run to its end"
! grep -n "RF-FAIL" "$flash_console" >&2 || fail "flash-env: a check in the environment's bootcmd failed"
for ok in gpt-fat-load gpt-lfn-load gpt-part-start gpt-raw-read gpt-raw-cmp; do
  has_line "RF-OK $ok" "$flash_console" || fail "flash-env: marker RF-OK $ok missing"
done
console=$flash_console
s=$(section gpt)
for bad in "GPT:" "Invalid GPT" "Error" "error" "failed" "differs" "invalid"; do
  ! grep -n -F -- "$bad" "$s" >&2 || fail "flash-env: U-Boot reported '$bad'"
done
expect "$s" \
  "Partition Map for VirtIO device 0  --   Partition Type: EFI" \
  "Filesystem: FAT32 \"RFGPTBOOT  \"" \
  "RF-LFN-SIZE $(printf '%x' "$payload_size")" \
  "Total of $blob_size byte(s) were the same"
# U-Boot's `part list` against sgdisk's view of the same table, partition
# by partition. (This U-Boot falls back to the backup GPT silently, so a bad
# primary table shows only in the sgdisk-based tests of tests/rules/disk.)
partitions=$(sgdisk -p "$gpt_disk" | awk 'f && NF {n++} /^Number/ {f = 1} END {print n + 0}')
((partitions == 2)) || fail "sgdisk lists $partitions partitions in $gpt_disk, want 2"
field() { sed -n "s/^$1: *//p" <<<"$info"; }
for ((i = 1; i <= partitions; i++)); do
  info=$(sgdisk -i "$i" "$gpt_disk")
  first=$(field "First sector" | cut -d' ' -f1)
  last=$(field "Last sector" | cut -d' ' -f1)
  name=$(field "Partition name" | sed "s/^'\(.*\)'\$/\1/")
  type=$(field "Partition GUID code" | cut -d' ' -f1 | tr 'A-F' 'a-f')
  guid=$(field "Partition unique GUID" | tr 'A-F' 'a-f')
  attrs=$(field "Attribute flags")
  want_head=$(printf '  %d\t0x%08x\t0x%08x\t"%s"' "$i" "$first" "$last" "$name")
  awk -v h="$want_head" -v a="$(printf '\tattrs:\t0x%s' "$attrs")" -v t="$(printf '\ttype:\t%s' "$type")" \
    -v g="$(printf '\tguid:\t%s' "$guid")" \
    '$0 == h {n = NR} n && NR == n + 1 && $0 == a {ok++} n && NR == n + 2 && $0 == t {ok++} n && NR == n + 3 && $0 == g {ok++} END {exit !(n && ok == 3)}' "$s" ||
    fail "flash-env: U-Boot's part list differs from sgdisk for partition $i (want '$want_head', attrs $attrs, type $type, guid $guid)"
done

# extlinux: distro boot reads our extlinux.conf, bootm verifies the FIT and
# jumps into the kernel, which says so and powers off.
console="$work/extlinux.log"
awk '/^Scanning virtio 0:1/ {on = 1} on' "$console" >"$work/section.extlinux"
s=$work/section.extlinux
expect "$s" \
  "Found /extlinux/extlinux.conf" \
  "Retrieving file: /boot.itb" \
  "## Loading kernel from FIT Image at 40400000 ..." \
  "   Using 'conf-1' configuration" \
  "     Hash value:   $(sha256_of "$kernel")" \
  "     Hash value:   $(crc32_of "$kernel")" \
  "   Verifying Hash Integrity ... sha256,rsa2048:dev+ OK" \
  "   Verifying Hash Integrity ... sha256+ crc32+ OK" \
  "Starting kernel ..." \
  "RF-KERNEL-RAN"
for bad in "EXTLINUX FAILED" "Bad" "error" "ERROR" "Error" "Can't"; do
  ! grep -n -F -- "$bad" "$s" >&2 || fail "extlinux: U-Boot reported '$bad'"
done

echo "PASS: U-Boot booted the disk and accepted every image"
