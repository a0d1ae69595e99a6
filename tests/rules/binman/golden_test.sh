#!/usr/bin/env bash
# Compares binman_image outputs (flash.bin sd.img, then flash.map mmc.map)
# with binman's (flash.bin.golden sd.img.golden flash.map.golden
# mmc.map.golden).
set -euo pipefail
[ $# -eq 8 ] || { echo "FAIL: expected 8 files, got $#: $*"; exit 1; }
got=("$1" "$2" "$3" "$4") want=("$5" "$6" "$7" "$8")
for i in 0 1 2 3; do
  case "${got[$i]}" in
    */flash.bin|*/sd.img|*/flash.map|*/mmc.map) ;;
    *) echo "FAIL: unexpected output ${got[$i]}"; exit 1 ;;
  esac
done
# Bazel sorts nothing here: outputs come in declaration order.
for i in 0 1 2 3; do
  cmp "${got[$i]}" "${want[$i]}" || { echo "FAIL: ${got[$i]} differs from binman's ${want[$i]}"; exit 1; }
done
echo "PASS: binman_image outputs equal binman's"
