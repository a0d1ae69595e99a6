#!/usr/bin/env bash
# Two stm32mp157_board instances in one package (tests/boards/BUILD.bazel)
# keep their own parameters: console and command line in extlinux.conf,
# rootfs PARTUUID in the GPT, /sbin/init in the squashfs.
#
# usage: instances_test.sh SDCARD_A SDCARD_B ROOTFS_A ROOTFS_B CUSTOM_INIT DEFAULT_INIT
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ $# -eq 6 ]] || fail "usage: $0 SDCARD_A SDCARD_B ROOTFS_A ROOTFS_B CUSTOM_INIT DEFAULT_INIT"
sd_a=$1 sd_b=$2 root_a=$3 root_b=$4 custom_init=$5 default_init=$6
tmp=${TEST_TMPDIR:-$(mktemp -d)}

# Slot A's extlinux file (A/B: extlinux/A.conf) of partition 4 (bootfs) of an SD image.
extlinux() {
  local img=$1 out=$2 first last
  first=$(sgdisk -i 4 "$img" | awk '/^First sector/ {print $3}')
  last=$(sgdisk -i 4 "$img" | awk '/^Last sector/ {print $3}')
  dd if="$img" of="$out.vfat" bs=512 skip="$first" count=$((last - first + 1)) status=none
  mcopy -n -i "$out.vfat" ::/extlinux/A.conf "$out"
}
extlinux "$sd_a" "$tmp/a.conf"
extlinux "$sd_b" "$tmp/b.conf"
grep -q 'append root=PARTUUID=9d4e7c3a-5b2f-4a61-8e0d-6f1c2b3a4d5e rauc.slot=A .*console=ttySTM0,115200 ${rf_bootargs}$' "$tmp/a.conf" ||
  fail "dk2_a: extlinux.conf lacks its console: $(cat "$tmp/a.conf")"
grep -q 'append root=PARTUUID=0b8a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d rauc.slot=A .*console=ttySTM1,57600 loglevel=3 ${rf_bootargs}$' "$tmp/b.conf" ||
  fail "dk2_b: extlinux.conf lacks its console, command line or PARTUUID: $(cat "$tmp/b.conf")"

guid() { sgdisk -i 5 "$1" | awk '/^Partition unique GUID/ {print tolower($4)}'; }
[[ $(guid "$sd_a") == 9d4e7c3a-5b2f-4a61-8e0d-6f1c2b3a4d5e ]] || fail "dk2_a: rootfs GUID $(guid "$sd_a")"
[[ $(guid "$sd_b") == 0b8a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d ]] || fail "dk2_b: rootfs GUID $(guid "$sd_b")"

unsquashfs -q -d "$tmp/ra" "$root_a" sbin/init >/dev/null
unsquashfs -q -d "$tmp/rb" "$root_b" sbin/init >/dev/null
cmp "$tmp/ra/sbin/init" "$custom_init" || fail "dk2_a: /sbin/init is not the package's custom_init"
cmp "$tmp/rb/sbin/init" "$default_init" || fail "dk2_b: /sbin/init is not boards/common:rootfs_init"

echo PASS
