#!/usr/bin/env bash
# fwtool's in-process compressors beside the command-line tools binman and
# kernel/mkimage builds run, on the same 16 MiB firmware-like input
# (tools/compress's BenchmarkLz4Level5 generator, identical on every run).
# fwtool runs `fwtool build` on a one-entry layout whose only entry is that
# file with "compress": ALGO, so its image is exactly the compressed stream.
#
# Rows (RUNS paired runs each, order alternating every round):
#   gzip -n -9    what kernel and uImage payloads are made with; fwtool's
#                 gzip is GNU gzip's encoder: outputs must be identical
#   lz4 -5 -B4    binman's lz4 (--no-frame-crc): outputs must be identical
#   xz            binman's `xz --compress` (preset 6); fwtool writes .xz
#                 with ulikunitz/xz, another encoder: output differs, and
#                 is checked to decompress with xz
#   zstd          binman's `zstd --compress` (level 3); fwtool's zstd is
#                 klauspost/compress at its default level (which it pairs
#                 with -3), 2 MiB window: differs, checked with zstd -d
#   bzip2 -9      binman's `bzip2 --compress` (900k blocks); fwtool's is
#                 bzip2 1.0.8's encoder in Go: outputs must be identical
#   lzma          binman's `lzma_alone e -lc1 -lp0 -pb0 -d8`; fwtool's is
#                 the LZMA SDK 9.22 encoder (tools/compress/lzmasdk.go):
#                 outputs must be identical
# binman runs gzip without -n (the temporary file's name and time end up in
# the stream), so its gzip output is not reproducible; the row uses -n.
# Columns: ratio = tool time / fwtool time (> 1: fwtool faster), min,
# median and max, for wall and CPU (user + sys, GNU time, 10 ms steps);
# median wall ms and CPU s of each; output sizes.
#
# Usage: benchmarks/compressors.sh   Environment: RUNS (default 5),
#   FWTOOL, ONLY (a regexp on the row name), PIN (e.g. "taskset -c 0" with
#   GOMAXPROCS=1 exported: one core for both).
# Needs Go, gzip, lz4, xz, zstd, bzip2, lzma_alone, GNU time.
# Not part of `bazel test` or CI: timings depend on the machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/fwtool-bench-comp.XXXXXX")
trap 'rm -rf "$work"' EXIT
runs=${RUNS:-5}
fwtool=${FWTOOL:-}
if [[ -z $fwtool ]]; then
	fwtool=$work/fwtool
	(cd "$root" && CGO_ENABLED=0 go build -o "$fwtool" ./tools/fwtool)
fi
(cd "$root" && LZ4_BENCH_OUT=$work/in.bin go test ./tools/compress -run '^$' -bench '^BenchmarkLz4Level5$' -benchtime 1x >/dev/null)
read -r -a pin <<<"${PIN:-}"

# timed OUT CMD...: runs CMD (stdout to OUT), prints "wall_us cpu_s".
timed() {
	local out=$1; shift
	local start end
	start=$(date +%s%N)
	/usr/bin/time -f '%U %S' -o "$work/time" "${pin[@]}" "$@" >"$out" 2>"$work/err" || { cat "$work/err" >&2; return 1; }
	end=$(date +%s%N)
	awk -v w=$(((end - start) / 1000)) '{printf "%d %.2f\n", w, $1 + $2}' "$work/time"
}

# row NAME ALGO MODE PEER...: MODE "same" compares the outputs, otherwise
# it is the decompress command that must give back the input.
row() {
	local name=$1 algo=$2 mode=$3; shift 3
	[[ -z ${ONLY:-} || $name =~ $ONLY ]] || return 0
	printf '{"version":1,"image":{"entries":[{"name":"e","path":"%s","compress":"%s"}]}}\n' "$work/in.bin" "$algo" >"$work/m.json"
	ours() { rm -f "$work/ours"; timed /dev/null "$fwtool" build --manifest "$work/m.json" --output "$work/ours"; }
	peer() { timed "$work/peer" "$@"; }
	local r p o
	: >"$work/pairs"
	peer "$@" >/dev/null; ours >/dev/null # warm-up
	for ((r = 0; r < runs; r++)); do
		if ((r % 2 == 0)); then p=$(peer "$@"); o=$(ours); else o=$(ours); p=$(peer "$@"); fi
		echo "$p $o" >>"$work/pairs"
	done
	local check
	if [[ $mode == same ]]; then
		cmp -s "$work/ours" "$work/peer" && check=identical || check=DIFFERENT
	else
		# shellcheck disable=SC2086
		if $mode <"$work/ours" 2>/dev/null | cmp -s - "$work/in.bin"; then check="differs, decompresses"; else check="BAD: does not decompress"; fi
	fi
	awk -v label="$name" -v check="$check" -v ps="$(stat -c %s "$work/peer")" -v os="$(stat -c %s "$work/ours")" '
		function sort(a, n,   i, j, t) {
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		}
		function med(a, n) { sort(a, n); return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		function stats(a, n,   m) { m = med(a, n); return sprintf("%5.2f %5.2f %5.2f", a[1], m, a[n]) }
		{ n++; wall[n] = $1 / $3; cpu[n] = ($4 > 0) ? $2 / $4 : 0; pw[n] = $1 / 1000; ow[n] = $3 / 1000; pc[n] = $2; oc[n] = $4 }
		END {
			printf "%-14s %17s   %17s   %7d %7d   %5.2f %5.2f   %9d %9d  %s\n", label, stats(wall, n), stats(cpu, n),
				med(pw, n), med(ow, n), med(pc, n), med(oc, n), ps, os, check
		}' "$work/pairs"
}

lzma_peer() { lzma_alone e "$work/in.bin" "$work/peer.lzma" -lc1 -lp0 -pb0 -d8 >/dev/null 2>&1 && cat "$work/peer.lzma"; }

echo "input: $(stat -c %s "$work/in.bin") bytes; $runs paired runs per row; ratio = tool time / fwtool time"
printf '%-14s %17s   %17s   %15s   %11s   %19s\n' "row" "wall ratio" "cpu ratio" "median wall ms" "median cpu s" "output bytes"
printf '%-14s %17s   %17s   %7s %7s   %5s %5s   %9s %9s\n' "" "min   med   max" "min   med   max" tool fwtool tool fw tool fwtool
row "gzip -n -9" gzip same gzip -n -9 -c "$work/in.bin"
row "lz4 -5 -B4" lz4 same lz4 --no-frame-crc -B4 -5 -c "$work/in.bin"
row "xz" xz "xz -dc" xz --compress --stdout "$work/in.bin"
row "zstd" zstd "zstd -dc" zstd --compress --stdout -q "$work/in.bin"
row "bzip2 -9" bzip2 same bzip2 --compress --stdout "$work/in.bin"
row "lzma" lzma same bash -c "$(declare -f lzma_peer); work=$work; lzma_peer"
