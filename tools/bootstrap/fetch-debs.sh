#!/bin/sh
# fetch-debs.sh PACKAGE[:ARCH]...
#
# Downloads Debian packages by name and unpacks each one, for tests that need
# real-world binaries (for example u-boot-stm32:armhf for the STM32MP157C-DK2
# round trip). apt runs with a private state and cache directory, so the
# machine's own package lists and foreign-architecture settings stay as they
# are. Idempotent: a package already unpacked is not fetched again.
#
# Prints the extraction directory of each package, one per line. Tests find
# them as $RULES_FIRMWARE_DEBS/<package> (the same default directory is used
# when the variable is unset).
set -eu

if [ "$#" -eq 0 ]; then
	echo "usage: fetch-debs.sh PACKAGE[:ARCH]..." >&2
	exit 2
fi

root="${RULES_FIRMWARE_DEBS:-${XDG_CACHE_HOME:-$HOME/.cache}/rules_firmware/debs}"
apt_dir="$root/.apt"
mkdir -p "$root" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/downloads"
# An empty dpkg status file keeps apt from reading (or needing) the host's.
[ -f "$apt_dir/status" ] || : > "$apt_dir/status"

updated=""
for spec in "$@"; do
	pkg="${spec%%:*}"
	arch=""
	case "$spec" in *:*) arch="${spec#*:}" ;; esac
	dest="$root/$pkg"
	if [ -f "$dest/.complete" ]; then
		echo "$dest"
		continue
	fi
	set -- \
		-o "Dir::State=$apt_dir" \
		-o "Dir::State::Lists=$apt_dir/lists" \
		-o "Dir::State::status=$apt_dir/status" \
		-o "Dir::Cache=$apt_dir/cache" \
		-o "Debug::NoLocking=1" \
		-o "APT::Sandbox::User=root"
	if [ -n "$arch" ]; then
		set -- "$@" -o "APT::Architectures::=$arch"
	fi
	# One update per distinct architecture set per run; apt's lists are
	# private to $apt_dir, so this never touches the host's lists.
	if [ "$updated" != "x$arch" ]; then
		# A mirror caught mid-sync fails one index (often the security
		# suite) while the others are fine; the download below still fails
		# loudly if the package itself cannot be found.
		apt-get "$@" -q update >&2 || echo "fetch-debs.sh: apt-get update reported errors; trying the download anyway" >&2
		updated="x$arch"
	fi
	(cd "$apt_dir/downloads" && apt-get "$@" -q download "$spec" >&2)
	deb="$(ls -t "$apt_dir/downloads/${pkg}_"*.deb | head -n 1)"
	rm -rf "$dest.tmp"
	mkdir -p "$dest.tmp"
	dpkg-deb -x "$deb" "$dest.tmp"
	# A metapackage (linux-image-armmp, say) ships only /usr/share files: follow its
	# first dependency and unpack that too, so callers name a stable
	# package and get today's versioned one under the same directory.
	if [ -z "$(find "$dest.tmp" -type f ! -path '*/usr/share/*' | head -n 1)" ]; then
		dep="$(dpkg-deb -f "$deb" Depends | cut -d, -f1 | awk '{print $1}')"
		dep="${dep%%:*}"
		if [ -n "$dep" ]; then
			(cd "$apt_dir/downloads" && apt-get "$@" -q download "$dep${arch:+:$arch}" >&2)
			dpkg-deb -x "$(ls -t "$apt_dir/downloads/${dep}_"*.deb | head -n 1)" "$dest.tmp"
		fi
	fi
	: > "$dest.tmp/.complete"
	rm -rf "$dest"
	mv "$dest.tmp" "$dest"
	echo "$dest"
done
