#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Memory-debugging run: "ours" built with generic KASAN and kmemleak in its
# own objdir (out/obj/kasan, from out/src/ours with the fragments of ours
# plus config/kasan.config), then booted: the KUnit selftest coherent and
# non-coherent (A) and bounced (C), and the disk workload in C and E. Each
# guest triggers kmemleak scans before powering off (testinit.kmemleak=1).
# Fails on any scenario failure, any KASAN report or any kmemleak report.
# Slow (a cold build takes minutes, the boots several times longer than
# without KASAN): not part of "make test".
# usage: kasan.sh          env: TIMEOUT (per boot, default 1800), SMP
. "$(dirname "$0")/common.sh"

export KOBJ=$OUT/obj/kasan
export TIMEOUT=${TIMEOUT:-1800}
image=$KOBJ/arch/arm64/boot/Image

VARIANTS=ours "$TOP/scripts/setup.sh"
"$TOP/scripts/config.sh" ours "$TOP/config/kasan.config"
log "kasan: building Image in $KOBJ"
t=$(date +%s)
kmake ours -s Image >"$KOBJ/build.log" 2>&1 ||
	{ tail -40 "$KOBJ/build.log"; die "kasan: kernel build failed"; }
grep 'warning:' "$KOBJ/build.log" | sort -u >&2 || true
log "kasan: Image built in $(($(date +%s) - t)) s"
"$TOP/scripts/guest.sh"

passed=0
failed=0
# boot KUNIT SCENARIO TAG     (KUNIT: 1 for a selftest boot, else empty)
boot() {
	local kunit=$1 s=$2 tag=$3 run=$OUT/run/ours-$2-$3 con ok=1 kasan leaks
	local why=""

	KUNIT=$kunit IMAGE=$image RUN_TAG=$tag \
		APPEND="testinit.kmemleak=1 ${APPEND:-}" \
		"$TOP/scripts/scenario.sh" ours "$s" || ok=0
	con=$run/console.log
	kasan=$(grep -c 'BUG: KASAN:' "$con" || true)
	leaks=$(sed -n 's/.*TESTINIT: kmemleak: \([0-9]*\) reports.*/\1/p' "$con" |
		tail -1)
	[ $ok = 1 ] || why="scenario: $(head -1 "$run/verdict")"
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
	if [ -z "$why" ]; then
		passed=$((passed + 1))
		log "kasan: ours/$s ($tag): PASS"
	else
		failed=$((failed + 1))
		log "kasan: ours/$s ($tag): FAIL (${why#; })"
	fi
}

mkdir -p "$OUT/run"
: >"$OUT/run/kasan-summary.txt"
boot 1 A kasan-kunit
boot 1 C kasan-kunit
boot "" C kasan
boot "" E kasan
log "kasan: $passed passed, $failed failed"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
