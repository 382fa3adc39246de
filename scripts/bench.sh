#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# io-pgtable benchmark: our io-pgtable-arm.c against upstream 6.12's.
#  1. userspace (tools/testing/io-pgtable/bench): both files in one binary,
#     rows run alternately, REPS runs each; instruction counts per operation
#     from callgrind; DMA syncs and lines against the minimum; table memory;
#  2. in-kernel (drivers/misc/io-pgtable-bench.c): the same loops in the
#     booted QEMU kernel, ours and control, scenario A with
#     io_pgtable_bench.run=1 (TCG: only the ratio means something);
#  3. the kernel's own DMA map benchmark (kernel/dma/map_benchmark.c and
#     its tool) on the edu device through iommu-dma and arm-smmu-v3: 1, 2
#     and 4 threads (-smp 4), granules of 1, 16 and 512 pages, strict and
#     lazy invalidation, ours and the control booted alternately.
# The kernels are each variant's objdir obj-bench: the test fragments
# plus config/bench.config.
# usage: bench.sh            env: REPS (userspace runs per row, 9),
#                            KREPS (in-kernel runs per row, 3), NO_KERNEL=1,
#                            DMAB_ROUNDS (boots per variant and mode, 3),
#                            DMAB_SECS (seconds per benchmark run, 2)
# Writes out/bench/{userspace.txt,kernel-ours.txt,kernel-control.txt,
# dmab.txt,bench.txt}.
. "$(dirname "$0")/common.sh"

REPS=${REPS:-9}
KREPS=${KREPS:-3}
DMAB_ROUNDS=${DMAB_ROUNDS:-3}
DMAB_SECS=${DMAB_SECS:-2}
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

bench_image() { echo "$(obj_dir "$1" bench)/arch/arm64/boot/Image"; }

# dmab_boot VARIANT MODE ROUND: one benchmark boot; appends its rows,
# "VARIANT MODE ROUND THREADS GRANULE MAP_US UNMAP_US", to $B/dmab-rows.txt
dmab_boot() {
	local v=$1 mode=$2 r=$3 tag=dmab-$2-$3 strict=0 rc=0
	[ "$mode" = strict ] && strict=1
	SMP=4 QEMU_EXTRA="-device edu" IMAGE=$(bench_image "$v") RUN_TAG=$tag \
		APPEND="testinit.dmabench=$DMAB_SECS iommu.strict=$strict" \
		TIMEOUT=${TIMEOUT:-600} "$TOP/scripts/scenario.sh" "$v" A || rc=$?
	[ "$rc" = 0 ] || dmab_failed="$dmab_failed $v/$mode/$r"
	tr -d '\r' <"$OUT/run/$v-A-$tag/console.log" | sed -n \
		's/.*TESTINIT: dmabench: t=\([0-9]*\) g=\([0-9]*\) average \(map\|unmap\) latency(us):\([0-9.]*\).*/\1 \2 \3 \4/p' |
		awk -v p="$v $mode $r" '$3 == "map" { m[$1 " " $2] = $4 }
			$3 == "unmap" && ($1 " " $2) in m { print p, $1, $2, m[$1 " " $2], $4 }' >>"$B/dmab-rows.txt"
}

# The table: per mode, threads and granule, the median latencies over the
# rounds and the ratio ours/control (median of the rounds' ratios, min-max)
dmab_table() {
	echo "dma_map_benchmark (kernel/dma/map_benchmark.c) on the edu device through iommu-dma and arm-smmu-v3, scenario A, -smp 4, $DMAB_SECS s per run, $DMAB_ROUNDS boots per variant and mode, ours and the control alternating"
	echo "us: median of the boots' average latency per call; ratio: ours/control, median of the per-boot ratios (min-max); TCG: read the ratios"
	awk '
	function med(a, n,   i, j, x) {
		for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	{ k = $2 " " $4 " " $5; val[$1, k, $3, "map"] = $6; val[$1, k, $3, "unmap"] = $7
	  if (!(k in seen)) { seen[k] = 1; keys[++nk] = k }; if ($3 > nr) nr = $3 }
	END {
		printf "%-6s %3s %5s | %9s %9s %5s %-11s | %9s %9s %5s %-11s\n", "mode", "thr", "pages",
			"ours map", "ctrl map", "ratio", "(min-max)", "ours unm", "ctrl unm", "ratio", "(min-max)"
		for (i = 1; i <= nk; i++) {
			k = keys[i]; split(k, f, " "); line = sprintf("%-6s %3s %5s", f[1], f[2], f[3])
			for (op = 1; op <= 2; op++) {
				o = op == 1 ? "map" : "unmap"; n = 0; lo = 1e9; hi = 0
				delete ro; delete rc; delete rr
				for (r = 1; r <= nr; r++) {
					if (!(("ours", k, r, o) in val) || !(("control", k, r, o) in val)) continue
					n++; ro[n] = val["ours", k, r, o]; rc[n] = val["control", k, r, o]
					rr[n] = rc[n] > 0 ? ro[n] / rc[n] : 0
					if (rr[n] < lo) lo = rr[n]; if (rr[n] > hi) hi = rr[n] }
				if (!n) { line = line sprintf(" | %9s %9s %5s %-11s", "-", "-", "-", ""); continue }
				line = line sprintf(" | %9.1f %9.1f %5.2f %-11s", med(ro, n), med(rc, n), med(rr, n),
					sprintf("(%.2f-%.2f)", lo, hi))
			}
			print line
		}
	}' "$B/dmab-rows.txt"
}

if [ -z "${NO_KERNEL:-}" ]; then
	for v in ours control; do
		KOBJ=$(obj_dir "$v" bench) "$TOP/scripts/build.sh" "$v" "$TOP/config/bench.config"
		log "bench: $v: booting scenario A with the in-kernel benchmark"
		IMAGE=$(bench_image "$v") \
			APPEND="io_pgtable_bench.run=1 io_pgtable_bench.reps=$KREPS" \
			RUN_TAG=bench TIMEOUT=${TIMEOUT:-300} \
			"$TOP/scripts/scenario.sh" "$v" A ||
			log "bench: $v: scenario A verdict is not PASS (rows are still read)"
		kernel_rows "$v" >"$B/kernel-$v.txt"
		[ -s "$B/kernel-$v.txt" ] ||
			die "bench: $v: no io_pgtable_bench rows in $OUT/run/$v-A-bench/console.log"
		grep -h 'io_pgtable_bench: \(start\|done\)' "$OUT/run/$v-A-bench/console.log" >&2 || true
	done
	log "bench: dma_map_benchmark, $DMAB_ROUNDS rounds of strict and lazy, ours and the control alternating"
	: >"$B/dmab-rows.txt"
	dmab_failed=""
	for r in $(seq 1 "$DMAB_ROUNDS"); do
		for mode in strict lazy; do
			# who boots first alternates from round to round
			if [ $((r % 2)) = 1 ]; then order="ours control"; else order="control ours"; fi
			for v in $order; do
				dmab_boot "$v" "$mode" "$r"
			done
		done
	done
	dmab_table >"$B/dmab.txt"
	[ -z "$dmab_failed" ] ||
		echo "boots whose verdict was not PASS (an error, a fault, a failed run):$dmab_failed" >>"$B/dmab.txt"
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
		echo
		cat "$B/dmab.txt"
	fi
} >"$B/bench.txt"
cat "$B/bench.txt"
log "bench: done in $(($(date +%s) - T0)) s (table in $B/bench.txt)"
[ -z "${dmab_failed:-}" ] || die "bench: dma_map_benchmark boots failed:$dmab_failed"
