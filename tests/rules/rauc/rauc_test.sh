#!/usr/bin/env bash
# Checks rauc_bundle outputs with Debian's rauc and veritysetup: accepted
# with the signing certificate as keyring, rejected with another one, and a
# flipped payload byte caught (plain: by rauc's signature check; verity: by
# dm-verity's hash tree, checked with veritysetup against the root hash
# rauc read from the signed manifest).
# Arguments: FORMAT BUNDLE CERT OTHER_CERT
set -euo pipefail
format=$1 bundle=$2 cert=$3 other=$4
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail() { echo "FAIL: $*"; exit 1; }
command -v rauc >/dev/null || fail "rauc not installed (./bazelw installs it)"
command -v veritysetup >/dev/null || fail "veritysetup not installed (cryptsetup-bin; ./bazelw installs it)"

rauc info --keyring "$cert" "$bundle" >"$tmp/info" 2>&1 || { cat "$tmp/info"; fail "rauc info rejects $bundle"; }
grep -q "Bundle Format: 	$format" "$tmp/info" || fail "rauc info does not report format $format"
grep -q "Compatible: 	'rules-firmware-test'" "$tmp/info" || fail "compatible not as set"
grep -q "Filename:  rootfs.img" "$tmp/info" && grep -q "Filename:  u-boot.bin" "$tmp/info" || fail "images missing"
echo "ok: rauc info accepts the $format bundle with its certificate"
if rauc info --keyring "$other" "$bundle" >"$tmp/other" 2>&1; then fail "rauc info accepts the bundle with another keyring"; fi
echo "ok: rauc info rejects it with another keyring"

size=$(wc -c <"$bundle")
cp "$bundle" "$tmp/flipped"; chmod u+w "$tmp/flipped"
printf '\x5a' | dd of="$tmp/flipped" bs=1 seek=$((size / 4)) conv=notrunc status=none
cmp -s "$bundle" "$tmp/flipped" && fail "flip did not change a byte"
if [[ $format == plain ]]; then
  if rauc info --keyring "$cert" "$tmp/flipped" >/dev/null 2>&1; then fail "rauc info accepts a flipped payload byte"; fi
  echo "ok: rauc info rejects a flipped payload byte"
else
  field() { sed -n "s/.*$1: *\t*'\{0,1\}\([0-9a-f]*\)'\{0,1\}.*/\1/p" "$tmp/info" | head -1; }
  salt=$(field "Verity Salt") hash=$(field "Verity Hash") tree=$(field "Verity Size")
  sig=$((16#$(tail -c 8 "$bundle" | od -An -tx1 | tr -d ' \n')))
  data=$((size - 8 - sig - tree))
  [[ -n $salt && -n $hash && $tree -gt 0 && $((data % 4096)) == 0 ]] || fail "verity fields: salt=$salt hash=$hash size=$tree data=$data"
  v() { veritysetup verify --no-superblock --data-blocks $((data / 4096)) --hash-offset "$data" --salt "$salt" "$1" "$1" "$hash"; }
  v "$bundle" || fail "veritysetup rejects our hash tree"
  echo "ok: veritysetup verify accepts the payload ($((data / 4096)) blocks, tree $tree bytes)"
  if v "$tmp/flipped" 2>/dev/null; then fail "veritysetup accepts a flipped payload byte"; fi
  echo "ok: veritysetup rejects a flipped payload byte"
fi
echo "PASS: $bundle"
