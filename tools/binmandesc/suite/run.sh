#!/usr/bin/env bash
# binman's own test descriptions through binman and `fwtool build -d`: a
# report, not a test.
#
#   tools/binmandesc/suite/run.sh U-BOOT-TREE
#
# U-BOOT-TREE is a U-Boot source tree the caller fetched (its tools/,
# include/ and scripts/dtc/pylibfdt are read; nothing of it is copied into
# this repository), e.g. from a clone:
#   git -C u-boot archive HEAD tools include scripts/dtc | tar -x -C TREE
#   git -C u-boot rev-parse HEAD >TREE/.commit   # the commit the report names
# binman needs python3-libfdt, python3-pyelftools, python3-pycryptodome
# and the compressors (lz4, lzma-alone, xz-utils, zstd, lzop), all in
# bazelw's package list, plus gcc and make for the harness's ELF files. inputs.py runs binman's test harness setup
# (tools/binman/ftest.py, TestFunctional.setUpClass) to write the input
# files the harness writes (u-boot.bin = "1234", spl/u-boot-spl.bin, the ELF
# test files its Makefile builds, files/, yaml/, descriptor.bin, ...). Each
# tools/binman/test/**/*.dts is compiled once (cc -E then dtc, as binman's
# fdt_util does) and built by the tree's binman and by fwtool from that
# DTB with the same -I directories and `-m`. The harness's test for each
# description (the first test method building it) is run up to its first
# binman run, to get the input files that test writes (spl/u-boot-spl from
# _SetupSplElf, vga2.bin, ...; the case's own in/ directory, searched
# first), the entry arguments it passes (-a, given to both tools) and its
# extra input directories (-I, e.g. the harness's fdts/); its
# other flags (-u, --fake-dtb, -M, ...) are not replayed, so every
# description is built the way a board build would build it.
#
# Rows: "identical" (every image and map binman writes equal), "differs"
# (per output: bytes that differ), "fwtool-fails" (binman builds it, fwtool
# errs), "fwtool-builds" (binman rejects it, fwtool builds: a gap),
# "rejects-same" / "rejects-other" (both fail; binman's last "binman: "
# message equal to fwtool's or not), "binman-cannot" (binman cannot build it
# here: a missing bintool, a Python exception, an input file the harness
# writes only inside that one test, or a description that is no binman
# image). The tally is printed last.
#
# Environment: JOBS (descriptions built at once, default 4), REF_FROM (the
# KEEP=1 work directory of an earlier run on the same tree: binman's
# outputs are taken from it instead of running binman again), FWTOOL (a built fwtool; default: go build from this tree),
# PYTHON (default /usr/bin/python3, which sees Debian's python3-libfdt),
# ONLY (a regexp on the description's path under test/), KEEP=1 keeps the
# work directory.
set -uo pipefail
# binman's fit and mkimage entries run `mkimage -t`, which stamps the FIT /
# uImage with SOURCE_DATE_EPOCH, else the clock; fwtool writes that value,
# else 0. Both tools get the same fixed time.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0}
REF_FROM=${REF_FROM:-}
src=${1:?usage: $0 U-BOOT-TREE}
src=$(cd "$src" && pwd) || exit 1
here=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
[ "${KEEP:-}" = 1 ] && echo "work: $work" || trap 'rm -rf "$work"' EXIT
py=${PYTHON:-/usr/bin/python3}
fwtool=${FWTOOL:-}
if [ -z "$fwtool" ]; then
	fwtool=$work/fwtool
	(cd "$here" && go build -o "$fwtool" ./tools/fwtool) || exit 1
fi
binman=$src/tools/binman/binman
echo "binman: U-Boot $(git -C "$src" rev-parse HEAD 2>/dev/null || cat "$src/.commit" 2>/dev/null || echo unknown); $("$py" --version); $(dtc --version | head -1)"
echo "fwtool: ${FWTOOL:+$FWTOOL, }tree $(git -C "$here" rev-parse --short HEAD)$(git -C "$here" diff --quiet -- tools || echo +changes)"
indir=$work/in
"$py" "$here/tools/binmandesc/suite/inputs.py" "$src" "$indir" "$work/tests" >"$work/inputs.log" 2>&1 || { cat "$work/inputs.log"; exit 1; }

# binman's message: its last "binman: " line to the end, work dir as $W.
binman_msg() { awk '/^binman: /{m=""; sub(/^binman: /,"")} {m = m (m==""?"":" ") $0} END{print m}' "$1" | sed "s|$work|\$W|g; s|  *| |g"; }
ours_msg() { grep -m1 -E '^fwtool( [a-z]+)?: ' "$1" | sed -E "s/^fwtool( [a-z]+)?: //; s/^case\.dtb: //; s|$work|\$W|g"; }

# Pass 1: compile every description; the harness's per-case DTB inputs.
testdir=$src/tools/binman/test
names=()
while read -r dts; do
	rel=${dts#"$testdir"/}
	[ -z "${ONLY:-}" ] || [[ $rel =~ $ONLY ]] || continue
	name=${rel%.dts}
	names+=("$name")
	d=$work/cases/$name
	mkdir -p "$d/ref" "$d/ours"
	# The inputs and entry arguments of the harness's test for it.
	[ ! -d "$work/tests/$name/in" ] || cp -a "$work/tests/$name/in" "$d/"
	[ ! -f "$work/tests/$name/args" ] || cp "$work/tests/$name/args" "$d/args"
	[ ! -f "$work/tests/$name/indirs" ] || cp "$work/tests/$name/indirs" "$d/indirs"
	(cd "$src" && cc -E -P -x assembler-with-cpp -D__ASSEMBLY__ -Ulinux -I include -I "$indir" -o "$d/case.pp.dts" "$dts" &&
		dtc -I dts -O dtb -W no-unit_address_vs_reg -i include -i "$indir" -o "$d/case.dtb" "$d/case.pp.dts") >"$d/dtc.log" 2>&1 || rm -f "$d/case.dtb"
done < <(find "$testdir" -name '*.dts' | LC_ALL=C sort)
find "$work/cases" -name case.dtb -print0 | xargs -0 -r "$py" "$here/tools/binmandesc/suite/inputs.py" "$src" - >"$work/dtbs.log" 2>&1 || { cat "$work/dtbs.log"; exit 1; }

# Pass 2: build each with both tools (JOBS at a time) and classify; rows
# are printed in the descriptions' order.
classify() {
	name=$1
	d=$work/cases/$name
	row="" detail=""
	[ -f "$d/case.dtb" ] || row=binman-cannot detail=" (does not compile)"
	if [ -z "$row" ]; then
		ref_ok=1 ours_ok=1
		eargs=()
		if [ -f "$d/args" ]; then
			while IFS= read -r a; do eargs+=(-a "$a"); done <"$d/args"
		fi
		if [ -f "$d/indirs" ]; then
			# The test's own files there (keys it made) are in the case's in/.
			while IFS= read -r a; do
				[ ! -d "$d/in/$a" ] || eargs+=(-I "$d/in/$a")
				eargs+=(-I "$indir/$a")
			done <"$d/indirs"
		fi
		prev=${REF_FROM:+$REF_FROM/cases/$name}
		# Outputs naming the earlier work directory (mkimage -n with a file
		# path) would differ only by it: binman runs again for those.
		[ -z "$prev" ] || ! grep -qF "$REF_FROM" "$prev"/ref/*.bin "$prev"/ref/*.map 2>/dev/null || prev=""
		if [ -n "$prev" ] && [ -f "$prev/ref.log" ]; then
			# binman's outputs from an earlier run on the same tree.
			rm -rf "$d/ref" && cp -a "$prev/ref" "$d/ref"
			sed "s|$REF_FROM|$work|g" "$prev/ref.log" >"$d/ref.log"
			if [ -f "$prev/ref.ok" ]; then
				ref_ok=$(cat "$prev/ref.ok")
			elif grep -q -E '^binman: |Traceback' "$d/ref.log"; then
				ref_ok=0
			fi
		else
			(cd "$d" && timeout 120 "$py" "$binman" build -d case.dtb -I "$d/in" -I "$indir" -O "$d/ref" -m "${eargs[@]}") >"$d/ref.log" 2>&1 || ref_ok=0
		fi
		echo $ref_ok >"$d/ref.ok"
		(cd "$d" && timeout 120 "$fwtool" build -d case.dtb -I "$d/in" -I "$indir" -O "$d/ours" -m "${eargs[@]}") >"$d/ours.log" 2>&1 || ours_ok=0
		if [ $ref_ok = 1 ] && [ $ours_ok = 1 ]; then
			row=identical
			for f in "$d"/ref/*.bin "$d"/ref/*.map; do
				[ -f "$f" ] || continue
				b=$(basename "$f")
				if [ ! -f "$d/ours/$b" ]; then
					row=differs detail="$detail $b:missing"
				elif ! cmp -s "$f" "$d/ours/$b"; then
					n=$(cmp -l "$f" "$d/ours/$b" 2>/dev/null | wc -l)
					row=differs detail="$detail $b:${n}-bytes$([ "$(stat -c %s "$f")" = "$(stat -c %s "$d/ours/$b")" ] || echo ",size")"
				fi
			done
			for f in "$d"/ref/*; do
				[ -L "$f" ] || continue
				b=$(basename "$f")
				# binman's link holds the image's full path, ours a relative one.
				[ -L "$d/ours/$b" ] && [ "$(basename "$(readlink -f "$f")")" = "$(basename "$(readlink -f "$d/ours/$b")")" ] || row=differs detail="$detail $b:symlink"
			done
		elif [ $ref_ok = 1 ]; then
			row=fwtool-fails detail=" $(ours_msg "$d/ours.log" | cut -c1-160)"
		elif grep -q -E "Traceback|[Mm]issing .*bintool|bintool .* not found|Cannot run|FileNotFoundError|ModuleNotFoundError|No such file or directory|not found in input path|Error [0-9]+ running|object is not|unsupported operand|Internal error|No module named" "$d/ref.log" ||
			! grep -q '^binman: ' "$d/ref.log"; then
			row=binman-cannot detail=" $(grep -m1 -E 'Error|error|binman: ' "$d/ref.log" | sed "s|$work|\$W|g" | cut -c1-120)"
		elif [ $ours_ok = 1 ]; then
			row=fwtool-builds detail=" binman: $(binman_msg "$d/ref.log" | cut -c1-160)"
		else
			want=$(binman_msg "$d/ref.log") got=$(ours_msg "$d/ours.log")
			if [ "$want" = "$got" ]; then
				row=rejects-same
			else
				row=rejects-other detail=" binman: $(echo "$want" | cut -c1-120) | fwtool: $(echo "$got" | cut -c1-120)"
			fi
		fi
	fi
	printf '%-45s %-14s%s\n' "$name" "$row" "$detail" >"$d/row"
}
export -f classify binman_msg ours_msg
export work indir py binman fwtool REF_FROM
printf '%s\n' "${names[@]}" | xargs -d '\n' -P "${JOBS:-4}" -I{} bash -c 'classify "$1"' _ {}
declare -A tally
for name in "${names[@]}"; do
	line=$(cat "$work/cases/$name/row")
	echo "$line"
	row=$(echo "$line" | awk '{print $2}')
	tally[$row]=$(( ${tally[$row]:-0} + 1 ))
done
echo
for k in identical differs fwtool-fails fwtool-builds rejects-same rejects-other binman-cannot; do
	printf '%-15s %d\n' "$k" "${tally[$k]:-0}"
done
