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
python3 perl libc6-dev python3-ply python3-git"

# Our overlay: files we own, at their kernel paths.
OVERLAY_DIRS="drivers include Documentation"

# Debian's tools first: checkpatch's spdxcheck.py runs "python3" and needs
# Debian's python3-ply and python3-git, not another python3 earlier in PATH.
export PATH=/usr/bin:/bin:$PATH

T0=${T0:-$(date +%s)}
export T0

log() { printf '[%4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ours: base + our overlay + patches; control: the unmodified base.
variant_src() { echo "${KSRC:-$OUT/src/$1}"; }
# KOBJ: another objdir for the same source tree (scripts/kasan.sh).
variant_obj() { echo "${KOBJ:-$OUT/obj/$1}"; }

check_variant() {
	case $1 in
	ours|control) ;;
	*) die "unknown variant '$1' (ours or control)" ;;
	esac
}

# True when the overlay holds our own io-pgtable-arm.c.
have_our_pgtable() { [ -f "$TOP/drivers/iommu/io-pgtable-arm.c" ]; }

kmake() {
	local v=$1; shift
	make -C "$(variant_src "$v")" O="$(variant_obj "$v")" \
		CC="ccache ${CROSS_COMPILE}gcc" -j"$(nproc)" "$@"
}

# Mutants (tools/testing/io-pgtable/mutants/NAME.patch): bugs applied to a
# copy of our io-pgtable-arm.c, never to the file itself.
MUTANTS=$TOP/tools/testing/io-pgtable/mutants

# mutant_file NAME DEST: write the mutated driver to DEST
mutant_file() {
	mkdir -p "$(dirname "$2")"
	patch -s -o "$2" "$TOP/drivers/iommu/io-pgtable-arm.c" <"$MUTANTS/$1.patch" \
		>"$2.patch.log" 2>&1
}

# The mutants' source tree: the ours tree (hard links) with one real file
MUTANT_SRC=$OUT/src/mutant

mutant_tree() {	# mutant_tree NAME
	rm -rf "$MUTANT_SRC"
	mkdir -p "$MUTANT_SRC"
	cp -al "$OUT/src/ours/." "$MUTANT_SRC/"
	find "$MUTANT_SRC" -type d -exec chmod u+w {} +
	rm -f "$MUTANT_SRC/drivers/iommu/io-pgtable-arm.c"
	mutant_file "$1" "$MUTANT_SRC/drivers/iommu/io-pgtable-arm.c"
}

# mutant_image NAME OBJ [FRAGMENT...]: build mutant NAME's kernel in objdir
# OBJ with the fragments of ours (plus FRAGMENTs) and print its Image; only
# the mutated file recompiles once OBJ is warm.
mutant_image() {
	local m=$1 obj=$2
	shift 2
	mutant_tree "$m" || { log "mutant $m does not apply"; return 1; }
	KSRC=$MUTANT_SRC KOBJ=$obj "$TOP/scripts/config.sh" ours "$@" >/dev/null || return 1
	KSRC=$MUTANT_SRC KOBJ=$obj kmake ours -s Image >"$obj/build.log" 2>&1 ||
		{ tail -20 "$obj/build.log" >&2; log "mutant $m: kernel build failed"; return 1; }
	echo "$obj/arch/arm64/boot/Image"
}
