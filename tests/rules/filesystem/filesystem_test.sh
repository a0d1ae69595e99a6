#!/usr/bin/env bash
# vfat_image passes fsck.vfat and mtools reads the files back; squashfs_image
# lists and extracts with unsquashfs with the modes, owners and links asked for;
# ext_image passes e2fsck -fn and debugfs reads the tree back.
set -euo pipefail
export LANG=C.UTF-8 LC_ALL=C.UTF-8
vfat=$1 sqfs=$2 ext4=$3 ext2=$4 here=tests/rules/filesystem
tmp=${TEST_TMPDIR:-$(mktemp -d)}
for t in fsck.vfat mcopy unsquashfs e2fsck debugfs dumpe2fs; do command -v $t >/dev/null || { echo "FAIL: $t missing"; exit 1; }; done
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
for img in "$ext4" "$ext2"; do
	# e2fsck -n answers "no" and still exits 0: any question is a failure
	out=$(e2fsck -fn "$img" 2>&1) || { echo "$out"; echo "FAIL: e2fsck $img"; exit 1; }
	! grep -q -e '?' -e IGNORED <<<"$out" || { echo "$out"; echo "FAIL: e2fsck $img"; exit 1; }
	debugfs -R "dump /init $tmp/init" "$img" 2>/dev/null
	cmp "$tmp/init" "$here/init.sh"
done
hdr=$(dumpe2fs -h "$ext4" 2>/dev/null)
for want in 'Filesystem volume name: *rootfs$' 'Filesystem UUID: *12345678-1234-1234-1234-1234567890ab$' \
	'features: *has_journal ext_attr dir_index filetype extent 64bit flex_bg sparse_super large_file huge_file dir_nlink extra_isize metadata_csum$'; do
	grep -qE "$want" <<<"$hdr" || { echo "$hdr"; echo "FAIL: dumpe2fs -h lacks /$want/"; exit 1; }
done
grep -qE 'Reserved block count: *0$' <<<"$(dumpe2fs -h "$ext2" 2>/dev/null)" || { echo "FAIL: ext2 reserved blocks"; exit 1; }
st=$(debugfs -R "stat /init" "$ext4" 2>/dev/null)
grep -q 'Mode:  0755' <<<"$st" || { echo "$st"; echo "FAIL: /init mode"; exit 1; }
grep -q 'Fast link dest: "/init"' <<<"$(debugfs -R "stat /bin/sh" "$ext4" 2>/dev/null)" || { echo "FAIL: /bin/sh link"; exit 1; }
grep -q 'Device major/minor number: 05:01' <<<"$(debugfs -R "stat /dev/console" "$ext4" 2>/dev/null)" || { echo "FAIL: /dev/console"; exit 1; }
debugfs -R "dump /etc/extlinux.conf $tmp/x.conf" "$ext4" 2>/dev/null
cmp "$tmp/x.conf" "$here/extlinux.conf"
echo PASS
