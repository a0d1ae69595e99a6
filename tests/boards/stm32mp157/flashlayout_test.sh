#!/usr/bin/env bash
# The board's flash layouts: the SD card as one RawImage (ST's factory-flashing
# article's form) and the eMMC per partition, with every binary beside them.
set -euo pipefail
raw=(); per=(); dest=raw
for a in "$@"; do
  if [[ "$a" == -- ]]; then dest=per; continue; fi
  if [[ $dest == raw ]]; then raw+=("$a"); else per+=("$a"); fi
done
tsv_of() { local f; for f in "$@"; do if [[ "$f" == *.tsv ]]; then echo "$f"; fi; done; }
T=$'\t'
check() {
  local tsv=$1 want=$2
  diff -u <(printf '%s' "$want") "$tsv" || { echo "FAIL: $tsv"; exit 1; }
  while IFS=$'\t' read -r opt _ _ _ _ _ bin; do
    [[ "$opt" == \#* ]] && continue
    [[ -s "$(dirname "$tsv")/$bin" ]] || { echo "FAIL: $bin missing beside $tsv"; exit 1; }
  done <"$tsv"
}
check "$(tsv_of "${raw[@]}")" "#Opt${T}Id${T}Name${T}Type${T}IP${T}Offset${T}Binary
-${T}0x01${T}fsbl-boot${T}Binary${T}none${T}0x0${T}fsbl
-${T}0x03${T}ssbl-boot${T}Binary${T}none${T}0x0${T}ssbl
P${T}0x10${T}sdcard${T}RawImage${T}mmc0${T}0x0${T}sdcard.img
"
per_tsv=$(tsv_of "${per[@]}")
cat "$per_tsv"
grep -q "^P${T}0x04${T}fsbl1-boot1${T}Binary${T}mmc1${T}boot1${T}bootimage.bin$" "$per_tsv"
grep -q "^P${T}0x05${T}fsbl2-boot2${T}Binary${T}mmc1${T}boot2${T}bootimage.bin$" "$per_tsv"
grep -qE "^P${T}0x10${T}bootfs${T}System${T}mmc1${T}0x[0-9a-f]{8}${T}bootfs.vfat$" "$per_tsv"
# A/B: both rootfs slots get the same squashfs, staged once.
grep -qE "^P${T}0x11${T}rootfs_a${T}FileSystem${T}mmc1${T}0x[0-9a-f]{8}${T}rootfs.squashfs$" "$per_tsv"
grep -qE "^P${T}0x12${T}rootfs_b${T}FileSystem${T}mmc1${T}0x[0-9a-f]{8}${T}rootfs.squashfs$" "$per_tsv"
[[ $(grep -vc '^#' "$per_tsv") == 7 ]] || { echo "FAIL: $per_tsv: not 7 entries"; exit 1; }
echo PASS
