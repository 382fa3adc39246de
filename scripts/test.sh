#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every test and end with "N passed, N failed".
# Each step prints progress; a step's failure is counted, never fatal.
. "$(dirname "$0")/common.sh"

passed=0
failed=0
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

# Scenario with an expected result: "pass", or "refuse" (upstream in C).
scenario() {	# scenario VARIANT SCEN EXPECT
	local v=$1 s=$2 expect=$3 rc=0 verdict
	"$TOP/scripts/scenario.sh" "$v" "$s" || rc=$?
	verdict=$(head -1 "$OUT/run/$v-$s/verdict" 2>/dev/null || echo "no verdict")
	case $expect in
	pass)
		local what="disk workload through the SMMU"
		[ "$s" = E ] && what="DMA after unmap faults (edu), disk workload"
		record "boot $v/$s: $what" "$rc" \
			"$(tail -1 "$OUT/run/$v-$s/verdict" 2>/dev/null)" ;;
	refuse)
		# Upstream refuses DMA != phys for tables: assert it still does,
		# and that the boot then fails.
		local ok=1
		[ "$rc" != 0 ] && grep -q 'Cannot accommodate DMA translation' \
			"$OUT/run/$v-$s/console.log" && ok=0
		record "boot $v/$s: upstream refuses bounced tables and fails, as expected" \
			"$ok" "$verdict" ;;
	esac
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
for v in $variants; do
	rc=0
	"$TOP/scripts/build.sh" "$v" || rc=$?
	record "build $v Image (no warnings)" "$rc"
	[ "$rc" = 0 ] || continue
	if [ "$v" = ours ]; then
		while read -r status name; do
			[ -n "$status" ] || continue
			record "$name" "$([ "$status" = ok ] && echo 0 || echo 1)"
		done < <("$TOP/scripts/static-checks.sh" | grep -E '^(ok|FAILED) ')
	fi
	for s in ${SCENARIOS:-A B C E}; do
		case $v/$s in
		control/C) scenario "$v" "$s" refuse ;;
		control/E) ;;	# upstream refuses bounced tables, as in C
		*) scenario "$v" "$s" pass ;;
		esac
	done
done

printf '\n%s\n' "Results:"
printf '  %s\n' "${results[@]}"
log "total time $(($(date +%s) - T0)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
