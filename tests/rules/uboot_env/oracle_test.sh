#!/usr/bin/env bash
# Compares a uboot_env target's output with mkenvimage run on the same text
# input and flags, then has fw_printenv read ours when EXPECTED is not '-'.
# Arguments: OURS INPUT EXPECTED MKENVIMAGE-FLAGS...
# Fails, never skips, when a tool is missing.
set -euo pipefail
ours=$1 input=$2 expected=$3
shift 3
for tool in mkenvimage fw_printenv unshare; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed (u-boot-tools, libubootenv-tool, util-linux)"; exit 1; }
done
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
ref="$tmp/ref.env"
mkenvimage "$@" -o "$ref" "$input"
if ! cmp "$ours" "$ref"; then
  echo "FAIL: $ours differs from mkenvimage $* $input"
  cmp -l "$ours" "$ref" | head -20
  exit 1
fi
if [[ $expected != - ]]; then
  size=$(wc -c <"$ours")
  cp "$ours" "$tmp/env.bin"
  config="$tmp/env.bin 0x0 $(printf '0x%x' "$size")"
  for arg in "$@"; do
    if [[ $arg == -r ]]; then
      # Redundant: a second copy whose last byte is corrupted, so
      # fw_printenv must check the CRC after the flag byte and pick ours.
      cp "$ours" "$tmp/env2.bin"
      printf '\x5a' | dd of="$tmp/env2.bin" bs=1 seek=$((size - 1)) conv=notrunc status=none
      config="$config"$'\n'"$tmp/env2.bin 0x0 $(printf '0x%x' "$size")"
    fi
  done
  echo "$config" >"$tmp/fw_env.config"
  mkdir -p "$tmp/lock"
  # libubootenv's fw_printenv always creates /var/lock/fw_printenv.lock: run
  # it with the test's own directory bound over /var/lock.
  # shellcheck disable=SC2016
  unshare --user --map-root-user --mount sh -c 'mount --bind "$1" /var/lock && exec fw_printenv -c "$2"' \
    sh "$tmp/lock" "$tmp/fw_env.config" >"$tmp/printed"
  if ! diff "$expected" "$tmp/printed"; then
    echo "FAIL: fw_printenv read $ours differently"
    exit 1
  fi
fi
echo "PASS: $ours is byte-identical to mkenvimage $* $input"
