#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Memory-debugging run: "ours" built with generic KASAN and kmemleak in its
# own objdir (out/src/ours/obj-kasan, with the fragments of ours
# plus config/kasan.config), then booted: the KUnit selftest coherent and
# non-coherent (A) and bounced (C), and the disk workload in C and E. Each
# guest triggers kmemleak scans before powering off (testinit.kmemleak=1).
# Fails on any scenario failure, any KASAN report or any kmemleak report.
# Then two controls, KUnit boots of A with a mutant of our file (mutants/,
# built in out/mutant/obj-kasan) that must be caught: table-leak (a table's
# memory is never freed) by kmemleak, table-uaf (a freed table is read) by
# KASAN.
# Slow (a cold build takes minutes, the boots several times longer than
# without KASAN): not part of "make test".
# usage: kasan.sh          env: TIMEOUT (per boot, default 1800), SMP
. "$(dirname "$0")/common.sh"

export KOBJ=$(obj_dir ours kasan)
export TIMEOUT=${TIMEOUT:-1800}
image=$KOBJ/arch/arm64/boot/Image

VARIANTS=ours "$TOP/scripts/setup.sh"
WARNINGS=list "$TOP/scripts/build.sh" ours "$TOP/config/kasan.config"

TALLY=kasan
passed=0
failed=0
# count CONSOLE: set kasan and leaks (the caller's) from what CONSOLE shows
count() {
	kasan=$(grep -c 'BUG: KASAN:' "$1" || true)
	leaks=$(sed -n 's/.*TESTINIT: kmemleak: \([0-9]*\) reports.*/\1/p' "$1" |
		tail -1)
}

# boot KUNIT SCENARIO TAG     (KUNIT: 1 for a selftest boot, else empty)
boot() {
	local kunit=$1 s=$2 tag=$3 run=$OUT/run/ours-$2-$3 con ok=1 kasan leaks
	local why=""

	KUNIT=$kunit IMAGE=$image RUN_TAG=$tag \
		APPEND="testinit.kmemleak=1 ${APPEND:-}" \
		"$TOP/scripts/scenario.sh" ours "$s" || ok=0
	con=$run/console.log
	count "$con"
	[ $ok = 1 ] || why="scenario: $(verdict_of "$run")"
	[ "$kasan" = 0 ] || why="$why; $kasan KASAN reports"
	if [ -z "$leaks" ]; then
		why="$why; no kmemleak count ($(grep -m1 'TESTINIT: kmemleak:' "$con" | tr -d '\r'))"
	elif [ "$leaks" != 0 ]; then
		why="$why; $leaks kmemleak reports"
	fi
	{
		echo "ours/$s ($tag): KASAN reports $kasan, kmemleak reports ${leaks:-?}"
		sed -n 2p "$run/verdict"
	} | tee -a "$OUT/run/kasan-summary.txt" >&2
	tally "ours/$s ($tag)" "$why"
}

# Functions io-pgtable-arm.c defines (the selftest's are named lpae_* too)
ours_fns=$(c_functions "$OUR_PGTABLE")

# ours_only: the names on stdin (a symbol per line) defined in our file
ours_only() {
	sed 's/[.+].*//' | sort -u | grep -xF "$ours_fns" | tr '\n' ' ' || true
}

# control FAULT: a KUnit boot of A with mutant table-FAULT,
# which passes when the checker catches the fault in io-pgtable-arm.c:
# leak, a kmemleak report whose backtrace shows one of its functions and
# no KASAN report; uaf, a KASAN use-after-free report in one of them.
control() {
	local fault=$1 tag=kasan-$1 run=$OUT/run/ours-A-kasan-$1 con kasan leaks
	local found why="" mimage

	mimage=$(mutant_image "table-$fault" "$OUT/mutant/obj-kasan" "$KOBJ") || die "kasan: no kernel for mutant table-$fault"
	KUNIT=1 IMAGE=$mimage RUN_TAG=$tag \
		APPEND="testinit.kmemleak=1" \
		"$TOP/scripts/scenario.sh" ours A || true
	con=$run/console.log
	count "$con"
	case $fault in
	leak)
		found=$(tr -d '\r' <"$con" |
			sed -n 's/.*TESTINIT: kmemleak|  *\(\[<[0-9a-f]*>\] \)\{0,1\}\([a-z_][a-z0-9_.]*+0x\)/\2/p' |
			ours_only)
		[ "${leaks:-0}" -ge 1 ] || why="$why; no kmemleak report (${leaks:-no count})"
		[ -n "$found" ] || why="$why; no io-pgtable-arm.c function in the kmemleak backtraces"
		[ "$kasan" = 0 ] || why="$why; $kasan KASAN reports"
		;;
	uaf)
		found=$(tr -d '\r' <"$con" |
			sed -n 's/.*BUG: KASAN: [a-z-]*use-after-free in \([a-z_][a-z0-9_.]*\).*/\1/p' |
			ours_only)
		[ -n "$found" ] || why="$why; no KASAN use-after-free report in an io-pgtable-arm.c function"
		;;
	esac
	{
		echo "ours/A ($tag): control mutant table-$fault: KASAN reports $kasan, kmemleak reports ${leaks:-?}"
		echo "caught in: ${found:-nothing}"
		if [ -f "$run/verdict" ]; then
			sed -n 2p "$run/verdict"
		else
			echo "(scenario.sh wrote no verdict)"
		fi
	} | tee -a "$OUT/run/kasan-summary.txt" >&2
	tally "ours/A ($tag)" "$why" "the fault was caught"
}

mkdir -p "$OUT/run"
: >"$OUT/run/kasan-summary.txt"
boot 1 A kasan-kunit
boot 1 C kasan-kunit
boot "" C kasan
boot "" E kasan
control leak
control uaf
tally_total
