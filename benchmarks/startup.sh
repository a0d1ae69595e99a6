#!/usr/bin/env bash
# Where fwtool's start-up goes: paired runs (benchmarks/pairrun) of
#   mkimage -V                the issue-13 goal's peer (C, libc + libcrypto)
#   mkenvimage -V             formats.sh's start-up peer (C, libc only)
#   go hello                  a static Go program that prints one line
#   go std floor              a static Go program that links every package
#                             fwtool imports from Go's standard library (their
#                             init functions run; nothing else)
#   go deps floor             the same plus every package fwtool imports from
#                             other modules (nothing of this project)
#   packages floor            every package fwtool links, this project's too,
#                             blank-imported: all of fwtool's package
#                             initialisation, but none of its code linked
#   fwtool mkimage -V         the whole tool, printing its version
# built with one Go (GO, default `go`) as static binaries, as Bazel builds
# fwtool. Columns: min and median wall and CPU (user + system) in ms,
# median page faults and peak RSS; then each command over mkimage's,
# paired round by round.
#
# Usage: benchmarks/startup.sh
# Environment: RUNS (rounds, default 41), GO (e.g. /usr/lib/go-1.19/bin/go
#   with GOTOOLCHAIN=local for the Go Bazel uses), FWTOOL (a built fwtool
#   to time instead of building one; the floor and hello still use GO).
# Not a test: timings depend on the machine and its load.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-41}
gobin=${GO:-go}
work=$(mktemp -d "${TMPDIR:-/tmp}/fwtool-startup.XXXXXX")
# The floors are built inside the module (so this project's packages
# resolve) from a scratch package that the trap removes too.
floorpkg=tools/.startup-floor-$$
trap 'rm -rf "$work" "$root/$floorpkg"' EXIT
for t in mkimage mkenvimage; do
	type -P "$t" >/dev/null || { echo "startup.sh: $t is needed (Debian package: u-boot-tools)" >&2; exit 1; }
done

cd "$root"
export CGO_ENABLED=0
fwtool=${FWTOOL:-}
if [[ -z $fwtool ]]; then
	fwtool=$work/fwtool
	"$gobin" build -o "$fwtool" ./tools/fwtool
fi
"$gobin" build -o "$work/pairrun" ./benchmarks/pairrun
mkdir "$work/hello" "$work/std" "$work/floor" "$work/pkgs"
printf 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n' >"$work/hello/main.go"
"$gobin" build -o "$work/hello/hello" "$work/hello/main.go"
# Blank imports of the non-internal packages fwtool links that the filter
# (grep -v patterns) keeps: their init functions run, their code is not
# linked. Outside this module: start-up work this project cannot remove
# without dropping a dependency; with it: what initialising fwtool's own
# packages costs.
floor() { # name grep-v-pattern...
	local name=$1
	shift
	mkdir "$floorpkg"
	{
		printf 'package main\n\nimport (\n'
		"$gobin" list -deps ./tools/fwtool | grep -v -x 'github.com/rules-firmware/rules_firmware/tools/fwtool' |
			grep -v -e internal -e '^vendor/' -e '^unsafe$' -e '^embed$' -e '^runtime' "$@" | sed 's/.*/\t_ "&"/'
		printf ')\n\nfunc main() {}\n'
	} >"$floorpkg/main.go"
	"$gobin" build -o "$work/$name/$name" "./$floorpkg"
	rm -rf "$floorpkg"
}
floor std -e '^github.com/' -e '^golang.org/'
floor floor -e '^github.com/rules-firmware/'
floor pkgs -e '^$'

echo "startup.sh: $("$gobin" version); fwtool $(stat -c %s "$fwtool") bytes" >&2
"$work/pairrun" -n "$runs" mkimage -V ';;' mkenvimage -V ';;' "$work/hello/hello" ';;' \
	"$work/std/std" ';;' "$work/floor/floor" ';;' "$work/pkgs/pkgs" ';;' "$fwtool" mkimage -V
