#!/usr/bin/env bash
# Both layout forms, line for line, and every binary they name lies beside them.
set -euo pipefail
raw=(); per=(); dest=raw
for a in "$@"; do
  if [[ "$a" == -- ]]; then dest=per; continue; fi
  if [[ $dest == raw ]]; then raw+=("$a"); else per+=("$a"); fi
done
tsv_of() { local f; for f in "$@"; do if [[ "$f" == *.tsv ]]; then echo "$f"; fi; done; }
check() {
  local tsv=$1 want=$2
  if ! diff -u <(printf '%s' "$want") "$tsv"; then echo "FAIL: $tsv"; exit 1; fi
  # Every binary named is staged next to the layout.
  while IFS=$'\t' read -r opt id name type ip off bin; do
    [[ "$opt" == \#* || "$bin" == none ]] && continue
    [[ -e "$(dirname "$tsv")/$bin" ]] || { echo "FAIL: $bin not beside $tsv"; exit 1; }
  done <"$tsv"
}
T=$'\t'
check "$(tsv_of "${raw[@]}")" "#Opt${T}Id${T}Name${T}Type${T}IP${T}Offset${T}Binary
-${T}0x01${T}fsbl-boot${T}Binary${T}none${T}0x0${T}fsbl.bin
-${T}0x03${T}ssbl-boot${T}Binary${T}none${T}0x0${T}ssbl.bin
P${T}0x10${T}sdcard${T}RawImage${T}mmc0${T}0x0${T}sdcard.img
"
check "$(tsv_of "${per[@]}")" "#Opt${T}Id${T}Name${T}Type${T}IP${T}Offset${T}Binary
-${T}0x01${T}fsbl-boot${T}Binary${T}none${T}0x0${T}fsbl.bin
-${T}0x03${T}ssbl-boot${T}Binary${T}none${T}0x0${T}ssbl.bin
P${T}0x04${T}fsbl1-boot1${T}Binary${T}mmc1${T}boot1${T}fsbl.bin
P${T}0x05${T}fsbl2-boot2${T}Binary${T}mmc1${T}boot2${T}fsbl.bin
P${T}0x10${T}fsbl1${T}Binary${T}mmc1${T}0x00004400${T}fsbl.bin
P${T}0x11${T}fsbl2${T}Binary${T}mmc1${T}0x00044400${T}fsbl.bin
P${T}0x12${T}ssbl${T}Binary${T}mmc1${T}0x00084400${T}ssbl.bin
P${T}0x13${T}rootfs${T}System${T}mmc1${T}0x00284400${T}rootfs.bin
"
echo PASS
