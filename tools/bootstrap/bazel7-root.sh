#!/usr/bin/env bash
# bazel7-root.sh: make (once) and print the Debian sid root that runs Bazel 7.
#
# Debian sid packages Bazel 7 (bazel-bootstrap), which needs a newer C
# library than bookworm's, so it runs inside a root made from Debian's own
# packages with mmdebstrap. The root is cached outside the repository, under
# ${RULES_FIRMWARE_CACHE:-~/.cache/rules_firmware}/bazel7-root; a second run
# only checks stamps. Prints the root's path on stdout.
#
# Stage 1 is exactly the recipe of the team's toolchain notes (Bazel, skylib,
# platforms, Go); stage 2 adds the reference tools the tests compare
# against, with apt inside the root, so a change of that list does not
# rebuild stage 1.
set -euo pipefail

readonly ROOT_VERSION=1
# Reference tools the tests run (sid names), and zip and file, which
# Bazel 7's test runner uses for undeclared test outputs. Keep in step with
# bazelw's list.
readonly EXTRA_PACKAGES=(
  git u-boot-tools device-tree-compiler arm-trusted-firmware-tools libubootenv-tool
  gdisk fdisk genimage mtools dosfstools e2fsprogs squashfs-tools
  lz4 xz-utils zstd bzip2 gzip python3 time cpp openssl util-linux
  cpio libarchive-tools kmod rauc cryptsetup-bin
  qemu-system-arm qemu-system-ppc u-boot-qemu
  gcc-powerpc-linux-gnu binutils-powerpc-linux-gnu mount
  zip file
)

say() { echo "bazel7-root: $*" >&2; }

if [[ -z "${HOME:-}" ]]; then HOME=$(getent passwd "$(id -u)" | cut -d: -f6); export HOME; fi
cache=${RULES_FIRMWARE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rules_firmware}
root="$cache/bazel7-root-$ROOT_VERSION"

# The Debian mirror this machine's own apt sources name (never written down:
# every machine has its own). Deb822 .sources first, then one-line lists.
debian_mirror() {
  if [[ -n "${RULES_FIRMWARE_DEBIAN_MIRROR:-}" ]]; then echo "$RULES_FIRMWARE_DEBIAN_MIRROR"; return; fi
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$f")
    [[ -n "$uri" ]] && { echo "${uri%/}"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    uri=$(sed -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }')
    [[ -n "$uri" ]] && { echo "${uri%/}"; return; }
  done
  return 1
}

# Runs a command inside the root with /proc, /dev and /sys bound, in a
# private mount namespace so nothing stays mounted if we die.
in_root() {
  local r=$1; shift
  unshare --mount --propagation private -- /bin/sh -c '
    r=$1; shift
    mount --bind /proc "$r/proc" && mount --rbind /dev "$r/dev" && mount --rbind /sys "$r/sys" &&
    exec chroot "$r" "$@"' sh "$r" "$@"
}

if [[ ! -f "$root/.stage1.done" ]]; then
  [[ $(id -u) == 0 ]] || { say "making the Bazel 7 root needs root (mmdebstrap, chroot)"; exit 1; }
  command -v mmdebstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >&2
  mirror=$(debian_mirror) || { say "no Debian mirror in /etc/apt sources; set RULES_FIRMWARE_DEBIAN_MIRROR"; exit 1; }
  say "creating $root from Debian sid (about 10 minutes and 1.6 GB)"
  rm -rf "$root.tmp" && mkdir -p "$cache"
  # The mirror's snapshot can be older than its Release files' validity.
  mmdebstrap --variant=apt --aptopt='Acquire::Check-Valid-Until "false"' \
    --include=bazel-bootstrap,bazel-skylib,bazel-platforms,golang-go,ca-certificates \
    sid "$root.tmp" "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror sid main" >&2
  touch "$root.tmp/.stage1.done"
  rm -rf "$root" && mv "$root.tmp" "$root"
fi

want=$(printf '%s\n' "${EXTRA_PACKAGES[@]}" | sha256sum | cut -c1-16)
if [[ ! -f "$root/.stage2.$want.done" ]]; then
  [[ $(id -u) == 0 ]] || { say "adding packages to the Bazel 7 root needs root"; exit 1; }
  say "installing reference tools in $root: ${EXTRA_PACKAGES[*]}"
  # mmdebstrap leaves no package lists behind.
  in_root "$root" apt-get -o 'Acquire::Check-Valid-Until=false' update -qq >&2
  if ! in_root "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${EXTRA_PACKAGES[@]}" >&2; then
    # One package sid lacks must not cost the others: install one by one
    # and name what is missing (tests needing it then fail, saying so).
    missing=()
    for p in "${EXTRA_PACKAGES[@]}"; do
      in_root "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >&2 || missing+=("$p")
    done
    say "warning: not installable in the sid root: ${missing[*]}"
  fi
  in_root "$root" apt-get clean >&2
  # apt may have moved stage 3's packages to sid's versions: redo it.
  rm -f "$root"/.stage2.*.done "$root"/.stage3.*.done && touch "$root/.stage2.$want.done"
fi
# Stage 3: the reference tools at the host's own Debian versions (bookworm's
# here), so tests that compare our output with mkimage, dtc, genimage, ...
# see the same tool versions as under Bazel 4 on the host (sid's newer
# tools format some outputs differently). From the host's own apt sources,
# pinned low so nothing else moves. QEMU, the PowerPC cross tools and cpp
# (and rauc, whose host version needs an old libcurl) stay sid's: their
# host versions cannot be installed in sid. lzma-alone is only here: sid's
# (LZMA SDK 25) encodes differently from bookworm's 9.22, binman's.
readonly HOST_SUITE_PACKAGES=(
  u-boot-tools device-tree-compiler arm-trusted-firmware-tools libubootenv-tool
  gdisk fdisk genimage mtools dosfstools e2fsprogs squashfs-tools lz4 zstd
  cpio libarchive-tools kmod cryptsetup-bin u-boot-qemu linux-source-6.1 lzma-alone
)
suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
want3=$(printf '%s\n' "$suite" "${HOST_SUITE_PACKAGES[@]}" | sha256sum | cut -c1-16)
if [[ -n "$suite" && "$suite" != sid && ! -f "$root/.stage3.$want3.done" ]]; then
  [[ $(id -u) == 0 ]] || { say "adding packages to the Bazel 7 root needs root"; exit 1; }
  say "installing the reference tools at the host's $suite versions in $root"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] && grep -q "$suite" "$f" && cp "$f" "$root/etc/apt/sources.list.d/host-${f##*/}"
  done
  [[ -f "$root/etc/apt/sources.list.d/host-sources.list" ]] && mv "$root/etc/apt/sources.list.d/host-sources.list" "$root/etc/apt/sources.list.d/host-main.list"
  printf 'Package: *\nPin: release n=%s\nPin-Priority: 100\n' "$suite" >"$root/etc/apt/preferences.d/host-suite"
  in_root "$root" apt-get -o 'Acquire::Check-Valid-Until=false' update -qq >&2
  if ! in_root "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --allow-downgrades \
    $(printf "%s/$suite " "${HOST_SUITE_PACKAGES[@]}") >&2; then
    missing=()
    for p in "${HOST_SUITE_PACKAGES[@]}"; do
      in_root "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --allow-downgrades "$p/$suite" >&2 || missing+=("$p")
    done
    say "warning: kept sid's version (the host's did not install): ${missing[*]}"
  fi
  in_root "$root" apt-get clean >&2
  rm -f "$root"/.stage3.*.done && touch "$root/.stage3.$want3.done"
fi
echo "$root"
