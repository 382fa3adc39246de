# SPDX-License-Identifier: GPL-2.0
# Shared settings for the build-and-boot scripts. Sourced, never run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$TOP/out}
BASE=$OUT/base			# pristine extract of the Debian tarball
TARBALL=${TARBALL:-/usr/src/linux-source-6.12.tar.xz}
ARCH=arm64
CROSS_COMPILE=aarch64-linux-gnu-
export ARCH CROSS_COMPILE
export CCACHE_DIR=${CCACHE_DIR:-$OUT/ccache}
export CCACHE_BASEDIR=$OUT
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=5G

# Packages every script needs; setup.sh installs the missing ones.
PACKAGES="linux-source-6.12 gcc-aarch64-linux-gnu qemu-system-arm bc flex bison
libssl-dev libelf-dev device-tree-compiler cpio ccache sparse make gcc xz-utils
python3 perl libc6-dev python3-ply python3-git valgrind"
# Only scripts/debug.sh needs these: Debian's clang for the LLVM=1 build.
DEBUG_PACKAGES="clang lld llvm"

# Our overlay: files we own, at their kernel paths.
OVERLAY_DIRS="drivers include Documentation"

# Debian's tools first: checkpatch's spdxcheck.py runs "python3" and needs
# Debian's python3-ply and python3-git, not another python3 earlier in PATH.
export PATH=/usr/bin:/bin:$PATH

T0=${T0:-$(date +%s)}
export T0

# tally NAME WHY [NOTE]: count a check in the caller's passed and failed,
# passed if WHY is empty; TALLY (the caller's name) starts the log line
tally() {
	if [ -z "$2" ]; then
		passed=$((passed + 1))
		log "${TALLY:+$TALLY: }$1: PASS${3:+ ($3)}"
	else
		failed=$((failed + 1))
		log "${TALLY:+$TALLY: }$1: FAIL (${2#; })"
	fi
}

log() { printf '[%4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# install_packages PKG...: apt-get install those not installed yet (as
# root, else through sudo); the log is out/apt.log.
install_packages() {
	local missing="" p sudo=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	log "installing:$missing"
	[ "$(id -u)" = 0 ] || sudo=sudo
	mkdir -p "$OUT"
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing \
		>"$OUT/apt.log" 2>&1 || { tail -20 "$OUT/apt.log"; die "apt-get failed"; }
}

# ours: base + our overlay + patches; control: the unmodified base.
variant_src() { echo "${KSRC:-$OUT/src/$1}"; }
# Objdirs are children of their source tree (obj, obj-NAME): kbuild then
# names sources "../" (srctree := ..), the same in every tree, so ccache
# serves the control, the mutants and other trees what ours compiled.
obj_dir() { echo "$(variant_src "$1")/obj${2:+-$2}"; }	# obj_dir VARIANT [NAME]
# KOBJ: another objdir for the same source tree (scripts/kasan.sh).
variant_obj() { echo "${KOBJ:-$(obj_dir "$1")}"; }

check_variant() {
	case $1 in
	ours|control) ;;
	*) die "unknown variant '$1' (ours or control)" ;;
	esac
}

# True when the overlay holds our own io-pgtable-arm.c.
have_our_pgtable() { [ -f "$TOP/drivers/iommu/io-pgtable-arm.c" ]; }

# KCC, KMAKE_FLAGS: another compiler (scripts/debug.sh: "ccache clang"
# with LLVM=1)
kmake() {
	local v=$1; shift
	# shellcheck disable=SC2086
	make -C "$(variant_src "$v")" O="$(variant_obj "$v")" \
		CC="${KCC:-ccache ${CROSS_COMPILE}gcc}" ${KMAKE_FLAGS:-} \
		-j"$(nproc)" "$@"
}

# kunit_verdict CONSOLE SUITE BOOT: scripts/kunit-verdict.py, with the
# base tree's KTAP parser
kunit_verdict() {
	KUNIT_PY=$BASE/tools/testing/kunit/kunit.py "$TOP/scripts/kunit-verdict.py" "$@"
}

# Mutants (tools/testing/io-pgtable/mutants/NAME.patch): bugs applied to a
# copy of our io-pgtable-arm.c, never to the file itself.
MUTANTS=$TOP/tools/testing/io-pgtable/mutants
# The kernel argument that runs edu-iommu-test's in-flight split test
INFLIGHT_APPEND=edu_iommu_test.inflight=1

# mutant_file NAME DEST: write the mutated driver to DEST
mutant_file() {
	mkdir -p "$(dirname "$2")"
	patch -s -o "$2" "$TOP/drivers/iommu/io-pgtable-arm.c" <"$MUTANTS/$1.patch" \
		>"$2.patch.log" 2>&1
}

# mutant_image NAME OBJ BASEOBJ: build mutant NAME's kernel and print its
# Image. OBJ is a copy of BASEOBJ, a built objdir of ours (made once). In a
# private mount namespace the mutated file is bind-mounted over ours' file
# and OBJ over BASEOBJ: the build sees ours' paths, so only the mutated file
# recompiles and the kernel relinks, while ours' tree and objdir, outside,
# stay as they are.
mutant_image() {
	local m=$1 obj=$2 base=$3 file=$OUT/mutant/io-pgtable-arm.c
	mutant_file "$m" "$file" || { log "mutant $m does not apply"; return 1; }
	# A new copy when the base, its configuration or its build changed
	if [ "$(cat "$obj/.mutant-base" 2>/dev/null)" != "$base" ] ||
	   ! cmp -s "$base/.config" "$obj/.config" ||
	   [ "$base/arch/arm64/boot/Image" -nt "$obj/.mutant-base" ]; then
		rm -rf "$obj"
		cp -a "$base" "$obj"
		echo "$base" >"$obj/.mutant-base"
	fi
	export -f kmake variant_src variant_obj obj_dir
	OUT=$OUT KOBJ=$base unshare -m bash -c 'mount --bind "$1" "$2" && mount --bind "$3" "$4" &&
		kmake ours -s Image' mutant "$file" \
		"$(variant_src ours)/drivers/iommu/io-pgtable-arm.c" "$obj" "$base" \
		>"$obj/build.log" 2>&1 ||
		{ tail -20 "$obj/build.log" >&2; log "mutant $m: kernel build failed"; return 1; }
	echo "$obj/arch/arm64/boot/Image"
}
