// SPDX-License-Identifier: GPL-2.0
/*
 * io-pgtable benchmark, in the booted kernel: the loops of the userspace
 * benchmark (tools/testing/io-pgtable/bench) timed against whichever
 * io-pgtable-arm.c this kernel was built with, through the public
 * io_pgtable API only. Test-only.
 *
 * Inert unless booted with io_pgtable_bench.run=1. Runs at late_initcall
 * and prints one line per row:
 *
 *   io_pgtable_bench: row gran=4K walk=nc op=map1 nops=65536 ns=... min=... max=...
 *
 * "walk=nc" rows use a platform device without dma-coherent: the tables go
 * through the streaming DMA API (dma-direct with real cache maintenance).
 */

#define pr_fmt(fmt) "io_pgtable_bench: " fmt

#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/init.h>
#include <linux/io-pgtable.h>
#include <linux/iommu.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/sort.h>

static bool run;
module_param(run, bool, 0444);
MODULE_PARM_DESC(run, "run the io-pgtable benchmark at boot");

static unsigned int reps = 3;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "timed runs per row (median reported)");

static unsigned int range_mb = 256;
module_param(range_mb, uint, 0444);
MODULE_PARM_DESC(range_mb, "size of the page rows' range, MiB");

#define BENCH_MAX_REPS	15
#define BENCH_IOVA	SZ_1G
#define BENCH_PA	BIT_ULL(36)
#define BENCH_BLOCKS	2048
#define BENCH_SPLITS	512

struct bench_gran {
	const char *name;
	unsigned long page, block;
};

static const struct bench_gran bench_grans[] = {
	{ "4K",  SZ_4K,  SZ_2M },
	{ "16K", SZ_16K, SZ_32M },
	{ "64K", SZ_64K, SZ_512M },
};

enum bench_op {
	B_MAP1, B_UNMAP1, B_MAP256, B_UNMAP256, B_MAPBLK, B_UNMAPBLK,
	B_IOVA, B_SPLIT, B_NR_OPS,
};

static const char *const bench_op_names[B_NR_OPS] = {
	"map1", "unmap1", "map256", "unmap256", "mapblk", "unmapblk",
	"iova", "split",
};

static void bench_tlb_flush_all(void *cookie)
{
}

static void bench_tlb_flush_walk(unsigned long iova, size_t size,
				 size_t granule, void *cookie)
{
}

static void bench_tlb_add_page(struct iommu_iotlb_gather *gather,
			       unsigned long iova, size_t granule,
			       void *cookie)
{
}

static const struct iommu_flush_ops bench_tlb = {
	.tlb_flush_all	= bench_tlb_flush_all,
	.tlb_flush_walk	= bench_tlb_flush_walk,
	.tlb_add_page	= bench_tlb_add_page,
};

struct bench_row {
	const struct bench_gran *g;
	enum bench_op op;
	unsigned long nops;
	u64 range;
};

static struct io_pgtable_ops *bench_alloc(struct device *dev,
					  const struct bench_gran *g,
					  bool coherent)
{
	struct io_pgtable_cfg cfg = {
		.pgsize_bitmap	= g->page | g->block,
		.ias		= 48,
		.oas		= 48,
		.coherent_walk	= coherent,
		.tlb		= &bench_tlb,
		.iommu_dev	= dev,
	};

	return alloc_io_pgtable_ops(ARM_64_LPAE_S1, &cfg, NULL);
}

static int bench_map(struct io_pgtable_ops *ops, unsigned long iova,
		     size_t pgsize, size_t count)
{
	while (count) {
		size_t mapped = 0;
		int ret;

		ret = ops->map_pages(ops, iova, BENCH_PA + iova, pgsize, count,
				     IOMMU_READ | IOMMU_WRITE, GFP_KERNEL,
				     &mapped);
		if (ret || !mapped)
			return ret ?: -EIO;
		iova += mapped;
		count -= mapped / pgsize;
	}
	return 0;
}

static int bench_setup(struct io_pgtable_ops *ops, struct bench_row *r)
{
	const struct bench_gran *g = r->g;
	unsigned long pages = r->range / g->page;

	switch (r->op) {
	case B_MAP1:
		r->nops = pages;
		return 0;
	case B_MAP256:
		r->nops = pages / 256;
		return 0;
	case B_UNMAP1:
	case B_IOVA:
		r->nops = pages;
		return bench_map(ops, BENCH_IOVA, g->page, pages);
	case B_UNMAP256:
		r->nops = pages / 256;
		return bench_map(ops, BENCH_IOVA, g->page, pages);
	case B_MAPBLK:
		r->nops = BENCH_BLOCKS;
		return 0;
	case B_UNMAPBLK:
		r->nops = BENCH_BLOCKS;
		return bench_map(ops, BENCH_IOVA, g->block, BENCH_BLOCKS);
	case B_SPLIT:
		r->nops = BENCH_SPLITS;
		return bench_map(ops, BENCH_IOVA, g->block, BENCH_SPLITS);
	default:
		return -EINVAL;
	}
}

static phys_addr_t bench_sink;

static bool bench_one(struct io_pgtable_ops *ops, const struct bench_row *r,
		      unsigned long i)
{
	const struct bench_gran *g = r->g;
	struct iommu_iotlb_gather gather;
	size_t mapped = 0;
	unsigned long iova;

	iommu_iotlb_gather_init(&gather);
	switch (r->op) {
	case B_MAP1:
		iova = BENCH_IOVA + i * g->page;
		return !ops->map_pages(ops, iova, BENCH_PA + iova, g->page, 1,
				       IOMMU_READ | IOMMU_WRITE, GFP_KERNEL,
				       &mapped) && mapped == g->page;
	case B_UNMAP1:
		iova = BENCH_IOVA + i * g->page;
		return ops->unmap_pages(ops, iova, g->page, 1, &gather) ==
		       g->page;
	case B_MAP256:
		iova = BENCH_IOVA + i * 256 * g->page;
		return !ops->map_pages(ops, iova, BENCH_PA + iova, g->page, 256,
				       IOMMU_READ | IOMMU_WRITE, GFP_KERNEL,
				       &mapped) && mapped == 256 * g->page;
	case B_UNMAP256:
		iova = BENCH_IOVA + i * 256 * g->page;
		return ops->unmap_pages(ops, iova, g->page, 256, &gather) ==
		       256 * g->page;
	case B_MAPBLK:
		iova = BENCH_IOVA + i * g->block;
		return !ops->map_pages(ops, iova, BENCH_PA + iova, g->block, 1,
				       IOMMU_READ | IOMMU_WRITE, GFP_KERNEL,
				       &mapped) && mapped == g->block;
	case B_UNMAPBLK:
		iova = BENCH_IOVA + i * g->block;
		return ops->unmap_pages(ops, iova, g->block, 1, &gather) ==
		       g->block;
	case B_IOVA:
		iova = BENCH_IOVA + i * g->page + 0x18;
		bench_sink += ops->iova_to_phys(ops, iova);
		return true;
	case B_SPLIT:
		iova = BENCH_IOVA + i * g->block + g->block / 2 + 3 * g->page;
		return ops->unmap_pages(ops, iova, g->page, 1, &gather) ==
		       g->page;
	default:
		return false;
	}
}

/* One timed run of a row on a fresh page table: ns per operation */
static int bench_run_once(struct device *dev, struct bench_row *r,
			  bool coherent, u64 *ns)
{
	struct io_pgtable_ops *ops = bench_alloc(dev, r->g, coherent);
	unsigned long i;
	u64 t0, t1;
	int ret;

	if (!ops)
		return -ENOMEM;
	ret = bench_setup(ops, r);
	if (ret)
		goto out;
	t0 = ktime_get_ns();
	for (i = 0; i < r->nops; i++) {
		if (!bench_one(ops, r, i)) {
			ret = -EIO;
			goto out;
		}
	}
	t1 = ktime_get_ns();
	*ns = div64_u64(t1 - t0, r->nops);
out:
	free_io_pgtable_ops(ops);
	cond_resched();
	return ret;
}

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void bench_row(struct device *dev, const struct bench_gran *g,
		      enum bench_op op, bool coherent)
{
	struct bench_row r = {
		.g = g, .op = op, .range = (u64)range_mb << 20,
	};
	unsigned int n = clamp(reps, 1U, (unsigned int)BENCH_MAX_REPS), k;
	u64 ns[BENCH_MAX_REPS];
	int ret = 0;

	for (k = 0; k < n && !ret; k++)
		ret = bench_run_once(dev, &r, coherent, &ns[k]);
	if (ret) {
		pr_err("row gran=%s walk=%s op=%s failed: %d\n", g->name,
		       coherent ? "coh" : "nc", bench_op_names[op], ret);
		return;
	}
	sort(ns, n, sizeof(ns[0]), bench_cmp_u64, NULL);
	pr_info("row gran=%s walk=%s op=%s nops=%lu ns=%llu min=%llu max=%llu\n",
		g->name, coherent ? "coh" : "nc", bench_op_names[op], r.nops,
		ns[n / 2], ns[0], ns[n - 1]);
}

static int __init io_pgtable_bench_init(void)
{
	struct platform_device_info info = {
		.name		= "io-pgtable-bench",
		.id		= PLATFORM_DEVID_NONE,
		.dma_mask	= DMA_BIT_MASK(48),
	};
	struct platform_device *pdev;
	unsigned int gi, op;
	u64 t0;
	int coh;

	if (!run)
		return 0;

	/* no driver, no firmware node: dma-direct, not coherent */
	pdev = platform_device_register_full(&info);
	if (IS_ERR(pdev)) {
		pr_err("cannot register the walker device: %ld\n",
		       PTR_ERR(pdev));
		return 0;
	}
	pr_info("start: walker device %s, coherent %d, reps %u, range %u MiB\n",
		dev_name(&pdev->dev), dev_is_dma_coherent(&pdev->dev), reps,
		range_mb);

	t0 = ktime_get_ns();
	for (gi = 0; gi < ARRAY_SIZE(bench_grans); gi++)
		for (coh = 1; coh >= 0; coh--)
			for (op = 0; op < B_NR_OPS; op++)
				bench_row(&pdev->dev, &bench_grans[gi], op,
					  coh);
	pr_info("done in %llu ms\n", div64_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));

	platform_device_unregister(pdev);
	return 0;
}
late_initcall(io_pgtable_bench_init);
