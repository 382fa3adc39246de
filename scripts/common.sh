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
python3 perl libc6-dev python3-ply python3-git valgrind gcc-arm-linux-gnueabihf"
# Only scripts/debug.sh needs these: Debian's clang for the LLVM=1 build.
DEBUG_PACKAGES="clang lld llvm"

# Our overlay: files we own, at their kernel paths.
OVERLAY_DIRS="drivers include Documentation"

# Debian's tools first: checkpatch's spdxcheck.py runs "python3" and needs
# Debian's python3-ply and python3-git, not another python3 earlier in PATH.
export PATH=/usr/bin:/bin:$PATH

T0=${T0:-$(date +%s)}
export T0

# tally_line RC LINE: count a check in the caller's passed and failed,
# passed if RC is 0, and log LINE
tally_line() {
	if [ "$1" = 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	log "$2"
}

# tally NAME WHY [NOTE]: tally_line, passed if WHY is empty; TALLY (the
# caller's name) starts the log line
tally() {
	if [ -z "$2" ]; then
		tally_line 0 "${TALLY:+$TALLY: }$1: PASS${3:+ ($3)}"
	else
		tally_line 1 "${TALLY:+$TALLY: }$1: FAIL (${2#; })"
	fi
}

# tally_total: the closing "N passed, N failed" line on stdout (", N
# skipped" added when the caller's skipped is not 0), logged too, TALLY
# first, when TALLY is set; true when none failed
tally_total() {
	local line="$passed passed, $failed failed"
	[ "${skipped:-0}" = 0 ] || line="$line, $skipped skipped"
	[ -z "${TALLY:-}" ] || log "$TALLY: $line"
	echo "$line"
	[ "$failed" = 0 ]
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

# Our io-pgtable-arm.c, in the overlay
OUR_PGTABLE=$TOP/drivers/iommu/io-pgtable-arm.c
# True when the overlay holds our own io-pgtable-arm.c.
have_our_pgtable() { [ -f "$OUR_PGTABLE" ]; }
# The variant built and booted unless one is named (the Makefile's
# VARIANT, scripts/demo.sh, scripts/test.sh): ours when the overlay holds
# our io-pgtable-arm.c, else the control
default_variant() { if have_our_pgtable; then echo ours; else echo control; fi; }

# kmake_in SRC OBJ ARGS...: make in kernel tree SRC with objdir OBJ,
# ccache'd. KCC, KMAKE_FLAGS: another compiler (scripts/debug.sh: "ccache
# clang" with LLVM=1)
kmake_in() {
	local s=$1 o=$2
	shift 2
	# shellcheck disable=SC2086
	make -C "$s" O="$o" CC="${KCC:-ccache ${CROSS_COMPILE}gcc}" ${KMAKE_FLAGS:-} \
		-j"$(nproc)" "$@"
}

# kmake VARIANT ARGS...: kmake_in the variant's tree and objdir
kmake() {
	local v=$1
	shift
	kmake_in "$(variant_src "$v")" "$(variant_obj "$v")" "$@"
}

# kconfig_hash FRAGMENT...: the fragments' hash, OBJ/.fragments.sha once
# kconfigure configured OBJ from them
kconfig_hash() { cat "$@" | sha256sum | cut -d' ' -f1; }

# kconfig_current OBJ FRAGMENT...: true when kconfigure configured OBJ from
# these fragments
kconfig_current() {
	local o=$1
	shift
	[ -f "$o/.config" ] && [ "$(cat "$o/.fragments.sha" 2>/dev/null)" = "$(kconfig_hash "$@")" ]
}

# kconfig_wanted FRAGMENT...: the line each option gets from the last
# fragment that sets it: a later fragment overrides an earlier one, as in
# merge_config.sh.
kconfig_wanted() {
	cat "$@" | awk '
		/^CONFIG_[A-Za-z0-9_]+=/ { o = $0; sub(/=.*/, "", o) }
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { o = $2 }
		o != "" { if (!(o in want)) order[n++] = o; want[o] = $0; o = "" }
		END { for (i = 0; i < n; i++) print want[order[i]] }'
}

# kconfigure [--base FRAGMENT]... [--declared] NAME SRC OBJ FRAGMENT...:
# configure objdir OBJ of tree SRC: allnoconfig, the fragments (--base
# ones first) merged (merge_config.sh), olddefconfig. Then every line the
# FRAGMENTs want (kconfig_wanted) must hold in .config: a missing
# dependency silently drops an option, so each one that did not hold is
# logged (NAME first) and kconfigure dies. A --base fragment's lines are
# not checked (scripts/compile-test.sh: its kernel has no KUnit for the
# selftest options). --declared: only the options a Kconfig file of SRC
# declares are checked (scripts/series.sh: an option does not exist before
# the patch that adds it). Writes OBJ/.fragments.sha (kconfig_current of
# all the fragments, in order) once the check passed.
kconfigure() {
	local declared=0 base_frags=() name s o line opt known="" bad=0
	while :; do
		case $1 in
		--base) base_frags+=("$2"); shift 2 ;;
		--declared) declared=1; shift ;;
		*) break ;;
		esac
	done
	name=$1 s=$2 o=$3
	shift 3
	mkdir -p "$o"
	rm -f "$o/.fragments.sha"
	kmake_in "$s" "$o" -s allnoconfig
	"$s/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "${base_frags[@]}" "$@" \
		>"$o/merge.log" 2>&1 || { cat "$o/merge.log"; die "merge_config failed"; }
	kmake_in "$s" "$o" -s olddefconfig
	[ $declared = 0 ] || known=$(find "$s" -name 'Kconfig*' -type f -exec sed -n \
		's/^[[:space:]]*\(menu\)\{0,1\}config[[:space:]]\{1,\}\([A-Za-z0-9_]\{1,\}\).*/CONFIG_\2/p' {} + |
		sort -u)
	while read -r line; do
		case $line in
		CONFIG_*=*) opt=${line%%=*} ;;
		*) opt=${line#\# }; opt=${opt%% *} ;;	# "# CONFIG_X is not set"
		esac
		[ $declared = 0 ] || grep -qxF "$opt" <<<"$known" || continue
		case $line in
		CONFIG_*=*)
			grep -qxF "$line" "$o/.config" || {
				log "$name: wanted '$line', .config has '$(grep "^$opt=" "$o/.config" || echo unset)'"
				bad=1
			} ;;
		*)
			! grep -q "^$opt=" "$o/.config" || {
				log "$name: wanted $opt unset, .config has it set"
				bad=1
			} ;;
		esac
	done < <(kconfig_wanted "$@")
	[ $bad = 0 ] || die "$name: config check failed"
	kconfig_hash "${base_frags[@]}" "$@" >"$o/.fragments.sha"
}

# What upstream's io-pgtable-arm.c prints when it refuses tables whose DMA
# address is not their physical one (the control in C and E)
REFUSED_MSG='Cannot accommodate DMA translation'
# refused RC CONSOLE: the boot failed (RC not 0) with io-pgtable's refusal
refused() { [ "$1" != 0 ] && grep -q "$REFUSED_MSG" "$2"; }

# The QEMU trace events scripts/matrix.sh judges its rows by (granule,
# table addresses); scripts/test.sh's boots trace them for its reuse.
MATRIX_TRACE_EVENTS="smmu_iotlb_insert smmu_get_pte"

# What a boot left (scripts/scenario.sh's run folder): its console and
# QEMU trace.
# trace_count TRACE EVENT: how many EVENT lines QEMU's trace has (empty
# without a trace)
trace_count() { grep -c "$2" "$1" 2>/dev/null || true; }
# guest_mib CONSOLE: the MiB the test init moved and verified
guest_mib() { sed -n 's/.*TESTINIT: moved \([0-9]*\) MiB.*/\1/p' "$1" | tail -1; }
# guest_result CONSOLE WHO: WHO's last "WHO: completed with N PASS N FAIL"
# (edu-iommu-test, selftest)
guest_result() { grep -o "$2: completed with [0-9]* PASS [0-9]* FAIL" "$1" | tail -1 || true; }
# verdict_of RUN: the first line of the boot's verdict (PASS, FAIL (why))
verdict_of() { head -1 "$1/verdict" 2>/dev/null || echo "no verdict"; }
# unfinished VERDICT: the boot timed out or left no verdict: not a failure
# a check can be credited with
unfinished() {
	case $1 in
	*"timed out"*|"no verdict") return 0 ;;
	esac
	return 1
}

# c_functions FILE: the functions a C file defines (also a name at the
# start of a line, when the type is on the line before)
c_functions() {
	sed -n -e 's/^[a-z][^(]*[ *]\([a-z_][a-z0-9_]*\)(.*/\1/p' \
		-e 's/^\([a-z_][a-z0-9_]*\)(.*/\1/p' "$1" | sort -u
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
	patch -s -o "$2" "$OUR_PGTABLE" <"$MUTANTS/$1.patch" \
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
	export -f kmake kmake_in variant_src variant_obj obj_dir
	OUT=$OUT KOBJ=$base unshare -m bash -c 'mount --bind "$1" "$2" && mount --bind "$3" "$4" &&
		kmake ours -s Image' mutant "$file" \
		"$(variant_src ours)/drivers/iommu/io-pgtable-arm.c" "$obj" "$base" \
		>"$obj/build.log" 2>&1 ||
		{ tail -20 "$obj/build.log" >&2; log "mutant $m: kernel build failed"; return 1; }
	echo "$obj/arch/arm64/boot/Image"
}
