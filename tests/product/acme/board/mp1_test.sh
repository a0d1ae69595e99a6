#!/usr/bin/env bash
# The product's board (board/mp1, README's stm32mp157_board call): fwtool,
# the one the rules use, recognises the boot image's FSBL and SSBL and the
# SD card's partitions with what each holds; the rootfs's /sbin/init is the
# product's. Prints the images' sums and the Go release fwtool was built
# with for tests/product/run.sh, which checks that the variants (Bazel 4
# and 7, fwtool from source or prebuilt) built the same bytes.
set -euo pipefail
fwtool=$1 bootimage=$2 sdcard=$3 rootfs=$4 init=$5
fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -qE "$2" <<<"$1" || fail "$3 lacks /$2/:"$'\n'"$1"; }

boot=$("$fwtool" ls "$bootimage") || fail "fwtool ls $bootimage"
has "$boot" '^0x00000000 +0x[0-9a-f]+ +.*STM32 image' "fwtool ls bootimage"
has "$boot" '^0x00040000 +0x[0-9a-f]+ +.*uImage .*U-Boot' "fwtool ls bootimage"

sd=$("$fwtool" ls "$sdcard") || fail "fwtool ls $sdcard"
has "$sd" '^Disk image: GPT' "fwtool ls sdcard"
for p in '1 +fsbl1 +STM32 image' '2 +fsbl2 +STM32 image' '3 +ssbl +uImage' '4 +bootfs +FAT'; do
  has "$sd" "^$p" "fwtool ls sdcard"
done
has "$sd" '^5 +rootfs[a-z_]* +squashfs' "fwtool ls sdcard"

ext=$("$fwtool" ls "$sdcard" bootfs/extlinux) || fail "fwtool ls $sdcard bootfs/extlinux"
has "$ext" 'extlinux/[A-Za-z]*\.conf' "fwtool ls sdcard bootfs/extlinux"

root=$("$fwtool" ls "$rootfs" sbin) || fail "fwtool ls $rootfs sbin"
size=$(wc -c <"$init" | tr -d ' ')
has "$root" "^-rwxr-xr-x 0/0 +$size /sbin/init\$" "fwtool ls rootfs sbin (the product's init is $size bytes)"

# The Go release is in every Go binary's build info (one version string).
echo "BOARD-GO $(grep -ao 'go1\.[0-9][0-9]*\(\.[0-9][0-9]*\)\?' "$fwtool" | sort -u | paste -sd' ')"
for f in "$bootimage" "$sdcard"; do
  echo "BOARD-SUM $(sha256sum "$f" | cut -d' ' -f1) $(basename "$f")"
done
echo "mp1_test: passed"
