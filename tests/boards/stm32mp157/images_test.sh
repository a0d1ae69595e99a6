#!/usr/bin/env bash
# The stm32mp157 images hold the real DK2 binaries where the STM32MP1 boot ROM
# and U-Boot look for them, and pass the reference tools' checks.
set -euo pipefail
export LANG=C.UTF-8 LC_ALL=C.UTF-8
sdcard=$1 bootimage=$2 osimage=$3 fsbl=$4 ssbl=$5 kernel=$6 dtb=$7
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail() { echo "FAIL: $*"; exit 1; }
for t in sgdisk sfdisk mcopy fsck.vfat unsquashfs mkimage dumpimage; do command -v $t >/dev/null || fail "$t missing"; done

# FSBL must be an STM32 image ("STM2"), SSBL a uImage: the real DK2 binaries.
[[ $(head -c4 "$fsbl") == STM2 ]] || fail "fsbl $fsbl is not an STM32 image"
[[ $(od -An -tx1 -N4 "$ssbl" | tr -d ' ') == 27051956 ]] || fail "ssbl $ssbl is not a uImage"

# --- sdcard: GPT the ROM code reads: fsbl1, fsbl2, ssbl (partition 3), bootfs,
# and the A/B root filesystems rootfs_a, rootfs_b.
cp "$sdcard" "$tmp/sd.img"; chmod u+w "$tmp/sd.img"
v=$(sgdisk -v "$tmp/sd.img" 2>&1); echo "$v"
grep -qiE 'warning|caution|error' <<<"$v" && fail "sgdisk -v"
grep -q 'No problems found' <<<"$v" || fail "sgdisk -v did not say 'No problems found'"
json=$(sfdisk --json "$tmp/sd.img"); echo "$json"
python3 - "$json" <<'PY'
import json, sys
t = json.loads(sys.argv[1])["partitiontable"]
assert t["label"] == "gpt", t["label"]
names = [p["name"] for p in t["partitions"]]
assert names == ["fsbl1", "fsbl2", "ssbl", "bootfs", "rootfs_a", "rootfs_b"], names
p = t["partitions"]
assert p[0]["start"] == 34 and p[0]["size"] == 512, p[0]      # 17 KiB, 256 KiB
assert p[1]["size"] == 512 and p[2]["size"] == 4096, (p[1], p[2])
assert "LegacyBIOSBootable" in p[3].get("attrs", ""), p[3]
assert p[4]["uuid"] == "9D4E7C3A-5B2F-4A61-8E0D-6F1C2B3A4D5E", p[4]
assert p[5]["uuid"] == "C3B6F2A8-1D4E-4F7A-9B2C-5E8D0A6F3B17", p[5]
linux = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
assert p[4]["type"] == linux and p[5]["type"] == linux, (p[4], p[5])
PY
part() { # image partition-number output
  local start size
  read -r start size < <(sfdisk --json "$1" | python3 -c "import json,sys; p=json.load(sys.stdin)['partitiontable']['partitions'][$2-1]; print(p['start'], p['size'])")
  dd if="$1" of="$3" bs=512 skip="$start" count="$size" status=none
}
part "$tmp/sd.img" 1 "$tmp/p1"; cmp -n "$(stat -L -c%s "$fsbl")" "$tmp/p1" "$fsbl" || fail "fsbl1 content"
part "$tmp/sd.img" 2 "$tmp/p2"; cmp -n "$(stat -L -c%s "$fsbl")" "$tmp/p2" "$fsbl" || fail "fsbl2 content"
part "$tmp/sd.img" 3 "$tmp/p3"; cmp -n "$(stat -L -c%s "$ssbl")" "$tmp/p3" "$ssbl" || fail "ssbl content"
part "$tmp/sd.img" 4 "$tmp/bootfs"
fsck.vfat -n "$tmp/bootfs"
mcopy -n -i "$tmp/bootfs" ::/zImage "$tmp/zImage"; cmp "$tmp/zImage" "$kernel" || fail "bootfs zImage"
mcopy -n -i "$tmp/bootfs" ::/stm32mp157c-dk2.dtb "$tmp/dtb"; cmp "$tmp/dtb" "$dtb" || fail "bootfs dtb"
# A/B: no extlinux/extlinux.conf (distro boot would take it before the
# script); /boot.scr (a U-Boot script image) chooses the slot and sysboots
# /extlinux/A.conf or /extlinux/B.conf, each naming its own root.
if mcopy -n -i "$tmp/bootfs" ::/extlinux/extlinux.conf "$tmp/none" 2>/dev/null; then fail "bootfs has extlinux/extlinux.conf"; fi
for slot in A:9d4e7c3a-5b2f-4a61-8e0d-6f1c2b3a4d5e B:c3b6f2a8-1d4e-4f7a-9b2c-5e8d0a6f3b17; do
  mcopy -n -i "$tmp/bootfs" ::/extlinux/${slot%%:*}.conf "$tmp/slot.conf"; cat "$tmp/slot.conf"
  grep -qx "	append root=PARTUUID=${slot#*:} rauc.slot=${slot%%:*} rootfstype=squashfs rootwait ro console=ttySTM0,115200 \${rf_bootargs}" "$tmp/slot.conf" ||
    fail "extlinux/${slot%%:*}.conf append"
done
mcopy -n -i "$tmp/bootfs" ::/boot.scr "$tmp/boot.scr"
mkimage -l "$tmp/boot.scr" | tee "$tmp/boot.scr.lst"
grep -q 'Image Type:   ARM Linux Script (uncompressed)' "$tmp/boot.scr.lst" || fail "boot.scr is not a U-Boot script image"
dumpimage -T script -p 0 -o "$tmp/boot.cmd" "$tmp/boot.scr" >/dev/null
grep -qx 'test -n "${BOOT_ORDER}" || setenv BOOT_ORDER "A B"' "$tmp/boot.cmd" || fail "boot.scr: BOOT_ORDER default"
grep -qx 'sysboot ${devtype} ${devnum}:${distro_bootpart} any ${pxefile_addr_r} /extlinux/${rf_slot}.conf' "$tmp/boot.cmd" || fail "boot.scr: sysboot"
part "$tmp/sd.img" 5 "$tmp/rootfs"
part "$tmp/sd.img" 6 "$tmp/rootfs_b"
cmp "$tmp/rootfs" "$tmp/rootfs_b" || fail "rootfs_a and rootfs_b differ"
unsquashfs -lln "$tmp/rootfs" | tee "$tmp/rootfs.lst" | head -5
grep -qE '^-rwxr-xr-x 0/0 .* squashfs-root/bin/busybox$' "$tmp/rootfs.lst" || fail "rootfs busybox"
grep -qE '^-rwxr-xr-x 0/0 .* squashfs-root/sbin/init$' "$tmp/rootfs.lst" || fail "rootfs init"
grep -qE '^-rw-r--r-- 0/0 .* squashfs-root/etc/rauc/system.conf$' "$tmp/rootfs.lst" || fail "rootfs /etc/rauc/system.conf"
grep -qE '^-rw-r--r-- 0/0 .* squashfs-root/etc/rauc/keyring.pem$' "$tmp/rootfs.lst" || fail "rootfs /etc/rauc/keyring.pem"

# --- bootimage: FSBL at 0, SSBL at 256 KiB, exactly the 4 MiB boot partition.
[[ $(stat -L -c%s "$bootimage") == 4194304 ]] || fail "bootimage is $(stat -L -c%s "$bootimage") bytes, want 4194304"
cmp -n "$(stat -L -c%s "$fsbl")" "$bootimage" "$fsbl" || fail "bootimage fsbl"
cmp -n "$(stat -L -c%s "$ssbl")" <(tail -c +$((0x40000 + 1)) "$bootimage") "$ssbl" || fail "bootimage ssbl"

# --- osimage: bootfs and the two rootfs slots only.
cp "$osimage" "$tmp/os.img"; chmod u+w "$tmp/os.img"
v=$(sgdisk -v "$tmp/os.img" 2>&1); grep -q 'No problems found' <<<"$v" || fail "sgdisk -v osimage: $v"
[[ $(sfdisk --json "$tmp/os.img" | python3 -c "import json,sys; print(' '.join(p['name'] for p in json.load(sys.stdin)['partitiontable']['partitions']))") == "bootfs rootfs_a rootfs_b" ]] || fail "osimage partitions"
echo PASS
