// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite for the ARM LPAE io-pgtable formats.
 *
 * The suite drives the page tables through the public io-pgtable interface
 * only (alloc_io_pgtable_ops(), the io_pgtable_ops callbacks and the
 * register values returned in struct io_pgtable_cfg), so it runs against
 * any implementation of the formats.
 *
 * Every case runs with four walkers:
 *  - coherent: cfg->coherent_walk, no DMA API;
 *  - non-coherent: a registered KUnit device, so dma_map_single() and
 *    dma_sync_single_for_device() run, with cache maintenance on arm64.
 *    Without bouncing its view is the CPU's memory (QEMU models no caches),
 *    so it sits behind a DMA offset: it reaches the tables only through
 *    the DMA addresses dma_map_single() returned. What it cannot show is a
 *    missing sync: that is the bounced walker's;
 *  - bounced: as non-coherent, booted with swiotlb=force. The tables the
 *    walker reads are then bounce buffers, which change only when the
 *    table code maps or syncs them;
 *  - coherent behind a DMA offset: linked by phys_to_dma().
 *
 * After every operation the suite walks the tables as the walker would:
 * from TTBR/VTTBR/TRANSTAB, through the DMA addresses held in the
 * descriptors, reading the memory behind each DMA address (in the bounced
 * mode, the bounce slot). The walk decodes the long-descriptor format from
 * the architecture (VMSAv8-64 stage 1 and stage 2, with concatenated
 * stage-2 first-level tables, and Mali's own encodings) and compares every
 * translation with a model of what was mapped and with iova_to_phys().
 * The walk also runs inside the TLB maintenance callbacks and the table
 * free hook, where a descriptor update must already be visible to the
 * walker. The walker reads memory through the CPU's cacheable mapping, so
 * it sees what a missing or misplaced sync leaves in the bounce buffer,
 * not a missing cache clean (QEMU models no caches either).
 *
 * The TLB callbacks keep the books of the iommu_flush_ops contract: a leaf
 * that leaves the walker's view in an unmap is invalidated in that call,
 * after it left (tlb_add_page() of its size with the caller's gather, or
 * tlb_flush_all(); tlb_flush_walk() is for walk caches only), and a table
 * the walker reached is invalidated (tlb_flush_walk() over it, or
 * tlb_flush_all()) once unlinked, before any table is freed and before
 * the call returns.
 *
 * A parameter skips only for a reason of lpae_skip_reasons[]; each suite
 * prints its results per walker and its skips per reason. Any WARN fails
 * the suite: the cases that misuse the API on purpose set
 * IO_PGTABLE_QUIRK_NO_WARN.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/bitfield.h>
#include <linux/dma-mapping.h>
#include <linux/completion.h>
#include <linux/gfp.h>
#include <linux/io-pgtable.h>
#include <linux/iommu.h>
#include <linux/panic.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/prandom.h>
#include <linux/rculist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>

#include "io-pgtable-arm-oracle.h"

enum lpae_mode {
	LPAE_COHERENT,
	LPAE_NONCOHERENT,
	LPAE_BOUNCED,
	LPAE_OFFSET,
	LPAE_NR_MODES,
};

static const char * const lpae_mode_names[] = {
	[LPAE_COHERENT]		= "coherent",
	[LPAE_NONCOHERENT]	= "non-coherent",
	[LPAE_BOUNCED]		= "bounced",
	[LPAE_OFFSET]		= "coherent, DMA offset",
};

/* The walker reads the CPU's caches: no DMA API for its tables */
static bool lpae_mode_coherent(enum lpae_mode mode)
{
	return mode == LPAE_COHERENT || mode == LPAE_OFFSET;
}

/*
 * The reasons a parameter may skip, all of them: what this boot or this
 * configuration does not offer. Anything else that stops a case fails it.
 */
enum lpae_skip {
	LPAE_SKIP_NOT_BOUNCED,
	LPAE_SKIP_BOUNCES,
	LPAE_SKIP_NO_SLOT_COUNT,
	LPAE_SKIP_TOO_LARGE,
	LPAE_SKIP_STAGE2_ONLY,
	LPAE_SKIP_BOUNCED_ONLY,
	LPAE_SKIP_POOL_GROWS,
	LPAE_SKIP_POOL_TOO_LARGE,
	LPAE_SKIP_NO_ROOM,
	LPAE_SKIP_ONE_CPU,
	LPAE_SKIP_UNARMED,
	LPAE_NR_SKIPS,
};

static const char * const lpae_skip_reasons[LPAE_NR_SKIPS] = {
	[LPAE_SKIP_NOT_BOUNCED]	=
		"needs swiotlb=force on the kernel command line: the walker's DMA does not bounce",
	[LPAE_SKIP_BOUNCES]	=
		"booted with swiotlb=force: this walker bounces, see the bounced mode",
	[LPAE_SKIP_NO_SLOT_COUNT] =
		"bounce slots are counted only with CONFIG_DEBUG_FS: a leaked DMA mapping could not show",
	[LPAE_SKIP_TOO_LARGE]	=
		"alloc_io_pgtable_ops() refused at allocation: tables too large for swiotlb to bounce",
	[LPAE_SKIP_STAGE2_ONLY]	= "stage 2 only",
	[LPAE_SKIP_BOUNCED_ONLY] =
		"DMA mapping failure is injected by exhausting the swiotlb pool: bounced mode only",
	[LPAE_SKIP_POOL_GROWS]	=
		"swiotlb grows its pool on demand (SWIOTLB_DYNAMIC): it cannot be exhausted",
	[LPAE_SKIP_POOL_TOO_LARGE] = "swiotlb pool too large to exhaust",
	[LPAE_SKIP_NO_ROOM]	= "no room for the blocks this case maps",
	[LPAE_SKIP_ONE_CPU]	= "one CPU online: the threads cannot race",
	[LPAE_SKIP_UNARMED]	=
		"failslab and fail_page_alloc not armed: arm them in debugfs and rerun the suite (see io-pgtable-arm-selftests.c)",
};

/* Per suite run: parameters by walker and result, skips by reason */
struct lpae_suite_stats {
	unsigned int	pass[LPAE_NR_MODES];
	unsigned int	fail[LPAE_NR_MODES];
	unsigned int	skip[LPAE_NR_MODES];
	unsigned int	skips[LPAE_NR_SKIPS];
	unsigned long	leaves;		/* removed leaves held to the TLB contract */
	unsigned long	frees;		/* table frees after every unlink was invalidated */
	unsigned int	race_rounds;	/* install and split rounds the threads ran */
	unsigned int	race_lost;	/* tables built by a racer, then freed unlinked */
	bool		tainted;	/* TAINT_WARN before the suite */
	bool		warned;		/* a parameter failed for a WARN */
};

static struct lpae_suite_stats lpae_stats;

/* Skip the parameter, for one of the reasons above only */
static void __noreturn lpae_skip(struct kunit *test, enum lpae_skip why)
{
	lpae_stats.skips[why]++;
	kunit_skip(test, "%s", lpae_skip_reasons[why]);
}

struct lpae_fmt_cfg {
	enum io_pgtable_fmt	fmt;
	unsigned long		pgsizes;
	unsigned int		ias;
	unsigned int		oas;
};

struct lpae_param {
	const struct lpae_fmt_cfg	*fc;
	enum lpae_mode			mode;
};

#define LPAE_4K		(SZ_4K | SZ_2M | SZ_1G)
#define LPAE_16K	(SZ_16K | SZ_32M)
#define LPAE_64K	(SZ_64K | SZ_512M)

/* 64-bit formats: IAS = OAS, every architectural PS from 32 to 48 bits. */

/* The matrix: {stage 1, stage 2} x {4K, 16K, 64K} x these IAS (= OAS) */
static const enum io_pgtable_fmt lpae_matrix_fmts[] = {
	ARM_64_LPAE_S1, ARM_64_LPAE_S2,
};

static const unsigned long lpae_matrix_granules[] = {
	LPAE_4K, LPAE_16K, LPAE_64K,
};

static const unsigned int lpae_matrix_ias[] = { 32, 36, 40, 42, 44, 48 };
#define LPAE_NR_MATRIX	(ARRAY_SIZE(lpae_matrix_fmts) *			\
			 ARRAY_SIZE(lpae_matrix_granules) *		\
			 ARRAY_SIZE(lpae_matrix_ias))

/* Then the formats' own: 32-bit LPAE (ARMv7 SMMUs, ipmmu-vmsa) and Mali */
static const struct lpae_fmt_cfg lpae_named_cfgs[] = {
	{ ARM_32_LPAE_S1, LPAE_4K, 32, 36 },
	{ ARM_32_LPAE_S1, LPAE_4K, 32, 40 },
	{ ARM_32_LPAE_S2, LPAE_4K, 32, 40 },
	{ ARM_32_LPAE_S2, LPAE_4K, 40, 40 },
	{ ARM_MALI_LPAE, LPAE_4K, 32, 40 },
	{ ARM_MALI_LPAE, LPAE_4K, 48, 40 },
};

static struct lpae_fmt_cfg lpae_cfgs[LPAE_NR_MATRIX + ARRAY_SIZE(lpae_named_cfgs)];

static void lpae_make_cfgs(void)
{
	unsigned int f, g, i, n = 0;

	for (f = 0; f < ARRAY_SIZE(lpae_matrix_fmts); f++)
		for (g = 0; g < ARRAY_SIZE(lpae_matrix_granules); g++)
			for (i = 0; i < ARRAY_SIZE(lpae_matrix_ias); i++)
				lpae_cfgs[n++] = (struct lpae_fmt_cfg) {
					lpae_matrix_fmts[f], lpae_matrix_granules[g],
					lpae_matrix_ias[i], lpae_matrix_ias[i],
				};
	memcpy(&lpae_cfgs[n], lpae_named_cfgs, sizeof(lpae_named_cfgs));
}

static struct lpae_param lpae_params[ARRAY_SIZE(lpae_cfgs) * LPAE_NR_MODES];

/*
 * The concurrency case: the granules iommu-dma uses, stage 1 and 2 (no
 * concatenated stage-2 root, which swiotlb may refuse to bounce).
 */
static const struct lpae_fmt_cfg lpae_race_cfgs[] = {
	{ ARM_64_LPAE_S1, LPAE_4K, 48, 48 },
	{ ARM_64_LPAE_S1, LPAE_16K, 48, 48 },
	{ ARM_64_LPAE_S1, LPAE_64K, 48, 48 },
	{ ARM_64_LPAE_S2, LPAE_4K, 48, 48 },
};

static struct lpae_param
lpae_race_params[ARRAY_SIZE(lpae_race_cfgs) * LPAE_NR_MODES];

static const char *lpae_fmt_name(enum io_pgtable_fmt fmt)
{
	switch (fmt) {
	case ARM_64_LPAE_S1:
		return "64-bit-S1";
	case ARM_64_LPAE_S2:
		return "64-bit-S2";
	case ARM_32_LPAE_S1:
		return "32-bit-S1";
	case ARM_32_LPAE_S2:
		return "32-bit-S2";
	case ARM_MALI_LPAE:
		return "Mali";
	default:
		return "?";
	}
}

/* Parameters: every configuration coherent, then non-coherent, bounced. */
/* Which configurations a generator yields */
enum lpae_pick {
	LPAE_ALL,
	LPAE_FAST,
	LPAE_SLOW,
};

/*
 * The fast subset, a default boot's share of the matrix (kunit.filter=
 * speed>slow runs it alone): each granule at the largest stage-1 input
 * and with a concatenated stage-2 root, and every 32-bit and Mali
 * configuration. The slow cases take the rest.
 */
static bool lpae_picked(enum lpae_pick pick, const struct lpae_fmt_cfg *fc)
{
	bool fast = fc->fmt == ARM_64_LPAE_S1 ? fc->ias == 48 :
		    fc->fmt == ARM_64_LPAE_S2 ? fc->ias == 40 : true;

	return pick == LPAE_ALL || fast == (pick == LPAE_FAST);
}

static const void *lpae_gen(const struct lpae_fmt_cfg *cfgs,
			    unsigned int nr_cfgs, struct lpae_param *params,
			    enum lpae_pick pick, const void *prev, char *desc)
{
	const struct lpae_param *p = prev;
	unsigned int i = p ? p - params + 1 : 0;
	const struct lpae_fmt_cfg *fc;

	while (i < nr_cfgs * LPAE_NR_MODES &&
	       !lpae_picked(pick, &cfgs[i % nr_cfgs]))
		i++;
	if (i >= nr_cfgs * LPAE_NR_MODES)
		return NULL;

	fc = &cfgs[i % nr_cfgs];
	params[i].fc = fc;
	params[i].mode = i / nr_cfgs;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s %luK ias%u oas%u %s",
		 lpae_fmt_name(fc->fmt), (fc->pgsizes & -fc->pgsizes) / SZ_1K,
		 fc->ias, fc->oas, lpae_mode_names[params[i].mode]);
	return &params[i];
}

static const void *lpae_pick_params(enum lpae_pick pick, const void *prev,
				    char *desc)
{
	if (!prev)
		lpae_make_cfgs();
	return lpae_gen(lpae_cfgs, ARRAY_SIZE(lpae_cfgs), lpae_params, pick,
			prev, desc);
}

static const void *lpae_gen_params(const void *prev, char *desc)
{
	return lpae_pick_params(LPAE_ALL, prev, desc);
}

static const void *lpae_fast_params(const void *prev, char *desc)
{
	return lpae_pick_params(LPAE_FAST, prev, desc);
}

static const void *lpae_slow_params(const void *prev, char *desc)
{
	return lpae_pick_params(LPAE_SLOW, prev, desc);
}

static const void *lpae_race_gen_params(const void *prev, char *desc)
{
	return lpae_gen(lpae_race_cfgs, ARRAY_SIZE(lpae_race_cfgs),
			lpae_race_params, LPAE_ALL, prev, desc);
}

#define LPAE_MAX_RANGES		64
#define LPAE_MAX_TABLES		512
#define LPAE_MAX_REPORTS	8
#define LPAE_MAX_FILLERS	8192
#define LPAE_MAX_TLB_LEAVES	(8192 + 64)	/* a 512M block of 64K pages */
#define LPAE_MAX_SEEN		(2 * LPAE_MAX_TABLES)

struct lpae_table {
	void	*va;
	size_t	size;
};

struct lpae_filler {
	dma_addr_t	dma;
	size_t		size;
};

/* One leaf or fault found by the device-view walker. */
struct lpae_dv_entry {
	u64		iova;
	u64		size;
	u64		oa;
	u64		desc;
	u64		table;
	int		lvl;
	unsigned int	idx;
	unsigned int	root_idx;
	struct lpae_sem	sem;
};

/* A table the walker reached: its span (0: the root), its last full walk */
struct lpae_seen_table {
	u64		dma;
	u64		iova;
	u64		span;
	unsigned int	walk;
	bool		invalidated;	/* since it was last reached */
};

struct lpae_snapshot {
	u64		dv_hash;
	unsigned int	tables;
	unsigned int	live;
	long		swiotlb_used;
};

struct lpae_ctx {
	struct kunit			*test;
	const struct lpae_param		*p;
	struct device			*dev;
	struct device			*filler_dev;
	struct io_pgtable_cfg		cfg;
	struct io_pgtable_ops		*ops;
	unsigned long			quirks;
	gfp_t				gfp;	/* for map_pages() */
	char				op[160];

	/* Custom allocator */
	bool				custom_alloc;
	unsigned int			alloc_calls;
	unsigned int			fail_at;
	unsigned int			nr_allocs;
	unsigned int			nr_frees;
	struct lpae_table		*allocs;

	/* Thread-safe allocator of the concurrency case: counts, and gates */
	bool				count_alloc;
	atomic_t			nr_count_allocs;
	atomic_t			nr_count_frees;
	struct lpae_race		*race;

	/* Walker geometry, decoded from the cfg registers */
	bool				dv_ready;
	bool				in_teardown;
	struct lpae_geom		g;

	/* Results of the last full walk */
	u64				*tables;
	unsigned int			nr_tables;
	unsigned int			nr_leaves;
	u64				dv_bytes;
	u64				dv_hash;	/* of every entry read */
	bool				dv_hashing;
	bool				dv_check_leaves;
	unsigned int			nr_reports;

	/* Model of what is mapped */
	struct lpae_ext			ranges[LPAE_MAX_RANGES];
	struct lpae_extents		model;

	/* Bounce pool exhaustion */
	struct lpae_filler		*fillers;
	unsigned int			nr_fillers;
	void				*filler_buf;

	long				swiotlb_used0;

	/*
	 * Commands an SMMUv3 without range invalidation would issue for the
	 * TLB callbacks (flush_walk size/granule, add_page and flush_all 1);
	 * and DMA in flight: while @probe_iova is set, every callback and
	 * allocation checks that the walker still translates it to
	 * @probe_oa, counting the points in @probe_points.
	 */
	unsigned long			tlb_cmds;
	u64				probe_iova;
	u64				probe_oa;
	unsigned int			probe_points;
	unsigned int			probe_faults;

	/*
	 * The TLB contract: the leaves of the walker's view an unmap in
	 * progress may remove, and the caller's gather; the tables the
	 * walker was seen to reach (custom allocator only, where frees
	 * show). @calls counts finished calls, @walk_calls their count at
	 * the last full walk, @walks the full walks.
	 */
	struct iommu_iotlb_gather	*tlb_gather;
	struct lpae_tlb_books		tlb;
	struct lpae_seen_table		*seen;
	unsigned int			nr_seen;
	unsigned int			walks;
	unsigned long			calls;
	unsigned long			walk_calls;
};

static __printf(2, 3) void lpae_op(struct lpae_ctx *ctx, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(ctx->op, sizeof(ctx->op), fmt, args);
	va_end(args);
}

/* Report a failure, at most LPAE_MAX_REPORTS times per test. */
#define lpae_fail(ctx, fmt, ...)					\
	do {								\
		struct lpae_ctx *__ctx = (ctx);				\
									\
		if (++__ctx->nr_reports <= LPAE_MAX_REPORTS)		\
			KUNIT_FAIL(__ctx->test, "after %s: " fmt,	\
				   __ctx->op, ##__VA_ARGS__);		\
		else							\
			kunit_set_failure(__ctx->test);			\
	} while (0)

static u64 lpae_granule(struct lpae_ctx *ctx)
{
	return 1ULL << ctx->g.gshift;
}

static u64 lpae_top(struct lpae_ctx *ctx)
{
	return 1ULL << ctx->cfg.ias;
}

static unsigned int lpae_lvl_shift(struct lpae_ctx *ctx, int lvl)
{
	return lpae_geom_level_shift(&ctx->g, lvl);
}

/*
 * swiotlb internals, read here only. swiotlb exports nothing that tells
 * whether an address is a bounce buffer: swiotlb_find_pool() is an inline
 * that, with CONFIG_SWIOTLB_DYNAMIC, calls __swiotlb_find_pool(), which is
 * not exported, so a suite using it cannot be a module. The pools are
 * described in <linux/swiotlb.h> and <linux/device.h>, though: look @phys up
 * in them as __swiotlb_find_pool() does, in the device's swiotlb pools (the
 * default pool and any grown since) and in its transient ones. The bounce
 * slots in use (total_used) are counted only with CONFIG_DEBUG_FS; a pool
 * that can grow (can_grow, CONFIG_SWIOTLB_DYNAMIC) cannot be exhausted.
 */
static bool lpae_in_swiotlb_pool(struct device *dev, phys_addr_t phys)
{
#ifdef CONFIG_SWIOTLB
	struct io_tlb_mem *mem = dev->dma_io_tlb_mem;
	struct io_tlb_pool *pool;
	bool found = false;

	if (!mem)
		return false;
#ifdef CONFIG_SWIOTLB_DYNAMIC
	rcu_read_lock();
	list_for_each_entry_rcu(pool, &mem->pools, node)
		found |= phys >= pool->start && phys < pool->end;
	list_for_each_entry_rcu(pool, &dev->dma_io_tlb_pools, node)
		found |= phys >= pool->start && phys < pool->end;
	rcu_read_unlock();
#else
	pool = &mem->defpool;
	found = phys >= pool->start && phys < pool->end;
#endif
	return found;
#else
	return false;
#endif
}

static bool lpae_swiotlb_can_grow(struct device *dev)
{
#ifdef CONFIG_SWIOTLB_DYNAMIC
	return dev->dma_io_tlb_mem && dev->dma_io_tlb_mem->can_grow;
#else
	return false;
#endif
}

static long lpae_swiotlb_used(struct lpae_ctx *ctx)
{
#if defined(CONFIG_SWIOTLB) && defined(CONFIG_DEBUG_FS)
	if (ctx->dev->dma_io_tlb_mem)
		return atomic_long_read(&ctx->dev->dma_io_tlb_mem->total_used);
#endif
	return -1;
}

/* ---------------------------------------------------------------------
 * Model of the expected mappings
 */

static struct lpae_ext *lpae_model_find(struct lpae_ctx *ctx, u64 iova)
{
	return lpae_ext_find(&ctx->model, iova);
}

static void lpae_model_add(struct lpae_ctx *ctx, u64 iova, u64 size,
			   u64 paddr, int prot)
{
	if (lpae_ext_add(&ctx->model, iova, size, paddr, prot, false))
		KUNIT_FAIL(ctx->test, "test bug: model full");
}

static void lpae_model_del(struct lpae_ctx *ctx, u64 iova, u64 size)
{
	if (lpae_ext_remove(&ctx->model, iova, size))
		KUNIT_FAIL(ctx->test, "test bug: model full");
}

/* An output address for @iova, aligned like it, non-zero, below 2^OAS. */
static u64 lpae_pa(struct lpae_ctx *ctx, u64 iova)
{
	u64 pa = (iova + SZ_1G) & (BIT_ULL(ctx->cfg.oas) - 1);

	return pa ? pa : SZ_1G;
}

/* Another output address for @iova, aligned like it, below 2^OAS. */
static u64 lpae_pa_alt(struct lpae_ctx *ctx, u64 iova)
{
	u64 pa = lpae_pa(ctx, iova) ^ BIT_ULL(ctx->cfg.oas - 2);

	return pa ? pa : BIT_ULL(ctx->cfg.oas - 1);
}

/* Output addresses for up to 2^(OAS - 2) bytes at @iova, below 2^OAS. */
static u64 lpae_pa_range(struct lpae_ctx *ctx, u64 iova)
{
	return (iova & (BIT_ULL(ctx->cfg.oas - 2) - 1)) + BIT_ULL(ctx->cfg.oas - 2);
}

/* ---------------------------------------------------------------------
 * The walker's view, from the architecture
 */

/* Read an entry as the walker does: at its DMA address (bounced: the slot) */
static int lpae_dv_read(void *arg, u64 table, u64 entries, u64 idx, u64 *desc,
			const char **why)
{
	struct lpae_ctx *ctx = arg;
	phys_addr_t phys = dma_to_phys(ctx->dev, table + idx * sizeof(u64));

	if (!pfn_valid(PHYS_PFN(phys))) {
		*why = "table is not in memory";
		return -EFAULT;
	}
	*desc = READ_ONCE(*(u64 *)phys_to_virt(phys));
	if (ctx->dv_hashing)	/* FNV-1a style: the order of the entries counts */
		ctx->dv_hash = (ctx->dv_hash ^ *desc) * 0x100000001b3ULL;
	return 0;
}

/* The walker's result @r as an entry of its view */
static void lpae_dv_entry_of(struct lpae_ctx *ctx, const struct lpae_wres *r,
			     struct lpae_dv_entry *e)
{
	*e = (struct lpae_dv_entry) {
		.iova = r->iova, .size = r->size, .oa = r->oa, .desc = r->desc,
		.table = r->table, .lvl = r->level, .idx = r->idx,
		.sem = r->sem,
		.root_idx = (r->iova >> lpae_lvl_shift(ctx, ctx->g.start_level)) &
			    (ctx->g.root_entries - 1),
	};
}

/* A failure at one entry of the walker's view. */
static __printf(3, 4) void lpae_dv_fail(struct lpae_ctx *ctx,
					const struct lpae_dv_entry *e,
					const char *fmt, ...)
{
	char why[192];
	va_list args;

	va_start(args, fmt);
	vsnprintf(why, sizeof(why), fmt, args);
	va_end(args);
	lpae_fail(ctx,
		  "device view: iova %#llx level %d entry %u of table @dma %#llx, desc %#018llx: %s",
		  e->iova, e->lvl, e->idx, e->table, e->desc, why);
}

/*
 * Translate one IOVA as the walker would. Returns 1 and the leaf if it
 * translates, 0 and the faulting entry if it does not, -EIO if the walk
 * hits a malformed entry (reported). @link, if not NULL, receives the last
 * table descriptor on the way (zeroed if there is none).
 */
static int lpae_dv_translate_link(struct lpae_ctx *ctx, u64 iova,
				  struct lpae_dv_entry *e,
				  struct lpae_dv_entry *link)
{
	struct lpae_wres r;

	lpae_walk(&ctx->g, lpae_dv_read, ctx, iova, &r);
	lpae_dv_entry_of(ctx, &r, e);
	if (link) {
		memset(link, 0, sizeof(*link));
		if (r.link_table) {
			link->iova = iova;
			link->lvl = r.level - 1;
			link->table = r.link_table;
			link->idx = r.link_idx;
			link->desc = r.link_desc;
		}
	}
	if (!r.fault)
		return 1;
	if (r.fault == LPAE_WF_TRANSLATION && !(r.desc & LPAE_D_VALID))
		return 0;	/* nothing there, or beyond the input range */
	lpae_dv_fail(ctx, e, "%s", r.why);
	return -EIO;
}

static int lpae_dv_translate(struct lpae_ctx *ctx, u64 iova,
			     struct lpae_dv_entry *e)
{
	return lpae_dv_translate_link(ctx, iova, e, NULL);
}

/* Is [iova, iova + size) mapped to @oa, with one prot, in the model? */
static const struct lpae_ext *lpae_model_covers(struct lpae_ctx *ctx,
						u64 iova, u64 size, u64 oa)
{
	const struct lpae_ext *first = lpae_model_find(ctx, iova), *r;
	u64 end = iova + size;

	for (r = first; r && iova < end; r = lpae_model_find(ctx, iova)) {
		if (r->pa + (iova - r->iova) != oa || r->prot != first->prot)
			return NULL;
		oa += r->iova + r->size - iova;
		iova = r->iova + r->size;
	}
	return iova >= end ? first : NULL;
}

static void lpae_dv_check_leaf(struct lpae_ctx *ctx, struct lpae_dv_entry *e)
{
	const struct lpae_ext *r = lpae_model_covers(ctx, e->iova, e->size,
						       e->oa);
	char got[96], wants[96];
	struct lpae_sem want;
	phys_addr_t cpu;

	if (!r) {
		r = lpae_model_find(ctx, e->iova);
		if (r)
			lpae_dv_fail(ctx, e,
				     "translates %#llx bytes to %#llx, expected %#llx bytes to %#llx",
				     e->size, e->oa, r->iova + r->size - e->iova,
				     r->pa + (e->iova - r->iova));
		else
			lpae_dv_fail(ctx, e,
				     "translates %#llx bytes to %#llx, but nothing is mapped there (stale or unsynced entry)",
				     e->size, e->oa);
		return;
	}

	cpu = ctx->ops->iova_to_phys(ctx->ops, e->iova);
	if (cpu != e->oa)
		lpae_dv_fail(ctx, e, "device translates to %#llx, CPU view (iova_to_phys) %pa",
			     e->oa, &cpu);
	cpu = ctx->ops->iova_to_phys(ctx->ops, e->iova + e->size - 1);
	if (cpu != e->oa + e->size - 1)
		lpae_dv_fail(ctx, e, "last byte: device %#llx, CPU view %pa",
			     e->oa + e->size - 1, &cpu);

	lpae_prot_sem(&ctx->g, r->prot, false, &want);
	if (memcmp(&e->sem, &want, sizeof(want))) {
		lpae_sem_str(&e->sem, got, sizeof(got));
		lpae_sem_str(&want, wants, sizeof(wants));
		lpae_dv_fail(ctx, e, "reads as %s, prot %#x wants %s", got,
			     r->prot, wants);
	}
}

/*
 * The books of the tables (custom allocator, where frees show; no thread
 * races then): every full walk notes the tables it reaches, and a table
 * a walk no longer reaches has been unlinked since.
 */
static bool lpae_tracking(struct lpae_ctx *ctx)
{
	return ctx->custom_alloc && ctx->dv_ready && !ctx->in_teardown;
}

/* The full walk reached @table through the entry @e (level -1: the root) */
static void lpae_seen_note(struct lpae_ctx *ctx, const struct lpae_dv_entry *e,
			   u64 table)
{
	struct lpae_seen_table *t;
	unsigned int i;

	if (!lpae_tracking(ctx))
		return;
	for (i = 0; i < ctx->nr_seen && ctx->seen[i].dma != table; i++)
		;
	if (i == LPAE_MAX_SEEN) {
		lpae_fail(ctx, "test bug: more than %u tables seen", LPAE_MAX_SEEN);
		return;
	}
	if (i == ctx->nr_seen)
		ctx->nr_seen++;
	t = &ctx->seen[i];
	t->dma = table;
	t->iova = e->iova;
	t->span = e->lvl < 0 ? 0 : BIT_ULL(lpae_lvl_shift(ctx, e->lvl));
	t->walk = ctx->walks;
	t->invalidated = false;
}

static bool lpae_dv_note_table(struct lpae_ctx *ctx, struct lpae_dv_entry *e,
			       u64 table)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_tables; i++) {
		if (ctx->tables[i] == table) {
			lpae_dv_fail(ctx, e, "table @dma %#llx is linked twice",
				     table);
			return false;
		}
	}
	if (ctx->nr_tables == LPAE_MAX_TABLES) {
		lpae_dv_fail(ctx, e, "more than %d tables", LPAE_MAX_TABLES);
		return false;
	}
	if (ctx->p->mode == LPAE_BOUNCED &&
	    !lpae_in_swiotlb_pool(ctx->dev, dma_to_phys(ctx->dev, table))) {
		lpae_dv_fail(ctx, e,
			     "table @dma %#llx is not a bounce buffer: the walker would read the CPU's copy (linked by physical address?)",
			     table);
		return false;
	}
	ctx->tables[ctx->nr_tables++] = table;
	lpae_seen_note(ctx, e, table);
	return true;
}

/* lpae_enum() callback: a table the walker reaches, through @via */
static bool lpae_dv_table_cb(void *arg, u64 table, int lvl, u64 base,
			     const struct lpae_wres *via)
{
	struct lpae_ctx *ctx = arg;
	struct lpae_dv_entry e = { .table = table, .lvl = -1 };

	if (via)
		lpae_dv_entry_of(ctx, via, &e);
	return lpae_dv_note_table(ctx, &e, table);
}

/* lpae_enum() callback: a leaf, or a malformed entry */
static void lpae_dv_leaf_cb(void *arg, const struct lpae_wres *r)
{
	struct lpae_ctx *ctx = arg;
	struct lpae_dv_entry e;

	lpae_dv_entry_of(ctx, r, &e);
	if (r->fault) {
		lpae_dv_fail(ctx, &e, "%s", r->why);
		return;
	}
	ctx->nr_leaves++;
	ctx->dv_bytes += e.size;
	if (ctx->dv_check_leaves)
		lpae_dv_check_leaf(ctx, &e);
}

/* Walk every table the walker reaches; @leaves: and read its leaves */
static void lpae_dv_enum(struct lpae_ctx *ctx, bool leaves)
{
	struct lpae_enum e = {
		.g = &ctx->g, .read = lpae_dv_read, .arg = ctx,
		.table = lpae_dv_table_cb, .leaf = leaves ? lpae_dv_leaf_cb : NULL,
		.tables_only = !leaves, .first = 0, .last = ~0ULL,
	};

	ctx->walks++;
	ctx->walk_calls = ctx->calls;
	ctx->nr_tables = 0;
	lpae_enum(&e);
}

static void lpae_dv_walk_all(struct lpae_ctx *ctx, bool check_leaves)
{
	ctx->nr_leaves = 0;
	ctx->dv_bytes = 0;
	ctx->dv_hash = 0xcbf29ce484222325ULL;
	ctx->dv_hashing = true;
	ctx->dv_check_leaves = check_leaves;
	lpae_dv_enum(ctx, true);
	ctx->dv_hashing = false;
}

/* The tables the walker reaches, in ctx->tables (the full walk's cheap half) */
static void lpae_dv_walk_tables(struct lpae_ctx *ctx)
{
	lpae_dv_enum(ctx, false);
}

/*
 * Compare the walker's view, the CPU's view and the model. Any difference
 * fails the test with the IOVA, level and entry concerned.
 */
static void lpae_check(struct lpae_ctx *ctx)
{
	static const u64 probes[] = { 0, 42, SZ_1G + 42, SZ_2G + 42 };
	u64 model_bytes = lpae_ext_bytes(&ctx->model);
	struct lpae_dv_entry e;
	phys_addr_t cpu;
	unsigned int i, j;

	lpae_dv_walk_all(ctx, true);

	if (ctx->dv_bytes != model_bytes)
		lpae_fail(ctx, "device view maps %#llx bytes, %#llx expected",
			  ctx->dv_bytes, model_bytes);

	for (i = 0; i < ctx->model.n; i++) {
		const struct lpae_ext *r = &ctx->model.e[i];
		u64 pts[] = { r->iova, r->iova + r->size / 2,
			      r->iova + r->size - 1 };

		for (j = 0; j < ARRAY_SIZE(pts); j++) {
			u64 want = r->pa + (pts[j] - r->iova);

			cpu = ctx->ops->iova_to_phys(ctx->ops, pts[j]);
			if (cpu != want)
				lpae_fail(ctx, "iova_to_phys(%#llx) = %pa, expected %#llx",
					  pts[j], &cpu, want);
			if (lpae_dv_translate(ctx, pts[j], &e) == 0)
				lpae_fail(ctx,
					  "device view: iova %#llx faults at level %d entry %u of table @dma %#llx (desc %#018llx), expected %#llx (unsynced entry?)",
					  pts[j], e.lvl, e.idx, e.table, e.desc,
					  want);
		}
		/* Neighbours of a range translate only if mapped too. */
		pts[0] = r->iova - 1;
		pts[1] = r->iova + r->size;
		for (j = 0; j < 2; j++) {
			if ((j == 0 && !r->iova) || pts[j] >> ctx->cfg.ias ||
			    lpae_model_find(ctx, pts[j]))
				continue;
			cpu = ctx->ops->iova_to_phys(ctx->ops, pts[j]);
			if (cpu)
				lpae_fail(ctx,
					  "iova_to_phys(%#llx) = %pa next to a mapping, expected 0",
					  pts[j], &cpu);
		}
	}

	for (i = 0; i <= ARRAY_SIZE(probes); i++) {
		u64 iova = i < ARRAY_SIZE(probes) ? probes[i] :
			   lpae_top(ctx) - 1;

		if (iova >> ctx->cfg.ias || lpae_model_find(ctx, iova))
			continue;
		cpu = ctx->ops->iova_to_phys(ctx->ops, iova);
		if (cpu)
			lpae_fail(ctx, "iova_to_phys(%#llx) = %pa, nothing mapped there",
				  iova, &cpu);
	}

	if (ctx->custom_alloc &&
	    ctx->nr_tables > ctx->nr_allocs - ctx->nr_frees)
		lpae_fail(ctx, "walker reaches %u tables, only %u allocated",
			  ctx->nr_tables, ctx->nr_allocs - ctx->nr_frees);
}

static void lpae_snapshot(struct lpae_ctx *ctx, struct lpae_snapshot *s)
{
	lpae_check(ctx);
	s->dv_hash = ctx->dv_hash;
	s->tables = ctx->nr_tables;
	s->live = ctx->nr_allocs - ctx->nr_frees;
	s->swiotlb_used = lpae_swiotlb_used(ctx);
}

/* After a failed operation: nothing may have changed. */
static void lpae_expect_unchanged(struct lpae_ctx *ctx,
				  const struct lpae_snapshot *before)
{
	struct lpae_snapshot now;

	lpae_snapshot(ctx, &now);
	if (now.tables != before->tables)
		lpae_fail(ctx, "the walker reaches %u tables, %u before the failed call",
			  now.tables, before->tables);
	else if (now.dv_hash != before->dv_hash)
		lpae_fail(ctx, "the walker's view of the tables changed in the failed call");
	if (ctx->custom_alloc && now.live != before->live)
		lpae_fail(ctx, "%u tables allocated, %u before the failed call",
			  now.live, before->live);
	if (ctx->p->mode == LPAE_BOUNCED &&
	    now.swiotlb_used != before->swiotlb_used)
		lpae_fail(ctx, "%ld bounce slots in use, %ld before the failed call",
			  now.swiotlb_used, before->swiotlb_used);
}

/* ---------------------------------------------------------------------
 * The TLB contract
 */

/* Seen before, not reached by the last full walk: unlinked since */
static bool lpae_seen_unlinked(struct lpae_ctx *ctx,
			       const struct lpae_seen_table *t)
{
	return t->walk != ctx->walks;
}

/* The walk caches are invalidated over [@iova, @iova + @size), 0: all */
static void lpae_seen_invalidate(struct lpae_ctx *ctx, u64 iova, u64 size)
{
	unsigned int i;

	if (!lpae_tracking(ctx))
		return;
	lpae_dv_walk_tables(ctx);
	for (i = 0; i < ctx->nr_seen; i++) {
		struct lpae_seen_table *t = &ctx->seen[i];

		if (!lpae_seen_unlinked(ctx, t))
			continue;
		if (!size || (t->span && t->iova >= iova &&
			      t->iova - iova + t->span <= size))
			t->invalidated = true;
	}
}

/*
 * Every table unlinked since it was seen must be invalidated @when (before
 * a free, or when a call returns). Each one is judged once: its entry goes
 * (with @drop, also those invalidated).
 */
static void lpae_seen_expect_invalidated(struct lpae_ctx *ctx,
					 const char *when, bool drop)
{
	unsigned int i = 0;

	if (!lpae_tracking(ctx))
		return;
	lpae_dv_walk_tables(ctx);
	while (i < ctx->nr_seen) {
		struct lpae_seen_table *t = &ctx->seen[i];

		if (!lpae_seen_unlinked(ctx, t) || (t->invalidated && !drop)) {
			i++;
			continue;
		}
		if (!t->invalidated)
			lpae_fail(ctx,
				  "table @dma %#llx (iova %#llx, %#llx bytes) unlinked and not invalidated (tlb_flush_walk() over it, or tlb_flush_all()) %s",
				  t->dma, t->iova, t->span, when);
		*t = ctx->seen[--ctx->nr_seen];
	}
}

/* Has the noted leaf @l left the walker's view, or changed? */
/* lpae_tlb_books: has @l left the walker's view, or changed? */
static bool lpae_tlb_leaf_gone(void *arg, const struct lpae_tlb_leaf *l)
{
	struct lpae_dv_entry e;

	return lpae_dv_translate(arg, l->iova, &e) != 1 ||
	       e.size != l->size || e.desc != l->desc;
}

static void lpae_tlb_note_cb(void *arg, const struct lpae_wres *r)
{
	struct lpae_ctx *ctx = arg;

	if (lpae_tlb_note(&ctx->tlb, r))
		lpae_fail(ctx, "test bug: more than %u leaves to watch",
			  ctx->tlb.cap);
}

/* Note the leaves of the walker's view in [@iova, @iova + @len) */
static void lpae_tlb_note_leaves(struct lpae_ctx *ctx, u64 iova, u64 len)
{
	struct lpae_enum e = {
		.g = &ctx->g, .read = lpae_dv_read, .arg = ctx,
		.leaf = lpae_tlb_note_cb, .first = iova,
		.last = iova + len - 1 < iova ? U64_MAX : iova + len - 1,
	};

	ctx->tlb.n = 0;
	if (len)
		lpae_enum(&e);
}

/* tlb_add_page(): with the caller's gather only */
static void lpae_tlb_gather_page(struct lpae_ctx *ctx,
				 struct iommu_iotlb_gather *gather,
				 unsigned long iova, size_t granule)
{
	if (!ctx->tlb_gather)
		return;
	if (gather != ctx->tlb_gather) {
		lpae_fail(ctx, "tlb_add_page(%#lx, %#zx) with a gather that is not the caller's",
			  iova, granule);
		return;
	}
	lpae_tlb_page_added(&ctx->tlb, iova, granule);
}

/*
 * Before a call: the tables as it finds them (if a call ran since the last
 * full walk) and, for an unmap into @gather, the leaves it may remove.
 */
static void lpae_tlb_begin(struct lpae_ctx *ctx, u64 iova, u64 len,
			   struct iommu_iotlb_gather *gather)
{
	if (!ctx->dv_ready || ctx->in_teardown)
		return;
	if (lpae_tracking(ctx) && ctx->walk_calls != ctx->calls)
		lpae_dv_walk_tables(ctx);
	if (gather) {
		lpae_tlb_note_leaves(ctx, iova, len);
		ctx->tlb_gather = gather;
	}
}

/* After it: each leaf gone was invalidated after it left; so were tables */
static void lpae_tlb_end(struct lpae_ctx *ctx)
{
	const struct lpae_tlb_leaf *l;
	unsigned int i = 0;

	ctx->calls++;
	if (!ctx->dv_ready || ctx->in_teardown) {
		ctx->tlb_gather = NULL;
		return;
	}
	while (ctx->tlb_gather &&
	       (l = lpae_tlb_missed(&ctx->tlb, &i, &lpae_stats.leaves)))
		lpae_fail(ctx,
			  "leaf %#llx+%#llx left the walker's view without an invalidation after it (tlb_add_page() of its size with the caller's gather, or tlb_flush_all())",
			  l->iova, l->size);
	ctx->tlb_gather = NULL;
	ctx->tlb.n = 0;
	lpae_seen_expect_invalidated(ctx, "when the call returned", false);
}

/* ---------------------------------------------------------------------
 * TLB callbacks and custom allocator: the walker's view at those points
 */

/* True if @iova does not translate (or there is no walker to ask) */
static bool lpae_expect_no_translation(struct lpae_ctx *ctx, u64 iova,
				       const char *what)
{
	struct lpae_dv_entry e;

	if (!ctx->dv_ready || ctx->in_teardown)
		return true;
	if (lpae_dv_translate(ctx, iova, &e) != 1)
		return true;
	lpae_dv_fail(ctx, &e,
		     "%s issued while the walker still translates this iova to %#llx (update not synced before the invalidation)",
		     what, e.oa);
	return false;
}

/* DMA in flight at this point of a call: does it still translate? */
static void lpae_probe(struct lpae_ctx *ctx)
{
	struct lpae_dv_entry e;

	if (!ctx->probe_iova)
		return;
	ctx->probe_points++;
	if (lpae_dv_translate(ctx, ctx->probe_iova, &e) != 1 ||
	    e.oa != ctx->probe_oa)
		ctx->probe_faults++;
}

/*
 * The race threads share one context and are checked by their logs: their
 * callbacks keep no count or walker-view state, which they would race on.
 */
static bool lpae_tlb_racing(const struct lpae_ctx *ctx)
{
	return ctx->race;
}

static void lpae_tlb_flush_all(void *cookie)
{
	struct lpae_ctx *ctx = cookie;

	if (lpae_tlb_racing(ctx))
		return;
	ctx->tlb_cmds++;
	lpae_probe(ctx);
	if (!ctx->dv_ready || ctx->in_teardown)
		return;
	lpae_seen_invalidate(ctx, 0, 0);
	lpae_tlb_flushed_all(&ctx->tlb);
}

static void lpae_tlb_flush_walk(unsigned long iova, size_t size,
				size_t granule, void *cookie)
{
	struct lpae_ctx *ctx = cookie;

	if (lpae_tlb_racing(ctx))
		return;
	if (!size || !granule) {
		lpae_fail(ctx, "tlb_flush_walk(%#lx, %#zx, %#zx)", iova, size,
			  granule);
		return;
	}
	lpae_expect_no_translation(ctx, iova, "tlb_flush_walk");
	lpae_expect_no_translation(ctx, iova + size - granule,
				   "tlb_flush_walk");
	ctx->tlb_cmds += size / granule;
	lpae_probe(ctx);
	if (ctx->dv_ready && !ctx->in_teardown)
		lpae_seen_invalidate(ctx, iova, size);
}

static void lpae_tlb_add_page(struct iommu_iotlb_gather *gather,
			      unsigned long iova, size_t granule, void *cookie)
{
	struct lpae_ctx *ctx = cookie;

	if (lpae_tlb_racing(ctx))
		return;
	ctx->tlb_cmds++;
	lpae_probe(ctx);
	if (ctx->dv_ready && !ctx->in_teardown &&
	    lpae_expect_no_translation(ctx, iova, "tlb_add_page"))
		lpae_tlb_gather_page(ctx, gather, iova, granule);
}

static const struct iommu_flush_ops lpae_tlb_ops = {
	.tlb_flush_all	= lpae_tlb_flush_all,
	.tlb_flush_walk	= lpae_tlb_flush_walk,
	.tlb_add_page	= lpae_tlb_add_page,
};

static void *lpae_alloc(void *cookie, size_t size, gfp_t gfp)
{
	struct lpae_ctx *ctx = cookie;
	struct page *page;
	unsigned int i;

	ctx->alloc_calls++;
	lpae_probe(ctx);
	if (ctx->fail_at && ctx->alloc_calls == ctx->fail_at)
		return NULL;

	for (i = 0; i < LPAE_MAX_TABLES && ctx->allocs[i].va; i++)
		;
	if (i == LPAE_MAX_TABLES) {
		lpae_fail(ctx, "more than %d live tables", LPAE_MAX_TABLES);
		return NULL;
	}
	page = alloc_pages(gfp | __GFP_ZERO, get_order(size));
	if (!page)
		return NULL;
	ctx->allocs[i].va = page_address(page);
	ctx->allocs[i].size = size;
	ctx->nr_allocs++;
	return ctx->allocs[i].va;
}

static void lpae_free(void *cookie, void *pages, size_t size)
{
	struct lpae_ctx *ctx = cookie;
	phys_addr_t phys = virt_to_phys(pages);
	unsigned int i;

	for (i = 0; i < LPAE_MAX_TABLES && ctx->allocs[i].va != pages; i++)
		;
	if (i == LPAE_MAX_TABLES) {
		lpae_fail(ctx, "free of %p (%#zx bytes), never allocated",
			  pages, size);
		return;
	}
	if (ctx->allocs[i].size != size)
		lpae_fail(ctx, "free of %p with size %#zx, allocated %#zx",
			  pages, size, ctx->allocs[i].size);

	/* A table being freed must be out of the walker's reach. */
	if (ctx->dv_ready && !ctx->in_teardown) {
		lpae_dv_walk_tables(ctx);
		for (i = 0; i < ctx->nr_tables; i++)
			if (dma_to_phys(ctx->dev, ctx->tables[i]) == phys)
				lpae_fail(ctx, "table %pa freed while the walker still reaches it",
					  &phys);
		if (ctx->nr_tables > ctx->nr_allocs - ctx->nr_frees - 1)
			lpae_fail(ctx,
				  "table freed while the walker still reaches %u tables of %u allocated",
				  ctx->nr_tables,
				  ctx->nr_allocs - ctx->nr_frees - 1);
		lpae_seen_expect_invalidated(ctx, "before a table was freed",
					     true);
		lpae_stats.frees++;
	}

	for (i = 0; i < LPAE_MAX_TABLES && ctx->allocs[i].va != pages; i++)
		;
	ctx->allocs[i].va = NULL;
	ctx->nr_frees++;
	free_pages((unsigned long)pages, get_order(size));
}

static void lpae_race_gate(struct lpae_race *r);

static void *lpae_count_alloc(void *cookie, size_t size, gfp_t gfp)
{
	struct lpae_ctx *ctx = cookie;
	struct page *page;

	if (ctx->race)
		lpae_race_gate(ctx->race);
	page = alloc_pages(gfp | __GFP_ZERO, get_order(size));

	if (!page)
		return NULL;
	atomic_inc(&ctx->nr_count_allocs);
	return page_address(page);
}

static void lpae_count_free(void *cookie, void *pages, size_t size)
{
	struct lpae_ctx *ctx = cookie;

	atomic_inc(&ctx->nr_count_frees);
	free_pages((unsigned long)pages, get_order(size));
}

/* ---------------------------------------------------------------------
 * Setup and teardown
 */

static void lpae_set_coherent(struct device *dev, bool coherent)
{
#if defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU_ALL)
	dev->dma_coherent = coherent;
#endif
}

/*
 * A walker behind a DMA offset, as "dma-ranges" gives it: every physical
 * address is seen 1 GiB higher (still below 4 GiB for memory in QEMU virt's
 * first GiB, so 32-bit output sizes keep working).
 */
static void lpae_set_dma_offset(struct kunit *test, struct device *dev)
{
	/* Freed with the device, as device_release() frees dma_range_map */
	struct bus_dma_region *map = kcalloc(2, sizeof(*map), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, map);
	map[0].cpu_start = 0;
	map[0].dma_start = SZ_1G;
	map[0].size = SZ_1T;
	dev->dma_range_map = map;
}

static struct device *lpae_new_device(struct kunit *test, const char *name,
				      unsigned int bits, bool coherent)
{
	struct device *dev = kunit_device_register(test, name);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	dev->dma_mask = &dev->coherent_dma_mask;
	/* As a platform device has: io-pgtable sets min_align_mask in them */
	dev->dma_parms = kunit_kzalloc(test, sizeof(*dev->dma_parms),
				       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev->dma_parms);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev,
							DMA_BIT_MASK(bits)), 0);
	lpae_set_coherent(dev, coherent);
	return dev;
}

/*
 * The one refusal a bounced walker may meet: at allocation, for tables too
 * large for swiotlb to bounce (the driver's log line says which).
 */
static void lpae_skip_refusal(struct lpae_ctx *ctx)
{
	if (ctx->p->mode == LPAE_BOUNCED && !ctx->ops &&
	    ctx->test->status == KUNIT_SUCCESS)
		lpae_skip(ctx->test, LPAE_SKIP_TOO_LARGE);
}

static void lpae_release_fillers(struct lpae_ctx *ctx, unsigned int keep)
{
	while (ctx->nr_fillers > keep) {
		struct lpae_filler *f = &ctx->fillers[--ctx->nr_fillers];

		dma_unmap_single(ctx->filler_dev, f->dma, f->size,
				 DMA_TO_DEVICE);
	}
}

static void lpae_release_fillers_action(void *data)
{
	lpae_release_fillers(data, 0);
}

KUNIT_DEFINE_ACTION_WRAPPER(lpae_kvfree, kvfree, const void *);

static void lpae_teardown(void *data)
{
	struct lpae_ctx *ctx = data;

	if (ctx->ops) {
		ctx->in_teardown = true;
		free_io_pgtable_ops(ctx->ops);
		ctx->ops = NULL;
	}
}

/* The KUnit device, checked against the mode; skips if it cannot apply. */
static struct lpae_ctx *lpae_setup_dev(struct kunit *test, bool custom_alloc)
{
	const struct lpae_param *p = test->param_value;
	struct lpae_ctx *ctx;
	bool bounce;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->tables = kunit_kcalloc(test, LPAE_MAX_TABLES, sizeof(u64),
				    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->tables);
	ctx->allocs = kunit_kcalloc(test, LPAE_MAX_TABLES,
				    sizeof(*ctx->allocs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->allocs);
	ctx->seen = kunit_kcalloc(test, LPAE_MAX_SEEN, sizeof(*ctx->seen),
				  GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->seen);
	ctx->tlb = (struct lpae_tlb_books) {
		.l = kvcalloc(LPAE_MAX_TLB_LEAVES, sizeof(*ctx->tlb.l),
			      GFP_KERNEL),
		.cap = LPAE_MAX_TLB_LEAVES, .gone = lpae_tlb_leaf_gone,
		.arg = ctx,
	};
	KUNIT_ASSERT_NOT_NULL(test, ctx->tlb.l);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, lpae_kvfree,
							ctx->tlb.l), 0);
	ctx->test = test;
	ctx->p = p;
	ctx->model = (struct lpae_extents) {
		.e = ctx->ranges, .cap = ARRAY_SIZE(ctx->ranges),
	};
	ctx->custom_alloc = custom_alloc;
	ctx->gfp = GFP_KERNEL;
	strscpy(ctx->op, "setup", sizeof(ctx->op));

	ctx->dev = lpae_new_device(test, "io-pgtable-arm-walker", p->fc->oas,
				   lpae_mode_coherent(p->mode));
	bounce = is_swiotlb_force_bounce(ctx->dev);
	if (p->mode == LPAE_NONCOHERENT && bounce)
		lpae_skip(test, LPAE_SKIP_BOUNCES);
	/*
	 * A non-coherent walker that does not bounce reads the CPU's memory:
	 * behind an offset, it finds the tables by their DMA addresses only.
	 */
	if (p->mode == LPAE_OFFSET || p->mode == LPAE_NONCOHERENT)
		lpae_set_dma_offset(test, ctx->dev);
	if (p->mode == LPAE_BOUNCED && !bounce)
		lpae_skip(test, LPAE_SKIP_NOT_BOUNCED);
	/* The slot counts are the bounced walker's leak checks */
	if (p->mode == LPAE_BOUNCED && lpae_swiotlb_used(ctx) < 0)
		lpae_skip(test, LPAE_SKIP_NO_SLOT_COUNT);

	if (p->mode == LPAE_BOUNCED) {
		u64 *buf = kunit_kzalloc(test, SZ_4K, GFP_KERNEL);
		bool slot_in_pool, buf_in_pool;
		dma_addr_t dma;

		KUNIT_ASSERT_NOT_NULL(test, buf);
		dma = dma_map_single(ctx->dev, buf, SZ_4K, DMA_TO_DEVICE);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(ctx->dev, dma));
		/* What tells a bounced table from one linked by its PA */
		slot_in_pool = lpae_in_swiotlb_pool(ctx->dev,
						    dma_to_phys(ctx->dev, dma));
		buf_in_pool = lpae_in_swiotlb_pool(ctx->dev, virt_to_phys(buf));
		dma_unmap_single(ctx->dev, dma, SZ_4K, DMA_TO_DEVICE);
		KUNIT_ASSERT_NE_MSG(test, (u64)dma, (u64)virt_to_phys(buf),
				    "swiotlb=force, but dma_map_single() did not bounce");
		KUNIT_ASSERT_TRUE_MSG(test, slot_in_pool,
				      "bounce slot @dma %pad not found in the swiotlb pools",
				      &dma);
		KUNIT_ASSERT_FALSE_MSG(test, buf_in_pool,
				       "a kmalloc() buffer is found in the swiotlb pools");
	}

	ctx->swiotlb_used0 = lpae_swiotlb_used(ctx);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, lpae_teardown,
							ctx), 0);
	return ctx;
}

static struct io_pgtable_ops *lpae_alloc_ops(struct lpae_ctx *ctx)
{
	const struct lpae_fmt_cfg *fc = ctx->p->fc;

	ctx->cfg = (struct io_pgtable_cfg) {
		.quirks		= ctx->quirks,
		.pgsize_bitmap	= fc->pgsizes,
		.ias		= fc->ias,
		.oas		= fc->oas,
		.coherent_walk	= lpae_mode_coherent(ctx->p->mode),
		.tlb		= &lpae_tlb_ops,
		.iommu_dev	= ctx->dev,
	};
	if (ctx->custom_alloc) {
		ctx->cfg.alloc = lpae_alloc;
		ctx->cfg.free = lpae_free;
	} else if (ctx->count_alloc) {
		ctx->cfg.alloc = lpae_count_alloc;
		ctx->cfg.free = lpae_count_free;
	}
	return alloc_io_pgtable_ops(fc->fmt, &ctx->cfg, ctx);
}

/* The walker's geometry, from the registers (the shared oracle) */
static void lpae_decode(struct lpae_ctx *ctx)
{
	char err[128];
	int ret = lpae_geom_decode(&ctx->g, ctx->p->fc->fmt, &ctx->cfg, err,
				   sizeof(err));

	KUNIT_ASSERT_EQ_MSG(ctx->test, ret, 0, "registers: %s", err);
	ctx->nr_seen = 0;
	ctx->tlb_gather = NULL;
	ctx->dv_ready = true;
}

/* The io-pgtable for a context from lpae_setup_dev(), and its geometry. */
static struct lpae_ctx *lpae_setup_ops(struct lpae_ctx *ctx)
{
	struct kunit *test = ctx->test;

	ctx->ops = lpae_alloc_ops(ctx);
	if (!ctx->ops) {
		lpae_skip_refusal(ctx);
		KUNIT_FAIL_AND_ABORT(test, "alloc_io_pgtable_ops(%s) failed",
				     lpae_fmt_name(ctx->p->fc->fmt));
	}
	lpae_decode(ctx);
	return ctx;
}

static struct lpae_ctx *lpae_setup(struct kunit *test, bool custom_alloc)
{
	return lpae_setup_ops(lpae_setup_dev(test, custom_alloc));
}

/* For a case that misuses the API on purpose: the errors, and no WARN */
static struct lpae_ctx *lpae_setup_misuse(struct kunit *test)
{
	struct lpae_ctx *ctx = lpae_setup_dev(test, true);

	ctx->quirks = IO_PGTABLE_QUIRK_NO_WARN;
	return lpae_setup_ops(ctx);
}

/* Free the tables: every table and every DMA mapping must go. */
static void lpae_finish(struct lpae_ctx *ctx)
{
	struct kunit *test = ctx->test;
	long used;

	lpae_release_fillers(ctx, 0);
	ctx->in_teardown = true;
	free_io_pgtable_ops(ctx->ops);
	ctx->ops = NULL;

	if (ctx->custom_alloc) {
		KUNIT_EXPECT_GT(test, ctx->nr_allocs, 0U);
		KUNIT_EXPECT_EQ_MSG(test, ctx->nr_frees, ctx->nr_allocs,
				    "tables leaked by free_io_pgtable_ops()");
	}
	used = lpae_swiotlb_used(ctx);
	if (ctx->p->mode == LPAE_BOUNCED)
		KUNIT_EXPECT_EQ_MSG(test, used, ctx->swiotlb_used0,
				    "bounce slots leaked: table DMA mappings not unmapped");
}

/* ---------------------------------------------------------------------
 * Operations
 */

/* The bytes a call of @pgcount pages of @pgsize names, saturated */
static size_t lpae_call_bytes(size_t pgsize, size_t pgcount)
{
	size_t bytes;

	return check_mul_overflow(pgsize, pgcount, &bytes) ? SIZE_MAX : bytes;
}

/* One map_pages() call. A failing call must not map anything. */
static int lpae_map1(struct lpae_ctx *ctx, u64 iova, u64 pa, size_t pgsize,
		     size_t pgcount, int prot, size_t *mapped)
{
	int ret;

	*mapped = 0;
	lpae_op(ctx, "map_pages(iova %#llx, pa %#llx, %#zx x %zu, prot %#x)",
		iova, pa, pgsize, pgcount, prot);
	lpae_tlb_begin(ctx, iova, 0, NULL);
	ret = ctx->ops->map_pages(ctx->ops, iova, pa, pgsize, pgcount, prot,
				  ctx->gfp, mapped);
	lpae_tlb_end(ctx);
	if (*mapped > lpae_call_bytes(pgsize, pgcount) ||
	    (pgsize && *mapped % pgsize)) {
		lpae_fail(ctx, "mapped %#zx", *mapped);
		*mapped = 0;
	}
	if (*mapped)
		lpae_model_add(ctx, iova, *mapped, pa, prot);
	if (ret && *mapped)
		lpae_fail(ctx,
			  "failed (%d) after mapping %#zx: a failing call must leave the tables unchanged",
			  ret, *mapped);
	return ret;
}

/* Map a whole range, as iommu_map() does, and check it. */
static void lpae_map_ok(struct lpae_ctx *ctx, u64 iova, u64 pa, size_t pgsize,
			size_t pgcount, int prot)
{
	size_t mapped;
	int ret;

	while (pgcount) {
		ret = lpae_map1(ctx, iova, pa, pgsize, pgcount, prot, &mapped);
		if (ret || !mapped) {
			lpae_fail(ctx, "returned %d, mapped %#zx", ret, mapped);
			return;
		}
		iova += mapped;
		pa += mapped;
		pgcount -= mapped / pgsize;
	}
	lpae_check(ctx);
}

/* One unmap_pages() call with @gather (NULL: none, it must flush itself) */
static size_t lpae_unmap_gather(struct lpae_ctx *ctx, u64 iova, size_t pgsize,
				size_t pgcount, struct iommu_iotlb_gather *gather)
{
	size_t n;

	lpae_op(ctx, "unmap_pages(iova %#llx, %#zx x %zu%s)", iova, pgsize,
		pgcount, gather ? "" : ", NULL gather");
	lpae_tlb_begin(ctx, iova, (u64)pgsize * pgcount, gather);
	n = ctx->ops->unmap_pages(ctx->ops, iova, pgsize, pgcount, gather);
	lpae_tlb_end(ctx);
	if (n > lpae_call_bytes(pgsize, pgcount) || (pgsize && n % pgsize)) {
		lpae_fail(ctx, "unmapped %#zx", n);
		return 0;
	}
	lpae_model_del(ctx, iova, n);
	return n;
}

static size_t lpae_unmap1(struct lpae_ctx *ctx, u64 iova, size_t pgsize,
			  size_t pgcount)
{
	struct iommu_iotlb_gather gather;

	iommu_iotlb_gather_init(&gather);
	return lpae_unmap_gather(ctx, iova, pgsize, pgcount, &gather);
}

/* Unmap a whole range, as iommu_unmap() does, and check it. */
static void lpae_unmap_ok(struct lpae_ctx *ctx, u64 iova, size_t pgsize,
			  size_t pgcount)
{
	size_t n;

	while (pgcount) {
		n = lpae_unmap1(ctx, iova, pgsize, pgcount);
		if (!n) {
			lpae_fail(ctx, "unmapped nothing");
			return;
		}
		iova += n;
		pgcount -= n / pgsize;
	}
	lpae_check(ctx);
}

static unsigned long lpae_block_sizes(struct lpae_ctx *ctx)
{
	return ctx->cfg.pgsize_bitmap & ~lpae_granule(ctx);
}

/* ---------------------------------------------------------------------
 * Cases
 */

static void lpae_test_empty(struct kunit *test)
{
	struct lpae_ctx *ctx = lpae_setup(test, false);

	lpae_op(ctx, "alloc_io_pgtable_ops()");
	lpae_check(ctx);
	KUNIT_EXPECT_EQ(test, ctx->nr_leaves, 0U);
	KUNIT_EXPECT_EQ_MSG(test, ctx->nr_tables, 1U,
			    "an empty table links no next-level table");
	lpae_finish(ctx);
}

static void lpae_test_map_unmap_pgsizes(struct kunit *test)
{
	struct lpae_ctx *ctx = lpae_setup(test, false);
	unsigned long pgsizes = ctx->cfg.pgsize_bitmap;
	static const int prots[] = {
		LPAE_RW | IOMMU_NOEXEC | IOMMU_CACHE, IOMMU_READ, IOMMU_WRITE,
		IOMMU_READ | IOMMU_PRIV,
	};
	unsigned int bit, i, k;

	for (k = 0; k < ARRAY_SIZE(prots); k++) {
		i = 0;
		for_each_set_bit(bit, &pgsizes, BITS_PER_LONG) {
			u64 iova = (u64)(++i) * max_t(u64, SZ_1G, BIT_ULL(bit));

			lpae_map_ok(ctx, iova, lpae_pa(ctx, iova),
				    BIT_ULL(bit), 1, prots[k]);
		}
		i = 0;
		for_each_set_bit(bit, &pgsizes, BITS_PER_LONG) {
			u64 iova = (u64)(++i) * max_t(u64, SZ_1G, BIT_ULL(bit));

			lpae_unmap_ok(ctx, iova, BIT_ULL(bit), 1);
		}
	}
	KUNIT_EXPECT_EQ(test, ctx->nr_leaves, 0U);
	lpae_finish(ctx);
}

static void lpae_test_pgcount_batches(struct kunit *test)
{
	struct lpae_ctx *ctx = lpae_setup(test, true);
	unsigned long pgsizes = ctx->cfg.pgsize_bitmap;
	unsigned int bit, done = 0;

	for_each_set_bit(bit, &pgsizes, BITS_PER_LONG) {
		u64 pgsize = BIT_ULL(bit), entries = BIT_ULL(ctx->g.bpl);
		u64 span = pgsize * entries;	/* one table of these */
		u64 count = entries + 6, iova = 2 * span - 3 * pgsize;
		u64 chunks[] = { 5, entries - 1, count };
		unsigned int c;

		/* Three tables: the end of one, a whole one, the next. */
		if (iova + count * pgsize > lpae_top(ctx) ||
		    count * pgsize > BIT_ULL(ctx->cfg.oas - 2))
			continue;
		lpae_map_ok(ctx, iova, lpae_pa_range(ctx, iova), pgsize, count,
			    LPAE_RW);
		for (c = 0; c < ARRAY_SIZE(chunks) && count; c++) {
			u64 n = min(chunks[c], count);

			lpae_unmap_ok(ctx, iova, pgsize, n);
			iova += n * pgsize;
			count -= n;
		}
		done++;
	}
	KUNIT_EXPECT_GT(test, done, 0U);
	KUNIT_EXPECT_EQ(test, ctx->nr_leaves, 0U);
	lpae_finish(ctx);
}

/* Region @k of the IOVA space, for cases that need a few distinct ones. */
static u64 lpae_region(struct lpae_ctx *ctx, unsigned int k)
{
	u64 blk = rounddown_pow_of_two(ctx->cfg.pgsize_bitmap);
	u64 span = lpae_granule(ctx) << ctx->g.bpl;

	return (u64)k * max3((u64)SZ_256M, blk, 2 * span);
}

/*
 * As iommu_map() does: map_pages may stop at a table boundary with 0, so
 * continue until the range is done or a call fails, then undo what was
 * mapped. The failing call itself must change nothing, and the range as a
 * whole must fail with @err and leave the tables as they were.
 */
static void lpae_expect_map_range_fails(struct lpae_ctx *ctx, u64 iova,
					u64 pa, size_t pgsize, size_t pgcount,
					int prot, int err)
{
	struct lpae_snapshot before;
	size_t mapped, done = 0;
	int ret = 0;

	lpae_snapshot(ctx, &before);
	while (done < pgsize * pgcount) {
		ret = lpae_map1(ctx, iova + done, pa + done, pgsize,
				pgcount - done / pgsize, prot, &mapped);
		done += mapped;
		if (ret || !mapped)
			break;
	}
	if (ret != err)
		lpae_fail(ctx, "range returned %d after mapping %#zx, expected %d",
			  ret, done, err);
	if (done)
		lpae_unmap_ok(ctx, iova, pgsize, done / pgsize);
	lpae_expect_unchanged(ctx, &before);
}

/*
 * A run across a table boundary into a mapped page fails, and what the
 * iommu_map()-style loop mapped before it is undone; the other overlaps
 * (page, run or block over what is mapped) are rows of lpae_bad_cases[].
 */
static void lpae_test_overlap_across_tables(struct kunit *test)
{
	struct lpae_ctx *ctx = lpae_setup_misuse(test);
	u64 g = lpae_granule(ctx), span = g << ctx->g.bpl;
	u64 r1 = lpae_region(ctx, 1);

	/* Both tables exist: the undone part leaves no empty table behind */
	lpae_map_ok(ctx, r1, lpae_pa(ctx, r1), g, 1, LPAE_RW);
	lpae_map_ok(ctx, r1 + span + g, lpae_pa(ctx, r1 + span + g), g, 1,
		    LPAE_RW);
	lpae_expect_map_range_fails(ctx, r1 + span - 2 * g,
				    lpae_pa(ctx, r1 + span - 2 * g), g, 4,
				    LPAE_RW, -EEXIST);
	lpae_unmap_ok(ctx, r1 + span + g, g, 1);
	lpae_unmap_ok(ctx, r1, g, 1);
	lpae_finish(ctx);
}

static void lpae_test_split_block(struct kunit *test)
{
	struct lpae_ctx *ctx = lpae_setup(test, true);
	unsigned long blocks = lpae_block_sizes(ctx);
	u64 g = lpae_granule(ctx);
	unsigned int bit, k = 0, split = 0;
	size_t n;

	for_each_set_bit(bit, &blocks, BITS_PER_LONG) {
		u64 blk = BIT_ULL(bit), base = lpae_region(ctx, ++k);
		u64 mid = base + blk / 2, last = base + blk - g;

		if (base + blk > lpae_top(ctx))
			continue;
		split++;
		lpae_map_ok(ctx, base, lpae_pa(ctx, base), blk, 1,
			    LPAE_RW | IOMMU_CACHE);

		/* A page out of the middle, then the last page. */
		n = lpae_unmap1(ctx, mid, g, 1);
		if (n != g)
			lpae_fail(ctx, "unmapped %#zx, expected %#llx", n, g);
		lpae_check(ctx);
		lpae_unmap_ok(ctx, last, g, 1);

		/* Remap the hole elsewhere, then as it was. */
		lpae_map_ok(ctx, mid, lpae_pa_alt(ctx, mid), g, 1, IOMMU_READ);
		lpae_unmap_ok(ctx, mid, g, 1);
		lpae_map_ok(ctx, mid, lpae_pa(ctx, mid), g, 1,
			    LPAE_RW | IOMMU_CACHE);
		lpae_map_ok(ctx, last, lpae_pa(ctx, last), g, 1,
			    LPAE_RW | IOMMU_CACHE);

		/* The whole block-sized range, now a table, at once. */
		lpae_unmap_ok(ctx, base, blk, 1);
	}
	KUNIT_EXPECT_GT_MSG(test, split, 0U, "no block of this configuration was split");
	KUNIT_EXPECT_EQ(test, ctx->nr_leaves, 0U);
	lpae_finish(ctx);
}

/*
 * A split is hitless and cheap: DMA to the block's other pages translates
 * at every allocation and TLB callback of the call, and an SMMUv3 without
 * range invalidation pays at most 2 commands plus 1 per page unmapped.
 */
static void lpae_test_split_hitless(struct kunit *test)
{
	struct lpae_ctx *ctx = lpae_setup(test, true);
	unsigned long blocks = lpae_block_sizes(ctx);
	u64 g = lpae_granule(ctx);
	unsigned int bit, k = 0;
	size_t n;

	for_each_set_bit(bit, &blocks, BITS_PER_LONG) {
		u64 blk = BIT_ULL(bit), base = lpae_region(ctx, k + 1);

		if (base + blk > lpae_top(ctx))
			continue;
		k++;
		lpae_map_ok(ctx, base, lpae_pa(ctx, base), blk, 1, LPAE_RW);
		ctx->tlb_cmds = 0;
		ctx->probe_points = 0;
		ctx->probe_faults = 0;
		ctx->probe_oa = lpae_pa(ctx, base + blk - g);
		ctx->probe_iova = base + blk - g;
		n = lpae_unmap1(ctx, base + g, g, 1);
		ctx->probe_iova = 0;
		if (n != g)
			lpae_fail(ctx, "unmapped %#zx, expected %#llx", n, g);
		if (ctx->probe_faults)
			lpae_fail(ctx,
				  "DMA to the block's last page faulted at %u of %u points of the split",
				  ctx->probe_faults, ctx->probe_points);
		if (ctx->tlb_cmds > 3)
			lpae_fail(ctx,
				  "a one-page split of a %#llx block cost %lu invalidation commands",
				  blk, ctx->tlb_cmds);
		lpae_check(ctx);
		lpae_unmap_ok(ctx, base, blk, 1);
	}
	KUNIT_EXPECT_GT_MSG(test, k, 0U, "no block of this configuration was split");
	lpae_finish(ctx);
}

/* Stage-2 execute-never is XN[1] alone: 0b11 is "EL1 only" with FEAT_XNX */
static void lpae_test_s2_xn(struct kunit *test)
{
	struct lpae_ctx *ctx = lpae_setup(test, true);
	u64 g = lpae_granule(ctx), iova = lpae_region(ctx, 1);
	struct lpae_dv_entry e;

	if (!ctx->g.s2 || ctx->g.mali)
		lpae_skip(test, LPAE_SKIP_STAGE2_ONLY);
	lpae_map_ok(ctx, iova, lpae_pa(ctx, iova), g, 1,
		    IOMMU_READ | IOMMU_NOEXEC);
	if (lpae_dv_translate(ctx, iova, &e) != 1)
		lpae_fail(ctx, "no translation");
	else if (FIELD_GET(GENMASK_ULL(54, 53), e.desc) != 2)
		lpae_fail(ctx, "XN[1:0] = %llu, want 0b10",
			  FIELD_GET(GENMASK_ULL(54, 53), e.desc));
	lpae_unmap_ok(ctx, iova, g, 1);
	lpae_finish(ctx);
}

static void lpae_test_ias_limits(struct kunit *test)
{
	struct lpae_ctx *ctx = lpae_setup(test, true);
	unsigned long pgsizes = ctx->cfg.pgsize_bitmap;
	u64 top = lpae_top(ctx);
	struct lpae_dv_entry e;
	unsigned int bit;

	/* First page, last page: the last entry of the last root table. */
	lpae_map_ok(ctx, 0, lpae_pa(ctx, 0), lpae_granule(ctx), 1, LPAE_RW);
	for_each_set_bit(bit, &pgsizes, BITS_PER_LONG) {
		u64 iova = top - BIT_ULL(bit);

		if (BIT_ULL(bit) > top / 2)
			continue;
		lpae_map_ok(ctx, iova, lpae_pa(ctx, iova), BIT_ULL(bit), 1,
			    LPAE_RW);
		/* Mali's root has 512 entries whatever the IAS */
		if (lpae_dv_translate(ctx, top - 1, &e) == 1)
			KUNIT_EXPECT_EQ(test, (u64)e.root_idx,
					(top - 1) >> lpae_lvl_shift(ctx, ctx->g.start_level));
		lpae_unmap_ok(ctx, iova, BIT_ULL(bit), 1);
	}
	lpae_unmap_ok(ctx, 0, lpae_granule(ctx), 1);
	lpae_finish(ctx);
}

/*
 * One rule of lpae_bad_cases[]: its answer, and the tables unchanged
 * (@before, the state every rule starts from) or holding what was done,
 * then undone.
 */
static void lpae_bad_one(struct lpae_ctx *ctx, const struct lpae_bad_place *pl,
			 const struct lpae_bad_case *c,
			 struct lpae_snapshot *before)
{
	u64 iova = lpae_bad_value(pl, c->iova), pa = lpae_bad_value(pl, c->pa);
	u64 size = lpae_bad_value(pl, c->size), done = lpae_bad_value(pl, c->done);
	size_t g = pl->g;	/* no 64-bit division on 32-bit hosts */
	struct iommu_iotlb_gather gather;
	const struct lpae_ext *was = lpae_model_find(ctx, iova);
	struct lpae_ext old = was ? *was : (struct lpae_ext) {};
	size_t n = 0;
	int ret = 0;

	iommu_iotlb_gather_init(&gather);
	if (c->unmap)
		n = lpae_unmap_gather(ctx, iova, size, lpae_bad_count(pl, c),
				      c->no_gather ? NULL : &gather);
	else
		ret = lpae_map1(ctx, iova, pa, size, lpae_bad_count(pl, c),
				c->prot, &n);
	if (ret != c->ret || n != done)
		lpae_fail(ctx, "%s: returned %d, done %#zx; expected %d, %#llx",
			  c->name, ret, n, c->ret, done);
	if (c->keep) {
		lpae_expect_unchanged(ctx, before);	/* so @before holds */
		return;
	}
	lpae_check(ctx);
	if (n && c->unmap)
		lpae_map_ok(ctx, iova, old.pa + (iova - old.iova), g, n / g,
			    old.prot);
	else if (n)
		lpae_unmap_ok(ctx, iova, g, n / g);
	lpae_snapshot(ctx, before);
}

/* Each bad-input rule of the shared table (the harness runs it too) */
static void lpae_test_bad_input(struct kunit *test)
{
	struct lpae_ctx *ctx = lpae_setup_misuse(test);
	struct lpae_snapshot state;
	struct lpae_bad_place pl;
	unsigned int i;

	KUNIT_ASSERT_TRUE_MSG(test, lpae_bad_place(&pl, lpae_granule(ctx),
						   BIT_ULL(__ffs(lpae_block_sizes(ctx))),
						   0, lpae_top(ctx) - 1, false,
						   ctx->cfg.oas),
			      "no room for the bad-input layout");
	for (i = 0; i < ARRAY_SIZE(lpae_bad_setup); i++)
		lpae_map_ok(ctx, lpae_bad_value(&pl, lpae_bad_setup[i].iova),
			    lpae_bad_value(&pl, lpae_bad_setup[i].pa),
			    lpae_bad_value(&pl, lpae_bad_setup[i].size), 1,
			    lpae_bad_setup[i].prot);
	lpae_snapshot(ctx, &state);
	for (i = 0; i < ARRAY_SIZE(lpae_bad_cases); i++)
		lpae_bad_one(ctx, &pl, &lpae_bad_cases[i], &state);
	for (i = 0; i < ARRAY_SIZE(lpae_bad_setup); i++)
		lpae_unmap_ok(ctx, lpae_bad_value(&pl, lpae_bad_setup[i].iova),
			      lpae_bad_value(&pl, lpae_bad_setup[i].size), 1);
	lpae_finish(ctx);
}

/* Retry @iova's mapping, failing the Nth table allocation for N = 1, ... */
static unsigned int lpae_map_under_failures(struct lpae_ctx *ctx, u64 iova,
					    size_t pgsize, bool dma)
{
	struct lpae_snapshot before;
	unsigned int failures = 0, tries;
	size_t mapped;
	int ret;

	for (tries = 1; tries <= 32; tries++) {
		if (!dma)
			ctx->fail_at = ctx->alloc_calls + tries;
		lpae_snapshot(ctx, &before);
		ret = lpae_map1(ctx, iova, lpae_pa(ctx, iova), pgsize, 1,
				LPAE_RW, &mapped);
		ctx->fail_at = 0;
		if (!ret)
			break;
		failures++;
		if (ret != -ENOMEM)
			lpae_fail(ctx, "returned %d, expected -ENOMEM", ret);
		lpae_expect_unchanged(ctx, &before);
		if (dma)
			lpae_release_fillers(ctx, ctx->nr_fillers - 1);
	}
	if (ret) {
		lpae_release_fillers(ctx, 0);
		lpae_map_ok(ctx, iova, lpae_pa(ctx, iova), pgsize, 1, LPAE_RW);
	} else {
		lpae_check(ctx);
	}
	return failures;
}

static void lpae_test_alloc_failure(struct kunit *test)
{
	struct lpae_ctx *ctx;
	u64 g, iova;
	unsigned int failures;

	ctx = lpae_setup_dev(test, true);

	/* The first table: alloc_io_pgtable_ops() fails, leaking nothing. */
	ctx->fail_at = 1;
	ctx->ops = lpae_alloc_ops(ctx);
	KUNIT_EXPECT_NULL(test, ctx->ops);
	if (ctx->ops) {
		ctx->in_teardown = true;
		free_io_pgtable_ops(ctx->ops);
		ctx->in_teardown = false;
	}
	KUNIT_EXPECT_EQ(test, ctx->nr_allocs, ctx->nr_frees);
	ctx->fail_at = 0;

	ctx->ops = lpae_alloc_ops(ctx);
	if (!ctx->ops)
		lpae_skip_refusal(ctx);
	KUNIT_ASSERT_NOT_NULL(test, ctx->ops);
	lpae_decode(ctx);
	g = lpae_granule(ctx);

	/* A page that needs a table at every level below the root. */
	iova = lpae_top(ctx) / 2 + 3 * g;
	failures = lpae_map_under_failures(ctx, iova, g, false);
	KUNIT_EXPECT_EQ_MSG(test, failures, 3U - ctx->g.start_level,
			    "a page in an empty table needs one table per level below the root");

	/* Splitting a block needs a table: its failure keeps the block. */
	if (lpae_block_sizes(ctx)) {
		u64 blk = BIT_ULL(__fls(lpae_block_sizes(ctx)));
		u64 base = lpae_region(ctx, 1);
		struct lpae_snapshot before;
		size_t n;

		if (base + blk <= lpae_top(ctx) / 2) {
			lpae_map_ok(ctx, base, lpae_pa(ctx, base), blk, 1,
				    LPAE_RW);
			lpae_snapshot(ctx, &before);
			ctx->fail_at = ctx->alloc_calls + 1;
			n = lpae_unmap1(ctx, base + g, g, 1);
			ctx->fail_at = 0;
			KUNIT_EXPECT_EQ(test, n, (size_t)0);
			lpae_expect_unchanged(ctx, &before);
			lpae_unmap_ok(ctx, base + g, g, 1);
		}
	}
	lpae_finish(ctx);
}

/*
 * Exhaust the bounce pool, with a coherent device to spare the caches.
 * False if it cannot be: too large, or swiotlb would grow it (until the
 * kernel runs out of memory).
 */
static bool lpae_fill_pool(struct lpae_ctx *ctx)
{
	static const size_t sizes[] = {
		IO_TLB_SEGSIZE << IO_TLB_SHIFT, PAGE_SIZE, 1 << IO_TLB_SHIFT,
	};
	struct kunit *test = ctx->test;
	unsigned int i;

	if (lpae_swiotlb_can_grow(ctx->dev))
		return false;
	if (!ctx->filler_dev) {
		ctx->filler_dev = lpae_new_device(test, "io-pgtable-arm-filler",
						  ctx->cfg.oas, true);
		ctx->fillers = kunit_kcalloc(test, LPAE_MAX_FILLERS,
					     sizeof(*ctx->fillers), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, ctx->fillers);
		ctx->filler_buf = kunit_kzalloc(test, sizes[0], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, ctx->filler_buf);
		/* Runs before the filler device goes away. */
		KUNIT_ASSERT_EQ(test,
				kunit_add_action_or_reset(test, lpae_release_fillers_action,
							  ctx), 0);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		/* Leave the last hole for the smaller fillers. */
		if (i == 1 && ctx->nr_fillers &&
		    ctx->fillers[ctx->nr_fillers - 1].size == sizes[0])
			lpae_release_fillers(ctx, ctx->nr_fillers - 1);
		while (ctx->nr_fillers < LPAE_MAX_FILLERS) {
			struct lpae_filler *f = &ctx->fillers[ctx->nr_fillers];

			f->size = sizes[i];
			f->dma = dma_map_single_attrs(ctx->filler_dev,
						      ctx->filler_buf, f->size,
						      DMA_TO_DEVICE,
						      DMA_ATTR_NO_WARN);
			if (dma_mapping_error(ctx->filler_dev, f->dma))
				break;
			ctx->nr_fillers++;
		}
	}
	return ctx->nr_fillers < LPAE_MAX_FILLERS;
}

static void lpae_test_dma_failure(struct kunit *test)
{
	const struct lpae_param *p = test->param_value;
	struct lpae_ctx *ctx;
	u64 g, blk = 0, base, iova;
	unsigned int failures;
	size_t n;

	if (p->mode != LPAE_BOUNCED)
		lpae_skip(test, LPAE_SKIP_BOUNCED_ONLY);
	ctx = lpae_setup(test, true);
	if (lpae_swiotlb_can_grow(ctx->dev))
		lpae_skip(test, LPAE_SKIP_POOL_GROWS);
	g = lpae_granule(ctx);
	base = lpae_region(ctx, 1);
	if (lpae_block_sizes(ctx))
		blk = BIT_ULL(__ffs(lpae_block_sizes(ctx)));
	if (blk && base + blk <= lpae_top(ctx) / 2)
		lpae_map_ok(ctx, base, lpae_pa(ctx, base), blk, 1, LPAE_RW);
	else
		blk = 0;

	if (!lpae_fill_pool(ctx))
		lpae_skip(test, LPAE_SKIP_POOL_TOO_LARGE);

	/* A new table cannot be mapped for the walker: -ENOMEM, no trace. */
	iova = lpae_top(ctx) / 2 + 3 * g;
	failures = lpae_map_under_failures(ctx, iova, g, true);
	KUNIT_EXPECT_GT_MSG(test, failures, 0U,
			    "no mapping failed with the bounce pool exhausted");

	/* Neither can the table that splits a block. */
	if (blk) {
		struct lpae_snapshot before;

		lpae_fill_pool(ctx);
		lpae_snapshot(ctx, &before);
		n = lpae_unmap1(ctx, base + g, g, 1);
		KUNIT_EXPECT_EQ(test, n, (size_t)0);
		lpae_expect_unchanged(ctx, &before);
		lpae_release_fillers(ctx, 0);
		lpae_unmap_ok(ctx, base + g, g, 1);
	}
	lpae_finish(ctx);
}

static void lpae_test_free_releases(struct kunit *test)
{
	struct lpae_ctx *ctx = lpae_setup(test, true);
	unsigned long blocks = lpae_block_sizes(ctx);
	u64 g = lpae_granule(ctx), span = g << ctx->g.bpl;
	u64 r1 = lpae_region(ctx, 1), r2 = lpae_region(ctx, 2);

	/* Pages in several tables, blocks, a split block. */
	lpae_map_ok(ctx, 0, lpae_pa(ctx, 0), g, 1, LPAE_RW);
	lpae_map_ok(ctx, r1 + span - g, lpae_pa(ctx, r1 + span - g), g, 3,
		    LPAE_RW);
	lpae_map_ok(ctx, lpae_top(ctx) - g, lpae_pa(ctx, lpae_top(ctx) - g), g,
		    1, IOMMU_READ);
	if (blocks) {
		u64 blk = BIT_ULL(__ffs(blocks));

		if (r2 + 2 * blk <= lpae_top(ctx)) {
			lpae_map_ok(ctx, r2, lpae_pa(ctx, r2), blk, 2, LPAE_RW);
			lpae_unmap_ok(ctx, r2 + blk + g, g, 1);
		}
	}
	KUNIT_EXPECT_GT(test, ctx->nr_allocs, 2U);
	lpae_finish(ctx);
}

/* ---------------------------------------------------------------------
 * Concurrency: threads owning interleaved pages under shared tables
 */

#define LPAE_RACE_MAX_THREADS	8
#define LPAE_RACE_INSTALL	32	/* blocks whose tables the threads race to install */
#define LPAE_RACE_SPLIT		4	/* blocks the threads race to split */
#define LPAE_RACE_PAGES		4	/* pages per thread and block, in both */
#define LPAE_RACE_CHURN		192	/* random maps and unmaps per thread */
/*
 * Lost claims (a table built, then freed unlinked) that prove the threads
 * raced: in half the install and split rounds at least, over all
 * parameters. The allocation gate makes every round lose one; a thread
 * that sleeps through the gate's second costs a round.
 */
#define LPAE_RACE_LOST_SHARE	2

struct lpae_race;

/* One thread and its log: what each of its pages maps to, 0 if unmapped. */
struct lpae_race_thread {
	struct lpae_race	*race;
	struct task_struct	*task;
	struct completion	done;
	unsigned int		id;
	u64			*pa;
	struct rnd_state	rnd;
	unsigned int		maps;
	unsigned int		unmaps;
	unsigned int		errors;
	unsigned int		enomem;
	char			why[256];
};

/*
 * The region: LPAE_RACE_INSTALL blocks (each the span of one last-level
 * table) across the boundary between two next-level tables, none of them
 * present at the start, then LPAE_RACE_SPLIT blocks mapped as blocks. In
 * each block, page i belongs to thread i % nthreads.
 */
struct lpae_race {
	struct lpae_ctx			*ctx;
	struct lpae_race_thread		*threads;
	unsigned int			nthreads;
	atomic_t			arrived;
	atomic_t			generation;
	u64				g;
	u64				blk;
	u64				install_base;
	u64				split_base;
	unsigned int			install_slots;
	unsigned int			split_slots;	/* per block */
	unsigned int			slots;
	bool				gate_open;	/* the churn: no gate */
	atomic_t			gate_arrived;
};

/*
 * In the install and split rounds, a table allocation waits until every
 * thread has come to allocate (or a second passed): nobody links a table
 * before the others have seen the entry empty, so each round has a claim
 * lost on any host load, not by chance.
 */
static void lpae_race_gate(struct lpae_race *r)
{
	unsigned long deadline = jiffies + HZ;

	if (READ_ONCE(r->gate_open))
		return;
	atomic_inc(&r->gate_arrived);
	while (atomic_read(&r->gate_arrived) < r->nthreads &&
	       !READ_ONCE(r->gate_open) && time_before(jiffies, deadline))
		cpu_relax();
}

/* Every thread waits here until all have arrived, then all go at once. */
static void lpae_race_barrier(struct lpae_race *r)
{
	int gen = atomic_read(&r->generation);

	if (atomic_inc_return(&r->arrived) == r->nthreads) {
		atomic_set(&r->arrived, 0);
		atomic_set(&r->gate_arrived, 0);	/* a new round */
		atomic_inc_return_release(&r->generation);
		return;
	}
	while (atomic_read_acquire(&r->generation) == gen) {
		cpu_relax();
		cond_resched();
	}
}

static u64 lpae_race_iova(const struct lpae_race *r, unsigned int id,
			  unsigned int slot)
{
	u64 step = r->g * r->nthreads, base = r->install_base;
	unsigned int per_blk = LPAE_RACE_PAGES;

	if (slot >= r->install_slots) {
		slot -= r->install_slots;
		base = r->split_base;
		per_blk = r->split_slots;
	}
	return base + (slot / per_blk) * r->blk + (slot % per_blk) * step +
	       id * r->g;
}

static __printf(2, 3) void lpae_race_error(struct lpae_race_thread *t,
					   const char *fmt, ...)
{
	va_list args;

	if (t->errors++)
		return;
	va_start(args, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, args);
	va_end(args);
}

/*
 * Does @iova translate to @pa (0: not at all) in the CPU view and in the
 * walker's view? @leaf also wants a granule-sized leaf. Safe while other
 * threads change other pages: it reads only this page's path.
 */
static bool lpae_race_expect(struct lpae_ctx *ctx, u64 iova, u64 pa,
			     bool leaf, char *why, size_t len)
{
	u64 g = lpae_granule(ctx);
	struct lpae_dv_entry e;
	phys_addr_t cpu;
	int dv;

	cpu = ctx->ops->iova_to_phys(ctx->ops, iova + g - 1);
	if (cpu != (pa ? pa + g - 1 : 0)) {
		snprintf(why, len,
			 "CPU view: iova_to_phys(%#llx) = %pa, expected %#llx",
			 iova + g - 1, &cpu, pa ? pa + g - 1 : 0);
		return false;
	}
	dv = lpae_dv_translate(ctx, iova, &e);
	if (dv < 0) {
		snprintf(why, len, "device view: iova %#llx, malformed entry",
			 iova);
		return false;
	}
	if (pa && !dv) {
		snprintf(why, len,
			 "device view: iova %#llx faults at level %d entry %u of table @dma %#llx (desc %#018llx), expected %#llx",
			 iova, e.lvl, e.idx, e.table, e.desc, pa);
		return false;
	}
	if (dv && e.oa != pa) {
		snprintf(why, len,
			 "device view: iova %#llx translates to %#llx (level %d entry %u of table @dma %#llx), expected %#llx",
			 iova, e.oa, e.lvl, e.idx, e.table, pa);
		return false;
	}
	if (pa && leaf && e.size != g) {
		snprintf(why, len,
			 "device view: iova %#llx is in a %#llx-byte leaf, expected a page",
			 iova, e.size);
		return false;
	}
	return true;
}

static void lpae_race_check(struct lpae_race_thread *t, unsigned int slot,
			    const char *what)
{
	struct lpae_ctx *ctx = t->race->ctx;
	u64 iova = lpae_race_iova(t->race, t->id, slot);
	char why[192];

	if (!lpae_race_expect(ctx, iova, t->pa[slot], false, why, sizeof(why)))
		lpae_race_error(t, "thread %u, right after its %s of iova %#llx: %s",
				t->id, what, iova, why);
}

static void lpae_race_map(struct lpae_race_thread *t, unsigned int slot,
			  u64 pa)
{
	struct lpae_ctx *ctx = t->race->ctx;
	u64 iova = lpae_race_iova(t->race, t->id, slot), g = t->race->g;
	size_t mapped = 0;
	int ret;

	t->maps++;
	ret = ctx->ops->map_pages(ctx->ops, iova, pa, g, 1, LPAE_RW,
				  GFP_KERNEL, &mapped);
	if (ret == -ENOMEM)
		t->enomem++;
	if (ret || mapped != g) {
		lpae_race_error(t,
				"thread %u: map_pages(iova %#llx, pa %#llx, %#llx) returned %d, mapped %#zx",
				t->id, iova, pa, g, ret, mapped);
		if (mapped)
			t->pa[slot] = pa;
		return;
	}
	t->pa[slot] = pa;
	lpae_race_check(t, slot, "map");
}

static void lpae_race_unmap(struct lpae_race_thread *t, unsigned int slot)
{
	struct lpae_ctx *ctx = t->race->ctx;
	u64 iova = lpae_race_iova(t->race, t->id, slot), g = t->race->g;
	struct iommu_iotlb_gather gather;
	size_t n;

	t->unmaps++;
	iommu_iotlb_gather_init(&gather);
	n = ctx->ops->unmap_pages(ctx->ops, iova, g, 1, &gather);
	if (n != g) {
		lpae_race_error(t,
				"thread %u: unmap_pages(iova %#llx, %#llx) returned %#zx",
				t->id, iova, g, n);
		if (!n)
			return;
	}
	t->pa[slot] = 0;
	lpae_race_check(t, slot, "unmap");
}

static int lpae_race_fn(void *data)
{
	struct lpae_race_thread *t = data;
	struct lpae_race *r = t->race;
	struct lpae_ctx *ctx = r->ctx;
	unsigned int b, i, slot;

	/* Map pages under tables nobody has installed yet, all at once. */
	for (b = 0; b < LPAE_RACE_INSTALL; b++) {
		lpae_race_barrier(r);
		for (i = 0; i < LPAE_RACE_PAGES; i++) {
			slot = b * LPAE_RACE_PAGES + i;
			lpae_race_map(t, slot,
				      lpae_pa(ctx, lpae_race_iova(r, t->id, slot)));
		}
	}

	/* Unmap pages of the same block, all at once: one split wins. */
	for (b = 0; b < LPAE_RACE_SPLIT; b++) {
		lpae_race_barrier(r);
		for (i = 0; i < LPAE_RACE_PAGES; i++)
			lpae_race_unmap(t, r->install_slots +
					b * r->split_slots + i);
	}

	/* Random unmaps and remaps of the thread's own pages. */
	WRITE_ONCE(r->gate_open, true);
	lpae_race_barrier(r);
	for (i = 0; i < LPAE_RACE_CHURN; i++) {
		u32 x = prandom_u32_state(&t->rnd);
		u64 iova;

		slot = x % r->slots;
		iova = lpae_race_iova(r, t->id, slot);
		if (t->pa[slot])
			lpae_race_unmap(t, slot);
		else
			lpae_race_map(t, slot, x & BIT(31) ?
				      lpae_pa_alt(ctx, iova) :
				      lpae_pa(ctx, iova));
	}
	complete(&t->done);
	return 0;
}

/* After the threads: every thread's pages are what its log says. */
static u64 lpae_race_verify(struct lpae_race *r)
{
	struct lpae_ctx *ctx = r->ctx;
	u64 bytes = 0;
	unsigned int i, slot;
	char why[192];

	for (i = 0; i < r->nthreads; i++) {
		struct lpae_race_thread *t = &r->threads[i];

		for (slot = 0; slot < r->slots; slot++) {
			u64 iova = lpae_race_iova(r, i, slot);

			if (t->pa[slot])
				bytes += r->g;
			if (!lpae_race_expect(ctx, iova, t->pa[slot], true, why,
					      sizeof(why)))
				lpae_fail(ctx, "thread %u's log: %s", i, why);
		}
	}
	return bytes;
}

static int lpae_race_start(struct lpae_race *r)
{
	unsigned int i;

	for (i = 0; i < r->nthreads; i++) {
		struct lpae_race_thread *t = &r->threads[i];

		t->task = kthread_create(lpae_race_fn, t, "lpae-race/%u", i);
		if (IS_ERR(t->task)) {
			while (i--)
				kthread_stop(r->threads[i].task);
			return -ENOMEM;
		}
		kthread_bind(t->task, cpumask_nth(i % num_online_cpus(),
						  cpu_online_mask));
	}
	for (i = 0; i < r->nthreads; i++)
		wake_up_process(r->threads[i].task);
	for (i = 0; i < r->nthreads; i++) {
		/* Wake up now and then: no hung-task report while we wait. */
		while (!wait_for_completion_timeout(&r->threads[i].done, HZ))
			;
	}
	return 0;
}

/*
 * Threads map and unmap their own pages, interleaved with the other
 * threads' pages under the same tables, as iommu-dma's callers do on
 * several CPUs: they race to install the same new tables and to split the
 * same block. Each checks its page in both views after each call; at the
 * end, every page is what its thread's log says, and nothing else is
 * mapped.
 */
static void lpae_test_race(struct kunit *test)
{
	struct lpae_ctx *ctx = lpae_setup_dev(test, false);
	unsigned int i, slot, maps = 0, unmaps = 0, enomem = 0;
	unsigned int allocs, frees, tables;
	struct lpae_race *r;
	u64 l1, want, start, split;
	s64 us;

	if (num_online_cpus() < 2)
		lpae_skip(test, LPAE_SKIP_ONE_CPU);
	ctx->count_alloc = true;
	lpae_setup_ops(ctx);

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->ctx = ctx;
	r->gate_open = true;	/* until the threads start */
	r->nthreads = roundup_pow_of_two(clamp(num_online_cpus(), 2U,
					       LPAE_RACE_MAX_THREADS));
	r->g = lpae_granule(ctx);
	r->blk = r->g << ctx->g.bpl;
	l1 = r->blk << ctx->g.bpl;
	r->install_base = l1 - LPAE_RACE_INSTALL / 2 * r->blk;
	r->split_base = 3 * l1;
	r->install_slots = LPAE_RACE_INSTALL * LPAE_RACE_PAGES;
	r->split_slots = r->blk / r->g / r->nthreads;
	r->slots = r->install_slots + LPAE_RACE_SPLIT * r->split_slots;
	KUNIT_ASSERT_LE(test, r->split_base + LPAE_RACE_SPLIT * r->blk,
			lpae_top(ctx));
	KUNIT_ASSERT_TRUE(test, ctx->cfg.pgsize_bitmap & r->blk);

	r->threads = kunit_kcalloc(test, r->nthreads, sizeof(*r->threads),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->threads);
	for (i = 0; i < r->nthreads; i++) {
		struct lpae_race_thread *t = &r->threads[i];

		t->race = r;
		t->id = i;
		prandom_seed_state(&t->rnd, i + 1);
		init_completion(&t->done);
		t->pa = kunit_kcalloc(test, r->slots, sizeof(u64), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, t->pa);
	}

	/* The blocks to split, mapped by one thread beforehand. */
	for (i = 0; i < LPAE_RACE_SPLIT; i++) {
		split = r->split_base + i * r->blk;
		lpae_map_ok(ctx, split, lpae_pa(ctx, split), r->blk, 1,
			    LPAE_RW);
	}
	for (i = 0; i < r->nthreads; i++) {
		for (slot = r->install_slots; slot < r->slots; slot++) {
			u64 iova = lpae_race_iova(r, i, slot);

			r->threads[i].pa[slot] = lpae_pa(ctx, iova);
		}
	}
	ctx->model.n = 0;	/* the threads' logs are the model now */

	allocs = atomic_read(&ctx->nr_count_allocs);
	lpae_op(ctx, "%u threads racing", r->nthreads);
	r->gate_open = false;
	ctx->race = r;
	start = ktime_get_ns();
	KUNIT_ASSERT_EQ(test, lpae_race_start(r), 0);
	ctx->race = NULL;
	us = div_s64(ktime_get_ns() - start, NSEC_PER_USEC);
	allocs = atomic_read(&ctx->nr_count_allocs) - allocs;
	frees = atomic_read(&ctx->nr_count_frees);

	for (i = 0; i < r->nthreads; i++) {
		struct lpae_race_thread *t = &r->threads[i];

		maps += t->maps;
		unmaps += t->unmaps;
		enomem += t->enomem;
		if (t->errors)
			lpae_fail(ctx, "%u errors, the first: %s", t->errors,
				  t->why);
	}
	if (enomem)
		lpae_fail(ctx, "%u maps failed with -ENOMEM", enomem);

	lpae_op(ctx, "%u threads raced", r->nthreads);
	want = lpae_race_verify(r);
	lpae_dv_walk_all(ctx, false);
	tables = ctx->nr_tables;
	if (ctx->dv_bytes != want)
		lpae_fail(ctx, "device view maps %#llx bytes, the logs %#llx",
			  ctx->dv_bytes, want);

	kunit_info(test,
		   "%u threads x %u ops (%u maps, %u unmaps) in %lld us; %u tables allocated, %u freed unlinked (lost install/split races), %u reached at the end",
		   r->nthreads, (maps + unmaps) / r->nthreads, maps, unmaps,
		   us, allocs, frees, tables);
	/* The threads only unmap pages: each table freed lost a claim */
	lpae_stats.race_rounds += LPAE_RACE_INSTALL + LPAE_RACE_SPLIT;
	lpae_stats.race_lost += frees;

	lpae_finish(ctx);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ctx->nr_count_frees),
			    atomic_read(&ctx->nr_count_allocs),
			    "tables leaked by free_io_pgtable_ops()");
}

/* The race parameters before this case raced: claims were lost. */
static void lpae_test_race_contended(struct kunit *test)
{
	unsigned int rounds = lpae_stats.race_rounds;

	if (!rounds)
		lpae_skip(test, LPAE_SKIP_ONE_CPU);
	kunit_info(test, "%u tables freed unlinked in %u install and split rounds",
		   lpae_stats.race_lost, rounds);
	KUNIT_EXPECT_GE_MSG(test, lpae_stats.race_lost * LPAE_RACE_LOST_SHARE,
			    rounds,
			    "the threads did not race: %u lost claims in %u rounds, want one in %u rounds",
			    lpae_stats.race_lost, rounds, LPAE_RACE_LOST_SHARE);
}

/* ---------------------------------------------------------------------
 * Corrupted descriptors: the table descriptor that links a last-level
 * table is overwritten in the walker's view (a bounce slot in the bounced
 * mode, the table memory itself otherwise: a device write or a stray CPU
 * store). The CPU's view must not follow it: translations stay right, and
 * unmap and free release exactly our own tables, every one of them.
 */

/* The walker's table descriptor on @iova's path that links its last table */
static bool lpae_dv_last_link(struct lpae_ctx *ctx, u64 iova,
			      struct lpae_dv_entry *link)
{
	struct lpae_dv_entry leaf;

	return lpae_dv_translate_link(ctx, iova, &leaf, link) == 1 &&
	       link->table;
}

/* Overwrite the descriptor in the memory the walker reads */
static void lpae_dv_write(struct lpae_ctx *ctx, const struct lpae_dv_entry *e,
			  u64 desc)
{
	phys_addr_t phys = dma_to_phys(ctx->dev, e->table + e->idx * sizeof(u64));

	WRITE_ONCE(*(u64 *)phys_to_virt(phys), desc);
}

static void lpae_corrupt_one(struct lpae_ctx *ctx, enum lpae_scribble kind,
			     u64 decoy)
{
	struct lpae_dv_entry link, sib;
	u64 g, blk, x, desc, block, pages[4];
	unsigned int i;
	size_t mapped;

	ctx->model.n = 0;
	ctx->in_teardown = false;
	lpae_setup_ops(ctx);
	g = lpae_granule(ctx);
	blk = g << ctx->g.bpl;
	if (!(ctx->cfg.pgsize_bitmap & blk) ||
	    lpae_region(ctx, 1) + 4 * blk > lpae_top(ctx))
		lpae_skip(ctx->test, LPAE_SKIP_NO_ROOM);
	x = lpae_region(ctx, 1) + 2 * blk;
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		pages[i] = lpae_scribble_iova(x, g, blk, i);
	for (i = 0; i < LPAE_SCRIBBLE_PAGES; i++)
		lpae_map_ok(ctx, pages[i], lpae_pa(ctx, pages[i]), g, 1,
			    LPAE_RW);
	block = lpae_scribble_iova(x, g, blk, 4);
	lpae_map_ok(ctx, block, lpae_pa(ctx, block), blk, 1, LPAE_RW);
	if (!lpae_dv_last_link(ctx, pages[0], &link) ||
	    !lpae_dv_last_link(ctx, pages[2], &sib)) {
		lpae_fail(ctx, "no table descriptor on the path of %#llx",
			  pages[0]);
		return;
	}
	desc = lpae_scribble_desc(&ctx->g, kind, link.desc, decoy,
				  sib.desc != link.desc ?
				  lpae_desc_oa(&ctx->g, sib.desc, ctx->g.gshift) :
				  ctx->g.root, link.table, SZ_64K);

	/* From here on the walker's view is garbage: no walks, only books. */
	lpae_op(ctx, "%s scribble over level %d entry %u of table @dma %#llx",
		lpae_scribble_names[kind], link.lvl, link.idx, link.table);
	ctx->dv_ready = false;
	lpae_dv_write(ctx, &link, desc);

	for (i = 0; i < LPAE_SCRIBBLE_PAGES; i++) {
		phys_addr_t pa = ctx->ops->iova_to_phys(ctx->ops, pages[i]);

		if (pa != lpae_pa(ctx, pages[i]))
			lpae_fail(ctx,
				  "iova_to_phys(%#llx) = %pa, expected %#llx: the CPU followed the scribble",
				  pages[i], &pa, lpae_pa(ctx, pages[i]));
	}
	lpae_map1(ctx, pages[3], lpae_pa(ctx, pages[3]), g, 1, LPAE_RW,
		  &mapped);

	/* Whatever unmap returns, everything goes; then free. */
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		lpae_unmap1(ctx, pages[i], g, 1);
	lpae_unmap1(ctx, block, blk, 1);
	lpae_finish(ctx);
}

static void lpae_test_corrupt_desc(struct kunit *test)
{
	struct lpae_ctx *ctx;
	enum lpae_scribble kind;
	u64 *decoy, self;
	unsigned int i, n;

	ctx = lpae_setup_dev(test, true);

	/*
	 * A decoy that looks like a table linking itself everywhere; kmalloc()
	 * aligns power-of-two sizes to their size, as a table needs.
	 */
	decoy = kunit_kzalloc(test, lpae_granule(ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, decoy);
	self = phys_to_dma(ctx->dev, virt_to_phys(decoy));
	n = lpae_granule(ctx) / sizeof(u64);
	for (i = 0; i < n; i++)
		decoy[i] = self | 3;

	for (kind = 0; kind < LPAE_NR_SCRIBBLES; kind++) {
		lpae_corrupt_one(ctx, kind, self);
		for (i = 0; i < n && decoy[i] == (self | 3); i++)
			;
		if (i < n)
			lpae_fail(ctx, "decoy entry %u changed: the scribble was followed",
				  i);
	}
}

/* ---------------------------------------------------------------------
 * Allocation failures from the kernel's fault injection
 *
 * failslab and fail_page_alloc fail the Nth allocation a task makes once
 * its fail_nth is N (what /proc/thread-self/fail-nth sets). Every call of
 * a random sequence of maps, splits and unmaps is repeated with its 1st,
 * 2nd, ... allocation failing, until it runs without reaching the failure;
 * in the bounced mode, every third call is first tried with the bounce
 * pool exhausted. A failed call must return its error and leave the tables,
 * the live allocations and the bounce slots exactly as they were.
 *
 * By default both capabilities ignore allocations that may sleep, and
 * fail_page_alloc order-0 ones: the suite skips unless debugfs has them
 * armed (failslab/ignore-gfp-wait and fail_page_alloc/ignore-gfp-wait N,
 * fail_page_alloc/min-order 0), which the test guest does before it reruns
 * the suite through /sys/kernel/debug/kunit/io-pgtable-arm-faults/run.
 * Only the test's own task fails: its probability stays 0.
 */

#define LPAE_FAULT_STEPS	40	/* random operations per parameter */
#define LPAE_FAULT_CHUNKS	6	/* mapped ranges alive at once */
#define LPAE_FAULT_MAX_NTH	64	/* allocations one call may make */

struct lpae_fault_stats {
	unsigned int	ops;		/* map_pages() and unmap_pages() calls */
	unsigned int	armed;		/* calls made with a failure armed */
	unsigned int	injected;	/* allocations failed on purpose */
	unsigned int	failed;		/* calls that failed because of one */
	unsigned int	absorbed;	/* calls a fallback allocation saved */
	unsigned int	dma_failed;	/* calls failed by the empty bounce pool */
};

/* Totals over the suite, printed at its end */
static struct lpae_fault_stats lpae_fault_totals;
static unsigned int lpae_fault_params;
static bool lpae_fault_ran;

static void lpae_fault_describe(const struct lpae_fault_stats *st, char *buf,
				size_t len)
{
	snprintf(buf, len,
		 "%u calls, %u with a failure armed: %u allocations failed, %u calls failed cleanly, %u saved by a fallback; %u failed for want of a bounce slot",
		 st->ops, st->armed, st->injected, st->failed, st->absorbed,
		 st->dma_failed);
}

/* A range mapped by the sequence, with the page size it was mapped with */
struct lpae_fault_chunk {
	u64	iova;
	u64	pgsize;
	u64	pgcount;
};

struct lpae_fault_seq {
	struct lpae_ctx		*ctx;
	struct lpae_fault_stats	st;
	struct lpae_fault_chunk	chunks[LPAE_FAULT_CHUNKS];
	unsigned int		nr_chunks;
	struct rnd_state	rnd;
};

#ifdef CONFIG_FAULT_INJECTION
static void lpae_fail_nth(unsigned int n)
{
	WRITE_ONCE(current->fail_nth, n);
}

/* Disarm; whether the armed failure was injected */
static bool lpae_fail_hit(void)
{
	bool hit = !READ_ONCE(current->fail_nth);

	WRITE_ONCE(current->fail_nth, 0);
	return hit;
}
#else
static void lpae_fail_nth(unsigned int n)
{
}

static bool lpae_fail_hit(void)
{
	return false;
}
#endif

/* Why this task's sleeping slab and order-0 page allocations cannot fail */
static const char *lpae_fault_unarmed(void)
{
	struct page *page;
	void *obj;

	if (!IS_ENABLED(CONFIG_FAILSLAB) || !IS_ENABLED(CONFIG_FAIL_PAGE_ALLOC))
		return "needs CONFIG_FAILSLAB and CONFIG_FAIL_PAGE_ALLOC";
	lpae_fail_nth(1);
	obj = kmalloc(64, GFP_KERNEL | __GFP_NOWARN);
	lpae_fail_hit();
	kfree(obj);
	if (obj)
		return "failslab not armed (ignore-gfp-wait)";
	lpae_fail_nth(1);
	page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	lpae_fail_hit();
	if (page) {
		__free_page(page);
		return "fail_page_alloc not armed (ignore-gfp-wait, min-order)";
	}
	return NULL;
}

static u32 lpae_fault_rand(struct lpae_fault_seq *q, u32 below)
{
	return below ? prandom_u32_state(&q->rnd) % below : 0;
}

/*
 * Disarm after a call made with a failure armed and count it: is the sweep
 * of this call over? It is unless the failure was injected and the call
 * failed, which the caller then checks.
 */
static bool lpae_fault_done(struct lpae_fault_stats *st, bool succeeded)
{
	st->armed++;
	if (!lpae_fail_hit())
		return true;
	st->injected++;
	if (succeeded)
		st->absorbed++;
	else
		st->failed++;
	return succeeded;
}

/* One map_pages() or unmap_pages() call: bytes done, or an error */
static long lpae_fault_call1(struct lpae_ctx *ctx, bool unmap, u64 iova,
			     u64 pgsize, u64 pgcount)
{
	size_t mapped;
	int ret;

	if (unmap)
		return lpae_unmap1(ctx, iova, pgsize, pgcount);
	ret = lpae_map1(ctx, iova, lpae_pa_range(ctx, iova), pgsize, pgcount,
			LPAE_RW, &mapped);
	return ret ?: (long)mapped;
}

/* A call that failed on purpose: its error, and no trace */
static void lpae_fault_expect_clean(struct lpae_ctx *ctx, bool unmap, long ret,
				    const struct lpae_snapshot *before,
				    const char *cause, unsigned int n)
{
	long want = unmap ? 0 : -ENOMEM;

	if (ret != want)
		lpae_fail(ctx, "with %s %u failing: returned %ld, expected %ld",
			  cause, n, ret, want);
	lpae_expect_unchanged(ctx, before);
}

/* Bounced mode, every third call: try it with the bounce pool exhausted */
static bool lpae_fault_dma(struct lpae_fault_seq *q, bool unmap, u64 iova,
			   u64 pgsize, u64 pgcount, long *ret)
{
	struct lpae_ctx *ctx = q->ctx;
	struct lpae_snapshot before;
	bool failed;

	if (ctx->p->mode != LPAE_BOUNCED || q->st.ops % 3)
		return false;
	if (!lpae_fill_pool(ctx)) {
		lpae_release_fillers(ctx, 0);
		return false;
	}
	lpae_snapshot(ctx, &before);
	*ret = lpae_fault_call1(ctx, unmap, iova, pgsize, pgcount);
	failed = unmap ? !*ret : *ret < 0;
	if (failed) {
		q->st.dma_failed++;
		lpae_fault_expect_clean(ctx, unmap, *ret, &before,
					"bounce slot", 1);
	}
	lpae_release_fillers(ctx, 0);
	return !failed;
}

/*
 * Make one call with its 1st, 2nd, ... allocation failing, until it runs
 * without reaching the failure; return what that last call did.
 */
static long lpae_fault_call(struct lpae_fault_seq *q, bool unmap, u64 iova,
			    u64 pgsize, u64 pgcount)
{
	struct lpae_ctx *ctx = q->ctx;
	struct lpae_snapshot before;
	unsigned int n;
	long ret;

	q->st.ops++;
	if (lpae_fault_dma(q, unmap, iova, pgsize, pgcount, &ret))
		return ret;
	for (n = 1; n <= LPAE_FAULT_MAX_NTH; n++) {
		lpae_snapshot(ctx, &before);
		lpae_fail_nth(n);
		ret = lpae_fault_call1(ctx, unmap, iova, pgsize, pgcount);
		if (lpae_fault_done(&q->st, ret > 0))
			return ret;
		lpae_fault_expect_clean(ctx, unmap, ret, &before, "allocation",
					n);
	}
	lpae_fail(ctx, "still allocating with allocation %u failing", n);
	return ret;
}

/* The page size and count iommu_map()/iommu_unmap() use for a range */
static u64 lpae_fault_pgsize(struct lpae_ctx *ctx, u64 iova, u64 size,
			     u64 *count)
{
	unsigned long sizes = ctx->cfg.pgsize_bitmap;
	u64 ps = lpae_granule(ctx), next = 0;
	unsigned int bit;

	for_each_set_bit(bit, &sizes, BITS_PER_LONG) {
		if (BIT_ULL(bit) <= size && IS_ALIGNED(iova, BIT_ULL(bit)))
			ps = BIT_ULL(bit);
		else if (BIT_ULL(bit) > ps && !next)
			next = BIT_ULL(bit);
	}
	*count = size / ps;
	/* Stop where the next page size could take over. */
	if (next && next <= size)
		*count = min(*count, (round_up(iova + 1, next) - iova) / ps);
	return ps;
}

/*
 * Map or unmap a whole range, call by call as iommu_map() and iommu_unmap()
 * do, each call under fault injection. @pgsize 0: the largest that fits.
 */
static bool lpae_fault_range(struct lpae_fault_seq *q, bool unmap, u64 iova,
			     u64 size, u64 pgsize)
{
	u64 ps, count;
	long ret;

	while (size) {
		if (pgsize) {
			ps = pgsize;
			count = size / ps;
		} else {
			ps = lpae_fault_pgsize(q->ctx, iova, size, &count);
		}
		ret = lpae_fault_call(q, unmap, iova, ps, count);
		if (ret <= 0) {
			lpae_fail(q->ctx, "returned %ld with no failure injected",
				  ret);
			return false;
		}
		iova += ret;
		size -= ret;
	}
	return true;
}

static bool lpae_fault_overlaps(struct lpae_fault_seq *q, u64 iova, u64 size)
{
	unsigned int i;

	for (i = 0; i < q->nr_chunks; i++) {
		const struct lpae_fault_chunk *c = &q->chunks[i];

		if (iova < c->iova + c->pgsize * c->pgcount &&
		    c->iova < iova + size)
			return true;
	}
	return false;
}

/* Map pages (some across a table boundary) or blocks somewhere free */
static void lpae_fault_map(struct lpae_fault_seq *q)
{
	struct lpae_ctx *ctx = q->ctx;
	u64 g = lpae_granule(ctx), span = g << ctx->g.bpl, blocks;
	u64 base = lpae_region(ctx, 1 + lpae_fault_rand(q, 3));
	struct lpae_fault_chunk c = { .pgsize = g, .pgcount = 1 };
	u64 window = 4 * span;

	blocks = lpae_block_sizes(ctx);
	if (base + window > lpae_top(ctx))
		base = 0;
	if (blocks && !lpae_fault_rand(q, 3)) {
		c.pgsize = BIT_ULL(__ffs(blocks));
		c.pgcount = 1 + lpae_fault_rand(q, 2);
	} else if (!lpae_fault_rand(q, 4)) {
		c.pgcount = 2 + lpae_fault_rand(q, span / g + 16);
	} else {
		c.pgcount = 1 + lpae_fault_rand(q, 8);
	}
	if (c.pgsize * c.pgcount > window / 2)
		return;
	c.iova = base + c.pgsize *
		 lpae_fault_rand(q, (window - c.pgsize * c.pgcount) / c.pgsize);
	if (lpae_fault_overlaps(q, c.iova, c.pgsize * c.pgcount))
		return;
	if (lpae_fault_range(q, false, c.iova, c.pgsize * c.pgcount, c.pgsize))
		q->chunks[q->nr_chunks++] = c;
}

/* Unmap a range, or first a page out of the middle of its block */
static void lpae_fault_unmap(struct lpae_fault_seq *q, unsigned int i)
{
	struct lpae_fault_chunk c = q->chunks[i];
	u64 g = lpae_granule(q->ctx), size = c.pgsize * c.pgcount, hole;

	q->chunks[i] = q->chunks[--q->nr_chunks];
	if (c.pgsize > g && lpae_fault_rand(q, 2)) {
		hole = c.iova + g * lpae_fault_rand(q, size / g);
		if (!lpae_fault_range(q, true, hole, g, g))
			return;
		lpae_fault_range(q, true, c.iova, hole - c.iova, 0);
		lpae_fault_range(q, true, hole + g, c.iova + size - hole - g, 0);
		return;
	}
	lpae_fault_range(q, true, c.iova, size, 0);
}

/* alloc_io_pgtable_ops() with its 1st, 2nd, ... allocation failing */
static void lpae_fault_alloc_ops(struct lpae_fault_seq *q)
{
	struct lpae_ctx *ctx = q->ctx;
	long used = lpae_swiotlb_used(ctx);
	unsigned int n;

	lpae_op(ctx, "alloc_io_pgtable_ops()");
	for (n = 1; n <= LPAE_FAULT_MAX_NTH; n++) {
		lpae_fail_nth(n);
		ctx->ops = lpae_alloc_ops(ctx);
		if (lpae_fault_done(&q->st, ctx->ops))
			break;
		if (ctx->nr_allocs != ctx->nr_frees)
			lpae_fail(ctx, "with allocation %u failing: %u tables leaked",
				  n, ctx->nr_allocs - ctx->nr_frees);
		if (ctx->p->mode == LPAE_BOUNCED &&
		    lpae_swiotlb_used(ctx) != used)
			lpae_fail(ctx, "with allocation %u failing: %ld bounce slots leaked",
				  n, lpae_swiotlb_used(ctx) - used);
	}
	if (!ctx->ops) {
		lpae_skip_refusal(ctx);
		KUNIT_FAIL_AND_ABORT(ctx->test, "alloc_io_pgtable_ops() failed");
	}
	lpae_decode(ctx);
}

static void lpae_test_fault_sequence(struct kunit *test)
{
	const char *unarmed = lpae_fault_unarmed();
	struct lpae_fault_seq *q;
	unsigned int step;
	char buf[192];

	if (unarmed) {
		kunit_info(test, "%s", unarmed);
		lpae_skip(test, LPAE_SKIP_UNARMED);
	}

	q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	q->ctx = lpae_setup_dev(test, true);
	prandom_seed_state(&q->rnd, 1 + ((const struct lpae_param *)
					 test->param_value - lpae_params));
	lpae_fault_alloc_ops(q);

	for (step = 0; step < LPAE_FAULT_STEPS; step++) {
		/* iommu-dma maps with GFP_ATOMIC as often as GFP_KERNEL */
		q->ctx->gfp = step & 1 ? GFP_ATOMIC : GFP_KERNEL;
		if (q->nr_chunks == LPAE_FAULT_CHUNKS ||
		    (q->nr_chunks && !lpae_fault_rand(q, 3)))
			lpae_fault_unmap(q, lpae_fault_rand(q, q->nr_chunks));
		else
			lpae_fault_map(q);
	}
	while (q->nr_chunks)
		lpae_fault_unmap(q, 0);
	lpae_check(q->ctx);
	KUNIT_EXPECT_EQ(test, q->ctx->nr_leaves, 0U);
	lpae_finish(q->ctx);

	lpae_fault_describe(&q->st, buf, sizeof(buf));
	kunit_info(test, "%s", buf);
	lpae_fault_totals.ops += q->st.ops;
	lpae_fault_totals.armed += q->st.armed;
	lpae_fault_totals.injected += q->st.injected;
	lpae_fault_totals.failed += q->st.failed;
	lpae_fault_totals.absorbed += q->st.absorbed;
	lpae_fault_totals.dma_failed += q->st.dma_failed;
	lpae_fault_params++;
}

/* ---------------------------------------------------------------------
 * Per suite run: results by walker, skips by reason, and no WARN
 */

/*
 * 6.12 exports no WARN count a module could read, only the taint every
 * WARN sets: the first parameter after which TAINT_WARN is set fails. In a
 * kernel that WARNed before the suite, a WARN of the suite could not be
 * told apart: the first parameter fails for that.
 */
static void lpae_expect_no_warn(struct kunit *test)
{
	if (lpae_stats.warned || !test_taint(TAINT_WARN))
		return;
	lpae_stats.warned = true;
	if (lpae_stats.tainted)
		KUNIT_FAIL(test,
			   "the kernel WARNed before this suite (tainted W): a WARN of the suite could not show");
	else
		KUNIT_FAIL(test,
			   "a WARN fired during this parameter (see the log): the cases that misuse the API set IO_PGTABLE_QUIRK_NO_WARN, any other WARN is a bug");
}

/* Last of the parameter's cleanups: after teardown, which may WARN too */
static void lpae_param_done(void *data)
{
	struct kunit *test = data;
	const struct lpae_param *p = test->param_value;

	lpae_expect_no_warn(test);
	if (!p)		/* a case without parameters */
		return;
	if (test->status == KUNIT_SKIPPED)
		lpae_stats.skip[p->mode]++;
	else if (test->status == KUNIT_FAILURE)
		lpae_stats.fail[p->mode]++;
	else
		lpae_stats.pass[p->mode]++;
}

static int lpae_param_init(struct kunit *test)
{
	return kunit_add_action(test, lpae_param_done, test);
}

static int lpae_suite_init(struct kunit_suite *suite)
{
	memset(&lpae_stats, 0, sizeof(lpae_stats));
	lpae_stats.tainted = test_taint(TAINT_WARN);
	return 0;
}

static void lpae_suite_exit(struct kunit_suite *suite)
{
	unsigned int i;

	for (i = 0; i < LPAE_NR_MODES; i++)
		pr_info("%s: %s walker: %u parameters passed, %u failed, %u skipped\n",
			suite->name, lpae_mode_names[i], lpae_stats.pass[i],
			lpae_stats.fail[i], lpae_stats.skip[i]);
	for (i = 0; i < LPAE_NR_SKIPS; i++)
		if (lpae_stats.skips[i])
			pr_info("%s: %u skipped: %s\n", suite->name,
				lpae_stats.skips[i], lpae_skip_reasons[i]);
	pr_info("%s: TLB contract: %lu removed leaves invalidated, %lu table frees after the invalidation of every unlinked table\n",
		suite->name, lpae_stats.leaves, lpae_stats.frees);
}

static int lpae_fault_suite_init(struct kunit_suite *suite)
{
	struct kunit_case *c;

	/*
	 * A case whose parameters all skipped keeps KUNIT_SKIPPED, which a
	 * rerun through debugfs takes for "filtered out": after the unarmed
	 * run at boot, let the rerun run it.
	 */
	if (lpae_fault_ran)
		kunit_suite_for_each_test_case(suite, c)
			if (c->status == KUNIT_SKIPPED)
				c->status = KUNIT_SUCCESS;
	memset(&lpae_fault_totals, 0, sizeof(lpae_fault_totals));
	lpae_fault_params = 0;
	return lpae_suite_init(suite);
}

static void lpae_fault_suite_exit(struct kunit_suite *suite)
{
	const struct lpae_fault_stats *t = &lpae_fault_totals;
	char buf[192];

	lpae_fault_ran = true;
	lpae_suite_exit(suite);
	if (!lpae_fault_params)
		return;
	lpae_fault_describe(t, buf, sizeof(buf));
	pr_info("%s: %u parameters, %s\n", suite->name, lpae_fault_params, buf);
}

/*
 * Each case of the matrix twice: on the fast subset of lpae_picked(), and
 * as "<case>_matrix" on the rest, KUNIT_SPEED_SLOW (kunit.filter=speed>slow
 * skips it).
 */
#define LPAE_SLOW_CASE(fn)						\
	{ .run_case = fn, .name = #fn "_matrix",			\
	  .generate_params = lpae_slow_params,				\
	  .attr.speed = KUNIT_SPEED_SLOW, .module_name = KBUILD_MODNAME }

static struct kunit_case lpae_test_cases[] = {
	KUNIT_CASE_PARAM(lpae_test_empty, lpae_fast_params),
	LPAE_SLOW_CASE(lpae_test_empty),
	KUNIT_CASE_PARAM(lpae_test_map_unmap_pgsizes, lpae_fast_params),
	LPAE_SLOW_CASE(lpae_test_map_unmap_pgsizes),
	KUNIT_CASE_PARAM(lpae_test_pgcount_batches, lpae_fast_params),
	LPAE_SLOW_CASE(lpae_test_pgcount_batches),
	KUNIT_CASE_PARAM(lpae_test_overlap_across_tables, lpae_fast_params),
	LPAE_SLOW_CASE(lpae_test_overlap_across_tables),
	KUNIT_CASE_PARAM(lpae_test_split_block, lpae_fast_params),
	LPAE_SLOW_CASE(lpae_test_split_block),
	KUNIT_CASE_PARAM(lpae_test_split_hitless, lpae_fast_params),
	LPAE_SLOW_CASE(lpae_test_split_hitless),
	KUNIT_CASE_PARAM(lpae_test_s2_xn, lpae_fast_params),
	LPAE_SLOW_CASE(lpae_test_s2_xn),
	KUNIT_CASE_PARAM(lpae_test_ias_limits, lpae_fast_params),
	LPAE_SLOW_CASE(lpae_test_ias_limits),
	KUNIT_CASE_PARAM(lpae_test_bad_input, lpae_fast_params),
	LPAE_SLOW_CASE(lpae_test_bad_input),
	KUNIT_CASE_PARAM(lpae_test_alloc_failure, lpae_fast_params),
	LPAE_SLOW_CASE(lpae_test_alloc_failure),
	KUNIT_CASE_PARAM(lpae_test_dma_failure, lpae_fast_params),
	LPAE_SLOW_CASE(lpae_test_dma_failure),
	KUNIT_CASE_PARAM(lpae_test_free_releases, lpae_fast_params),
	LPAE_SLOW_CASE(lpae_test_free_releases),
	KUNIT_CASE_PARAM(lpae_test_corrupt_desc, lpae_fast_params),
	LPAE_SLOW_CASE(lpae_test_corrupt_desc),
	KUNIT_CASE_PARAM(lpae_test_race, lpae_race_gen_params),
	KUNIT_CASE(lpae_test_race_contended),
	{}
};

static struct kunit_suite lpae_test_suite = {
	.name = "io-pgtable-arm",
	.suite_init = lpae_suite_init,
	.suite_exit = lpae_suite_exit,
	.init = lpae_param_init,
	.test_cases = lpae_test_cases,
};

static struct kunit_case lpae_fault_cases[] = {
	KUNIT_CASE_PARAM(lpae_test_fault_sequence, lpae_gen_params),
	{}
};

static struct kunit_suite lpae_fault_suite = {
	.name = "io-pgtable-arm-faults",
	.suite_init = lpae_fault_suite_init,
	.suite_exit = lpae_fault_suite_exit,
	.init = lpae_param_init,
	.test_cases = lpae_fault_cases,
};

kunit_test_suites(&lpae_test_suite, &lpae_fault_suite);

MODULE_DESCRIPTION("KUnit tests for the ARM LPAE io-pgtable formats");
MODULE_LICENSE("GPL");
