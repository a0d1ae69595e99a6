#!/usr/bin/env bash
# kernel_modules from Debian's armmp package: the staged set is the closure
# of depends=, and its modules.dep, modules.alias, modules.softdep and
# modules.devname are byte-identical with what kmod's `depmod -b` writes for
# the same directory; modules.load lists dependencies first; the initramfs
# built from it carries the same tree.
set -euo pipefail
export LANG=C LC_ALL=C
mods=$1 ramfs=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail() { echo "FAIL: $*"; exit 1; }
for t in depmod modinfo cpio gzip; do command -v $t >/dev/null || fail "$t missing (bazelw installs kmod and cpio)"; done
vers=("$mods"/lib/modules/*)
[[ ${#vers[@]} == 1 && -d ${vers[0]} ]] || fail "want one lib/modules/<version>, got: ${vers[*]}"
ver=${vers[0]##*/}
mkdir "$tmp/ref" "$tmp/ours"
cp -rL "$mods/lib" "$tmp/ref/"
chmod -R u+w "$tmp/ref"
d=$tmp/ref/lib/modules/$ver
for f in modules.dep modules.alias modules.softdep modules.devname modules.dep.bin modules.alias.bin modules.symbols.bin modules.builtin.bin; do mv "$d/$f" "$tmp/ours/"; done
depmod -b "$tmp/ref" "$ver" 2>"$tmp/depmod.err" || { cat "$tmp/depmod.err"; fail "depmod -b failed"; }
grep -v 'modules.builtin.modinfo' "$tmp/depmod.err" && fail "depmod warned (a missing dependency?)"
for f in modules.dep modules.alias modules.softdep modules.devname modules.dep.bin modules.alias.bin modules.symbols.bin modules.builtin.bin; do
	diff -u "$d/$f" "$tmp/ours/$f" || fail "$f differs from depmod's ($(depmod -V | head -n 1))"
done
dep=$tmp/ours/modules.dep
cat "$dep"
# The closure: ext4 pulls jbd2, mbcache, crc16; vfat pulls fat.
for m in kernel/drivers/mmc/host/armmmci.ko kernel/fs/squashfs/squashfs.ko kernel/drivers/block/virtio_blk.ko \
	kernel/drivers/virtio/virtio_mmio.ko kernel/fs/ext4/ext4.ko kernel/fs/jbd2/jbd2.ko kernel/fs/mbcache.ko \
	kernel/lib/crc16.ko kernel/fs/fat/vfat.ko kernel/fs/fat/fat.ko; do
	grep -q "^$m:" "$dep" || fail "$m missing from modules.dep"
	[[ -f $d/$m ]] || fail "$m not staged"
done
[[ $(grep -c . "$dep") == $(find "$d" -name '*.ko' | wc -l) ]] || fail "modules.dep and the staged .ko files disagree"
# modules.load: every module after what it needs.
load=$d/modules.load
pos() { grep -nx "$1" "$load" | cut -d: -f1; }
(( $(pos kernel/fs/jbd2/jbd2.ko) < $(pos kernel/fs/ext4/ext4.ko) )) || fail "modules.load: jbd2 after ext4"
(( $(pos kernel/fs/fat/fat.ko) < $(pos kernel/fs/fat/vfat.ko) )) || fail "modules.load: fat after vfat"
[[ $(modinfo -F depends "$d/kernel/fs/fat/vfat.ko") == fat ]] || fail "staged vfat.ko is not the package's"
# The initramfs holds the same tree.
gzip -dc <"$ramfs" >"$tmp/r.cpio"
mkdir "$tmp/x" && (cd "$tmp/x" && cpio -idm --quiet <"$tmp/r.cpio")
cmp "$tmp/x/lib/modules/$ver/modules.dep" "$dep" || fail "initramfs modules.dep"
cmp "$tmp/x/lib/modules/$ver/kernel/fs/ext4/ext4.ko" "$d/kernel/fs/ext4/ext4.ko" || fail "initramfs ext4.ko"
echo "PASS: modules.dep etc. equal to $(depmod -V | head -n 1) for $ver"
