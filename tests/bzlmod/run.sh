#!/usr/bin/env bash
# tests/bzlmod/run.sh: Bazel 7 with Bzlmod only (no WORKSPACE), offline.
#
# `bazel test //...` of this repository and of examples/ with Debian's
# Bazel 7.7.1 through `./bazelw --bazel7` (tools/bootstrap/bazel7.sh: a
# cached Debian sid root, rules_go v0.59.0 hash-checked, the root's Go,
# the fwtool toolchain registered from MODULE.bazel), then the Bzlmod
# variants of the product fixture (tests/product/run.sh). Runs as root.
# Extra arguments go to both `bazel test` commands (e.g. a tag filter).
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$(date +%s)
step() { echo "=== bzlmod [$(( $(date +%s) - start ))s] $*"; }

# Each workspace's Bazel 7 server is shut down however this ends, so none
# is left holding memory after CI.
shutdown() {
  ./bazelw --bazel7 shutdown >/dev/null 2>&1 || true
  (cd examples && ../bazelw --bazel7 shutdown >/dev/null 2>&1) || true
}
trap shutdown EXIT

step "rules_firmware: test //..."
./bazelw --bazel7 test //... --test_output=errors "$@"

step "examples/: test //..."
(cd examples && ../bazelw --bazel7 test //... --test_output=errors "$@")

step "passed in $(( $(date +%s) - start ))s"
