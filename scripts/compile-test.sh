#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build vmlinux from a tree with every in-tree io-pgtable-arm user enabled
# (arm-smmu, arm-smmu-v3, qcom_iommu, ipmmu-vmsa, panfrost, panthor, msm),
# so a break of the drop-in contract shows up as a compile or link error;
# then rebuild the users and our files with W=1 and fail on any warning.
# usage: compile-test.sh [SRCTREE]   (default: the ours tree)
. "$(dirname "$0")/common.sh"

src=${1:-$(variant_src ours)}
obj=$OUT/obj/compile-test
mkdir -p "$obj"
cm() { make -C "$src" O="$obj" CC="ccache ${CROSS_COMPILE}gcc" -j"$(nproc)" "$@"; }

want=$(cat "$TOP/config/qemu-smmuv3.config" "$TOP/config/compile-test.config" | sha256sum)
if [ "$(cat "$obj/.fragments.sha" 2>/dev/null)" != "$want" ]; then
	log "compile-test: configuring"
	cm -s allnoconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
		"$TOP/config/qemu-smmuv3.config" "$TOP/config/compile-test.config" \
		>"$obj/merge.log" 2>&1
	cm -s olddefconfig
	while read -r line; do
		case $line in CONFIG_*=*)
			grep -qxF "$line" "$obj/.config" || die "compile-test: $line did not hold"
		esac
	done <"$TOP/config/compile-test.config"
	echo "$want" >"$obj/.fragments.sha"
fi
log "compile-test: building vmlinux with every io-pgtable-arm user"
cm -s vmlinux >"$obj/build.log" 2>&1 || { tail -30 "$obj/build.log"; die "compile-test: build failed"; }
users="drivers/iommu/io-pgtable-arm.o drivers/iommu/arm/arm-smmu/arm-smmu.o
drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.o drivers/iommu/arm/arm-smmu/qcom_iommu.o
drivers/iommu/ipmmu-vmsa.o drivers/gpu/drm/panfrost/panfrost_mmu.o
drivers/gpu/drm/panthor/panthor_mmu.o drivers/gpu/drm/msm/msm_iommu.o"
for o in $users; do rm -f "$obj/$o"; done
cm W=1 $users >"$obj/w1.log" 2>&1 || { tail -30 "$obj/w1.log"; die "compile-test: W=1 build failed"; }
if grep -E 'warning:' "$obj/w1.log"; then
	die "compile-test: W=1 warnings in io-pgtable-arm or its users"
fi
log "compile-test: ok (vmlinux links; W=1 clean on $(echo $users | wc -w) objects)"
