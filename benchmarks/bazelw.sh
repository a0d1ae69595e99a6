#!/bin/bash
# bazelw.sh: what ./bazelw adds to a null build, side by side with the Bazel
# its fast path execs. Builds TARGET once, then runs RUNS pairs of null
# builds (bazelw, bazel), alternating which goes first, and prints each
# side's min/median wall time and the median of the per-pair differences.
# Run it on an idle machine: a null build swings by more than the wrapper's
# cost under load.
#   RUNS=21 TARGET=//boards/stm32mp157:bootimage benchmarks/bazelw.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-21}
target=${TARGET:-//boards/stm32mp157:bootimage}
./bazelw build "$target" >/dev/null 2>&1
bazel=/usr/bin/bazel
[[ -x $bazel ]] || { echo "bazelw.sh: $bazel not found (run ./bazelw once)" >&2; exit 1; }
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
w=() b=() d=()
for ((i = 0; i < runs; i++)); do
  if ((i % 2)); then
    y=$(ms "$bazel" build "$target"); x=$(ms ./bazelw build "$target")
  else
    x=$(ms ./bazelw build "$target"); y=$(ms "$bazel" build "$target")
  fi
  w+=("$x") b+=("$y") d+=($((x - y)))
done
stats() { sort -n | awk '{a[NR]=$1} END {printf "%d / %d", a[1], (NR % 2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
range() { sort -n | awk '{a[NR]=$1} END {printf "%+d .. %+d", a[1], a[NR]}'; }
med() { sort -n | awk '{a[NR]=$1} END {printf "%+d", (NR % 2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
echo "| runs | bazelw min / median (ms) | bazel min / median (ms) | bazelw - bazel per pair, median (range) |"
echo "|---|---|---|---|"
echo "| $runs pairs | $(printf '%s\n' "${w[@]}" | stats) | $(printf '%s\n' "${b[@]}" | stats) | $(printf '%s\n' "${d[@]}" | med) ($(printf '%s\n' "${d[@]}" | range)) |"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
