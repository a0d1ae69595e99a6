#!/usr/bin/env bash
# tests/product/run.sh VARIANT...: set up the product fixture ONLY by
# following README's "Use it in your repository" section, then build and
# test it.
#
# VARIANT: workspace-vendored, bzlmod-vendored, workspace-release,
# bzlmod-release. README marks each block it shows with a comment
#   <!-- product: VARIANTS file NAME -->   the block is the file NAME
#   <!-- product: VARIANTS run -->         the block runs in the product root
# where VARIANTS is "all", a variant, its kind ("vendored", "release") or a
# comma-separated list. Blocks are applied in README order. The product's own
# sources (tests/product/acme: the board) are copied in first; the release
# variants make a release of HEAD with tools/release/release.sh and put
# its archives where README's steps expect a download (file:// URLs).
#
# Bzlmod variants run Bazel 7 in the sid root: see tools/bootstrap/bazel7.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
readme="$repo/README.md"
[[ $# -ge 1 ]] || set -- workspace-vendored bzlmod-vendored workspace-release bzlmod-release

if [[ -z "${HOME:-}" ]]; then HOME=$(getent passwd "$(id -u)" | cut -d: -f6); export HOME; fi
cache=${RULES_FIRMWARE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rules_firmware}
# Under the rules_firmware cache: bazel7.sh binds it into the Bazel 7 root,
# so file:// URLs into it resolve there too.
work="$cache/product-test"
readonly VERSION=0.0.0-test

# Prints the blocks README marks for VARIANT as NUL-separated records
# "KIND\tNAME\n<body>" (KIND file or run).
blocks() {
  python3 - "$readme" "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
variant = sys.argv[2]
kind_of = variant.split("-")[1]
sec = text[text.index("## Use it in your repository"):]
sec = sec[:sec.index("\n## ", 3)]
pat = re.compile(r"<!-- product: (\S+) (file|run)(?: (\S+))? -->\n```[a-z]*\n(.*?)```\n", re.S)
n = 0
for m in pat.finditer(sec):
    who = m.group(1).split(",")
    if "all" in who or variant in who or kind_of in who:
        sys.stdout.write("%s\t%s\n%s\0" % (m.group(2), m.group(3) or "", m.group(4)))
        n += 1
if n == 0:
    sys.exit("README has no product blocks for " + variant)
PY
}

release_dir="$work/dist"
make_release() {
  [[ -n "${released:-}" ]] && return  # once per run, never a stale one
  released=1
  local commit
  commit=$(git -C "$repo" rev-parse HEAD)
  rm -rf "$release_dir" "$release_dir.again"
  "$repo/tools/release/release.sh" "$VERSION" "file://$release_dir" "$release_dir" "$commit" >/dev/null
  # Same bytes twice (tar order, mtimes, gzip header; Go's build cache is
  # shared, so this checks the packaging, not the compiler).
  "$repo/tools/release/release.sh" "$VERSION" "file://$release_dir" "$release_dir.again" "$commit" >/dev/null
  diff -r "$release_dir" "$release_dir.again" || { echo "release.sh: two runs differ" >&2; exit 1; }
  rm -rf "$release_dir.again"
  echo "--- release $VERSION (twice, identical):"; cat "$release_dir/SHA256SUMS"
}

# The snippet of snippets.md for WORKSPACE or MODULE.bazel.
snippet() {
  python3 - "$release_dir/snippets.md" "$1" <<'PY'
import sys
text = open(sys.argv[1]).read()
sec = text[text.index("## " + sys.argv[2]):]
body = sec[sec.index("```starlark\n") + len("```starlark\n"):]
sys.stdout.write(body[:body.index("```")])
PY
}

run_variant() {
  local variant=$1 product="$work/$1/acme" kind name body
  echo "=== product fixture: $variant"
  rm -rf "$work/$variant" && mkdir -p "$product"
  cp -r "$here/acme/." "$product/"
  if [[ "$variant" == *-release ]]; then
    make_release
    cp "$release_dir/rules_firmware-$VERSION.tar.gz" "$product/"  # "downloaded"
    rm -rf "$HOME/.cache/rules_firmware/src/rules_firmware-$VERSION"
  fi
  (
    cd "$product"
    export RULES_FIRMWARE=$repo
    while IFS= read -r -d '' rec; do
      kind=${rec%%$'\t'*}; rest=${rec#*$'\t'}; name=${rest%%$'\n'*}; body=${rest#*$'\n'}
      body=${body//VERSION/$VERSION}
      case $kind in
        file)
          if [[ "$body" == *"(the WORKSPACE snippet of snippets.md)"* ]]; then
            body=${body//"# (the WORKSPACE snippet of snippets.md)"/$(snippet WORKSPACE)}
          elif [[ "$body" == *"(the MODULE.bazel snippet of snippets.md)"* ]]; then
            body=${body//"# (the MODULE.bazel snippet of snippets.md)"/$(snippet MODULE.bazel)}
          fi
          mkdir -p "$(dirname "$name")"
          printf '%s' "$body" >"$name"
          echo "--- wrote $name"
          ;;
        run)
          echo "--- run:"; printf '%s' "$body"
          bash -euo pipefail -c "$body"
          ;;
      esac
    done < <(blocks "$variant")
  )
  local wrapper="$product/third_party/rules_firmware/bazelw" flag=()
  [[ "$variant" == *-release ]] && wrapper="$HOME/.cache/rules_firmware/src/rules_firmware-$VERSION/bazelw"
  [[ "$variant" == bzlmod-* ]] && flag=(--bazel7)
  same_board "$variant" "$wrapper" "${flag[@]}"
  # Stop this product's Bazel server (one per workspace) before the next.
  (cd "$product" && "$wrapper" "${flag[@]}" shutdown) >/dev/null 2>&1 || true
  echo "=== product fixture $variant passed"
}

# The board's images must be the same bytes in every variant (Bazel 4 and
# 7, fwtool from source or prebuilt), whatever Go release built fwtool (its
# deflate encoders are our own code, not compress/flate): board:mp1_test
# prints the Go release and the sums (its cached log, so this builds
# nothing); the sums are compared with those of the other variants of the
# same commit, kept under $work/board-sums.
same_board() {
  local variant=$1 wrapper=$2 sums commit other
  shift 2
  commit=$(git -C "$repo" rev-parse HEAD)
  mkdir -p "$work/board-sums"
  sums="$work/board-sums/$commit.$variant"
  (cd "$work/$variant/acme" && "$wrapper" "$@" test --test_output=all //board:mp1_test) 2>&1 |
    sed -n 's/^BOARD-\(GO\|SUM\) //p' | sort -u >"$sums.new"
  [[ $(grep -c . "$sums.new") == 3 ]] || { echo "board:mp1_test printed no Go release and sums:" >&2; cat "$sums.new" >&2; exit 1; }
  mv "$sums.new" "$sums"
  for other in "$work/board-sums/$commit".*; do
    [[ "$other" == "$sums" ]] && continue
    diff -u <(grep -v '^go' "$other") <(grep -v '^go' "$sums") ||
      { echo "board images differ between ${other##*.} and $variant" >&2; exit 1; }
    echo "--- board images identical to ${other##*.}'s (fwtool built with $(grep '^go' "$other") there, $(grep '^go' "$sums") here)"
  done
  find "$work/board-sums" -type f ! -name "$commit.*" -delete  # other commits'
}

for v in "$@"; do run_variant "$v"; done
