/* SPDX-License-Identifier: GPL-2.0 */
/*
 * io-pgtable harness: shared declarations of the model (model.c), the
 * reference walker (walker.c), the io_pgtable core shim (core.c) and the
 * checks (check.c).
 */
#ifndef _IO_PGTABLE_HARNESS_H
#define _IO_PGTABLE_HARNESS_H

#include <setjmp.h>
#include <stdio.h>

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/device.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/bitfield.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/io-pgtable.h>

/* the oracles shared with the KUnit suite */
#include "../../../drivers/iommu/io-pgtable-arm-oracle.h"

/* How the walker reaches table memory. */
enum dma_mode {
	MODE_COHERENT,		/* walker reads the CPU view */
	MODE_DIRECT,		/* non-coherent, dma == phys */
	MODE_OFFSET,		/* non-coherent, dma == phys - DMA_DELTA */
	MODE_BOUNCE,		/* non-coherent, SWIOTLB-like bounce copies */
	NR_MODES,
};

/* Deliberately broken shim behaviour, to prove the checks have teeth. */
enum control {
	CTL_NONE,
	CTL_DROP_SYNC,		/* drop every Nth sync */
	CTL_WRONG_LINE,		/* every Nth sync cleans the next line instead */
	CTL_DELAY_SYNC,		/* every other sync lands after the next one */
	NR_CONTROLS,
};

/* Check categories, one column each in the report. */
enum check_cat {
	CAT_ALLOC,		/* ops allocate, registers decode */
	CAT_XLATE,		/* walker view == CPU view == shadow */
	CAT_ORDER,		/* publication order, DMA API use */
	CAT_FREE,		/* table freeing vs reachability and flushes */
	CAT_LEAK,		/* everything released by free_io_pgtable_ops */
	CAT_STRICT,		/* error returns without side effects */
	CAT_FAULT,		/* injected failures are clean */
	CAT_DIRTY,		/* read_and_clear_dirty */
	NR_CATS,
};

extern const char *const cat_names[NR_CATS];
extern const char *const mode_names[NR_MODES];
extern const char *const control_names[NR_CONTROLS];

#define PHYS_BASE	0x80000000ULL
#define ARENA_SIZE	(32ULL << 20)
#define DMA_DELTA	0x40000000ULL
#define BOUNCE_BASE	0x20000000ULL
#define BOUNCE_SIZE	(16ULL << 20)
#define LINE_SIZE	64

/* Views of table memory the walker can read. */
enum view {
	VIEW_DEV,
	VIEW_CPU,
};

struct model_stats {
	unsigned long allocs, frees, kmallocs, maps, unmaps, syncs;
	unsigned long flush_walk, flush_all, add_page, warns;
	unsigned long links, unlinks;
	/* commands an SMMUv3 without range invalidation would issue */
	unsigned long cmds;
};

/* One TLB callback, as the model passes it to a call's TLB watch */
enum inv_kind {
	INV_ALL,
	INV_WALK,
	INV_PAGE,
};

struct tlb_watch;

struct model {
	enum dma_mode mode;
	enum control control;
	int control_n;
	bool quiet;

	/* fault injection: fail the Nth call (0: never) */
	unsigned long alloc_calls, fail_alloc_at;
	unsigned long map_calls, fail_map_at;
	bool injected;
	/* ... and every Nth call as well (0: never) */
	unsigned long fail_alloc_every, fail_map_every;
	/* failures injected since model_reset() */
	unsigned long injections;

	/*
	 * Do not track reachability (the descriptors have been scribbled
	 * over on purpose): allocation, mapping and free accounting only.
	 */
	bool no_reach;
	/* called by model_fail() instead of the longjmp, if set; no return */
	void (*fail_hook)(void);
	/*
	 * Called at every table allocation and TLB callback while set: the
	 * point where a test lets the hardware or another caller step in.
	 */
	void (*hook)(void *arg);
	void *hook_arg;
	/* the call being held to the TLB contract (check.c), if any */
	struct tlb_watch *watch;

	/* a coherent walker's DMA address = phys - coherent_delta */
	u64 coherent_delta;
	/* while set, READ_ONCE()s of last-level table memory are counted */
	bool count_leaf_reads;
	unsigned long leaf_reads;

	/* walker geometry, once the ops exist */
	bool live;
	struct lpae_geom *w;
	u64 seq;

	struct model_stats st;

	/* failure delivery */
	jmp_buf *fail_jmp;
	int fail_cat;
	char fail_msg[512];
};

extern struct model M;
extern struct device harness_dev;

/* model.c */
void model_init(void);
void model_seed(u64 seed);
void model_reset(enum dma_mode mode, enum control ctl, int ctl_n);
__printf(2, 3) void __noreturn model_fail(int cat, const char *fmt, ...);
void model_op_end(void);
int model_read_desc(enum view v, u64 table, u64 table_size, u64 idx,
		    u64 *val, const char **why);
void model_write_desc_cpu(u64 table, u64 idx, u64 val);
void model_publish_root(void);
void model_detach(void);
void model_check_leaks(void);
void model_coherent_scan(void);
void *model_custom_alloc(void *cookie, size_t size, gfp_t gfp);
void model_custom_free(void *cookie, void *pages, size_t size);
unsigned long model_live_tables(void);
bool model_unflushed_table(u64 *phys, int *level, u64 *iova);
size_t model_table_bytes(void);
size_t model_heap_bytes(void);

/*
 * Threads: with model_set_threaded(true), every hook the code under test
 * calls runs under one lock, and smp_cond_load_*() really waits.
 */
void model_set_threaded(bool on);
void model_alloc_gate(int racers);
/* Byte-for-byte image of every live table in both views, and of the heap. */
struct model_snap;
struct model_snap *model_snap_take(void);
int model_snap_diff(const struct model_snap *s, char *err, size_t errlen);
void model_snap_free(struct model_snap *s);
/* What a DMA write by the device (or a stray CPU store) would do. */
void model_scribble(enum view v, u64 table, u64 idx, u64 val);
/* Physical address of a page no one has allocated (poisoned under ASan). */
u64 model_unallocated_page(void);
extern const struct iommu_flush_ops harness_flush_ops;

/* walker.c: the shared reference walker, reading the model's memory */
int walker_init(struct lpae_geom *w, enum io_pgtable_fmt fmt,
		const struct io_pgtable_cfg *cfg, char *err, size_t errlen);
void walker_walk(const struct lpae_geom *w, enum view v, u64 iova, struct lpae_wres *r);
typedef void (*walk_leaf_fn)(void *arg, const struct lpae_wres *r);
typedef void (*walk_table_fn)(void *arg, u64 table, int lvl, u64 iova_base);
int walker_enum(const struct lpae_geom *w, enum view v, u64 start, u64 last,
		walk_leaf_fn leaf, walk_table_fn table, void *arg,
		char *err, size_t errlen);

/* check.c: the shadow model and the state comparison */
struct runctx {
	enum io_pgtable_fmt fmt;
	struct io_pgtable_ops *ops;
	struct io_pgtable_cfg cfg;
	struct lpae_geom w;
	struct lpae_extents sh;
	u64 in_first, in_last;	/* valid input range */
	int opi;
};

void shadow_clear(struct lpae_extents *s);
void shadow_add(struct lpae_extents *s, u64 iova, u64 size, u64 pa, int prot, bool dirty);
void shadow_remove(struct lpae_extents *s, u64 iova, u64 size);
void shadow_set_dirty(struct lpae_extents *s, u64 iova, u64 size, bool dirty);
void expect_sem(const struct runctx *c, int prot, bool dirty, struct lpae_sem *s);
void check_state(struct runctx *c, u64 first, u64 last, int cat, const char *what);
void dirty_reset(void);

/*
 * The TLB contract of one call: tlb_watch_begin() notes the leaves of the
 * device view in [first, last], the model reports every TLB callback with
 * tlb_watch_note(), tlb_watch_end() fails the run on a leaf that left the
 * device view without an invalidation after it left (if @leaves: the
 * caller syncs @gather), or a table unlinked and not invalidated.
 */
struct tlb_watch {
	struct lpae_tlb_books b;
	const struct iommu_iotlb_gather *gather;
	bool leaves;
};

void tlb_watch_begin(struct tlb_watch *t, struct runctx *c, u64 first, u64 last,
		     const struct iommu_iotlb_gather *gather);
void tlb_watch_note(struct tlb_watch *t, enum inv_kind kind, u64 iova,
		    u64 granule, const struct iommu_iotlb_gather *gather);
void tlb_watch_end(struct tlb_watch *t, const char *what);
extern unsigned long tlb_leaves_checked;
int dirty_compare(struct runctx *c, u64 first, u64 last, char *err, size_t errlen);

/* main.c: the configurations */
struct tcfg {
	const char *name;
	enum io_pgtable_fmt fmt;
	unsigned long pgsizes;
	unsigned int ias, oas;
	unsigned long quirks;
	bool custom;
};

extern const struct tcfg tcfgs[];
extern const int nr_tcfgs;
const struct tcfg *tcfg_find(const char *name);

/* cases.c: set-up shared by the tests below, isolation, the tests */
struct io_pgtable_cfg tcfg_cfg(const struct tcfg *t, enum dma_mode mode);
void ctx_open(struct runctx *c, const struct tcfg *t, enum dma_mode mode);
void ctx_open_at(struct runctx *c, const struct tcfg *t, enum dma_mode mode,
		 u64 delta);
void ctx_close(struct runctx *c);
void ctx_unmap_all(struct runctx *c);
u64 ctx_pgsize(const struct runctx *c, int i);
extern bool isolate_show_log;
int isolate(void (*fn)(void *), void *arg, int timeout, char *msg, size_t len);
int isolate_seq(void (*fn)(void *arg, int i), void *arg, int n, int timeout,
		char msg[][600]);

struct bad_summary {
	int classes, formats, cases, failed;
	/* cases that WARNed; cases that differ with IO_PGTABLE_QUIRK_NO_WARN */
	int warned, quiet_failed;
};

int bad_input_run(const char *impl, const char *out_file, bool verbose,
		  struct bad_summary *sum);
int bad_input_readme(const char *upstream_file, const char *readme, bool write,
		     char *msg, size_t len);

struct corrupt_summary {
	int cases, failed;
	unsigned long frees;
};

int corrupt_run(bool verbose, struct corrupt_summary *sum, char *first, size_t len);

/* hw.c: where the tables meet the hardware and overlapping callers */
struct hw_summary {
	int cases, failed;
	unsigned long split_cmds_2m, split_cmds_1g;
};

int hw_run(bool verbose, struct hw_summary *sum, char *first, size_t len);
bool dirty_covered(u64 first, u64 last);

/* threads.c */
struct thread_summary {
	int runs, failed, threads;
	unsigned long ops, install_rounds, install_lost, split_rounds, split_lost;
	unsigned long overlap_rounds, overlap_block_won;
};

int threads_run(const char *only_cfg, int only_mode, int nthreads, int ops,
		int rounds, bool verbose, struct thread_summary *sum,
		char *first, size_t len);

#endif /* _IO_PGTABLE_HARNESS_H */
