#!/usr/bin/env bash
# Writes a tiny AArch64 "Linux" Image for the extlinux boot: it prints a
# marker on the virt board's PL011 (MMU off, so the physical address works)
# and powers the machine off with PSCI SYSTEM_OFF over HVC, QEMU's conduit
# without EL2/EL3. The arm64 Image header is there because U-Boot's bootm
# checks it for Linux arm64 kernels.
set -euo pipefail
out=$1
marker=${2:-RF-KERNEL-RAN}

le32() { # little-endian bytes of a 32-bit word
  local w=$(($1))
  printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((w & 255)) $((w >> 8 & 255)) $((w >> 16 & 255)) $((w >> 24 & 255)))"
}
le64() { le32 $(($1 & 0xffffffff)); le32 $(($1 >> 32)); }

code=()
code+=(0xd2a12001) # movz x1, #0x0900, lsl #16   x1 = PL011 data register
for ((i = 0; i < ${#marker}; i++)); do
  c=$(printf '%d' "'${marker:i:1}")
  code+=($((0x52800002 | c << 5))) # movz w2, #c
  code+=(0x39000022)               # strb w2, [x1]
done
code+=(0x52800142 0x39000022) # '\n'
code+=(0x52800100)            # movz w0, #0x0008
code+=(0x72b08000)            # movk w0, #0x8400, lsl #16   PSCI SYSTEM_OFF
code+=(0xd4000002)            # hvc #0
code+=(0x14000000)            # b .

header_size=64
image_size=$((header_size + 4 * ${#code[@]}))
{
  le32 0x14000010   # code0: b +0x40, over the header
  le32 0            # code1
  le64 0x80000      # text_offset
  le64 "$image_size"
  le64 0            # flags: little-endian, placed at text_offset from RAM base
  le64 0            # res2
  le64 0            # res3
  le64 0            # res4
  printf 'ARM\x64'  # magic
  le32 0            # res5
  for w in "${code[@]}"; do le32 "$w"; done
} >"$out"
