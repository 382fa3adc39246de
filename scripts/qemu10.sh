#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A QEMU of 9.0 or newer for the stage-2 rows of the boot matrix
# (scripts/matrix.sh), without touching the system: the system's own
# qemu-system-aarch64 where it is new enough, else Debian's backported
# qemu-system-arm, qemu-system-data and qemu-system-common, fetched with a
# private apt configuration (its own sources list naming the URI of the
# system's Debian source and the suite CODENAME-backports, its own lists and
# cache dirs) and unpacked with dpkg -x into out/qemu10/root. Nothing is
# installed.
# Writes out/qemu10/env (QEMU10_BIN, QEMU10_ARGS, QEMU10_MODULE_DIR,
# QEMU10_VERSION), or out/qemu10/unavailable (one line: why) and exits 0:
# a machine without backports still runs everything else.
# usage: qemu10.sh        env: QEMU10_REFRESH=1 (fetch again), QEMU10_SUITE
#                          (another suite than CODENAME-backports)
. "$(dirname "$0")/common.sh"

Q=$OUT/qemu10
ROOT=$Q/root
PKGS="qemu-system-arm qemu-system-data qemu-system-common"

# version_ge A B: A >= B (dotted numbers)
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }

# qemu_version BINARY [ARGS...]: "10.0.2", or nothing
qemu_version() {
	"$@" --version 2>/dev/null |
		sed -n 's/^QEMU emulator version \([0-9][0-9.]*\).*/\1/p'
}

unavailable() {	# the reason, with apt's URIs left out
	local why
	why=$(echo "$*" | sed 's|[a-z]*://[^ ]*|the archive|g')
	rm -f "$Q/env"
	echo "$why" >"$Q/unavailable"
	log "qemu10: unavailable: $why"
	exit 0
}

# write_env BIN VERSION [ARGS MODULE_DIR]: the system's QEMU keeps its
# own modules; the unpacked one gets an empty module dir.
write_env() {
	cat >"$Q/env.new" <<EOF
QEMU10_BIN='$1'
QEMU10_VERSION='$2'
QEMU10_ARGS='${3:-}'
QEMU10_MODULE_DIR='${4:-}'
EOF
	mv "$Q/env.new" "$Q/env"
	rm -f "$Q/unavailable"
}

# The URI of the system's Debian archive (not the security archive): the
# first stanza of a deb822 .sources file or line of sources.list that
# names the release's own suite.
debian_uri() {	# debian_uri CODENAME
	local c=$1 f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v c="$c" '
			function flush() {
				if (deb && uri != "" && suite) { print uri; found = 1; exit }
				deb = 0; uri = ""; suite = 0
			}
			/^[[:space:]]*$/ { flush(); next }
			/^[[:space:]]*#/ { next }
			/^Types:/ { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == c) suite = 1 }
			/^Enabled:[[:space:]]*no/ { deb = 0 }
			END { if (!found) flush() }
		' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
			awk -v c="$c" '$1 == "deb" && $3 == c { print $2 }'
	done
}

mkdir -p "$Q/modules"	# QEMU_MODULE_DIR: empty, so no 7.2 module loads
rm -f "$Q/unavailable"

sysver=$(qemu_version qemu-system-aarch64 || true)
if [ -n "$sysver" ] && version_ge "$sysver" 9.0; then
	write_env "$(command -v qemu-system-aarch64)" "$sysver"
	log "qemu10: the system's QEMU $sysver is new enough"
	exit 0
fi

bin=$ROOT/usr/bin/qemu-system-aarch64
args="-L $ROOT/usr/share/qemu -audiodev none,id=noaud"
if [ "${QEMU10_REFRESH:-0}" != 1 ] && [ -x "$bin" ] && [ -f "$Q/env" ]; then
	exit 0
fi

[ -r /etc/os-release ] || unavailable "no /etc/os-release"
# shellcheck disable=SC1091
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || unavailable "no VERSION_CODENAME in /etc/os-release"
uri=$(debian_uri "$codename" | head -1)
[ -n "$uri" ] || unavailable "no Debian source for $codename in the apt sources"
suite=${QEMU10_SUITE:-$codename-backports}

log "qemu10: system QEMU ${sysver:-none}; fetching $PKGS from $suite"
apt=$Q/apt
rm -rf "$apt" "$Q/debs"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$Q/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
opt=""
[ -f "$keyring" ] && opt="[signed-by=$keyring] "
echo "deb $opt$uri $suite main" >"$apt/sources.list"
aptopts=(-o Dir::Etc::SourceList="$apt/sources.list"
	-o Dir::Etc::SourceParts=-
	-o Dir::State::Lists="$apt/lists"
	-o Dir::Cache="$apt/cache"
	-o Acquire::Retries=1 -o Acquire::http::Timeout=30
	-o APT::Sandbox::User=root)
apt-get "${aptopts[@]}" -q update >"$Q/apt.log" 2>&1 ||
	unavailable "apt-get update of $suite failed: $(grep -m1 -E '^(E|W):' "$Q/apt.log" | tr -d "'")"
grep -qE '^(E|W): Failed' "$Q/apt.log" &&
	unavailable "$suite not reachable: $(grep -m1 -E '^(E|W): Failed' "$Q/apt.log" | tr -d "'")"
dl=""
for p in $PKGS; do dl="$dl $p/$suite"; done
# shellcheck disable=SC2086
(cd "$Q/debs" && apt-get "${aptopts[@]}" -q download $dl) >>"$Q/apt.log" 2>&1 ||
	unavailable "apt-get download from $suite failed: $(grep -m1 '^E:' "$Q/apt.log" | tr -d "'")"

rm -rf "$ROOT.new"
mkdir -p "$ROOT.new"
for d in "$Q"/debs/*.deb; do
	dpkg -x "$d" "$ROOT.new" || unavailable "dpkg -x $(basename "$d") failed"
done
rm -rf "$ROOT"
mv "$ROOT.new" "$ROOT"
[ -x "$bin" ] || unavailable "no qemu-system-aarch64 in the backported packages"
missing=$(ldd "$bin" 2>/dev/null | awk '/not found/ {print $1}' | tr '\n' ' ')
[ -z "$missing" ] || unavailable "backported QEMU needs libraries this system lacks: $missing"
# shellcheck disable=SC2086
ver=$(QEMU_MODULE_DIR=$Q/modules qemu_version "$bin" $args || true)
[ -n "$ver" ] || unavailable "backported QEMU does not run: $("$bin" --version 2>&1 | head -1)"
version_ge "$ver" 9.0 || unavailable "backports have QEMU $ver only (9.0 or newer needed)"
write_env "$bin" "$ver" "$args" "$Q/modules"
log "qemu10: QEMU $ver in $ROOT ($(ls "$Q"/debs | tr '\n' ' '))"
