#!/usr/bin/env bash
# The product's SD image: the stm32mp157 partitions (A/B root filesystems),
# our command line in bootfs's extlinux file of each slot, and this
# package's init as the rootfs's /sbin/init.
set -euo pipefail
sd=$1 rootfs=$2 init=$3 tmp=${TEST_TMPDIR:-$(mktemp -d)}
names=$(sgdisk -p "$sd" | awk 'f && NF {print $NF} /^Number/ {f = 1}' | tr '\n' ' ')
[[ "$names" == "fsbl1 fsbl2 ssbl bootfs rootfs_a rootfs_b " ]] || { echo "FAIL: partitions: $names" >&2; exit 1; }
first=$(sgdisk -i 4 "$sd" | awk '/^First sector/ {print $3}')
last=$(sgdisk -i 4 "$sd" | awk '/^Last sector/ {print $3}')
dd if="$sd" of="$tmp/bootfs" bs=512 skip="$first" count=$((last - first + 1)) status=none
for slot in A B; do
  mcopy -n -i "$tmp/bootfs" ::/extlinux/$slot.conf "$tmp/$slot.conf"
  grep -q "rauc.slot=$slot .*console=ttySTM0,115200 loglevel=4" "$tmp/$slot.conf" || { echo "FAIL: extlinux/$slot.conf: $(cat "$tmp/$slot.conf")" >&2; exit 1; }
done
unsquashfs -q -d "$tmp/root" "$rootfs" sbin/init >/dev/null
cmp "$tmp/root/sbin/init" "$init"
echo PASS
