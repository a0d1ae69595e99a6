#!/usr/bin/env bash
# Runs the kernel's own arch/powerpc/boot/wrapper (with binutils, gzip and
# mkimage; test time only) and `fwtool ppcwrap` on the same vmlinux, DTB,
# initrd and wrapper objects, for every platform in PLATFORMS, and compares
# the images byte for byte: raw images (simpleImage, dtbImage, fixed-head
# boards), ELF images (zImage, zImage.chrp with notes, zImage.epapr's -pie
# link, ...), treeImages (mktree), cuImages and uImages (gzip -n -9 and
# mkimage on the wrapper's side; the uImage payloads are also compared
# decompressed, to tell a link difference from a gzip one). Each platform
# runs with -Z none and, unless marked =none, with -Z gz (the wrapper's
# default: the kernel gzipped by GNU gzip there, by compress.GNUGzip here);
# our vmlinux.strip (before gzip) must equal `objcopy -S`'s. Finally two
# fwtool runs must give identical bytes.
#
# usage: wrapper_compare_test.sh FWTOOL VMLINUX|KERNEL.c DTB INITRD OBJDIR_FILE PLATFORM[=none]...
#   PLATFORM=none runs only the -Z none comparison (the gz run differs
#   only in the kernel blob; a few platforms of each kind cover it).
#   OBJDIR_FILE is any file in the bootstrap's wrapper object directory
#   (its directory holds crt0.o, wrapper.a, the wrapper script, ...).
set -euo pipefail

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

[[ $# -ge 6 ]] || fail "usage: $0 FWTOOL VMLINUX DTB INITRD OBJDIR_FILE PLATFORMS..."
fwtool=$(realpath "$1") vmlinux=$(realpath "$2") dtb=$(realpath "$3") initrd=$(realpath "$4")
objdir=$(dirname "$(realpath "$5")")
shift 5
srctree=$(realpath "$objdir/../srctree")
for t in powerpc-linux-gnu-ld powerpc-linux-gnu-objcopy powerpc-linux-gnu-objdump powerpc-linux-gnu-nm gzip mkimage; do
  command -v "$t" >/dev/null || fail "$t not on PATH (bazelw installs binutils-powerpc-linux-gnu, gzip, u-boot-tools)"
done
[[ -x "$objdir/wrapper" || -f "$objdir/wrapper" ]] || fail "kernel wrapper script missing in $objdir (run ./bazelw to bootstrap)"

work=${TEST_TMPDIR:-$(mktemp -d)}
export SOURCE_DATE_EPOCH=0

# A C source instead of a vmlinux: compile and link it here (test time), -g
# so there is debugging information to strip.
if [[ "$vmlinux" == *.c ]]; then
  command -v powerpc-linux-gnu-gcc >/dev/null || fail "powerpc-linux-gnu-gcc not on PATH (Debian package gcc-powerpc-linux-gnu)"
  powerpc-linux-gnu-gcc -O2 -g -ffreestanding -fno-pic -c -o "$work/kernel.o" "$vmlinux"
  powerpc-linux-gnu-ld -Ttext 0 -e start -o "$work/vmlinux.gcc" "$work/kernel.o" 2>/dev/null
  vmlinux="$work/vmlinux.gcc"
  [[ "$(powerpc-linux-gnu-readelf -lW "$vmlinux" | grep -c ' LOAD ')" -ge 2 ]] || fail "the compiled kernel should have two PT_LOAD segments"
fi

# ref DIR PLATFORM ARGS...: the kernel's wrapper in DIR on DIR/vmlinux.
ref() {
  local dir=$1 platform=$2
  shift 2
  (cd "$dir" && srctree=$srctree sh "$objdir/wrapper" -C powerpc-linux-gnu- -D "$objdir" -p "$platform" -o image "$@" vmlinux) \
    >"$dir/ref.log" 2>&1 || { cat "$dir/ref.log" >&2; return 1; }
}

# uimage_fields FILE: the header fields that do not depend on the gzip stream.
uimage_fields() {
  od -An -tx1 -j16 -N8 "$1"  # load, entry
  od -An -tx1 -j28 -N36 "$1" # os, arch, type, comp, name
}

# uimage_payload FILE OUT: the payload, decompressed when the header says gzip.
uimage_payload() {
  local comp
  comp=$(od -An -tu1 -j31 -N1 "$1" | tr -d ' ')
  case "$comp" in
  0) tail -c +65 "$1" >"$2" ;;
  1) tail -c +65 "$1" | gzip -dc >"$2" || fail "$1: payload is not gzip" ;;
  *) fail "$1: unexpected uImage compression $comp" ;;
  esac
}

same() {
  cmp -s "$1" "$2" || fail "$3: $(basename "$1") differs from the kernel wrapper's ($(stat -c %s "$1") vs $(stat -c %s "$2") bytes; first difference: $(cmp "$1" "$2" 2>&1 | head -n 1))"
}

# compare PLATFORM MODE: runs both tools and compares; MODE is none or gz.
compare() {
  local platform=$1 mode=$2 extra=()
  local d="$work/$platform.$mode"
  rm -rf "$d" && mkdir -p "$d/ours"
  cp "$vmlinux" "$d/vmlinux"
  case "$platform" in
  of | pmac | chrp | pseries | maple | uboot) ;;
  *) extra+=(-d "$dtb") ;;
  esac
  case "$platform" in
  simpleboot-* | treeboot-ebony) extra+=(-i "$initrd") ;;
  esac
  local ours=(-D "$objdir" -p "$platform" -Z "$mode" "${extra[@]}" -o "$d/ours/image" --kernel-out "$d/ours/kernel")
  [[ "$platform" == uboot ]] || ours+=(--elf "$d/ours/image.elf")
  "$fwtool" ppcwrap "${ours[@]}" "$d/vmlinux" 2>"$d/ours.log" ||
    fail "$platform ($mode): fwtool ppcwrap failed: $(cat "$d/ours.log")"
  if [[ "$mode" == gz && "$platform" != uboot && "$platform" != cuboot-* ]]; then
    # Our vmlinux.strip must be objcopy -S's (the image compare then proves
    # the gzip of it too).
    powerpc-linux-gnu-objcopy -S "$d/vmlinux" "$d/objcopy.strip"
    gzip -dc "$d/ours/kernel" >"$d/ours.strip"
    same "$d/ours.strip" "$d/objcopy.strip" "$platform: vmlinux.strip"
  fi
  ref "$d" "$platform" -Z "$mode" "${extra[@]}" || fail "$platform ($mode): the kernel's wrapper failed"
  case "$platform" in
  cuboot-* | uboot)
    [[ "$(uimage_fields "$d/ours/image")" == "$(uimage_fields "$d/image")" ]] ||
      fail "$platform ($mode): uImage header fields differ: ours $(uimage_fields "$d/ours/image" | tr -s ' \n' ' ') wrapper $(uimage_fields "$d/image" | tr -s ' \n' ' ')"
    uimage_payload "$d/ours/image" "$d/ours.payload"
    uimage_payload "$d/image" "$d/ref.payload"
    same "$d/ours.payload" "$d/ref.payload" "$platform ($mode): uImage payload"
    ;;
  esac
  same "$d/ours/image" "$d/image" "$platform ($mode): image"
  if [[ -f "$d/image.elf" ]]; then
    same "$d/ours/image.elf" "$d/image.elf" "$platform ($mode): linked ELF"
  fi
  # fwtool ls recognises the kind (a plain uImage is listed as a uImage).
  local want
  case "$platform" in
  uboot) want="PowerPC Linux Kernel Image" ;;
  cuboot-*) want="PowerPC boot wrapper: cuimage" ;;
  treeboot-*) want="PowerPC boot wrapper: treeimage" ;;
  chrp | pseries | maple) want="PowerPC boot wrapper: elf-notes" ;;
  *) if [[ -f "$d/image.elf" ]]; then want="PowerPC boot wrapper: binary"; else want="PowerPC boot wrapper: elf"; fi ;;
  esac
  "$fwtool" ls "$d/ours/image" >"$d/ls.txt" 2>&1 || fail "$platform: fwtool ls failed: $(cat "$d/ls.txt")"
  grep -qxF -e "$want" "$d/ls.txt" || grep -qF -e "$want" "$d/ls.txt" || fail "$platform: fwtool ls does not say '$want': $(cat "$d/ls.txt")"
}

count=0
for arg in "$@"; do
  platform=${arg%=none}
  compare "$platform" none
  [[ "$arg" == *=none ]] || compare "$platform" gz
  count=$((count + 1))
  echo "ok $arg"
done

# Reproducibility: a second run gives the same bytes.
p=${1%=none}
"$fwtool" ppcwrap -D "$objdir" -p "$p" -d "$dtb" -o "$work/again" "$vmlinux"
"$fwtool" ppcwrap -D "$objdir" -p "$p" -d "$dtb" -o "$work/again2" "$vmlinux"
cmp "$work/again" "$work/again2" || fail "two fwtool ppcwrap runs differ"
echo "PASS: $count platforms identical to the kernel's wrapper"
