#!/usr/bin/env bash
# Checks that each image rule's output sits unchanged at its offset of a
# firmware_image. Arguments: IMAGE [OFFSET FILE]...
set -euo pipefail
image=$1; shift
[[ $(wc -c <"$image") == 4096 ]] || { echo "FAIL: $image is $(wc -c <"$image") bytes, want 4096"; exit 1; }
while [[ $# -gt 0 ]]; do
  offset=$1 file=$2
  shift 2
  size=$(wc -c <"$file")
  if ! cmp <(tail -c +$((offset + 1)) "$image" | head -c "$size") "$file"; then
    echo "FAIL: $image at $offset does not hold $file"
    exit 1
  fi
  echo "ok: $file ($size bytes) at $offset"
done
echo "PASS: every entry of $image is its image rule's output"
