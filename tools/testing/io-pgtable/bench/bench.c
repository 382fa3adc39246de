// SPDX-License-Identifier: GPL-2.0
/*
 * io-pgtable benchmark: our io-pgtable-arm.c against upstream 6.12's, both
 * linked into this one binary (their init_fns renamed at compile time), run
 * alternately on the same loops.
 *
 *   bench [--reps N] [--ir DIR] [--only GRANULE] [--tsv FILE]
 *        time every row N times per implementation, alternating, count
 *        DMA syncs and lines against the minimum, print the table; --ir
 *        reads the instruction counts that a --callgrind run dumped in DIR
 *   bench --callgrind
 *        run each row once per implementation with callgrind collection
 *        switched on around the measured loop only (run under valgrind
 *        --tool=callgrind --collect-atstart=no)
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <valgrind/callgrind.h>

#include "bench.h"

enum { IMPL_OUR, IMPL_UP, NR_IMPLS };

static struct io_pgtable_init_fns *const impl_fns[NR_IMPLS] = {
	&our_io_pgtable_arm_64_lpae_s1_init_fns,
	&up_io_pgtable_arm_64_lpae_s1_init_fns,
};

static const char *const impl_names[NR_IMPLS] = { "ours", "upstream" };

struct granule {
	const char *name;
	u64 page;		/* granule: last-level page */
	u64 block;		/* level-2 block */
};

static const struct granule granules[] = {
	{ "4K",  SZ_4K,  SZ_2M },
	{ "16K", SZ_16K, SZ_32M },
	{ "64K", SZ_64K, SZ_512M },
};

#define NR_GRANULES	ARRAY_SIZE(granules)

enum op {
	OP_MAP1,	/* map_pages(pgcount 1), one call per page */
	OP_UNMAP1,	/* unmap_pages(pgcount 1), one call per page */
	OP_MAP256,	/* map_pages(pgcount 256) */
	OP_UNMAP256,	/* unmap_pages(pgcount 256) */
	OP_MAPBLK,	/* map one level-2 block per call */
	OP_UNMAPBLK,	/* unmap one level-2 block per call */
	OP_IOVA,	/* iova_to_phys() of each page of a populated range */
	OP_SPLIT,	/* unmap one page inside a block */
	NR_OPS,
};

static const char *const op_names[NR_OPS] = {
	[OP_MAP1]	= "map 1pg x N",
	[OP_UNMAP1]	= "unmap 1pg x N",
	[OP_MAP256]	= "map_pages 256",
	[OP_UNMAP256]	= "unmap_pages 256",
	[OP_MAPBLK]	= "map block",
	[OP_UNMAPBLK]	= "unmap block",
	[OP_IOVA]	= "iova_to_phys",
	[OP_SPLIT]	= "split (unmap 1pg in block)",
};

#define IOVA_BASE	BIT_ULL(30)
#define PA_BASE		BIT_ULL(36)
#define PAGE_RANGE	(256ULL << 20)	/* page rows */
#define NR_BLOCKS	2048		/* block rows: 4 GiB of 2M blocks */
#define NR_SPLITS	512		/* split row */

static struct device bench_dev = { .name = "bench-walker", .numa_node = -1 };

static void tlb_flush_all(void *cookie)
{
	BC.flush_all++;
	BC.inv_cmds++;
}

static void tlb_flush_walk(unsigned long iova, size_t size, size_t granule,
			   void *cookie)
{
	BC.flush_walk++;
	BC.inv_cmds += size / granule;
}

static void tlb_add_page(struct iommu_iotlb_gather *gather, unsigned long iova,
			 size_t granule, void *cookie)
{
	BC.add_page++;
	BC.inv_cmds++;
}

static const struct iommu_flush_ops bench_tlb = {
	.tlb_flush_all	= tlb_flush_all,
	.tlb_flush_walk	= tlb_flush_walk,
	.tlb_add_page	= tlb_add_page,
};

/* The io_pgtable core's alloc/free, per implementation */
static struct io_pgtable_ops *pt_alloc_sizes(int impl, const struct granule *g,
					     bool coherent, u64 pgsizes)
{
	struct io_pgtable_cfg cfg = {
		.pgsize_bitmap	= pgsizes,
		.ias		= 48,
		.oas		= 48,
		.coherent_walk	= coherent,
		.tlb		= &bench_tlb,
		.iommu_dev	= &bench_dev,
	};
	struct io_pgtable *iop = impl_fns[impl]->alloc(&cfg, NULL);

	if (!iop) {
		fprintf(stderr, "bench: %s: cannot allocate %s page table\n",
			impl_names[impl], g->name);
		exit(1);
	}
	iop->fmt = ARM_64_LPAE_S1;
	iop->cookie = NULL;
	iop->cfg = cfg;
	return &iop->ops;
}

static struct io_pgtable_ops *pt_alloc(int impl, const struct granule *g,
				       bool coherent)
{
	return pt_alloc_sizes(impl, g, coherent, g->page | g->block);
}

static void pt_free(int impl, struct io_pgtable_ops *ops)
{
	impl_fns[impl]->free(io_pgtable_ops_to_pgtable(ops));
}

static void die_op(const char *what, u64 iova)
{
	fprintf(stderr, "bench: %s failed at iova %#llx\n", what,
		(unsigned long long)iova);
	exit(1);
}

static void do_map(struct io_pgtable_ops *ops, u64 iova, u64 pgsize,
		   u64 count)
{
	while (count) {
		size_t mapped = 0;
		int ret = ops->map_pages(ops, iova, PA_BASE + iova, pgsize,
					 count, IOMMU_READ | IOMMU_WRITE,
					 GFP_KERNEL, &mapped);

		if (ret || !mapped)
			die_op("map_pages", iova);
		iova += mapped;
		count -= mapped / pgsize;
	}
}

static void do_unmap(struct io_pgtable_ops *ops, u64 iova, u64 pgsize,
		     u64 count)
{
	struct iommu_iotlb_gather gather = { 0 };

	while (count) {
		size_t n = ops->unmap_pages(ops, iova, pgsize, count, &gather);

		if (!n)
			die_op("unmap_pages", iova);
		iova += n;
		count -= n / pgsize;
	}
}

/* One measured loop: what to set up, then the operations */
struct row_ctx {
	const struct granule *g;
	enum op op;
	u64 nops;
};

static void row_setup(struct io_pgtable_ops *ops, struct row_ctx *c)
{
	const struct granule *g = c->g;
	u64 pages = PAGE_RANGE / g->page;

	switch (c->op) {
	case OP_MAP1:
		c->nops = pages;
		break;
	case OP_MAP256:
		c->nops = pages / 256;
		break;
	case OP_UNMAP1:
	case OP_IOVA:
		do_map(ops, IOVA_BASE, g->page, pages);
		c->nops = pages;
		break;
	case OP_UNMAP256:
		do_map(ops, IOVA_BASE, g->page, pages);
		c->nops = pages / 256;
		break;
	case OP_MAPBLK:
		c->nops = NR_BLOCKS;
		break;
	case OP_UNMAPBLK:
		do_map(ops, IOVA_BASE, g->block, NR_BLOCKS);
		c->nops = NR_BLOCKS;
		break;
	case OP_SPLIT:
		do_map(ops, IOVA_BASE, g->block, NR_SPLITS);
		c->nops = NR_SPLITS;
		break;
	default:
		break;
	}
}

/* the results of iova_to_phys(), so that the calls cannot be optimised away */
static u64 sink;

static inline void sink_add(u64 v)
{
	WRITE_ONCE(sink, READ_ONCE(sink) + v);
}

/* Operation @i of the row; returns false if it did not do its work */
static inline bool row_op(struct io_pgtable_ops *ops, const struct row_ctx *c,
			  u64 i)
{
	const struct granule *g = c->g;
	struct iommu_iotlb_gather gather = { 0 };
	size_t mapped = 0;
	u64 iova;

	switch (c->op) {
	case OP_MAP1:
		iova = IOVA_BASE + i * g->page;
		return !ops->map_pages(ops, iova, PA_BASE + iova, g->page, 1,
				       IOMMU_READ | IOMMU_WRITE, GFP_KERNEL,
				       &mapped) && mapped == g->page;
	case OP_UNMAP1:
		iova = IOVA_BASE + i * g->page;
		return ops->unmap_pages(ops, iova, g->page, 1, &gather) ==
		       g->page;
	case OP_MAP256:
		iova = IOVA_BASE + i * 256 * g->page;
		return !ops->map_pages(ops, iova, PA_BASE + iova, g->page, 256,
				       IOMMU_READ | IOMMU_WRITE, GFP_KERNEL,
				       &mapped) && mapped == 256 * g->page;
	case OP_UNMAP256:
		iova = IOVA_BASE + i * 256 * g->page;
		return ops->unmap_pages(ops, iova, g->page, 256, &gather) ==
		       256 * g->page;
	case OP_MAPBLK:
		iova = IOVA_BASE + i * g->block;
		return !ops->map_pages(ops, iova, PA_BASE + iova, g->block, 1,
				       IOMMU_READ | IOMMU_WRITE, GFP_KERNEL,
				       &mapped) && mapped == g->block;
	case OP_UNMAPBLK:
		iova = IOVA_BASE + i * g->block;
		return ops->unmap_pages(ops, iova, g->block, 1, &gather) ==
		       g->block;
	case OP_IOVA:
		iova = IOVA_BASE + i * g->page + 0x18;
		sink_add(ops->iova_to_phys(ops, iova));
		return true;
	case OP_SPLIT:
		/* a page in the middle of each block */
		iova = IOVA_BASE + i * g->block + g->block / 2 + g->page * 3;
		return ops->unmap_pages(ops, iova, g->page, 1, &gather) ==
		       g->page;
	default:
		return false;
	}
}

static void row_loop(struct io_pgtable_ops *ops, const struct row_ctx *c)
{
	u64 i;

	for (i = 0; i < c->nops; i++)
		if (__builtin_expect(!row_op(ops, c, i), 0))
			die_op(op_names[c->op], i);
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- results ---------------------------------------------------------- */

#define MAX_REPS	64

struct result {
	double ns[MAX_REPS];
	int reps;
	double ir;			/* instructions per op, callgrind */
	double syncs, lines;		/* per op */
	double min_syncs, min_lines;	/* per op */
	double page_bytes, kmem_bytes;	/* after the row's mapping */
};

static struct result results[NR_GRANULES][2][NR_OPS][NR_IMPLS];

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const struct result *r, double *spread)
{
	double v[MAX_REPS];
	double med;

	memcpy(v, r->ns, sizeof(double) * r->reps);
	qsort(v, r->reps, sizeof(double), cmp_double);
	med = r->reps % 2 ? v[r->reps / 2] :
			    (v[r->reps / 2 - 1] + v[r->reps / 2]) / 2;
	/* spread: the middle half of the runs, as +-% of the median */
	if (spread) {
		int lo = r->reps / 4, hi = r->reps - 1 - r->reps / 4;

		*spread = med > 0 ? 50.0 * (v[hi] - v[lo]) / med : 0;
	}
	return med;
}

/* ---- running ---------------------------------------------------------- */

static void run_timed(int gi, bool coherent, enum op op, int impl)
{
	struct row_ctx c = { .g = &granules[gi], .op = op };
	struct result *r = &results[gi][coherent][op][impl];
	struct io_pgtable_ops *ops = pt_alloc(impl, c.g, coherent);
	u64 t0, t1;

	row_setup(ops, &c);
	t0 = now_ns();
	row_loop(ops, &c);
	t1 = now_ns();
	pt_free(impl, ops);
	if (r->reps < MAX_REPS)
		r->ns[r->reps++] = (double)(t1 - t0) / c.nops;
}

/* Counting pass (not timed): syncs and lines against the minimum, memory */
static void run_counted(int gi, bool coherent, enum op op, int impl)
{
	struct row_ctx c = { .g = &granules[gi], .op = op };
	struct result *r = &results[gi][coherent][op][impl];
	s64 pages0 = BC.page_bytes, kmem0 = BC.kmem_bytes;
	struct io_pgtable_ops *ops;
	u64 syncs, lines, min_lines, min_runs, i;

	bench_acct_start();
	ops = pt_alloc(impl, c.g, coherent);
	row_setup(ops, &c);
	bench_acct_reset();
	syncs = BC.syncs;
	lines = BC.lines;
	for (i = 0; i < c.nops; i++) {
		if (!row_op(ops, &c, i))
			die_op(op_names[op], i);
		bench_acct_op_end();
	}
	bench_acct_stop(&min_lines, &min_runs);
	r->syncs = (double)(BC.syncs - syncs) / c.nops;
	r->lines = (double)(BC.lines - lines) / c.nops;
	r->min_syncs = (double)min_runs / c.nops;
	r->min_lines = (double)min_lines / c.nops;
	r->page_bytes = BC.page_bytes - pages0;
	r->kmem_bytes = BC.kmem_bytes - kmem0;
	pt_free(impl, ops);
}

static void run_callgrind(int gi, bool coherent, enum op op, int impl)
{
	struct row_ctx c = { .g = &granules[gi], .op = op };
	struct io_pgtable_ops *ops = pt_alloc(impl, c.g, coherent);
	char label[128];

	row_setup(ops, &c);
	snprintf(label, sizeof(label), "row %s %d %d %s %llu", c.g->name,
		 coherent, op, impl_names[impl], (unsigned long long)c.nops);
	CALLGRIND_ZERO_STATS;
	CALLGRIND_TOGGLE_COLLECT;
	row_loop(ops, &c);
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT(label);
	pt_free(impl, ops);
}

/* Read "desc: Trigger: Client Request: row ..." and "totals:" from dumps */
static int read_ir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	if (!d) {
		perror(dir);
		return -1;
	}
	while ((de = readdir(d))) {
		char path[4096], line[512], gname[8], iname[16];
		unsigned long long nops = 0, ir = 0;
		int coh = -1, op = -1, have = 0;
		FILE *f;

		if (strncmp(de->d_name, "cg.", 3))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "desc: Trigger: Client Request: row %7s %d %d %15s %llu",
				   gname, &coh, &op, iname, &nops) == 5)
				have |= 1;
			else if (sscanf(line, "totals: %llu", &ir) == 1 ||
				 sscanf(line, "summary: %llu", &ir) == 1)
				have |= 2;
		}
		fclose(f);
		if (have != 3 || !nops || op < 0 || op >= NR_OPS || coh < 0 || coh > 1)
			continue;
		for (int gi = 0; gi < (int)NR_GRANULES; gi++)
			for (int impl = 0; impl < NR_IMPLS; impl++)
				if (!strcmp(gname, granules[gi].name) &&
				    !strcmp(iname, impl_names[impl])) {
					results[gi][coh][op][impl].ir =
						(double)ir / nops;
					found++;
				}
	}
	closedir(d);
	return found;
}

/* ---- invalidation commands ------------------------------------------- */

/*
 * One unmap whose TLB callbacks are counted: @map_len mapped from IOVA_BASE
 * in @map_pgsize pieces, then @count pages of @pgsize unmapped from
 * IOVA_BASE + @off, by as many unmap_pages() calls as it takes.
 */
struct inv_row {
	const char *name;
	u64 map_pgsize, map_len;
	u64 pgsize, off, count;
	bool split;		/* the unmap splits a block */
};

struct inv_result {
	u64 cmds, flush_all, flush_walk, add_page, calls;
};

#define INV_ROWS	10

/* The rows of granule @g (4K also splits a 1G block); returns how many */
static int inv_rows(const struct granule *g, struct inv_row *r)
{
	u64 per_table = g->block / g->page;
	int n = 0;

	r[n++] = (struct inv_row){ "split of a block", g->block, g->block,
				   g->page, g->block / 2 + 3 * g->page, 1, true };
	if (g->page == SZ_4K)
		r[n++] = (struct inv_row){ "split of a 1G block", SZ_1G, SZ_1G,
					   g->page, SZ_1G / 2 + 3 * g->page, 1,
					   true };
	r[n++] = (struct inv_row){ "unmap a table's only page", g->page,
				   g->page, g->page, 0, 1, false };
	r[n++] = (struct inv_row){ "unmap 256 pages", g->page, 256 * g->page,
				   g->page, 0, 256, false };
	r[n++] = (struct inv_row){ "unmap a table's worth", g->page, g->block,
				   g->page, 0, per_table, false };
	r[n++] = (struct inv_row){ "unmap 1G of pages", g->page, SZ_1G,
				   g->page, 0, SZ_1G / g->page, false };
	/* iommu_unmap() picks the block size for an aligned range of pages */
	r[n++] = (struct inv_row){ "unmap a table by block", g->page, g->block,
				   g->block, 0, 1, false };
	r[n++] = (struct inv_row){ "unmap 1G of pages by block", g->page,
				   SZ_1G, g->block, 0, SZ_1G / g->block, false };
	r[n++] = (struct inv_row){ "unmap a block", g->block, g->block,
				   g->block, 0, 1, false };
	if (g->block < SZ_1G)
		r[n++] = (struct inv_row){ "unmap 1G of blocks", g->block,
					   SZ_1G, g->block, 0, SZ_1G / g->block,
					   false };
	return n;
}

static void run_inv(const struct granule *g, const struct inv_row *row,
		    int impl, struct inv_result *res)
{
	u64 sizes = g->page | g->block | (g->page == SZ_4K ? SZ_1G : 0);
	struct io_pgtable_ops *ops = pt_alloc_sizes(impl, g, true, sizes);
	struct iommu_iotlb_gather gather = { 0 };
	u64 iova = IOVA_BASE + row->off, count = row->count;
	struct bench_counts c0;

	do_map(ops, IOVA_BASE, row->map_pgsize, row->map_len / row->map_pgsize);
	c0 = BC;
	res->calls = 0;
	while (count) {
		size_t n = ops->unmap_pages(ops, iova, row->pgsize, count,
					    &gather);

		if (!n)
			die_op(row->name, iova);
		res->calls++;
		iova += n;
		count -= n / row->pgsize;
	}
	res->cmds = BC.inv_cmds - c0.inv_cmds;
	res->flush_all = BC.flush_all - c0.flush_all;
	res->flush_walk = BC.flush_walk - c0.flush_walk;
	res->add_page = BC.add_page - c0.add_page;
	pt_free(impl, ops);
}

/*
 * Targets: at most 6.12's commands, and a split at most 2 plus one per
 * page unmapped. Returns the rows that miss.
 */
static int print_inv(FILE *o, const char *only)
{
	int gi, i, n, misses = 0;

	fprintf(o,
		"\nInvalidation commands per operation: what an SMMUv3 without range invalidation issues for the TLB callbacks (flush_walk = size/granule, add_page = 1, flush_all = 1); calls: unmap_pages() calls; callbacks: flush_all/flush_walk/add_page\n");
	fprintf(o, "%-4s %-27s %6s %10s %10s %6s %-17s %-17s %s\n", "gran",
		"operation", "calls", "ours cmds", "upst cmds", "ratio",
		"ours callbacks", "upst callbacks", "target");
	for (gi = 0; gi < (int)NR_GRANULES; gi++) {
		const struct granule *g = &granules[gi];
		struct inv_row rows[INV_ROWS];

		if (only && strcmp(only, g->name))
			continue;
		n = inv_rows(g, rows);
		for (i = 0; i < n; i++) {
			struct inv_result a, b;
			char ca[32], cb[32];
			bool ok;

			run_inv(g, &rows[i], IMPL_OUR, &a);
			run_inv(g, &rows[i], IMPL_UP, &b);
			ok = a.cmds <= b.cmds &&
			     (!rows[i].split || a.cmds <= 2 + rows[i].count);
			misses += !ok;
			snprintf(ca, sizeof(ca), "%llu/%llu/%llu",
				 (unsigned long long)a.flush_all,
				 (unsigned long long)a.flush_walk,
				 (unsigned long long)a.add_page);
			snprintf(cb, sizeof(cb), "%llu/%llu/%llu",
				 (unsigned long long)b.flush_all,
				 (unsigned long long)b.flush_walk,
				 (unsigned long long)b.add_page);
			fprintf(o, "%-4s %-27s %6llu %10llu %10llu %6.3f %-17s %-17s %s\n",
				g->name, rows[i].name,
				(unsigned long long)a.calls,
				(unsigned long long)a.cmds,
				(unsigned long long)b.cmds,
				b.cmds ? (double)a.cmds / b.cmds : 0, ca, cb,
				ok ? "met" : "MISSED");
		}
	}
	return misses;
}

/* ---- report ----------------------------------------------------------- */

static bool is_update(enum op op)
{
	return op != OP_IOVA;
}

/* The tables a range needs at least, from the format's geometry */
static double min_table_bytes(const struct granule *g, int leaf_lvl, u64 iova,
			      u64 len)
{
	unsigned int gshift = __builtin_ctzll(g->page);
	unsigned int bpl = gshift - 3;
	double bytes = 0;
	int lvl;

	/* levels from the last up to the one whose table covers the IAS */
	for (lvl = leaf_lvl; lvl >= 0; lvl--) {
		unsigned int span_shift = gshift + (4 - lvl) * bpl;

		if (span_shift >= 48) {
			/* the start level: its table is what the IAS leaves */
			unsigned int entries_shift = 48 - (gshift + (3 - lvl) * bpl);

			bytes += 8.0 * (1ULL << entries_shift);
			break;
		}
		bytes += (double)((((iova + len - 1) >> span_shift) -
				   (iova >> span_shift)) + 1) * g->page;
	}
	return bytes;
}

static void print_report(FILE *o, bool have_ir, int reps)
{
	int gi, coh, op;

	fprintf(o,
		"Userspace: ARM_64_LPAE_S1, IAS 48, %d runs per row, ours and upstream alternating\n",
		reps);
	fprintf(o,
		"ns: median per operation (+-%% = half the interquartile range); Ir: instructions per operation (callgrind)\n");
	fprintf(o,
		"syncs/lines: dma_sync_single_for_device() calls and 64-byte lines cleaned (maps included) per operation; min: every changed line once, one call per contiguous run\n\n");
	fprintf(o,
		"%-4s %-4s %-27s %9s %6s %9s %6s %6s %9s %9s %6s | %7s %7s %6s %7s %7s %6s | %8s %8s\n",
		"gran", "walk", "operation", "ours ns", "+-%", "upst ns", "+-%",
		"time", "ours Ir", "upst Ir", "Ir",
		"syncs", "min", "ratio", "lines", "min", "ratio",
		"up sync", "up lines");
	for (gi = 0; gi < (int)NR_GRANULES; gi++) {
		for (coh = 1; coh >= 0; coh--) {
			for (op = 0; op < NR_OPS; op++) {
				struct result *a = &results[gi][coh][op][IMPL_OUR];
				struct result *b = &results[gi][coh][op][IMPL_UP];
				double sa, sb, ma, mb;
				char ir_a[16] = "-", ir_b[16] = "-", ir_r[16] = "-";

				if (!a->reps || !b->reps)
					continue;
				ma = median(a, &sa);
				mb = median(b, &sb);
				if (have_ir && a->ir && b->ir) {
					snprintf(ir_a, sizeof(ir_a), "%.0f", a->ir);
					snprintf(ir_b, sizeof(ir_b), "%.0f", b->ir);
					snprintf(ir_r, sizeof(ir_r), "%.2f", a->ir / b->ir);
				}
				fprintf(o,
					"%-4s %-4s %-27s %9.1f %6.1f %9.1f %6.1f %6.2f %9s %9s %6s",
					granules[gi].name, coh ? "coh" : "nc",
					op_names[op], ma, sa, mb, sb, ma / mb,
					ir_a, ir_b, ir_r);
				if (!coh && is_update(op))
					fprintf(o,
						" | %7.3f %7.3f %6.2f %7.2f %7.2f %6.2f | %8.3f %8.2f\n",
						a->syncs, a->min_syncs,
						a->min_syncs ? a->syncs / a->min_syncs : 0,
						a->lines, a->min_lines,
						a->min_lines ? a->lines / a->min_lines : 0,
						b->syncs, b->lines);
				else
					fprintf(o, " |\n");
			}
		}
	}

	fprintf(o,
		"\nTable memory, after mapping (non-coherent walk; CPU-side = kmalloc'd handles and companions, in slab sizes)\n");
	fprintf(o,
		"typical: pages mapped; worst: blocks only, below upper tables that are all present; target: CPU-side <= 1%% of the table memory at 4K, <= 2%% at 16K and 64K, typical case (6.12 keeps no CPU-side memory)\n");
	fprintf(o, "%-4s %-24s %-7s %12s %12s %12s %7s %7s %12s %8s %s\n", "gran",
		"mapping", "case", "min KiB/GiB", "ours KiB/GiB", "upst KiB/GiB",
		"ours/min", "up/min", "CPU KiB/GiB", "CPU %", "target");
	for (gi = 0; gi < (int)NR_GRANULES; gi++) {
		static const enum op mem_ops[] = { OP_UNMAP1, OP_UNMAPBLK };

		for (int k = 0; k < 2; k++) {
			enum op mop = mem_ops[k];
			const struct granule *g = &granules[gi];
			struct result *a = &results[gi][0][mop][IMPL_OUR];
			struct result *b = &results[gi][0][mop][IMPL_UP];
			u64 len = mop == OP_UNMAP1 ? PAGE_RANGE : NR_BLOCKS * g->block;
			double gib = (double)len / (1ULL << 30);
			double mn = min_table_bytes(g, mop == OP_UNMAP1 ? 3 : 2,
						    IOVA_BASE, len);
			char what[32];
			double cpu;

			if (!a->page_bytes)
				continue;
			snprintf(what, sizeof(what), "%s %s pages",
				 mop == OP_UNMAP1 ? "256M of" : "2048",
				 mop == OP_UNMAP1 ? g->name :
				 (g->block == SZ_2M ? "2M" :
				  g->block == SZ_32M ? "32M" : "512M"));
			cpu = 100.0 * a->kmem_bytes / a->page_bytes;
			fprintf(o, "%-4s %-24s %-7s %12.1f %12.1f %12.1f %7.4f %7.4f %12.1f %7.2f%% %s\n",
				g->name, what, k ? "worst" : "typical",
				mn / gib / 1024,
				a->page_bytes / gib / 1024, b->page_bytes / gib / 1024,
				a->page_bytes / mn, b->page_bytes / mn,
				a->kmem_bytes / gib / 1024, cpu,
				k ? "-" : cpu <= (g->page == SZ_4K ? 1.0 : 2.0) ?
				"met" : "MISSED");
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "ir", required_argument, NULL, 'i' },
		{ "callgrind", no_argument, NULL, 'c' },
		{ "only", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ir_dir = NULL, *only = NULL;
	bool callgrind = false, have_ir = false;
	int reps = 9, opt, gi, coh, op, rep, impl;

	while ((opt = getopt_long(argc, argv, "r:i:co:", lopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			reps = atoi(optarg);
			if (reps < 1 || reps > MAX_REPS)
				reps = 9;
			break;
		case 'i':
			ir_dir = optarg;
			break;
		case 'c':
			callgrind = true;
			break;
		case 'o':
			only = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: %s [--reps N] [--ir DIR] [--only 4K|16K|64K] [--callgrind]\n",
				argv[0]);
			return 2;
		}
	}

	bench_shim_init();

	for (gi = 0; gi < (int)NR_GRANULES; gi++) {
		if (only && strcmp(only, granules[gi].name))
			continue;
		for (coh = 1; coh >= 0; coh--) {
			for (op = 0; op < NR_OPS; op++) {
				if (callgrind) {
					for (impl = 0; impl < NR_IMPLS; impl++)
						run_callgrind(gi, coh, op, impl);
					continue;
				}
				/* one untimed round each to warm caches */
				for (impl = 0; impl < NR_IMPLS; impl++)
					run_counted(gi, coh, op, impl);
				for (rep = 0; rep < reps; rep++)
					for (impl = 0; impl < NR_IMPLS; impl++)
						run_timed(gi, coh, op,
							  rep & 1 ? NR_IMPLS - 1 - impl : impl);
			}
		}
	}
	if (callgrind)
		return 0;

	if (ir_dir)
		have_ir = read_ir(ir_dir) > 0;
	print_report(stdout, have_ir, reps);
	print_inv(stdout, only);
	if (BC.warns) {
		fprintf(stderr, "bench: %llu warnings from the code under test\n",
			(unsigned long long)BC.warns);
		return 1;
	}
	return 0;
}
