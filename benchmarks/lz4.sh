#!/usr/bin/env bash
# LZ4 HC level 5: fwtool's encoder beside the lz4 tool, the command binman
# runs (`lz4 --no-frame-crc -B4 -5`), on the same 16 MiB firmware-like input
# (code-like words, strings, 0x00/0xff padding, random stretches; generated
# by tools/compress's BenchmarkLz4Level5, identical on every run).
# fwtool runs `fwtool build` on a one-entry layout whose only entry is that
# file with "compress": "lz4", so its image is exactly the lz4 frame; every
# run's output is compared with lz4's byte for byte.
#
# Rows, each RUNS paired runs (the order alternates every round, so load
# from other processes falls on both alike):
#   1 core     both pinned to CPU 0 (taskset), fwtool with GOMAXPROCS=1
#   all cores  lz4 (single-threaded) beside fwtool on every core
#   cp floor   `cp` of the input beside fwtool on every core
# Columns: ratio = peer time / fwtool time (> 1: fwtool is faster), min,
# median and max over the runs, for wall time and for CPU time (task-clock
# from `perf stat` where perf works, else user + sys from GNU time in 10 ms
# steps; both count the whole command, taskset and env included). On a
# shared machine the CPU ratio of the 1-core row is the steadier measure of
# per-core throughput.
#
# Usage: benchmarks/lz4.sh    Environment: RUNS (default 7), FWTOOL.
# Needs Go, lz4, taskset (util-linux), and perf or GNU time at /usr/bin/time.
# Not part of `bazel test` or CI: timings depend on the machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/fwtool-bench-lz4.XXXXXX")
trap 'rm -rf "$work"' EXIT
runs=${RUNS:-7}
fwtool=${FWTOOL:-}
if [[ -z $fwtool ]]; then
	fwtool=$work/fwtool
	(cd "$root" && CGO_ENABLED=0 go build -o "$fwtool" ./tools/fwtool)
fi
(cd "$root" && LZ4_BENCH_OUT=$work/fw.bin go test ./tools/compress -run '^$' -bench '^BenchmarkLz4Level5$' -benchtime 1x >/dev/null)
cat >"$work/m.json" <<JSON
{"version":1,"image":{"entries":[{"name":"fw","path":"$work/fw.bin","compress":"lz4"}]}}
JSON

use_perf= cpu_clock="GNU time"
if perf stat -x, -e task-clock -o /dev/null true >/dev/null 2>&1; then use_perf=1 cpu_clock="perf task-clock"; fi

# timed OUT CMD...: runs CMD, prints "wall_us cpu_s".
timed() {
	local out=$1; shift
	rm -f "$out"
	local start end
	start=$(date +%s%N)
	if [[ -n $use_perf ]]; then
		perf stat -x, -e task-clock -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
	else
		/usr/bin/time -f '%U %S' -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
	fi
	end=$(date +%s%N)
	if [[ -n $use_perf ]]; then
		awk -F, -v w=$(((end - start) / 1000)) '$3 == "task-clock" {printf "%d %.4f\n", w, $1 / 1000}' "$work/time"
	else
		awk -v w=$(((end - start) / 1000)) '{printf "%d %.2f\n", w, $1 + $2}' "$work/time"
	fi
}

peer_lz4() { timed "$work/ref.lz4" "$@" lz4 --no-frame-crc -B4 -5 -f -q "$work/fw.bin" "$work/ref.lz4"; }
peer_cp() { timed "$work/copy" "$@" cp "$work/fw.bin" "$work/copy"; }
ours() { timed "$work/img.bin" "$@" "$fwtool" build --manifest "$work/m.json" --output "$work/img.bin"; }

# row LABEL PEER_FN PIN...: RUNS paired runs, then one line of ratios.
row() {
	local label=$1 peer=$2; shift 2
	local r p o
	: >"$work/pairs"
	"$peer" "$@" >/dev/null; ours "$@" >/dev/null # warm-up
	for ((r = 0; r < runs; r++)); do
		if ((r % 2 == 0)); then p=$("$peer" "$@"); o=$(ours "$@"); else o=$(ours "$@"); p=$("$peer" "$@"); fi
		echo "$p $o" >>"$work/pairs"
		if [[ $peer == peer_lz4 ]] && ! cmp -s "$work/img.bin" "$work/ref.lz4"; then
			echo "$label: fwtool's output differs from lz4's" >&2
			return 1
		fi
	done
	# pairs: peer_wall_us peer_cpu_s ours_wall_us ours_cpu_s
	awk -v label="$label" '
		function sort(a, n,   i, j, t) {
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		}
		function med(a, n) { sort(a, n); return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		function stats(a, n,   m) { m = med(a, n); return sprintf("%5.2f %5.2f %5.2f", a[1], m, a[n]) }
		{ n++; wall[n] = $1 / $3; cpu[n] = ($4 > 0) ? $2 / $4 : 0; pw[n] = $1 / 1000; ow[n] = $3 / 1000; pc[n] = $2; oc[n] = $4 }
		END {
			printf "%-20s %17s   %17s   %7d %7d   %5.3f %5.3f\n", label, stats(wall, n), stats(cpu, n), med(pw, n), med(ow, n), med(pc, n), med(oc, n)
		}' "$work/pairs"
}

echo "input: $(stat -c %s "$work/fw.bin") bytes; $runs paired runs per row; ratio = peer time / fwtool time; cpu: $cpu_clock"
printf '%-20s %17s   %17s   %15s   %11s\n' "row" "wall ratio" "cpu ratio" "median wall ms" "median cpu s"
printf '%-20s %17s   %17s   %7s %7s   %5s %5s\n' "" "min   med   max" "min   med   max" peer fwtool peer fw
row "1 core vs lz4 -5" peer_lz4 taskset -c 0 env GOMAXPROCS=1
row "all cores vs lz4 -5" peer_lz4
row "all cores vs cp" peer_cp
echo "output: $(stat -c %s "$work/img.bin") bytes, identical to lz4's in every run"
