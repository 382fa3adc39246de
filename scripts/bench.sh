#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# io-pgtable benchmark: our io-pgtable-arm.c against upstream 6.12's.
#  1. userspace (tools/testing/io-pgtable/bench): both files in one binary,
#     rows run alternately, REPS runs each; instruction counts per operation
#     from callgrind; DMA syncs and lines against the minimum; table memory;
#  2. in-kernel (drivers/misc/io-pgtable-bench.c): the same loops in the
#     booted QEMU kernel, ours and control, scenario A with
#     io_pgtable_bench.run=1 (TCG: only the ratio means something).
# usage: bench.sh            env: REPS (userspace runs per row, 9),
#                            KREPS (in-kernel runs per row, 3), NO_KERNEL=1
# Writes out/bench/{userspace.txt,kernel-ours.txt,kernel-control.txt,bench.txt}.
. "$(dirname "$0")/common.sh"

REPS=${REPS:-9}
KREPS=${KREPS:-3}
B=$OUT/bench
mkdir -p "$B"
bin=$B/io-pgtable-bench

log "bench: building the userspace benchmark"
make -s -C "$TOP/tools/testing/io-pgtable/bench" OUT="$B" >"$B/make.log" 2>&1 ||
	{ cat "$B/make.log"; die "bench: build failed"; }

log "bench: instruction counts (callgrind)"
rm -rf "$B/cg"
mkdir -p "$B/cg"
valgrind --tool=callgrind --collect-atstart=no --dump-line=no -q \
	--callgrind-out-file="$B/cg/cg.%p" "$bin" --callgrind \
	>"$B/callgrind.log" 2>&1 || { cat "$B/callgrind.log"; die "bench: callgrind run failed"; }

log "bench: timing, $REPS runs per row, ours and upstream alternating"
"$bin" --reps "$REPS" --ir "$B/cg" >"$B/userspace.txt" ||
	{ cat "$B/userspace.txt"; die "bench: userspace run failed"; }

# in-kernel rows: "io_pgtable_bench: row gran=4K walk=nc op=map1 nops=N ns=M min=A max=B"
kernel_rows() {	# kernel_rows VARIANT -> "gran walk op ns min max" lines
	local con=$OUT/run/$1-A-bench/console.log
	sed -n 's/.*io_pgtable_bench: row gran=\([^ ]*\) walk=\([^ ]*\) op=\([^ ]*\) nops=[0-9]* ns=\([0-9]*\) min=\([0-9]*\) max=\([0-9]*\).*/\1 \2 \3 \4 \5 \6/p' "$con"
}

if [ -z "${NO_KERNEL:-}" ]; then
	for v in ours control; do
		"$TOP/scripts/build.sh" "$v"
		log "bench: $v: booting scenario A with the in-kernel benchmark"
		APPEND="io_pgtable_bench.run=1 io_pgtable_bench.reps=$KREPS" \
			RUN_TAG=bench TIMEOUT=${TIMEOUT:-300} \
			"$TOP/scripts/scenario.sh" "$v" A ||
			log "bench: $v: scenario A verdict is not PASS (rows are still read)"
		kernel_rows "$v" >"$B/kernel-$v.txt"
		[ -s "$B/kernel-$v.txt" ] ||
			die "bench: $v: no io_pgtable_bench rows in $OUT/run/$v-A-bench/console.log"
		grep -h 'io_pgtable_bench: \(start\|done\)' "$OUT/run/$v-A-bench/console.log" >&2 || true
	done
fi

{
	cat "$B/userspace.txt"
	if [ -z "${NO_KERNEL:-}" ]; then
		echo
		echo "In-kernel (QEMU TCG, scenario A, $KREPS runs per row, median ns per operation; TCG times are only indicative: read the ratio)"
		printf '%-4s %-4s %-9s %10s %10s %7s\n' gran walk op "ours ns" "ctrl ns" ratio
		awk 'NR == FNR { k = $1 " " $2 " " $3; c[k] = $4; next }
		     { k = $1 " " $2 " " $3
		       printf "%-4s %-4s %-9s %10d %10s %7s\n", $1, $2, $3, $4,
			      (k in c) ? c[k] : "-",
			      (k in c && c[k] > 0) ? sprintf("%.2f", $4 / c[k]) : "-" }' \
			"$B/kernel-control.txt" "$B/kernel-ours.txt"
	fi
} >"$B/bench.txt"
cat "$B/bench.txt"
log "bench: done in $(($(date +%s) - T0)) s (table in $B/bench.txt)"
