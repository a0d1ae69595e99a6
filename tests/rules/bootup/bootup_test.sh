#!/usr/bin/env bash
# Checks bootup_app_image and bootup_bundle outputs against
# tools/bootup/FORMAT.md byte by byte where the attributes fix the bytes,
# with fwtool's reader (right and wrong key), and the bundle's LZ4 file with
# the lz4 command-line tool (an independent LZ4 frame decoder).
# Arguments: FWTOOL APP_IMAGE BUNDLE APP_BIN DSP_BIN PUBKEY OTHER_PUBKEY
set -euo pipefail
fwtool=$1 img=$2 bundle=$3 app=$4 dsp=$5 pub=$6 other=$7
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail() { echo "FAIL: $*"; exit 1; }
hexat() { od -An -tx1 -v -j "$(($2))" -N "$3" "$1" | tr -d ' \n'; }
expect() { # FILE OFFSET WANT-HEX WHAT
  local got; got=$(hexat "$1" "$2" $((${#3} / 2)))
  [[ $got == "$3" ]] || fail "$4 at $2 of $1: got $got, want $3"
  echo "ok: $4 = $3"
}
command -v lz4 >/dev/null || fail "lz4 not installed (./bazelw installs it)"

# The image: embedded header at 0x200, Ed25519 tag (64 bytes), CRC flag only,
# load 0x08000000, entry 0x08000401, signature 0x0102 (little-endian).
expect "$img" 0x200 42554149 magic
expect "$img" 0x204 01008000 "header version 1, header length 128"
expect "$img" 0x208 0200000000020000 "flags CRC, header offset 0x200"
expect "$img" 0x210 00000008000000000104000800000000 "load, entry"
expect "$img" 0x220 80070000 "body length 2048-128"
expect "$img" 0x228 0100400000000000 "tag type 1, tag length 64, reserved"
expect "$img" 0x230 020100000000000000000000 "signature, reserved"
[[ $(wc -c <"$img") == 2048 ]] || fail "image is not the application's 2048 bytes"
cmp -n 512 "$img" "$app" || fail "bytes before the header changed"
cmp -i 640 "$img" "$app" || fail "bytes after header and tag changed"

"$fwtool" bootup verify --key "$pub" "$img" || fail "fwtool rejects the image with the right key"
if "$fwtool" bootup verify --key "$other" "$img" 2>"$tmp/err"; then fail "accepted with another key"; fi
grep -q "does not verify" "$tmp/err" && [[ $(wc -l <"$tmp/err") == 1 ]] || fail "wrong key: $(cat "$tmp/err")"
# Whole output first: grep -q closing the pipe early would kill fwtool with SIGPIPE under pipefail.
listing=$("$fwtool" ls "$img")
grep -q "BootUp application image (valid)" <<<"$listing" || fail "fwtool ls does not recognise the image: $listing"

# The bundle: two files, app (stored) then dsp (lz4).
expect "$bundle" 0 425542 magic
expect "$bundle" 0x04 0100400002000000400000008000 "version, header length, 2 files, directory at 64, 128 bytes"
expect "$bundle" 0x30 0700000000000000 signature
expect "$bundle" 0x40 6170700000 "entry 0 name app"
expect "$bundle" 0x74 00 "entry 0 compression none"
expect "$bundle" 0x80 64737000 "entry 1 name dsp"
expect "$bundle" 0xb4 01 "entry 1 compression lz4"
off=$((16#$(hexat "$bundle" 0xa0 4 | sed -E 's/(..)(..)(..)(..)/\4\3\2\1/')))
len=$((16#$(hexat "$bundle" 0xa4 4 | sed -E 's/(..)(..)(..)(..)/\4\3\2\1/')))
dd if="$bundle" of="$tmp/dsp.lz4" bs=1 skip="$off" count="$len" status=none
lz4 -dc "$tmp/dsp.lz4" >"$tmp/dsp.lz4.out" || fail "lz4 cannot decode the stored dsp file"
cmp "$tmp/dsp.lz4.out" "$dsp" || fail "lz4 decodes dsp to other bytes"
echo "ok: lz4 decodes the stored dsp file ($len bytes) to dsp.bin"

mkdir -p "$tmp/x"
"$fwtool" bundle extract -C "$tmp/x" "$bundle"
cmp "$tmp/x/app" "$img" && cmp "$tmp/x/dsp" "$dsp" || fail "extracted files differ"
cp "$bundle" "$tmp/bad"; printf '\xff' | dd of="$tmp/bad" bs=1 seek=$((off + len - 6)) conv=notrunc status=none
if "$fwtool" bundle verify "$tmp/bad" 2>"$tmp/err"; then fail "accepted a corrupt bundle"; fi
[[ $(wc -l <"$tmp/err") == 1 ]] || fail "corrupt bundle: $(cat "$tmp/err")"
echo "PASS: image and bundle match FORMAT.md, round-trip through fwtool and lz4"
