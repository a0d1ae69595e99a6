#!/usr/bin/env bash
# The SPL's _binman_u_boot_prop_* symbols hold where u-boot was packed:
# offset 0x100, size 23, image_pos 0x100 plus __image_copy_start (8 bytes).
set -euo pipefail
img=$1
le() { od -An -tx1 -j "$1" -N "$2" "$img" | tr -d ' \n'; }
[[ $(le 4 4) == 00010000 ]] || { echo "FAIL: offset symbol $(le 4 4)"; exit 1; }
[[ $(le 8 4) == 17000000 ]] || { echo "FAIL: size symbol $(le 8 4)"; exit 1; }
[[ $(le 16 8) == 0001fc2f00000000 ]] || { echo "FAIL: image_pos symbol $(le 16 8)"; exit 1; }
[[ $(le 0 4) == aaaaaaaa && $(le 12 4) == aaaaaaaa ]] || { echo "FAIL: bytes around the symbols changed"; exit 1; }
echo PASS
