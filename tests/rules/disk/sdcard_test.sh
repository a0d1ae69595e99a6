#!/usr/bin/env bash
# The disk_image output is a GPT sgdisk verifies cleanly (it exits 0 even on
# CRC errors, so any Warning/Caution/ERROR line fails the test), with the
# partitions where the STM32MP1 boot ROM looks for them.
set -euo pipefail
img=$1
for t in sgdisk sfdisk; do command -v $t >/dev/null || { echo "FAIL: $t missing (./bazelw installs gdisk/fdisk)"; exit 1; }; done
tmp=${TEST_TMPDIR:-$(mktemp -d)}
cp "$img" "$tmp/sd.img"; chmod u+w "$tmp/sd.img"
v=$(sgdisk -v "$tmp/sd.img" 2>&1)
echo "$v"
if grep -qiE 'warning|caution|error|problem' <<<"$v" && ! grep -q 'No problems found' <<<"$v"; then echo "FAIL: sgdisk -v"; exit 1; fi
dump=$(sfdisk --dump "$tmp/sd.img")
echo "$dump"
expect() { grep -qE "$1" <<<"$dump" || { echo "FAIL: sfdisk --dump lacks /$1/"; exit 1; }; }
expect 'label: gpt'
expect 'sd.img1 : start= *34, size= *512, .*name="fsbl1"'
expect 'sd.img2 : start= *546, size= *512, .*name="fsbl2"'
expect 'sd.img3 : start= *1058, size= *4096, .*name="ssbl"'
expect 'sd.img4 : start= *5154, size= *8192, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, .*name="rootfs", attrs="LegacyBIOSBootable"'
# Contents where the table says.
cmp -n 14 <(dd if="$img" bs=512 skip=34 count=1 status=none) tests/rules/disk/fsbl.bin
cmp -n 14 <(dd if="$img" bs=512 skip=1058 count=1 status=none) tests/rules/disk/ssbl.bin
echo PASS
