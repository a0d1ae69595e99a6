#!/usr/bin/env bash
# vfat_image passes fsck.vfat and mtools reads the files back; squashfs_image
# lists and extracts with unsquashfs with the modes, owners and links asked for.
set -euo pipefail
export LANG=C.UTF-8 LC_ALL=C.UTF-8
vfat=$1 sqfs=$2 here=tests/rules/filesystem
tmp=${TEST_TMPDIR:-$(mktemp -d)}
for t in fsck.vfat mcopy unsquashfs; do command -v $t >/dev/null || { echo "FAIL: $t missing"; exit 1; }; done
cp "$vfat" "$tmp/b.vfat"; chmod u+w "$tmp/b.vfat"
fsck.vfat -n "$tmp/b.vfat"
mcopy -n -i "$tmp/b.vfat" ::/extlinux/extlinux.conf "$tmp/extlinux.conf"
cmp "$tmp/extlinux.conf" "$here/extlinux.conf"
mcopy -n -i "$tmp/b.vfat" "::/a very long file name that needs LFN entries.txt" "$tmp/long.txt"
cmp "$tmp/long.txt" "$here/init.sh"
mdir -i "$tmp/b.vfat" ::/ | grep -q 'BOOTFS' || { echo "FAIL: volume label"; exit 1; }

listing=$(unsquashfs -lln "$sqfs")
echo "$listing"
expect() { grep -qE "$1" <<<"$listing" || { echo "FAIL: unsquashfs listing lacks /$1/"; exit 1; }; }
expect '^-rwxr-xr-x 0/0 +[0-9]+ .* squashfs-root/init$'
expect '^lrwxrwxrwx 0/0 .* squashfs-root/bin/sh -> /init$'
expect '^crw------- 0/0 +5, +1 .* squashfs-root/dev/console$'
expect '^drwxr-xr-x 0/0 .* squashfs-root/proc$'
unsquashfs -no-xattrs -d "$tmp/root" "$sqfs" init >/dev/null
cmp "$tmp/root/init" "$here/init.sh"
echo PASS
