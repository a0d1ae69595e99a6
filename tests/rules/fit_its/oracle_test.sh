#!/usr/bin/env bash
# Compares a fit_image_from_its output with mkimage -f run on the same .its
# (the rule's staged copy, with its data beside it) and flags; then checks
# that dumpimage lists it and extracts every image byte-identical to its
# input. Signed: mkimage signs the same .its with the same key; PKCS#1 v1.5
# is deterministic, so equal bytes mean an equal, valid signature.
# Arguments: OURS "STAGED-FILES" KEY|- EPOCH "INDEX=FILE..." MKIMAGE-FLAGS...
# Fails, never skips, when a reference tool is missing.
set -euo pipefail
ours=$1 staged=$2 key=$3 epoch=$4 images=$5
shift 5
for tool in mkimage dumpimage; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed (u-boot-tools)"; exit 1; }
done
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
its=
for f in $staged; do [[ $f == *.its ]] && its=$f; done
[[ -n $its ]] || { echo "FAIL: no .its among the staged files: $staged"; exit 1; }
keyflags=()
if [[ $key != - ]]; then
  mkdir -p "$tmp/keys"
  cp "$key" "$tmp/keys/dev.key"
  keyflags=(-k "$tmp/keys")
fi
SOURCE_DATE_EPOCH=$epoch TZ=UTC mkimage -f "$its" "${keyflags[@]}" "$@" "$tmp/ref.itb" >/dev/null
if ! cmp "$ours" "$tmp/ref.itb"; then
  echo "FAIL: $ours differs from mkimage -f $its ${keyflags[*]} $*"
  cmp -l "$ours" "$tmp/ref.itb" | head -20
  exit 1
fi
grep -q "^FIT description:" <<<"$(dumpimage -l "$ours")" || { echo "FAIL: dumpimage -l does not list $ours as a FIT"; exit 1; }
for pair in $images; do
  index=${pair%%=*} want=${pair#*=}
  dumpimage -T flat_dt -p "$index" -o "$tmp/image-$index" "$ours" >/dev/null
  cmp "$tmp/image-$index" "$want" || { echo "FAIL: image $index extracted from $ours differs from $want"; exit 1; }
done
echo "PASS: $ours is byte-identical to mkimage -f $its ${keyflags[*]} $*"
