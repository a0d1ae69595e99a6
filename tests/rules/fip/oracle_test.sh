#!/usr/bin/env bash
# Compares a fip_image target's output with fiptool create run on the same
# files and options, then checks that fiptool info lists every entry.
# Arguments: OURS FIPTOOL-CREATE-ARGS... Fails, never skips, when fiptool is missing.
set -euo pipefail
ours=$1; shift
command -v fiptool >/dev/null || { echo "FAIL: fiptool not installed (arm-trusted-firmware-tools)"; exit 1; }
ref="${TEST_TMPDIR:-$(mktemp -d)}/ref.fip"
fiptool create "$@" "$ref" >/dev/null
if ! cmp "$ours" "$ref"; then
  echo "FAIL: $ours differs from fiptool create $*"
  cmp -l "$ours" "$ref" | head -20
  exit 1
fi
listing=$(fiptool info "$ours")
want=$(fiptool info "$ref")
if [[ $listing != "$want" ]]; then
  echo "FAIL: fiptool info lists $ours differently:"
  diff <(echo "$want") <(echo "$listing") || true
  exit 1
fi
entries=$(grep -c offset= <<<"$listing" || true)
[[ $entries -gt 0 ]] || { echo "FAIL: fiptool info lists no entries in $ours"; exit 1; }
echo "PASS: $ours is byte-identical to fiptool create $* ($entries entries)"
