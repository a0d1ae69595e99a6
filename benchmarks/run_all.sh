#!/usr/bin/env bash
# Runs every benchmark in the repository in turn and prints each table:
#   benchmarks/formats.sh              uImage, FIT, dtc beside mkimage and dtc
#   benchmarks/startup.sh              fwtool -V beside mkimage, a Go hello world and its dependencies alone
#   benchmarks/lz4.sh                  LZ4 HC level 5 beside the lz4 tool
#   benchmarks/compressors.sh          gzip, lz4, xz, zstd, bzip2, lzma beside their CLIs
#   benchmarks/spi.sh                  64 MiB SPI layout beside binman (needs BINMAN)
#   benchmarks/bazelw.sh               ./bazelw null build beside plain Bazel
#   benchmarks/extfs.sh                ext4 image from a tree beside mke2fs -d
#   tools/layout/bench/*.sh            layout engine beside binman / cp --sparse
#   tools/disk/bench/*.sh              disk images beside genimage
# fwtool is built once (static, CGO_ENABLED=0, as Bazel builds it) and
# handed to each (FWTOOL, or the layout bench's argument). A benchmark that fails is reported and the others still run;
# the exit status is then 1.
#
# Usage: benchmarks/run_all.sh
# Environment: FWTOOL (a built fwtool; default: go build from this tree);
#   anything the individual scripts read (RUNS, NODES, BINMAN, GENIMAGE...).
# Not part of `bazel test` or CI: too slow, and timings depend on the machine.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/fwtool-bench-all.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ -z ${FWTOOL:-} ]]; then
	FWTOOL=$work/fwtool
	(cd "$root" && CGO_ENABLED=0 go build -o "$FWTOOL" ./tools/fwtool) || { echo "run_all.sh: cannot build fwtool" >&2; exit 1; }
fi
export FWTOOL

failed=()
for script in "$root/benchmarks/formats.sh" "$root/benchmarks/startup.sh" "$root/benchmarks/lz4.sh" "$root/benchmarks/compressors.sh" "$root/benchmarks/spi.sh" "$root/benchmarks/bazelw.sh" "$root/benchmarks/extfs.sh" "$root"/tools/layout/bench/*.sh "$root"/tools/disk/bench/*.sh; do
	name=${script#"$root"/}
	if [[ $name == benchmarks/spi.sh && -z ${BINMAN:-} ]]; then
		printf '\n==== %s ====\nskipped: set BINMAN to a U-Boot tree'"'"'s tools/binman/binman\n' "$name"
		continue
	fi
	printf '\n==== %s ====\n' "$name"
	start=$(date +%s)
	if [[ $name == tools/layout/bench/* ]]; then
		bash "$script" "$FWTOOL"
	else
		bash "$script"
	fi
	status=$?
	if ((status != 0)); then
		failed+=("$name (exit $status)")
	fi
	printf '(%s: %d s)\n' "$name" "$(($(date +%s) - start))"
done

if ((${#failed[@]} > 0)); then
	printf '\nfailed: %s\n' "${failed[@]}" >&2
	exit 1
fi
