#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every test and end with "N passed, N failed".
# Each step prints progress; a step's failure is counted, never fatal.
. "$(dirname "$0")/common.sh"

passed=0
failed=0
skipped=0
results=()

record() {	# record NAME RC [DETAIL]
	if [ "$2" = 0 ]; then
		results+=("ok      $1${3:+  ($3)}")
	else
		results+=("FAILED  $1${3:+  ($3)}")
	fi
	tally_line "$2" "${results[-1]}"
}

# record_lines: record each "ok NAME" and "FAILED NAME" line on stdin
# (scripts/static-checks.sh, matrix.sh, mutants.sh), count the "skipped
# NAME" ones; other lines are not results
record_lines() {
	local status name
	while read -r status name; do
		case $status in
		ok) record "$name" 0 ;;
		FAILED) record "$name" 1 ;;
		skipped)
			skipped=$((skipped + 1))
			results+=("skipped $name")
			log "${results[-1]}" ;;
		esac
	done
}

# Boot a scenario with an expected result.
# usage: scenario EXPECT VARIANT SCEN [TAG [VAR=value...]]
#   EXPECT: pass; refuse (upstream in C).
scenario() {
	local expect=$1 v=$2 s=$3 tag=${4:-} rc=0 dir verdict name
	shift 3
	[ $# -gt 0 ] && shift
	env RUN_TAG="$tag" "$@" "$TOP/scripts/scenario.sh" "$v" "$s" || rc=$?
	dir=$OUT/run/$v-$s${tag:+-$tag}
	verdict=$(verdict_of "$dir")
	name="boot $v/$s${tag:+ ($tag${*:+: $*})}"
	case $expect in
	pass)
		record "$name: passes" "$rc" "$(tail -1 "$dir/verdict" 2>/dev/null)" ;;
	refuse)
		# Upstream refuses DMA != phys for tables: assert it still does,
		# and that the boot then fails.
		local ok=1
		refused "$rc" "$dir/console.log" && ok=0
		record "$name: upstream refuses bounced tables and fails, as expected" \
			"$ok" "$verdict" ;;
	esac
}

# The boot matrix (scripts/matrix.sh): stage 1/2 x 4K/16K/64K pages x
# A/C/E with ours, the control on the bounced rows and one coherent row per
# stage. Its stage-1 4K rows are the boots above (MATRIX_REUSE=1), which
# trace the SMMU's TLB fills and table reads for it (TRACE).
matrix() {
	rm -f "$OUT/run/matrix.txt"
	record_lines < <(MATRIX_REUSE=1 MATRIX_TRACE="$MATRIX_TRACE_EVENTS" "$TOP/scripts/matrix.sh")
}

# The named mutants and the kernel checks that must kill them (their
# patches' killed-by lines; the harness kills every mutant: make mutants).
CONTROL_MUTANTS="sync-none sync-short sync-stale unwind-leak split-bbm"
mutant_controls() {
	record_lines < <("$TOP/scripts/mutants.sh" --kernel $CONTROL_MUTANTS || true)
}

# The verdict's own control: the KUnit A boot's console with every result
# turned into a skip must fail kunit-verdict.py on its counts.
verdict_rejects_skips() {
	local con=$OUT/run/ours-A-kunit/console.log skipped=$OUT/run/ours-A-kunit/all-skipped.log
	local name="kunit-verdict: a boot where everything skipped fails" rc=0 out
	[ -f "$con" ] || { record "$name" 1 "no $con"; return; }
	sed -E 's/^(\[ *[0-9.]+\] *)?( *)(not )?ok ([0-9]+) ([^#]*)$/\1\2ok \4 \5 # SKIP every result skipped/' \
		"$con" >"$skipped"
	out=$(kunit_verdict "$skipped" io-pgtable-arm A) || rc=$?
	# exit 1 and a wrong count: what a boot that ran nothing must get
	if [ "$rc" = 1 ] && echo "$out" | grep -q '^COUNT .* 0 parameters passed'; then
		rc=0
	else
		rc=1
	fi
	record "$name" "$rc" "$(echo "$out" | tail -1 | cut -c1-100)"
}

harness() {
	local dir=$TOP/tools/testing/io-pgtable log=$OUT/harness-check.log rc=0 line p f
	[ -f "$dir/Makefile" ] || { record "harness: make check" 1 "no $dir/Makefile"; return; }
	log "harness: make check (userspace io-pgtable with the walker model)"
	make -C "$dir" check >"$log" 2>&1 || rc=$?
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [ -z "$line" ]; then
		tail -30 "$log"
		record "harness: make check" 1 "no result line; see $log"
		return
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	grep -E '^(ok|not ok|PASS|FAIL)' "$log" | sed 's/^/    harness: /' >&2 || true
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$rc" = 0 ] || [ "$f" != 0 ] || { failed=$((failed + 1)); log "harness: make check exited $rc"; }
	log "harness: $line"
}

# make bench is not run here (its figures are not pass/fail), but its
# userspace binary links both files against the harness's shim: it must
# keep building when the shim grows.
bench_builds() {
	local rc=0 log=$OUT/bench-build.log
	make -s -C "$TOP/tools/testing/io-pgtable/bench" OUT="$OUT/bench" >"$log" 2>&1 || rc=$?
	record "bench: the userspace benchmark builds" "$rc" "$(grep -m1 -E 'error|undefined' "$log" || true)"
}

"$TOP/scripts/setup.sh"
harness
bench_builds

main=$(default_variant)
variants="$main"
[ "$main" = control ] || variants="$variants control"
builds_ok=1
for v in $variants; do
	rc=0
	"$TOP/scripts/build.sh" "$v" || rc=$?
	record "build $v Image (no warnings)" "$rc"
	[ "$rc" = 0 ] || { builds_ok=0; continue; }
	if [ "$v" = ours ]; then
		record_lines < <("$TOP/scripts/static-checks.sh")
	fi
	for s in ${SCENARIOS:-A B C E}; do
		case $v/$s in
		control/C) scenario refuse "$v" "$s" "" TRACE="$MATRIX_TRACE_EVENTS" ;;
		control/E) ;;	# upstream refuses bounced tables, as in C
		*) scenario pass "$v" "$s" "" TRACE="$MATRIX_TRACE_EVENTS" ;;
		esac
	done
	[ "$v" = ours ] || continue
	[ -z "${SCENARIOS:-}" ] || continue
	# The KUnit selftest: coherent and non-coherent, then bounced.
	scenario pass ours A kunit KUNIT=1
	verdict_rejects_skips
	scenario pass ours C kunit KUNIT=1
	# Controls: mutants of our file (scripts/mutants.sh) that the KUnit
	# boots, disk scenario C and the edu test must kill, each for its
	# expected reason.
	mutant_controls
done

if [ -n "${SCENARIOS:-}" ]; then
	# A chosen subset: no KUnit boots, controls or matrix, so no verdict
	record "partial run (SCENARIOS=$SCENARIOS): KUnit boots, controls and matrix not run" 1
elif [ "$main" != ours ]; then
	log "matrix: not run (no io-pgtable-arm.c of ours in the overlay)"
elif [ "$builds_ok" != 1 ]; then
	record "boot matrix (not run: a 4K build failed)" 1
else
	matrix
fi

printf '\n%s\n' "Results:"
printf '  %s\n' "${results[@]}"
[ ! -f "$OUT/run/matrix.txt" ] || { printf '\n%s\n' "Boot matrix:"; sed 's/^/  /' "$OUT/run/matrix.txt"; }
log "total time $(($(date +%s) - T0)) s"
tally_total
