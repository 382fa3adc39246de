/* SPDX-License-Identifier: GPL-2.0 */
/* io-pgtable benchmark: the lean shim's counters and accounting. */
#ifndef _IO_PGTABLE_BENCH_H
#define _IO_PGTABLE_BENCH_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/sizes.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/io-pgtable.h>

struct bench_counts {
	u64 syncs;		/* dma_sync_single_for_device() calls */
	u64 lines;		/* 64-byte lines cleaned by maps and syncs */
	u64 maps, unmaps;	/* dma_map_single() / dma_unmap_single() */
	s64 page_bytes;		/* table pages held */
	s64 kmem_bytes;		/* kmalloc memory held, in slab classes */
	u64 warns;
	/*
	 * TLB callbacks, as the commands an SMMUv3 without range
	 * invalidation issues for them: flush_walk(size, granule) is
	 * size / granule, add_page and flush_all are one each.
	 */
	u64 inv_cmds;
	u64 flush_all, flush_walk, add_page;	/* the callbacks */
};

extern struct bench_counts BC;

/* the two files' init_fns, renamed by the Makefile */
extern struct io_pgtable_init_fns our_io_pgtable_arm_64_lpae_s1_init_fns;
extern struct io_pgtable_init_fns up_io_pgtable_arm_64_lpae_s1_init_fns;

void bench_shim_init(void);
void bench_acct_start(void);
void bench_acct_reset(void);
void bench_acct_op_end(void);
void bench_acct_stop(u64 *min_lines, u64 *min_runs);

#endif /* _IO_PGTABLE_BENCH_H */
