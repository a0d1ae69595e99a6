#!/usr/bin/env bash
# A stm32_image rebuilt from a real image's payload must equal the original.
# Arguments: OURS ORIGINAL.
set -euo pipefail
ours=$1 original=$2
if ! cmp "$ours" "$original"; then
  echo "FAIL: $ours, rewrapped from the payload of $original, differs from it"
  cmp -l "$ours" "$original" | head -20
  exit 1
fi
echo "PASS: $ours is byte-identical to $original ($(wc -c <"$original") bytes)"
