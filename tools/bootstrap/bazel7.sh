#!/usr/bin/env bash
# bazel7.sh: run Debian's Bazel 7 with Bzlmod only (no WORKSPACE), offline.
#
# Called as `bazelw --bazel7 ARGS...` after bazelw's own bootstrap (Debian
# packages, Go 1.19, the Debian binaries under $cache/debs). Bazel 7 needs
# Debian sid's C library, so it runs inside the root bazel7-root.sh makes
# and caches, in a private mount namespace that binds into that root, each
# at its own path: /proc, /dev, /sys, the workspace, this rules_firmware
# checkout, the rules_firmware cache (Debian binaries the tests read) and
# the Go module cache. Bazel's output base lives inside the root, apart
# from Bazel 4's.
#
# Configuration comes from a generated bazelrc that replaces the
# workspace's .bazelrc.local inside the namespace (where the workspace's
# .bazelrc try-imports it; otherwise it is passed with --bazelrc):
# --noenable_workspace, rules_go pinned below and hash-checked, the stub
# modules of bazel/shims/bzlmod. Debian's /etc/bazel/bazelrc in the root
# already points --override_module at the modules Debian packages.
set -euo pipefail

readonly RULES_GO_VERSION=v0.59.0
readonly RULES_GO_SUM="h1:RLhOwYIqeMgBpKelHEWTfIPjA37so3oa/rX+/qqq/P4="
readonly STUB_MODULES=(apple_support zlib buildozer protobuf gazelle rules_shell)

say() { echo "bazel7: $*" >&2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rf=$(cd "$here/../.." && pwd)

if [[ -z "${HOME:-}" ]]; then HOME=$(getent passwd "$(id -u)" | cut -d: -f6); export HOME; fi
cache=${RULES_FIRMWARE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rules_firmware}
[[ $(id -u) == 0 ]] || { say "needs root (chroot and bind mounts)"; exit 1; }

# The Bzlmod workspace: the nearest MODULE.bazel at or above $PWD.
ws=$PWD
while [[ "$ws" != / && ! -f "$ws/MODULE.bazel" ]]; do ws=$(dirname "$ws"); done
[[ -f "$ws/MODULE.bazel" ]] || { say "no MODULE.bazel at or above $PWD"; exit 1; }

root=$("$here/bazel7-root.sh")

# rules_go through the Go module proxy, checked against the pinned h1: sum,
# copied out of the read-only module cache with its scripts executable
# (module zips drop the bits; rules_go runs binary_wrapper.sh and friends).
go=/usr/lib/go-1.19/bin/go
[[ -x "$go" ]] || go=$(command -v go)
gomodcache=$(GOTOOLCHAIN=local "$go" env GOMODCACHE)
rules_go="$cache/bzlmod/rules_go-$RULES_GO_VERSION"
if [[ ! -f "$rules_go/.copied" ]]; then
  json=$(GOTOOLCHAIN=local GOFLAGS=-mod=mod "$go" mod download -json "github.com/bazelbuild/rules_go@$RULES_GO_VERSION") || {
    say "go mod download github.com/bazelbuild/rules_go@$RULES_GO_VERSION failed: $json"; exit 1; }
  field() { sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}$/\1/p" <<<"$json"; }
  [[ "$(field Sum)" == "$RULES_GO_SUM" ]] || { say "rules_go $RULES_GO_VERSION has sum $(field Sum), expected $RULES_GO_SUM"; exit 1; }
  rm -rf "$rules_go" && mkdir -p "$cache/bzlmod"
  cp -r "$(field Dir)" "$rules_go"
  chmod -R u+w "$rules_go"
  find "$rules_go" -name '*.sh' -exec chmod +x {} +
  touch "$rules_go/.copied"
fi

# The generated bazelrc, one per workspace (it is bound over that
# workspace's .bazelrc.local).
rc="$cache/bzlmod/bazelrc-$(echo "$ws" | sha256sum | cut -c1-12)"
{
  echo "# Written by rules_firmware's tools/bootstrap/bazel7.sh for $ws; Bazel 7, Bzlmod only, offline."
  echo "common --enable_bzlmod --noenable_workspace --lockfile_mode=off"
  echo "common --override_module=rules_go=$rules_go"
  for m in "${STUB_MODULES[@]}"; do echo "common --override_module=$m=$rf/bazel/shims/bzlmod/$m"; done
  echo "common --repo_env=GOTOOLCHAIN=local"
  echo "common --repo_env=RULES_FIRMWARE_DEBS=$cache/debs"
  echo "build --test_env=RULES_FIRMWARE_DEBS=$cache/debs"
  echo "build --nosandbox_debug"
  # Shared by every Bazel 7 workspace on this machine (this repository,
  # examples/, products): Go's standard library and rules_go's builder are
  # compiled once, not once per workspace.
  echo "build --disk_cache=$cache/bzlmod/disk-cache"
  # Convenience symlinks would point into the root's output base, a path
  # that on the host is Bazel 4's: make none.
  echo "build --symlink_prefix=/"
} >"$rc.tmp"
mv "$rc.tmp" "$rc"

startup=()
[[ -f "$ws/.bazelrc.local" ]] || startup+=(--bazelrc="$rc")
# Environment passed into the root: Go's proxy settings, proxies, terminal.
# HOME as on the host: repository rules find the rules_firmware cache
# (bound at its own path) through it.
envs=(HOME="$HOME" USER=root LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin GOMODCACHE="$gomodcache")
for v in TERM GOPROXY GOSUMDB GONOSUMDB GOPRIVATE GOINSECURE http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  [[ -n "${!v:-}" ]] && envs+=("$v=${!v}")
done

mkdir -p "$gomodcache" "$root/.oldroot"
# pivot_root rather than chroot: the kernel refuses new user namespaces to
# a chrooted process, and tests (fw_printenv's) and Bazel's sandbox make them.
exec unshare --mount --propagation private -- /bin/bash -c '
  set -e
  r=$1 ws=$2 rf=$3 cache=$4 gomod=$5 rc=$6; shift 6
  mount --bind "$r" "$r"
  mount --bind /proc "$r/proc"
  mount --rbind /dev "$r/dev"
  mount --rbind /sys "$r/sys"
  for d in "$ws" "$rf" "$cache" "$gomod"; do mkdir -p "$r$d" && mount --bind "$d" "$r$d"; done
  if [[ -f "$ws/.bazelrc.local" ]]; then mount --bind "$rc" "$r$ws/.bazelrc.local"; fi
  if [[ -f /etc/resolv.conf ]]; then touch "$r/etc/resolv.conf"; mount --bind /etc/resolv.conf "$r/etc/resolv.conf"; fi
  cd "$r"
  pivot_root . .oldroot
  exec /usr/bin/env -i "$@"
' bazel7 "$root" "$ws" "$rf" "$cache" "$gomodcache" "$rc" \
  "${envs[@]}" /bin/sh -c 'umount -l /.oldroot && cd "$1" && shift && exec bazel "$@"' sh "$ws" "${startup[@]}" "$@"
