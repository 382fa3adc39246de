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
		passed=$((passed + 1))
		results+=("ok      $1${3:+  ($3)}")
	else
		failed=$((failed + 1))
		results+=("FAILED  $1${3:+  ($3)}")
	fi
	log "${results[-1]}"
}

default_variant() { if have_our_pgtable; then echo ours; else echo control; fi; }

# Boot a scenario with an expected result.
# usage: scenario EXPECT VARIANT SCEN [TAG [VAR=value...]]
#   EXPECT: pass; refuse (upstream in C); selftest-fails, edu-fails (the
#   sync fault injection must make that check fail); faults-fails (failed
#   calls that leak their tables must fail the fault-injection suite).
scenario() {
	local expect=$1 v=$2 s=$3 tag=${4:-} rc=0 dir verdict name
	shift 3
	[ $# -gt 0 ] && shift
	env RUN_TAG="$tag" "$@" "$TOP/scripts/scenario.sh" "$v" "$s" || rc=$?
	dir=$OUT/run/$v-$s${tag:+-$tag}
	verdict=$(head -1 "$dir/verdict" 2>/dev/null || echo "no verdict")
	name="boot $v/$s${tag:+ ($tag${*:+: $*})}"
	case $expect in
	pass)
		record "$name: passes" "$rc" "$(tail -1 "$dir/verdict" 2>/dev/null)" ;;
	refuse)
		# Upstream refuses DMA != phys for tables: assert it still does,
		# and that the boot then fails.
		local ok=1
		[ "$rc" != 0 ] && grep -q 'Cannot accommodate DMA translation' \
			"$dir/console.log" && ok=0
		record "$name: upstream refuses bounced tables and fails, as expected" \
			"$ok" "$verdict" ;;
	selftest-fails)
		local ok=1
		grep -q 'sync fault injection active' "$dir/console.log" &&
			grep -q 'selftest failed (kunit-verdict exit 1)' "$dir/verdict" && ok=0
		record "$name: the bounced selftest catches the injected sync fault" \
			"$ok" "$verdict" ;;
	edu-fails)
		local ok=1
		grep -q 'sync fault injection active' "$dir/console.log" &&
			grep -qE 'edu-iommu-test: completed with [0-9]+ PASS [1-9][0-9]* FAIL' \
				"$dir/console.log" && ok=0
		record "$name: the edu test catches the unsynced unmap" "$ok" "$verdict" ;;
	faults-fails)
		local ok=1 line
		line=$(grep -m1 '^io-pgtable-arm-faults:' "$dir/kunit-faults.txt" 2>/dev/null || true)
		grep -q 'table memory fault injection active: unwind' "$dir/console.log" &&
			echo "$line" | grep -qE 'suite not ok; .* params: [0-9]+ pass, [1-9][0-9]* fail' && ok=0
		record "$name: the fault-injection suite catches failed calls that leak" \
			"$ok" "${line:-$verdict}" ;;
	esac
}

# The boot matrix (scripts/matrix.sh): stage 1/2 x 4K/16K/64K pages x
# A/C/E with ours, the control on the bounced rows and one coherent row per
# stage. Its stage-1 4K rows are the boots above (MATRIX_REUSE=1), which
# trace the SMMU's TLB fills and table reads for it (TRACE).
matrix_trace="smmu_iotlb_insert smmu_get_pte"
matrix() {
	local status name
	rm -f "$OUT/run/matrix.txt"
	while read -r status name; do
		case $status in
		ok) record "$name" 0 ;;
		FAILED) record "$name" 1 ;;
		skipped)
			skipped=$((skipped + 1))
			results+=("skipped $name")
			log "${results[-1]}" ;;
		esac
	done < <(MATRIX_REUSE=1 MATRIX_TRACE="$matrix_trace" "$TOP/scripts/matrix.sh")
}

harness() {
	local dir=$TOP/tools/testing/io-pgtable log=$OUT/harness-check.log rc=0 line p f
	[ -f "$dir/Makefile" ] || return 0
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

"$TOP/scripts/setup.sh"
harness

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
		while read -r status name; do
			[ -n "$status" ] || continue
			record "$name" "$([ "$status" = ok ] && echo 0 || echo 1)"
		done < <("$TOP/scripts/static-checks.sh" | grep -E '^(ok|FAILED) ')
	fi
	for s in ${SCENARIOS:-A B C E}; do
		case $v/$s in
		control/C) scenario refuse "$v" "$s" "" TRACE="$matrix_trace" ;;
		control/E) ;;	# upstream refuses bounced tables, as in C
		*) scenario pass "$v" "$s" "" TRACE="$matrix_trace" ;;
		esac
	done
	[ "$v" = ours ] || continue
	[ -z "${SCENARIOS:-}" ] || continue
	# The KUnit selftest: coherent and non-coherent, then bounced.
	scenario pass ours A kunit KUNIT=1
	scenario pass ours C kunit KUNIT=1
	# Controls: injected sync faults must be caught.
	scenario selftest-fails ours C kunit-skip KUNIT=1 APPEND=io_pgtable_arm.sync_fault=skip
	scenario selftest-fails ours C kunit-misplace KUNIT=1 APPEND=io_pgtable_arm.sync_fault=misplace
	scenario edu-fails ours E stale APPEND=io_pgtable_arm.sync_fault=stale
	scenario faults-fails ours A kunit-unwind KUNIT=1 APPEND=io_pgtable_arm.mem_fault=unwind
done

if [ -n "${SCENARIOS:-}" ]; then
	:	# a chosen subset of scenarios: no matrix
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
tail=""
[ "$skipped" = 0 ] || tail=", $skipped skipped"
echo "$passed passed, $failed failed$tail"
[ "$failed" = 0 ]
