// SPDX-License-Identifier: GPL-2.0
/*
 * io-pgtable harness driver: configurations, seeded random operation
 * sequences, fault injection, controls and the report.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define SZ_4T	BIT_ULL(42)

#define PG4K	(SZ_4K | SZ_2M | SZ_1G)
#define PG16K	(SZ_16K | SZ_32M)
#define PG64K	(SZ_64K | SZ_512M | SZ_4T)

const struct tcfg tcfgs[] = {
	{ "s1-4k-48",      ARM_64_LPAE_S1, PG4K,  48, 48, 0 },
	{ "s1-4k-39-ttbr1", ARM_64_LPAE_S1, PG4K, 39, 40, IO_PGTABLE_QUIRK_ARM_TTBR1 },
	{ "s1-4k-32-ns",   ARM_64_LPAE_S1, PG4K,  32, 36, IO_PGTABLE_QUIRK_ARM_NS },
	{ "s1-4k-25",      ARM_64_LPAE_S1, PG4K,  25, 40, 0 },
	{ "s1-4k-40-custom", ARM_64_LPAE_S1, PG4K, 40, 44, 0, true },
	{ "s1-16k-36",     ARM_64_LPAE_S1, PG16K, 36, 40, 0 },
	{ "s1-16k-47",     ARM_64_LPAE_S1, PG16K, 47, 48, 0 },
	{ "s1-64k-42",     ARM_64_LPAE_S1, PG64K, 42, 44, 0 },
	{ "s1-64k-52",     ARM_64_LPAE_S1, PG64K, 52, 52, 0 },
	{ "s1-4k-40-hd",   ARM_64_LPAE_S1, PG4K,  40, 48, IO_PGTABLE_QUIRK_ARM_HD },
	{ "s2-4k-40",      ARM_64_LPAE_S2, PG4K,  40, 40, 0 },
	{ "s2-4k-42",      ARM_64_LPAE_S2, PG4K,  42, 42, 0 },
	{ "s2-4k-48",      ARM_64_LPAE_S2, PG4K,  48, 48, 0 },
	{ "s2-4k-32",      ARM_64_LPAE_S2, PG4K,  32, 40, 0 },
	{ "s2-16k-48",     ARM_64_LPAE_S2, PG16K, 48, 48, 0 },
	{ "s2-64k-48",     ARM_64_LPAE_S2, PG64K, 48, 48, 0 },
	{ "s2-64k-52",     ARM_64_LPAE_S2, PG64K, 52, 52, 0 },
	{ "s1-32-4k",      ARM_32_LPAE_S1, PG4K,  32, 40, 0 },
	{ "s2-32-4k",      ARM_32_LPAE_S2, PG4K,  40, 40, 0 },
	{ "mali-48",       ARM_MALI_LPAE,  PG4K,  48, 40, 0 },
	{ "mali-33",       ARM_MALI_LPAE,  PG4K,  33, 40, 0 },
};

const int nr_tcfgs = ARRAY_SIZE(tcfgs);

const struct tcfg *tcfg_find(const char *name)
{
	int i;

	for (i = 0; i < nr_tcfgs; i++)
		if (!strcmp(tcfgs[i].name, name))
			return &tcfgs[i];
	return NULL;
}

struct result {
	unsigned long runs, failed_runs;
	unsigned long fails[NR_CATS];
	char first[NR_CATS][600];
};

static struct opts {
	int seeds, ops, fi_ops, fi_seeds, fi_every;
	u64 seed_base;
	bool check, informative, verbose, no_controls, trace;
	const char *impl;
	int only_mode;
	const char *only_cfg;
	int threads, thread_ops, rounds;
	bool threads_only, no_threads;
	const char *bad_out, *bad_upstream, *readme, *tsan_result;
	bool write_readme;
} O = { .seeds = 2, .ops = 120, .fi_ops = 12, .fi_seeds = 1, .fi_every = 3,
	.seed_base = 1, .impl = "our", .only_mode = -1, .threads = 4,
	.thread_ops = 300, .rounds = 16 };

static u64 rs;

static u64 rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static u64 rnd_below(u64 n)
{
	return n ? rnd() % n : 0;
}

struct op_counts {
	unsigned long map, unmap, iova_to_phys, dirty, bad, checks;
};

static struct op_counts opc;

/* fault injection totals */
static struct {
	unsigned long runs, ops, injected, snaps;
} fis;

/* compare the tables byte for byte around calls that fail */
static bool snap_ops;

static unsigned long ops_so_far(void)
{
	return opc.map + opc.unmap + opc.dirty + opc.iova_to_phys;
}

static void check_unchanged(struct model_snap *snap, int cat, const char *what)
{
	char err[300];

	fis.snaps++;
	if (model_snap_diff(snap, err, sizeof(err))) {
		model_snap_free(snap);
		model_fail(cat, "%s: failed, but changed the tables: %s", what, err);
	}
}

/* ---- one run ---- */

struct run_env {
	const struct tcfg *t;
	struct runctx c;
	u64 pg[4];
	int npg;
	u64 win_first, win_size;
	bool in_fi;
};

static int cat_for_error(int ret)
{
	if (!ret)
		return CAT_XLATE;
	return M.injected ? CAT_FAULT : CAT_STRICT;
}

static u64 ias_top(struct run_env *e)
{
	return e->c.in_last;
}

static bool iova_in_range(struct run_env *e, u64 iova)
{
	return iova >= e->c.in_first && iova <= e->c.in_last;
}

static void full_check(struct run_env *e, int cat, const char *what)
{
	opc.checks++;
	check_state(&e->c, e->win_first, e->win_first + e->win_size - 1, cat, what);
}

static void do_unmap(struct run_env *e, u64 iova, u64 pgsize, u64 count);

static void do_map(struct run_env *e, u64 iova, u64 pa, u64 pgsize, u64 count,
		   int prot)
{
	struct runctx *c = &e->c;
	u64 cur = iova, cur_pa = pa, left = count;
	bool bad_size = !pgsize || (pgsize & c->cfg.pgsize_bitmap) != pgsize;
	char what[160];

	opc.map++;
	while (left) {
		struct model_snap *snap;
		struct tlb_watch tw;
		size_t mapped = 0;
		int ret, want = 0;
		u64 k, limit;
		bool out = !iova_in_range(e, cur) || (pa >> c->cfg.oas);

		snprintf(what, sizeof(what), "op %d map %#llx->%#llx %#llx x %llu prot %#x",
			 c->opi, (unsigned long long)cur, (unsigned long long)cur_pa,
			 (unsigned long long)pgsize, (unsigned long long)left, prot);
		if (O.trace)
			printf("  %s\n", what);
		snap = snap_ops ? model_snap_take() : NULL;
		M.injected = false;
		tlb_watch_begin(&tw, c, 1, 0, NULL);
		/* dma-iommu maps with GFP_ATOMIC: every other map does */
		ret = c->ops->map_pages(c->ops, cur, cur_pa, pgsize, left, prot,
					c->opi & 1 ? GFP_ATOMIC : GFP_KERNEL,
					&mapped);
		model_op_end();
		tlb_watch_end(&tw, what);
		if (snap && ret)
			check_unchanged(snap, cat_for_error(ret), what);
		model_snap_free(snap);

		/* chunks that may be mapped: free and below the top of the range */
		for (k = 0; k < left && !bad_size && !out; k++) {
			u64 a = cur + k * pgsize;

			if (a + pgsize - 1 > ias_top(e) || a + pgsize - 1 < a ||
			    lpae_ext_overlaps(&c->sh, a, pgsize))
				break;
		}
		limit = k;
		if (bad_size || !(prot & (IOMMU_READ | IOMMU_WRITE)))
			want = -EINVAL;
		else if (out)
			want = -ERANGE;
		else if (!limit)
			want = (cur + pgsize - 1 > ias_top(e)) ? -ERANGE : -EEXIST;

		if (!ret) {
			if (want)
				model_fail(CAT_STRICT, "%s: succeeded (mapped %#zx), expected %d",
					   what, mapped, want);
			if (!mapped || mapped % pgsize || mapped / pgsize > limit)
				model_fail(CAT_STRICT,
					   "%s: succeeded with mapped %#zx, at most %llu pages may be mapped",
					   what, mapped, (unsigned long long)limit);
			shadow_add(&c->sh, cur, mapped, cur_pa, prot, true);
		} else {
			if (mapped)
				model_fail(cat_for_error(ret),
					   "%s: failed with %d but reported %#zx mapped",
					   what, ret, mapped);
			if (ret == -ENOMEM && !M.injected)
				model_fail(CAT_XLATE,
					   "%s: -ENOMEM without an injected failure", what);
			/* a run that collides part-way may be refused whole */
			if (!want && limit < left && !bad_size && !out)
				want = (cur + left * pgsize - 1 > ias_top(e) ||
					cur + left * pgsize - 1 < cur) &&
				       !lpae_ext_overlaps(&c->sh, cur,
							min_t(u64, left * pgsize,
							      ias_top(e) - cur + 1)) ?
				       -ERANGE : -EEXIST;
			if (ret != -ENOMEM && ret != want &&
			    !(want == -ERANGE && ret == -EINVAL) &&
			    !(want == -ERANGE && ret == -EEXIST)) {
				struct lpae_wres r;

				u64 a;
				char diag[200] = "";

				for (a = cur; a < cur + left * pgsize && strlen(diag) < 150;
				     a += pgsize) {
					walker_walk(&c->w, VIEW_CPU, a, &r);
					snprintf(diag + strlen(diag), sizeof(diag) - strlen(diag),
						 " %#llx:L%d:%s", (unsigned long long)a,
						 r.level, r.fault ? "fault" : "mapped");
				}
				model_fail(CAT_STRICT, "%s: returned %d, expected %d (walker:%s)",
					   what, ret, want ? want : 0, diag);
			}
		}
		full_check(e, cat_for_error(ret), what);
		if (ret || !mapped)
			break;
		cur += mapped;
		cur_pa += mapped;
		left -= mapped / pgsize;
	}
	/* like iommu_map(): undo a partial mapping after a failure */
	if (left && cur != iova && !M.injected)
		do_unmap(e, iova, pgsize, (cur - iova) / pgsize);
	else if (left && cur != iova)
		do_unmap(e, iova, pgsize, (cur - iova) / pgsize);
}

/* The last iova @count pages of @pgsize from @iova reach, saturated */
static u64 call_last(u64 iova, u64 pgsize, u64 count)
{
	u64 len = pgsize * count;

	if (!pgsize || !count)
		return iova;
	if (len / pgsize != count || iova + len - 1 < iova)
		return ~0ULL;
	return iova + len - 1;
}

static void do_unmap(struct run_env *e, u64 iova, u64 pgsize, u64 count)
{
	struct runctx *c = &e->c;
	struct iommu_iotlb_gather gather = { .queued = rnd() & 1 };
	bool bad_size = !pgsize || (pgsize & c->cfg.pgsize_bitmap) != pgsize;
	u64 cur = iova, left = count;
	char what[160];

	opc.unmap++;
	while (left) {
		struct model_snap *snap;
		struct tlb_watch tw;
		size_t n;
		bool out = !iova_in_range(e, cur) || !pgsize ||
			   cur + pgsize - 1 > ias_top(e) || cur + pgsize - 1 < cur;
		bool c0;

		snprintf(what, sizeof(what), "op %d unmap %#llx %#llx x %llu",
			 c->opi, (unsigned long long)cur,
			 (unsigned long long)pgsize, (unsigned long long)left);
		c0 = !bad_size && !out && lpae_ext_overlaps(&c->sh, cur, pgsize);
		if (O.trace)
			printf("  %s\n", what);
		snap = snap_ops ? model_snap_take() : NULL;
		M.injected = false;
		tlb_watch_begin(&tw, c, cur, call_last(cur, pgsize, left), &gather);
		n = c->ops->unmap_pages(c->ops, cur, pgsize, left, &gather);
		model_op_end();
		tlb_watch_end(&tw, what);
		if (snap && !n)
			check_unchanged(snap, M.injected ? CAT_FAULT : CAT_STRICT, what);
		model_snap_free(snap);
		if ((bad_size || out) && n)
			model_fail(CAT_STRICT, "%s: invalid unmap returned %#zx", what, n);
		if (n % (pgsize ? pgsize : 1) || n / (pgsize ? pgsize : 1) > left)
			model_fail(CAT_XLATE,
				   "%s: returned %#zx, not a multiple of the page size within the count",
				   what, n);
		if (!n && c0 && !M.injected)
			model_fail(CAT_XLATE, "%s: unmapped nothing of a mapped page", what);
		if (cur + n - 1 > ias_top(e) && n)
			model_fail(CAT_STRICT, "%s: unmapped beyond the input range", what);
		shadow_remove(&c->sh, cur, n);
		full_check(e, n ? CAT_XLATE : (M.injected ? CAT_FAULT : CAT_STRICT), what);
		if (!n)
			break;
		cur += n;
		left -= n / pgsize;
	}
}

static int rand_prot(void)
{
	static const int base[] = {
		IOMMU_READ, IOMMU_WRITE, IOMMU_READ | IOMMU_WRITE,
		IOMMU_READ | IOMMU_WRITE,
	};
	int prot;

	if (rnd_below(100) < 3)
		return rnd_below(2) ? 0 : IOMMU_CACHE;
	prot = base[rnd_below(ARRAY_SIZE(base))];
	if (rnd_below(2))
		prot |= IOMMU_CACHE;
	if (rnd_below(4) == 0)
		prot |= IOMMU_NOEXEC;
	if (rnd_below(8) == 0)
		prot |= IOMMU_MMIO;
	if (rnd_below(6) == 0)
		prot |= IOMMU_PRIV;
	return prot;
}

static u64 rand_count(struct run_env *e, u64 pgsize)
{
	u64 entries = 1ULL << e->c.w.bpl, n;
	int r = rnd_below(100);

	if (r < 50)
		n = 1;
	else if (r < 75)
		n = 2 + rnd_below(7);
	else if (r < 90)
		n = 9 + rnd_below(56);
	else
		n = entries - 4 + rnd_below(12);
	return max_t(u64, 1, min_t(u64, n, e->win_size / pgsize));
}

static u64 rand_iova(struct run_env *e, u64 pgsize)
{
	return e->win_first + rnd_below(e->win_size / pgsize) * pgsize;
}

static void op_map(struct run_env *e)
{
	u64 pgsize = e->pg[rnd_below(e->npg)], count = rand_count(e, pgsize);
	u64 iova = rand_iova(e, pgsize), pa;
	int tries;

	for (tries = 0; tries < 8 && rnd_below(100) < 80; tries++) {
		if (!lpae_ext_overlaps(&e->c.sh, iova, count * pgsize))
			break;
		iova = rand_iova(e, pgsize);
	}
	if (iova + count * pgsize - 1 > e->win_first + e->win_size - 1)
		count = (e->win_first + e->win_size - iova) / pgsize;
	pa = rnd_below((1ULL << e->c.cfg.oas) / pgsize) * pgsize;
	if (pa + count * pgsize - 1 >= (1ULL << e->c.cfg.oas))
		pa = 0;
	do_map(e, iova, pa, pgsize, count, rand_prot());
}

static void op_unmap(struct run_env *e)
{
	struct lpae_extents *s = &e->c.sh;
	u64 pgsize = e->pg[rnd_below(e->npg)], iova, count;

	if (s->n && rnd_below(100) < 70) {
		struct lpae_ext *x = &s->e[rnd_below(s->n)];

		iova = (x->iova + rnd_below(x->size)) & ~(pgsize - 1);
		count = 1 + rnd_below(min_t(u64, x->size / pgsize + 2,
					    (2ULL << e->c.w.bpl) + 8));
	} else {
		iova = rand_iova(e, pgsize);
		count = rand_count(e, pgsize);
	}
	if (iova < e->win_first)
		iova = e->win_first;
	if (iova + count * pgsize - 1 > e->win_first + e->win_size - 1)
		count = max_t(u64, 1, (e->win_first + e->win_size - iova) / pgsize);
	do_unmap(e, iova, pgsize, count);
}

static void op_bad(struct run_env *e)
{
	struct runctx *c = &e->c;
	u64 pg = e->pg[0], top = c->in_last;

	bool was = snap_ops;

	opc.bad++;
	snap_ops = true;
	switch (rnd_below(6)) {
	case 0:		/* above the input range */
		do_map(e, c->w.ttbr1 ? (c->in_first - pg) : ((top + 1) & ~(pg - 1)),
		       0, pg, 1, IOMMU_READ);
		break;
	case 1:		/* output address beyond oas */
		do_map(e, rand_iova(e, pg), 1ULL << c->cfg.oas, pg, 1, IOMMU_READ);
		break;
	case 2:		/* page size not supported */
		do_map(e, rand_iova(e, pg), 0, pg << 1, 1, IOMMU_READ);
		break;
	case 3:
		do_unmap(e, c->w.ttbr1 ? (c->in_first - pg) : ((top + 1) & ~(pg - 1)),
			 pg, 1);
		break;
	case 4:		/* crossing the top of the input range */
		if (!c->w.ttbr1 && e->win_first + e->win_size - 1 == top)
			do_map(e, top + 1 - pg, 0, pg, 2, IOMMU_READ);
		else
			do_unmap(e, rand_iova(e, pg), pg << 1, 1);
		break;
	default:
		do_unmap(e, rand_iova(e, pg), 0, 1);
		break;
	}
	snap_ops = was;
}

static void op_dirty(struct run_env *e)
{
	struct runctx *c = &e->c;
	struct lpae_extents *s = &c->sh;
	char err[256], what[128];

	opc.dirty++;
	if (s->n && rnd_below(2)) {
		/* the device writes: hardware marks the leaf dirty */
		struct lpae_ext *x = &s->e[rnd_below(s->n)];
		u64 iova = x->iova + (rnd_below(x->size) & ~7ULL);
		struct lpae_wres r;

		if (!(x->prot & IOMMU_WRITE))
			return;
		walker_walk(&c->w, VIEW_DEV, iova, &r);
		if (r.fault || !r.sem.w)
			model_fail(CAT_DIRTY, "op %d device write to %#llx not permitted: %s",
				   c->opi, (unsigned long long)iova, r.why);
		if (!r.sem.dirty)
			model_write_desc_cpu(r.table, r.idx, r.desc & ~BIT_ULL(7));
		shadow_set_dirty(s, r.base, r.size, true);
		snprintf(what, sizeof(what), "op %d device write %#llx", c->opi,
			 (unsigned long long)iova);
		full_check(e, CAT_DIRTY, what);
	} else {
		u64 g = e->pg[0], iova = rand_iova(e, g);
		u64 size = (1 + rnd_below(e->win_size / g / 4 + 1)) * g;
		unsigned long flags = rnd_below(4) ? 0 : IOMMU_DIRTY_NO_CLEAR;
		struct iommu_dirty_bitmap db = { 0 };
		struct lpae_wres r0, r1;
		int ret;

		if (iova + size - 1 > e->win_first + e->win_size - 1)
			size = e->win_first + e->win_size - iova;
		snprintf(what, sizeof(what), "op %d read_and_clear_dirty %#llx+%#llx%s",
			 c->opi, (unsigned long long)iova, (unsigned long long)size,
			 flags ? " NO_CLEAR" : "");
		dirty_reset();
		ret = c->ops->read_and_clear_dirty(c->ops, iova, size, flags, &db);
		model_op_end();
		if (ret)
			model_fail(CAT_DIRTY, "%s: returned %d", what, ret);
		if (dirty_compare(c, iova, iova + size - 1, err, sizeof(err)))
			model_fail(CAT_DIRTY, "%s: %s", what, err);
		if (!flags) {
			u64 a = iova, last = iova + size - 1;

			/*
			 * Only leaves wholly inside are cleaned: a read never
			 * cleans what it did not report.
			 */
			walker_walk(&c->w, VIEW_DEV, a, &r0);
			walker_walk(&c->w, VIEW_DEV, last, &r1);
			if (!r0.fault && r0.base < a)
				a = r0.base + r0.size;
			if (!r1.fault && r1.base + r1.size - 1 > last)
				last = r1.base - 1;
			if (a < last + 1)
				shadow_set_dirty(s, a, last - a + 1, false);
		}
		full_check(e, CAT_DIRTY, what);
	}
}

static void op_iova_to_phys(struct run_env *e)
{
	opc.iova_to_phys++;
	check_state(&e->c, rand_iova(e, e->pg[0]), rand_iova(e, e->pg[0]),
		    CAT_XLATE, "iova_to_phys");
}

static void run_ops(struct run_env *e, int nops)
{
	for (e->c.opi = 0; e->c.opi < nops; e->c.opi++) {
		int r = rnd_below(100);

		if (r < 45)
			op_map(e);
		else if (r < 80)
			op_unmap(e);
		else if (r < 85)
			op_bad(e);
		else if (r < 90)
			op_iova_to_phys(e);
		else if (e->c.w.hd)
			op_dirty(e);
		else if (r < 95)
			op_map(e);
		else
			op_unmap(e);
	}
	/* finally unmap everything, choosing page sizes like iommu_unmap() */
	M.fail_alloc_every = 0;
	M.fail_map_every = 0;
	while (e->c.sh.n) {
		u64 iova = e->c.sh.e[0].iova, left = e->c.sh.e[0].size;
		u64 pgsize = e->pg[0], count;
		int i;

		for (i = e->npg - 1; i > 0; i--)
			if (!(iova & (e->pg[i] - 1)) && e->pg[i] <= left)
				break;
		pgsize = e->pg[i];
		count = left / pgsize;
		if (i + 1 < e->npg)	/* up to the next larger boundary */
			count = min_t(u64, count, (e->pg[i + 1] -
					(iova & (e->pg[i + 1] - 1))) / pgsize);
		do_unmap(e, iova, pgsize, max_t(u64, count, 1));
		if (e->c.sh.n && e->c.sh.e[0].iova == iova &&
		    e->c.sh.e[0].size == left)
			model_fail(CAT_XLATE, "final unmap of %#llx made no progress",
				   (unsigned long long)iova);
	}
}

/*
 * Run one seeded sequence. Returns 0 on success, or 1 + category of the
 * first failure (its message left in M.fail_msg).
 */
static int one_run_every(const struct tcfg *t, enum dma_mode mode,
			 enum control ctl, u64 seed, int nops,
			 unsigned long fail_alloc_at, unsigned long fail_map_at,
			 unsigned long *allocs, unsigned long *maps,
			 unsigned long every_alloc, unsigned long every_map)
{
	static struct run_env env;
	struct run_env *e = &env;
	jmp_buf jb;
	char err[256];
	int i;

	shadow_clear(&e->c.sh);
	memset(e, 0, sizeof(*e));
	e->t = t;
	model_reset(mode, ctl, ctl == CTL_DROP_SYNC ? 7 : ctl == CTL_WRONG_LINE ? 5 : 0);
	model_seed(seed);
	rs = seed * 0x2545f4914f6cdd1dULL + 77;
	M.fail_alloc_at = fail_alloc_at;
	M.fail_map_at = fail_map_at;
	M.fail_jmp = &jb;
	if (setjmp(jb)) {
		M.fail_jmp = NULL;
		M.live = false;
		return 1 + M.fail_cat;
	}

	e->c.fmt = t->fmt;
	e->c.cfg = tcfg_cfg(t, mode);
	e->c.ops = alloc_io_pgtable_ops(t->fmt, &e->c.cfg, &e->c);
	if (!e->c.ops) {
		if (M.injected) {
			model_check_leaks();
			goto out;
		}
		model_fail(CAT_ALLOC, "alloc_io_pgtable_ops() failed");
	}
	if (walker_init(&e->c.w, t->fmt, &e->c.cfg, err, sizeof(err)))
		model_fail(CAT_ALLOC, "registers reported in cfg: %s", err);
	M.w = &e->c.w;
	M.live = true;
	if (t->fmt == ARM_MALI_LPAE && e->c.cfg.ias < 48)
		e->c.w.ias = 48;
	e->c.in_first = lpae_geom_base(&e->c.w);
	e->c.in_last = e->c.w.ttbr1 ? ~0ULL : (1ULL << e->c.cfg.ias) - 1;
	if (e->c.w.ttbr1 && e->c.cfg.ias != (unsigned int)e->c.w.ias)
		model_fail(CAT_ALLOC, "TCR input size %d != cfg ias %u", e->c.w.ias,
			   e->c.cfg.ias);
	for (i = 0; i < 3; i++) {
		u64 p = 1ULL << (e->c.w.gshift + i * e->c.w.bpl);

		/* a page larger than the input range cannot be mapped */
		if ((e->c.cfg.pgsize_bitmap & p) &&
		    p - 1 <= e->c.in_last - e->c.in_first)
			e->pg[e->npg++] = p;
	}
	if (!e->npg)
		model_fail(CAT_ALLOC, "no page sizes");
	model_publish_root();
	/* failures all along the sequence, once the page table exists */
	M.fail_alloc_every = every_alloc;
	M.fail_map_every = every_map;

	/* a window of four largest blocks keeps tables few but shared */
	e->win_size = min_t(u64, e->pg[e->npg - 1] * 4,
			    e->c.in_last - e->c.in_first + 1);
	if (!e->win_size)
		e->win_size = 1ULL << 63;
	e->win_first = e->c.in_first +
		rnd_below((e->c.in_last - e->c.in_first + 1) / e->win_size) * e->win_size;
	/* sometimes sit at the very top, to try crossing it */
	if (!e->c.w.ttbr1 && rnd_below(4) == 0)
		e->win_first = e->c.in_last - e->win_size + 1;

	full_check(e, CAT_XLATE, "empty tables");
	run_ops(e, nops);
	full_check(e, CAT_XLATE, "all unmapped");
	M.injected = false;
	free_io_pgtable_ops(e->c.ops);
	e->c.ops = NULL;
	model_check_leaks();
out:
	if (allocs)
		*allocs = M.alloc_calls;
	if (maps)
		*maps = M.map_calls;
	M.fail_jmp = NULL;
	return 0;
}

static int one_run(const struct tcfg *t, enum dma_mode mode, enum control ctl,
		   u64 seed, int nops, unsigned long fail_alloc_at,
		   unsigned long fail_map_at, unsigned long *allocs,
		   unsigned long *maps)
{
	return one_run_every(t, mode, ctl, seed, nops, fail_alloc_at,
			     fail_map_at, allocs, maps, 0, 0);
}

/* A run under fault injection: byte-for-byte checks, totals */
static int fi_run(const struct tcfg *t, enum dma_mode mode, u64 seed, int nops,
		  unsigned long at_alloc, unsigned long at_map,
		  unsigned long every_alloc, unsigned long every_map)
{
	unsigned long before = ops_so_far();
	int rc;

	snap_ops = true;
	rc = one_run_every(t, mode, CTL_NONE, seed, nops, at_alloc, at_map,
			   NULL, NULL, every_alloc, every_map);
	snap_ops = false;
	fis.runs++;
	fis.ops += ops_so_far() - before;
	fis.injected += M.injections;
	return rc;
}

/* ---- reporting ---- */

/* the first fault-injection failure gets the category it failed in */
static void note_cat(struct result *r, int rc)
{
	char *first = r->first[CAT_FAULT];
	size_t len = strlen(first);

	if (!strstr(first, "["))
		snprintf(first + len, sizeof(r->first[0]) - len, " [%s]",
			 cat_names[rc - 1]);
}

static void note(struct result *r, int rc, const char *label)
{
	r->runs++;
	if (!rc)
		return;
	r->failed_runs++;
	r->fails[rc - 1]++;
	if (!r->first[rc - 1][0])
		snprintf(r->first[rc - 1], sizeof(r->first[0]), "%s: %s", label,
			 M.fail_msg);
	if (O.verbose)
		fprintf(stderr, "  FAIL [%s] %s: %s\n", cat_names[rc - 1], label,
			M.fail_msg);
}

static bool cfg_in_mode(const struct tcfg *t, enum dma_mode mode)
{
	if (O.only_cfg && strcmp(O.only_cfg, t->name))
		return false;
	/* hardware dirty tracking needs a coherent walker */
	if ((t->quirks & IO_PGTABLE_QUIRK_ARM_HD) && mode != MODE_COHERENT)
		return false;
	return true;
}

static void run_mode(enum dma_mode mode, struct result *res, struct result *fi)
{
	unsigned int ti;
	int s;
	char label[128];

	for (ti = 0; ti < ARRAY_SIZE(tcfgs); ti++) {
		const struct tcfg *t = &tcfgs[ti];

		if (!cfg_in_mode(t, mode))
			continue;
		for (s = 0; s < O.seeds; s++) {
			u64 seed = O.seed_base + s;
			unsigned long allocs = 0, maps = 0, n;
			int rc;

			snprintf(label, sizeof(label), "%s/%s/seed %llu", mode_names[mode],
				 t->name, (unsigned long long)seed);
			rc = one_run(t, mode, CTL_NONE, seed, O.ops, 0, 0, NULL, NULL);
			note(res, rc, label);
			if (s >= O.fi_seeds)
				continue;
			/* fault injection over every reached call */
			rc = one_run(t, mode, CTL_NONE, seed + 1000, O.fi_ops, 0, 0,
				     &allocs, &maps);
			if (rc) {
				note(fi, CAT_FAULT + 1, label);
				continue;
			}
			for (n = 1; n <= allocs; n++) {
				snprintf(label, sizeof(label), "%s/%s/seed %llu alloc#%lu",
					 mode_names[mode], t->name,
					 (unsigned long long)seed + 1000, n);
				rc = fi_run(t, mode, seed + 1000, O.fi_ops, n, 0, 0, 0);
				note(fi, rc ? CAT_FAULT + 1 : 0, label);
				if (rc)
					note_cat(fi, rc);
			}
			for (n = 1; n <= maps; n++) {
				snprintf(label, sizeof(label), "%s/%s/seed %llu dma_map#%lu",
					 mode_names[mode], t->name,
					 (unsigned long long)seed + 1000, n);
				rc = fi_run(t, mode, seed + 1000, O.fi_ops, 0, n, 0, 0);
				note(fi, rc ? CAT_FAULT + 1 : 0, label);
				if (rc)
					note_cat(fi, rc);
			}
			/* whole sequences, failing every Nth allocation, mapping */
			if (!O.fi_every)
				continue;
			snprintf(label, sizeof(label), "%s/%s/seed %llu every %d",
				 mode_names[mode], t->name,
				 (unsigned long long)seed + 2000, O.fi_every);
			rc = fi_run(t, mode, seed + 2000, O.ops, 0, 0, O.fi_every,
				    mode == MODE_COHERENT ? 0 : O.fi_every + 1);
			note(fi, rc ? CAT_FAULT + 1 : 0, label);
			if (rc && !strstr(fi->first[CAT_FAULT], "["))
				snprintf(fi->first[CAT_FAULT] + strlen(fi->first[CAT_FAULT]),
					 sizeof(fi->first[0]) - strlen(fi->first[CAT_FAULT]),
					 " [%s]", cat_names[rc - 1]);
		}
	}
}

static void print_row(const char *name, struct result *r, struct result *fi)
{
	int c;

	printf("%-13s %5lu/%-5lu", name, r->runs - r->failed_runs + fi->runs - fi->failed_runs,
	       r->runs + fi->runs);
	for (c = 0; c < NR_CATS; c++) {
		unsigned long f = r->fails[c] + (c == CAT_FAULT ? fi->failed_runs : 0);

		if (f)
			printf(" %7s%-3lu", "FAIL:", f);
		else
			printf(" %10s", "pass");
	}
	printf("\n");
}

/*
 * Races that were never lost prove nothing: in one round of each kind in
 * RACE_LOST_SHARE at least, a racer must have built a table and lost the
 * claim. The model's allocation gate makes every round lose one; a thread
 * that sleeps through the gate's two seconds costs a round. (Without the
 * gate, with two kernel builds beside it: 5 of 120 install rounds and 1 of
 * 120 split rounds.)
 */
#define RACE_LOST_SHARE	2

static void threads_expect_contention(struct thread_summary *ts, char *first,
				      size_t len)
{
	if (O.threads < 2 || ts->failed)
		return;
	if (ts->install_lost * RACE_LOST_SHARE >= ts->install_rounds &&
	    ts->split_lost * RACE_LOST_SHARE >= ts->split_rounds &&
	    ts->install_rounds && ts->split_rounds)
		return;
	ts->failed++;
	snprintf(first, len,
		 "too little contention: %lu of %lu install rounds and %lu of %lu split rounds lost a claim, want one in %d of each",
		 ts->install_lost, ts->install_rounds, ts->split_lost,
		 ts->split_rounds, RACE_LOST_SHARE);
}

static void print_usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--seeds N] [--ops N] [--fi-ops N] [--fi-seeds N] [--seed-base S]\n"
		"          [--impl NAME] [--check | --informative] [--mode M] [--cfg NAME]\n"
		"          [--no-controls] [--verbose] [--fi-every N]\n"
		"          [--threads N] [--thread-ops N] [--rounds N] [--threads-only | --no-threads]\n"
		"          [--bad-input-out FILE] [--bad-input-upstream FILE] [--readme FILE [--write-readme]]\n"
		"          [--tsan-result \"N passed, N failed\"]\n",
		argv0);
	exit(2);
}

/* The options: each sets one field of O */
enum opt_kind { OPT_INT, OPT_U64, OPT_STR, OPT_SET, OPT_MODE };

static const struct opt {
	const char *name;
	enum opt_kind kind;
	void *dst;
} opts[] = {
	{ "seeds", OPT_INT, &O.seeds }, { "ops", OPT_INT, &O.ops },
	{ "fi-ops", OPT_INT, &O.fi_ops }, { "fi-seeds", OPT_INT, &O.fi_seeds },
	{ "seed-base", OPT_U64, &O.seed_base }, { "impl", OPT_STR, &O.impl },
	{ "check", OPT_SET, &O.check }, { "informative", OPT_SET, &O.informative },
	{ "mode", OPT_MODE, &O.only_mode }, { "cfg", OPT_STR, &O.only_cfg },
	{ "no-controls", OPT_SET, &O.no_controls }, { "verbose", OPT_SET, &O.verbose },
	{ "trace", OPT_SET, &O.trace }, { "fi-every", OPT_INT, &O.fi_every },
	{ "threads", OPT_INT, &O.threads }, { "thread-ops", OPT_INT, &O.thread_ops },
	{ "rounds", OPT_INT, &O.rounds }, { "threads-only", OPT_SET, &O.threads_only },
	{ "no-threads", OPT_SET, &O.no_threads }, { "bad-input-out", OPT_STR, &O.bad_out },
	{ "bad-input-upstream", OPT_STR, &O.bad_upstream },
	{ "readme", OPT_STR, &O.readme }, { "write-readme", OPT_SET, &O.write_readme },
	{ "tsan-result", OPT_STR, &O.tsan_result },
};

static void parse_options(int argc, char **argv)
{
	struct option lo[ARRAY_SIZE(opts) + 1] = { 0 };
	unsigned int i;
	int k, m;

	for (i = 0; i < ARRAY_SIZE(opts); i++)
		lo[i] = (struct option) { opts[i].name, opts[i].kind != OPT_SET, NULL, i };
	while ((k = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		const struct opt *o;

		if (k < 0 || k >= (int)ARRAY_SIZE(opts))
			print_usage(argv[0]);
		o = &opts[k];
		switch (o->kind) {
		case OPT_INT:
			*(int *)o->dst = atoi(optarg);
			break;
		case OPT_U64:
			*(u64 *)o->dst = strtoull(optarg, NULL, 0);
			break;
		case OPT_STR:
			*(const char **)o->dst = optarg;
			break;
		case OPT_SET:
			*(bool *)o->dst = true;
			break;
		case OPT_MODE:
			for (m = 0; m < NR_MODES; m++)
				if (!strcmp(optarg, mode_names[m]))
					O.only_mode = m;
			if (O.only_mode < 0)
				print_usage(argv[0]);
			break;
		}
	}
}

/* The checks: each passes or fails once, and prints its line */
static int passed, failed;

static __printf(2, 3) void verdict(bool ok, const char *fmt, ...)
{
	va_list args;

	if (ok)
		passed++;
	else
		failed++;
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
}

static bool mode_selected(int m)
{
	return O.only_mode < 0 || O.only_mode == m;
}

/* The walker modes: seeded sequences, and fault injection */
static void check_modes(void)
{
	static struct result res[NR_MODES], fi[NR_MODES];
	int m, c;

	fprintf(stdout,
		"io-pgtable harness: %s io-pgtable-arm.c, %d seeds x %d ops, fault injection on %d seed(s) x %d ops\n",
		O.impl, O.seeds, O.ops, O.fi_seeds, O.fi_ops);
	for (m = 0; m < NR_MODES; m++)
		if (mode_selected(m))
			run_mode(m, &res[m], &fi[m]);
	printf("\n%-13s %11s", "mode", "runs ok");
	for (c = 0; c < NR_CATS; c++)
		printf(" %10s", cat_names[c]);
	printf("\n");
	for (m = 0; m < NR_MODES; m++)
		if (mode_selected(m))
			print_row(mode_names[m], &res[m], &fi[m]);
	for (m = 0; m < NR_MODES; m++) {
		for (c = 0; c < NR_CATS; c++) {
			if (res[m].first[c][0])
				printf("  %s %s first failure: %s\n", mode_names[m],
				       cat_names[c], res[m].first[c]);
			if (fi[m].first[c][0])
				printf("  %s %s first failure: %s\n", mode_names[m],
				       cat_names[c], fi[m].first[c]);
		}
		if (mode_selected(m)) {
			bool ok = !res[m].failed_runs && !fi[m].failed_runs;

			verdict(ok, "MODE %s: %s\n", mode_names[m], ok ? "pass" : "FAIL");
		}
	}
}

/* One control on every configuration and seed: the checks must fail */
static void check_control(int c)
{
	static struct result ctl[NR_CONTROLS];
	char label[128];
	unsigned int ti;
	int s, k;

	for (ti = 0; ti < ARRAY_SIZE(tcfgs); ti++) {
		if (!cfg_in_mode(&tcfgs[ti], MODE_DIRECT))
			continue;
		for (s = 0; s < O.seeds; s++) {
			snprintf(label, sizeof(label), "%s/%s/seed %llu",
				 control_names[c], tcfgs[ti].name,
				 (unsigned long long)O.seed_base + s);
			note(&ctl[c], one_run(&tcfgs[ti], MODE_DIRECT, c,
					      O.seed_base + s, O.ops, 0, 0, NULL, NULL),
			     label);
		}
	}
	printf("  control %-11s %lu/%lu runs failed (", control_names[c],
	       ctl[c].failed_runs, ctl[c].runs);
	for (k = 0; k < NR_CATS; k++)
		if (ctl[c].fails[k])
			printf(" %s:%lu", cat_names[k], ctl[c].fails[k]);
	printf(" )");
	verdict(ctl[c].failed_runs, "%s\n", ctl[c].failed_runs ?
		" -> fails as asserted" : " -> CONTROL NOT DETECTED");
}

/* The bad-input rules, and the README table written from them */
static void check_bad_input(void)
{
	struct bad_summary bs;
	char msg[300];
	int r;

	bad_input_run(O.impl, O.bad_out, O.verbose, &bs);
	if (!bs.failed)
		verdict(true,
			"BAD INPUT: pass (%d classes x %d configurations, and again with IO_PGTABLE_QUIRK_NO_WARN: %d WARNs silenced)\n",
			bs.classes, bs.formats, bs.warned);
	else
		verdict(false, "BAD INPUT: FAIL (%d of %d cases)\n", bs.failed, bs.cases);
	if (!O.readme || O.only_cfg || O.only_mode >= 0)
		return;
	r = bad_input_readme(O.bad_upstream, O.readme, O.write_readme, msg, sizeof(msg));
	verdict(!r, "README TABLE: %s: %s\n", r ? "FAIL" : "pass", msg);
}

/* A directed test's verdict: NAME: pass, or its first failure */
static void check_directed(const char *name, int nfailed, const char *first)
{
	if (nfailed)
		verdict(false, "  first failure: %s\n%s: FAIL\n", first, name);
	else
		verdict(true, "%s: pass\n", name);
}

static void check_threads(void)
{
#ifdef __SANITIZE_THREAD__
	const char *build = " (ThreadSanitizer)";
#else
	const char *build = "";
#endif
	struct thread_summary ts;
	char first[700];

	threads_run(O.only_cfg, O.only_mode, O.threads, O.thread_ops,
		    O.rounds, O.verbose, &ts, first, sizeof(first));
	threads_expect_contention(&ts, first, sizeof(first));
	fprintf(stdout,
		"\nthreads%s: %d runs x %d threads, %lu operations; %lu install rounds (%lu with a lost claim), %lu split rounds (%lu with a lost claim), %lu block/page overlap rounds (block won %lu); %d runs failed\n",
		build, ts.runs, ts.threads, ts.ops, ts.install_rounds,
		ts.install_lost, ts.split_rounds, ts.split_lost,
		ts.overlap_rounds, ts.overlap_block_won, ts.failed);
	check_directed("THREADS", ts.failed, first);
}

/* The ThreadSanitizer build's summary line, run before us */
static void check_tsan_result(void)
{
	int tp = -1, tf = -1;
	bool ok = sscanf(O.tsan_result, "%d passed, %d failed", &tp, &tf) == 2 &&
		  tp > 0 && !tf;

	if (ok)
		verdict(true, "TSAN: pass (make tsan: %s)\n", O.tsan_result);
	else
		verdict(false, "TSAN: FAIL (make tsan: \"%s\")\n", O.tsan_result);
}

/* Everything but the threads, which --threads-only runs alone */
static void check_single_threaded(void)
{
	struct corrupt_summary cs;
	struct hw_summary hs;
	char first[700];
	int c;

	check_modes();
	if (!O.no_controls) {
		printf("\ncontrols (non-coherent walker, each must make the checks fail):\n");
		for (c = 1; c < NR_CONTROLS; c++)
			check_control(c);
	}
	fprintf(stdout,
		"\nfault injection: %lu runs, %lu operations under fault injection, %lu failures injected, %lu failed calls compared byte for byte\n",
		fis.runs, fis.ops, fis.injected, fis.snaps);
	check_bad_input();

	corrupt_run(O.verbose, &cs, first, sizeof(first));
	fprintf(stdout,
		"\ncorrupted descriptors: %d cases (configurations x walkers x views x scribbles), %d failed\n",
		cs.cases, cs.failed);
	check_directed("CORRUPT", cs.failed, first);

	hw_run(O.verbose, &hs, first, sizeof(first));
	printf("\nhardware boundary: %d cases (dirty, overlaps, TLB, splits, stage 2), %d failed\n",
	       hs.cases, hs.failed);
	check_directed("HARDWARE", hs.failed, first);
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;

	parse_options(argc, argv);
	model_init();
	M.quiet = !O.verbose;
	isolate_show_log = O.verbose;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	if (!O.threads_only)
		check_single_threaded();
	if (!O.no_threads)
		check_threads();
	if (O.tsan_result)
		check_tsan_result();

	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stdout,
		"\noperations: %lu map, %lu unmap, %lu bad-argument, %lu iova_to_phys, %lu dirty; %lu state checks; %lu removed leaves held to the TLB contract; %.1fs\n",
		opc.map, opc.unmap, opc.bad, opc.iova_to_phys, opc.dirty, opc.checks,
		tlb_leaves_checked,
		(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("%d passed, %d failed\n", passed, failed);
	if (O.informative)
		return 0;
	return failed ? 1 : 0;
}

/*
 * Runs that fail are abandoned with longjmp(); the model tracks and reports
 * leaks of the code under test itself (CAT_LEAK), so LeakSanitizer's report
 * at exit would only list the harness's abandoned scratch memory.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}
