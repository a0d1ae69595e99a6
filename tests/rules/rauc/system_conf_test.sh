#!/usr/bin/env bash
# rauc_system_conf: the file is what the attributes say (written out by
# hand below), and Debian's rauc loads it: `rauc --conf info` takes the
# keyring from it (a relative path, next to the conf), so the bundle is
# accepted with the right conf and rejected with one naming another key.
# Arguments: CONF OTHER_CONF BUNDLE
set -euo pipefail
conf=$1 other=$2 bundle=$3
fail() { echo "FAIL: $*"; exit 1; }
command -v rauc >/dev/null || fail "rauc not installed (./bazelw installs it)"
want='[system]
compatible=rules-firmware-test
bootloader=uboot
mountprefix=/run/rauc-test

[keyring]
path=test_cert.pem

[slot.bootloader.0]
device=/dev/mmcblk1
type=boot-emmc

[slot.rootfs.0]
device=/dev/mmcblk1p5
type=ext4
bootname=A

[slot.rootfs.1]
device=/dev/mmcblk1p6
type=ext4
bootname=B'
[[ $(cat "$conf") == "$want" ]] || { diff <(echo "$want") "$conf"; fail "$conf differs"; }
rauc --conf="$conf" info "$bundle" >/dev/null 2>&1 || { rauc --conf="$conf" info "$bundle"; fail "rauc rejects the bundle with $conf"; }
echo "ok: rauc loads $conf and accepts the bundle with its keyring"
if rauc --conf="$other" info "$bundle" >/dev/null 2>&1; then fail "rauc accepts the bundle with the other keyring"; fi
echo "PASS: rauc rejects it with a conf naming another keyring"
