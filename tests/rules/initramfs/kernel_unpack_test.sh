#!/usr/bin/env bash
# Boots Debian's armmp kernel on QEMU's virt machine with an initrd made of
# our archives back to back (plain, gzip, xz, zstd, bzip2, lzma, legacy lz4)
# and requires /init to report every part unpacked, the hard link, device
# node and symlink intact, and `modprobe ext4` (busybox, our modules.dep)
# loading ext4 with jbd2. Marker-based, -no-reboot, panic=-1, one timeout.
set -euo pipefail
kernel=$1
shift
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail() { echo "FAIL: $*"; [[ -f $tmp/console.log ]] && tail -n 40 "$tmp/console.log"; exit 1; }
command -v qemu-system-arm >/dev/null || fail "qemu-system-arm missing (bazelw installs qemu-system-arm)"
cat "$@" >"$tmp/initrd"
start=$(date +%s)
timeout 600 qemu-system-arm -M virt -cpu cortex-a15 -m 512 -nographic -no-reboot -nic none \
	-kernel "$kernel" -initrd "$tmp/initrd" \
	-append "console=ttyAMA0 rdinit=/init panic=-1" </dev/null >"$tmp/console.log" 2>&1 || true
secs=$(( $(date +%s) - start ))
log=$tmp/console.log
grep -q "INITRAMFS-TEST-DONE" "$log" || fail "no marker from /init within the timeout (${secs}s)"
grep -q "UNPACKED: bzip2 gzip lz4 lzma none xz zstd $" <(tr -d '\r' <"$log") || fail "not every archive was unpacked: $(grep UNPACKED "$log")"
for m in HARDLINK-OK CONSOLE-NODE-OK SYMLINK-OK MODPROBE-OK; do grep -q "$m" "$log" || fail "$m missing"; done
grep -i "initramfs unpacking failed\|junk in compressed archive" "$log" && fail "the kernel complained about the initramfs"
echo "PASS: the kernel unpacked all parts and modprobed ext4 (boot to marker: ${secs}s)"
