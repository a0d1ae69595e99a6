#!/usr/bin/env bash
# The board's RAUC update: Debian's rauc accepts update_bundle with the
# signing certificate and rejects it with another; the images in it are the
# board's rootfs (and, on eMMC, its boot image) by SHA-256; veritysetup
# accepts the verity hash tree against the signed root hash; and the
# rootfs's own /etc/rauc/system.conf and keyring (unpacked from the squashfs)
# name the slots of that medium and make rauc accept the bundle.
# Arguments: MEDIUM(sd|emmc) BUNDLE ROOTFS BOOTIMAGE CERT OTHER_CERT
set -euo pipefail
medium=$1 bundle=$2 rootfs=$3 bootimage=$4 cert=$5 other=$6
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fail() { echo "FAIL: $medium: $*"; exit 1; }
for t in rauc veritysetup unsquashfs sha256sum; do command -v $t >/dev/null || fail "$t missing (./bazelw installs it)"; done

rauc info --keyring "$cert" "$bundle" >"$tmp/info" 2>&1 || { cat "$tmp/info"; fail "rauc info rejects $bundle"; }
cat "$tmp/info"
grep -q "Compatible: 	'rules-firmware-stm32mp157'" "$tmp/info" || fail "compatible"
grep -q "Bundle Format: 	verity" "$tmp/info" || fail "format is not verity"
# Image blocks of rauc info: "[CLASS]" (in bold: ANSI escapes), then
# Filename, Checksum, Size lines.
images() { sed 's/\x1b\[[0-9;]*m//g' "$tmp/info" | awk '/^ *\[[a-z]+\]$/ {c = $1} /Filename:/ {f = $2} /Checksum:/ {print c, f, $2}' | sort; }
want="[rootfs] rootfs.img $(sha256sum <"$rootfs" | cut -d' ' -f1)"
if [[ $medium == emmc ]]; then
  want="[bootloader] bootloader.img $(sha256sum <"$bootimage" | cut -d' ' -f1)
$want"
fi
[[ "$(images)" == "$want" ]] || { echo "got:"; images; echo "want:"; echo "$want"; fail "bundle images"; }
echo "ok: rauc info accepts the bundle; its images are the board's ($(images | wc -l))"
if rauc info --keyring "$other" "$bundle" >/dev/null 2>&1; then fail "rauc info accepts the bundle with another keyring"; fi
echo "ok: rauc info rejects it with another keyring"

field() { sed -n "s/.*$1: *\t*'\{0,1\}\([0-9a-f]*\)'\{0,1\}.*/\1/p" "$tmp/info" | head -1; }
salt=$(field "Verity Salt") hash=$(field "Verity Hash") tree=$(field "Verity Size")
size=$(stat -L -c%s "$bundle")
sig=$((16#$(tail -c 8 "$bundle" | od -An -tx1 | tr -d ' \n')))
data=$((size - 8 - sig - tree))
[[ -n $salt && -n $hash && $tree -gt 0 && $((data % 4096)) == 0 ]] || fail "verity fields: salt=$salt hash=$hash size=$tree data=$data"
veritysetup verify --no-superblock --data-blocks $((data / 4096)) --hash-offset "$data" --salt "$salt" "$bundle" "$bundle" "$hash" ||
  fail "veritysetup rejects the bundle's hash tree"
echo "ok: veritysetup verify accepts the payload ($((data / 4096)) blocks)"

unsquashfs -q -d "$tmp/root" "$rootfs" etc/rauc >/dev/null
cmp "$tmp/root/etc/rauc/keyring.pem" "$cert" || fail "/etc/rauc/keyring.pem is not the signing certificate"
if [[ $medium == sd ]]; then dev=/dev/mmcblk0 first=5 boot=; else
  dev=/dev/mmcblk1 first=2 boot="
[slot.bootloader.0]
device=/dev/mmcblk1
type=boot-emmc
"
fi
want="[system]
compatible=rules-firmware-stm32mp157
bootloader=uboot

[keyring]
path=/etc/rauc/keyring.pem
$boot
[slot.rootfs.0]
device=${dev}p$first
type=raw
bootname=A

[slot.rootfs.1]
device=${dev}p$((first + 1))
type=raw
bootname=B"
[[ "$(cat "$tmp/root/etc/rauc/system.conf")" == "$want" ]] || { diff <(echo "$want") "$tmp/root/etc/rauc/system.conf"; fail "/etc/rauc/system.conf"; }
# The same file, its keyring path pointed at the unpacked keyring.
sed 's#^path=/etc/rauc/keyring.pem$#path=keyring.pem#' "$tmp/root/etc/rauc/system.conf" >"$tmp/root/etc/rauc/host.conf"
rauc --conf="$tmp/root/etc/rauc/host.conf" info "$bundle" >/dev/null 2>&1 ||
  { rauc --conf="$tmp/root/etc/rauc/host.conf" info "$bundle"; fail "rauc with the rootfs's system.conf rejects the bundle"; }
echo "ok: the rootfs's system.conf names the $medium slots and its keyring accepts the bundle"
echo PASS
