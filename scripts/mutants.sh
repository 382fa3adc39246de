#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Mutation testing: each tools/testing/io-pgtable/mutants/NAME.patch is one
# bug of a known class, applied to a copy of our io-pgtable-arm.c (never to
# the file itself). Its header names the checks that must kill it:
#   # mutant: <the bug>
#   # killed-by: harness kunit-A kunit-C disk-C edu inflight ...
#   # expect-<check>: <ERE the check's failure must match>
# A check kills a mutant only by failing for the expected reason: a
# timeout, or a failure that does not match, is a surviving mutant.
#
# usage: mutants.sh [--kernel|--harness] [NAME...]
#   default: every mutant against the harness, then every kernel check
#   --kernel: only the kernel checks (kunit-A, kunit-C, disk-C, edu,
#   inflight: the edu in-flight split test, coherent) of the
#   named mutants (make test's controls); --harness: only the harness
#   env: MUTANT_HARNESS_ARGS, more arguments for the harness binary
# Prints "ok|FAILED mutant NAME: killed by CHECK (...)" lines and the
# README's table (mutant, the bug, killed by) in out/mutants/table.md;
# exit 1 if any mutant survives.
. "$(dirname "$0")/common.sh"

MDIR=$MUTANTS
MOUT=$OUT/mutants
KERNEL_CHECKS="kunit-A kunit-C disk-C edu inflight"
# Checkers of other targets (scripts/kasan.sh, the debug target)
OTHER_CHECKS="kasan kmemleak dma-debug kcsan lockdep atomic-sleep"

hdr() {	# hdr NAME FIELD
	sed -n "s/^# $2: //p" "$MDIR/$1.patch" | head -1
}

# A harness failure: a failed check, or a sanitizer report; a case that
# timed out (a loaded machine) is no kill.
HARNESS_FAIL='(^| )FAIL|not ok|AddressSanitizer|runtime error|LeakSanitizer'
harness_failures() { grep -E "$HARNESS_FAIL" "$1" | grep -v 'timed out'; }

harness_check() {	# harness_check NAME -> prints the first failing check
	local pid rc f=$MOUT/src/$1.c bin=$MOUT/harness/io-pgtable-test-our log=$MOUT/$1.harness.log
	mutant_file "$1" "$f" || { echo "patch does not apply"; return 2; }
	make -s -C "$TOP/tools/testing/io-pgtable" OUT="$MOUT/harness" OUR="$f" \
		"$bin" >"$log" 2>&1 || { echo "harness build failed"; return 2; }
	# The first failure kills the mutant: stop the run there.
	"$bin" --impl our --check --no-controls ${MUTANT_HARNESS_ARGS:-} >>"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		harness_failures "$log" >/dev/null && { kill "$pid"; break; }
		sleep 1
	done
	rc=0
	wait "$pid" || rc=$?
	# Killed only by a reported failure: an exit status alone (a harness
	# that did not start, say) proves nothing.
	if ! harness_failures "$log" >/dev/null; then
		echo "no failure reported (exit $rc$(grep -q 'timed out' "$log" && echo ', a case timed out'))"
		return 1
	fi
	local expect first
	expect=$(hdr "$1" expect-harness)
	first=$(harness_failures "$log" | head -1 | cut -c1-150)
	if [ -n "$expect" ] && ! grep -qE "$expect" "$log"; then
		echo "failed for another reason: $first"
		return 1
	fi
	echo "$first"
	return 0
}

# Boot CHECK with mutant NAME's IMAGE; the run folder's verdict must be a
# failure matching the mutant's expectation.
kernel_check() {	# kernel_check NAME CHECK IMAGE -> prints the reason
	local m=$1 c=$2 img=$3 scen kenv=() dir expect why
	case $c in
	kunit-A) scen=A; kenv=(KUNIT=1) ;;
	kunit-C) scen=C; kenv=(KUNIT=1) ;;
	disk-C) scen=C ;;
	edu) scen=E ;;
	inflight) scen=A; kenv=(EDU=1 APPEND=$INFLIGHT_APPEND) ;;
	esac
	# A KUnit boot whose every parameter fails prints a lot: 560 s measured
	# on a loaded machine; the verdict kills, a timeout never does.
	env "${kenv[@]}" IMAGE="$img" RUN_TAG="mutant-$m-$c" TIMEOUT="${MUTANT_TIMEOUT:-1500}" \
		"$TOP/scripts/scenario.sh" ours "$scen" >/dev/null 2>&1 || true
	dir=$OUT/run/ours-$scen-mutant-$m-$c
	expect=$(hdr "$m" "expect-$c")
	why=$(verdict_of "$dir")
	case $why in PASS*) echo "the boot passed"; return 1 ;; esac
	! unfinished "$why" || { echo "$why"; return 1; }
	[ -n "$expect" ] || { echo "no expect-$c line in $m.patch"; return 1; }
	if grep -qE "$expect" "$dir/verdict" "$dir"/kunit*.txt 2>/dev/null; then
		echo "$(echo "$why" | cut -c1-120)"
		return 0
	fi
	echo "failed for another reason: $(echo "$why" | cut -c1-120)"
	return 1
}

kernel_only=0
harness_only=0
case ${1:-} in
--kernel) kernel_only=1; shift ;;
--harness) harness_only=1; shift ;;
esac
names=("$@")
if [ ${#names[@]} = 0 ]; then
	for p in "$MDIR"/*.patch; do
		n=$(basename "$p" .patch)
		case $n in debug-*) continue ;; esac	# the debug target's controls
		names+=("$n")
	done
fi
mkdir -p "$MOUT"
table=$MOUT/table.md
printf '| mutant | the bug | killed by |\n| --- | --- | --- |\n' >"$table"
survivors=0
img_of=""
img=""
for m in "${names[@]}"; do
	[ -f "$MDIR/$m.patch" ] || die "no mutant $m"
	killers=""
	survived=""
	checks=$(hdr "$m" killed-by)
	for c in $checks; do
		case " $OTHER_CHECKS " in *" $c "*) continue ;; esac
		[ "$c" = harness ] && [ "$kernel_only" = 1 ] && continue
		[ "$c" != harness ] && [ "$harness_only" = 1 ] && continue
		rc=0
		if [ "$c" = harness ]; then
			why=$(harness_check "$m") || rc=$?
		elif case " $KERNEL_CHECKS " in *" $c "*) true ;; *) false ;; esac; then
			# One kernel per mutant, for all of its kernel checks
			if [ "$img_of" != "$m" ]; then
				[ -n "$img_of" ] || "$TOP/scripts/build.sh" ours >&2
				img=$(mutant_image "$m" "$OUT/mutant/obj" "$(obj_dir ours)") || img=""
				img_of=$m
			fi
			if [ -z "$img" ]; then
				why="kernel build failed"; rc=1
			else
				why=$(kernel_check "$m" "$c" "$img") || rc=$?
			fi
		else
			why="unknown check '$c'"; rc=1
		fi
		if [ "$rc" = 0 ]; then
			echo "ok      mutant $m: killed by $c ($why)"
			killers="$killers $c"
		else
			echo "FAILED  mutant $m: survives $c ($why)"
			survived="$survived $c"
			survivors=$((survivors + 1))
		fi
	done
	printf '| `%s` | %s | %s |\n' "$m" "$(hdr "$m" mutant)" \
		"$(echo "${killers# }" | sed 's/ /, /g')${survived:+; SURVIVED: $survived}" >>"$table"
done
log "mutants: ${#names[@]} run, $survivors survivals; table in $table"
[ "$survivors" = 0 ]
