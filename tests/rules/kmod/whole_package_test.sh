#!/usr/bin/env bash
# fwtool kmod given every module of Debian's armmp package: its index files
# are byte-identical with kmod's `depmod -b` over the same staged tree.
set -euo pipefail
export LANG=C LC_ALL=C
fwtool=$1 moddir=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail() { echo "FAIL: $*"; exit 1; }
command -v depmod >/dev/null || fail "depmod missing (bazelw installs kmod)"
mapfile -t names < <(find -L "$moddir" -name '*.ko' -printf '%f\n' | sed 's/\.ko$//' | sort)
(( ${#names[@]} > 1000 )) || fail "only ${#names[@]} modules found in $moddir"
"$fwtool" kmod --moddir "$moddir" --output "$tmp/out" "${names[@]}"
d=("$tmp"/out/lib/modules/*)
mkdir "$tmp/ours"
for f in modules.dep modules.alias modules.softdep modules.devname modules.dep.bin modules.alias.bin modules.symbols.bin modules.builtin.bin; do mv "$d/$f" "$tmp/ours/"; done
depmod -b "$tmp/out" "${d##*/}" 2>&1 | grep -v 'modules.builtin.modinfo' && fail "depmod warned"
for f in modules.dep modules.alias modules.softdep modules.devname modules.dep.bin modules.alias.bin modules.symbols.bin modules.builtin.bin; do
	cmp "$d/$f" "$tmp/ours/$f" || fail "$f differs from depmod's"
done
echo "PASS: ${#names[@]} modules, $(wc -l <"$d/modules.alias") aliases: equal to $(depmod -V | head -n 1)"
