#!/usr/bin/env bash
# An initramfs made from a gen_init_cpio list is byte-identical with the
# kernel's own usr/gen_init_cpio, compiled here from Debian's linux-source
# tarball (GPL: built in the test's temporary directory, never committed),
# given the same list and files whose mtime is the -t value.
set -euo pipefail
export LANG=C LC_ALL=C TZ=UTC
list=$1
here=tests/rules/initramfs
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail() { echo "FAIL: $*"; exit 1; }
for t in cpio gcc xz; do command -v $t >/dev/null || fail "$t missing (bazelw installs it)"; done
src=/usr/src/linux-source-6.1.tar.xz
[[ -r $src ]] || fail "$src missing (Debian package linux-source-6.1, installed by bazelw)"
mkdir "$tmp/ksrc"
tar -xJf "$src" -C "$tmp/ksrc" --wildcards '*/usr/gen_init_cpio.c'
gcc -O2 -o "$tmp/gen_init_cpio" "$tmp"/ksrc/*/usr/gen_init_cpio.c
mkdir "$tmp/list"
cp "$here/initramfs.list" "$here/init.sh" "$here/hello.txt" "$tmp/list/"
touch -d @1700000000 "$tmp/list/init.sh" "$tmp/list/hello.txt"
(cd "$tmp/list" && "$tmp/gen_init_cpio" -t 1700000000 initramfs.list >"$tmp/ref.cpio")
cmp "$tmp/ref.cpio" "$list" || fail "from_list differs from gen_init_cpio's output ($(cmp "$tmp/ref.cpio" "$list" 2>&1 || true))"
cpio -itvn --quiet <"$list" | grep -q '^brw-rw---- .* 0 *6 *7, *0 .* dev/loop0$' || fail "from_list: dev/loop0"

cpio -itvn --quiet <"$list" | sed -E 's/ +/ /g' >"$tmp/list.txt"
grep -qx -- '-rw-r--r-- 3 1000 1000 49 Nov 14 2023 root/hello3' "$tmp/list.txt" || fail "from_list: hard link with data last"
echo "PASS: byte-identical with usr/gen_init_cpio from linux-source-6.1 $(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo '(version unknown)')"
