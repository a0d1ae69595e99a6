#!/usr/bin/env bash
# Layout engine benchmark: prints wall time and peak RSS of `fwtool build`
#  (a) a 64 MiB SPI-flash layout: 40 entries, an lz4-compressed section,
#      sha256 hashes and an fdtmap -- beside binman when BINMAN points at
#      U-Boot's tools/binman/binman (needs python3-libfdt and lz4);
#  (b) a 1 GiB layout of three large sparse blobs, beside copying the same
#      bytes with `cp --sparse=always`.
# Usage: tools/layout/bench/bench.sh [FWTOOL]   (default: builds fwtool)
# Not a test: timings depend on the machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fwtool=${1:-}
if [[ -z "$fwtool" ]]; then
  (cd "$root" && go build -o "$work/fwtool" ./tools/fwtool)
  fwtool="$work/fwtool"
fi

# measure LABEL CMD...: one table row with wall seconds and peak RSS (MiB).
measure() {
  local label=$1; shift
  /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || {
    echo "$label: failed:"; cat "$work/err.txt"; return 1; }
  local wall rss cpu
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$work/time.txt")
  # CPU seconds are less sensitive than wall time to a busy machine.
  cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u+s}' "$work/time.txt")
  printf '%-44s %12s %10s %12s\n' "$label" "$wall" "$cpu" "$rss"
}

printf '%-44s %12s %10s %12s\n' "case" "wall (m:s)" "cpu s" "peak RSS MiB"

# (a) SPI flash: 8 boot blobs, a compressed section of 24 small blobs,
# 6 fills/text, fdtmap; every blob hashed. Data: half random, half zeros.
a=$work/a; mkdir -p "$a"
entries=""; ro=""; dts_entries=""; dts_ro=""
for i in $(seq 1 8); do
  head -c $((i * 256 * 1024)) /dev/urandom > "$a/boot$i.bin"
  entries+="{\"name\":\"boot$i\",\"path\":\"$a/boot$i.bin\",\"align\":4096,\"hash\":\"sha256\"},"
  dts_entries+="boot$i { type = \"blob\"; filename = \"boot$i.bin\"; align = <4096>; hash { algo = \"sha256\"; }; };"
done
for i in $(seq 1 24); do
  { head -c 16384 /dev/urandom; head -c 49152 /dev/zero; } > "$a/ro$i.bin"
  ro+="{\"name\":\"ro$i\",\"path\":\"$a/ro$i.bin\",\"hash\":\"sha256\"},"
  dts_ro+="ro$i { type = \"blob\"; filename = \"ro$i.bin\"; hash { algo = \"sha256\"; }; };"
done
for i in $(seq 1 6); do
  entries+="{\"name\":\"fill$i\",\"type\":\"fill\",\"size\":65536,\"fill_byte\":255},"
  dts_entries+="fill$i { type = \"fill\"; size = <65536>; fill-byte = [ff]; };"
done
cat > "$a/m.json" <<JSON
{"version":1,"image":{"size":67108864,"pad_byte":255,"entries":[${entries}
 {"name":"ro","type":"section","compress":"lz4","align":65536,"entries":[${ro%,}]},
 {"name":"fdtmap"}]}}
JSON
measure "(a) fwtool build: 64 MiB SPI, 40 entries" "$fwtool" build --manifest "$a/m.json" --output "$a/image.bin" --map "$a/image.map"
if [[ -n "${BINMAN:-}" ]]; then
  cat > "$a/b.dts" <<DTS
/dts-v1/;
/ { binman { size = <67108864>; pad-byte = <0xff>; ${dts_entries}
  ro { type = "section"; compress = "lz4"; align = <65536>; ${dts_ro} };
  fdtmap { }; }; };
DTS
  dtc -O dtb -o "$a/b.dtb" "$a/b.dts"
  measure "(a) binman build: same layout" python3 "$BINMAN" build -u -d "$a/b.dtb" -I "$a" -O "$a/bm"
else
  echo "(a) binman: set BINMAN=/path/to/u-boot/tools/binman/binman to compare"
fi

# (b) 1 GiB: three sparse blobs with data at their ends and in the middle.
b=$work/b; mkdir -p "$b"
for i in 1 2 3; do
  truncate -s 341M "$b/big$i.bin"
  head -c 8M /dev/urandom | dd of="$b/big$i.bin" bs=1M seek=0 conv=notrunc status=none
  head -c 8M /dev/urandom | dd of="$b/big$i.bin" bs=1M seek=160 conv=notrunc status=none
  head -c 8M /dev/urandom | dd of="$b/big$i.bin" bs=1M seek=333 conv=notrunc status=none
done
cat > "$b/m.json" <<JSON
{"version":1,"image":{"entries":[
 {"name":"rootfs","path":"$b/big1.bin","align":1048576},
 {"name":"data","path":"$b/big2.bin","align":1048576},
 {"name":"extra","path":"$b/big3.bin","align":1048576}]}}
JSON
cat "$b/big1.bin" "$b/big2.bin" "$b/big3.bin" > /dev/null # warm the page cache for both
measure "(b) fwtool build: 1 GiB, 3 sparse blobs" "$fwtool" build --manifest "$b/m.json" --output "$b/image.bin"
measure "(b) cp --sparse=always of the same blobs" bash -c "for i in 1 2 3; do cp --sparse=always $b/big\$i.bin $b/copy\$i.bin; done"
cmp <(cat "$b/big1.bin" "$b/big2.bin" "$b/big3.bin") "$b/image.bin" && echo "(b) image equals the concatenated blobs"
echo "(b) allocated: image $(du -k "$b/image.bin" | cut -f1) KiB, copies $(du -kc "$b"/copy*.bin | tail -1 | cut -f1) KiB"
