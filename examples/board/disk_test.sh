#!/usr/bin/env bash
# The example board's disk: an MBR with a bootable FAT partition holding the
# extlinux config and kernel, and a Linux partition holding a squashfs.
set -euo pipefail
export LANG=C.UTF-8 LC_ALL=C.UTF-8
img=$1 tmp=${TEST_TMPDIR:-$(mktemp -d)}
dump=$(sfdisk --dump "$img"); echo "$dump"
grep -q 'label: dos' <<<"$dump"
grep -qE 'disk.img1 : start= *[0-9]+, size= *[0-9]+, type=c, bootable' <<<"$dump"
grep -qE 'disk.img2 : start= *[0-9]+, size= *[0-9]+, type=83' <<<"$dump"
read -r s1 n1 < <(sfdisk --json "$img" | python3 -c "import json,sys; p=json.load(sys.stdin)['partitiontable']['partitions'][0]; print(p['start'], p['size'])")
read -r s2 n2 < <(sfdisk --json "$img" | python3 -c "import json,sys; p=json.load(sys.stdin)['partitiontable']['partitions'][1]; print(p['start'], p['size'])")
dd if="$img" of="$tmp/boot" bs=512 skip="$s1" count="$n1" status=none
dd if="$img" of="$tmp/root" bs=512 skip="$s2" count="$n2" status=none
fsck.vfat -n "$tmp/boot"
mcopy -n -i "$tmp/boot" ::/extlinux/extlinux.conf - | grep -q 'kernel /uImage'
mcopy -n -i "$tmp/boot" ::/uImage "$tmp/uImage"
mkimage -l "$tmp/uImage" | grep -q 'example kernel'
unsquashfs -lln "$tmp/root" | grep -qE '^-rwxr-xr-x 0/0 .* squashfs-root/sbin/init$'
echo PASS
