#!/usr/bin/env bash
# Boots Linux to userland through real U-Boot (Debian's qemu_arm build) on
# QEMU's virt machine, three times, and reads the serial console:
#  1. qemu_arm_virt: //boards/qemu_arm_virt's osimage with its test_flash
#     environment: distro boot's extlinux, initramfs, squashfs root;
#  2. signed-fit: U-Boot holds our public key in its control DTB (-dtb);
#     bootm must refuse a FIT with one tampered byte and a FIT signed with
#     another key, then verify the signed FIT and boot it to userland;
#  3. stm32mp157-on-virt: the stm32mp157 macro's bootfs and rootfs A/B (QEMU's
#     console, no DTB, virtio modules added); its rootfs is byte-identical to
#     //boards/stm32mp157:rootfs. U-Boot runs its /boot.scr as distro boot
#     would; with no BOOT_ORDER the boot chooser takes slot A;
#  4. stm32mp157-slot-b: BOOT_ORDER="B A": slot B, rootfs_b (/dev/vda3) is root;
#  5. stm32mp157-b-spent: BOOT_ORDER="B A", BOOT_B_LEFT=0: back to slot A.
# Each boot must reach our init's marker from the squashfs root and power
# off; the test prints each boot's time.
#
# usage: linux_boot_test.sh UBOOT VIRT_FLASH VIRT_DISK FIT_FLASH FIT_DISK CONTROL_DTB DK2_VIRT_DISK DK2_VIRT_ROOTFS DK2_ROOTFS AB_FLASH_DEFAULT AB_FLASH_B_FIRST AB_FLASH_B_SPENT
# RF_BOOT_TIMEOUT: seconds per boot (default 300; a loaded 2-core machine is slow).
set -euo pipefail
# shellcheck source=tests/qemu/qemu_harness.sh
source "$(dirname "$0")/../qemu/qemu_harness.sh"

[[ $# -eq 12 ]] || fail "usage: $0 UBOOT VIRT_FLASH VIRT_DISK FIT_FLASH FIT_DISK CONTROL_DTB DK2_VIRT_DISK DK2_VIRT_ROOTFS DK2_ROOTFS AB_FLASH_DEFAULT AB_FLASH_B_FIRST AB_FLASH_B_SPENT"
uboot=$1 virt_flash=$2 virt_disk=$3 fit_flash=$4 fit_disk=$5 control_dtb=$6 dk2_disk=$7 dk2_virt_rootfs=$8 dk2_rootfs=$9
ab_default=${10} ab_b_first=${11} ab_b_spent=${12}
for f in "$@"; do
  [[ -f "$f" ]] || fail "input $f missing"
done
qemu=$(command -v qemu-system-arm) || fail "qemu-system-arm not found on PATH (Debian package qemu-system-arm)"
limit=${RF_BOOT_TIMEOUT:-300}

work=${TEST_TMPDIR:-$(mktemp -d)}
# QEMU keeps the snapshot=on overlays of the disks under $TMPDIR (default
# /var/tmp, read-only in Bazel's sandbox).
export TMPDIR=$work

# boot NAME FLASH DISK [QEMU-ARGS...]: runs the machine until it powers off;
# the console ends up in $work/NAME.log (and in Bazel's undeclared outputs).
# U-Boot's prompt, a failed init or a panic end the boot at once: nothing
# more will happen then.
boot() {
  local name=$1 flash=$2 disk=$3 start end
  shift 3
  start=$(date +%s.%N)
  qemu_console "$name" "$limit" '^=> |RF-INITRAMFS-FAILED.*|RF-BOOT-FAILED.*|Kernel panic.*' "$qemu" \
    -M virt -cpu cortex-a15 -m 512 -nographic -no-reboot -nic none \
    -bios "$uboot" \
    -drive if=pflash,unit=1,format=raw,readonly=on,file="$flash" \
    -drive if=none,file="$disk",format=raw,id=hd0,snapshot=on \
    -device virtio-blk-device,drive=hd0 "$@"
  end=$(date +%s.%N)
  printf 'TIME %s: %.1f s from QEMU start to power off\n' "$name" "$(echo "$end - $start" | bc)"
  [[ -z "$qemu_stop" ]] || fail "$name: boot stopped: $qemu_stop"
  ((qemu_status != 124)) || fail "$name: QEMU did not power off within $limit s"
  ((qemu_status == 0)) || fail "$name: QEMU exited with status $qemu_status"
}


# userland LOG [PARTUUID DEVICE]: our rootfs init ran from the squashfs root
# (default: the one PARTUUID every board's rootfs (A) has, on /dev/vda2) and
# powered off.
userland() {
  local log=$1 uuid=${2:-9d4e7c3a-5b2f-4a61-8e0d-6f1c2b3a4d5e} dev=${3:-/dev/vda2}
  grep -qxF "rules_firmware initramfs: root PARTUUID=$uuid is $dev (squashfs)" "$log" ||
    fail "$(basename "$log"): the initramfs did not find the root partition $uuid on $dev"
  grep -qE '^RF-USERLAND Linux [^ ]+ root squashfs$' "$log" || fail "$(basename "$log"): no userland marker from the squashfs root"
  has_line RF-POWEROFF "$log" || fail "$(basename "$log"): init did not power off"
  grep -qE '^\[ *[0-9.]+\] reboot: Power down$' "$log" || fail "$(basename "$log"): the kernel did not power down"
}

# section LOG NAME: the console lines between RF-BEGIN NAME and RF-END NAME.
section() {
  local out="$work/section.$2"
  awk -v b="RF-BEGIN $2" -v e="RF-END $2" '$0 == b {on = 1; next} $0 == e {on = 0} on' "$1" >"$out"
  [[ -s "$out" ]] || fail "section $2 missing from $(basename "$1")"
  echo "$out"
}

# 1. The QEMU board as built.
boot qemu_arm_virt "$virt_flash" "$virt_disk"
log=$work/qemu_arm_virt.log
has_line "Loading Environment from Flash... OK" "$log" || fail "qemu_arm_virt: U-Boot did not load our environment"
has_line "Retrieving file: /extlinux/extlinux.conf" "$log" || fail "qemu_arm_virt: U-Boot did not read extlinux.conf"
has_line "Retrieving file: /initramfs.cpio.gz" "$log" || fail "qemu_arm_virt: U-Boot did not load the initramfs"
grep -qE '^append: .* rf\.poweroff panic=-1$' "$log" || fail "qemu_arm_virt: rf_bootargs did not reach the command line"
userland "$log"

# 2. The signed FIT path and its two refusals.
boot signed-fit "$fit_flash" "$fit_disk" -dtb "$control_dtb"
log=$work/signed-fit.log
s=$(section "$log" tampered)
grep -qF "Bad hash value for 'hash-1' hash node in 'kernel' image node" "$s" ||
  fail "signed-fit: the tampered FIT was not refused for the kernel's hash"
grep -qF "ERROR: can't get kernel image!" "$s" || fail "signed-fit: bootm went on with the tampered FIT"
s=$(section "$log" wrong-key)
grep -qF "Failed to verify required signature 'key-dev'" "$s" ||
  fail "signed-fit: the FIT signed with another key was not refused for its signature"
grep -qF "ERROR: can't get kernel image!" "$s" || fail "signed-fit: bootm went on with the wrongly signed FIT"
awk '$0 == "RF-BEGIN signed" {on = 1} on' "$log" >"$work/section.signed"
s=$work/section.signed
has_line "   Verifying Hash Integrity ... sha256,rsa2048:dev+ OK" "$s" || fail "signed-fit: U-Boot did not verify the signature with our key"
for node in kernel ramdisk fdt; do
  has_line "## Loading $node from FIT Image at 48000000 ..." "$s" || fail "signed-fit: U-Boot did not load the $node from the FIT"
done
[[ $(grep -cxF "   Verifying Hash Integrity ... sha256+ OK" "$s") -eq 3 ]] || fail "signed-fit: U-Boot did not check the hashes of kernel, ramdisk and fdt"
has_line "Starting kernel ..." "$s" || fail "signed-fit: U-Boot did not start the kernel"
userland "$log"

# 3.-5. The stm32mp157 OS image on virt, through its A/B boot chooser.
cmp "$dk2_virt_rootfs" "$dk2_rootfs" || fail "stm32mp157-on-virt: its rootfs differs from //boards/stm32mp157:rootfs"
slot_a="9d4e7c3a-5b2f-4a61-8e0d-6f1c2b3a4d5e /dev/vda2" slot_b="c3b6f2a8-1d4e-4f7a-9b2c-5e8d0a6f3b17 /dev/vda3"
# ab NAME FLASH SLOT CHOSEN-LINE
ab() {
  local name=$1 flash=$2 slot=$3 chosen=$4 log
  boot "$name" "$flash" "$dk2_disk"
  log=$work/$name.log
  has_line "$chosen" "$log" || fail "$name: the boot chooser did not say: $chosen"
  has_line "rules_firmware stm32mp157 slot $slot" "$log" || fail "$name: U-Boot did not show slot $slot's extlinux menu"
  grep -qE "^append: root=PARTUUID=[0-9a-f-]+ rauc\.slot=$slot " "$log" || fail "$name: the command line does not name rauc.slot=$slot"
  for m in armmmci squashfs virtio_mmio virtio_blk; do
    grep -qxE "rules_firmware initramfs: loaded ${m//_/[-_]}" "$log" || fail "$name: the initramfs did not load $m"
  done
  # shellcheck disable=SC2086 # slot_a/slot_b: PARTUUID and device
  userland "$log" $([[ $slot == A ]] && echo $slot_a || echo $slot_b)
}
ab stm32mp157-on-virt "$ab_default" A "bootchooser: slot A (BOOT_ORDER A B; A left 2, B left 3)"
ab stm32mp157-slot-b "$ab_b_first" B "bootchooser: slot B (BOOT_ORDER B A; A left 3, B left 2)"
ab stm32mp157-b-spent "$ab_b_spent" A "bootchooser: slot A (BOOT_ORDER B A; A left 2, B left 0)"

echo "PASS: Linux reached userland from the squashfs root on every boot; U-Boot refused the tampered and the wrongly signed FIT; the A/B boot chooser booted slot A, slot B for BOOT_ORDER=\"B A\", and A again when B had no attempts left"
