#!/usr/bin/env bash
# Format benchmarks: fwtool beside the reference tool on the same inputs.
#
#   uImage -C none     mkimage -A arm -O linux -T kernel -C none ...  vs  fwtool mkimage (same flags)
#   uImage -C gzip     the same on the kernel gzipped once with gzip -9n
#   uImage gzip, raw   gzip -9n + mkimage -C gzip  vs  fwtool mkimage --compress gzip
#   FIT sha256         mkimage -f x.its (kernel + fdt, sha256 hash nodes)  vs  fwtool mkimage -f x.its
#   dtc dts->dtb       dtc on large synthetic DTSs (tools/dts/gendts)  vs  fwtool dtc
#   start-up only      mkenvimage -V  vs  fwtool mkenvimage -V (the fixed cost of a process)
#   start-up, mkimage  mkimage -V  vs  fwtool mkimage -V (issue 13's start-up goal is against mkimage)
#   FIP create         fiptool create (BL2, BL31, BL32, BL33)  vs  fwtool fiptool create
#   env 256 KiB -r     mkenvimage -r -s 0x40000  vs  fwtool mkenvimage (2000 variables)
#   dtc dtb->dts       dtc -I dtb -O dts on their DTBs  vs  fwtool dtc -I dtb -O dts
#
# The "kernel" is 32 MiB, deterministic and about half compressible: 32 KiB
# pieces of an AES-CTR keystream (openssl, fixed key) alternate with 32 KiB
# pieces of generated assembly-listing text.
#
# Each row: a warm-up run of both tools, then RUNS (default 5) runs
# alternating peer and fwtool (so load from other processes hits both
# alike). Wall time is the median (ms, measured around the process), CPU is
# the median user+sys seconds, RSS the largest peak resident set. ratio =
# fwtool/peer median wall; target <= 1.2. The last outputs of the two tools
# are compared byte for byte. On a busy machine wall time includes waiting
# for a CPU; the CPU ratio (user+sys) is the steadier of the two.
#
# Usage: benchmarks/formats.sh
# Environment: RUNS (5), NODES (DTS sizes for the dtc rows, "3000 10000"),
#   ONLY (a bash regex: run only the rows whose label matches, e.g. 'dtc'),
#   FWTOOL (a built fwtool; default: go build from this tree), KEEP=1 keeps
#   the work directory. Not a test: timings depend on the machine and load.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
nodes=${NODES:-3000 10000}
target=1.2
work=$(mktemp -d "${TMPDIR:-/tmp}/fwtool-formats.XXXXXX")
[[ ${KEEP:-0} == 1 ]] || trap 'rm -rf "$work"' EXIT

need() { type -P "$1" >/dev/null || { echo "formats.sh: $1 is needed (Debian package: $2)" >&2; exit 1; }; }
need mkimage u-boot-tools
need dtc device-tree-compiler
need gzip gzip
need openssl openssl
need fiptool arm-trusted-firmware-tools
need mkenvimage u-boot-tools
need go golang-go
# GNU time (not the shell keyword) for peak RSS and CPU seconds.
timebin=$(type -P time) && "$timebin" -f %M -o /dev/null true 2>/dev/null ||
	{ echo "formats.sh: GNU time is needed (Debian package: time)" >&2; exit 1; }

# Both tools stamp headers and the FIT root with this; the same value keeps
# the outputs comparable.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}

fwtool=${FWTOOL:-}
if [[ -z $fwtool ]]; then
	fwtool=$work/fwtool
	(cd "$root" && CGO_ENABLED=0 go build -o "$fwtool" ./tools/fwtool)
fi
(cd "$root" && go build -o "$work/gendts" ./tools/dts/gendts)

# --- inputs ---------------------------------------------------------------
in=$work/in
mkdir -p "$in/pieces"
# keystream BYTES IV: BYTES of AES-CTR keystream under a fixed key, so the
# "random" inputs are the same on every run and machine.
keystream() { head -c "$1" /dev/zero | openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f -iv "$2"; }
half=$((16 * 1024 * 1024))
keystream "$half" 00000000000000000000000000000000 >"$in/random"
awk -v limit="$half" 'BEGIN {
	while (n < limit) {
		s = sprintf("%08x:\te59f%04x\tldr\tr%d, [pc, #%d]\t@ sym_%d+0x%x\n", n, n % 65536, n % 13, (n * 37) % 4096, n % 977, n % 251)
		printf "%s", s
		n += length(s)
	}
}' >"$in/text"
truncate -s "$half" "$in/text"
(cd "$in/pieces" && split -b 32K -d -a 4 ../random r. && split -b 32K -d -a 4 ../text t.)
pieces=()
for r in "$in"/pieces/r.*; do pieces+=("$r" "$in/pieces/t.${r##*.}"); done
cat "${pieces[@]}" >"$in/kernel"
rm -rf "$in/pieces" "$in/random" "$in/text"
gzip -9n -c "$in/kernel" >"$in/kernel.gz"

"$work/gendts" -nodes 300 >"$in/board.dts"
dtc -q -I dts -O dtb -o "$in/board.dtb" "$in/board.dts"
for n in $nodes; do
	"$work/gendts" -nodes "$n" >"$in/big$n.dts"
	dtc -q -I dts -O dtb -o "$in/big$n.dtb" "$in/big$n.dts"
done

# TF-A FIP parts at typical sizes, and a U-Boot environment of 2000 variables.
keystream $((256 * 1024)) 00000000000000000000000000000001 >"$in/bl2.bin"
keystream $((128 * 1024)) 00000000000000000000000000000002 >"$in/bl31.bin"
keystream $((1024 * 1024)) 00000000000000000000000000000003 >"$in/tee.bin"
keystream $((1536 * 1024)) 00000000000000000000000000000004 >"$in/u-boot.bin"
awk 'BEGIN { for (i = 0; i < 2000; i++) printf "var_%04d=setenv bootargs console=ttySTM0,115200 root=/dev/mmcblk0p%d rootwait %d\n", i, i % 8, i * 7919 }' >"$in/env.txt"

cat >"$in/fit.its" <<EOF
/dts-v1/;
/ {
	description = "formats benchmark: kernel and fdt";
	#address-cells = <1>;
	images {
		kernel-1 {
			description = "kernel";
			data = /incbin/("$in/kernel");
			type = "kernel";
			arch = "arm";
			os = "linux";
			compression = "none";
			load = <0xc2000040>;
			entry = <0xc2000040>;
			hash-1 { algo = "sha256"; };
		};
		fdt-1 {
			description = "board fdt";
			data = /incbin/("$in/board.dtb");
			type = "flat_dt";
			arch = "arm";
			compression = "none";
			hash-1 { algo = "sha256"; };
		};
	};
	configurations {
		default = "conf-1";
		conf-1 {
			description = "kernel with fdt";
			kernel = "kernel-1";
			fdt = "fdt-1";
		};
	};
};
EOF

# --- measuring ------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# once NAME OUTPUT CMD...: one run; appends "wall_ms cpu_s rss_kib" to
# $work/NAME.samples. The output is removed and dirty pages flushed first so
# no run pays for another's writeback.
once() {
	local name=$1 output=$2
	shift 2
	[[ $output == /dev/null ]] || rm -f "$output"
	sync
	local t0 t1
	t0=$(date +%s%N)
	"$timebin" -f '%U %S %M' -o "$work/$name.time" "$@" >"$work/$name.log" 2>&1 || {
		echo "formats.sh: $name failed: $*" >&2
		cat "$work/$name.log" "$work/$name.time" >&2
		exit 1
	}
	t1=$(date +%s%N)
	local user sys rss
	read -r user sys rss <"$work/$name.time"
	echo "$(((t1 - t0) / 1000000)) $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') $rss" >>"$work/$name.samples"
}

# stats NAME: "median_wall_ms median_cpu_s max_rss_MiB" of the timed runs.
stats() {
	local f=$work/$1.samples
	echo "$(cut -d' ' -f1 "$f" | median) $(cut -d' ' -f2 "$f" | median) $(cut -d' ' -f3 "$f" | sort -n | tail -1 | awk '{ printf "%.1f", $1 / 1024 }')"
}

rows=()
# row LABEL PEER_OUT FWTOOL_OUT COMPARE -- PEER_CMD... -- FWTOOL_CMD...
# COMPARE is a shell command that prints the outputs' verdict.
row() {
	local label=$1 pout=$2 fout=$3 compare=$4
	shift 5
	local peer=() fw=()
	while [[ $1 != -- ]]; do peer+=("$1"); shift; done
	shift
	fw=("$@")
	[[ $label =~ ${ONLY:-.} ]] || return 0
	local key=r${#rows[@]}
	echo "  $label ..." >&2
	once "$key-warm-peer" "$pout" "${peer[@]}"
	once "$key-warm-fw" "$fout" "${fw[@]}"
	local i
	for ((i = 0; i < runs; i++)); do
		once "$key-peer" "$pout" "${peer[@]}"
		once "$key-fw" "$fout" "${fw[@]}"
	done
	local pw pc pr fw_ fc fr ratio cratio ok verdict
	read -r pw pc pr <<<"$(stats "$key-peer")"
	read -r fw_ fc fr <<<"$(stats "$key-fw")"
	ratio=$(awk -v f="$fw_" -v p="$pw" 'BEGIN { printf "%.2f", (p > 0 ? f / p : 0) }')
	cratio=$(awk -v f="$fc" -v p="$pc" 'BEGIN { if (p > 0) printf "%.2f", f / p; else print "-" }')
	ok=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r <= t ? "yes" : "NO") }')
	verdict=$(eval "$compare")
	rows+=("$(printf '%-24s %9s %9s %6s %4s %8s %7s %6s %8s %7s  %s' "$label" "$pw" "$fw_" "$ratio" "$ok" "$pc" "$fc" "$cratio" "$pr" "$fr" "$verdict")")
}

same() { if cmp -s "$1" "$2"; then echo identical; else echo "DIFFERENT"; fi; }

o=$work/out
mkdir -p "$o"
uargs=(-A arm -O linux -T kernel -a 0xc2000040 -e 0xc2000040 -n formats-bench)

echo "formats.sh: inputs ready ($(stat -c %s "$in/kernel") byte kernel, $(stat -c %s "$in/kernel.gz") gzipped; DTSs of ~$nodes nodes); $runs runs per row" >&2

row "uImage -C none" "$o/none.mk" "$o/none.fw" 'same "$o/none.mk" "$o/none.fw"' -- \
	mkimage "${uargs[@]}" -C none -d "$in/kernel" "$o/none.mk" -- \
	"$fwtool" mkimage "${uargs[@]}" -C none -d "$in/kernel" "$o/none.fw"

row "uImage -C gzip (.gz)" "$o/gz.mk" "$o/gz.fw" 'same "$o/gz.mk" "$o/gz.fw"' -- \
	mkimage "${uargs[@]}" -C gzip -d "$in/kernel.gz" "$o/gz.mk" -- \
	"$fwtool" mkimage "${uargs[@]}" -C gzip -d "$in/kernel.gz" "$o/gz.fw"

# fwtool's gzip is GNU gzip -n -9's encoder (tools/compress GNUGzip): the
# whole uImage must be identical.
row "uImage gzip from raw" "$o/raw.mk" "$o/raw.fw" 'same "$o/raw.mk" "$o/raw.fw"' -- \
	sh -c 'gzip -9n -c "$1" >"$2" && shift 2 && mkimage "$@"' sh "$in/kernel" "$o/raw.gz" "${uargs[@]}" -C gzip -d "$o/raw.gz" "$o/raw.mk" -- \
	"$fwtool" mkimage "${uargs[@]}" --compress gzip -d "$in/kernel" "$o/raw.fw"

row "FIT sha256 (-f .its)" "$o/fit.mk" "$o/fit.fw" 'same "$o/fit.mk" "$o/fit.fw"' -- \
	mkimage -f "$in/fit.its" "$o/fit.mk" -- \
	"$fwtool" mkimage -f "$in/fit.its" "$o/fit.fw"

# No work at all: the fixed cost of starting each program, which is most of
# the time of the small rows below.
row "start-up only (-V)" /dev/null /dev/null 'echo "-"' -- \
	mkenvimage -V -- \
	"$fwtool" mkenvimage -V

# The issue-13 goal names mkimage: a dynamically linked C program (libc,
# libcrypto) rather than mkenvimage's few pages.
row "start-up, mkimage -V" /dev/null /dev/null 'echo "-"' -- \
	mkimage -V -- \
	"$fwtool" mkimage -V

fip=(--tb-fw "$in/bl2.bin" --soc-fw "$in/bl31.bin" --tos-fw "$in/tee.bin" --nt-fw "$in/u-boot.bin")
row "FIP create, 4 images" "$o/fip.tfa" "$o/fip.fw" 'same "$o/fip.tfa" "$o/fip.fw"' -- \
	fiptool create "${fip[@]}" "$o/fip.tfa" -- \
	"$fwtool" fiptool create "${fip[@]}" "$o/fip.fw"

row "env 256 KiB -r" "$o/env.mk" "$o/env.fw" 'same "$o/env.mk" "$o/env.fw"' -- \
	mkenvimage -r -s 0x40000 -o "$o/env.mk" "$in/env.txt" -- \
	"$fwtool" mkenvimage -r -s 0x40000 -o "$o/env.fw" "$in/env.txt"

for n in $nodes; do
	row "dtc dts->dtb $n nodes" "$o/big$n.dtc.dtb" "$o/big$n.fw.dtb" "same \"$o/big$n.dtc.dtb\" \"$o/big$n.fw.dtb\"" -- \
		dtc -q -I dts -O dtb -o "$o/big$n.dtc.dtb" "$in/big$n.dts" -- \
		"$fwtool" dtc -I dts -O dtb -o "$o/big$n.fw.dtb" "$in/big$n.dts"
	row "dtc dtb->dts $n nodes" "$o/big$n.dtc.dts" "$o/big$n.fw.dts" "same \"$o/big$n.dtc.dts\" \"$o/big$n.fw.dts\"" -- \
		dtc -q -I dtb -O dts -o "$o/big$n.dtc.dts" "$in/big$n.dtb" -- \
		"$fwtool" dtc -I dtb -O dts -o "$o/big$n.fw.dts" "$in/big$n.dtb"
done

printf '\nfwtool vs reference tools, %s, %s cores, load average %s; median of %s runs\n\n' \
	"$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$runs"
printf '%-24s %9s %9s %6s %4s %8s %7s %6s %8s %7s  %s\n' case peer_ms fwtool_ms ratio ok peer_cpu fw_cpu ratio peer_MiB fw_MiB output
printf '%s\n' "${rows[@]}"
