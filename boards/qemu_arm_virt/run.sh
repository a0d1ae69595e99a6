#!/usr/bin/env bash
# Boots the qemu_arm_virt board on this terminal: QEMU's virt machine
# (cortex-a15), U-Boot as firmware, our environment in the second flash
# bank, the OS image as a virtio disk. Writes go to a temporary overlay
# (snapshot=on), so the built image stays as it was. Quit QEMU: Ctrl-A X.
#
# usage: run.sh UBOOT FLASH DISK MEMORY_MIB [QEMU-ARGS...]
set -euo pipefail
[[ $# -ge 4 ]] || { echo "usage: $0 UBOOT FLASH DISK MEMORY_MIB [QEMU-ARGS...]" >&2; exit 2; }
uboot=$1 flash=$2 disk=$3 memory=$4
shift 4
qemu=$(command -v qemu-system-arm) || { echo "qemu-system-arm not found on PATH (Debian package qemu-system-arm)" >&2; exit 1; }
exec "$qemu" -M virt -cpu cortex-a15 -m "$memory" -nographic -no-reboot -nic none \
  -bios "$uboot" \
  -drive if=pflash,unit=1,format=raw,readonly=on,file="$flash" \
  -drive if=none,file="$disk",format=raw,id=hd0,snapshot=on \
  -device virtio-blk-device,drive=hd0 "$@"
