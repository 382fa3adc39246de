#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot one scenario under QEMU virt + SMMUv3 and judge it from what the guest
# printed and from QEMU's SMMU trace (QEMU exits 0 even after a panic).
#   A  coherent SMMU (QEMU's own device tree)
#   B  SMMU described non-coherent (dma-coherent dropped from its DT node)
#   C  as B, plus swiotlb=65536,force: the SMMU reads bounce copies of the
#      tables, so it sees only what was synced
#   E  as C, plus QEMU's edu PCI device and our edu-iommu-test driver: the
#      device reads IOVAs after they were unmapped and must be blocked
#      (a 4K page, a 2M block, an unmap that frees a last-level table)
# usage: scenario.sh VARIANT SCENARIO     (Image must be built)
# env: SEED, SMP, TIMEOUT, APPEND (kernel args), QEMU_EXTRA, IMAGE, KUNIT=1
#      (a selftest boot: the KUnit suite is the verdict, no disk workload),
#      RUN_TAG (suffix of the run folder, for variations of a scenario),
#      QEMU10=1 (the QEMU of scripts/qemu10.sh, from out/qemu10/env),
#      STAGE=2 (QEMU10 only: machine virt-9.0 with an SMMU limited to stage 2),
#      TRACE (more QEMU trace events, e.g. smmu_iotlb_insert for the granule),
#      EDU=1 (QEMU's edu device and E's pass rules in another scenario, e.g.
#      A with APPEND=edu_iommu_test.inflight=1: the in-flight split test
#      with a coherent SMMU), TROUBLE_IGNORE (an ERE: console lines that
#      match it are not kernel trouble; scripts/debug.sh judges KCSAN's
#      reports itself), KUNIT_FILTER (KUNIT=1 only: a kunit.filter_glob,
#      SUITE_GLOB.CASE_GLOB; the faults suite is rerun only if SUITE_GLOB
#      matches it, and judged only then)
# Writes out/run/VARIANT-SCENARIO[-RUN_TAG]/{console.log,trace.log,verdict};
# exit 0 on PASS.
. "$(dirname "$0")/common.sh"

v=${1:?variant}
s=${2:?scenario}
check_variant "$v"
TIMEOUT=${TIMEOUT:-600}
SMP=${SMP:-2}
SEED=${SEED:-1}
obj=$(variant_obj "$v")
image=${IMAGE:-$obj/arch/arm64/boot/Image}
run=$OUT/run/$v-$s${RUN_TAG:+-$RUN_TAG}
g=$OUT/guest
[ -f "$image" ] || die "no $image: run 'make kernel VARIANT=$v' first"
[ -f "$g/initramfs.cpio" ] || "$TOP/scripts/guest.sh"
mkdir -p "$run"
rm -f "$run"/*

disk=$run/disk.img
truncate -s 64M "$disk"

qemu=(qemu-system-aarch64)
machine="virt,iommu=smmuv3"
qargs=()
if [ "${QEMU10:-0}" = 1 ]; then
	[ -f "$OUT/qemu10/env" ] ||
		die "no QEMU 10: $(cat "$OUT/qemu10/unavailable" 2>/dev/null || echo 'run scripts/qemu10.sh')"
	# shellcheck disable=SC1091
	. "$OUT/qemu10/env"
	# An empty module dir for the unpacked QEMU: the system's 7.2 modules
	# abort it ("Only modules from the same build can be loaded").
	if [ -n "$QEMU10_MODULE_DIR" ]; then export QEMU_MODULE_DIR=$QEMU10_MODULE_DIR; fi
	# shellcheck disable=SC2206
	qemu=("$QEMU10_BIN" $QEMU10_ARGS)
fi
case ${STAGE:-1} in
1) ;;
2)	[ "${QEMU10:-0}" = 1 ] || die "STAGE=2 needs QEMU10=1 (QEMU 7.2's SMMUv3 has stage 1 only)"
	# The global is honoured by virt-9.0 only; virt (10.0) ignores it.
	machine="virt-9.0,iommu=smmuv3"
	qargs+=(-global arm-smmuv3.stage=2) ;;
*) die "unknown STAGE '${STAGE}' (1 or 2)" ;;
esac
qargs+=(-cpu max -smp "$SMP" -m 1G -nographic -no-reboot -nic none ${QEMU_EXTRA:-})
# A selftest boot has no disk: a fault-injection run could hang its probe.
[ "${KUNIT:-0}" = 1 ] ||
	qargs+=(-drive "if=none,file=$disk,format=raw,id=d0"
		-device "virtio-blk-pci,drive=d0,iommu_platform=on,disable-legacy=on")
append="console=ttyAMA0 earlycon panic=-1 testinit.seed=$SEED ${APPEND:-}"

# QEMU's device tree with the smmuv3 node made non-coherent: its own
# dma-coherent dropped (QEMU 7.2), and dma-noncoherent added where it would
# still inherit dma-coherent from the root node (QEMU 10); an own
# dma-coherent wins over dma-noncoherent, so it is dropped either way.
noncoherent_dtb() {
	local dtb=$run/virt.dtb
	"${qemu[@]}" -M "$machine,dumpdtb=$dtb" "${qargs[@]}" >/dev/null 2>&1
	dtc -q -I dtb -O dts -o "$run/virt.dts" "$dtb"
	awk '
		/^\tdma-coherent;/ { root_coherent = 1 }	# a property of the root
		/^[[:space:]]*smmuv3@[0-9a-f]+ \{/ { in_smmu = 1 }
		in_smmu && /^[[:space:]]*dma-coherent;/ { dropped++; next }
		in_smmu && /^[[:space:]]*\};/ {
			in_smmu = 0
			if (root_coherent) { print "\t\tdma-noncoherent;"; added++ }
		}
		{ print }
		END { if (dropped > 1 || dropped + added == 0) exit 1 }
	' "$run/virt.dts" >"$run/virt-noncoherent.dts" ||
		die "smmuv3 node: neither a dma-coherent to drop nor one inherited"
	dtc -q -I dts -O dtb -o "$run/virt-noncoherent.dtb" "$run/virt-noncoherent.dts"
	echo "$run/virt-noncoherent.dtb"
}

case $s in
A) ;;
B) qargs+=(-dtb "$(noncoherent_dtb)") ;;
C) qargs+=(-dtb "$(noncoherent_dtb)"); append="$append swiotlb=65536,force" ;;
E) qargs+=(-device edu); qargs+=(-dtb "$(noncoherent_dtb)")
   append="$append swiotlb=65536,force" ;;
*) die "unknown scenario '$s' (A, B, C or E)" ;;
esac
edu_rules=0
[ "$s" = E ] && edu_rules=1
if [ "${EDU:-0}" = 1 ] && [ "$s" != E ]; then
	qargs+=(-device edu)
	edu_rules=1
fi

# KUNIT=1: a selftest boot. The io-pgtable-arm KUnit suite runs before
# init; then init arms failslab and fail_page_alloc and reruns the
# io-pgtable-arm-faults suite (which skips at boot, unarmed). Both suites
# are the verdict; the disk workload is skipped. Otherwise KUnit stays off,
# so the disk scenarios measure only the workload.
faults_suite=io-pgtable-arm-faults
faults_run=1
if [ -n "${KUNIT_FILTER:-}" ]; then
	# shellcheck disable=SC2254
	case $faults_suite in ${KUNIT_FILTER%%.*}) ;; *) faults_run=0 ;; esac
fi
# init waits for each parameter in D state: a slow one on a loaded host
# must not trip the 10 s hung-task panic meant for the control/C hang.
if [ "${KUNIT:-0}" = 1 ]; then
	append="$append testinit.skip=1 sysctl.kernel.hung_task_timeout_secs=120"
	[ -z "${KUNIT_FILTER:-}" ] || append="$append kunit.filter_glob=$KUNIT_FILTER"
	[ $faults_run = 0 ] || append="$append testinit.faults=$faults_suite"
else
	append="$append kunit.enable=0"
fi

log "$v/$s: booting (timeout ${TIMEOUT}s${KUNIT:+, KUnit}${APPEND:+, $APPEND})"
t=$(date +%s)
rc=0
traces=(-trace smmuv3_translate_success -trace smmuv3_record_event)
for e in ${TRACE:-}; do traces+=(-trace "$e"); done
timeout "$TIMEOUT" "${qemu[@]}" -M "$machine" "${qargs[@]}" \
	-kernel "$image" -initrd "$g/initramfs.cpio" -append "$append" \
	"${traces[@]}" \
	-D "$run/trace.log" </dev/null >"$run/console.log" 2>&1 || rc=$?
secs=$(($(date +%s) - t))
rm -f "$disk"

con=$run/console.log
translations=$(trace_count "$run/trace.log" smmuv3_translate_success)
events=$(trace_count "$run/trace.log" smmuv3_record_event)
edu=$(guest_result "$con" edu-iommu-test)
selftest=$(guest_result "$con" selftest)
moved=$(guest_mib "$con")
group=$(sed -n 's/.*TESTINIT: iommu: \(.*\)/\1/p' "$con" | tr -d '\r' | tail -1)

# Any WARN fails a boot: the selftest's misuse cases set
# IO_PGTABLE_QUIRK_NO_WARN. A KUnit boot's init exits when it is done.
trouble='Kernel panic|BUG:|WARNING:|Oops|Unable to handle|blocked for more than'
trouble_lines() {
	tr -d '\r' <"$con" | grep -E "$trouble" |
		if [ -n "${TROUBLE_IGNORE:-}" ]; then
			grep -vE "$TROUBLE_IGNORE" || true
		else
			cat
		fi |
		if [ "${KUNIT:-0}" = 1 ]; then
			grep -v -e 'Kernel panic - not syncing: Attempted to kill init' || true
		else
			cat
		fi
}

why=""
kunit=""
if [ "${KUNIT:-0}" = 1 ]; then
	# Judged against what must run in this boot (scripts/kunit-verdict.py)
	krc=0
	kunit_verdict "$con" io-pgtable-arm "$s" >"$run/kunit.txt" 2>&1 || krc=$?
	kunit=$(grep -m1 '^io-pgtable-arm:' "$run/kunit.txt" || tail -1 "$run/kunit.txt")
	frc=0
	if [ $faults_run = 1 ]; then
		kunit_verdict "$con" "$faults_suite" "$s" >"$run/kunit-faults.txt" 2>&1 || frc=$?
		faults=$(grep -m1 "^$faults_suite:" "$run/kunit-faults.txt" || tail -1 "$run/kunit-faults.txt")
	else
		faults="$faults_suite: not run (KUNIT_FILTER=$KUNIT_FILTER)"
	fi
	totals=$(tr -d '\r' <"$con" | sed -n "s/.*\] $faults_suite: \([0-9]* parameters, .*\)/\1/p" | tail -1)
fi

# The armed rerun of the faults suite ran, with the counts it must have.
faults_trouble() {
	grep -q "TESTINIT: faults: rerun of $faults_suite done" "$con" ||
		{ echo "init did not rerun $faults_suite: $(grep -m1 'TESTINIT: FAIL faults' "$con" | tr -d '\r')"; return; }
	[ "$frc" = 0 ] || echo "$faults (kunit-verdict exit $frc)"
}

if [ "$rc" = 124 ]; then
	why="timed out after ${TIMEOUT}s"
elif grep -q "$REFUSED_MSG" "$con"; then
	why="io-pgtable refused: $REFUSED_MSG for IOMMU page tables"
elif [ -n "$(trouble_lines)" ]; then
	why="kernel trouble: $(trouble_lines | head -1)"
elif [ "${KUNIT:-0}" = 1 ]; then
	if [ "$krc" != 0 ]; then
		why="selftest failed (kunit-verdict exit $krc): $kunit"
	elif [ $faults_run = 1 ]; then
		ftrouble=$(faults_trouble)
		[ -z "$ftrouble" ] || why="fault-injection suite: $ftrouble"
	fi
elif grep -q 'TESTINIT: FAIL' "$con"; then
	why="guest: $(grep -m1 'TESTINIT: FAIL' "$con" | tr -d '\r' | sed 's/.*TESTINIT: FAIL //')"
elif ! grep -q 'TESTINIT: PASS' "$con"; then
	why="guest never reported a verdict"
elif [ -n "$selftest" ] && ! echo "$selftest" | grep -q ' 0 FAIL$'; then
	why="io-pgtable selftest: $selftest"
elif [ "${translations:-0}" -eq 0 ]; then
	why="no SMMU translations: the DMA did not go through the SMMU"
elif [ "$edu_rules" = 1 ] && [ -z "$edu" ]; then
	why="edu-iommu-test did not report"
elif [ "$edu_rules" = 1 ] && ! echo "$edu" | grep -q ' 0 FAIL$'; then
	# The in-flight test names its first failed round; the unmap cases fail
	# when a stale IOVA still reaches memory
	failed_round=$(tr -d '\r' <"$con" | grep -B1 -m1 -E 'in-flight (probe )?round [0-9]+: FAIL' |
		head -1 | sed 's/.*edu-iommu-test: //' || true)
	why="$edu: ${failed_round:-a stale IOVA still reached memory}"
elif [ "$edu_rules" = 1 ] && [ "${events:-0}" -eq 0 ]; then
	why="edu-iommu-test passed but the SMMU recorded no fault"
elif [ "$edu_rules" != 1 ] && [ "${events:-0}" -ne 0 ]; then
	why="$events SMMU events (faults) recorded"
elif [ -z "$group" ] || ! echo "$group" | grep -q 'type=DMA'; then
	why="disk is not in a DMA-translated IOMMU group ($group)"
fi

if [ "${KUNIT:-0}" = 1 ]; then
	summary="KUnit: $kunit; $(grep -c 'WARNING: CPU' "$con" || true) WARNs; $faults; fault injection: ${totals:-no totals}; ${secs}s"
else
	summary="${edu:+$edu, }${moved:-0} MiB verified, ${translations:-0} SMMU translations, ${events:-0} SMMU events, ${selftest:+$selftest, }[$group], ${secs}s"
fi
if [ -z "$why" ]; then
	verdict="PASS"
else
	verdict="FAIL ($why)"
fi
printf '%s\n%s\n' "$verdict" "$summary" >"$run/verdict"
log "$v/$s: $verdict"
log "$v/$s: $summary"
[ -z "$why" ]
