#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The boot matrix: {stage 1, stage 2} x {4K, 16K, 64K kernel pages} x
# {A coherent, C bounced, E edu}, the disk workload and pass rules of
# scripts/scenario.sh, with our io-pgtable-arm.c; then the upstream control
# on every bounced (C) row, where it must refuse the tables ("Cannot
# accommodate DMA translation") and fail, and on one coherent row per stage,
# where it must pass. Beyond the scenario's verdict a row must show that it
# reached its configuration:
#   stage    arm-smmu-v3's features (TRANS_S1 0x200, TRANS_S2 0x400) and,
#            with QEMU 10, "stage=N" in every smmuv3_translate_success line;
#   granule  the tg of QEMU's smmu_iotlb_insert trace (1 4K, 2 16K, 3 64K):
#            the driver picks the kernel's page size;
#   mode     C and E: "IDR0.COHACC overridden by FW configuration (false)"
#            and every table the SMMU read (smmu_get_pte baseaddr) inside
#            the swiotlb pool; A: no override line.
# Then the DMA-in-flight split test (edu_iommu_test.inflight=1): F, as E
# (bounced) on every stage and page size with ours, and G, coherent (A with
# the edu device) on one page size per stage, with ours and the control.
# It passes when every write outside the unmapped page landed, every write
# into it after the unmap was blocked, and the SMMU's fault events are
# exactly those of the blocked writes.
# And L, lazy invalidation: C booted with iommu.strict=0 (flush queue), so
# the gather path strict mode never takes meets the SMMU; one page size per
# stage. The boot log must say "TLB invalidation policy: lazy mode".
# Stage 1 runs on the system's QEMU (7.2 on Debian 12: stage 1 only),
# stage 2 on the QEMU of scripts/qemu10.sh (virt-9.0, arm-smmuv3.stage=2);
# without it the stage-2 rows are skipped with the reason.
# Kernels: 4K is the variant's own objdir (scripts/build.sh; must be
# built); 16K and 64K are built here in obj-16k|obj-64k of its tree from
# config/pages-16k|64k.config (ccache; warm and unchanged: seconds).
# usage: matrix.sh
# env: MATRIX_PAGES ("4k 16k 64k"), MATRIX_STAGES ("1 2"), MATRIX_CONTROL
#      (1: also the control rows), MATRIX_INFLIGHT (1: the in-flight rows),
#      MATRIX_REUSE=1 (scripts/test.sh: the
#      stage-1 4K rows are judged from its boots out/run/VARIANT-A|C|E,
#      booted with TRACE="$MATRIX_TRACE", instead of booting them again;
#      MATRIX_REUSE_TAG: their RUN_TAG),
#      TIMEOUT (per boot, default 300), SEED, MATRIX_IMAGE_VARIANT_PAGES
#      (another Image for a row, e.g. MATRIX_IMAGE_ours_4k=...).
# Prints "ok|FAILED|skipped NAME (detail)" per row on stdout and the row
# table in out/run/matrix.txt; exit 0 when no row failed.
. "$(dirname "$0")/common.sh"

PAGES=${MATRIX_PAGES:-4k 16k 64k}
STAGES=${MATRIX_STAGES:-1 2}
MODES="A C E"
INFLIGHT=${MATRIX_INFLIGHT:-1}
CONTROL=${MATRIX_CONTROL:-1}
export TIMEOUT=${TIMEOUT:-300}
export TRACE="${MATRIX_TRACE:-$MATRIX_TRACE_EVENTS}"
table=$OUT/run/matrix.txt
mkdir -p "$OUT/run"
: >"$table.new"
nfail=0

have_our_pgtable || die "matrix: no drivers/iommu/io-pgtable-arm.c in the overlay"

pagesize() { case $1 in 4k) echo 4K ;; 16k) echo 16K ;; 64k) echo 64K ;; esac; }
modename() {
	case $1 in
	A) echo coherent ;; C) echo bounced ;; E) echo edu ;;
	F) echo in-flight/bounced ;; G) echo in-flight/coherent ;;
	L) echo lazy/bounced ;;
	esac
}
# QEMU retries a blocked 1 KiB edu transfer in 4-byte pieces: 256 events.
EVENTS_PER_BLOCKED=256

# The kernel of VARIANT with PAGES kernel pages; builds 16K/64K objdirs.
image() {	# image VARIANT PAGES       (env MATRIX_IMAGE_VARIANT_PAGES overrides)
	local o=MATRIX_IMAGE_$1_$2
	if [ -n "${!o:-}" ]; then
		echo "${!o}"
	elif [ "$2" = 4k ]; then
		echo "$(variant_obj "$1")/arch/arm64/boot/Image"
	else
		echo "$(obj_dir "$1" "$2")/arch/arm64/boot/Image"
	fi
}

build() {	# build VARIANT PAGES
	local v=$1 pg=$2 t obj
	[ "$pg" != 4k ] || return 0
	obj=$(obj_dir "$v" "$pg")
	t=$(date +%s)
	KOBJ=$obj "$TOP/scripts/config.sh" "$v" "$TOP/config/pages-$pg.config" || return 1
	KOBJ=$obj kmake "$v" -s Image >"$obj/build.log" 2>&1 ||
		{ tail -40 "$obj/build.log" >&2; log "matrix: $v-$pg: kernel build failed"; return 1; }
	if grep -q 'warning:' "$obj/build.log"; then
		grep 'warning:' "$obj/build.log" | sort -u >&2
		log "matrix: $v-$pg: kernel build has warnings"
		return 1
	fi
	log "matrix: $v-$pg: Image ready in $(($(date +%s) - t)) s"
}

# row_eval RUN STAGE PAGES MODE VARIANT: judge a finished boot beyond its
# verdict; sets the caller's stage_seen, granule, mib, trans, events, and
# appends to why.
# sum_landed CONSOLE WHAT: the "N/M WHAT landed" figures of the edu test's
# rounds, summed
sum_landed() {
	tr -d '\r' <"$1" | sed -n "s/.* \([0-9]*\/[0-9]*\) $2 landed.*/\1/p" |
		awk -F/ '{ a += $1; b += $2 } END { print a + 0 "/" b + 0 }'
}

tg_name() { case $1 in 1) echo 4K ;; 2) echo 16K ;; 3) echo 64K ;; *) echo "tg$1" ;; esac; }
row_eval() {
	local run=$1 st=$2 pg=$3 m=$4 v=$5 con=$1/console.log tr=$1/trace.log
	local feat tgs t stages pool outside ptes
	trans=$(trace_count "$tr" smmuv3_translate_success)
	events=$(trace_count "$tr" smmuv3_record_event)
	mib=$(guest_mib "$con")
	mib=${mib:-0}
	tgs=$(sed -n 's/.*smmu_iotlb_insert.* tg=\([0-9]*\).*/\1/p' "$tr" 2>/dev/null | sort -u)
	granule=""
	for t in $tgs; do granule="${granule:+$granule+}$(tg_name "$t")"; done
	granule=${granule:--}
	feat=$(tr -d '\r' <"$con" | sed -n 's/.*arm-smmu-v3.*(features 0x\([0-9a-f]*\)).*/\1/p' | head -1)
	stages=$(grep smmuv3_translate_success "$tr" 2>/dev/null |
		sed -n 's/.* stage=\([0-9]\).*/\1/p' | sort -u | tr '\n' ' ' || true)
	stage_seen=-
	if [ -n "$feat" ]; then
		if [ $((0x$feat & 0x200)) != 0 ]; then stage_seen=1
		elif [ $((0x$feat & 0x400)) != 0 ]; then stage_seen=2
		fi
	fi
	[ -z "$stages" ] || stage_seen="${stages% }"
	[ "$v" = control ] && [ "$m" = C ] && return 0	# refused: nothing to prove
	[ "$stage_seen" = "$st" ] || why="$why; stage $stage_seen used (features 0x${feat:-?}), not $st"
	proof="features 0x$feat"
	[ -z "$stages" ] || proof="$proof, every translation stage=$stages"
	proof=${proof% }
	[ "$granule" = "$(pagesize "$pg")" ] || why="$why; granule $granule, not the page size $(pagesize "$pg")"
	if [ "$m" = F ] || [ "$m" = G ]; then
		local blocked rounds rblocked round_line='edu-iommu-test: in-flight round [0-9]*: hole'
		rounds=$(grep -c "$round_line" "$con" || true)
		rblocked=$(grep "$round_line" "$con" |
			grep -c 'write into the hole after the unmap blocked' || true)
		# of every round, the probe rounds' too
		blocked=$(grep -c 'write into the hole after the unmap blocked' "$con" || true)
		[ "$events" = $((blocked * EVENTS_PER_BLOCKED)) ] ||
			why="$why; $events SMMU events, the $blocked blocked writes account for $((blocked * EVENTS_PER_BLOCKED)): DMA outside the hole faulted"
		# The block really was one: the SMMU filled its TLB with it at
		# level 2, at IOVA 2 * block (edu-iommu-test.c).
		local p=$(($(pagesize "$pg" | tr -d K) * 1024)) fills
		fills=$(grep smmu_iotlb_insert "$tr" | grep -c "addr=$(printf '%#x' $((2 * p * p / 8))) .*level=2" || true)
		[ "${fills:-0}" -gt 0 ] || why="$why; no level-2 (block) TLB fill at the block's IOVA"
		proof="$proof, $fills block TLB fills, $rblocked/$rounds rounds: hole blocked, $(sum_landed "$con" "writes outside the hole") writes outside landed"
		# The probe rounds: the device wrote from inside the split's TLB
		# callbacks, at least once per round.
		local probed landed pblocked
		probed=$(grep -c 'edu-iommu-test: in-flight probe round [0-9]*: hole' "$con" || true)
		pblocked=$((blocked - rblocked))
		landed=$(sum_landed "$con" "writes at the split's TLB callbacks")
		[ "$probed" -gt 0 ] && [ "${landed#*/}" -ge "$probed" ] ||
			why="$why; ${landed#*/} writes at TLB callbacks in $probed probe rounds"
		proof="$proof, $pblocked/$probed probe rounds: hole blocked, $landed writes at the split's TLB callbacks landed"
	fi
	if [ "$m" = L ]; then
		grep -q 'TLB invalidation policy: lazy mode' "$con" &&
			grep -q 'TESTINIT: iommu: .*type=DMA-FQ' "$con" ||
			why="$why; not in lazy mode (no DMA-FQ domain)"
		proof="$proof, lazy mode, DMA-FQ domain"
	fi
	if [ "$m" = A ] || [ "$m" = G ]; then
		! grep -q 'COHACC overridden' "$con" || why="$why; SMMU made non-coherent in a coherent row"
		proof="$proof, coherent"
		return 0
	fi
	grep -q 'IDR0.COHACC overridden by FW configuration (false)' "$con" ||
		why="$why; the SMMU is still coherent (no COHACC override)"
	pool=$(tr -d '\r' <"$con" | sed -n 's/.*software IO TLB: mapped \[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\].*/\1 \2/p' | head -1)
	ptes=$(grep -c smmu_get_pte "$tr" 2>/dev/null || true)
	if [ -z "$pool" ] || [ "${ptes:-0}" = 0 ]; then
		why="$why; cannot check table addresses (pool '${pool}', $ptes table reads traced)"
	else
		# Hex compared as zero-padded strings (mawk has no strtonum).
		# shellcheck disable=SC2086
		outside=$(set -- $pool; awk -v lo="$(printf %016x $(($1)))" \
			-v hi="$(printf %016x $(($2)))" '
			/smmu_get_pte/ {
				a = $2; sub(/baseaddr=0x/, "", a); sub(/,$/, "", a)
				a = tolower(a)
				while (length(a) < 16) a = "0" a
				if (a < lo || a > hi) n++
			}
			END { print n + 0 }' "$tr")
		[ "$outside" = 0 ] || why="$why; $outside of $ptes table reads outside the swiotlb pool"
		proof="$proof, COHACC off, $((ptes - outside))/$ptes table reads in swiotlb"
	fi
	[ "$m" != E ] && [ "$m" != F ] ||
		proof="$proof, $(guest_result "$con" edu-iommu-test | sed 's/.*completed with/edu/')"
}

# row STAGE PAGES MODE VARIANT EXPECT: boot (or reuse) one row and judge it
row() {
	local st=$1 pg=$2 m=$3 v=$4 expect=$5 img run rc=0 tag verdict
	local why="" stage_seen=- granule=- mib=0 trans=0 events=0 from="" name res proof=""
	name="matrix stage $st, $(pagesize "$pg") pages, $m $(modename "$m"), $v"
	img=$(image "$v" "$pg")
	if [ "$st" = 2 ] && [ ! -f "$OUT/qemu10/env" ]; then
		res="skipped"
		why="no QEMU >= 9.0: $(cat "$OUT/qemu10/unavailable" 2>/dev/null || echo 'scripts/qemu10.sh not run')"
	elif [ ! -f "$img" ]; then
		res=FAILED
		why="no kernel $img"
	else
		if [ "${MATRIX_REUSE:-0}" = 1 ] && [ "$st" = 1 ] && [ "$pg" = 4k ] &&
			[ "${m#[ACE]}" = "" ]; then
			run=$OUT/run/$v-$m${MATRIX_REUSE_TAG:+-$MATRIX_REUSE_TAG}
			from=" (boot $v/$m)"
			[ "$(verdict_of "$run")" = PASS ] || rc=1
		else
			local qenv=() scen=$m
			tag=s$st-$pg
			[ "$st" = 1 ] || qenv=(QEMU10=1 STAGE=2)
			case $m in
			F) scen=E; tag=$tag-inflight
			   qenv+=(APPEND=$INFLIGHT_APPEND) ;;
			G) scen=A; tag=$tag-inflight
			   qenv+=(EDU=1 APPEND=$INFLIGHT_APPEND) ;;
			L) scen=C; tag=$tag-lazy
			   qenv+=(APPEND=iommu.strict=0) ;;
			esac
			run=$OUT/run/$v-$scen-$tag
			rc=0
			env "${qenv[@]}" IMAGE="$img" RUN_TAG="$tag" \
				"$TOP/scripts/scenario.sh" "$v" "$scen" >/dev/null 2>&1 || rc=$?
		fi
		verdict=$(verdict_of "$run")
		row_eval "$run" "$st" "$pg" "$m" "$v"
		# A traced bounced boot leaves some 30 MB of trace: keep it packed.
		[ -n "$from" ] || gzip -f "$run/trace.log" 2>/dev/null || true
		case $expect in
		pass) [ "$rc" = 0 ] || why="$verdict$why" ;;
		refuse)
			if refused "$rc" "$run/console.log"; then
				expect="refused as expected ($REFUSED_MSG), boot failed"
			else
				why="control did not refuse the bounced tables: $verdict$why"
			fi ;;
		esac
		why=${why#; }
		if [ -z "$why" ]; then res=ok; else res=FAILED; fi
	fi
	[ "$res" != FAILED ] || nfail=$((nfail + 1))
	printf '%-7s  %-5s  %-7s  %-20s  %-24s  %-7s  %4s MiB  %7s transl  %5s events  %s\n' \
		"stage $st" "$(pagesize "$pg")" "$granule" "$m $(modename "$m")" \
		"$v$from" "$res" "$mib" "$trans" "$events" \
		"${why:-$expect${proof:+: $proof}}" >>"$table.new"
	log "matrix: $(tail -1 "$table.new")"
	echo "$res $name${why:+ ($why)}"
}

[ -f "$OUT/qemu10/env" ] || [ -f "$OUT/qemu10/unavailable" ] || "$TOP/scripts/qemu10.sh"
variants=ours
[ "$CONTROL" = 1 ] && variants="ours control"
declare -A built
for v in $variants; do
	for pg in $PAGES; do
		if build "$v" "$pg"; then built[$v-$pg]=1; else built[$v-$pg]=0; fi
	done
done

for st in $STAGES; do
	for pg in $PAGES; do
		for m in $MODES; do
			if [ "${built[ours-$pg]}" = 1 ]; then
				row "$st" "$pg" "$m" ours pass
			else
				nfail=$((nfail + 1))
				echo "FAILED matrix stage $st, $(pagesize "$pg") pages, $m, ours (kernel build failed)"
			fi
		done
	done
done
# Lazy invalidation, one page size per stage.
for st in $STAGES; do
	pg=${PAGES%% *}
	if [ "${built[ours-$pg]}" = 1 ]; then row "$st" "$pg" L ours pass; fi
done
# The in-flight split: a block of PAGE_SIZE^2/8 bytes (2M, 32M, 512M).
if [ "$INFLIGHT" = 1 ]; then
	for st in $STAGES; do
		for pg in $PAGES; do
			if [ "$pg" = 64k ]; then
				printf '%-7s  %-5s  %-7s  %-20s  %-24s  %s\n' "stage $st" 64K - \
					"F $(modename F)" ours "not modelled: a 64K-page block is 512M: it needs 512M of contiguous memory in the 1G guest and IOVAs beyond the edu device's 28-bit DMA mask" \
					>>"$table.new"
				continue
			fi
			if [ "${built[ours-$pg]}" = 1 ]; then row "$st" "$pg" F ours pass; fi
		done
		# The coherent in-flight rows, where 6.12 must pass too.
		pg=${PAGES%% *}
		[ "$pg" != 64k ] || continue
		if [ "${built[ours-$pg]}" = 1 ]; then row "$st" "$pg" G ours pass; fi
		if [ "$CONTROL" = 1 ] && [ "${built[control-$pg]}" = 1 ]; then
			row "$st" "$pg" G control pass
		fi
	done
fi
if [ "$CONTROL" = 1 ]; then
	for st in $STAGES; do
		for pg in $PAGES; do
			[ "${built[control-$pg]}" = 1 ] || {
				nfail=$((nfail + 1))
				echo "FAILED matrix stage $st, $(pagesize "$pg") pages, control (kernel build failed)"
				continue
			}
			row "$st" "$pg" C control refuse
			# One coherent row per stage: upstream passes there.
			if [ "$pg" = "${PAGES%% *}" ]; then row "$st" "$pg" A control pass; fi
		done
	done
fi

{
	printf '%-7s  %-5s  %-7s  %-20s  %-24s  %-7s  %8s  %14s  %12s  %s\n' stage pages granule mode variant result verified translations faults "expected / why"
	cat "$table.new"
	echo "not run: E (edu) with the control: upstream refuses bounced tables, as in C"
	echo "not modelled: a concatenated stage-2 root (QEMU's SMMUv3 has 44-bit IAS/OAS, no property changes them: a 4K stage-2 root has 32 level-0 entries)"
} >"$table"
rm -f "$table.new"
cat "$table" >&2
[ "$nfail" = 0 ]
