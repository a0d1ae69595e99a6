#!/usr/bin/env bash
# Benchmark: the STM32MP157 SD card layout (fsbl1, fsbl2, ssbl, bootfs,
# rootfs) with a 4 GiB sparse rootfs, built from the same genimage config
# by genimage and by `fwtool genimage`. Prints wall time, peak RSS and the
# output's allocated bytes for each, and the inputs' allocated bytes.
# Wall time is the best of RUNS (default 3) runs, RSS the largest.
#
# Usage: tools/disk/bench/stm32mp157_sdcard.sh [ROOTFS_SIZE] [ROOTFS_DATA_MIB]
#   ROOTFS_SIZE      apparent rootfs size, genimage syntax (default 4G)
#   ROOTFS_DATA_MIB  MiB of data scattered through it (default 64)
# Environment: FWTOOL (a built fwtool; default: go build from this tree),
#   GENIMAGE (default: genimage on PATH), KEEP=1 to keep the work directory.
set -euo pipefail

rootfs_size=${1:-4G}
data_mib=${2:-64}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/fwtool-bench.XXXXXX")
[[ ${KEEP:-0} == 1 ]] || trap 'rm -rf "$work"' EXIT

timebin=$(type -P time) || { echo "GNU time is needed (Debian package: time)" >&2; exit 1; }
genimage=${GENIMAGE:-$(type -P genimage)} || { echo "genimage is needed (Debian package: genimage)" >&2; exit 1; }
if [[ -z ${FWTOOL:-} ]]; then
	FWTOOL=$work/fwtool
	(cd "$repo" && go build -o "$FWTOOL" ./tools/fwtool)
fi

mkdir -p "$work/in" "$work/out-genimage" "$work/out-fwtool" "$work/tmp" "$work/root"
in=$work/in
# Boot firmware: real sizes of the DK2's TF-A/U-Boot SPL and U-Boot.
head -c 150000 /dev/urandom >"$in/fsbl.stm32"
head -c 1300000 /dev/urandom >"$in/ssbl.img"
# bootfs: a 64 MiB FAT image holding a 10 MiB "kernel".
truncate -s 64M "$in/bootfs.vfat"
dd if=/dev/urandom of="$in/bootfs.vfat" bs=1M count=10 seek=1 conv=notrunc status=none
# rootfs: sparse, with data_mib MiB in 1 MiB chunks spread over it.
truncate -s "$rootfs_size" "$in/rootfs.ext4"
size_bytes=$(stat -c %s "$in/rootfs.ext4")
step=$((size_bytes / 1048576 / data_mib))
for ((i = 0; i < data_mib; i++)); do
	dd if=/dev/urandom of="$in/rootfs.ext4" bs=1M count=1 seek=$((i * step)) conv=notrunc status=none
done

cat >"$work/sdcard.cfg" <<'EOF'
image sdcard.img {
	hdimage {
		partition-table-type = "gpt"
		disk-uuid = "e91c4e10-16e6-4c0e-bd0e-77becf4a3582"
	}
	partition fsbl1 { image = "fsbl.stm32" offset = 17K size = 256K partition-type-uuid = "L" partition-uuid = "e91c4e10-16e6-4c0e-bd0e-000000000001" }
	partition fsbl2 { image = "fsbl.stm32" size = 256K partition-type-uuid = "L" partition-uuid = "e91c4e10-16e6-4c0e-bd0e-000000000002" }
	partition ssbl { image = "ssbl.img" size = 2M partition-type-uuid = "L" partition-uuid = "e91c4e10-16e6-4c0e-bd0e-000000000003" }
	partition bootfs { image = "bootfs.vfat" size = 64M partition-type-uuid = "L" bootable = true
		partition-uuid = "e91c4e10-16e6-4c0e-bd0e-000000000004" }
	partition rootfs { image = "rootfs.ext4" partition-type-uuid = "L" partition-uuid = "e91c4e10-16e6-4c0e-bd0e-000000000005" }
}
EOF

allocated() { # bytes actually allocated on disk
	local total=0 f
	for f in "$@"; do total=$((total + $(stat -c '%b * %B' "$f"))); done
	echo "$total"
}

# measure NAME OUTPUT COMMAND...: runs COMMAND $runs times (output removed
# and dirty pages flushed before each, so no run pays for another's
# writeback) and prints "best_wall_s max_rss_kib".
runs=${RUNS:-3}
measure() {
	local name=$1 output=$2
	shift 2
	local best="" maxrss=0 i wall rss
	for ((i = 0; i < runs; i++)); do
		rm -f "$output"
		sync
		"$timebin" -f '%e %M' -o "$work/$name.time" "$@" >"$work/$name.log" 2>&1 || {
			echo "$name failed:" >&2
			cat "$work/$name.log" "$work/$name.time" >&2
			exit 1
		}
		read -r wall rss <"$work/$name.time"
		if [[ -z $best ]] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall; fi
		((rss > maxrss)) && maxrss=$rss
	done
	echo "$best $maxrss"
}

g_img=$work/out-genimage/sdcard.img
f_img=$work/out-fwtool/sdcard.img
read -r g_wall g_rss < <(measure genimage "$g_img" "$genimage" --config "$work/sdcard.cfg" --inputpath "$in" \
	--outputpath "$work/out-genimage" --tmppath "$work/tmp" --rootpath "$work/root")
read -r f_wall f_rss < <(measure fwtool "$f_img" "$FWTOOL" genimage --config "$work/sdcard.cfg" --inputpath "$in" \
	--outputpath "$work/out-fwtool")

inputs_alloc=$(allocated "$in/fsbl.stm32" "$in/fsbl.stm32" "$in/ssbl.img" "$in/bootfs.vfat" "$in/rootfs.ext4")
if cmp -s "$g_img" "$f_img"; then same=identical; else same=DIFFERENT; fi

printf '\nSTM32MP157 sdcard, rootfs %s apparent with %d MiB of data; inputs allocate %d bytes (fsbl counted twice)\n\n' \
	"$rootfs_size" "$data_mib" "$inputs_alloc"
printf '%-10s %10s %14s %16s %16s %10s\n' tool best_wall_s peak_rss_KiB image_bytes allocated_bytes alloc/input
for t in genimage fwtool; do
	if [[ $t == genimage ]]; then img=$g_img wall=$g_wall rss=$g_rss; else img=$f_img wall=$f_wall rss=$f_rss; fi
	alloc=$(allocated "$img")
	printf '%-10s %10s %14s %16s %16s %10s\n' "$t" "$wall" "$rss" "$(stat -c %s "$img")" "$alloc" \
		"$(awk -v a="$alloc" -v b="$inputs_alloc" 'BEGIN { printf "%.4f", a / b }')"
done
printf '\noutputs: %s\n' "$same"
