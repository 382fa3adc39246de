# SPDX-License-Identifier: GPL-2.0
#
# The files under test and the kernel headers, shared by ./Makefile and
# bench/Makefile. Set BASE, OUR, OUT and UP (the upstream copy's folder
# under $(OUT)) before including it.
#
# The files under test are copied, unmodified, next to their
# io-pgtable-arm.h, so that "iommu-pages.h" falls through to the shim. The
# copies are compared on every build: a stale or foreign copy must never
# pass for upstream or for ours.

OUR_H	:= $(firstword $(wildcard $(dir $(OUR))io-pgtable-arm.h) \
		       $(BASE)/drivers/iommu/io-pgtable-arm.h)

# headers copied from the base tree: linux/io-pgtable.h (the API under
# test, with the series' patches to it applied in order), and the
# definitions the shim takes from the kernel rather than restating them
# (attribute macros, __KERNEL_DIV_ROUND_UP, _AC)
KHDRS	:= $(addprefix $(OUT)/inc/,linux/io-pgtable.h \
	   linux/compiler_attributes.h uapi/linux/const.h)
API_H	:= include/linux/io-pgtable.h
API_PATCHES := $(shell grep -l '^+++ b/$(API_H)' \
		 $(dir $(lastword $(MAKEFILE_LIST)))../../../patches/*.patch)

$(filter-out $(OUT)/inc/linux/io-pgtable.h,$(KHDRS)): $(OUT)/inc/%: $(BASE)/include/%
	@mkdir -p $(dir $@)
	cp $< $@

# each of those patches must change that header alone
$(OUT)/inc/linux/io-pgtable.h: $(BASE)/$(API_H) $(API_PATCHES)
	@mkdir -p $(dir $@)
	cp $< $@.tmp && chmod u+w $@.tmp
	@for p in $(API_PATCHES); do \
		! grep '^+++ ' $$p | grep -qv ' b/$(API_H)$$' || \
			{ echo "$$p: not only $(API_H)"; exit 1; }; \
		patch -s --no-backup-if-mismatch $@.tmp <$$p || exit 1; \
	done
	mv $@.tmp $@

# copy_pair SRC.c SRC.h: refresh $@ and its io-pgtable-arm.h if they differ
define copy_pair
	@test -f $(1) || { echo "missing $(1)"; exit 1; }
	@mkdir -p $(dir $@)
	@cmp -s $(1) $@ || { rm -f $@; cp $(1) $@; }
	@cmp -s $(2) $(dir $@)io-pgtable-arm.h || \
		{ rm -f $(dir $@)io-pgtable-arm.h; cp $(2) $(dir $@); }
endef

$(OUT)/$(UP)/io-pgtable-arm.c: FORCE
	$(call copy_pair,$(BASE)/drivers/iommu/io-pgtable-arm.c,$(BASE)/drivers/iommu/io-pgtable-arm.h)

$(OUT)/our/io-pgtable-arm.c: FORCE
	$(call copy_pair,$(OUR),$(OUR_H))
