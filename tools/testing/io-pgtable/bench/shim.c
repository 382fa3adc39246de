// SPDX-License-Identifier: GPL-2.0
/*
 * Lean kernel shim for the io-pgtable benchmark: the hooks of ../shim/ with
 * no checking, so that timing measures the code under test.
 *
 *  - table pages come from one arena, buddy-aligned, with a fixed
 *    virt <-> phys offset (dma == phys, as on a machine without an offset);
 *  - the streaming DMA API only counts: sync calls and the 64-byte lines
 *    that dma_map_single() and dma_sync_single_for_device() clean;
 *  - in accounting mode every mapped table has a shadow of what the walker
 *    last saw, so that the end of an operation can tell which lines really
 *    changed: the minimum against which the counts are reported.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"

#define ARENA_BYTES	BIT_ULL(30)
#define ARENA_PHYS	0x80000000ULL
#define MAX_ORDER	8

static u8 *arena;
static u64 arena_top;				/* bump pointer, bytes */
static void *free_list[MAX_ORDER + 1];		/* freed blocks per order */

struct bench_counts BC;

/* accounting: one shadow per mapped table, indexed by 4K frame */
struct acct_tbl {
	u64 phys;
	size_t size;
	u8 *shadow;
	bool fresh;		/* mapped during the current operation */
	bool touched;		/* synced during the current operation */
	struct acct_tbl *next_touched;
};

static bool acct_on;
static struct acct_tbl **acct_frame;
static struct acct_tbl *touched;
static u64 acct_min_lines, acct_min_runs;

static inline u64 lines_of(u64 addr, u64 size)
{
	if (!size)
		return 0;
	return ((addr + size - 1) >> 6) - (addr >> 6) + 1;
}

void bench_shim_init(void)
{
	arena = mmap(NULL, ARENA_BYTES, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	acct_frame = calloc(ARENA_BYTES >> 12, sizeof(*acct_frame));
	if (arena == MAP_FAILED || !acct_frame) {
		fprintf(stderr, "bench: out of memory\n");
		exit(2);
	}
	/* arena is at least page aligned; buddy alignment is relative to it */
}

void *shim_page_alloc(int nid, gfp_t gfp, int order)
{
	u64 size = 4096ULL << order;
	void *p;

	if (order > MAX_ORDER)
		return NULL;
	p = free_list[order];
	if (p) {
		free_list[order] = *(void **)p;
	} else {
		arena_top = (arena_top + size - 1) & ~(size - 1);
		if (arena_top + size > ARENA_BYTES)
			return NULL;
		p = arena + arena_top;
		arena_top += size;
	}
	if (gfp & __GFP_ZERO)
		memset(p, 0, size);
	BC.page_bytes += size;
	return p;
}

void shim_page_free(void *va, int order)
{
	*(void **)va = free_list[order];
	free_list[order] = va;
	BC.page_bytes -= 4096ULL << order;
}

/* What kmalloc() really takes for @size: its slab size classes */
static u64 kmalloc_class(size_t size)
{
	u64 c = 8;

	if (size > 64 && size <= 96)
		return 96;
	if (size > 128 && size <= 192)
		return 192;
	while (c < size)
		c <<= 1;
	return c;
}

struct kmem_hdr {
	u64 bytes;
	u64 pad;
};

void *shim_kmalloc(size_t size, gfp_t gfp, bool zero, bool kv)
{
	struct kmem_hdr *h = zero ? calloc(1, sizeof(*h) + size) :
				    malloc(sizeof(*h) + size);

	if (!h)
		return NULL;
	h->bytes = kmalloc_class(size);
	BC.kmem_bytes += h->bytes;
	return h + 1;
}

void shim_kfree(const void *p, bool kv)
{
	struct kmem_hdr *h;

	if (!p)
		return;
	h = (struct kmem_hdr *)p - 1;
	BC.kmem_bytes -= h->bytes;
	free(h);
}

u64 shim_virt_to_phys(const void *va)
{
	return (u64)((const u8 *)va - arena) + ARENA_PHYS;
}

void *shim_phys_to_virt(u64 pa)
{
	return arena + (pa - ARENA_PHYS);
}

int shim_dev_to_node(struct device *dev)
{
	return -1;
}

/* The bench's walker sees memory at its CPU address, without a bounce */
dma_addr_t shim_phys_to_dma(struct device *dev, phys_addr_t phys)
{
	return phys;
}

size_t shim_dma_max_mapping_size(struct device *dev)
{
	return SIZE_MAX;
}

static struct acct_tbl *acct_lookup(u64 dma)
{
	return acct_frame[(dma - ARENA_PHYS) >> 12];
}

dma_addr_t shim_dma_map_single(struct device *dev, void *va, size_t size,
			       int dir)
{
	u64 phys = shim_virt_to_phys(va);

	BC.maps++;
	BC.lines += lines_of(phys, size);
	if (acct_on) {
		struct acct_tbl *t = calloc(1, sizeof(*t));
		u64 f;

		t->phys = phys;
		t->size = size;
		t->shadow = malloc(size);
		memcpy(t->shadow, va, size);
		t->fresh = true;
		t->touched = true;
		t->next_touched = touched;
		touched = t;
		for (f = phys >> 12; f <= (phys + size - 1) >> 12; f++)
			acct_frame[f - (ARENA_PHYS >> 12)] = t;
		/* a new table: every line of it reaches the walker once */
		acct_min_lines += lines_of(phys, size);
	}
	return phys;
}

void shim_dma_unmap_single(struct device *dev, dma_addr_t dma, size_t size,
			   int dir)
{
	BC.unmaps++;
	if (acct_on) {
		struct acct_tbl *t = acct_lookup(dma);
		struct acct_tbl **pp;
		u64 f;

		if (!t)
			return;
		for (f = dma >> 12; f <= (dma + size - 1) >> 12; f++)
			acct_frame[f - (ARENA_PHYS >> 12)] = NULL;
		if (t->touched)
			for (pp = &touched; *pp; pp = &(*pp)->next_touched)
				if (*pp == t) {
					*pp = t->next_touched;
					break;
				}
		free(t->shadow);
		free(t);
	}
}

void shim_dma_sync_for_device(struct device *dev, dma_addr_t dma, size_t size,
			      int dir)
{
	BC.syncs++;
	BC.lines += lines_of(dma, size);
	if (acct_on) {
		struct acct_tbl *t = acct_lookup(dma);

		if (t && !t->touched) {
			t->touched = true;
			t->next_touched = touched;
			touched = t;
		}
	}
}

void shim_dma_sync_for_cpu(struct device *dev, dma_addr_t dma, size_t size,
			   int dir)
{
}

/* Track tables from now on (before the page table is allocated) */
void bench_acct_start(void)
{
	acct_on = true;
	touched = NULL;
}

/* Count from now on: what was done so far is what the walker has seen */
void bench_acct_reset(void)
{
	bench_acct_op_end();
	acct_min_lines = 0;
	acct_min_runs = 0;
}

/*
 * End of one operation: a table that existed before it needs each changed
 * line once, one call per contiguous run of changed lines; a table mapped
 * during it needs nothing more than its mapping (counted at map time) if it
 * is filled before it is mapped.
 */
void bench_acct_op_end(void)
{
	struct acct_tbl *t;

	for (t = touched; t; t = t->next_touched) {
		u8 *cpu = shim_phys_to_virt(t->phys);
		bool in_run = false;
		size_t off;

		t->touched = false;
		if (t->fresh) {
			/* new tables stop being new at the end of the op */
			t->fresh = false;
			memcpy(t->shadow, cpu, t->size);
			continue;
		}
		for (off = 0; off < t->size; off += 64) {
			size_t n = t->size - off < 64 ? t->size - off : 64;

			if (memcmp(t->shadow + off, cpu + off, n)) {
				acct_min_lines++;
				acct_min_runs += !in_run;
				in_run = true;
				memcpy(t->shadow + off, cpu + off, n);
			} else {
				in_run = false;
			}
		}
	}
	touched = NULL;
}

void bench_acct_stop(u64 *min_lines, u64 *min_runs)
{
	u64 f;

	*min_lines = acct_min_lines;
	*min_runs = acct_min_runs;
	acct_on = false;
	for (f = 0; f < (arena_top >> 12); f++) {
		struct acct_tbl *t = acct_frame[f];
		u64 g;

		if (!t)
			continue;
		for (g = t->phys >> 12; g <= (t->phys + t->size - 1) >> 12; g++)
			acct_frame[g - (ARENA_PHYS >> 12)] = NULL;
		free(t->shadow);
		free(t);
	}
	touched = NULL;
}

void shim_warn(const char *file, int line, const char *cond)
{
	fprintf(stderr, "bench: WARNING at %s:%d: %s\n", file, line, cond);
	BC.warns++;
}

void shim_bug(const char *file, int line, const char *cond)
{
	fprintf(stderr, "bench: BUG at %s:%d: %s\n", file, line, cond);
	abort();
}

void shim_printk(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > 4)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void shim_dirty_record(struct iommu_dirty_bitmap *dirty, unsigned long iova,
		       unsigned long length)
{
}

/* Single-threaded: a cond_load that has to wait would wait forever */
void shim_cond_wait(const char *file, int line, const char *cond,
		    unsigned long spins)
{
	shim_bug(file, line, cond);
}
