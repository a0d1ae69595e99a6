#!/usr/bin/env bash
# initramfs archives as the reference tools see them: GNU cpio and bsdcpio
# list and extract exactly what the BUILD file put in (modes, owners, hard
# links sharing one inode, symlinks, device numbers, one mtime); each
# compression decompresses with the standard tool to the same archive, in
# the variant Linux reads (legacy lz4, xz with CRC32). gen_init_cpio_test.sh
# holds the byte-for-byte golden against the kernel's own tool.
set -euo pipefail
export LANG=C LC_ALL=C TZ=UTC
tree=$1 gz=$2 xzf=$3 lz4f=$4 zst=$5
here=tests/rules/initramfs
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail() { echo "FAIL: $*"; exit 1; }
for t in cpio bsdcpio gzip xz lz4 zstd; do command -v $t >/dev/null || fail "$t missing (bazelw installs it)"; done

# 1. GNU cpio's listing of the attribute-built archive, in archive order:
# sorted, parents first, hard links written together where the last sorts.
cpio -itvn --quiet <"$tree" | sed -E 's/ +/ /g' >"$tmp/gnu.txt"
cat >"$tmp/want.txt" <<'EOF'
drwxr-xr-x 2 0 0 0 Nov 14 2023 bin
lrwxrwxrwx 1 0 0 5 Nov 14 2023 bin/sh -> /init
drwxr-xr-x 2 0 0 0 Nov 14 2023 dev
crw------- 1 0 0 5, 1 Nov 14 2023 dev/console
brw------- 1 0 0 8, 0 Nov 14 2023 dev/sda
drwxr-xr-x 2 0 0 0 Nov 14 2023 etc
-rwxr-xr-x 1 0 0 35 Nov 14 2023 init
drwxr-xr-x 2 0 0 0 Nov 14 2023 mnt
drwxr-xr-x 2 0 0 0 Nov 14 2023 mnt/root
dr-xr-xr-x 2 0 0 0 Nov 14 2023 proc
drwxr-xr-x 2 0 0 0 Nov 14 2023 sbin
-rw-r--r-- 3 0 0 0 Nov 14 2023 bin/hello-again
-rw-r--r-- 3 0 0 0 Nov 14 2023 etc/hello.txt
-rw-r--r-- 3 0 0 49 Nov 14 2023 sbin/hello
drwxr-xr-x 2 0 0 0 Nov 14 2023 sys
EOF
diff -u "$tmp/want.txt" "$tmp/gnu.txt" || fail "GNU cpio -itv listing differs"

# bsdcpio (libarchive) reads the same, and pairs the hard links itself.
bsdcpio -itvn <"$tree" 2>/dev/null | sed -E 's/ +/ /g' >"$tmp/bsd.txt"
sed -E 's/ ([0-9]+), ([0-9]+) / \1,\2 /; s#^(-.* (etc/hello.txt|sbin/hello))$#\1 link to bin/hello-again#' "$tmp/want.txt" >"$tmp/want-bsd.txt"
diff -u "$tmp/want-bsd.txt" "$tmp/bsd.txt" || fail "bsdcpio -itv listing differs"

# 2. Extraction (device nodes left out: the sandbox may forbid mknod).
check_tree() { # DIR TOOL
	local d=$1 tool=$2
	cmp "$d/init" "$here/init.sh" || fail "$tool: init contents"
	cmp "$d/etc/hello.txt" "$here/hello.txt" || fail "$tool: etc/hello.txt contents"
	[[ $(stat -c %a "$d/init") == 755 ]] || fail "$tool: init mode $(stat -c %a "$d/init")"
	[[ $(stat -c %Y "$d/init") == 1700000000 ]] || fail "$tool: init mtime $(stat -c %Y "$d/init")"
	[[ $(readlink "$d/bin/sh") == /init ]] || fail "$tool: bin/sh -> $(readlink "$d/bin/sh")"
	local i1 i2 i3
	i1=$(stat -c %i "$d/etc/hello.txt") i2=$(stat -c %i "$d/sbin/hello") i3=$(stat -c %i "$d/bin/hello-again")
	[[ $i1 == "$i2" && $i1 == "$i3" && $(stat -c %h "$d/sbin/hello") == 3 ]] || fail "$tool: hard links are not one inode with 3 links"
	[[ -d "$d/mnt/root" && $(stat -c %a "$d/proc") == 555 ]] || fail "$tool: directories"
}
mkdir "$tmp/gnu" "$tmp/bsd"
(cd "$tmp/gnu" && cpio -idm --quiet --no-absolute-filenames 'bin*' 'etc*' 'init' 'mnt*' 'proc' 'sbin*' 'sys' <"$OLDPWD/$tree")
check_tree "$tmp/gnu" "cpio -idm"
(cd "$tmp/bsd" && bsdcpio -idm --quiet 'bin*' 'etc*' 'init' 'mnt*' 'proc' 'sbin*' 'sys' <"$OLDPWD/$tree" 2>/dev/null)
check_tree "$tmp/bsd" "bsdcpio -idm"

# 3. Compressions: the standard tools decompress each to the same archive,
# in the variants the kernel reads.
gzip -dc <"$gz" >"$tmp/gz.cpio"
xz -dc <"$xzf" >"$tmp/xz.cpio"
lz4 -dc <"$lz4f" >"$tmp/lz4.cpio"
zstd -qdc <"$zst" >"$tmp/zst.cpio"
for c in xz lz4 zst; do cmp "$tmp/gz.cpio" "$tmp/$c.cpio" || fail "$c archive differs from the gzip one"; done
cpio -itn --quiet <"$tmp/gz.cpio" | tr '\n' ' ' | grep -qx 'bin bin/sh dev dev/console init proc ' || fail "compressed archive contents"
xz --robot -lv "$xzf" | grep -q 'CRC32' || fail "xz initramfs must use a CRC32 check (Linux's decoder)"
[[ $(od -An -tx1 -N4 "$lz4f" | tr -d ' ') == 02214c18 ]] || fail "lz4 initramfs must be the legacy format (magic 0x184C2102)"
echo PASS
