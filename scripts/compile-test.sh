#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Drop-in compile test: build vmlinux from a tree with every in-tree
# io-pgtable-arm user enabled (arm-smmu, arm-smmu-v3, qcom_iommu,
# ipmmu-vmsa, panfrost, panthor, msm), so a broken contract shows up as a
# compile or link error; then rebuild io-pgtable-arm and its users with W=1,
# here and against upstream's file, and fail on any warning in our file or
# any warning the users get with ours and not with upstream's.
# usage: compile-test.sh [SRCTREE]   (default: the ours tree)
. "$(dirname "$0")/common.sh"

src=${1:-$(variant_src ours)}
users="drivers/iommu/io-pgtable-arm.o drivers/iommu/arm/arm-smmu/arm-smmu.o
drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.o drivers/iommu/arm/arm-smmu/qcom_iommu.o
drivers/iommu/ipmmu-vmsa.o drivers/gpu/drm/panfrost/panfrost_mmu.o
drivers/gpu/drm/panthor/panthor_mmu.o drivers/gpu/drm/msm/msm_iommu.o"

# configure SRC OBJ: allnoconfig + fragments, every line of
# compile-test.config checked
configure() {
	kconfig_current "$2" "$TOP/config/qemu-smmuv3.config" "$TOP/config/compile-test.config" &&
		return 0
	log "compile-test: configuring $2"
	kconfigure --base "$TOP/config/qemu-smmuv3.config" compile-test "$1" "$2" \
		"$TOP/config/compile-test.config"
}

# w1 SRC OBJ: rebuild the users with W=1; print their warnings, paths cut
# to the tree-relative file so two trees compare.
w1() {
	local s=$1 o=$2 f
	for f in $users; do rm -f "$o/$f"; done
	# shellcheck disable=SC2086
	kmake_in "$s" "$o" W=1 $users >"$o/w1.log" 2>&1 ||
		{ tail -30 "$o/w1.log" >&2; die "compile-test: W=1 build failed in $o"; }
	grep 'warning:' "$o/w1.log" | sed -E 's|^.*/(drivers/[^:]*):[0-9]+(:[0-9]+)?:|\1:|' | sort -u
}

obj=$src/obj-compile-test
configure "$src" "$obj"
log "compile-test: building vmlinux with every io-pgtable-arm user"
kmake_in "$src" "$obj" -s vmlinux >"$obj/build.log" 2>&1 ||
	{ tail -30 "$obj/build.log"; die "compile-test: build failed"; }
w1 "$src" "$obj" >"$obj/w1.ours"

ref=$(obj_dir control compile-test)
up=$(variant_src control)
configure "$up" "$ref"
kmake_in "$up" "$ref" -s prepare >"$ref/prepare.log" 2>&1 ||
	die "compile-test: prepare failed for upstream"
w1 "$up" "$ref" >"$ref/w1.upstream"

ours_own=$(grep 'io-pgtable-arm' "$obj/w1.ours" || true)
new=$(comm -23 "$obj/w1.ours" "$ref/w1.upstream")
[ -z "$ours_own" ] || { echo "$ours_own"; die "compile-test: W=1 warnings in io-pgtable-arm.c"; }
[ -z "$new" ] || { echo "$new"; die "compile-test: new W=1 warnings in the users"; }
log "compile-test: ok: vmlinux links; W=1 on $(echo $users | wc -w) objects: $(wc -l <"$obj/w1.ours") warnings, the same $(wc -l <"$ref/w1.upstream") as with upstream's file, none in ours"
