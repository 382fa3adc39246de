# SPDX-License-Identifier: GPL-2.0
# Build-and-boot driver for our io-pgtable-arm overlay on Linux 6.12.
# See README.md. VARIANT is "ours" (base + overlay + patches) or "control"
# (upstream's io-pgtable-arm.c); SCEN is A, B, C or E.

# The default variant: scripts/common.sh's default_variant (ours when the
# overlay has our io-pgtable-arm.c)
VARIANT ?= $(shell bash -c '. scripts/common.sh && default_variant')
SCEN ?= A

.PHONY: help setup kernel boot demo test harness static series compile-test \
	bench kasan debug mutants clean distclean

help:
	@echo "make demo                 build (default variant) and boot scenarios A, B, C"
	@echo "make test                 run every test; ends with 'N passed, N failed'"
	@echo "make kernel VARIANT=v     build Image for ours|control (default: $(VARIANT))"
	@echo "make boot SCEN=A|B|C|E VARIANT=v   boot one scenario"
	@echo "make harness              userspace io-pgtable harness (make check)"
	@echo "make static               checkpatch, kernel-doc, sparse and W=1 on our files"
	@echo "make series               the upstream patch series in out/series (builds each patch)"
	@echo "make compile-test         vmlinux with every io-pgtable-arm user, W=1"
	@echo "make bench                benchmarks: ours against upstream 6.12"
	@echo "make mutants              every mutant of our file against the harness and its kernel checks"
	@echo "make kasan                KASAN + kmemleak boots: selftest and disk workload (slow)"
	@echo "make debug                DMA-API debug, KCSAN, lockdep, atomic-sleep boots; clang W=1 (slow)"
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

static:
	@VARIANTS=ours scripts/setup.sh && scripts/build.sh ours
	@scripts/static-checks.sh

series:
	@scripts/series.sh

compile-test: setup
	@scripts/compile-test.sh

bench: setup
	@scripts/bench.sh

kasan: setup
	@scripts/kasan.sh

debug: setup
	@scripts/debug.sh

mutants: setup
	@scripts/build.sh ours
	@scripts/mutants.sh

clean:
	rm -rf out/src/*/obj out/src/*/obj-* out/mutant out/run out/guest out/harness out/bench out/series

distclean:
	chmod -R u+w out 2>/dev/null || true
	rm -rf out
