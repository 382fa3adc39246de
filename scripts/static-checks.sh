#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static checks on the files we own and the diffs we apply, each one a
# pass/fail line: checkpatch --strict, sparse (C=2), W=1, kernel-doc, and
# the KUnit suite built as a module, and on 32-bit ARM built in and as a
# module.
# The ours tree must be configured (scripts/build.sh ours does it).
# usage: static-checks.sh   -> prints "ok NAME" / "FAILED NAME" lines,
#                               exit status = number of failed checks
. "$(dirname "$0")/common.sh"

src=$(variant_src ours)
obj=$(variant_obj ours)
res=$OUT/static
mkdir -p "$res"
fails=0

result() {	# result NAME RC LOGFILE
	if [ "$2" = 0 ]; then
		echo "ok      static: $1"
	else
		echo "FAILED  static: $1 (see $3)"
		sed "s/^/        /" "$3" | head -30 >&2
		fails=$((fails + 1))
	fi
}

c_files=$(cd "$TOP" && find drivers -name '*.[ch]' 2>/dev/null | sort)
objs=$(printf '%s\n' $c_files | sed -n 's/\.c$/.o/p')

for f in $c_files; do
	rc=0
	"$src/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		-f "$TOP/$f" >"$res/checkpatch-$(basename "$f").log" 2>&1 || rc=$?
	result "checkpatch --strict $f" "$rc" "$res/checkpatch-$(basename "$f").log"
	rc=0
	"$src/scripts/kernel-doc" -none -Wall "$TOP/$f" \
		>"$res/kernel-doc-$(basename "$f").log" 2>&1 || rc=$?
	[ -s "$res/kernel-doc-$(basename "$f").log" ] && rc=1
	result "kernel-doc -Wall $f" "$rc" "$res/kernel-doc-$(basename "$f").log"
done

for p in "$TOP"/patches/*.patch; do
	[ -e "$p" ] || continue
	rc=0
	# The diff alone: commit messages are checked on the series itself.
	sed -n '/^diff --git /,$p' "$p" >"$res/$(basename "$p")"
	"$src/scripts/checkpatch.pl" --strict --no-tree --no-signoff --terse \
		"$res/$(basename "$p")" >"$res/checkpatch-$(basename "$p").log" 2>&1 || rc=$?
	result "checkpatch --strict patches/$(basename "$p")" "$rc" \
		"$res/checkpatch-$(basename "$p").log"
done

if [ -n "$objs" ]; then
	# Sparse and W=1 on our objects only: force their rebuild.
	for o in $objs; do rm -f "$obj/$o"; done
	rc=0
	kmake ours C=1 W=1 $objs >"$res/sparse-w1.log" 2>&1 || rc=$?
	# Findings in our own files only (prepare steps build unrelated ones).
	grep -E 'warning:|error:' "$res/sparse-w1.log" |
		grep -F "$(printf '%s\n' $c_files)" >"$res/sparse-w1.findings" && rc=1
	result "sparse (C=1) and W=1 on $(echo $objs)" "$rc" "$res/sparse-w1.findings"
fi

# The KUnit suite as a module, with SWIOTLB_DYNAMIC (where swiotlb's
# inlines call unexported functions): vmlinux and modules in their own
# objdir; modpost must resolve every symbol the .ko uses.
kobj=$(obj_dir ours kunit-mod)
ko=drivers/iommu/io-pgtable-arm-selftests.ko
klog=$res/kunit-module.log
t=$(date +%s)
rc=0
KOBJ=$kobj "$TOP/scripts/config.sh" ours "$TOP/config/kunit-module.config" \
	>"$klog" 2>&1 || rc=$?
if [ "$rc" = 0 ]; then
	rm -f "$kobj/$ko"
	KOBJ=$kobj kmake ours -s vmlinux modules >>"$klog" 2>&1 || rc=$?
fi
grep -q 'modpost: .*undefined!' "$klog" && rc=1
[ -f "$kobj/$ko" ] || { echo "no $ko in $kobj" >>"$klog"; rc=1; }
log "static: vmlinux and modules with the suite =m: $(($(date +%s) - t)) s"
result "KUnit suite builds as a module (SWIOTLB_DYNAMIC=y)" "$rc" "$klog"

# The suite on 32-bit ARM, the 32-bit LPAE formats' own platforms (ARMv7
# with LPAE): built in (vmlinux links: no 64-bit division left to libgcc)
# and as a module (modpost resolves it), W=1 on our objects.
arm32_build() {	# arm32_build NAME LOG FRAGMENT... (in a subshell)
	local o lf=$2
	o=$(obj_dir ours "$1")
	ARCH=arm CROSS_COMPILE=arm-linux-gnueabihf-
	shift 2
	kconfigure arm32 "$src" "$o" "$@" >"$lf" 2>&1 || return 1
	rm -f "$o"/drivers/iommu/io-pgtable-arm*.o "$o"/drivers/iommu/io-pgtable-arm*.ko
	kmake_in "$src" "$o" -s W=1 drivers/iommu/io-pgtable-arm.o \
		drivers/iommu/io-pgtable-arm-selftests.o >>"$lf" 2>&1 || return 1
	! grep -E 'warning:|error:' "$lf" | grep -qF "$(printf '%s\n' $c_files)" ||
		return 1
	kmake_in "$src" "$o" -s vmlinux $(grep -q '^CONFIG_MODULES=y' "$o/.config" &&
		echo modules) >>"$lf" 2>&1 || return 1
	! grep -q 'undefined' "$lf"
}
for v in "built in:arm32" "as a module:arm32-mod"; do
	t=$(date +%s)
	rc=0
	frags=("$TOP/config/arm32-kunit.config")
	[ "${v#*:}" = arm32-mod ] && frags+=("$TOP/config/arm32-kunit-module.config")
	(arm32_build "${v#*:}" "$res/kunit-${v#*:}.log" "${frags[@]}") || rc=1
	log "static: arm32 vmlinux with the suite ${v%%:*}: $(($(date +%s) - t)) s"
	result "KUnit suite builds on 32-bit ARM (LPAE), ${v%%:*}" "$rc" "$res/kunit-${v#*:}.log"
done
exit "$fails"
