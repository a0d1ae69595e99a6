#!/usr/bin/env bash
# Compares a uimage target's output with Debian's mkimage run on the same
# inputs and flags. Arguments: OURS MKIMAGE-FLAGS... (the -d files are
# runfiles paths). Fails, never skips, when mkimage is missing.
set -euo pipefail
ours=$1; shift
command -v mkimage >/dev/null || { echo "FAIL: mkimage not installed (u-boot-tools; ./bazelw installs it)"; exit 1; }
ref="${TEST_TMPDIR:-$(mktemp -d)}/ref.img"
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0} TZ=UTC mkimage "$@" "$ref" >/dev/null
if ! cmp "$ours" "$ref"; then
  echo "FAIL: $ours differs from mkimage $*"
  cmp -l "$ours" "$ref" | head -20
  exit 1
fi
mkimage -l "$ours" >/dev/null || { echo "FAIL: mkimage -l cannot read $ours"; exit 1; }
echo "PASS: $ours is byte-identical to mkimage $*"
