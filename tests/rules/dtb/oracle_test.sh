#!/usr/bin/env bash
# Compares a dtb target's output with dtc compiling the same source, with the
# same options and include directories, then has fdtdump read ours.
# Arguments: OURS SRC "INCLUDE-FILE..." DTC-FLAGS... (each include file's
# directory becomes a -i, in order, as the rule does).
# Fails, never skips, when dtc is missing.
set -euo pipefail
ours=$1 src=$2 includes=$3
shift 3
for tool in dtc fdtdump; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed (device-tree-compiler)"; exit 1; }
done
dirs=()
for f in $includes; do
  d=$(dirname "$f")
  [[ " ${dirs[*]-} " == *" -i $d "* ]] || dirs+=(-i "$d")
done
ref="${TEST_TMPDIR:-$(mktemp -d)}/ref.dtb"
dtc -q -I dts -O dtb "$@" "${dirs[@]}" -o "$ref" "$src"
if ! cmp "$ours" "$ref"; then
  echo "FAIL: $ours differs from dtc -I dts -O dtb $* ${dirs[*]} $src"
  cmp -l "$ours" "$ref" | head -20
  exit 1
fi
fdtdump "$ours" >/dev/null 2>&1 || { echo "FAIL: fdtdump cannot read $ours"; exit 1; }
echo "PASS: $ours is byte-identical to dtc -I dts -O dtb $* ${dirs[*]} $src"
