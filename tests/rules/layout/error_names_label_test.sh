#!/usr/bin/env bash
# fwtool build on a rule-written manifest whose entries overlap: the one-line
# error names the firmware_image's label, the entry and its layout_blob.
set -euo pipefail
fwtool=$1 manifest=$2
out=${TEST_TMPDIR:-$(mktemp -d)}/img.bin
if "$fwtool" build --manifest "$manifest" --output "$out" 2>"$out.err"; then
  echo "FAIL: overlapping entries were packed"; exit 1
fi
cat "$out.err"
want="fwtool build: //tests/rules/layout:overlapping: entry 'late_spl' (//tests/rules/layout:late_spl): Offset 0x104 (260) overlaps with previous entry 'raw_u-boot' (//tests/rules/layout:raw_u-boot) ending at 0x12c (300)"
[[ "$(cat "$out.err")" == "$want" ]] || { echo "FAIL: want: $want"; exit 1; }
[[ ! -e "$out" ]] || { echo "FAIL: an image was left behind"; exit 1; }
echo PASS
