#!/usr/bin/env bash
# fwtool disk on rule-written manifests that cannot be packed: each error is
# one line naming the disk_image's label, the partition as written in BUILD
# (its name and its disk_partition target), and no image is left behind.
set -euo pipefail
fwtool=$1 overlapping=$2 cramped=$3 mistyped=$4
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failed=0
check() {  # check MANIFEST WANT (the whole stderr, or its start when WANT ends in ...)
  local manifest=$1 want=$2 out="$tmp/$(basename "$1").img" got
  if "$fwtool" disk --manifest "$manifest" --output "$out" 2>"$out.err"; then
    echo "FAIL: $manifest: packed"; failed=1; return
  fi
  got=$(cat "$out.err")
  echo "$got"
  if [[ "$want" == *... ]]; then
    [[ "$got" == "${want%...}"* && "$got" != *$'\n'* ]] || { echo "FAIL: want: $want"; failed=1; }
  else
    [[ "$got" == "$want" ]] || { echo "FAIL: want: $want"; failed=1; }
  fi
  [[ ! -e "$out" ]] || { echo "FAIL: $out left behind"; failed=1; }
}
check "$overlapping" "fwtool disk: //tests/rules/disk:overlapping: partition 'root' (//tests/rules/disk:overlap_root): offset 0x19000 (102400) overlaps with previous partition 'boot' (//tests/rules/disk:overlap_boot) at 0x4400 (17408) ending at 0x44400 (279552)"
check "$cramped" "fwtool disk: //tests/rules/disk:cramped: partition 'rootfs' (//tests/rules/disk:cramped_rootfs): image //tests/rules/disk:rootfs.bin of 0x19 (25) bytes does not fit the partition size 0x10 (16)"
check "$mistyped" "fwtool disk: //tests/rules/disk:mistyped: partition 'rootfs' (//tests/rules/disk:mistyped_rootfs): partition_type_uuid: invalid partition type \"0FC63DAF-8483-4772-8E79\"..."
[[ $failed == 0 ]] && echo PASS
