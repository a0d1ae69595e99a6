#!/usr/bin/env bash
# Boots a PowerPC boot-wrapper image in qemu-system-ppc and waits for the
# test payload's marker on the first serial port.
#
# usage: qemu_boot_test.sh [--expect TEXT]... [--uboot-bootm-no-fdt] [--qemu NAME] -- QEMU-ARGS...
#   --qemu NAME     the QEMU binary (default qemu-system-ppc; qemu-system-ppc64
#                   for 64-bit cores such as the e5500)
#   --expect TEXT   a line the console must also show (e.g. the wrapper's
#                   initrd message); checked once the marker is seen
#   --uboot-bootm-no-fdt  stop U-Boot's autoboot and type
#                   'bootm $qemu_kernel_addr' (no device tree argument: U-Boot
#                   passes the legacy bd_t in r3, what a cuImage expects)
# Passes when "RF-PPC-PAYLOAD FDT-OK" appears (the payload found a device
# tree in r3). Fails on "FDT-BAD", on QEMU exiting, or after RF_QEMU_TIMEOUT
# seconds (default 300).
set -euo pipefail

fail() {
  echo "FAIL: $*" >&2
  [[ -f "${console:-}" ]] && { echo "---- console ----" >&2; tr -d '\r' <"$console" >&2; }
  exit 1
}

expects=()
uboot_cmd=
qemu_name=qemu-system-ppc
while [[ $# -gt 0 ]]; do
  case "$1" in
  --expect) expects+=("$2"); shift 2 ;;
  --uboot-bootm-no-fdt) uboot_cmd='bootm $qemu_kernel_addr'; shift ;;
  --qemu) qemu_name=$2; shift 2 ;;
  --) shift; break ;;
  *) fail "unknown option $1" ;;
  esac
done
qemu=$(command -v "$qemu_name") || fail "$qemu_name not on PATH (Debian package qemu-system-ppc)"
work=${TEST_TMPDIR:-$(mktemp -d)}
console="$work/console.log"
fifo="$work/stdin"
rm -f "$fifo" "$console"
mkfifo "$fifo"
: >"$console"
timeout_s=${RF_QEMU_TIMEOUT:-300}

"$qemu" -display none -monitor none -serial stdio -no-reboot -nic none "$@" <"$fifo" >"$console" 2>"$work/qemu.stderr" &
pid=$!
exec 7>"$fifo" # keeps QEMU's stdin open; also how commands are typed
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap cleanup EXIT

seen() { tr -d '\r' <"$console" | grep -qF -- "$1"; }
state=boot
deadline=$((SECONDS + timeout_s))
while :; do
  if seen "RF-PPC-PAYLOAD FDT-OK"; then break; fi
  seen "RF-PPC-PAYLOAD FDT-BAD" && fail "the payload found no device tree in r3"
  kill -0 "$pid" 2>/dev/null || fail "QEMU exited before the marker: $(cat "$work/qemu.stderr")"
  ((SECONDS < deadline)) || fail "no marker within ${timeout_s} s"
  if [[ -n "$uboot_cmd" ]]; then
    if [[ $state == boot ]] && seen "Hit any key to stop autoboot"; then
      printf '\n' >&7
      state=stopped
    elif [[ $state == stopped ]] && seen "=> "; then
      printf '%s\n' "$uboot_cmd" >&7
      state=typed
    fi
  fi
  sleep 0.2
done
for e in "${expects[@]}"; do
  seen "$e" || fail "console lacks '$e'"
done
tr -d '\r' <"$console"
echo "PASS: payload marker seen"
