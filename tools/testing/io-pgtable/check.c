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

/* ---- shadow: sorted, non-overlapping extents ---- */

void shadow_clear(struct shadow *s)
{
	free(s->e);
	memset(s, 0, sizeof(*s));
}

static void shadow_insert(struct shadow *s, int at, const struct ext *e)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->e = realloc(s->e, s->cap * sizeof(*s->e));
	}
	memmove(&s->e[at + 1], &s->e[at], (s->n - at) * sizeof(*s->e));
	s->e[at] = *e;
	s->n++;
}

static void shadow_delete(struct shadow *s, int at)
{
	memmove(&s->e[at], &s->e[at + 1], (s->n - at - 1) * sizeof(*s->e));
	s->n--;
}

/* Split the extent containing @iova so that one starts at @iova. */
static void shadow_split(struct shadow *s, u64 iova)
{
	int i;

	for (i = 0; i < s->n; i++) {
		struct ext *e = &s->e[i], t;

		if (iova > e->iova && iova - e->iova < e->size) {
			t = *e;
			t.iova = iova;
			t.size = e->size - (iova - e->iova);
			t.pa = e->pa + (iova - e->iova);
			e->size = iova - e->iova;
			shadow_insert(s, i + 1, &t);
			return;
		}
	}
}

bool shadow_overlaps(struct shadow *s, u64 iova, u64 size)
{
	u64 last = iova + size - 1;
	int i;

	for (i = 0; i < s->n; i++) {
		u64 el = s->e[i].iova + s->e[i].size - 1;

		if (s->e[i].iova <= last && el >= iova)
			return true;
	}
	return false;
}

void shadow_add(struct shadow *s, u64 iova, u64 size, u64 pa, int prot, bool dirty)
{
	struct ext e = { iova, size, pa, prot, dirty };
	int i;

	if (!size)
		return;
	for (i = 0; i < s->n && s->e[i].iova < iova; i++)
		;
	shadow_insert(s, i, &e);
}

void shadow_remove(struct shadow *s, u64 iova, u64 size)
{
	u64 last = iova + size - 1;
	int i;

	if (!size)
		return;
	shadow_split(s, iova);
	if (last + 1)
		shadow_split(s, last + 1);
	for (i = 0; i < s->n;) {
		if (s->e[i].iova >= iova && s->e[i].iova <= last)
			shadow_delete(s, i);
		else
			i++;
	}
}

struct ext *shadow_lookup(struct shadow *s, u64 iova)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (iova >= s->e[i].iova && iova - s->e[i].iova < s->e[i].size)
			return &s->e[i];
	return NULL;
}

void shadow_set_dirty(struct shadow *s, u64 iova, u64 size, bool dirty)
{
	u64 last = iova + size - 1;
	int i;

	shadow_split(s, iova);
	if (last + 1)
		shadow_split(s, last + 1);
	for (i = 0; i < s->n; i++)
		if (s->e[i].iova >= iova && s->e[i].iova <= last)
			s->e[i].dirty = dirty;
}

/* ---- expected semantics of an IOMMU_* protection ---- */

void expect_sem(const struct runctx *c, int prot, bool dirty, struct sem *s)
{
	bool s1 = c->fmt == ARM_64_LPAE_S1 || c->fmt == ARM_32_LPAE_S1;
	bool mali = c->fmt == ARM_MALI_LPAE;

	memset(s, 0, sizeof(*s));
	if (s1) {
		/* stage 1 cannot express write-only: it reads as RW */
		s->r = true;
		s->w = prot & IOMMU_WRITE;
		s->el0 = !(prot & IOMMU_PRIV);
		s->ns = true;
		s->dirty = c->w.hd && s->w && dirty;
	} else {
		s->r = prot & IOMMU_READ;
		s->w = prot & IOMMU_WRITE;
		s->el0 = true;
	}
	s->xn_p = prot & IOMMU_NOEXEC;
	s->xn_u = s->xn_p;
	if (mali)
		s->memtype = (prot & IOMMU_CACHE) && !(prot & IOMMU_MMIO) ? MT_WB : MT_NC;
	else if (prot & IOMMU_MMIO)
		s->memtype = MT_DEVICE;
	else
		s->memtype = prot & IOMMU_CACHE ? MT_WB : MT_NC;
	if (mali)
		s->sh = 2;
	else if (s->memtype != MT_DEVICE)
		s->sh = s->memtype == MT_WB ? 3 : 2;
}

static void sem_of_wres(const struct runctx *c, const struct wres *r, struct sem *s)
{
	memset(s, 0, sizeof(*s));
	if (r->fault) {
		s->fault = true;
		return;
	}
	s->r = r->r;
	s->w = r->w;
	s->xn_u = r->xn_u;
	s->xn_p = r->xn_p;
	s->el0 = r->el0;
	s->ns = r->ns;
	s->memtype = r->memtype;
	s->sh = r->memtype == MT_DEVICE && !c->w.mali ? 0 : r->sh;
	s->dirty = c->w.hd && r->w && r->dirty;
}

static void sem_str(const struct sem *s, char *buf, size_t len)
{
	static const char *const mt[] = { "dev", "nc", "wb", "other" };

	if (s->fault) {
		snprintf(buf, len, "FAULT");
		return;
	}
	snprintf(buf, len, "%c%c%s%s%s%s mt=%s sh=%d%s", s->r ? 'r' : '-',
		 s->w ? 'w' : '-', s->xn_u ? " uxn" : "", s->xn_p ? " pxn" : "",
		 s->el0 ? " el0" : "", s->ns ? " ns" : "", mt[s->memtype & 3],
		 s->sh, s->dirty ? " dirty" : "");
}

/* ---- runs: merged descriptions of translations over a range ---- */

struct run {
	u64 first, last, pa;
	struct sem s;
};

struct runs {
	struct run *r;
	int n, cap;
	const struct runctx *c;
	u64 first, last;
};

static void runs_add(struct runs *rs, u64 first, u64 last, u64 pa, const struct sem *s)
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

static void leaf_cb(void *arg, const struct wres *r)
{
	struct runs *rs = arg;
	struct sem s;

	sem_of_wres(rs->c, r, &s);
	if (r->fault) {
		/* a valid-looking descriptor that does not translate */
		u64 size = 1ULL << walker_level_shift(&rs->c->w, r->level);
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
		struct ext *e = &c->sh.e[i];
		struct sem s;

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
			sem_str(&g->s, a, sizeof(a));
		if (w)
			sem_str(&w->s, b, sizeof(b));
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
	struct ext *e = shadow_lookup(&c->sh, iova);
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
	struct sem s = { .dirty = true };
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
		struct ext *e = shadow_lookup(&c->sh, a);
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

static void tlb_leaf_cb(void *arg, const struct wres *r)
{
	struct tlb_watch *t = arg;

	if (r->fault)
		return;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->l = realloc(t->l, t->cap * sizeof(*t->l));
	}
	t->l[t->n++] = (struct tlb_leaf){ r->base, r->size, r->desc, false };
}

void tlb_watch_begin(struct tlb_watch *t, struct runctx *c, u64 first, u64 last,
		     const struct iommu_iotlb_gather *gather)
{
	char err[256];

	memset(t, 0, sizeof(*t));
	t->gather = gather;
	t->leaves = gather && !gather->queued;
	first = max(first, c->in_first);
	last = min(last, c->in_last);
	if (t->leaves && first <= last &&
	    walker_enum(&c->w, VIEW_DEV, first, last, tlb_leaf_cb, NULL, t,
			err, sizeof(err)))
		model_fail(CAT_ORDER, "walker cannot follow the device view: %s", err);
	M.watch = t;
}

/* Has @l left the device view (or changed)? */
static bool tlb_leaf_gone(const struct tlb_leaf *l)
{
	struct wres r;

	walker_walk(M.w, VIEW_DEV, l->base, &r);
	return r.fault || r.base != l->base || r.size != l->size ||
	       r.desc != l->desc;
}

/* The leaf holding @iova, from the sorted list, or NULL */
static struct tlb_leaf *tlb_leaf_at(struct tlb_watch *t, u64 iova)
{
	int lo = 0, hi = t->n - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		struct tlb_leaf *l = &t->l[mid];

		if (iova < l->base)
			hi = mid - 1;
		else if (iova - l->base >= l->size)
			lo = mid + 1;
		else
			return l;
	}
	return NULL;
}

void tlb_watch_note(struct tlb_watch *t, enum inv_kind kind, u64 iova,
		    u64 granule, const struct iommu_iotlb_gather *gather)
{
	struct tlb_leaf *l;
	int i;

	switch (kind) {
	case INV_ALL:
		for (i = 0; i < t->n; i++)
			if (!t->l[i].done && tlb_leaf_gone(&t->l[i]))
				t->l[i].done = true;
		break;
	case INV_PAGE:
		l = tlb_leaf_at(t, iova);
		if (l && !l->done && l->size == granule && gather == t->gather &&
		    tlb_leaf_gone(l))
			l->done = true;
		break;
	case INV_WALK:
		break;
	}
}

void tlb_watch_end(struct tlb_watch *t, const char *what)
{
	u64 phys, iova;
	int i, lvl;

	M.watch = NULL;
	for (i = 0; i < t->n; i++) {
		struct tlb_leaf l = t->l[i];

		if (!l.done && !tlb_leaf_gone(&l))
			continue;	/* kept */
		tlb_leaves_checked++;
		if (l.done)
			continue;
		free(t->l);
		model_fail(CAT_FREE,
			   "%s: leaf %#llx+%#llx left the device view without an invalidation after it (tlb_add_page of its size with the caller's gather, or tlb_flush_all)",
			   what, (unsigned long long)l.base,
			   (unsigned long long)l.size);
	}
	free(t->l);
	t->l = NULL;
	if (model_unflushed_table(&phys, &lvl, &iova))
		model_fail(CAT_FREE,
			   "%s: table %#llx (level %d, iova %#llx) unlinked and not invalidated when the call returned",
			   what, (unsigned long long)phys, lvl,
			   (unsigned long long)iova);
}
