#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Debug checkers: "ours" built with DMA-API debugging, KCSAN (strict, with
# weak memory modelling), lockdep (PROVE_LOCKING) and DEBUG_ATOMIC_SLEEP in
# its own objdir (out/src/ours/obj-debug, from out/src/ours with the fragments of
# ours plus config/debug.config), then booted: the KUnit selftest
# coherent and non-coherent (A) and bounced (C), the disk workload in C
# and E. Then the same configuration with KCSAN instrumenting
# io-pgtable-arm.c alone (out/src/ours/obj-kcsan-file), which boots the
# KUnit race test alone with KCSAN watching our file densely: one access in
# KCSAN_SKIP_WATCH, each watched for KCSAN_UDELAY us.
# A boot passes when its scenario passes and the console shows no report
# of a checker: no "DMA-API:" report, no lockdep or atomic-context splat,
# no KCSAN report naming a function of io-pgtable-arm.c (KCSAN reports in
# the selftest or in other code are listed, and do not fail).
# Then the controls, mutants of our file (mutants/debug-*.patch, built in
# out/mutant/obj-debug from a copy of out/src/ours/obj-debug, or of
# obj-kcsan-file) that each checker must catch, by its report:
# debug-dma-size (DMA-API debugging, KUnit A), debug-kcsan-race (KCSAN,
# the dense race boot), debug-atomic-sleep
# (DEBUG_ATOMIC_SLEEP, disk C). io-pgtable-arm.c takes no lock, so lockdep
# has no control of its own.
# Last, ours built with Debian's clang (LLVM=1, out/src/ours/obj-clang), our two
# objects rebuilt with W=1: any warning fails; and its KUnit boot of A.
# Slow (cold builds, KCSAN boots): not part of "make test".
# KCSAN makes every memory access a call: under TCG the selftest runs
# about 25 times slower than without the checkers (a full KUnit boot of A
# would take about an hour), so the KUnit boots run the cases
# DEBUG_KUNIT_FILTER names (kunit.filter_glob; "all": both suites whole).
# usage: debug.sh         env: TIMEOUT (per boot, default 1800), SMP,
#                         KCSAN_SKIP_WATCH, KCSAN_UDELAY (the dense race
#                         boots: defaults 20 and 500),
#                         DEBUG_KUNIT_FILTER (default
#                         io-pgtable-arm.lpae_test_[fr]*: free_releases,
#                         race and race_contended)
. "$(dirname "$0")/common.sh"

export KOBJ=$(obj_dir ours debug)
export TIMEOUT=${TIMEOUT:-1800}
KCSAN_SKIP_WATCH=${KCSAN_SKIP_WATCH:-20}
KCSAN_UDELAY=${KCSAN_UDELAY:-500}
# The dense race kernel: KCSAN in io-pgtable-arm.c only, so that the rest
# of the kernel and the selftest's checks run at full speed while every
# access of ours is a candidate for a watchpoint. The spinlock files keep
# their barriers instrumented: KCSAN's boot selftest checks spin_unlock()'s
# (all files' barriers would also instrument the vDSO, which cannot link).
RACE_KOBJ=$(obj_dir ours kcsan-file)
RACE_FLAGS="KCSAN_SANITIZE=n KCSAN_SANITIZE_io-pgtable-arm.o=y
KCSAN_INSTRUMENT_BARRIERS_spinlock.o=y KCSAN_INSTRUMENT_BARRIERS_spinlock_debug.o=y"
race_image=$RACE_KOBJ/arch/arm64/boot/Image
DEBUG_KUNIT_FILTER=${DEBUG_KUNIT_FILTER:-io-pgtable-arm.lpae_test_[fr]*}
[ "$DEBUG_KUNIT_FILTER" != all ] || DEBUG_KUNIT_FILTER=""
image=$KOBJ/arch/arm64/boot/Image
summary=$OUT/run/debug-summary.txt
# The options the checkers need: merge_config drops an unmet one silently
CHECKERS="CONFIG_DMA_API_DEBUG CONFIG_DMA_API_DEBUG_SG CONFIG_KCSAN
CONFIG_KCSAN_STRICT CONFIG_KCSAN_WEAK_MEMORY CONFIG_PROVE_LOCKING
CONFIG_DEBUG_ATOMIC_SLEEP"

# shellcheck disable=SC2086
install_packages $DEBUG_PACKAGES
VARIANTS=ours "$TOP/scripts/setup.sh"
WARNINGS=list "$TOP/scripts/build.sh" ours "$TOP/config/debug.config"
for o in $CHECKERS; do
	grep -qx "$o=y" "$KOBJ/.config" ||
		die "debug: $o is not =y in $KOBJ/.config ($(grep "^$o=\|^# $o is not set" "$KOBJ/.config" || echo absent))"
done
log "debug: $(echo "$CHECKERS" | wc -w) checker options =y"
KOBJ=$RACE_KOBJ KMAKE_FLAGS=$RACE_FLAGS WARNINGS=list \
	"$TOP/scripts/build.sh" ours "$TOP/config/debug.config"

TALLY=debug
passed=0
failed=0

# io-pgtable-arm.c's and the selftest's (both name theirs lpae_*)
ours_fns=$(c_functions "$OUR_PGTABLE")
test_fns=$(c_functions "$TOP/drivers/iommu/io-pgtable-arm-selftests.c")

# The checkers' reports, as console lines
DMA_INFO='DMA-API: (preallocated [0-9]+ debug entries|debugging enabled by kernel config|dma_debug_entry pool grown to)'
LOCKDEP_RE='WARNING: possible|inconsistent lock state|suspicious RCU usage|bad unlock balance|held lock freed|BUG: Invalid wait context|lock held when returning|BUG: MAX_LOCK|lockdep is turned off|Nested lock was not taken|has not been registered|leaked lock'
ATOMIC_RE='BUG: sleeping function called from invalid context|BUG: scheduling while atomic'
KCSAN_REPORT='BUG: KCSAN:'	# a KCSAN report's headline starts so

# headline_fns: the functions of each KCSAN headline on stdin ("BUG:
# KCSAN: data-race in f+0x1/0x2 / g"), as "f g", one headline a line
headline_fns() {
	sed -n "s/.*$KCSAN_REPORT .* in \(.*\)/\1/p" | sed 's/+0x[0-9a-f/x]*//g; s/ *\/ */ /g'
}

# kcsan_fns CONSOLE: the functions each KCSAN report's headline names
kcsan_fns() { tr -d '\r' <"$1" | headline_fns; }

# is_fn_of LIST F: F (f.constprop.0, f.isra.0 too) is one of LIST's names
is_fn_of() { echo "$1" | grep -qxF "${2%%.*}"; }

# count CONSOLE: set dma lockdep atomic kcsan_ours kcsan_test kcsan_other
# (the caller's) from what CONSOLE shows; a KCSAN report is ours when its
# headline names a function of io-pgtable-arm.c, the selftest's when it
# names one of the selftest and none of ours
count() {
	local c=$1 r f mine
	dma=$(tr -d '\r' <"$c" | grep 'DMA-API: ' | grep -cvE "$DMA_INFO" || true)
	lockdep=$(tr -d '\r' <"$c" | grep -cE "$LOCKDEP_RE" || true)
	atomic=$(tr -d '\r' <"$c" | grep -cE "$ATOMIC_RE" || true)
	kcsan_ours=0
	kcsan_test=0
	kcsan_other=0
	while read -r r; do
		[ -n "$r" ] || continue
		mine=0
		for f in $r; do
			if is_fn_of "$ours_fns" "$f"; then
				mine=2
			elif [ $mine = 0 ] && is_fn_of "$test_fns" "$f"; then
				mine=1
			fi
		done
		case $mine in
		2) kcsan_ours=$((kcsan_ours + 1)) ;;
		1) kcsan_test=$((kcsan_test + 1)) ;;
		*) kcsan_other=$((kcsan_other + 1)) ;;
		esac
	done < <(kcsan_fns "$c")
}

# kcsan_ours_line CONSOLE: the first KCSAN headline naming a function of
# io-pgtable-arm.c
kcsan_ours_line() {
	local l f
	while read -r l; do
		for f in $(echo "$l" | headline_fns); do
			if is_fn_of "$ours_fns" "$f"; then
				echo "$l"
				return
			fi
		done
	done < <(tr -d '\r' <"$1" | grep "$KCSAN_REPORT ")
}

# checker_trouble: why the counts of count() fail a boot, empty if not
checker_trouble() {
	local why=""
	[ "$dma" = 0 ] || why="$why; $dma DMA-API report lines"
	[ "$lockdep" = 0 ] || why="$why; $lockdep lockdep report lines"
	[ "$atomic" = 0 ] || why="$why; $atomic atomic-context reports"
	[ "$kcsan_ours" = 0 ] || why="$why; $kcsan_ours KCSAN reports in io-pgtable-arm.c"
	echo "$why"
}

# note NAME RUN: one line of counts and the scenario's summary
note() {
	{
		echo "$1: DMA-API $dma, KCSAN io-pgtable-arm.c $kcsan_ours, KCSAN selftest $kcsan_test, KCSAN other $kcsan_other, lockdep $lockdep, atomic $atomic"
		if [ "$kcsan_ours$kcsan_test$kcsan_other" != 000 ]; then
			kcsan_fns "$2/console.log" | sort | uniq -c |
				sed 's/^ *\([0-9]*\) \([^ ]*\) \(.*\)/    KCSAN: \1 x data-race in \2 \/ \3/'
		fi
		if [ -f "$2/verdict" ]; then
			sed 's/^/    /' "$2/verdict"
		else
			echo "    (scenario.sh wrote no verdict)"
		fi
	} | tee -a "$summary" >&2
}

# debug_scenario IMAGE TAG SCENARIO [VAR=value...]: boot IMAGE through
# scenario.sh, KCSAN's reports left to this script; sets run; fails as
# scenario.sh does
debug_scenario() {
	local img=$1 tag=$2 s=$3
	shift 3
	run=$OUT/run/ours-$s-$tag
	env IMAGE="$img" RUN_TAG="$tag" TROUBLE_IGNORE="$KCSAN_REPORT" "$@" \
		"$TOP/scripts/scenario.sh" ours "$s"
}

# boot KUNIT SCENARIO TAG     (KUNIT: 1 for a selftest boot, else empty)
boot() {
	local kunit=$1 s=$2 tag=$3 run ok=1 why=""
	local dma lockdep atomic kcsan_ours kcsan_test kcsan_other

	debug_scenario "$image" "$tag" "$s" KUNIT="$kunit" \
		KUNIT_FILTER="${kunit:+$DEBUG_KUNIT_FILTER}" || ok=0
	count "$run/console.log"
	[ $ok = 1 ] || why="scenario: $(verdict_of "$run")"
	why="$why$(checker_trouble)"
	note "ours/$s ($tag)" "$run"
	tally "ours/$s ($tag)" "$why"
}

# race IMAGE TAG: a KUnit boot of A that runs only lpae_test_race, with
# KCSAN watching one access in KCSAN_SKIP_WATCH (4000 by default) for
# KCSAN_UDELAY us (80): the racing accesses of a few thousand calls are
# then watched often enough, and long enough for the other thread's.
# Sets run.
race() {
	debug_scenario "$1" "$2" A KUNIT=1 KUNIT_FILTER=io-pgtable-arm.lpae_test_race \
		APPEND="kcsan.skip_watch=$KCSAN_SKIP_WATCH kcsan.udelay_task=$KCSAN_UDELAY" || true
}

# race_trouble: why the race boot in $run failed or did not run its test,
# empty if it passed
race_trouble() {
	local v
	v=$(verdict_of "$run")
	case $v in
	PASS*) ;;
	*) echo "; scenario: $v"; return ;;
	esac
	grep -qE '^ok +lpae_test_race ' "$run/kunit.txt" ||
		echo "; lpae_test_race did not pass: $(grep -m1 'lpae_test_race' "$run/kunit.txt" || head -1 "$run/kunit.txt")"
}

# A dense KCSAN boot of ours: the race test, no report in our code
race_ours() {
	local why dma lockdep atomic kcsan_ours kcsan_test kcsan_other run

	race "$race_image" debug-race
	count "$run/console.log"
	why="$(race_trouble)$(checker_trouble)"
	note "ours/A (debug-race, KCSAN in io-pgtable-arm.c, kcsan.skip_watch=$KCSAN_SKIP_WATCH kcsan.udelay_task=$KCSAN_UDELAY)" "$run"
	tally "ours/A (debug-race)" "$why"
}

# control_image MUTANT CHECKER: the mutant's kernel, for KCSAN built like
# the dense race kernel
control_image() {
	if [ "$2" = kcsan ]; then
		local -x KMAKE_FLAGS=$RACE_FLAGS
		mutant_image "$1" "$OUT/mutant/obj-kcsan-file" "$RACE_KOBJ"
	else
		mutant_image "$1" "$OUT/mutant/obj-debug" "$KOBJ"
	fi
}

# control MUTANT: boot mutant MUTANT's kernel where its checker must catch
# it; passes when the console shows the report its header expects
# (# expect-CHECK:), and for KCSAN when the report names our code
control() {
	local m=$1 c mimage expect run tag=$1 why="" found verdict
	local dma lockdep atomic kcsan_ours kcsan_test kcsan_other

	c=$(sed -n 's/^# killed-by: //p' "$MUTANTS/$m.patch")
	expect=$(sed -n "s/^# expect-$c: //p" "$MUTANTS/$m.patch")
	[ -n "$expect" ] || die "debug: no expect-$c line in $m.patch"
	mimage=$(control_image "$m" "$c") || die "debug: no kernel for mutant $m"
	case $c in
	dma-debug)	# the first table freed is enough
		debug_scenario "$mimage" "$tag" A KUNIT=1 \
			KUNIT_FILTER=io-pgtable-arm.lpae_test_free_releases || true ;;
	kcsan)
		race "$mimage" "$tag" ;;
	atomic-sleep)
		debug_scenario "$mimage" "$tag" C || true ;;
	*) die "debug: $m: unknown checker '$c'" ;;
	esac
	count "$run/console.log"
	# KCSAN's reports are not kernel trouble to scenario.sh: that boot
	# may pass; the others must fail, for the checker's report
	verdict=$(verdict_of "$run")
	case $verdict in
	PASS*) [ "$c" = kcsan ] || why="$why; the boot passed" ;;
	esac
	! unfinished "$verdict" || why="$why; $verdict"
	if [ "$c" = kcsan ]; then
		found=$(kcsan_ours_line "$run/console.log" | grep -m1 -E "$expect" || true)
	else
		found=$(tr -d '\r' <"$run/console.log" | grep -m1 -E "$expect" || true)
	fi
	[ -n "$found" ] || why="$why; no console line matches '$expect'"
	[ "$c" != kcsan ] || [ "$kcsan_ours" -ge 1 ] ||
		why="$why; no KCSAN report names a function of io-pgtable-arm.c"
	note "ours ($tag): control mutant $m for $c" "$run"
	echo "    caught: ${found:-nothing}" | tee -a "$summary" >&2
	tally "ours ($tag)" "$why" "caught by $c"
}

# clang: ours with LLVM=1 in out/src/ours/obj-clang; our objects again with W=1
clang_build() {
	local obj why="" w objs
	obj=$(obj_dir ours clang)
	local -x KOBJ=$obj KCC="ccache clang" KMAKE_FLAGS="LLVM=1"

	objs="drivers/iommu/io-pgtable-arm.o drivers/iommu/io-pgtable-arm-selftests.o"
	"$TOP/scripts/config.sh" ours
	grep -q '^CONFIG_CC_IS_CLANG=y' "$obj/.config" ||
		die "debug: $obj/.config is not configured for clang"
	log "debug: clang: building Image in $obj ($(clang --version | head -1))"
	t=$(date +%s)
	kmake ours -s Image >"$obj/build.log" 2>&1 ||
		{ tail -40 "$obj/build.log"; die "debug: clang kernel build failed"; }
	log "debug: clang: Image built in $(($(date +%s) - t)) s, $(grep -c 'warning:' "$obj/build.log" || true) warnings"
	# shellcheck disable=SC2086
	(cd "$obj" && rm -f $objs)
	# shellcheck disable=SC2086
	kmake ours W=1 $objs >"$obj/w1.log" 2>&1 || why="; W=1 build of our objects failed"
	w=$(grep -c 'warning:' "$obj/w1.log" || true)
	grep 'warning:' "$obj/w1.log" | sort -u >&2 || true
	[ "$w" = 0 ] || why="$why; $w W=1 warnings in our objects"
	# shellcheck disable=SC2086
	for o in $objs; do
		[ -f "$obj/$o" ] || why="$why; no $o"
	done
	echo "clang (LLVM=1): W=1 warnings in our objects: $w (full build: $(grep -c 'warning:' "$obj/build.log" || true))" |
		tee -a "$summary" >&2
	tally "clang W=1" "$why"
	kmake ours -s Image >>"$obj/build.log" 2>&1 ||
		{ tail -40 "$obj/build.log"; die "debug: clang kernel relink failed"; }
	local run=$OUT/run/ours-A-clang-kunit ok=1
	KUNIT=1 IMAGE=$obj/arch/arm64/boot/Image RUN_TAG=clang-kunit TIMEOUT=600 \
		"$TOP/scripts/scenario.sh" ours A || ok=0
	echo "ours/A (clang-kunit): $(sed -n 2p "$run/verdict")" | tee -a "$summary" >&2
	tally "ours/A (clang-kunit)" "$([ $ok = 1 ] || echo "scenario: $(verdict_of "$run")")"
}

mkdir -p "$OUT/run"
: >"$summary"
t_boots=$(date +%s)
boot 1 A debug-kunit
boot 1 C debug-kunit
boot "" C debug
boot "" E debug
race_ours
log "debug: boots of ours took $(($(date +%s) - t_boots)) s"
t_ctl=$(date +%s)
control debug-dma-size
control debug-kcsan-race
control debug-atomic-sleep
log "debug: lockdep: io-pgtable-arm.c takes no lock (lockless: cmpxchg and acquire/release), so no lockdep control"
log "debug: controls took $(($(date +%s) - t_ctl)) s"
clang_build
tally_total
