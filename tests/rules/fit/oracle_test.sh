#!/usr/bin/env bash
# Compares a fit_image output with mkimage -f run on the .its the rule wrote.
# Its /incbin/ paths are workspace-relative: dtc finds them through -i with
# the runfiles root.
# Arguments: OURS.itb OURS.its EPOCH [KEY.pem CONTROL_IN.dtb OURS_CONTROL.dtb] [MKIMAGE-FLAGS...]
# Fails, never skips, when a reference tool is missing.
set -euo pipefail
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
ours=$(realpath "$1"); its=$(realpath "$2"); epoch=$3; shift 3
for tool in mkimage dumpimage openssl; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed (u-boot-tools, openssl)"; exit 1; }
done
flags=()
if [[ $# -ge 3 && $1 == *.pem ]]; then
  mkdir -p "$tmp/keys"
  cp "$1" "$tmp/keys/dev.key"
  openssl req -batch -new -x509 -key "$tmp/keys/dev.key" -out "$tmp/keys/dev.crt" -subj /CN=dev 2>/dev/null
  cp "$2" "$tmp/ref.dtb"; chmod u+w "$tmp/ref.dtb"
  our_ctl=$(realpath "$3")
  flags=(-k keys -K ref.dtb)
  shift 3
fi
# mkimage builds a fixed-size dtc command line, so keep every path short.
ln -sfn "$(realpath "${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-}")" "$tmp/r"
cp "$its" "$tmp/x.its"
cd "$tmp"
SOURCE_DATE_EPOCH=$epoch TZ=UTC mkimage -D "-I dts -O dtb -p 500 -i r" -f x.its "${flags[@]}" "$@" ref.itb >/dev/null
if ! cmp "$ours" "$tmp/ref.itb"; then
  echo "FAIL: $ours differs from mkimage -f $its ${flags[*]} $*"
  exit 1
fi
if [[ ${#flags[@]} -gt 0 ]] && ! cmp "$our_ctl" "$tmp/ref.dtb"; then
  echo "FAIL: control DTB $our_ctl differs from mkimage -K's"
  exit 1
fi
dumpimage -l "$ours" >/dev/null || { echo "FAIL: dumpimage -l cannot read $ours"; exit 1; }
echo "PASS: $ours is byte-identical to mkimage -f $*"
