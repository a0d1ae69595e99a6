#!/usr/bin/env bash
# Compares a firmware_image's .map output and image with the checked-in
# golden files (binman's), and checks the SVG output is an SVG document.
set -euo pipefail
map=$1 golden=$2 svg=$3 image=$4 golden_image=$5
cmp "$image" "$golden_image" || { echo "FAIL: $image differs from $golden_image"; exit 1; }
if ! diff -u "$golden" "$map"; then
  echo "FAIL: $map differs from $golden"
  exit 1
fi
grep -q '<svg' "$svg" && grep -q '</svg>' "$svg" || { echo "FAIL: $svg is not an SVG document"; exit 1; }
echo "PASS: $map equals $golden"
