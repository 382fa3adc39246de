# SPDX-License-Identifier: GPL-2.0
# Build-and-boot driver for our io-pgtable-arm overlay on Linux 6.12.
# See README.md. VARIANT is "ours" (base + overlay + patches) or "control"
# (the unmodified base); SCEN is A, B or C.

VARIANT ?= $(if $(wildcard drivers/iommu/io-pgtable-arm.c),ours,control)
SCEN ?= A

.PHONY: help setup kernel boot demo test harness clean distclean

help:
	@echo "make demo                 build (default variant) and boot scenarios A, B, C"
	@echo "make test                 run every test; ends with 'N passed, N failed'"
	@echo "make kernel VARIANT=v     build Image for ours|control (default: $(VARIANT))"
	@echo "make boot SCEN=A|B|C VARIANT=v   boot one scenario"
	@echo "make harness              userspace io-pgtable harness (make check)"
	@echo "make setup                install packages, extract base, sync overlay"
	@echo "make clean / distclean    remove build outputs / everything in out/"

setup:
	@scripts/setup.sh

kernel: setup
	@scripts/build.sh $(VARIANT)

boot: kernel
	@scripts/scenario.sh $(VARIANT) $(SCEN)

demo:
	@scripts/demo.sh $(VARIANT)

test:
	@scripts/test.sh

harness: setup
	@$(MAKE) -C tools/testing/io-pgtable check

clean:
	rm -rf out/obj out/run out/guest out/harness

distclean:
	chmod -R u+w out 2>/dev/null || true
	rm -rf out
