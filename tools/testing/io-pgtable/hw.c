// SPDX-License-Identifier: GPL-2.0
/*
 * io-pgtable harness: where the tables meet the hardware and overlapping
 * callers at the same moment. Each case pins one rule, and runs isolated
 * (a crash or a wait that never ends fails the case, not the harness).
 *
 * The hardware steps in through the model's hook, called at every table
 * allocation and TLB callback: it marks a block dirty as the SMMU would,
 * or runs another caller's operation in the middle of this one.
 *
 * The TLB is checked against the documented contract of iommu_flush_ops:
 * tlb_flush_walk invalidates walk caches only, tlb_add_page(iova, granule)
 * the leaf of that size holding iova (the SMMUv3 driver turns the granule
 * into a level hint), tlb_flush_all everything.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PROT_RW		(IOMMU_READ | IOMMU_WRITE)
#define AP_RDONLY	BIT_ULL(7)

static const struct tcfg hw_s1 = {
	"hw-s1-4k-48", ARM_64_LPAE_S1, SZ_4K | SZ_2M | SZ_1G, 48, 48, 0
};

static const struct tcfg hw_hd = {
	"hw-s1-4k-40-hd", ARM_64_LPAE_S1, SZ_4K | SZ_2M | SZ_1G, 40, 48,
	IO_PGTABLE_QUIRK_ARM_HD
};

static void hw_map(struct runctx *c, u64 iova, u64 pa, u64 pgsize, u64 n,
		   int prot, int want)
{
	size_t mapped = 0;
	int ret = c->ops->map_pages(c->ops, iova, pa, pgsize, n, prot,
				    GFP_KERNEL, &mapped);

	model_op_end();
	if (ret != want)
		model_fail(CAT_XLATE, "map %#llx (%#llx x %llu) returned %d, want %d",
			   (unsigned long long)iova, (unsigned long long)pgsize,
			   (unsigned long long)n, ret, want);
}

static size_t hw_unmap(struct runctx *c, u64 iova, u64 pgsize, u64 n,
		       struct iommu_iotlb_gather *g)
{
	size_t ret = c->ops->unmap_pages(c->ops, iova, pgsize, n, g);

	model_op_end();
	return ret;
}

/* Output address the device view gives @iova, or ~0 on a fault */
static u64 hw_dev_oa(struct runctx *c, u64 iova)
{
	struct lpae_wres r;

	walker_walk(&c->w, VIEW_DEV, iova, &r);
	return r.fault ? ~0ULL : r.oa;
}

static void hw_expect_oa(struct runctx *c, u64 iova, u64 want, const char *what)
{
	u64 oa = hw_dev_oa(c, iova);

	if (oa != want)
		model_fail(CAT_XLATE, "%s: %#llx translates to %#llx, want %#llx",
			   what, (unsigned long long)iova, (unsigned long long)oa,
			   (unsigned long long)want);
}

/* The SMMU writes through the leaf at @iova: it marks it dirty (HD) */
static void hw_device_write(struct runctx *c, u64 iova)
{
	struct lpae_wres r;

	walker_walk(&c->w, VIEW_DEV, iova, &r);
	if (r.fault || !c->w.hd || !(r.desc & LPAE_D_DBM))
		model_fail(CAT_DIRTY, "device write to %#llx: %s", (unsigned long long)iova,
			   r.fault ? r.why : "leaf without DBM");
	model_write_desc_cpu(r.table, r.idx, r.desc & ~AP_RDONLY);
}

static void hw_read_dirty(struct runctx *c, u64 iova, u64 size)
{
	struct iommu_dirty_bitmap db = { 0 };
	int ret = c->ops->read_and_clear_dirty(c->ops, iova, size, 0, &db);

	model_op_end();
	if (ret)
		model_fail(CAT_DIRTY, "read_and_clear_dirty returned %d", ret);
}

/* Every page of [iova, iova + size) but [hole, hole + hsize) reads dirty */
static void hw_expect_dirty(struct runctx *c, u64 iova, u64 size, u64 hole,
			    u64 hsize, const char *what)
{
	dirty_reset();
	hw_read_dirty(c, iova, size);
	if ((hole > iova && !dirty_covered(iova, hole - 1)) ||
	    (hole + hsize < iova + size &&
	     !dirty_covered(hole + hsize, iova + size - 1)))
		model_fail(CAT_DIRTY, "%s: dirty state of [%#llx, %#llx) lost",
			   what, (unsigned long long)iova,
			   (unsigned long long)(iova + size));
}

/* A read of part of a dirty block must not clean the rest of it */
static void case_dirty_partial(void *arg)
{
	struct runctx c = { 0 };
	u64 b = SZ_1G;

	ctx_open(&c, &hw_hd, MODE_COHERENT);
	hw_map(&c, b, 0x40000000, SZ_2M, 1, PROT_RW, 0);
	hw_read_dirty(&c, b, SZ_2M);
	hw_device_write(&c, b + SZ_8K);
	dirty_reset();
	hw_read_dirty(&c, b, SZ_4K);
	if (!dirty_covered(b, b + SZ_4K - 1))
		model_fail(CAT_DIRTY, "the 4K read did not report its page");
	hw_expect_dirty(&c, b, SZ_2M, b, 0, "after reading its first 4K");
	ctx_unmap_all(&c);
	ctx_close(&c);
}

/* Splitting a dirty block leaves every remaining page dirty */
static void case_dirty_split(void *arg)
{
	struct runctx c = { 0 };
	u64 b = SZ_1G;

	ctx_open(&c, &hw_hd, MODE_COHERENT);
	hw_map(&c, b, 0x40000000, SZ_2M, 1, PROT_RW, 0);
	hw_read_dirty(&c, b, SZ_2M);
	hw_device_write(&c, b);
	if (hw_unmap(&c, b + SZ_64K, SZ_4K, 1, NULL) != SZ_4K)
		model_fail(CAT_XLATE, "split of a dirty block failed");
	hw_expect_dirty(&c, b, SZ_2M, b + SZ_64K, SZ_4K, "split of a dirty block");
	hw_unmap(&c, b, SZ_2M, 1, NULL);
	ctx_close(&c);
}

static void hook_mark_dirty(void *arg)
{
	struct runctx *c = arg;

	M.hook = NULL;
	hw_device_write(c, SZ_1G + SZ_1M);
}

/* The SMMU marks the block dirty while the split is being built */
static void case_dirty_during_split(void *arg)
{
	struct runctx c = { 0 };
	u64 b = SZ_1G;

	ctx_open(&c, &hw_hd, MODE_COHERENT);
	hw_map(&c, b, 0x40000000, SZ_2M, 1, PROT_RW, 0);
	hw_read_dirty(&c, b, SZ_2M);	/* mapped dirty: clean it first */
	M.hook = hook_mark_dirty;
	M.hook_arg = &c;
	if (hw_unmap(&c, b + SZ_64K, SZ_4K, 1, NULL) != SZ_4K)
		model_fail(CAT_XLATE, "split failed");
	if (M.hook)
		model_fail(CAT_DIRTY, "the split allocated nothing: no hardware write");
	hw_expect_dirty(&c, b, SZ_2M, b + SZ_64K, SZ_4K,
			"block marked dirty during its split");
	hw_unmap(&c, b, SZ_2M, 1, NULL);
	ctx_close(&c);
}

struct overlap {
	struct runctx c;
	u64 b;
	int block_ret;
};

static void hook_map_block(void *arg)
{
	struct overlap *o = arg;
	size_t mapped = 0;

	M.hook = NULL;
	o->block_ret = o->c.ops->map_pages(o->c.ops, o->b, 0x40000000, SZ_2M,
					   1, PROT_RW, GFP_ATOMIC, &mapped);
}

/*
 * A block written over an entry while another caller builds a table for
 * it: exactly one wins, the other gets -EEXIST, and the tables show the
 * winner's mapping only.
 */
static void case_overlap_block_table(void *arg)
{
	enum dma_mode mode = (enum dma_mode)(long)arg;
	struct overlap o = { .b = SZ_1G + SZ_2M };
	size_t mapped = 0;
	int page_ret;

	ctx_open(&o.c, &hw_s1, mode);
	/* upper tables present, the entry of [b, b + 2M) empty */
	hw_map(&o.c, SZ_1G, 0x10000000, SZ_4K, 1, PROT_RW, 0);
	M.hook = hook_map_block;
	M.hook_arg = &o;
	page_ret = o.c.ops->map_pages(o.c.ops, o.b + SZ_4K, 0x20000000, SZ_4K,
				      1, PROT_RW, GFP_KERNEL, &mapped);
	model_op_end();
	if (M.hook)
		model_fail(CAT_XLATE, "the page map allocated nothing");
	if (!page_ret == !o.block_ret)
		model_fail(CAT_XLATE, "page map %d, block map %d: one must win",
			   page_ret, o.block_ret);
	if (!o.block_ret) {
		if (page_ret != -EEXIST)
			model_fail(CAT_XLATE, "page map lost with %d", page_ret);
		hw_expect_oa(&o.c, o.b + SZ_4K, 0x40000000 + SZ_4K, "block won");
		shadow_add(&o.c.sh, o.b, SZ_2M, 0x40000000, PROT_RW, false);
	} else {
		if (o.block_ret != -EEXIST)
			model_fail(CAT_XLATE, "block map lost with %d", o.block_ret);
		hw_expect_oa(&o.c, o.b + SZ_4K, 0x20000000, "table won");
		hw_expect_oa(&o.c, o.b + SZ_8K, ~0ULL, "table won");
		shadow_add(&o.c.sh, o.b + SZ_4K, SZ_4K, 0x20000000, PROT_RW, false);
	}
	shadow_add(&o.c.sh, SZ_1G, SZ_4K, 0x10000000, PROT_RW, false);
	check_state(&o.c, SZ_1G, SZ_1G + SZ_8M - 1, CAT_XLATE, "overlap");
	ctx_unmap_all(&o.c);
	ctx_close(&o.c);
}

/*
 * A TABLE-type entry with no table of ours behind it is corruption: never
 * split into leaves mapping whatever it points at, never reported mapped.
 * So is a block-type descriptor at the last level (reserved there).
 */
static void case_corrupt_type(void *arg)
{
	enum dma_mode mode = (enum dma_mode)(long)arg;
	u64 b = SZ_1G, e = SZ_1G + SZ_2M, desc;
	unsigned long tables;
	struct runctx c = { 0 };
	struct lpae_wres l3, l2;
	const char *why;
	size_t mapped = 0;
	int ret;

	ctx_open(&c, &hw_s1, mode);
	hw_map(&c, b, 0x10000000, SZ_4K, 2, PROT_RW, 0);
	walker_walk(&c.w, VIEW_DEV, b, &l3);
	walker_walk(&c.w, VIEW_DEV, e, &l2);
	if (l3.fault || !l2.fault || l2.level != 2)
		model_fail(CAT_XLATE, "set-up: unexpected layout");
	M.no_reach = true;
	/* the empty level-2 entry of e now points at b's last-level table */
	model_scribble(VIEW_CPU, l2.table, l2.idx, l3.table | 3);
	tables = model_live_tables();
	if (c.ops->iova_to_phys(c.ops, e + SZ_8K))
		model_fail(CAT_XLATE, "iova_to_phys() followed a TABLE entry with no table");
	if (hw_unmap(&c, e + SZ_8K, SZ_4K, 1, NULL))
		model_fail(CAT_XLATE, "unmap under a corrupt TABLE entry unmapped");
	ret = c.ops->map_pages(c.ops, e + SZ_16K, 0x30000000, SZ_4K, 1, PROT_RW,
			       GFP_KERNEL, &mapped);
	model_op_end();
	if (!ret || mapped)
		model_fail(CAT_XLATE, "map under a corrupt TABLE-type entry succeeded");
	if (model_live_tables() != tables)
		model_fail(CAT_XLATE, "corrupt TABLE-type entry split into leaves");
	if (model_read_desc(VIEW_CPU, l2.table, 512 * 8, l2.idx, &desc, &why) ||
	    desc != (l3.table | 3))
		model_fail(CAT_XLATE, "the corrupt entry was rewritten: %#llx",
			   (unsigned long long)desc);
	model_scribble(VIEW_CPU, l2.table, l2.idx, 0);
	/* a block-type descriptor at the last level is reserved: not a leaf */
	walker_walk(&c.w, VIEW_DEV, b + SZ_4K, &l3);
	model_scribble(VIEW_CPU, l3.table, l3.idx, (l3.desc & ~3ULL) | 1);
	if (c.ops->iova_to_phys(c.ops, b + SZ_4K))
		model_fail(CAT_XLATE, "level-3 block-type descriptor read as a page");
	model_scribble(VIEW_CPU, l3.table, l3.idx, l3.desc);
	hw_unmap(&c, b, SZ_4K, 2, NULL);
	ctx_close(&c);
}

/* One unmap held to the TLB contract (check.c) over the window */
static void gather_unmap(struct runctx *c, u64 iova, u64 pgsize, u64 n,
			 u64 first, u64 last, const char *what)
{
	struct iommu_iotlb_gather g = { 0 };
	struct tlb_watch t;
	size_t done;

	tlb_watch_begin(&t, c, first, last, &g);
	done = hw_unmap(c, iova, pgsize, n, &g);
	tlb_watch_end(&t, what);
	shadow_remove(&c->sh, iova, done);
}

/* Splits, table teardowns and plain unmaps, each checked against the TLB */
static void case_gather_contract(void *arg)
{
	enum dma_mode mode = (enum dma_mode)(long)arg;
	u64 b = SZ_1G, first = SZ_1G, last = 2ULL * SZ_1G + SZ_1G - 1;
	struct runctx c = { 0 };
	int i;

	ctx_open(&c, &hw_s1, mode);
	/* a split of a 2M block */
	hw_map(&c, b, 0x40000000, SZ_2M, 1, PROT_RW, 0);
	gather_unmap(&c, b + SZ_8K, SZ_4K, 1, first, last, "split of a 2M block");
	/* pages of the split table, one at a time and in a run */
	gather_unmap(&c, b, SZ_4K, 2, first, last, "unmap of 2 pages");
	/* the table of pages torn down by a 2M unmap */
	gather_unmap(&c, b, SZ_2M, 1, first, last, "unmap of a table's 2M");
	/* a table of pages */
	hw_map(&c, b, 0x50000000, SZ_4K, 512, PROT_RW, 0);
	gather_unmap(&c, b, SZ_4K, 256, first, last, "unmap of 256 pages");
	gather_unmap(&c, b + SZ_1M, SZ_2M / 2, 0, first, last, "bad unmap");
	gather_unmap(&c, b, SZ_2M, 1, first, last, "unmap of the rest by 2M");
	/* a 1G block split, then the 1G range torn down */
	hw_map(&c, 2ULL * SZ_1G, 0x80000000, SZ_1G, 1, PROT_RW, 0);
	gather_unmap(&c, 2ULL * SZ_1G + SZ_4K, SZ_4K, 1, first, last,
		     "split of a 1G block");
	for (i = 1; i < 4; i++)
		gather_unmap(&c, 2ULL * SZ_1G + i * SZ_2M, SZ_2M, 1, first, last,
			     "unmap of a 2M block inside a split 1G");
	gather_unmap(&c, 2ULL * SZ_1G, SZ_1G, 1, first, last, "unmap of a 1G range");
	/* blocks */
	hw_map(&c, b, 0x40000000, SZ_2M, 4, PROT_RW, 0);
	gather_unmap(&c, b, SZ_2M, 4, first, last, "unmap of 4 blocks");
	ctx_close(&c);
}

/* Commands of an SMMUv3 without range invalidation for one split */
static unsigned long split_cmds(u64 block)
{
	struct iommu_iotlb_gather g = { 0 };
	struct runctx c = { 0 };
	unsigned long cmds;

	ctx_open(&c, &hw_s1, MODE_COHERENT);
	hw_map(&c, SZ_1G, 0x40000000, block, 1, PROT_RW, 0);
	M.st.cmds = 0;
	if (hw_unmap(&c, SZ_1G + SZ_4K, SZ_4K, 1, &g) != SZ_4K)
		model_fail(CAT_XLATE, "split failed");
	cmds = M.st.cmds;
	ctx_close(&c);
	return cmds;
}

/* A split costs at most 2 commands plus 1 per page unmapped */
static void case_split_cmds(void *arg)
{
	unsigned long c2m = split_cmds(SZ_2M), c1g = split_cmds(SZ_1G);

	printf("  split commands (SMMUv3 without range invalidation): 2M block %lu, 1G block %lu\n",
	       c2m, c1g);
	fflush(stdout);
	if (c2m > 3 || c1g > 3)
		model_fail(CAT_FREE, "one-page split: %lu (2M), %lu (1G) commands, want <= 3",
			   c2m, c1g);
}

struct nowait {
	struct runctx c;
	int skip;
	size_t nested;
	phys_addr_t pa;
};

static void hook_nested_split(void *arg)
{
	struct nowait *o = arg;

	if (o->skip-- > 0)
		return;
	M.hook = NULL;
	o->pa = o->c.ops->iova_to_phys(o->c.ops, SZ_1G + SZ_64K);
	o->nested = o->c.ops->unmap_pages(o->c.ops, SZ_1G + SZ_8K, SZ_4K, 1,
					  NULL);
}

/*
 * Another caller splitting the same block while this split is in flight
 * (at each allocation or TLB callback of it in turn) finishes without
 * waiting, and both pages end up unmapped.
 */
static void case_no_wait(void *arg)
{
	enum dma_mode mode = (enum dma_mode)(long)arg;
	int at;

	for (at = 0; at < 8; at++) {
		struct nowait o = { .skip = at };

		ctx_open(&o.c, &hw_s1, mode);
		hw_map(&o.c, SZ_1G, 0x40000000, SZ_2M, 1, PROT_RW, 0);
		M.hook = hook_nested_split;
		M.hook_arg = &o;
		if (hw_unmap(&o.c, SZ_1G + SZ_4K, SZ_4K, 1, NULL) != SZ_4K)
			model_fail(CAT_XLATE, "outer split failed");
		if (M.hook) {	/* fewer hook points than @at */
			M.hook = NULL;
			hw_unmap(&o.c, SZ_1G, SZ_2M, 1, NULL);
			ctx_close(&o.c);
			if (!at)
				model_fail(CAT_XLATE, "the split reached no hook point");
			return;
		}
		if (o.nested != SZ_4K)
			model_fail(CAT_XLATE, "nested split returned %zu", o.nested);
		if (o.pa != 0x40000000 + SZ_64K)
			model_fail(CAT_XLATE, "iova_to_phys during a split: %#llx",
				   (unsigned long long)o.pa);
		hw_expect_oa(&o.c, SZ_1G + SZ_4K, ~0ULL, "outer page");
		hw_expect_oa(&o.c, SZ_1G + SZ_8K, ~0ULL, "nested page");
		hw_expect_oa(&o.c, SZ_1G + SZ_16K, 0x40000000 + SZ_16K, "kept page");
		hw_unmap(&o.c, SZ_1G, SZ_2M, 1, NULL);
		ctx_close(&o.c);
	}
}

struct hitless {
	struct runctx *c;
	int points, faults;
	u64 bad;
};

static void hook_dma_in_flight(void *arg)
{
	struct hitless *h = arg;
	static const u64 kept[] = { 0, SZ_16K, SZ_1M, SZ_2M - SZ_4K };
	int i;

	h->points++;
	for (i = 0; i < ARRAY_SIZE(kept); i++)
		if (hw_dev_oa(h->c, SZ_1G + kept[i]) != 0x40000000 + kept[i])
			h->bad = SZ_1G + kept[i];
	h->faults += !!h->bad;
}

/*
 * A split is hitless: at every allocation and TLB callback during it, the
 * device still translates every page of the block it keeps.
 */
static void case_hitless_split(void *arg)
{
	enum dma_mode mode = (enum dma_mode)(long)arg;
	struct runctx c = { 0 };
	struct hitless h = { .c = &c };
	u64 block;

	for (block = SZ_2M; block <= SZ_1G; block *= 512) {
		ctx_open(&c, &hw_s1, mode);
		hw_map(&c, SZ_1G, 0x40000000, block, 1, PROT_RW, 0);
		M.hook = hook_dma_in_flight;
		M.hook_arg = &h;
		if (hw_unmap(&c, SZ_1G + SZ_8K, SZ_4K, 1, NULL) != SZ_4K)
			model_fail(CAT_XLATE, "split failed");
		M.hook = NULL;
		hook_dma_in_flight(&h);
		if (h.faults)
			model_fail(CAT_XLATE, "%#llx block: %#llx faulted at %d of %d points",
				   (unsigned long long)block, (unsigned long long)h.bad,
				   h.faults, h.points);
		hw_expect_oa(&c, SZ_1G + SZ_8K, ~0ULL, "unmapped page");
		hw_unmap(&c, SZ_1G, block == SZ_2M ? SZ_2M : SZ_1G, 1, NULL);
		ctx_close(&c);
	}
}

/* Map @n pages from @iova, as many calls as the code needs */
static void hw_map_all(struct runctx *c, u64 iova, u64 pa, u64 pgsize, u64 n,
		       gfp_t gfp)
{
	while (n) {
		size_t mapped = 0;
		int ret = c->ops->map_pages(c->ops, iova, pa, pgsize, n, PROT_RW,
					    gfp, &mapped);

		model_op_end();
		if (ret || !mapped)
			model_fail(CAT_XLATE, "map %#llx x %llu: %d, mapped %#zx",
				   (unsigned long long)iova, (unsigned long long)n,
				   ret, mapped);
		shadow_add(&c->sh, iova, mapped, pa, PROT_RW, true);
		iova += mapped;
		pa += mapped;
		n -= mapped / pgsize;
	}
}

/* A coherent walker behind a DMA offset is linked by its DMA addresses */
static void case_coherent_offset(void *arg)
{
	struct runctx c = { 0 };
	u64 b = SZ_1G;

	ctx_open_at(&c, &hw_s1, MODE_COHERENT, DMA_DELTA);
	hw_map_all(&c, b, 0x10000000, SZ_4K, 600, GFP_ATOMIC);
	hw_map_all(&c, b + SZ_8M, 0x40000000, SZ_2M, 2, GFP_KERNEL);
	check_state(&c, b, b + SZ_16M - 1, CAT_XLATE, "coherent, DMA offset");
	if (hw_unmap(&c, b + SZ_8M + SZ_64K, SZ_4K, 1, NULL) != SZ_4K)
		model_fail(CAT_XLATE, "split failed");
	shadow_remove(&c.sh, b + SZ_8M + SZ_64K, SZ_4K);
	check_state(&c, b, b + SZ_16M - 1, CAT_XLATE, "coherent, DMA offset, split");
	ctx_unmap_all(&c);
	ctx_close(&c);
}

/*
 * A block over an empty table, or over a 1G range of empty tables, reads
 * no last-level entry: the tables' leaf counts say they are empty.
 */
static void case_block_over_tables(void *arg)
{
	struct runctx c = { 0 };
	unsigned long reads2m, reads1g;
	u64 b = SZ_1G, i;

	ctx_open(&c, &hw_s1, MODE_COHERENT);
	hw_map_all(&c, b, 0x10000000, SZ_4K, 512, GFP_KERNEL);
	hw_unmap(&c, b, SZ_4K, 512, NULL);
	shadow_clear(&c.sh);
	M.count_leaf_reads = true;
	hw_map(&c, b, 0x40000000, SZ_2M, 1, PROT_RW, 0);
	M.count_leaf_reads = false;
	reads2m = M.leaf_reads;
	hw_unmap(&c, b, SZ_2M, 1, NULL);
	for (i = 0; i < 512; i++)
		hw_map(&c, 2ULL * SZ_1G + i * SZ_2M, 0x10000000, SZ_4K, 1,
		       PROT_RW, 0);
	for (i = 0; i < 512; i++)
		hw_unmap(&c, 2ULL * SZ_1G + i * SZ_2M, SZ_4K, 1, NULL);
	M.leaf_reads = 0;
	M.count_leaf_reads = true;
	hw_map(&c, 2ULL * SZ_1G, 0x40000000, SZ_1G, 1, PROT_RW, 0);
	M.count_leaf_reads = false;
	reads1g = M.leaf_reads;
	hw_unmap(&c, 2ULL * SZ_1G, SZ_1G, 1, NULL);
	ctx_close(&c);
	printf("  block over empty tables: last-level entries read: 2M %lu, 1G %lu\n",
	       reads2m, reads1g);
	fflush(stdout);
	if (reads2m || reads1g)
		model_fail(CAT_XLATE, "block over empty tables read %lu + %lu last-level entries",
			   reads2m, reads1g);
}

/*
 * CPU-side memory against table memory, per granule: a 1 GiB buffer of
 * granule pages (typical) and of the smallest blocks (every upper table
 * present, only blocks below: the worst case). 6.12 has none.
 */
static void case_memory(void *arg)
{
	static const struct tcfg cfgs[] = {
		{ "hw-4k", ARM_64_LPAE_S1, SZ_4K | SZ_2M | SZ_1G, 48, 48, 0 },
		{ "hw-16k", ARM_64_LPAE_S1, SZ_16K | SZ_32M, 48, 48, 0 },
		{ "hw-64k", ARM_64_LPAE_S1, SZ_64K | SZ_512M, 48, 48, 0 },
	};
	int i, k;

	for (i = 0; i < ARRAY_SIZE(cfgs); i++) {
		u64 g = __ffs(cfgs[i].pgsizes), blk = g + (g - 3);

		for (k = 0; k < 2; k++) {
			struct runctx c = { 0 };
			u64 size = k ? 1ULL << blk : 1ULL << g;
			size_t tables, heap, heap0;

			ctx_open(&c, &cfgs[i], MODE_COHERENT);
			heap0 = model_heap_bytes();
			hw_map_all(&c, 4ULL * SZ_1G, 0x40000000, size,
				   SZ_1G / size, GFP_ATOMIC);
			tables = model_table_bytes();
			heap = model_heap_bytes() - heap0;
			printf("  memory, %lluK granule, 1 GiB of %s: tables %zu KiB, CPU %zu B",
			       (unsigned long long)(1ULL << g) >> 10,
			       k ? "blocks (worst case)" : "pages (typical)",
			       tables >> 10, heap);
			printf(" (%zu per MiB of tables, %.2f%%)\n",
			       heap * SZ_1M / tables, 100.0 * heap / tables);
			ctx_unmap_all(&c);
			ctx_close(&c);
		}
	}
	fflush(stdout);
}

/* Stage-2 execute-never is XN[1] alone: 0b11 would allow EL1 (FEAT_XNX) */
static void case_s2_xn(void *arg)
{
	static const struct tcfg s2 = {
		"hw-s2-4k-48", ARM_64_LPAE_S2, SZ_4K | SZ_2M | SZ_1G, 48, 48, 0
	};
	struct runctx c = { 0 };
	struct lpae_wres r;

	ctx_open(&c, &s2, MODE_COHERENT);
	hw_map(&c, SZ_1G, 0x40000000, SZ_4K, 1, IOMMU_READ | IOMMU_NOEXEC, 0);
	walker_walk(&c.w, VIEW_DEV, SZ_1G, &r);
	if (r.fault || ((r.desc >> 53) & 3) != 2)
		model_fail(CAT_XLATE, "stage-2 XN[1:0] = %llu, want 0b10",
			   (unsigned long long)((r.desc >> 53) & 3));
	hw_unmap(&c, SZ_1G, SZ_4K, 1, NULL);
	ctx_close(&c);
}

/* A walker that writes dirty bits needs coherent tables: refused */
static void case_hd_noncoherent(void *arg)
{
	struct io_pgtable_cfg cfg = tcfg_cfg(&hw_hd, MODE_DIRECT);
	struct io_pgtable_ops *ops;

	model_reset(MODE_DIRECT, CTL_NONE, 0);
	ops = alloc_io_pgtable_ops(ARM_64_LPAE_S1, &cfg, NULL);
	if (ops) {
		free_io_pgtable_ops(ops);
		model_fail(CAT_ALLOC, "HD accepted with a non-coherent walker");
	}
	model_check_leaks();
}

/*
 * Stage-2 start levels (Arm ARM R_DXBSH, R_SRKBC; no FEAT_LPA2): where the
 * level the IAS needs is not allowed (4K level 0 below a 44-bit PA, 16K
 * level 0 always and level 1 below 42 bits, 64K level 1 below 44 bits), a
 * concatenated next level is mandatory; a level 0 of at most 16 entries is
 * concatenated too, as 6.12 does.
 */
struct concat_case {
	unsigned long granule;
	unsigned int ias, oas;
	int start;		/* -1: refused */
	unsigned int tables;	/* concatenated at the start level */
};

static const struct concat_case concat_cases[] = {
	{ SZ_4K,  40, 40, 1, 2 },	/* R_SRKBC: PA 40 */
	{ SZ_4K,  40, 42, 1, 2 },	/* R_SRKBC: PA 42 */
	{ SZ_4K,  41, 42, 1, 4 },
	{ SZ_4K,  42, 42, 1, 8 },
	{ SZ_4K,  43, 44, 1, 16 },	/* optional, as 6.12 */
	{ SZ_4K,  44, 44, 0, 1 },	/* level 0 allowed, 32 entries */
	{ SZ_4K,  48, 40, -1, 0 },	/* would need 512 tables */
	{ SZ_16K, 48, 48, 1, 2 },	/* R_DXBSH */
	{ SZ_16K, 37, 40, 2, 2 },	/* level 1 needs a 42-bit PA */
	{ SZ_16K, 38, 40, 2, 4 },
	{ SZ_16K, 39, 40, 2, 8 },
	{ SZ_16K, 40, 40, 2, 16 },
	{ SZ_16K, 40, 42, 1, 1 },	/* level 1 allowed */
	{ SZ_64K, 43, 42, 2, 2 },	/* level 1 needs a 44-bit PA */
	{ SZ_64K, 46, 42, 2, 16 },
	{ SZ_64K, 44, 44, 1, 1 },
};

static void case_concat(void *arg)
{
	const struct concat_case *k = arg;
	unsigned long pgs = k->granule == SZ_4K ? SZ_4K | SZ_2M :
			    k->granule == SZ_16K ? SZ_16K | SZ_32M :
			    SZ_64K | SZ_512M;
	struct tcfg t = { "hw-s2-concat", ARM_64_LPAE_S2, pgs, k->ias, k->oas, 0 };
	struct io_pgtable_cfg cfg = tcfg_cfg(&t, MODE_COHERENT);
	u64 top = (1ULL << k->ias) - k->granule, entries;
	struct runctx c = { 0 };

	if (k->start < 0) {
		struct io_pgtable_ops *ops;

		model_reset(MODE_COHERENT, CTL_NONE, 0);
		ops = alloc_io_pgtable_ops(ARM_64_LPAE_S2, &cfg, NULL);
		if (ops) {
			free_io_pgtable_ops(ops);
			model_fail(CAT_ALLOC, "accepted: no legal start level");
		}
		return;
	}
	ctx_open(&c, &t, MODE_COHERENT);
	entries = k->tables * ((k->start == 0 && k->granule == SZ_4K) ?
			       32 : k->granule / 8);
	if (k->start == 1 && k->tables == 1)
		entries = 1ULL << (k->ias - lpae_geom_level_shift(&c.w, 1));
	if (c.w.start_level != k->start || c.w.root_entries != entries)
		model_fail(CAT_ALLOC, "start level %d, %llu entries; want %d, %llu",
			   c.w.start_level, (unsigned long long)c.w.root_entries,
			   k->start, (unsigned long long)entries);
	/* the reference walker agrees, at both ends of the input range */
	hw_map(&c, 0, 0x40000000, k->granule, 1, IOMMU_READ, 0);
	hw_map(&c, top, 0x80000000, k->granule, 1, IOMMU_READ, 0);
	hw_expect_oa(&c, 8, 0x40000008, "bottom");
	hw_expect_oa(&c, top + 8, 0x80000008, "top");
	hw_unmap(&c, 0, k->granule, 1, NULL);
	hw_unmap(&c, top, k->granule, 1, NULL);
	ctx_close(&c);
}

struct hw_case {
	const char *name;
	void (*fn)(void *arg);
};

static void hw_one(const char *name, void (*fn)(void *), void *arg,
		   bool verbose, struct hw_summary *sum, char *first, size_t len)
{
	char msg[600];

	sum->cases++;
	/* A deadlock detector, not a speed limit: ASan on a loaded host is slow */
	if (!isolate(fn, arg, 120, msg, sizeof(msg))) {
		if (verbose)
			printf("  ok   %s\n", name);
		return;
	}
	sum->failed++;
	printf("  FAIL %s: %s\n", name, msg);
	if (!first[0])
		snprintf(first, len, "%s: %s", name, msg);
}

int hw_run(bool verbose, struct hw_summary *sum, char *first, size_t len)
{
	static const enum dma_mode modes[] = { MODE_COHERENT, MODE_BOUNCE };
	/* the cases run in each of @modes */
	static const struct hw_case per_mode[] = {
		{ "overlap: block vs table claim", case_overlap_block_table },
		{ "gather contract after every unmap", case_gather_contract },
		{ "no waiting: nested split", case_no_wait },
		{ "split is hitless: DMA in flight", case_hitless_split },
		{ "corrupt descriptor types", case_corrupt_type },
	};
	char name[96];
	int i;

	memset(sum, 0, sizeof(*sum));
	first[0] = 0;
	hw_one("dirty: partial read keeps the rest dirty", case_dirty_partial,
	       NULL, verbose, sum, first, len);
	hw_one("dirty: split of a dirty block", case_dirty_split, NULL, verbose,
	       sum, first, len);
	hw_one("dirty: block marked dirty during its split",
	       case_dirty_during_split, NULL, verbose, sum, first, len);
	hw_one("dirty: HD refused with a non-coherent walker",
	       case_hd_noncoherent, NULL, verbose, sum, first, len);
	for (i = 0; i < ARRAY_SIZE(modes) * ARRAY_SIZE(per_mode); i++) {
		const struct hw_case *k = &per_mode[i % ARRAY_SIZE(per_mode)];
		enum dma_mode m = modes[i / ARRAY_SIZE(per_mode)];

		snprintf(name, sizeof(name), "%s (%s)", k->name, mode_names[m]);
		hw_one(name, k->fn, (void *)(long)m, verbose, sum, first, len);
	}
	hw_one("split: SMMUv3 commands per split", case_split_cmds, NULL,
	       verbose, sum, first, len);
	hw_one("coherent walker behind a DMA offset", case_coherent_offset,
	       NULL, verbose, sum, first, len);
	hw_one("block over empty tables reads no leaf", case_block_over_tables,
	       NULL, verbose, sum, first, len);
	hw_one("memory: CPU-side bytes per table byte", case_memory, NULL,
	       verbose, sum, first, len);
	hw_one("stage 2: XN is XN[1] only", case_s2_xn, NULL, verbose, sum,
	       first, len);
	for (i = 0; i < ARRAY_SIZE(concat_cases); i++) {
		const struct concat_case *k = &concat_cases[i];

		snprintf(name, sizeof(name), "stage 2: %luK granule, IAS %u, OAS %u",
			 k->granule >> 10, k->ias, k->oas);
		hw_one(name, case_concat, (void *)k, verbose, sum, first, len);
	}
	return sum->failed;
}
