#!/bin/sh
# The product's disk: an MBR with the boot signature whose first partition
# is a FAT filesystem, a FIT (FDT magic) carrying a signature node, and an
# environment of the declared size.
set -eu
disk=$1 fit=$2 env=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
sig=$(od -An -tx1 -j510 -N2 "$disk" | tr -d ' \n')
[ "$sig" = 55aa ] || fail "$disk: MBR signature is '$sig', want 55aa"
ptype=$(od -An -tx1 -j450 -N1 "$disk" | tr -d ' \n')
[ "$ptype" = 0c ] || fail "$disk: partition 1 type is '$ptype', want 0c"
magic=$(od -An -tx1 -N4 "$fit" | tr -d ' \n')
[ "$magic" = d00dfeed ] || fail "$fit: FDT magic is '$magic'"
grep -q 'signature' "$fit" || fail "$fit: no signature node"
size=$(wc -c <"$env" | tr -d ' ')
[ "$size" = 16384 ] || fail "$env: $size bytes, want 16384"
echo "disk_test: 1 passed, 0 failed"
