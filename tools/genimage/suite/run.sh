#!/usr/bin/env bash
# genimage's own test configs through both tools: a report, not a test.
#
#   tools/genimage/suite/run.sh GENIMAGE_SRC [CONFIG_NAME...]
#
# (names given: only those configs, e.g. "flash sparse").
# GENIMAGE_SRC is a genimage source tree the caller fetched (its test/
# directory is read; nothing of it is copied into this repository). Each
# test/*.config is built by the genimage on PATH and by fwtool genimage on
# the same inputs: input/part1.img (7 zero sectors), part2.img (11),
# part3.img (empty) as genimage's setup_test_images makes them, test/*.its
# copied in, and every other name a config gives as `image = "..."` or in
# `files = {...}` made as 4 KiB of fixed data; root/ holds setup_data's
# tree. include.config gets --includepath test/include/aaa, as its test.
#
# Each config lands in one row: "identical" (every output equal), "differs"
# (the bytes that differ are counted; GPT configs without partition-uuid /
# disk-uuid get random GUIDs from genimage, so those differ by design),
# "ref-fails" (genimage itself fails: the type is missing here or the
# config is a failure test), "fwtool-rejects" (fwtool refuses the type or
# option, naming it), "both-fail", or "fwtool-fails" (genimage builds it,
# fwtool errs: a gap). Where genimage 16 fails but fwtool builds, the
# output is checked against what genimage's own test expects of a newer
# genimage (see expectation below): "ref-fails-expectation-met" or
# "-unmet". The tally is printed last.
#
# Environment: FWTOOL (a built fwtool; default: go build from this tree),
# GENIMAGE (default genimage), KEEP=1 keeps the work directory.
set -uo pipefail
src=${1:?usage: $0 GENIMAGE_SRC [CONFIG_NAME...]}
src=$(cd "$src" && pwd) || exit 1
shift
only=" $* "
here=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
[ "${KEEP:-}" = 1 ] || trap 'rm -rf "$work"' EXIT
fwtool=${FWTOOL:-}
if [ -z "$fwtool" ]; then
	fwtool=$work/fwtool
	(cd "$here" && go build -o "$fwtool" ./tools/fwtool) || exit 1
fi
genimage=${GENIMAGE:-genimage}
echo "reference: $($genimage --version 2>&1 | head -1); genimage tree: $(git -C "$src" describe --always --tags 2>/dev/null || echo unknown)"

# expectation NAME DIR: for a config genimage 16 cannot build, checks
# fwtool's output against what genimage's own test script expects of a
# newer genimage: its .fdisk listing, its .md5 sums, randomseed.expected,
# hdimage-nopart.hexdump, the hdimage-imageoffset content,
# that rauc info accepts each bundle with genimage's test CA, or
# (android-sparse) that simg2img expands each sparse image back to its
# input. Also run on "differs" rows. Prints "met", "unmet WHAT" or nothing when there is no check.
expectation() {
	local name=$1 d=$2 t=$src/test f
	if [ -f "$t/$name.fdisk" ]; then
		for f in "$d"/ours/*; do
			(cd "$d" && ln -sfn ours images && { fdisk -l "images/$(basename "$f")" | grep identifier: &&
				sfdisk -d "images/$(basename "$f")" 2>/dev/null | grep '^images/' | sed -e 's/  *//g' -e 's;Id=;type=;'; } |
				cmp -s - "$t/$name.fdisk") && { echo met; return; }
		done
		echo "unmet $name.fdisk"
	elif [ -f "$t/$name.md5" ]; then
		(cd "$d" && ln -sfn ours images && md5sum --quiet -c "$t/$name.md5" >/dev/null 2>&1) && echo met || echo "unmet $name.md5"
	elif [ -f "$t/$name.hexdump" ]; then
		hexdump -C "$d/ours/test.hdimage" | cmp -s - "$t/$name.hexdump" && echo met || echo "unmet $name.hexdump"
	elif [ "$name" = hdimage-imageoffset ]; then
		echo 0123456789abcdef | cmp -s - "$d/ours/test.hdimage" && echo met || echo "unmet: not the image past its offset"
	elif [ -f "$t/$name.expected" ]; then
		hexdump -C "$d/ours/$name.img" | cmp -s - "$t/$name.expected" && echo met || echo "unmet $name.expected"
	elif grep -q 'rauc {' "$t/$name.config"; then
		for f in "$d"/ours/*.raucb; do
			rauc info --keyring "$d/input/signing-ca/ca.cert.pem" "$f" >/dev/null 2>&1 || { echo "unmet rauc info $(basename "$f")"; return; }
		done
		echo met
	elif grep -q -E 'ext[234] \{' "$t/$name.config"; then
		# ext.test's check_ext less its dumpe2fs listing (genext2fs's or
		# mke2fs's layout): e2fsck -nf clean, the tree read back with
		# debugfs rdump equal to the root it was made from, the size given
		for f in "$d"/ours/*.ext[234]; do
			local back=$d/back-$(basename "$f") size
			rm -rf "$back" && mkdir -p "$back" &&
				e2fsck -nf "$f" >"$d/fsck.log" 2>&1 && ! grep -q -e '?' -e IGNORED "$d/fsck.log" || { echo "unmet e2fsck $(basename "$f")"; return; }
			debugfs -R "ls -p" "$f" 2>/dev/null | while IFS=/ read -r _ _ _ _ _ x _; do
				case "$x" in .|..|lost+found|"") continue ;; esac
				debugfs -R "rdump \"$x\" \"$back\"" "$f" >/dev/null 2>&1
			done
			diff -r "$d/root" "$back" >/dev/null || { echo "unmet tree $(basename "$f")"; return; }
			# the size ext.test's check_ext wants, from the line after the config's run
			size=$(sed -n "/ $name.config /{n;s/.*check_ext [^ ]* [^ ]* \([0-9]*\).*/\1/p}" "$t/ext.test")
			[ -z "$size" ] || [ "$(stat -c %s "$f")" = "$size" ] || { echo "unmet size $(basename "$f")"; return; }
		done
		echo met
	elif [ "$name" = cpio ]; then
		# filesystem.test's cpio check: the names in the archive but "."
		# are the root tree's, and the gzipped archive is 400-550 bytes
		local f=$d/ours/test.cpio sz
		zcat "$f" | cpio --extract -t 2>/dev/null | grep -v '^\.$' | sort >"$d/cpio.list" &&
			(cd "$d/root" && find . -mindepth 1 -printf '%P\n' | sort) | cmp -s - "$d/cpio.list" || { echo "unmet cpio file list"; return; }
		sz=$(stat -c %s "$f")
		[ "$sz" -ge 400 ] && [ "$sz" -le 550 ] && echo met || echo "unmet cpio size $sz"
	elif grep -q android-sparse "$t/$name.config"; then
		for f in "$d"/ours/*.sparse; do
			local in
			in=$(sed -n "/image $(basename "$f")/,/}/s/.*image = \([^ ]*\).*/\1/p" "$t/$name.config" | head -1)
			[ -f "$d/ours/$in" ] && in=$d/ours/$in || in=$d/input/$in
			simg2img "$f" "$d/expanded" 2>/dev/null && cp "$in" "$d/padded" && truncate -s "$(stat -c %s "$d/expanded")" "$d/padded" &&
				cmp -s "$d/expanded" "$d/padded" || { echo "unmet simg2img $(basename "$f")"; return; }
		done
		echo met
	fi
}

declare -A tally
for cfg in "$src"/test/*.config; do
	name=$(basename "$cfg" .config)
	[ "$only" = "  " ] || [[ "$only" == *" $name "* ]] || continue
	d=$work/$name
	mkdir -p "$d/input" "$d/root"
	(cd "$d/root" && for a in foo bar baz "with spaces"; do for b in 1 2 3; do mkdir -p "$a/$b" && touch "$a/$b/one" "$a/$b/two"; done; done)
	head -c 3584 /dev/zero >"$d/input/part1.img"
	head -c 5632 /dev/zero >"$d/input/part2.img"
	: >"$d/input/part3.img"
	cp "$src"/test/*.its "$d/input/" 2>/dev/null || true
	# rauc.config signs with genimage's test CA.
	[ ! -d "$src/test/signing-ca" ] || cp -r "$src/test/signing-ca" "$d/input/"
	# include()d configs are found in the working directory, as when
	# genimage's tests run.
	grep -o 'include("[^"]*")' "$cfg" | sed 's/include("\(.*\)")/\1/' | while read -r inc; do
		[ ! -f "$src/test/$inc" ] || cp "$src/test/$inc" "$d/"
	done
	# Inputs genimage's test script makes for these cases.
	case $name in
	hdimage-nopart)
		head -c 100 /dev/zero | tr '\000' '\377' >"$d/input/block1.img"
		head -c 50 /dev/zero | tr '\000' '\252' >"$d/input/block2.img"
		head -c 75 /dev/zero | tr '\000' '\167' >"$d/input/block3.img" ;;
	ext4)
		# ext.test builds it from srcpath root.orig, the same tree
		cp -a "$d/root" "$d/root.orig" ;;
	hdimage-imageoffset)
		echo 0123456789abcdef | dd of="$d/input/offset.img" seek=4 bs=1k 2>/dev/null ;;
	esac
	{ grep -o 'image *= *"[^"]*"' "$cfg" | sed 's/.*"\(.*\)"/\1/' || true
	  grep -o 'image *= *[^" {}]*$' "$cfg" | sed 's/image *= *//' || true
	  grep -o 'files *= *{[^}]*}' "$cfg" | grep -o '"[^"]*"' | tr -d '"' || true; } | sort -u | while read -r f; do
		case "$f" in /*|"") continue ;; esac
		[ -e "$d/input/$f" ] || { mkdir -p "$(dirname "$d/input/$f")"; head -c 4096 /dev/zero | tr '\0' 'x' >"$d/input/$f"; }
	done
	for t in ref ours; do
		mkdir -p "$d/$t" "$d/tmp-$t"
	done
	args=(--inputpath "$d/input" --rootpath "$d/root")
	# genimage 16 also looks for the config itself on the include path.
	[ "$name" != include ] || args+=(--includepath "$src/test/include/aaa")
	ref_ok=1 ours_ok=1
	(cd "$d" && SOURCE_DATE_EPOCH=1700000000 "$genimage" "${args[@]}" --outputpath "$d/ref" --tmppath "$d/tmp-ref" --config "$cfg") >"$d/ref.log" 2>&1 || ref_ok=0
	(cd "$d" && SOURCE_DATE_EPOCH=1700000000 "$fwtool" genimage "${args[@]}" --outputpath "$d/ours" --config "$cfg") >"$d/ours.log" 2>&1 || ours_ok=0
	detail=""
	if [ $ref_ok = 1 ] && [ $ours_ok = 1 ]; then
		row=identical
		for f in "$d"/ref/*; do
			[ -f "$f" ] || continue
			b=$(basename "$f")
			if [ ! -f "$d/ours/$b" ]; then
				row=differs detail="$detail $b:missing"
			elif ! cmp -s "$f" "$d/ours/$b"; then
				n=$(cmp -l "$f" "$d/ours/$b" 2>/dev/null | wc -l)
				row=differs detail="$detail $b:${n}-bytes$([ "$(stat -c %s "$f")" = "$(stat -c %s "$d/ours/$b")" ] || echo ",size")"
			fi
		done
		[ $row != differs ] || [ "$(expectation "$name" "$d")" != met ] || detail="$detail (genimage's own test expectation met)"
	elif [ $ref_ok = 0 ] && [ $ours_ok = 0 ]; then
		row=both-fail
	elif [ $ref_ok = 0 ]; then
		row=ref-fails detail=" $(grep -m1 -i error "$d/ref.log" | cut -c1-100)"
		case "$(expectation "$name" "$d")" in
		met) row=ref-fails-expectation-met detail="" ;;
		unmet*) row=ref-fails-expectation-unmet detail=" $(expectation "$name" "$d")" ;;
		esac
	elif grep -q -E "is not supported|is not one of|runs no hooks" "$d/ours.log"; then
		row=fwtool-rejects detail=" $(head -1 "$d/ours.log" | sed "s|$cfg: ||" | cut -c1-140)"
	else
		row=fwtool-fails detail=" $(head -1 "$d/ours.log" | sed "s|$cfg: ||" | cut -c1-160)"
	fi
	tally[$row]=$(( ${tally[$row]:-0} + 1 ))
	printf '%-40s %-15s%s\n' "$name" "$row" "$detail"
done
echo
for k in identical differs fwtool-fails fwtool-rejects ref-fails-expectation-met ref-fails-expectation-unmet ref-fails both-fail; do
	printf '%-15s %d\n' "$k" "${tally[$k]:-0}"
done
