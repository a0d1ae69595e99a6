#!/usr/bin/env bash
# Both layout forms, line for line, and every binary they name lies beside them.
set -euo pipefail
raw=(); per=(); archive=(); dest=raw
for a in "$@"; do
  if [[ "$a" == -- ]]; then [[ $dest == raw ]] && dest=per || dest=archive; continue; fi
  case $dest in raw) raw+=("$a") ;; per) per+=("$a") ;; archive) archive+=("$a") ;; esac
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
# The archive for the flashing PC: the .tsv and each binary, byte for byte
# what is staged beside the layout, under one directory.
per_tsv=$(tsv_of "${per[@]}")
tmp=${TEST_TMPDIR:-$(mktemp -d)}/archive
mkdir -p "$tmp"
tar -xzf "${archive[0]}" -C "$tmp"
top=$tmp/$(basename "$per_tsv" .tsv)
names=$(cd "$top" && ls | sort | tr '\n' ' ')
[[ "$names" == "FlashLayout_per_partition.tsv fsbl.bin rootfs.bin ssbl.bin " ]] || { echo "FAIL: archive holds $names"; exit 1; }
for f in FlashLayout_per_partition.tsv fsbl.bin rootfs.bin ssbl.bin; do
  cmp "$top/$f" "$(dirname "$per_tsv")/$f" || { echo "FAIL: archived $f differs from the staged one"; exit 1; }
done
# The gzip layer is GNU gzip -6's own bytes for the tar inside it.
gzip -dc "${archive[0]}" | gzip -n -6 | cmp - "${archive[0]}" || { echo "FAIL: archive is not gzip -n -6 of its tar"; exit 1; }
tar -tvzf "${archive[0]}" | awk '$2 != "0/0" { print "FAIL: owner " $2 " in archive"; exit 1 }'
echo PASS
