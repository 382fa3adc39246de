// SPDX-License-Identifier: GPL-2.0
/*
 * Memory and DMA model for the io-pgtable harness.
 *
 * Table memory lives in an arena standing in for physical memory. The CPU
 * view is the arena itself; the device view (memory at the point of
 * coherency) is kept separately, per 64-byte line, and only dma_map_single()
 * and dma_sync_single_for_device() move lines into it. In bounce mode each
 * mapping gets its own copy, like SWIOTLB, updated byte-exactly on map and
 * sync. Every update of the device view is inspected: when a table
 * descriptor appears in a reachable table, the table it points to must
 * already be fully visible; when one disappears, the subtree becomes
 * unreachable and waits for a walk-cache flush before it may be freed.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

/* without ASan, these evaluate their arguments and do nothing */
#include <sanitizer/asan_interface.h>
#define POISON(p, n)	ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION(p, n)

#define ARENA_PAGES	(ARENA_SIZE >> PAGE_SHIFT)
#define BOUNCE_UNITS	(BOUNCE_SIZE / LINE_SIZE)
#define SW_BITS		GENMASK_ULL(58, 55)

struct dma_rec;

struct alloc_rec {
	u64 phys;
	size_t size;
	u8 *va;
	int order;
	bool live, custom;
	struct dma_rec *map;
	struct alloc_rec *next_all;

	/* walker-visible state */
	bool reachable, ever_linked, flush_pending;
	int level;
	u64 iova_base, span, unlink_seq;
	bool seen;
};

struct dma_rec {
	u64 dma, phys;
	size_t size;
	bool live;
	u64 bounce_off;
	struct alloc_rec *rec;
	struct dma_rec *next;
};

struct kmem_hdr {
	struct kmem_hdr *next, *prev;
	size_t size;
	bool kv;
	u64 magic;
};

struct model M;
static struct device_dma_parameters harness_dma_parms;
struct device harness_dev = {
	.name = "sim-smmu", .numa_node = 0, .dma_parms = &harness_dma_parms,
};

static u8 *arena;
static u8 *devmem;
static u8 *bounce;
static struct alloc_rec *page_owner[ARENA_PAGES];
static struct dma_rec *bounce_owner[BOUNCE_UNITS];
static struct alloc_rec *all_recs;
static struct dma_rec *all_maps;
static struct kmem_hdr kmem_list = { &kmem_list, &kmem_list };
static unsigned long kmem_live;
static u64 rng_state = 1;

/* threads: one lock around every hook (recursive: hooks nest) */
static bool mt_on;
static pthread_mutex_t mt_lock;

#ifdef __SANITIZE_THREAD__
/*
 * The model's reads of table memory are the walker's (hardware) reads, and
 * are ordered by the descriptor the CPU wrote last, which TSan cannot see:
 * inside the hooks, reads are not reported. Writes still are, so the model
 * poisoning a page that another thread still reads is caught.
 *
 * AnnotateIgnoreReadsBegin()/End() are the TSan runtime's dynamic
 * annotations; no header declares them, so they are declared here by their
 * symbol names.
 */
void tsan_ignore_reads_begin(const char *file, int line)
	__asm__("AnnotateIgnoreReadsBegin");
void tsan_ignore_reads_end(const char *file, int line)
	__asm__("AnnotateIgnoreReadsEnd");
#define TSAN_IGNORE_READS_BEGIN()	tsan_ignore_reads_begin(__FILE__, __LINE__)
#define TSAN_IGNORE_READS_END()		tsan_ignore_reads_end(__FILE__, __LINE__)
#else
#define TSAN_IGNORE_READS_BEGIN()	do { } while (0)
#define TSAN_IGNORE_READS_END()		do { } while (0)
#endif

static void mt_enter(void)
{
	if (mt_on) {
		pthread_mutex_lock(&mt_lock);
		TSAN_IGNORE_READS_BEGIN();
	}
}

static void mt_leave(void)
{
	if (mt_on) {
		TSAN_IGNORE_READS_END();
		pthread_mutex_unlock(&mt_lock);
	}
}

void model_set_threaded(bool on)
{
	static bool init;

	if (!init) {
		pthread_mutexattr_t a;

		pthread_mutexattr_init(&a);
		pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
		pthread_mutex_init(&mt_lock, &a);
		pthread_mutexattr_destroy(&a);
		init = true;
	}
	mt_on = on;
}

/* pending delayed sync (CTL_DELAY_SYNC) */
static bool delay_pending;
static dma_addr_t delay_dma;
static size_t delay_size;

const char *const mode_names[NR_MODES] = {
	"coherent", "noncoherent", "dma-offset", "dma-bounce",
};

const char *const control_names[NR_CONTROLS] = {
	"none", "drop-sync", "wrong-line", "delay-sync",
};

const char *const cat_names[NR_CATS] = {
	"alloc", "xlate", "order", "free", "leak", "strict", "fault", "dirty",
};

static u64 model_rand(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

void model_fail(int cat, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(M.fail_msg, sizeof(M.fail_msg), fmt, ap);
	va_end(ap);
	M.fail_cat = cat;
	M.watch = NULL;		/* it lives in the frame being abandoned */
	if (M.fail_hook)
		M.fail_hook();
	if (!M.fail_jmp) {
		fprintf(stderr, "model failure outside a run: %s\n", M.fail_msg);
		abort();
	}
	longjmp(*M.fail_jmp, 1);
}

void shim_warn(const char *file, int line, const char *cond)
{
	mt_enter();
	M.st.warns++;
	if (!M.quiet)
		fprintf(stderr, "WARN: %s:%d: %s\n", file, line, cond);
	mt_leave();
}

void shim_cond_wait(const char *file, int line, const char *cond,
		    unsigned long spins)
{
	static __thread struct timespec t0;
	struct timespec t;

	if (!mt_on)
		shim_bug(file, line, "cond_load would wait forever (single-threaded)");
	if (!spins)
		clock_gettime(CLOCK_MONOTONIC, &t0);
	sched_yield();
	if (spins % 1024 != 1023)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (t.tv_sec - t0.tv_sec > 20)
		model_fail(CAT_ORDER, "%s:%d: waited 20 s for %s", file, line, cond);
}

void shim_bug(const char *file, int line, const char *cond)
{
	model_fail(CAT_XLATE, "BUG at %s:%d: %s", file, line, cond);
}

void shim_printk(int level, const char *fmt, ...)
{
	va_list ap;

	if (M.quiet)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "<%d>", level);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

int shim_dev_to_node(struct device *dev)
{
	return dev ? dev->numa_node : NUMA_NO_NODE;
}

/* ---- simulated physical memory ---- */

static bool arena_contains(const void *p)
{
	return (const u8 *)p >= arena && (const u8 *)p < arena + ARENA_SIZE;
}

u64 shim_virt_to_phys(const void *va)
{
	if (!arena_contains(va))
		model_fail(CAT_ORDER, "virt_to_phys(%p): not table memory", va);
	return PHYS_BASE + ((const u8 *)va - arena);
}

void *shim_phys_to_virt(u64 pa)
{
	if (pa < PHYS_BASE || pa >= PHYS_BASE + ARENA_SIZE)
		model_fail(CAT_ORDER,
			   "phys_to_virt(%#llx): not a physical address of table memory (a DMA address?)",
			   (unsigned long long)pa);
	return arena + (pa - PHYS_BASE);
}

static struct alloc_rec *rec_of_phys(u64 pa)
{
	if (pa < PHYS_BASE || pa >= PHYS_BASE + ARENA_SIZE)
		return NULL;
	return page_owner[(pa - PHYS_BASE) >> PAGE_SHIFT];
}

static bool inject_alloc(void)
{
	M.alloc_calls++;
	if ((M.fail_alloc_at && M.alloc_calls == M.fail_alloc_at) ||
	    (M.fail_alloc_every && M.alloc_calls % M.fail_alloc_every == 0)) {
		M.injected = true;
		M.injections++;
		return true;
	}
	return false;
}

static void run_hook(void)
{
	if (M.hook)
		M.hook(M.hook_arg);
}

static void log_inv(enum inv_kind kind, u64 iova, u64 granule,
		    const struct iommu_iotlb_gather *gather)
{
	if (M.watch)
		tlb_watch_note(M.watch, kind, iova, granule, gather);
}

static void *page_alloc(int order, bool custom)
{
	unsigned long n = 1UL << order, start, i, j;
	struct alloc_rec *rec;

	run_hook();
	if (inject_alloc())
		return NULL;
	if (order < 0 || n > ARENA_PAGES)
		return NULL;
	start = (model_rand() % (ARENA_PAGES / n)) * n;
	for (i = 0; i < ARENA_PAGES / n; i++) {
		unsigned long p = (start + i * n) % ARENA_PAGES;

		for (j = 0; j < n; j++)
			if (page_owner[p + j])
				break;
		if (j < n)
			continue;
		rec = calloc(1, sizeof(*rec));
		rec->phys = PHYS_BASE + (p << PAGE_SHIFT);
		rec->size = n << PAGE_SHIFT;
		rec->va = arena + (p << PAGE_SHIFT);
		rec->order = order;
		rec->live = true;
		rec->custom = custom;
		rec->level = -1;
		rec->next_all = all_recs;
		all_recs = rec;
		for (j = 0; j < n; j++)
			page_owner[p + j] = rec;
		UNPOISON(rec->va, rec->size);
		memset(rec->va, 0, rec->size);
		/* stale, non-zero junk at the point of coherency */
		memset(devmem + (rec->phys - PHYS_BASE), 0xa5, rec->size);
		M.st.allocs++;
		return rec->va;
	}
	return NULL;
}

static void check_release(struct alloc_rec *rec, const char *what)
{
	if (M.no_reach)
		return;
	if (M.mode == MODE_COHERENT && M.live)
		model_coherent_scan();
	if (rec->reachable)
		model_fail(CAT_FREE,
			   "%s of table %#llx (level %d, iova %#llx) still reachable by the walker",
			   what, (unsigned long long)rec->phys, rec->level,
			   (unsigned long long)rec->iova_base);
	if (rec->flush_pending)
		model_fail(CAT_FREE,
			   "%s of table %#llx (level %d, iova %#llx+%#llx) before the walk cache was invalidated for it",
			   what, (unsigned long long)rec->phys, rec->level,
			   (unsigned long long)rec->iova_base,
			   (unsigned long long)rec->span);
}

static void page_free(void *va, size_t size, bool custom)
{
	struct alloc_rec *rec;
	unsigned long p, j;

	if (!arena_contains(va))
		model_fail(CAT_ORDER, "freeing %p: not table memory", va);
	p = ((u8 *)va - arena) >> PAGE_SHIFT;
	rec = page_owner[p];
	if (!rec || !rec->live || rec->va != va)
		model_fail(CAT_FREE, "freeing %p: not the start of a live allocation", va);
	if (rec->size != size)
		model_fail(CAT_FREE, "freeing %p with size %zu, allocated %zu",
			   va, size, rec->size);
	if (rec->custom != custom)
		model_fail(CAT_FREE, "freeing %p through the wrong allocator", va);
	if (rec->map)
		model_fail(CAT_FREE, "freeing table %#llx while it is still DMA-mapped",
			   (unsigned long long)rec->phys);
	check_release(rec, "free");
	rec->live = false;
	for (j = 0; j < (rec->size >> PAGE_SHIFT); j++)
		page_owner[p + j] = NULL;
	memset(va, 0x6b, rec->size);
	POISON(va, rec->size);
	M.st.frees++;
}

static void *__shim_page_alloc(int nid, gfp_t gfp, int order)
{
	if (gfp & __GFP_HIGHMEM)
		model_fail(CAT_ORDER, "table allocation with __GFP_HIGHMEM");
	return page_alloc(order, false);
}

/*
 * Threaded rounds: a table allocation waits at the gate until every racer
 * has come to allocate (or two seconds passed), so nobody links a table
 * before the others have read the entry empty: every round loses claims,
 * on any host load, not by chance.
 */
static int gate_racers;		/* 0: the gate is open */
static int gate_arrived;

void model_alloc_gate(int racers)
{
	__atomic_store_n(&gate_arrived, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&gate_racers, racers, __ATOMIC_RELEASE);
}

static void alloc_gate_wait(void)
{
	int racers = __atomic_load_n(&gate_racers, __ATOMIC_ACQUIRE);
	time_t deadline = time(NULL) + 2;

	if (!racers)
		return;
	__atomic_add_fetch(&gate_arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&gate_arrived, __ATOMIC_ACQUIRE) < racers &&
	       time(NULL) < deadline)
		sched_yield();
}

void *shim_page_alloc(int nid, gfp_t gfp, int order)
{
	void *r;

	alloc_gate_wait();
	mt_enter();
	r = __shim_page_alloc(nid, gfp, order);
	mt_leave();
	return r;
}

static void __shim_page_free(void *va, int order)
{
	page_free(va, PAGE_SIZE << order, false);
}

void shim_page_free(void *va, int order)
{
	mt_enter();
	__shim_page_free(va, order);
	mt_leave();
}

static void *__model_custom_alloc(void *cookie, size_t size, gfp_t gfp)
{
	return page_alloc(get_order(size), true);
}

void *model_custom_alloc(void *cookie, size_t size, gfp_t gfp)
{
	void *r;

	alloc_gate_wait();
	mt_enter();
	r = __model_custom_alloc(cookie, size, gfp);
	mt_leave();
	return r;
}

static void __model_custom_free(void *cookie, void *pages, size_t size)
{
	page_free(pages, PAGE_SIZE << get_order(size), true);
}

void model_custom_free(void *cookie, void *pages, size_t size)
{
	mt_enter();
	__model_custom_free(cookie, pages, size);
	mt_leave();
}

static void *__shim_kmalloc(size_t size, gfp_t gfp, bool zero, bool kv)
{
	struct kmem_hdr *h;

	/*
	 * Fragmented memory: above a page only an allocation that may sleep
	 * succeeds (kvmalloc() has no vmalloc fallback without it, and an
	 * order > 0 GFP_ATOMIC kmalloc() fails), as dma-iommu's maps see it.
	 */
	if (size > PAGE_SIZE && !(gfp & __GFP_DIRECT_RECLAIM))
		return NULL;
	if (inject_alloc())
		return NULL;
	h = malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	h->size = size;
	h->kv = kv;
	h->magic = 0x6b6d656d;
	h->next = kmem_list.next;
	h->prev = &kmem_list;
	kmem_list.next->prev = h;
	kmem_list.next = h;
	kmem_live++;
	M.st.kmallocs++;
	if (zero)
		memset(h + 1, 0, size);
	else
		memset(h + 1, 0x5a, size);
	return h + 1;
}

void *shim_kmalloc(size_t size, gfp_t gfp, bool zero, bool kv)
{
	void *r;

	mt_enter();
	r = __shim_kmalloc(size, gfp, zero, kv);
	mt_leave();
	return r;
}

static void __shim_kfree(const void *p, bool kv)
{
	struct kmem_hdr *h;

	if (!p)
		return;
	if (arena_contains(p))
		model_fail(CAT_FREE, "kfree() of table memory %p", p);
	h = (struct kmem_hdr *)p - 1;
	if (h->magic != 0x6b6d656d)
		model_fail(CAT_FREE, "kfree() of %p: not from kmalloc", p);
	if (h->kv && !kv)
		model_fail(CAT_FREE, "kfree() of kvmalloc memory %p", p);
	h->magic = 0;
	h->prev->next = h->next;
	h->next->prev = h->prev;
	kmem_live--;
	free(h);
}

void shim_kfree(const void *p, bool kv)
{
	mt_enter();
	__shim_kfree(p, kv);
	mt_leave();
}

/* ---- DMA mappings and the device view ---- */

static struct dma_rec *map_of_dma(u64 dma, u64 len)
{
	struct dma_rec *m = NULL;

	if (M.mode == MODE_BOUNCE) {
		if (dma < BOUNCE_BASE || dma >= BOUNCE_BASE + BOUNCE_SIZE)
			return NULL;
		m = bounce_owner[(dma - BOUNCE_BASE) / LINE_SIZE];
	} else {
		u64 pa = M.mode == MODE_OFFSET ? dma + DMA_DELTA : dma;
		struct alloc_rec *rec = rec_of_phys(pa);

		if (rec && rec->live)
			m = rec->map;
	}
	if (!m || !m->live || dma < m->dma || dma + len > m->dma + m->size)
		return NULL;
	return m;
}

/* Device storage for offset @off of mapping @m. */
static u8 *dev_store(struct dma_rec *m, u64 off)
{
	if (M.mode == MODE_BOUNCE)
		return bounce + m->bounce_off + off;
	return devmem + (m->phys - PHYS_BASE) + off;
}

static u64 rd64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

/*
 * The CPU view may be written by other threads while the model reads it (a
 * cache line cleaned while the CPU writes a neighbouring entry): read it with
 * relaxed atomics, as the hardware would, per naturally aligned word.
 */
static u64 rd64_cpu(const u8 *p)
{
	if (!((uintptr_t)p & 7))
		return __atomic_load_n((const u64 *)p, __ATOMIC_RELAXED);
	return rd64(p);
}

static void copy_from_cpu(u8 *dst, const u8 *src, u64 len)
{
	while (len && ((uintptr_t)src & 7)) {
		*dst++ = __atomic_load_n(src++, __ATOMIC_RELAXED);
		len--;
	}
	for (; len >= 8; len -= 8, src += 8, dst += 8) {
		u64 v = __atomic_load_n((const u64 *)src, __ATOMIC_RELAXED);

		memcpy(dst, &v, 8);
	}
	while (len--)
		*dst++ = __atomic_load_n(src++, __ATOMIC_RELAXED);
}

static void link_table(u64 addr, int lvl, u64 iova_base, const char *how);
static void unlink_table(struct alloc_rec *rec);

/* Address the walker uses for a table -> its allocation record. */
static struct alloc_rec *rec_of_table_addr(u64 addr, struct dma_rec **mp)
{
	struct dma_rec *m;

	*mp = NULL;
	if (M.mode == MODE_COHERENT) {
		struct alloc_rec *rec = rec_of_phys(addr + M.coherent_delta);

		return rec && rec->live ? rec : NULL;
	}
	m = map_of_dma(addr, 8);
	if (!m)
		return NULL;
	*mp = m;
	return m->rec;
}

/*
 * Move [off, off + len) of mapping @m from the CPU view to the device view
 * and account for any descriptor that changes in a reachable table.
 */
static void dev_update(struct dma_rec *m, u64 off, u64 len)
{
	struct alloc_rec *rec = m->rec;
	u64 w0 = off & ~7ULL, w1 = (off + len + 7) & ~7ULL, i;
	u64 *old = NULL;
	int n = (w1 - w0) / 8;

	if (rec->reachable && !M.no_reach) {
		old = malloc(n * sizeof(u64));
		for (i = 0; i < (u64)n; i++)
			old[i] = rd64(dev_store(m, w0 + i * 8));
	}
	copy_from_cpu(dev_store(m, off), rec->va + (m->phys - rec->phys) + off, len);
	if (!old)
		return;
	for (i = 0; i < (u64)n; i++) {
		u64 nv = rd64(dev_store(m, w0 + i * 8)), ov = old[i];
		u64 idx = (m->phys - rec->phys + w0) / 8 + i, onext, nnext;
		bool ot, nt;
		u64 span = 1ULL << lpae_geom_level_shift(M.w, rec->level);

		if (nv == ov)
			continue;
		ot = lpae_desc_is_table(M.w, ov, rec->level, &onext);
		nt = lpae_desc_is_table(M.w, nv, rec->level, &nnext);
		if (ot && nt && onext == nnext)
			continue;
		if (ot) {
			struct dma_rec *cm;
			struct alloc_rec *child = rec_of_table_addr(onext, &cm);

			if (child && child->reachable)
				unlink_table(child);
		}
		if (nt)
			link_table(nnext, rec->level + 1,
				   rec->iova_base + idx * span, "descriptor");
	}
	free(old);
}

static void do_sync(dma_addr_t dma, size_t size, bool exact)
{
	struct dma_rec *m = map_of_dma(dma, size);
	u64 off, end;

	if (!m)
		model_fail(CAT_ORDER,
			   "dma_sync_single_for_device(%#llx, %zu): not inside a live mapping",
			   (unsigned long long)dma, size);
	off = dma - m->dma;
	end = off + size;
	if (!exact) {
		/* cache maintenance works on whole lines */
		u64 base = (m->phys & (LINE_SIZE - 1));

		off = ((off + base) & ~(u64)(LINE_SIZE - 1)) - base;
		end = ((end + base + LINE_SIZE - 1) & ~(u64)(LINE_SIZE - 1)) - base;
		if ((s64)off < 0)
			off = 0;
		if (end > m->size)
			end = m->size;
	}
	dev_update(m, off, end - off);
}

static dma_addr_t __shim_dma_map_single(struct device *dev, void *va, size_t size, int dir)
{
	struct alloc_rec *rec;
	struct dma_rec *m;
	u64 pa;

	M.map_calls++;
	if ((M.fail_map_at && M.map_calls == M.fail_map_at) ||
	    (M.fail_map_every && M.map_calls % M.fail_map_every == 0)) {
		M.injected = true;
		M.injections++;
		return DMA_MAPPING_ERROR;
	}
	if (dev != &harness_dev)
		model_fail(CAT_ORDER, "dma_map_single() with a device that is not cfg->iommu_dev");
	if (dir != DMA_TO_DEVICE && dir != DMA_BIDIRECTIONAL)
		model_fail(CAT_ORDER, "dma_map_single() of a table with direction %d", dir);
	if (!arena_contains(va) || !size)
		model_fail(CAT_ORDER, "dma_map_single(%p, %zu): not table memory", va, size);
	pa = PHYS_BASE + ((u8 *)va - arena);
	rec = rec_of_phys(pa);
	if (!rec || !rec->live || pa + size > rec->phys + rec->size)
		model_fail(CAT_ORDER, "dma_map_single(%p, %zu): not inside one live allocation",
			   va, size);
	if (rec->map)
		model_fail(CAT_ORDER, "dma_map_single(%p): table already mapped", va);
	m = calloc(1, sizeof(*m));
	m->phys = pa;
	m->size = size;
	m->rec = rec;
	m->live = true;
	m->next = all_maps;
	all_maps = m;
	switch (M.mode) {
	case MODE_OFFSET:
		m->dma = pa - DMA_DELTA;
		break;
	case MODE_BOUNCE: {
		/*
		 * Like SWIOTLB: 2K slots, a page-aligned start for a mapping
		 * of a page or more, unless the device's min_align_mask asks
		 * for the address bits it covers to be kept instead.
		 */
		u64 mask = dma_get_min_align_mask(dev);
		u64 units = DIV_ROUND_UP(size, LINE_SIZE), s, u;
		u64 align = (mask ? max_t(u64, (mask | 2047) + 1, 2048) :
			     size >= 4096 ? 4096 : 2048) / LINE_SIZE;
		u64 keep = (pa & mask) / LINE_SIZE;

		for (s = (model_rand() % (BOUNCE_UNITS / align)) * align, u = 0;
		     u < BOUNCE_UNITS / align; u++, s = (s + align) % BOUNCE_UNITS) {
			u64 k;

			if (s + keep + units > BOUNCE_UNITS)
				continue;
			for (k = 0; k < units; k++)
				if (bounce_owner[s + keep + k])
					break;
			if (k == units)
				break;
		}
		s += keep;
		if (u == BOUNCE_UNITS / align)
			model_fail(CAT_LEAK, "bounce pool exhausted");
		for (u = 0; u < units; u++)
			bounce_owner[s + u] = m;
		m->bounce_off = s * LINE_SIZE;
		m->dma = BOUNCE_BASE + m->bounce_off;
		memset(bounce + m->bounce_off, 0xa5, units * LINE_SIZE);
		break;
	}
	default:
		m->dma = pa;
		break;
	}
	rec->map = m;
	M.st.maps++;
	/* mapping cleans the buffer to the point of coherency / bounces it */
	if (M.mode == MODE_BOUNCE) {
		dev_update(m, 0, size);
	} else {
		u64 end = ALIGN((pa & (LINE_SIZE - 1)) + size, (u64)LINE_SIZE);

		m->size = size;
		dev_update(m, 0, min_t(u64, end - (pa & (LINE_SIZE - 1)), size));
		if (end - (pa & (LINE_SIZE - 1)) > size) {
			/* line tail beyond the buffer: clean it too */
			copy_from_cpu(devmem + (pa - PHYS_BASE) + size, (u8 *)va + size,
				      end - (pa & (LINE_SIZE - 1)) - size);
		}
	}
	return m->dma;
}

dma_addr_t shim_dma_map_single(struct device *dev, void *va, size_t size, int dir)
{
	dma_addr_t r;

	mt_enter();
	r = __shim_dma_map_single(dev, va, size, dir);
	mt_leave();
	return r;
}

static void flush_delayed(void)
{
	if (delay_pending) {
		delay_pending = false;
		do_sync(delay_dma, delay_size, M.mode == MODE_BOUNCE);
	}
}

static void __shim_dma_unmap_single(struct device *dev, dma_addr_t dma, size_t size, int dir)
{
	struct dma_rec *m;
	u64 u;

	flush_delayed();
	m = map_of_dma(dma, size);
	if (!m || m->dma != dma || m->size != size)
		model_fail(CAT_ORDER, "dma_unmap_single(%#llx, %zu): no such mapping",
			   (unsigned long long)dma, size);
	check_release(m->rec, "dma_unmap");
	m->live = false;
	m->rec->map = NULL;
	if (M.mode == MODE_BOUNCE) {
		for (u = 0; u < DIV_ROUND_UP(size, LINE_SIZE); u++)
			bounce_owner[m->bounce_off / LINE_SIZE + u] = NULL;
		memset(bounce + m->bounce_off, 0xdb, size);
	}
	M.st.unmaps++;
}

void shim_dma_unmap_single(struct device *dev, dma_addr_t dma, size_t size, int dir)
{
	mt_enter();
	__shim_dma_unmap_single(dev, dma, size, dir);
	mt_leave();
}

static void __shim_dma_sync_for_device(struct device *dev, dma_addr_t dma, size_t size, int dir)
{
	bool exact = M.mode == MODE_BOUNCE;

	M.st.syncs++;
	if (dev != &harness_dev)
		model_fail(CAT_ORDER,
			   "dma_sync_single_for_device() with a device that is not cfg->iommu_dev");
	switch (M.control) {
	case CTL_DROP_SYNC:
		if (M.st.syncs % M.control_n == 0)
			return;
		break;
	case CTL_WRONG_LINE:
		if (M.st.syncs % M.control_n == 0) {
			struct dma_rec *m = map_of_dma(dma, size);

			if (m && dma + size + LINE_SIZE <= m->dma + m->size)
				dma += LINE_SIZE;
			else if (m && dma >= m->dma + LINE_SIZE)
				dma -= LINE_SIZE;
		}
		break;
	case CTL_DELAY_SYNC:
		if (!delay_pending) {
			delay_pending = true;
			delay_dma = dma;
			delay_size = size;
			return;
		}
		do_sync(dma, size, exact);
		flush_delayed();
		return;
	default:
		break;
	}
	do_sync(dma, size, exact);
}

void shim_dma_sync_for_device(struct device *dev, dma_addr_t dma, size_t size, int dir)
{
	mt_enter();
	__shim_dma_sync_for_device(dev, dma, size, dir);
	mt_leave();
}

void shim_dma_sync_for_cpu(struct device *dev, dma_addr_t dma, size_t size, int dir)
{
}

/* ---- reachability: what the walker can reach from the root ---- */

static u64 table_size_at(int lvl)
{
	if (lvl == M.w->start_level)
		return M.w->root_entries * 8;
	return 1ULL << M.w->gshift;
}

static void link_table(u64 addr, int lvl, u64 iova_base, const char *how)
{
	struct dma_rec *m;
	struct alloc_rec *rec = rec_of_table_addr(addr, &m);
	u64 size = table_size_at(lvl), i, off;

	if (!rec)
		model_fail(CAT_ORDER,
			   "%s publishes table %#llx (level %d, iova %#llx): not a live, mapped table",
			   how, (unsigned long long)addr, lvl,
			   (unsigned long long)iova_base);
	if (addr & (max_t(u64, size, 64) - 1))
		model_fail(CAT_ORDER, "%s publishes table %#llx at level %d not aligned to %#llx",
			   how, (unsigned long long)addr, lvl,
			   (unsigned long long)max_t(u64, size, 64));
	if (rec->reachable)
		model_fail(CAT_ORDER,
			   "%s publishes table %#llx at level %d, iova %#llx: already reachable at level %d, iova %#llx",
			   how, (unsigned long long)addr, lvl,
			   (unsigned long long)iova_base, rec->level,
			   (unsigned long long)rec->iova_base);
	off = m ? addr - m->dma : addr + M.coherent_delta - rec->phys;
	/* a table may be mapped short of its architectural size (Mali) */
	if (m && off + size > m->size)
		size = m->size - off;
	if (!m && off + size > rec->size)
		model_fail(CAT_ORDER, "table %#llx at level %d extends beyond its allocation",
			   (unsigned long long)addr, lvl);
	for (i = 0; m && i < size / 8; i++) {
		u64 dv = rd64(dev_store(m, off + i * 8));
		u64 cv = rd64_cpu(rec->va + (m->phys - rec->phys) + off + i * 8);

		if ((dv & ~SW_BITS) != (cv & ~SW_BITS))
			model_fail(CAT_ORDER,
				   "%s publishes table %#llx (level %d, iova %#llx) before it is fully visible: entry %llu device %#llx cpu %#llx",
				   how, (unsigned long long)addr, lvl,
				   (unsigned long long)iova_base,
				   (unsigned long long)i, (unsigned long long)dv,
				   (unsigned long long)cv);
	}
	rec->reachable = true;
	rec->ever_linked = true;
	rec->flush_pending = false;
	rec->level = lvl;
	rec->iova_base = iova_base;
	rec->span = lvl == M.w->start_level ? ~0ULL :
		    1ULL << lpae_geom_level_shift(M.w, lvl - 1);
	M.st.links++;
	if (M.mode == MODE_COHERENT)
		return;
	/* an already populated subtree becomes reachable with it */
	for (i = 0; i < size / 8; i++) {
		u64 d = rd64(dev_store(m, off + i * 8)), next;

		if (lpae_desc_is_table(M.w, d, lvl, &next))
			link_table(next, lvl + 1,
				   iova_base + i * (1ULL << lpae_geom_level_shift(M.w, lvl)),
				   how);
	}
}

static void unlink_table(struct alloc_rec *rec)
{
	struct dma_rec *m = rec->map;
	u64 i, size = table_size_at(rec->level);

	if (m && size > m->size)
		size = m->size;

	rec->reachable = false;
	rec->flush_pending = true;
	rec->unlink_seq = ++M.seq;
	M.st.unlinks++;
	if (!m)
		return;
	for (i = 0; i < size / 8; i++) {
		u64 d = rd64(dev_store(m, i * 8)), next;
		struct dma_rec *cm;
		struct alloc_rec *child;

		if (!lpae_desc_is_table(M.w, d, rec->level, &next))
			continue;
		child = rec_of_table_addr(next, &cm);
		if (child && child->reachable)
			unlink_table(child);
	}
}

void model_publish_root(void)
{
	if (M.mode == MODE_COHERENT) {
		model_coherent_scan();
		return;
	}
	link_table(M.w->root, M.w->start_level, lpae_geom_base(M.w),
		   "TTBR");
}

static void scan_table_cb(void *arg, u64 table, int lvl, u64 iova_base)
{
	struct dma_rec *m;
	struct alloc_rec *rec = rec_of_table_addr(table, &m);

	if (!rec)
		return;
	if (!rec->reachable) {
		rec->ever_linked = true;
		M.st.links++;
	}
	rec->seen = true;
	rec->reachable = true;
	rec->flush_pending = false;
	rec->level = lvl;
	rec->iova_base = iova_base;
	rec->span = lvl == M.w->start_level ? ~0ULL :
		    1ULL << lpae_geom_level_shift(M.w, lvl - 1);
}

/* Coherent walker: observe reachability by walking the CPU view. */
void model_coherent_scan(void)
{
	struct alloc_rec *rec;
	char err[256];

	if (!M.live || M.no_reach)
		return;
	for (rec = all_recs; rec; rec = rec->next_all)
		rec->seen = false;
	if (walker_enum(M.w, VIEW_CPU, 0, ~0ULL, NULL, scan_table_cb, NULL,
			err, sizeof(err)))
		model_fail(CAT_XLATE, "walk of the tables failed: %s", err);
	for (rec = all_recs; rec; rec = rec->next_all) {
		if (rec->reachable && !rec->seen) {
			rec->reachable = false;
			rec->flush_pending = true;
			rec->unlink_seq = ++M.seq;
			M.st.unlinks++;
		}
	}
}

void model_detach(void)
{
	struct alloc_rec *rec;

	flush_delayed();
	if (M.mode == MODE_COHERENT)
		model_coherent_scan();
	for (rec = all_recs; rec; rec = rec->next_all) {
		if (rec->live && rec->reachable) {
			rec->reachable = false;
			rec->flush_pending = true;
		}
	}
	M.live = false;
}

static void __model_op_end(void)
{
	flush_delayed();
	if (M.mode == MODE_COHERENT)
		model_coherent_scan();
}

void model_op_end(void)
{
	mt_enter();
	__model_op_end();
	mt_leave();
}

unsigned long model_live_tables(void)
{
	struct alloc_rec *rec;
	unsigned long n = 0;

	for (rec = all_recs; rec; rec = rec->next_all)
		n += rec->live;
	return n;
}

/*
 * A live table unlinked from the walker's view whose walk-cache
 * invalidation is still due: where it was, if there is one.
 */
bool model_unflushed_table(u64 *phys, int *level, u64 *iova)
{
	struct alloc_rec *rec;

	if (M.no_reach)
		return false;
	for (rec = all_recs; rec; rec = rec->next_all) {
		if (rec->live && !rec->reachable && rec->flush_pending) {
			*phys = rec->phys;
			*level = rec->level;
			*iova = rec->iova_base;
			return true;
		}
	}
	return false;
}

/* Walker memory access: read entry @idx of the table at @table. */
int model_read_desc(enum view v, u64 table, u64 table_size, u64 idx,
		    u64 *val, const char **why)
{
	struct dma_rec *m;
	struct alloc_rec *rec = rec_of_table_addr(table, &m);
	u64 off;

	if (!rec) {
		*why = M.mode == MODE_COHERENT ? "table address is not live table memory" :
			"table address is not covered by a live DMA mapping";
		return -1;
	}
	if (table & (max_t(u64, table_size, 64) - 1)) {
		*why = "table address misaligned";
		return -1;
	}
	off = (m ? table - m->dma : table + M.coherent_delta - rec->phys) + idx * 8;
	/* only the entry read needs to be inside the mapping */
	if ((m && off + 8 > m->size) || (!m && off + 8 > rec->size)) {
		*why = "entry lies beyond its table's mapping";
		return -1;
	}
	if (v == VIEW_DEV && m && M.mode != MODE_COHERENT)
		*val = rd64(dev_store(m, off));
	else if (m)
		*val = rd64_cpu(rec->va + (m->phys - rec->phys) + off);
	else
		*val = rd64_cpu(rec->va + off);
	return 0;
}

/* Hardware update of a descriptor (dirty state), coherent walker only. */
void model_write_desc_cpu(u64 table, u64 idx, u64 val)
{
	struct dma_rec *m;
	struct alloc_rec *rec = rec_of_table_addr(table, &m);

	if (!rec || M.mode != MODE_COHERENT)
		model_fail(CAT_DIRTY, "hardware update of a non-coherent table");
	memcpy(rec->va + (table + M.coherent_delta - rec->phys) + idx * 8, &val, 8);
}

/*
 * Threaded runs: after one read of table memory in four, the reader
 * yields, so that another thread's update lands between the read and the
 * store the reader bases on it. A check-then-store that should be a
 * compare-and-exchange then loses a race within a few rounds, not once in
 * thousands (the mutant block-race).
 */
static void race_window(void)
{
	static __thread u32 rnd;

	if (!rnd)
		rnd = (u32)(uintptr_t)&rnd | 1;
	rnd ^= rnd << 13;
	rnd ^= rnd >> 17;
	rnd ^= rnd << 5;
	if (!(rnd & 3))
		sched_yield();
}

void shim_note_read(const void *p)
{
	struct alloc_rec *rec;

	if (!arena_contains(p))
		return;
	if (mt_on)
		race_window();
	if (!M.count_leaf_reads)
		return;
	rec = page_owner[((const u8 *)p - arena) >> PAGE_SHIFT];
	if (rec && rec->live && rec->level == 3)
		M.leaf_reads++;
}

/* Bytes of live table pages, and of live kmalloc()s (the CPU side) */
size_t model_table_bytes(void)
{
	struct alloc_rec *rec;
	size_t n = 0;

	for (rec = all_recs; rec; rec = rec->next_all)
		if (rec->live)
			n += rec->size;
	return n;
}

size_t model_heap_bytes(void)
{
	struct kmem_hdr *h;
	size_t n = 0;

	for (h = kmem_list.next; h != &kmem_list; h = h->next)
		n += h->size;
	return n;
}

dma_addr_t shim_phys_to_dma(struct device *dev, phys_addr_t phys)
{
	return phys - M.coherent_delta;
}

/* SWIOTLB's largest mapping: 128 slots of 2K, less the kept alignment */
size_t shim_dma_max_mapping_size(struct device *dev)
{
	size_t mask = dma_get_min_align_mask(dev);

	if (M.mode != MODE_BOUNCE)
		return SIZE_MAX;
	return 128 * 2048 - (mask ? ALIGN(mask, 2048) : 0);
}

/* ---- TLB callbacks ---- */

static void __tlb_flush_all(void *cookie)
{
	struct alloc_rec *rec;

	if (M.mode == MODE_COHERENT && M.live)
		model_coherent_scan();
	for (rec = all_recs; rec; rec = rec->next_all)
		if (!rec->reachable)
			rec->flush_pending = false;
	M.st.flush_all++;
	M.st.cmds++;
	log_inv(INV_ALL, 0, 0, NULL);
	run_hook();
}

static void tlb_flush_all(void *cookie)
{
	mt_enter();
	__tlb_flush_all(cookie);
	mt_leave();
}

static void __tlb_flush_walk(unsigned long iova, size_t size, size_t granule,
			     void *cookie)
{
	struct alloc_rec *rec;
	u64 last = iova + size - 1;

	if (M.mode == MODE_COHERENT && M.live)
		model_coherent_scan();
	for (rec = all_recs; rec; rec = rec->next_all) {
		u64 rlast = rec->iova_base + rec->span - 1;

		if (rec->reachable || !rec->flush_pending)
			continue;
		if (rec->iova_base >= iova && rlast <= last)
			rec->flush_pending = false;
	}
	M.st.flush_walk++;
	M.st.cmds += granule ? size / granule : 1;
	log_inv(INV_WALK, iova, granule, NULL);
	run_hook();
}

static void tlb_flush_walk(unsigned long iova, size_t size, size_t granule,
			   void *cookie)
{
	mt_enter();
	__tlb_flush_walk(iova, size, granule, cookie);
	mt_leave();
}

static void __tlb_add_page(struct iommu_iotlb_gather *gather, unsigned long iova,
			   size_t granule, void *cookie)
{
	M.st.add_page++;
	M.st.cmds++;
	log_inv(INV_PAGE, iova, granule, gather);
	run_hook();
}

static void tlb_add_page(struct iommu_iotlb_gather *gather, unsigned long iova,
			 size_t granule, void *cookie)
{
	mt_enter();
	__tlb_add_page(gather, iova, granule, cookie);
	mt_leave();
}

const struct iommu_flush_ops harness_flush_ops = {
	.tlb_flush_all	= tlb_flush_all,
	.tlb_flush_walk	= tlb_flush_walk,
	.tlb_add_page	= tlb_add_page,
};

/* ---- lifecycle ---- */

void model_check_leaks(void)
{
	struct alloc_rec *rec;
	struct dma_rec *m;

	for (m = all_maps; m; m = m->next)
		if (m->live)
			model_fail(CAT_LEAK, "DMA mapping %#llx (+%zu) of table %#llx not released",
				   (unsigned long long)m->dma, m->size,
				   (unsigned long long)m->phys);
	for (rec = all_recs; rec; rec = rec->next_all)
		if (rec->live)
			model_fail(CAT_LEAK, "table page %#llx (order %d) not freed",
				   (unsigned long long)rec->phys, rec->order);
	if (kmem_live)
		model_fail(CAT_LEAK, "%lu kmalloc() allocations not freed", kmem_live);
}

void model_init(void)
{
	arena = aligned_alloc(1 << 20, ARENA_SIZE);
	devmem = malloc(ARENA_SIZE);
	bounce = malloc(BOUNCE_SIZE);
	if (!arena || !devmem || !bounce) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memset(arena, 0x6b, ARENA_SIZE);
	POISON(arena, ARENA_SIZE);
}

void model_reset(enum dma_mode mode, enum control ctl, int ctl_n)
{
	struct alloc_rec *rec;
	struct dma_rec *m;
	struct kmem_hdr *h;

	while ((rec = all_recs)) {
		all_recs = rec->next_all;
		if (rec->live) {
			memset(page_owner + ((rec->phys - PHYS_BASE) >> PAGE_SHIFT), 0,
			       sizeof(page_owner[0]) * (rec->size >> PAGE_SHIFT));
			POISON(rec->va, rec->size);
		}
		free(rec);
	}
	while ((m = all_maps)) {
		all_maps = m->next;
		free(m);
	}
	memset(bounce_owner, 0, sizeof(bounce_owner));
	while ((h = kmem_list.next) != &kmem_list) {
		h->prev->next = h->next;
		h->next->prev = h->prev;
		free(h);
	}
	kmem_live = 0;
	delay_pending = false;
	M.mode = mode;
	M.control = ctl;
	M.control_n = ctl_n;
	M.alloc_calls = 0;
	M.map_calls = 0;
	M.fail_alloc_at = 0;
	M.fail_map_at = 0;
	M.fail_alloc_every = 0;
	M.fail_map_every = 0;
	M.injections = 0;
	M.no_reach = false;
	M.injected = false;
	M.live = false;
	M.seq = 0;
	M.hook = NULL;
	M.coherent_delta = 0;
	M.count_leaf_reads = false;
	M.leaf_reads = 0;
	harness_dma_parms.min_align_mask = 0;
	M.watch = NULL;
	memset(&M.st, 0, sizeof(M.st));
}

void model_seed(u64 seed)
{
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 0x1234567;
	if (!rng_state)
		rng_state = 1;
}

/* ---- snapshots, scribbles ---- */

struct snap_blk {
	u64 addr;
	size_t size;
	bool dev;
	u8 *bytes;
};

struct model_snap {
	struct snap_blk *b;
	int n;
	unsigned long kmem_live;
};

static void snap_add(struct model_snap *s, u64 addr, const u8 *p, size_t size,
		     bool dev)
{
	struct snap_blk *b;

	s->b = realloc(s->b, (s->n + 1) * sizeof(*s->b));
	b = &s->b[s->n++];
	b->addr = addr;
	b->size = size;
	b->dev = dev;
	b->bytes = malloc(size);
	copy_from_cpu(b->bytes, p, size);
}

/*
 * Every live table page (CPU view) and every live mapping's device view
 * (memory at the point of coherency, or the bounce copy), in list order.
 */
struct model_snap *model_snap_take(void)
{
	struct model_snap *s = calloc(1, sizeof(*s));
	struct alloc_rec *rec;
	struct dma_rec *m;

	mt_enter();
	for (rec = all_recs; rec; rec = rec->next_all)
		if (rec->live)
			snap_add(s, rec->phys, rec->va, rec->size, false);
	for (m = all_maps; m; m = m->next)
		if (m->live)
			snap_add(s, m->dma, dev_store(m, 0), m->size, true);
	s->kmem_live = kmem_live;
	mt_leave();
	return s;
}

void model_snap_free(struct model_snap *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		free(s->b[i].bytes);
	free(s->b);
	free(s);
}

/* 0 if the tables are byte for byte as in @s, in both views; else say how */
int model_snap_diff(const struct model_snap *s, char *err, size_t errlen)
{
	struct model_snap *now = model_snap_take();
	int i, j, ret = 0;

	if (now->kmem_live != s->kmem_live) {
		snprintf(err, errlen, "%lu kmalloc() allocations live, %lu before",
			 now->kmem_live, s->kmem_live);
		ret = -1;
		goto out;
	}
	for (i = 0; i < now->n || i < s->n; i++) {
		const struct snap_blk *a = i < s->n ? &s->b[i] : NULL;
		const struct snap_blk *b = i < now->n ? &now->b[i] : NULL;

		if (!a || !b || a->addr != b->addr || a->size != b->size ||
		    a->dev != b->dev) {
			const struct snap_blk *x = a ? a : b;

			snprintf(err, errlen, "%s %s %#llx (%zu bytes) %s",
				 x->dev ? "mapping" : "table page",
				 x == a ? "before" : "now",
				 (unsigned long long)x->addr, x->size,
				 x == a ? "is gone or moved" : "is new");
			ret = -1;
			goto out;
		}
		for (j = 0; j + 8 <= (int)a->size; j += 8) {
			if (!memcmp(a->bytes + j, b->bytes + j, 8))
				continue;
			snprintf(err, errlen, "%s view of %#llx entry %d: %#llx, was %#llx",
				 a->dev ? "device" : "CPU",
				 (unsigned long long)a->addr, j / 8,
				 (unsigned long long)rd64(b->bytes + j),
				 (unsigned long long)rd64(a->bytes + j));
			ret = -1;
			goto out;
		}
		if (memcmp(a->bytes, b->bytes, a->size)) {
			snprintf(err, errlen, "%s view of %#llx: tail bytes differ",
				 a->dev ? "device" : "CPU", (unsigned long long)a->addr);
			ret = -1;
			goto out;
		}
	}
out:
	model_snap_free(now);
	return ret;
}

/*
 * Overwrite entry @idx of the table the walker knows as @table: in the device
 * view only (VIEW_DEV: a device write the CPU never sees), or in the table
 * memory itself and, as a write to memory would, in the device view too.
 */
void model_scribble(enum view v, u64 table, u64 idx, u64 val)
{
	struct dma_rec *m;
	struct alloc_rec *rec;
	u64 off;

	mt_enter();
	rec = rec_of_table_addr(table, &m);
	if (!rec)
		model_fail(CAT_XLATE, "scribble: %#llx is not a table",
			   (unsigned long long)table);
	off = (m ? table - m->dma : table + M.coherent_delta - rec->phys) + idx * 8;
	if (m && M.mode != MODE_COHERENT)
		memcpy(dev_store(m, off), &val, 8);
	if (v == VIEW_CPU)
		__atomic_store_n((u64 *)(rec->va + (m ? m->phys - rec->phys : 0) + off),
				 val, __ATOMIC_RELAXED);
	mt_leave();
}

u64 model_unallocated_page(void)
{
	unsigned long p, i;

	mt_enter();
	p = model_rand() % ARENA_PAGES;
	for (i = 0; i < ARENA_PAGES; i++, p = (p + 1) % ARENA_PAGES)
		if (!page_owner[p])
			break;
	mt_leave();
	return PHYS_BASE + ((u64)p << PAGE_SHIFT);
}
