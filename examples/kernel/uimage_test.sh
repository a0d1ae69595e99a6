#!/usr/bin/env bash
# The example kernel image is a uImage mkimage can read, with our settings.
set -euo pipefail
out=$(mkimage -l "$1")
echo "$out"
grep -q 'Image Name:   example kernel' <<<"$out"
grep -q 'AArch64 Linux Kernel Image (gzip compressed)' <<<"$out"
grep -q 'Load Address: 80080000' <<<"$out"
