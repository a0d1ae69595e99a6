#!/usr/bin/env bash
# A 64 MiB SPI-flash layout built by binman and by `fwtool build -d` from
# the same binman description (one DTB, one input directory), outputs
# compared byte for byte. The layout: 35 blobs of firmware-like data
# (64 KiB to 1.1 MiB, 4 KiB aligned) and an lz4-compressed section holding
# one 16.8 MiB blob, every blob with a sha256 hash node (36), an fdtmap and
# an image-header at the end; pad byte 0xff. The data comes from
# tools/compress's BenchmarkLz4Level5 generator (code-like words, strings,
# padding, random stretches), identical on every run.
#
# Rows (RUNS paired runs each, the order alternating every round so load
# from other processes falls on both alike):
#   binman / fwtool        the build, each tool's whole process
#   floor: cp image        copying the finished 64 MiB image
#   floor: lz4 -5 on blob  the C lz4 tool on the 16.8 MiB blob alone
# Columns: speed-up = binman time / fwtool time (min, median, max) for
# wall and CPU (user + sys, GNU time, 10 ms steps); median wall, CPU and
# peak RSS of each; the floors are fwtool's time over theirs (how far
# above the floor fwtool is).
#
# Usage: BINMAN=path/to/u-boot/tools/binman/binman benchmarks/spi.sh
# Environment: RUNS (default 5), FWTOOL, BINMAN (required), PYTHON
#   (default /usr/bin/python3, which sees Debian's python3-libfdt).
# Needs Go, dtc, lz4, GNU time at /usr/bin/time; binman from a U-Boot tree
# the caller fetched (nothing of it is copied here).
# Not part of `bazel test` or CI: timings depend on the machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
: "${BINMAN:?set BINMAN to a U-Boot tree\'s tools/binman/binman}"
py=${PYTHON:-/usr/bin/python3}
runs=${RUNS:-5}
work=$(mktemp -d "${TMPDIR:-/tmp}/fwtool-bench-spi.XXXXXX")
trap 'rm -rf "$work"' EXIT
fwtool=${FWTOOL:-}
if [[ -z $fwtool ]]; then
	fwtool=$work/fwtool
	(cd "$root" && CGO_ENABLED=0 go build -o "$fwtool" ./tools/fwtool)
fi

in=$work/in
mkdir -p "$in"
(cd "$root" && LZ4_BENCH_OUT=$in/fw.bin go test ./tools/compress -run '^$' -bench '^BenchmarkLz4Level5$' -benchtime 1x >/dev/null)
fwsize=$(stat -c %s "$in/fw.bin")
# The 16.8 MiB blob: the 16 MiB of generated data and its first 0.8 MiB.
{ cat "$in/fw.bin"; head -c 838861 "$in/fw.bin"; } >"$in/big.bin"
blobs=""
for i in $(seq 1 35); do
	size=$(((64 + 32 * (i - 1)) * 1024))
	off=$(((i * 397 * 1024) % (fwsize - size)))
	dd if="$in/fw.bin" of="$in/b$i.bin" bs=1024 skip=$((off / 1024)) count=$((size / 1024)) status=none
	blobs+="b$i { type = \"blob\"; filename = \"b$i.bin\"; align = <0x1000>; hash { algo = \"sha256\"; }; };"
done
cat >"$work/spi.dts" <<DTS
/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	binman {
		size = <0x4000000>;
		pad-byte = <0xff>;
		${blobs}
		ro { type = "section"; compress = "lz4"; align = <0x10000>;
			big { type = "blob"; filename = "big.bin"; hash { algo = "sha256"; }; };
		};
		fdtmap { };
		image-header { location = "end"; };
	};
};
DTS
dtc -q -I dts -O dtb -o "$work/spi.dtb" "$work/spi.dts"

# timed CMD...: runs CMD, prints "wall_us cpu_s rss_kib".
timed() {
	local start end
	start=$(date +%s%N)
	/usr/bin/time -f '%U %S %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
	end=$(date +%s%N)
	awk -v w=$(((end - start) / 1000)) '{printf "%d %.2f %d\n", w, $1 + $2, $3}' "$work/time"
}

binman_build() { rm -rf "$work/bm"; timed "$py" "$BINMAN" build -d "$work/spi.dtb" -I "$in" -O "$work/bm"; }
fwtool_build() { rm -rf "$work/fw"; timed "$fwtool" build -d "$work/spi.dtb" -I "$in" -O "$work/fw"; }
floor_cp() { rm -f "$work/copy"; timed cp "$work/fw/image.bin" "$work/copy"; }
floor_lz4() { timed lz4 --no-frame-crc -B4 -5 -f -q "$in/big.bin" "$work/big.lz4"; }

# row LABEL PEER_FN: RUNS paired runs of PEER_FN and fwtool_build, one
# line: ratios peer/fwtool (min med max) for wall and CPU, then medians.
row() {
	local label=$1 peer=$2 r p o
	: >"$work/pairs"
	"$peer" >/dev/null
	fwtool_build >/dev/null # warm-up
	for ((r = 0; r < runs; r++)); do
		if ((r % 2 == 0)); then p=$("$peer"); o=$(fwtool_build); else o=$(fwtool_build); p=$("$peer"); fi
		echo "$p $o" >>"$work/pairs"
		if [[ $peer == binman_build ]] && ! cmp -s "$work/bm/image.bin" "$work/fw/image.bin"; then
			echo "$label: fwtool's image differs from binman's" >&2
			return 1
		fi
	done
	# pairs: peer_wall_us peer_cpu peer_rss fw_wall_us fw_cpu fw_rss
	awk -v label="$label" '
		function sort(a, n,   i, j, t) {
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		}
		function med(a, n) { sort(a, n); return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		function stats(a, n,   m) { m = med(a, n); return sprintf("%6.2f %6.2f %6.2f", a[1], m, a[n]) }
		{ n++; wall[n] = $1 / $4; cpu[n] = ($5 > 0) ? $2 / $5 : 0
		  pw[n] = $1 / 1000; fw[n] = $4 / 1000; pc[n] = $2; fc[n] = $5; pr[n] = $3 / 1024; fr[n] = $6 / 1024 }
		END {
			printf "%-22s %20s   %20s   %7d %7d   %5.2f %5.2f   %6.1f %6.1f\n", label, stats(wall, n), stats(cpu, n),
				med(pw, n), med(fw, n), med(pc, n), med(fc, n), med(pr, n), med(fr, n)
		}' "$work/pairs"
}

echo "binman: $("$py" "$BINMAN" -V 2>&1 | head -1); $("$py" --version); fwtool: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "image: 64 MiB, 36 blobs with sha256 (one of $(stat -c %s "$in/big.bin") bytes in an lz4 section), fdtmap, image-header; $runs paired runs per row"
printf '%-22s %20s   %20s   %15s   %11s   %13s\n' "row" "wall: peer/fwtool" "cpu: peer/fwtool" "median wall ms" "median cpu s" "median MiB"
printf '%-22s %20s   %20s   %7s %7s   %5s %5s   %6s %6s\n' "" "min    med    max" "min    med    max" peer fwtool peer fw peer fw
row "binman vs fwtool" binman_build
echo "images identical in every run ($(stat -c %s "$work/fw/image.bin") bytes)"
row "floor: cp image" floor_cp
row "floor: lz4 -5 on blob" floor_lz4
