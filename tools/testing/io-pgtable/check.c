// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow model and state comparison for the io-pgtable harness: after an
 * operation, the walker's view of the device-visible tables, the walker's
 * view of the CPU's tables, the code's own iova_to_phys() and the shadow
 * must all describe the same translations.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* ---- shadow: the shared expected-mapping model, grown on demand ---- */

void shadow_clear(struct lpae_extents *s)
{
	free(s->e);
	memset(s, 0, sizeof(*s));
}

/* Room for an insertion and the split a removal may make */
static struct lpae_extents *shadow_room(struct lpae_extents *s)
{
	if (s->n + 2 > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->e = realloc(s->e, s->cap * sizeof(*s->e));
	}
	return s;
}

void shadow_add(struct lpae_extents *s, u64 iova, u64 size, u64 pa, int prot, bool dirty)
{
	lpae_ext_add(shadow_room(s), iova, size, pa, prot, dirty);
}

void shadow_remove(struct lpae_extents *s, u64 iova, u64 size)
{
	lpae_ext_remove(shadow_room(s), iova, size);
}

void shadow_set_dirty(struct lpae_extents *s, u64 iova, u64 size, bool dirty)
{
	lpae_ext_set_dirty(shadow_room(s), iova, size, dirty);
}

/* ---- expected semantics of an IOMMU_* protection ---- */

void expect_sem(const struct runctx *c, int prot, bool dirty, struct lpae_sem *s)
{
	lpae_prot_sem(&c->w, prot, dirty, s);
}

/* ---- runs: merged descriptions of translations over a range ---- */

struct run {
	u64 first, last, pa;
	struct lpae_sem s;
};

struct runs {
	struct run *r;
	int n, cap;
	const struct runctx *c;
	u64 first, last;
};

static void runs_add(struct runs *rs, u64 first, u64 last, u64 pa, const struct lpae_sem *s)
{
	struct run *p;

	if (first < rs->first) {
		pa += rs->first - first;
		first = rs->first;
	}
	if (last > rs->last)
		last = rs->last;
	if (first > last)
		return;
	if (rs->n) {
		p = &rs->r[rs->n - 1];
		if (p->last + 1 == first && p->pa + (first - p->first) == pa &&
		    !memcmp(&p->s, s, sizeof(*s))) {
			p->last = last;
			return;
		}
	}
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->r = realloc(rs->r, rs->cap * sizeof(*rs->r));
	}
	p = &rs->r[rs->n++];
	p->first = first;
	p->last = last;
	p->pa = pa;
	p->s = *s;
}

static void leaf_cb(void *arg, const struct lpae_wres *r)
{
	struct runs *rs = arg;
	struct lpae_sem s;

	s = r->sem;
	if (r->fault) {
		/* a valid-looking descriptor that does not translate */
		u64 size = 1ULL << lpae_geom_level_shift(&rs->c->w, r->level);
		u64 base = r->iova & ~(size - 1);

		runs_add(rs, base, base + size - 1, 0, &s);
		return;
	}
	runs_add(rs, r->base, r->base + r->size - 1, r->leaf_oa, &s);
}

static int runs_of_view(struct runctx *c, enum view v, u64 first, u64 last,
			struct runs *rs, char *err, size_t errlen)
{
	memset(rs, 0, sizeof(*rs));
	rs->c = c;
	rs->first = first;
	rs->last = last;
	return walker_enum(&c->w, v, first, last, leaf_cb, NULL, rs, err, errlen);
}

static void runs_of_shadow(struct runctx *c, u64 first, u64 last, struct runs *rs)
{
	int i;

	memset(rs, 0, sizeof(*rs));
	rs->c = c;
	rs->first = first;
	rs->last = last;
	for (i = 0; i < c->sh.n; i++) {
		struct lpae_ext *e = &c->sh.e[i];
		struct lpae_sem s;

		expect_sem(c, e->prot, e->dirty, &s);
		runs_add(rs, e->iova, e->iova + e->size - 1, e->pa, &s);
	}
}

static void runs_compare(struct runctx *c, struct runs *got, struct runs *want,
			 int cat, const char *what, const char *view)
{
	int i;
	char a[96], b[96];

	for (i = 0; i < got->n || i < want->n; i++) {
		struct run *g = i < got->n ? &got->r[i] : NULL;
		struct run *w = i < want->n ? &want->r[i] : NULL;

		if (g && w && g->first == w->first && g->last == w->last &&
		    g->pa == w->pa && !memcmp(&g->s, &w->s, sizeof(g->s)))
			continue;
		if (g)
			lpae_sem_str(&g->s, a, sizeof(a));
		if (w)
			lpae_sem_str(&w->s, b, sizeof(b));
		model_fail(cat,
			   "%s: %s view differs from the shadow: %s [%#llx..%#llx] -> %#llx %s; shadow %s [%#llx..%#llx] -> %#llx %s",
			   what, view,
			   g ? "has" : "has nothing;",
			   g ? (unsigned long long)g->first : 0ULL,
			   g ? (unsigned long long)g->last : 0ULL,
			   g ? (unsigned long long)g->pa : 0ULL, g ? a : "",
			   w ? "has" : "has nothing",
			   w ? (unsigned long long)w->first : 0ULL,
			   w ? (unsigned long long)w->last : 0ULL,
			   w ? (unsigned long long)w->pa : 0ULL, w ? b : "");
	}
}

static void check_iova_to_phys(struct runctx *c, u64 iova, int cat, const char *what)
{
	struct lpae_ext *e = lpae_ext_find(&c->sh, iova);
	u64 want = e ? e->pa + (iova - e->iova) : 0;
	u64 got = c->ops->iova_to_phys(c->ops, iova);

	if (got != want)
		model_fail(cat, "%s: iova_to_phys(%#llx) = %#llx, shadow says %#llx",
			   what, (unsigned long long)iova, (unsigned long long)got,
			   (unsigned long long)want);
}

/*
 * Compare the device view, the CPU view and iova_to_phys() with the shadow
 * over [first, last].
 */
void check_state(struct runctx *c, u64 first, u64 last, int cat, const char *what)
{
	struct runs dev, cpu, want;
	char err[256];
	int i;

	if (first < c->in_first)
		first = c->in_first;
	if (last > c->in_last)
		last = c->in_last;
	if (first > last)
		return;
	runs_of_shadow(c, first, last, &want);
	if (runs_of_view(c, VIEW_DEV, first, last, &dev, err, sizeof(err))) {
		free(want.r);
		free(dev.r);
		model_fail(CAT_ORDER, "%s: walker cannot follow the device view: %s",
			   what, err);
	}
	runs_compare(c, &dev, &want, cat, what, "walker/device");
	free(dev.r);
	if (M.mode != MODE_COHERENT) {
		if (runs_of_view(c, VIEW_CPU, first, last, &cpu, err, sizeof(err))) {
			free(want.r);
			free(cpu.r);
			model_fail(CAT_ORDER, "%s: walker cannot follow the CPU view: %s",
				   what, err);
		}
		runs_compare(c, &cpu, &want, cat, what, "walker/cpu");
		free(cpu.r);
	}
	/* the code's own walk of the CPU view */
	check_iova_to_phys(c, first, cat, what);
	check_iova_to_phys(c, last, cat, what);
	for (i = 0; i < want.n && i < 64; i++) {
		struct run *r = &want.r[i];

		check_iova_to_phys(c, r->first, cat, what);
		check_iova_to_phys(c, r->last, cat, what);
		check_iova_to_phys(c, r->first + (r->last - r->first) / 2, cat, what);
		if (r->first > first)
			check_iova_to_phys(c, r->first - 1, cat, what);
		if (r->last < last)
			check_iova_to_phys(c, r->last + 1, cat, what);
	}
	free(want.r);
}

/* ---- dirty bitmap ---- */

static struct runs dirty_rec;

void dirty_reset(void)
{
	free(dirty_rec.r);
	memset(&dirty_rec, 0, sizeof(dirty_rec));
	dirty_rec.first = 0;
	dirty_rec.last = ~0ULL;
}

void shim_dirty_record(struct iommu_dirty_bitmap *dirty, unsigned long iova,
		       unsigned long length)
{
	struct lpae_sem s = { .dirty = true };
	struct run *p;
	int i;

	if (!length)
		model_fail(CAT_DIRTY, "dirty record of zero length at %#lx", iova);
	/* keep sorted; records may come in any order */
	runs_add(&dirty_rec, iova, iova + length - 1, 0, &s);
	for (i = dirty_rec.n - 1; i > 0; i--) {
		p = &dirty_rec.r[i];
		if (p[-1].first <= p->first)
			break;
		swap(p[-1], p[0]);
	}
}

/* Is all of [first, last] in the ranges recorded since dirty_reset()? */
bool dirty_covered(u64 first, u64 last)
{
	u64 a = first;
	int i;

	for (;;) {
		for (i = 0; i < dirty_rec.n; i++)
			if (dirty_rec.r[i].first <= a && a <= dirty_rec.r[i].last)
				break;
		if (i == dirty_rec.n)
			return false;
		if (dirty_rec.r[i].last >= last)
			return true;
		a = dirty_rec.r[i].last + 1;
	}
}

/* Recorded dirty ranges within [first, last] == dirty, mapped, writable. */
int dirty_compare(struct runctx *c, u64 first, u64 last, char *err, size_t errlen)
{
	u64 a = first;
	int i, j = 0;

	/* walk both interval sets address by address in coalesced pieces */
	while (a <= last) {
		struct lpae_ext *e = lpae_ext_find(&c->sh, a);
		bool want = e && e->dirty && (e->prot & IOMMU_WRITE);
		bool got = false;
		u64 next = last;

		for (i = 0; i < dirty_rec.n; i++) {
			if (dirty_rec.r[i].first <= a && a <= dirty_rec.r[i].last) {
				got = true;
				next = min(next, dirty_rec.r[i].last);
			} else if (dirty_rec.r[i].first > a) {
				next = min(next, dirty_rec.r[i].first - 1);
			}
		}
		if (e)
			next = min(next, e->iova + e->size - 1);
		else
			for (j = 0; j < c->sh.n; j++)
				if (c->sh.e[j].iova > a)
					next = min(next, c->sh.e[j].iova - 1);
		if (got != want) {
			snprintf(err, errlen, "[%#llx..%#llx] %s dirty, shadow says %s",
				 (unsigned long long)a, (unsigned long long)next,
				 got ? "reported" : "not reported",
				 want ? "dirty" : "clean");
			return -1;
		}
		if (next == ~0ULL)
			break;
		a = next + 1;
	}
	return 0;
}

/* ---- the TLB contract of one call ---- */

/*
 * A leaf that leaves the device view during a call must be invalidated in
 * that call, after it left: tlb_add_page() of its own size at an iova in
 * it, with the caller's gather (which the caller then syncs), or
 * tlb_flush_all(). tlb_flush_walk() is documented for the walk caches and
 * covers no leaf. A NULL or queued gather leaves the leaves to the caller
 * (a flush queue invalidates everything before the IOVAs are reused).
 * Tables follow the model's rule in every call: unlinked, invalidated
 * (tlb_flush_walk over their span, or tlb_flush_all), then freed; none may
 * be left unlinked and not invalidated when the call returns.
 */
unsigned long tlb_leaves_checked;

static void tlb_leaf_cb(void *arg, const struct lpae_wres *r)
{
	struct lpae_tlb_books *b = arg;

	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		b->l = realloc(b->l, b->cap * sizeof(*b->l));
	}
	lpae_tlb_note(b, r);
}

/* Has @l left the device view (or changed)? */
static bool tlb_leaf_gone(void *arg, const struct lpae_tlb_leaf *l)
{
	struct lpae_wres r;

	walker_walk(M.w, VIEW_DEV, l->iova, &r);
	return r.fault || r.base != l->iova || r.size != l->size ||
	       r.desc != l->desc;
}

void tlb_watch_begin(struct tlb_watch *t, struct runctx *c, u64 first, u64 last,
		     const struct iommu_iotlb_gather *gather)
{
	char err[256];

	memset(t, 0, sizeof(*t));
	t->b.gone = tlb_leaf_gone;
	t->gather = gather;
	t->leaves = gather && !gather->queued;
	first = max(first, c->in_first);
	last = min(last, c->in_last);
	if (t->leaves && first <= last &&
	    walker_enum(&c->w, VIEW_DEV, first, last, tlb_leaf_cb, NULL, &t->b,
			err, sizeof(err)))
		model_fail(CAT_ORDER, "walker cannot follow the device view: %s", err);
	M.watch = t;
}

void tlb_watch_note(struct tlb_watch *t, enum inv_kind kind, u64 iova,
		    u64 granule, const struct iommu_iotlb_gather *gather)
{
	if (kind == INV_ALL)
		lpae_tlb_flushed_all(&t->b);
	else if (kind == INV_PAGE && gather == t->gather)
		lpae_tlb_page_added(&t->b, iova, granule);
}

void tlb_watch_end(struct tlb_watch *t, const char *what)
{
	const struct lpae_tlb_leaf *l;
	unsigned int i = 0;
	u64 phys, iova;
	int lvl;

	M.watch = NULL;
	l = lpae_tlb_missed(&t->b, &i, &tlb_leaves_checked);
	if (l) {
		u64 base = l->iova, size = l->size;

		free(t->b.l);
		model_fail(CAT_FREE,
			   "%s: leaf %#llx+%#llx left the device view without an invalidation after it (tlb_add_page of its size with the caller's gather, or tlb_flush_all)",
			   what, (unsigned long long)base, (unsigned long long)size);
	}
	free(t->b.l);
	t->b.l = NULL;
	if (model_unflushed_table(&phys, &lvl, &iova))
		model_fail(CAT_FREE,
			   "%s: table %#llx (level %d, iova %#llx) unlinked and not invalidated when the call returned",
			   what, (unsigned long long)phys, lvl,
			   (unsigned long long)iova);
}
