#!/usr/bin/env bash
# Compares a stm32_image target's output with mkimage -T stm32image run on
# the same payload and addresses, then has dumpimage list it.
# Arguments: OURS PAYLOAD LOAD ENTRY. Fails, never skips, when mkimage is missing.
set -euo pipefail
ours=$1 payload=$2 load=$3 entry=$4
command -v mkimage >/dev/null || { echo "FAIL: mkimage not installed (u-boot-tools)"; exit 1; }
ref="${TEST_TMPDIR:-$(mktemp -d)}/ref.stm32"
mkimage -T stm32image -a "$load" -e "$entry" -d "$payload" "$ref" >/dev/null
if ! cmp "$ours" "$ref"; then
  echo "FAIL: $ours differs from mkimage -T stm32image -a $load -e $entry -d $payload"
  cmp -l "$ours" "$ref" | head -20
  exit 1
fi
listing=$(mkimage -l "$ours")
grep -q "STMicroelectronics STM32 V1.0" <<<"$listing" || { echo "FAIL: mkimage -l does not list $ours as an STM32 V1.0 image: $listing"; exit 1; }
echo "PASS: $ours is byte-identical to mkimage -T stm32image -a $load -e $entry"
