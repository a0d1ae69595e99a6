#!/usr/bin/env bash
# ext4 root filesystem: `fwtool ext` beside `mke2fs -t ext4 -d DIR`, the
# command genimage (and most build systems) run, on the same tree: 2000
# files in 100 directories, 90 MiB in all (sizes 1 KiB to 146 KiB, contents
# from a fixed-key AES-CTR keystream, identical on every run), 100 symlinks,
# into a 256 MiB image. fwtool gets the tree as a manifest (the files are
# the same host files). Each run's image passes `e2fsck -fn` (checked on the
# first pair).
#
# RUNS paired runs (the order alternates every round, so load from other
# processes falls on both alike). Columns: ratio = mke2fs time / fwtool
# time (> 1: fwtool is faster), min, median and max over the runs, for wall
# time and for CPU time (user + sys, GNU time, 10 ms steps); then the
# median wall ms and CPU s of each.
#
# Usage: benchmarks/extfs.sh    Environment: RUNS (default 7), FWTOOL.
# Needs Go, mke2fs/e2fsck (e2fsprogs), openssl, GNU time at /usr/bin/time.
# Not part of `bazel test` or CI: timings depend on the machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/fwtool-bench-extfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
runs=${RUNS:-7}
fwtool=${FWTOOL:-}
if [[ -z $fwtool ]]; then
	fwtool=$work/fwtool
	(cd "$root" && CGO_ENABLED=0 go build -o "$fwtool" ./tools/fwtool)
fi
PATH=$PATH:/sbin:/usr/sbin

# the tree: 2000 files, sizes cycling 1 KiB .. 146 KiB, about 90 MiB
head -c $((96 << 20)) /dev/zero | openssl enc -aes-128-ctr -K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 >"$work/stream"
mkdir -p "$work/tree"
sizes=(1024 3000 8192 20000 65536 150000 88000)
off=0 total=$((96 << 20))
echo '{"entries": [' >"$work/m.json"
sep=""
for ((i = 0; i < 2000; i++)); do
	d=dir$((i % 100))
	mkdir -p "$work/tree/$d"
	n=${sizes[i % 7]}
	((off + n <= total)) || off=0
	dd if="$work/stream" of="$work/tree/$d/file$i" iflag=skip_bytes,count_bytes skip=$off count="$n" status=none
	off=$((off + n))
	printf '%s{"path": "%s/file%d", "src": "%s"}' "$sep" "$d" "$i" "$work/tree/$d/file$i" >>"$work/m.json"
	sep=$',\n'
done
for ((i = 0; i < 100; i++)); do
	ln -s "../dir$(((i + 1) % 100))/file$i" "$work/tree/dir$i/link"
	printf '%s{"path": "dir%d/link", "type": "symlink", "target": "../dir%d/file%d"}' "$sep" "$i" $(((i + 1) % 100)) "$i" >>"$work/m.json"
done
echo ']}' >>"$work/m.json"
rm "$work/stream"

# timed OUT CMD...: runs CMD, prints "wall_us cpu_s".
timed() {
	local out=$1; shift
	rm -f "$out"
	local start end
	start=$(date +%s%N)
	/usr/bin/time -f '%U %S' -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
	end=$(date +%s%N)
	awk -v w=$(((end - start) / 1000)) '{printf "%d %.2f\n", w, $1 + $2}' "$work/time"
}
peer() { timed "$work/ref.ext4" mke2fs -q -F -t ext4 -E root_owner=0:0 -d "$work/tree" "$work/ref.ext4" 256M; }
ours() { timed "$work/our.ext4" "$fwtool" ext --type ext4 --size 256M --manifest "$work/m.json" --output "$work/our.ext4"; }

peer >/dev/null; ours >/dev/null # warm-up
for img in ref our; do
	e2fsck -fn "$work/$img.ext4" >"$work/fsck" 2>&1 && ! grep -q -e '?' -e IGNORED "$work/fsck" || { cat "$work/fsck"; echo "$img.ext4 fails e2fsck" >&2; exit 1; }
done
: >"$work/pairs"
for ((r = 0; r < runs; r++)); do
	if ((r % 2 == 0)); then p=$(peer); o=$(ours); else o=$(ours); p=$(peer); fi
	echo "$p $o" >>"$work/pairs"
done
echo "tree: 2000 files, 100 symlinks, $(du -sb "$work/tree" | cut -f1) bytes; 256 MiB ext4; $runs paired runs; ratio = mke2fs time / fwtool time"
printf '%-12s %17s   %17s   %7s %7s   %5s %5s\n' row "wall min/med/max" "cpu min/med/max" "mke2fs" fwtool "mke2fs" fwtool
printf '%-12s %17s   %17s   %7s %7s   %5s %5s\n' "" "" "" "ms" ms "cpu s" "cpu s"
awk '
	function sort(a, n,   i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	}
	function med(a, n) { sort(a, n); return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	function stats(a, n,   m) { m = med(a, n); return sprintf("%5.2f %5.2f %5.2f", a[1], m, a[n]) }
	{ n++; wall[n] = $1 / $3; cpu[n] = ($4 > 0) ? $2 / $4 : 0; pw[n] = $1 / 1000; ow[n] = $3 / 1000; pc[n] = $2; oc[n] = $4 }
	END { printf "%-12s %17s   %17s   %7d %7d   %5.2f %5.2f\n", "ext4 -d", stats(wall, n), stats(cpu, n), med(pw, n), med(ow, n), med(pc, n), med(oc, n) }
' "$work/pairs"
