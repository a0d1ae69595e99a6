#!/usr/bin/env bash
# Checks the header fields of a stm32_image output that mkimage cannot write
# (header v2, binary types, image versions) against the boot ROM's layout,
# read independently of fwtool with od.
# Arguments: OURS PAYLOAD MAJOR LOAD ENTRY BINARY_TYPE IMAGE_VERSION
set -euo pipefail
ours=$1 payload=$2 major=$3 load=$4 entry=$5 binary_type=$6 image_version=$7
u32() { od -An -tu4 -j "$1" -N4 "$ours" | tr -d ' '; }
u8() { od -An -tu1 -j "$1" -N1 "$ours" | tr -d ' '; }
fail() { echo "FAIL: $ours: $*"; exit 1; }
header=$((major == 1 ? 256 : 512))
[[ $(head -c 4 "$ours" | od -An -tx1 | tr -d ' ') == 53544d32 ]] || fail "magic is not STM2"
[[ $(u8 $((0x4a))) == "$major" ]] || fail "header version major byte $(u8 $((0x4a))), want $major"
size=$(wc -c <"$payload")
[[ $(u32 $((0x4c))) == "$size" ]] || fail "image length $(u32 $((0x4c))), want $size"
[[ $(u32 $((0x50))) == $((entry)) ]] || fail "entry point $(u32 $((0x50))), want $((entry))"
[[ $(u32 $((0x58))) == $((load)) ]] || fail "load address $(u32 $((0x58))), want $((load))"
[[ $(u32 $((0x60))) == $((image_version)) ]] || fail "image version $(u32 $((0x60))), want $((image_version))"
type_offset=$((major == 1 ? 0xff : 0x6c))
[[ $(u8 $type_offset) == $((binary_type)) ]] || fail "binary type $(u8 $type_offset) at $type_offset, want $((binary_type))"
sum=0
for b in $(od -An -tu1 -v "$payload"); do sum=$(((sum + b) & 0xffffffff)); done
[[ $(u32 $((0x44))) == "$sum" ]] || fail "checksum $(u32 $((0x44))), want $sum"
[[ $(wc -c <"$ours") == $((header + size)) ]] || fail "size $(wc -c <"$ours"), want $((header + size))"
cmp <(tail -c +$((header + 1)) "$ours") "$payload" || fail "payload after the $header-byte header differs from $payload"
echo "PASS: $ours has a v$major header with the expected fields"
