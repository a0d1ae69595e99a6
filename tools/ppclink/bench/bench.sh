#!/bin/bash
# Times the simpleImage link of the kernel's wrapper: GNU ld + objcopy (the
# wrapper's addsec, link and objcopy -O binary) against ppclink doing the
# same (payload section, link, ELF + raw image written), on the
# bootstrap-built boot objects. Checks that both give the same bytes.
#   tools/ppclink/bench/bench.sh [N] [payload-MiB]
set -euo pipefail
n=${1:-20}
mib=${2:-4}
cd "$(dirname "$0")/../../.."
obj=${RULES_FIRMWARE_PPC_BOOT:-${XDG_CACHE_HOME:-$HOME/.cache}/rules_firmware/ppc-boot/current}/obj
[ -f "$obj/wrapper.a" ] || { echo "bench.sh: $obj/wrapper.a missing; run ./bazelw once" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c $((mib << 20)) /dev/urandom > "$tmp/vmlinux.bin.gz"
head -c 4096 /dev/urandom > "$tmp/dtb"
go build -o "$tmp/bench" ./tools/ppclink/bench
objs=("$obj/fixed-head.o" "$obj/simpleboot.o")

ref() {
  powerpc-linux-gnu-objcopy "$obj/empty.o" "$tmp/tmp.o" \
    --add-section=.kernel:vmlinux.strip="$tmp/vmlinux.bin.gz" --set-section-flags=.kernel:vmlinux.strip=contents,alloc,load,readonly,data \
    --add-section=.kernel:dtb="$tmp/dtb" --set-section-flags=.kernel:dtb=contents,alloc,load,readonly,data
  powerpc-linux-gnu-ld -m elf32ppc -T "$obj/zImage.lds" -Ttext 0x400000 --no-dynamic-linker \
    --no-warn-rwx-segments --no-warn-execstack -o "$tmp/ref.elf" "${objs[@]}" "$tmp/tmp.o" "$obj/wrapper.a"
  powerpc-linux-gnu-objcopy -O binary "$tmp/ref.elf" "$tmp/ref.bin"
}
ref
s=$(date +%s%N)
for ((i = 0; i < n; i++)); do ref; done
e=$(date +%s%N)
refms=$(( (e - s) / n / 1000 ))
"$tmp/bench" -n 1 -payload "$tmp/vmlinux.bin.gz" -dtb "$tmp/dtb" -empty "$obj/empty.o" -o "$tmp/our" "${objs[@]}" "$obj/wrapper.a" >/dev/null
cmp "$tmp/our" "$tmp/ref.bin" && cmp "$tmp/our.elf" "$tmp/ref.elf"
s=$(date +%s%N)
"$tmp/bench" -n "$n" -payload "$tmp/vmlinux.bin.gz" -dtb "$tmp/dtb" -empty "$obj/empty.o" -o "$tmp/our" "${objs[@]}" "$obj/wrapper.a"
e=$(date +%s%N)
ourms=$(( (e - s) / n / 1000 ))
echo "simpleImage link, ${mib} MiB payload, $n runs: ld+objcopy ${refms} us, ppclink ${ourms} us per link (ratio $(awk -v a=$ourms -v b=$refms 'BEGIN{printf "%.2f", a/b}')x); outputs identical"
