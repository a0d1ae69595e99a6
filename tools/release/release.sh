#!/usr/bin/env bash
# release.sh: a rules_firmware release from a commit, byte for byte the same
# on every run and machine with the same Go.
#
#   tools/release/release.sh VERSION URL_BASE [OUTDIR] [COMMIT]
#
# Writes to OUTDIR (default dist/VERSION):
#   rules_firmware-VERSION.tar.gz   git archive of COMMIT (default HEAD):
#                                   entries in tree order, mtime = commit time,
#                                   gzip without name or timestamp
#   fwtool-VERSION-linux.tar.gz     prebuilt fwtool for linux-amd64 and
#                                   linux-arm64 (Go cross-compiles, -trimpath,
#                                   no build id, no VCS stamp; CGO off)
#   SHA256SUMS                      sha256 of both
#   snippets.md                     WORKSPACE (http_archive) and MODULE.bazel
#                                   (bazel_dep + archive_override) snippets,
#                                   with URL_BASE/<file> as the URLs
# and prints snippets.md. URL_BASE is where the files will be served
# (a release page, or file:///dir for a local test).
set -euo pipefail

[[ $# -ge 2 ]] || { echo "usage: $0 VERSION URL_BASE [OUTDIR] [COMMIT]" >&2; exit 2; }
version=$1 url_base=${2%/} 
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${3:-$repo/dist/$version}
commit=$(git -C "$repo" rev-parse --verify "${4:-HEAD}^{commit}")
[[ "$version" =~ ^[0-9A-Za-z][0-9A-Za-z.+-]*$ ]] || { echo "release: bad VERSION '$version'" >&2; exit 2; }

# The Go the project pins for what Bazel builds (bazelw installs it); another
# Go gives other (still reproducible) bytes, so the archive names it.
go=${RELEASE_GO:-/usr/lib/go-1.19/bin/go}
[[ -x "$go" ]] || { echo "release: no Go at $go (run ./bazelw once, or set RELEASE_GO)" >&2; exit 1; }
goversion=$(GOTOOLCHAIN=local "$go" env GOVERSION)

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

src=rules_firmware-$version.tar.gz
prefix=rules_firmware-$version
# git archive of a commit is deterministic (tree order, the commit's time);
# gzip -n leaves out the name and time it would otherwise record.
git -C "$repo" -c core.autocrlf=false archive --format=tar --prefix="$prefix/" "$commit" | gzip -9n >"$work/$src"

# Build fwtool from exactly that tree.
mkdir "$work/tree"
tar -xzf "$work/$src" -C "$work/tree"
bin="$work/fwtool-$version"
mkdir "$bin"
for arch in amd64 arm64; do
  (cd "$work/tree/$prefix" &&
    CGO_ENABLED=0 GOOS=linux GOARCH=$arch GOTOOLCHAIN=local GOFLAGS=-mod=mod \
      "$go" build -trimpath -buildvcs=false -ldflags='-s -w -buildid=' -o "$bin/fwtool-linux-$arch" ./tools/fwtool)
done
printf 'fwtool %s from rules_firmware commit %s, built with %s (CGO off, -trimpath)\n' "$version" "$commit" "$goversion" >"$bin/VERSION"
epoch=$(git -C "$repo" show -s --format=%ct "$commit")
pre=fwtool-$version-linux.tar.gz
tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --mode='u+rwX,go+rX,go-w' \
  -C "$work" -cf - "fwtool-$version" | gzip -9n >"$work/$pre"

mv "$work/$src" "$work/$pre" "$out/"
(cd "$out" && sha256sum "$src" "$pre" >SHA256SUMS)
sha_src=$(sha256sum "$out/$src" | cut -d' ' -f1)
sha_pre=$(sha256sum "$out/$pre" | cut -d' ' -f1)
integrity="sha256-$(openssl dgst -sha256 -binary "$out/$src" | base64 -w0)"

cat >"$out/snippets.md" <<SNIP
# rules_firmware $version

Commit $commit; fwtool built with $goversion.

## WORKSPACE

\`\`\`starlark
load("@bazel_tools//tools/build_defs/repo:http.bzl", "http_archive")

http_archive(
    name = "rules_firmware",
    sha256 = "$sha_src",
    strip_prefix = "$prefix",
    urls = ["$url_base/$src"],
)

load("@rules_firmware//rules:repositories.bzl", "rules_firmware_dependencies", "rules_firmware_prebuilt_fwtool", "rules_firmware_register_toolchains")

# Prebuilt fwtool for the host (linux-amd64 or linux-arm64): no Go compiled.
rules_firmware_prebuilt_fwtool(
    sha256 = "$sha_pre",
    urls = ["$url_base/$pre"],
)

rules_firmware_dependencies()

rules_firmware_register_toolchains()
\`\`\`

## MODULE.bazel

\`\`\`starlark
bazel_dep(name = "rules_firmware", version = "$version")
archive_override(
    module_name = "rules_firmware",
    integrity = "$integrity",
    strip_prefix = "$prefix",
    urls = ["$url_base/$src"],
)

fwtool = use_extension("@rules_firmware//rules:extensions.bzl", "fwtool")
fwtool.prebuilt(
    sha256 = "$sha_pre",
    urls = ["$url_base/$pre"],
)
use_repo(fwtool, "rules_firmware_fwtool")

register_toolchains("@rules_firmware_fwtool//:toolchain")
\`\`\`
SNIP
cat "$out/snippets.md"
