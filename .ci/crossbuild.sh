#!/usr/bin/env bash
# Cross-build guard: Bazel builds fwtool from source for the exec platform,
# and users run Bazel on macOS, FreeBSD and Windows as well as on 32- and
# 64-bit Linux. Fails with the first target that breaks.
#
#  1. every target: .ci/crosscheck type-checks ./tools/... with their tests
#     for that GOOS/GOARCH (what `go vet` checks first: undefined names,
#     wrong types, constants overflowing a 32-bit int) from source, in
#     seconds;
#  2. the targets in CROSSBUILD_FULL also get the real `go vet ./tools/...`
#     and `go build ./tools/...` (compiler and linker). Each costs a
#     compile of the standard library for that target, one to two minutes
#     of CPU on a cold cache, so CI does the one most users run: macOS on
#     Apple silicon.
#
# GO: the Go to use; default Bazel's SDK, Debian's Go 1.19 (the bootstrap
# installs golang-1.19-go). CROSSBUILD_TARGETS, CROSSBUILD_FULL: os/arch lists.
set -euo pipefail
cd "$(dirname "$0")/.."

go=${GO:-/usr/lib/go-1.19/bin/go}
targets=${CROSSBUILD_TARGETS:-"linux/amd64 linux/386 linux/arm linux/arm64 linux/riscv64 linux/ppc64le linux/s390x darwin/amd64 darwin/arm64 freebsd/amd64 windows/amd64"}
full=${CROSSBUILD_FULL:-"darwin/arm64"}
[[ -x "$go" ]] || { echo "crossbuild: no Go at $go (set GO=...)" >&2; exit 1; }
"$go" version
export CGO_ENABLED=0 GOTOOLCHAIN=local

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$go" build -o "$tmp/crosscheck" ./.ci/crosscheck

for t in $targets; do
  GOOS=${t%/*} GOARCH=${t#*/} GO="$go" "$tmp/crosscheck" ./tools/... \
    || { echo "crossbuild: ./tools/... does not type-check for $t" >&2; exit 1; }
done

for t in $full; do
  start=$(date +%s)
  for cmd in "vet" "build -o /dev/null"; do
    # shellcheck disable=SC2086 # cmd is two words on purpose
    if ! GOOS=${t%/*} GOARCH=${t#*/} "$go" $cmd ./tools/...; then
      echo "crossbuild: 'go $cmd ./tools/...' fails for $t" >&2
      exit 1
    fi
  done
  echo "$t: go vet + go build ok ($(( $(date +%s) - start ))s)"
done
