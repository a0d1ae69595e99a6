#!/usr/bin/env bash
# dtb(preprocess = True) against the kernel's recipe with the host tools:
# cpp -nostdinc -undef -x assembler-with-cpp -D__DTS__ -I DIR -D... SRC | dtc.
# Arguments: OURS SRC INCLUDE-DIR DEFINE... Fails, never skips, when a tool is missing.
set -euo pipefail
ours=$1 src=$2 inc=$3
shift 3
for tool in cpp dtc; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed"; exit 1; }
done
tmp=${TEST_TMPDIR:-$(mktemp -d)}
defs=()
for d in "$@"; do defs+=(-D "$d"); done
cpp -nostdinc -undef -x assembler-with-cpp -D__DTS__ -I "$inc" "${defs[@]}" -o "$tmp/pp.dts" "$src"
dtc -q -I dts -O dtb -o "$tmp/ref.dtb" "$tmp/pp.dts"
if ! cmp "$ours" "$tmp/ref.dtb"; then
  echo "FAIL: $ours differs from cpp ${defs[*]} | dtc on $src"
  exit 1
fi
echo "PASS: $ours is byte-identical to cpp ${defs[*]} | dtc on $src"
