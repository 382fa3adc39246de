// SPDX-License-Identifier: GPL-2.0
/*
 * io-pgtable harness: concurrency.
 *
 * N threads map and unmap disjoint ranges that share upper-level tables, as
 * iommu-dma does, each keeping its own log (a shadow) and checking every
 * return against it. Three kinds of lockstep rounds follow:
 *
 *  - install: every thread maps its own page under the same table that does
 *    not exist yet (every other round the table above it is missing too);
 *  - split: every thread unmaps its own page inside the same block;
 *  - overlap: thread 0 maps a block where every other thread maps a page
 *    (overlapping concurrent maps are a caller bug, but must not corrupt
 *    memory): exactly one side wins, the other gets -EEXIST. A page mapper
 *    may be helping a table claim whose owner just lost it to the block;
 *    from three threads up, this is how a freed claim was once read.
 *
 * The model takes one lock around each hook the code calls and checks, as
 * single-threaded, that a table is visible before it is linked and is not
 * freed before the walk cache was invalidated for it. At the end, the device
 * view, the CPU view and iova_to_phys() must say exactly what the union of
 * the logs says. Every run is a child process (see isolate()): a deadlock,
 * a crash or a sanitizer report fails the run instead of the harness.
 *
 * Built with -fsanitize=thread ("make tsan"), ThreadSanitizer checks the
 * same runs for data races.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "harness.h"

#define MAX_THREADS	8
#define CHUNK_PAGES	16

struct tshared {
	struct runctx c;
	int n, ops, rounds;
	u64 g, B, B2, W;	/* granule, block, next block, window */
	u64 fine, coarse;	/* regions, B-aligned */
	int ncoarse;
	u64 install_base, install_far, split_base, overlap_base;
	bool far_ok;
	int bar_count, bar_gen;
	u64 area;		/* this round's area */
	unsigned long allocs0, live0;
	struct thread_summary *sum;
};

struct tthread {
	pthread_t tid;
	int id;
	u64 rs;
	struct lpae_extents sh;
	struct tshared *s;
	unsigned long ops;
	/* lockstep round results */
	int ret;
	size_t bytes;
	u64 page;
};

static struct tthread thr[MAX_THREADS];

static u64 t_rand(struct tthread *t)
{
	t->rs ^= t->rs << 13;
	t->rs ^= t->rs >> 7;
	t->rs ^= t->rs << 17;
	return t->rs;
}

static u64 t_below(struct tthread *t, u64 n)
{
	return n ? t_rand(t) % n : 0;
}

static void bar_wait(struct tshared *s)
{
	int gen = __atomic_load_n(&s->bar_gen, __ATOMIC_ACQUIRE);

	if (__atomic_add_fetch(&s->bar_count, 1, __ATOMIC_ACQ_REL) == s->n) {
		__atomic_store_n(&s->bar_count, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&s->bar_gen, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&s->bar_gen, __ATOMIC_ACQUIRE) == gen)
		sched_yield();
}

/* Output address for @iova in thread @t's ranges (B-aligned offsets) */
static u64 t_pa(struct tthread *t, u64 iova)
{
	struct tshared *s = t->s;

	return (iova - s->W) + (u64)(t->id + 1) * 64 * s->B;
}

static void t_map(struct tthread *t, u64 iova, u64 pgsize, u64 count)
{
	struct runctx *c = &t->s->c;
	bool busy = lpae_ext_overlaps(&t->sh, iova, pgsize * count);
	u64 pa = t_pa(t, iova);
	size_t mapped = 0;
	int ret;

	t->ops++;
	ret = c->ops->map_pages(c->ops, iova, pa, pgsize, count,
				IOMMU_READ | IOMMU_WRITE, GFP_KERNEL, &mapped);
	if (busy ? (ret != -EEXIST || mapped) : (ret || mapped != pgsize * count))
		model_fail(CAT_XLATE,
			   "thread %d: map %#llx %#llx x %llu returned %d, mapped %#zx; its log says %s",
			   t->id, (unsigned long long)iova,
			   (unsigned long long)pgsize, (unsigned long long)count,
			   ret, mapped, busy ? "partly mapped" : "free");
	if (!ret)
		shadow_add(&t->sh, iova, mapped, pa, IOMMU_READ | IOMMU_WRITE, true);
}

/* Unmap returns the mapped prefix of the run */
static void t_unmap(struct tthread *t, u64 iova, u64 pgsize, u64 count)
{
	struct runctx *c = &t->s->c;
	struct iommu_iotlb_gather gather = { .queued = t_rand(t) & 1 };
	u64 want = 0;
	size_t n;

	while (want < count * pgsize && lpae_ext_find(&t->sh, iova + want))
		want += pgsize;
	t->ops++;
	n = c->ops->unmap_pages(c->ops, iova, pgsize, count, &gather);
	if (n != want)
		model_fail(CAT_XLATE,
			   "thread %d: unmap %#llx %#llx x %llu returned %#zx; its log says %#llx",
			   t->id, (unsigned long long)iova,
			   (unsigned long long)pgsize, (unsigned long long)count,
			   n, (unsigned long long)want);
	shadow_remove(&t->sh, iova, n);
}

static void t_lookup(struct tthread *t, u64 iova)
{
	struct runctx *c = &t->s->c;
	struct lpae_ext *e = lpae_ext_find(&t->sh, iova);
	u64 want = e ? e->pa + (iova - e->iova) : 0;
	u64 got;

	t->ops++;
	got = c->ops->iova_to_phys(c->ops, iova);
	if (got != want)
		model_fail(CAT_XLATE, "thread %d: iova_to_phys(%#llx) = %#llx, its log says %#llx",
			   t->id, (unsigned long long)iova,
			   (unsigned long long)got, (unsigned long long)want);
}

/* A random own chunk of the fine region: CHUNK_PAGES pages, interleaved */
static u64 t_chunk(struct tthread *t)
{
	struct tshared *s = t->s;
	u64 chunks = 4 * s->B / (CHUNK_PAGES * s->g) / s->n;
	u64 k = t_below(t, chunks) * s->n + t->id;

	return s->fine + k * CHUNK_PAGES * s->g;
}

static u64 t_block(struct tthread *t)
{
	struct tshared *s = t->s;
	u64 k = t_below(t, s->ncoarse / s->n) * s->n + t->id;

	return s->coarse + k * s->B;
}

static void t_mixed(struct tthread *t)
{
	struct tshared *s = t->s;
	u64 g = s->g, B = s->B, base, first, cnt;
	int i, r;

	for (i = 0; i < s->ops; i++) {
		r = t_below(t, 100);
		if (r < 65) {
			base = r < 40 || r >= 50 ? t_chunk(t) : t_block(t);
			first = t_below(t, CHUNK_PAGES);
			cnt = 1 + t_below(t, CHUNK_PAGES - first);
			if (r >= 40 && r < 50)
				first += t_below(t, B / g - CHUNK_PAGES);
			if (r < 50)
				t_map(t, base + first * g, g, cnt);
			else
				t_unmap(t, base + first * g, g, cnt);
		} else if (r < 75) {
			/*
			 * A block only where the log says nothing is mapped:
			 * upstream replaces a table with pages in it by the block
			 * (see the bad-input table), iommu-dma never asks for it.
			 */
			base = t_block(t);
			if (!lpae_ext_overlaps(&t->sh, base, B))
				t_map(t, base, B, 1);
			else
				t_lookup(t, base);
		} else if (r < 85) {
			base = t_block(t);
			first = t_below(t, B / g);
			cnt = 1 + t_below(t, min_t(u64, 8, B / g - first));
			t_unmap(t, base + first * g, g, cnt);
		} else if (r < 92) {
			base = t_block(t);
			/* a whole block goes at once only if it is all mapped */
			for (first = 0; first < B; first += g)
				if (!lpae_ext_find(&t->sh, base + first))
					break;
			if (first == B)
				t_unmap(t, base, B, 1);
			else
				t_lookup(t, base + first);
		} else {
			base = r & 1 ? t_chunk(t) : t_block(t);
			t_lookup(t, base + t_below(t, CHUNK_PAGES) * g);
		}
	}
}

/* Thread 0, between barriers: note the tables before a round, gate it */
static void round_begin(struct tshared *s)
{
	s->allocs0 = M.st.allocs;
	s->live0 = model_live_tables();
	model_alloc_gate(s->n);
}

/* ... and after it: did a racer build a table and lose the claim? */
static bool round_lost(struct tshared *s)
{
	model_alloc_gate(0);
	return M.st.allocs - s->allocs0 > model_live_tables() - s->live0;
}

static void round_check(struct tshared *s, const char *what)
{
	check_state(&s->c, s->area, s->area + s->B - 1, CAT_XLATE, what);
}

/* Each thread unmapped its page of round @r: check it, forget it */
static void collect_unmaps(struct tshared *s, const char *what, int r)
{
	int k;

	for (k = 0; k < s->n; k++) {
		if (thr[k].bytes != s->g)
			model_fail(CAT_XLATE,
				   "%s round %d: thread %d unmap of %#llx returned %#zx",
				   what, r, k, (unsigned long long)thr[k].page,
				   thr[k].bytes);
		shadow_remove(&s->c.sh, thr[k].page, s->g);
	}
}

/* Thread 0, after an overlap round: one side won, the tables show it */
static void overlap_check(struct tshared *s, int r)
{
	struct runctx *c = &s->c;
	bool block = !thr[0].ret;
	int k;

	for (k = 0; k < s->n; k++) {
		int want = (k == 0) == block ? 0 : -EEXIST;

		if (thr[k].ret != want)
			model_fail(CAT_XLATE,
				   "overlap round %d: thread %d returned %d, want %d (block %s)",
				   r, k, thr[k].ret, want, block ? "won" : "lost");
		if (!thr[k].ret)
			shadow_add(&c->sh, thr[k].page, k ? s->g : s->B,
				   t_pa(&thr[k], s->area), IOMMU_READ | IOMMU_WRITE,
				   true);
	}
	s->sum->overlap_rounds++;
	s->sum->overlap_block_won += block;
	round_check(s, "overlap round");
}

static void t_overlap_round(struct tthread *t, int r)
{
	struct tshared *s = t->s;
	struct runctx *c = &s->c;
	u64 size = t->id ? s->g : s->B;

	t->page = s->area + t->id * 7 * s->g;
	t->bytes = 0;
	t->ret = c->ops->map_pages(c->ops, t->page, t_pa(t, s->area), size, 1,
				   IOMMU_READ | IOMMU_WRITE, GFP_KERNEL,
				   &t->bytes);
	t->ops++;
	bar_wait(s);
	if (!t->id)
		overlap_check(s, r);
	bar_wait(s);
	t->bytes = t->ret ? size :
		   c->ops->unmap_pages(c->ops, t->page, size, 1, NULL);
	t->ops += !t->ret;
	bar_wait(s);
	if (!t->id) {
		int k;

		for (k = 0; k < s->n; k++)
			if (thr[k].bytes != (k ? s->g : s->B))
				model_fail(CAT_XLATE, "overlap round %d: unmap by thread %d: %#zx",
					   r, k, thr[k].bytes);
		shadow_remove(&c->sh, s->area, s->B);
		round_check(s, "overlap round, unmapped");
	}
	bar_wait(s);
}

static void t_rounds(struct tthread *t)
{
	struct tshared *s = t->s;
	struct runctx *c = &s->c;
	u64 g = s->g;
	int r, k;

	for (r = 0; r < s->rounds; r++) {
		/* install: everyone maps a page under the same missing table */
		if (!t->id) {
			s->area = (r & 1) && s->far_ok ? s->install_far + (r / 2) * s->B2 :
				  s->install_base + r * s->B;
			round_begin(s);
		}
		bar_wait(s);
		t->page = s->area + (3 * t->id + 1) * g;
		t->bytes = 0;
		t->ret = c->ops->map_pages(c->ops, t->page, t_pa(t, s->area) + t->id * g,
					   g, 1, IOMMU_READ | IOMMU_WRITE,
					   GFP_KERNEL, &t->bytes);
		t->ops++;
		bar_wait(s);
		if (!t->id) {
			s->sum->install_rounds++;
			s->sum->install_lost += round_lost(s);
			for (k = 0; k < s->n; k++) {
				if (thr[k].ret || thr[k].bytes != g)
					model_fail(CAT_XLATE,
						   "install round %d: thread %d map of %#llx returned %d, mapped %#zx",
						   r, k, (unsigned long long)thr[k].page,
						   thr[k].ret, thr[k].bytes);
				shadow_add(&c->sh, thr[k].page, g,
					   t_pa(&thr[k], s->area) + k * g,
					   IOMMU_READ | IOMMU_WRITE, true);
			}
			round_check(s, "install round");
		}
		bar_wait(s);
		t->bytes = c->ops->unmap_pages(c->ops, t->page, g, 1, NULL);
		t->ops++;
		bar_wait(s);
		if (!t->id) {
			collect_unmaps(s, "install", r);
			round_check(s, "install round, unmapped");

			/* split: a block everyone takes a page out of */
			s->area = s->split_base + r * s->B;
			t->bytes = 0;
			if (c->ops->map_pages(c->ops, s->area, t_pa(t, s->area), s->B, 1,
					      IOMMU_READ | IOMMU_WRITE, GFP_KERNEL,
					      &t->bytes) || t->bytes != s->B)
				model_fail(CAT_XLATE, "split round %d: map of the block failed", r);
			shadow_add(&c->sh, s->area, s->B, t_pa(t, s->area),
				   IOMMU_READ | IOMMU_WRITE, true);
			round_begin(s);
		}
		bar_wait(s);
		t->page = s->area + (5 * t->id + 2) * g;
		t->bytes = c->ops->unmap_pages(c->ops, t->page, g, 1, NULL);
		t->ops++;
		bar_wait(s);
		if (!t->id) {
			s->sum->split_rounds++;
			s->sum->split_lost += round_lost(s);
			collect_unmaps(s, "split", r);
			round_check(s, "split round");
			s->area = s->overlap_base + r * s->B;
		}
		bar_wait(s);
		t_overlap_round(t, r);
	}
}

static void *t_main(void *arg)
{
	struct tthread *t = arg;

	t_mixed(t);
	bar_wait(t->s);
	t_rounds(t);
	return NULL;
}

struct threads_case_arg {
	const struct tcfg *t;
	enum dma_mode mode;
	int n, ops, rounds;
	struct thread_summary *sum;	/* shared with the parent */
};

static void threads_case(void *arg)
{
	const struct threads_case_arg *a = arg;
	static struct tshared s;
	struct runctx *c = &s.c;
	u64 span, need;
	int i, j;

	memset(&s, 0, sizeof(s));
	s.sum = a->sum;
	s.n = a->n;
	s.ops = a->ops;
	s.rounds = a->rounds;
	ctx_open(c, a->t, a->mode);
	s.g = ctx_pgsize(c, 0);
	s.B = ctx_pgsize(c, 1);
	s.B2 = s.B << c->w.bpl;
	s.ncoarse = 2 * s.n;
	/* the window: fine, coarse, install and split regions, in one B2 */
	need = (4 + s.ncoarse + 3 * s.rounds) * s.B;
	span = s.B2;
	while (span < need)
		span <<= c->w.bpl;
	s.W = c->in_first + span;
	s.fine = s.W;
	s.coarse = s.fine + 4 * s.B;
	s.install_base = s.coarse + s.ncoarse * s.B;
	s.split_base = s.install_base + s.rounds * s.B;
	s.overlap_base = s.split_base + s.rounds * s.B;
	/* fresh B2 regions, for rounds that also race on the table above */
	s.install_far = s.W + span;
	s.far_ok = s.install_far + s.rounds * s.B2 - 1 <= c->in_last &&
		   s.install_far > s.W;
	if (s.W + need - 1 > c->in_last)
		model_fail(CAT_ALLOC, "input range too small for the threads' window");

	for (i = 0; i < s.n; i++) {
		memset(&thr[i], 0, sizeof(thr[i]));
		thr[i].id = i;
		thr[i].s = &s;
		thr[i].rs = 0x9e3779b97f4a7c15ULL * (i + 1) + a->mode * 77 + a->t->ias;
	}
	model_set_threaded(true);
	for (i = 0; i < s.n; i++)
		if (pthread_create(&thr[i].tid, NULL, t_main, &thr[i]))
			model_fail(CAT_ALLOC, "pthread_create failed");
	for (i = 0; i < s.n; i++)
		pthread_join(thr[i].tid, NULL);
	model_set_threaded(false);

	/* every thread's log, and the rounds', against both views */
	for (i = 0; i < s.n; i++) {
		for (j = 0; j < thr[i].sh.n; j++) {
			struct lpae_ext *e = &thr[i].sh.e[j];

			shadow_add(&c->sh, e->iova, e->size, e->pa, e->prot, e->dirty);
		}
		a->sum->ops += thr[i].ops;
		shadow_clear(&thr[i].sh);
	}
	model_op_end();
	check_state(c, c->in_first, c->in_last, CAT_XLATE, "after the threads");
	ctx_unmap_all(c);
	check_state(c, c->in_first, c->in_last, CAT_XLATE, "all unmapped");
	ctx_close(c);
}

static const char *const thread_cfgs[] = {
	"s1-4k-48", "s2-4k-40", "s1-16k-47", "s1-64k-52", "mali-48",
};

int threads_run(const char *only_cfg, int only_mode, int nthreads, int ops,
		int rounds, bool verbose, struct thread_summary *sum,
		char *first, size_t len)
{
	struct thread_summary *sh;
	unsigned int ci;
	int m;
	char msg[600];

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	memset(sum, 0, sizeof(*sum));
	first[0] = 0;
	nthreads = clamp(nthreads, 2, MAX_THREADS);
	sum->threads = nthreads;
	for (ci = 0; ci < ARRAY_SIZE(thread_cfgs); ci++) {
		const struct tcfg *t = tcfg_find(thread_cfgs[ci]);

		if (!t || (only_cfg && strcmp(only_cfg, t->name)))
			continue;
		for (m = 0; m < NR_MODES; m++) {
			struct threads_case_arg a = { t, m, nthreads, ops, rounds, sh };

			if (only_mode >= 0 && m != only_mode)
				continue;
			memset(sh, 0, sizeof(*sh));
			if (isolate(threads_case, &a, 120, msg, sizeof(msg))) {
				/* the format cannot use this walker */
				if (!strncmp(msg, "[alloc] alloc_io_pgtable_ops", 28))
					continue;
				sum->failed++;
				if (verbose)
					fprintf(stderr, "  threads %s/%s: %s\n", t->name,
						mode_names[m], msg);
				if (!first[0])
					snprintf(first, len, "%s/%s: %s", t->name,
						 mode_names[m], msg);
			}
			sum->runs++;
			sum->ops += sh->ops;
			sum->install_rounds += sh->install_rounds;
			sum->install_lost += sh->install_lost;
			sum->split_rounds += sh->split_rounds;
			sum->split_lost += sh->split_lost;
			sum->overlap_rounds += sh->overlap_rounds;
			sum->overlap_block_won += sh->overlap_block_won;
		}
	}
	munmap(sh, sizeof(*sh));
	return sum->failed;
}
