// SPDX-License-Identifier: GPL-2.0-only
/*
 * ARM long-descriptor (LPAE / VMSAv8-64) io-pgtable formats: stage 1 and
 * stage 2 for 64-bit and AArch32 SMMUs, and the Mali GPU variant.
 *
 * The file is layered:
 *  - descriptor encoding, pure functions of a page table's geometry;
 *  - the table-memory layer (lpae_tbl_alloc(), lpae_tbl_map(),
 *    lpae_tbl_free(), lpae_publish()), the only code that reaches the DMA
 *    API, through an injected struct lpae_mem_ops; a new table is filled
 *    before it is mapped, so mapping it is its only cache maintenance;
 *  - one range walker (lpae_walk_tbl()) calling a visitor per entry, or once
 *    per table for the run of entries at a target level;
 *  - map, unmap, iova_to_phys, dirty tracking and free as small visitors;
 *  - format set-up (TCR, VTCR, MAIR, TRANSTAB). The selftest is a KUnit suite
 *    in io-pgtable-arm-selftests.c.
 *
 * Tables are linked by the DMA address the walker uses, so a walker behind a
 * DMA offset or bounce buffering works. Software never follows a descriptor:
 * a table that holds child tables has a companion, one child handle per
 * entry, and only that is followed (and freed). The companion comes in
 * chunks of a page, each allocated when a first child is installed in its
 * range, so no CPU-side allocation on the map path exceeds a page and a
 * table holding only blocks has none.
 *
 * Updates are prepared, then committed: every table a call needs is built
 * and checked privately, then linked with a single descriptor write, so a
 * failed call leaves the tables exactly as they were.
 *
 * Concurrent callers never wait for each other. Above the last level the
 * descriptor is the one point where writers meet: a block is written, and a
 * table linked, only by a compare-and-exchange on it. The companion slot
 * only decides which of several tables built for one entry gets linked; a
 * claimed table carries the descriptor it replaces, so whoever finds it
 * unlinked can finish the link itself.
 */

#define pr_fmt(fmt)	"arm-lpae io-pgtable: " fmt

#include <linux/atomic.h>
#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/io-pgtable.h>
#include <linux/kernel.h>
#include <linux/llist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/types.h>

#include <asm/barrier.h>

#include "io-pgtable-arm.h"
#include "iommu-pages.h"

#define LPAE_LEVELS		4
#define LPAE_LAST_LVL		(LPAE_LEVELS - 1)
#define LPAE_MAX_ADDR_BITS	52
#define LPAE_S2_MAX_CONCAT	16
#define LPAE_PTE_SHIFT		3	/* log2(sizeof(arm_lpae_iopte)) */
#define LPAE_PROTS		(IOMMU_PRIV << 1)	/* IOMMU_* combinations */

typedef u64 arm_lpae_iopte;

/* Descriptor fields */
#define LPAE_PTE_VALID		BIT_ULL(0)
#define LPAE_PTE_TYPE		GENMASK_ULL(1, 0)
#define LPAE_TYPE_BLOCK		1ULL
#define LPAE_TYPE_TABLE		3ULL	/* also "page" at the last level */
#define LPAE_PTE_ATTRINDX	GENMASK_ULL(4, 2)
#define LPAE_PTE_MEMATTR	GENMASK_ULL(5, 2)	/* stage 2 */
#define LPAE_PTE_NS		BIT_ULL(5)
#define LPAE_PTE_AP_UNPRIV	BIT_ULL(6)
#define LPAE_PTE_AP_RDONLY	BIT_ULL(7)
#define LPAE_PTE_HAP_READ	BIT_ULL(6)
#define LPAE_PTE_HAP_WRITE	BIT_ULL(7)
#define LPAE_PTE_SH		GENMASK_ULL(9, 8)
#define LPAE_PTE_AF		BIT_ULL(10)
#define LPAE_PTE_NG		BIT_ULL(11)
#define LPAE_PTE_OA		GENMASK_ULL(47, 12)
#define LPAE_PTE_OA_HI		GENMASK_ULL(15, 12)	/* OA[51:48], 64K only */
#define LPAE_PTE_DBM		BIT_ULL(51)
#define LPAE_PTE_XN		GENMASK_ULL(54, 53)	/* stage 1: UXN, PXN */
#define LPAE_PTE_S2_XN		BIT_ULL(54)	/* stage 2: XN[1], never EL0/EL1 */
#define LPAE_PTE_NSTABLE	BIT_ULL(63)

/* What a split copies from a block to its pages: not the Contiguous hint */
#define LPAE_PTE_LEAF_ATTRS	(GENMASK_ULL(11, 2) | LPAE_PTE_DBM | LPAE_PTE_XN)

/* Stage 2 MemAttr values */
#define LPAE_MEMATTR_DEV	0x1
#define LPAE_MEMATTR_NC		0x5
#define LPAE_MEMATTR_OIWB	0xf

/* MAIR indices used by stage 1 and Mali descriptors */
enum {
	LPAE_MAIR_IDX_NC,
	LPAE_MAIR_IDX_CACHE,
	LPAE_MAIR_IDX_DEV,
	LPAE_MAIR_IDX_INC_OCACHE,
	LPAE_MAIR_SLOTS = 8,
};

/*
 * Unused slots 4-7 read back as Normal WB: drivers have always been handed
 * them that way (a sign-extended 0xf4 in slot 3), so keep the register value.
 */
static const u8 lpae_s1_mair_attrs[LPAE_MAIR_SLOTS] = {
	[LPAE_MAIR_IDX_NC]		= 0x44,	/* Normal, non-cacheable */
	[LPAE_MAIR_IDX_CACHE]		= 0xff,	/* Normal, WB RW-allocate */
	[LPAE_MAIR_IDX_DEV]		= 0x04,	/* Device-nGnRE */
	[LPAE_MAIR_IDX_INC_OCACHE]	= 0xf4,	/* Inner NC, outer WB */
	[4 ... LPAE_MAIR_SLOTS - 1]	= 0xff,
};

/* Mali has no non-cacheable type: "implementation defined" stands in */
static const u8 lpae_mali_memattrs[LPAE_MAIR_SLOTS] = {
	[LPAE_MAIR_IDX_NC]		= 0x88,
	[LPAE_MAIR_IDX_CACHE]		= 0x8d,
	[LPAE_MAIR_IDX_DEV]		= 0x88,
};

#define LPAE_MALI_TRANSTAB_ADRMODE_TABLE	(3ULL << 0)
#define LPAE_MALI_TRANSTAB_READ_INNER		BIT_ULL(2)
#define LPAE_MALI_TRANSTAB_SHARE_OUTER		BIT_ULL(4)

/*
 * Publication state of a table in its parent's companion slot. A table is
 * claimed in the companion before its descriptor is written; whoever finds
 * it not yet LIVE must not report work beneath it as done until it is, and
 * so links it itself (lpae_link_complete()): nobody waits for the owner.
 * Its fate is decided once, LIVE or LOST (lpae_decide()). Only a racing
 * overlapping map, a caller bug, makes a claim lose; as others may still
 * hold it then, a lost claim stays allocated until the page table is freed.
 */
enum lpae_link_state {
	LPAE_LIVE,	/* descriptor written and visible to the walker */
	LPAE_LINKING,	/* claimed: anyone may swap it in for @old */
	LPAE_LOST,	/* the descriptor changed first: never linked */
};

/* Child handles per companion chunk: a chunk is at most a page */
#define LPAE_KIDS_PER_CHUNK	(PAGE_SIZE / sizeof(void *))

/**
 * struct lpae_tbl - CPU-side handle of one translation table
 * @ptes:   CPU address of the descriptors
 * @dma:    address of @ptes as the walker sees it
 * @old:    while LINKING, the descriptor the table replaces: 0, or the
 *          block it splits (which the IOMMU may mark dirty meanwhile)
 * @leaves: valid leaf entries, kept by the code that writes them, so that
 *          emptiness is known without reading the last level
 * @lvl:    level of the table
 * @state:  an enum lpae_link_state, for the slot this table was claimed in
 * @lost:   on the page table's list of lost claims, once LOST
 * @kids:   above the last level, the companion: chunks of
 *          LPAE_KIDS_PER_CHUNK child handles, NULL until a first child is
 *          installed in the chunk's range
 */
struct lpae_tbl {
	arm_lpae_iopte		*ptes;
	dma_addr_t		dma;
	arm_lpae_iopte		old;
	atomic_t		leaves;
	u32			lvl;
	u32			state;
	struct llist_node	lost;
	struct lpae_tbl		**kids[];
};

struct arm_lpae_io_pgtable;

/*
 * Cache maintenance and address translation of table memory, chosen once
 * per page table: the walker is either coherent or uses the DMA API. A NULL
 * @sync has nothing to do, which spares the hot paths an indirect call.
 */
struct lpae_mem_ops {
	int	(*map)(struct arm_lpae_io_pgtable *pt, struct lpae_tbl *tbl,
		       size_t bytes);
	void	(*unmap)(struct arm_lpae_io_pgtable *pt, struct lpae_tbl *tbl,
			 size_t bytes);
	void	(*sync)(struct arm_lpae_io_pgtable *pt, struct lpae_tbl *tbl,
			unsigned int idx, unsigned int nr);
};

struct arm_lpae_io_pgtable {
	struct io_pgtable		iop;
	const struct lpae_mem_ops	*mem;
	struct lpae_tbl			*root;
	struct llist_head		lost;	/* claims that lost, see LPAE_LOST */
	int				start_lvl;
	unsigned int			bpl;		/* index bits per level */
	unsigned int			pgd_bits;	/* index bits at start_lvl */
	/* Set up once by lpae_init_lookups(), for the checks of every call */
	u64				ias_mask;
	u64				iova_hi;	/* bits above the IAS */
	u32				idx_mask[LPAE_LEVELS];
	u32				run_mask[LPAE_LEVELS];	/* of one call */
	u8				shift[LPAE_LEVELS];
	u8				idx_bits[LPAE_LEVELS];
	s8				pgsize_lvl[BITS_PER_LONG];
	arm_lpae_iopte			prot_attrs[LPAE_PROTS];
};

#define lpae_from_ops(ops)						\
	container_of(io_pgtable_ops_to_pgtable(ops),			\
		     struct arm_lpae_io_pgtable, iop)

/*
 * A caller bug: the call fails with an error code, and each kind of misuse
 * is reported once, so a buggy caller cannot flood the log; not at all for
 * a caller that expects such errors (IO_PGTABLE_QUIRK_NO_WARN).
 */
#define lpae_misuse(pt, cond) ({					\
	bool __misuse = unlikely(cond);					\
									\
	WARN_ON_ONCE(__misuse &&					\
		     !((pt)->iop.cfg.quirks & IO_PGTABLE_QUIRK_NO_WARN));	\
	__misuse;							\
})

/* Quirks every format accepts: they change no table */
#define LPAE_QUIRKS_ANY_FORMAT	IO_PGTABLE_QUIRK_NO_WARN

/* --- Geometry and descriptor encoding ----------------------------------- */

/* log2 of the size one entry at @lvl translates */
static unsigned int lpae_shift(const struct arm_lpae_io_pgtable *pt, int lvl)
{
	return pt->shift[lvl];
}

static u64 lpae_block_size(const struct arm_lpae_io_pgtable *pt, int lvl)
{
	return 1ULL << lpae_shift(pt, lvl);
}

static size_t lpae_granule(const struct arm_lpae_io_pgtable *pt)
{
	return 1UL << (pt->bpl + LPAE_PTE_SHIFT);
}

static unsigned int lpae_nr_entries(const struct arm_lpae_io_pgtable *pt,
				    int lvl)
{
	return 1U << pt->idx_bits[lvl];
}

/*
 * Bytes allocated and mapped for a table at @lvl. Mali's TRANSTAB keeps
 * flags in bits [11:0], so its root needs a 4K-aligned DMA address: map a
 * whole 4K for it, as SWIOTLB aligns smaller mappings only to its slots.
 */
static size_t lpae_tbl_bytes(const struct arm_lpae_io_pgtable *pt, int lvl)
{
	size_t bytes = (size_t)lpae_nr_entries(pt, lvl) << LPAE_PTE_SHIFT;

	if (pt->iop.fmt == ARM_MALI_LPAE && lvl == pt->start_lvl)
		return max_t(size_t, bytes, SZ_4K);
	return bytes;
}

/* Address range translated by one table at @lvl */
static u64 lpae_tbl_span(const struct arm_lpae_io_pgtable *pt, int lvl)
{
	return (u64)lpae_nr_entries(pt, lvl) << lpae_shift(pt, lvl);
}

static unsigned int lpae_index(const struct arm_lpae_io_pgtable *pt, int lvl,
			       u64 va)
{
	return (va >> lpae_shift(pt, lvl)) & pt->idx_mask[lvl];
}

/* Level of the entries that map page size @size, or -EINVAL if none do */
static int lpae_size_to_lvl(const struct arm_lpae_io_pgtable *pt, size_t size)
{
	if (!size || (size & (size - 1)))
		return -EINVAL;
	return pt->pgsize_lvl[__ffs(size)];
}

static bool lpae_pte_valid(arm_lpae_iopte pte)
{
	return pte & LPAE_PTE_VALID;
}

static arm_lpae_iopte lpae_pa_to_oa(u64 pa)
{
	return (pa & LPAE_PTE_OA) | FIELD_PREP(LPAE_PTE_OA_HI, pa >> 48);
}

static phys_addr_t lpae_oa_to_pa(const struct arm_lpae_io_pgtable *pt,
				 arm_lpae_iopte pte)
{
	u64 pa = pte & LPAE_PTE_OA;

	if (lpae_granule(pt) < SZ_64K)
		return pa;
	return (pa & ~LPAE_PTE_OA_HI) | (FIELD_GET(LPAE_PTE_OA_HI, pte) << 48);
}

static arm_lpae_iopte lpae_table_pte(const struct arm_lpae_io_pgtable *pt,
				     const struct lpae_tbl *child)
{
	arm_lpae_iopte pte = lpae_pa_to_oa(child->dma) | LPAE_TYPE_TABLE;

	if (pt->iop.cfg.quirks & IO_PGTABLE_QUIRK_ARM_NS)
		pte |= LPAE_PTE_NSTABLE;
	return pte;
}

/* Mali encodes a last-level page like a block; everyone else like a table */
static arm_lpae_iopte lpae_leaf_type(const struct arm_lpae_io_pgtable *pt,
				     int lvl)
{
	if (lvl == LPAE_LAST_LVL && pt->iop.fmt != ARM_MALI_LPAE)
		return LPAE_TYPE_TABLE;
	return LPAE_TYPE_BLOCK;
}

static bool lpae_is_s1(const struct arm_lpae_io_pgtable *pt)
{
	return pt->iop.fmt == ARM_64_LPAE_S1 || pt->iop.fmt == ARM_32_LPAE_S1;
}

static bool lpae_is_s2(const struct arm_lpae_io_pgtable *pt)
{
	return pt->iop.fmt == ARM_64_LPAE_S2 || pt->iop.fmt == ARM_32_LPAE_S2;
}

static arm_lpae_iopte lpae_perm_attrs(const struct arm_lpae_io_pgtable *pt,
				      int prot)
{
	arm_lpae_iopte pte = 0;

	/* Mali has stage 1 memory types but stage 2 permissions */
	if (!lpae_is_s1(pt)) {
		if (prot & IOMMU_READ)
			pte |= LPAE_PTE_HAP_READ;
		if (prot & IOMMU_WRITE)
			pte |= LPAE_PTE_HAP_WRITE;
		return pte;
	}

	pte = LPAE_PTE_NG;
	if ((prot & (IOMMU_READ | IOMMU_WRITE)) == IOMMU_READ)
		pte |= LPAE_PTE_AP_RDONLY;
	else if (pt->iop.cfg.quirks & IO_PGTABLE_QUIRK_ARM_HD)
		pte |= LPAE_PTE_DBM;	/* writable-dirty until cleaned */
	if (!(prot & IOMMU_PRIV))
		pte |= LPAE_PTE_AP_UNPRIV;
	return pte;
}

/* Leaf attributes for IOMMU_* @prot, without type and output address */
static arm_lpae_iopte lpae_prot_to_attrs(const struct arm_lpae_io_pgtable *pt,
					 int prot)
{
	bool mali = pt->iop.fmt == ARM_MALI_LPAE;
	arm_lpae_iopte pte = lpae_perm_attrs(pt, prot);
	unsigned int type;

	if (lpae_is_s2(pt)) {
		type = (prot & IOMMU_MMIO) ? LPAE_MEMATTR_DEV :
		       (prot & IOMMU_CACHE) ? LPAE_MEMATTR_OIWB :
		       LPAE_MEMATTR_NC;
		pte |= FIELD_PREP(LPAE_PTE_MEMATTR, type);
	} else {
		type = (prot & IOMMU_MMIO) ? LPAE_MAIR_IDX_DEV :
		       (prot & IOMMU_CACHE) ? LPAE_MAIR_IDX_CACHE :
		       LPAE_MAIR_IDX_NC;
		pte |= FIELD_PREP(LPAE_PTE_ATTRINDX, type);
	}

	/* Mali's inner domain is the GPU itself: keep everything outer */
	if ((prot & IOMMU_CACHE) && !mali)
		pte |= FIELD_PREP(LPAE_PTE_SH, ARM_LPAE_TCR_SH_IS);
	else
		pte |= FIELD_PREP(LPAE_PTE_SH, ARM_LPAE_TCR_SH_OS);

	/* Stage 2 XN[0] is FEAT_XNX's "EL1 only": 0b11 would allow EL1 */
	if (prot & IOMMU_NOEXEC)
		pte |= lpae_is_s2(pt) ? LPAE_PTE_S2_XN : LPAE_PTE_XN;
	if (pt->iop.cfg.quirks & IO_PGTABLE_QUIRK_ARM_NS)
		pte |= LPAE_PTE_NS;
	if (!mali)
		pte |= LPAE_PTE_AF;
	return pte;
}

/*
 * Precompute what every call looks up: the geometry of each level, the level
 * of each page size of cfg->pgsize_bitmap and the leaf attributes of each
 * IOMMU_* combination. Once start_lvl and pgd_bits are final.
 */
static void lpae_init_lookups(struct arm_lpae_io_pgtable *pt)
{
	unsigned long sizes = pt->iop.cfg.pgsize_bitmap;
	int lvl, prot;

	pt->ias_mask = GENMASK_ULL(pt->iop.cfg.ias - 1, 0);
	if (pt->iop.cfg.quirks & IO_PGTABLE_QUIRK_ARM_TTBR1)
		pt->iova_hi = ~pt->ias_mask;

	for (lvl = 0; lvl < ARRAY_SIZE(pt->pgsize_lvl); lvl++)
		pt->pgsize_lvl[lvl] = -EINVAL;
	for (lvl = pt->start_lvl; lvl < LPAE_LEVELS; lvl++) {
		unsigned int shift = LPAE_PTE_SHIFT +
				     (LPAE_LEVELS - lvl) * pt->bpl;

		pt->shift[lvl] = shift;
		pt->idx_bits[lvl] = lvl == pt->start_lvl ? pt->pgd_bits :
							    pt->bpl;
		pt->idx_mask[lvl] = lpae_nr_entries(pt, lvl) - 1;
		pt->run_mask[lvl] = min_t(u32, pt->idx_mask[lvl],
					  BIT(pt->bpl) - 1);
		if (shift < BITS_PER_LONG && (sizes & BIT(shift)))
			pt->pgsize_lvl[shift] = lvl;
	}

	for (prot = 0; prot < LPAE_PROTS; prot++)
		pt->prot_attrs[prot] = lpae_prot_to_attrs(pt, prot);
}

/* --- Table memory: the only users of the DMA API ------------------------ */

/* A coherent walker needs no mapping, but may sit behind a DMA offset */
static int lpae_coherent_map(struct arm_lpae_io_pgtable *pt,
			     struct lpae_tbl *tbl, size_t bytes)
{
	struct device *dev = pt->iop.cfg.iommu_dev;
	phys_addr_t phys = virt_to_phys(tbl->ptes);

	tbl->dma = dev ? phys_to_dma(dev, phys) : phys;
	return 0;
}

static void lpae_coherent_unmap(struct arm_lpae_io_pgtable *pt,
				struct lpae_tbl *tbl, size_t bytes)
{
}

static int lpae_dma_map(struct arm_lpae_io_pgtable *pt, struct lpae_tbl *tbl,
			size_t bytes)
{
	struct device *dev = pt->iop.cfg.iommu_dev;

	tbl->dma = dma_map_single(dev, tbl->ptes, bytes, DMA_TO_DEVICE);
	return dma_mapping_error(dev, tbl->dma) ? -ENOMEM : 0;
}

static void lpae_dma_unmap(struct arm_lpae_io_pgtable *pt,
			   struct lpae_tbl *tbl, size_t bytes)
{
	dma_unmap_single(pt->iop.cfg.iommu_dev, tbl->dma, bytes,
			 DMA_TO_DEVICE);
}

static void lpae_dma_sync(struct arm_lpae_io_pgtable *pt, struct lpae_tbl *tbl,
			  unsigned int idx, unsigned int nr)
{
	dma_sync_single_for_device(pt->iop.cfg.iommu_dev,
				   tbl->dma + ((dma_addr_t)idx << LPAE_PTE_SHIFT),
				   (size_t)nr << LPAE_PTE_SHIFT, DMA_TO_DEVICE);
}

/* No .sync: ordering against a coherent walker is the callers' dma_wmb() */
static const struct lpae_mem_ops lpae_mem_coherent = {
	.map	= lpae_coherent_map,
	.unmap	= lpae_coherent_unmap,
};

static const struct lpae_mem_ops lpae_mem_dma = {
	.map	= lpae_dma_map,
	.unmap	= lpae_dma_unmap,
	.sync	= lpae_dma_sync,
};

/* Make @nr entries from @idx, already written, visible to the walker */
static void lpae_publish(struct arm_lpae_io_pgtable *pt, struct lpae_tbl *tbl,
			 unsigned int idx, unsigned int nr)
{
	if (nr && pt->mem->sync)
		pt->mem->sync(pt, tbl, idx, nr);
}

/* The walker needs a table aligned to its size and inside the OAS */
static bool lpae_dma_usable(struct arm_lpae_io_pgtable *pt, dma_addr_t dma,
			    size_t bytes)
{
	struct device *dev = pt->iop.cfg.iommu_dev;
	u64 last = (u64)dma + bytes - 1;

	if (!IS_ALIGNED((u64)dma, max_t(size_t, bytes, 64))) {
		dev_err(dev, "page table at %pad is not aligned to its %zu bytes\n",
			&dma, bytes);
		return false;
	}
	if (last >> pt->iop.cfg.oas) {
		dev_err(dev, "page table at %pad is beyond the %u-bit output address size\n",
			&dma, pt->iop.cfg.oas);
		return false;
	}
	return true;
}

/* CPU-side memory goes on the IOMMU's node, like the tables */
static int lpae_node(const struct arm_lpae_io_pgtable *pt)
{
	return dev_to_node(pt->iop.cfg.iommu_dev);
}

static void *lpae_pages_alloc(struct arm_lpae_io_pgtable *pt, size_t bytes,
			      gfp_t gfp)
{
	struct io_pgtable_cfg *cfg = &pt->iop.cfg;

	if (cfg->alloc)
		return cfg->alloc(pt->iop.cookie, bytes, gfp);
	return iommu_alloc_pages_node(lpae_node(pt), gfp, get_order(bytes));
}

static void lpae_pages_free(struct arm_lpae_io_pgtable *pt, void *pages,
			    size_t bytes)
{
	struct io_pgtable_cfg *cfg = &pt->iop.cfg;

	if (cfg->free)
		cfg->free(pt->iop.cookie, pages, bytes);
	else
		iommu_free_pages(pages, get_order(bytes));
}

/* Companion chunks of a table at @lvl: none at the last level */
static unsigned int lpae_nr_chunks(const struct arm_lpae_io_pgtable *pt,
				   int lvl)
{
	if (lvl == LPAE_LAST_LVL)
		return 0;
	return DIV_ROUND_UP(lpae_nr_entries(pt, lvl), LPAE_KIDS_PER_CHUNK);
}

/* Free the memory of a table the walker was never handed */
static void lpae_tbl_release(struct arm_lpae_io_pgtable *pt,
			     struct lpae_tbl *tbl)
{
	unsigned int i;

	lpae_pages_free(pt, tbl->ptes, lpae_tbl_bytes(pt, tbl->lvl));
	for (i = 0; i < lpae_nr_chunks(pt, tbl->lvl); i++)
		kfree(tbl->kids[i]);
	kfree(tbl);
}

/*
 * lpae_tbl_alloc() - allocate an empty table for @lvl, zeroed, private to
 * the caller: fill it, then lpae_tbl_map() it. Its companion chunks come
 * with its first children (lpae_kid_chunk()).
 */
static struct lpae_tbl *lpae_tbl_alloc(struct arm_lpae_io_pgtable *pt,
				       int lvl, gfp_t gfp)
{
	struct lpae_tbl *tbl;

	/* Chunks: 256 at most (a concatenated root), no overflow */
	tbl = kzalloc_node(sizeof(*tbl) +
			   lpae_nr_chunks(pt, lvl) * sizeof(tbl->kids[0]),
			   gfp, lpae_node(pt));
	if (!tbl)
		return NULL;
	tbl->lvl = lvl;
	tbl->ptes = lpae_pages_alloc(pt, lpae_tbl_bytes(pt, lvl), gfp);
	if (!tbl->ptes) {
		kfree(tbl);
		return NULL;
	}
	return tbl;
}

/*
 * The companion slot of @tbl's entry @idx, allocating its chunk if this is
 * the first child there; NULL without memory. Racing CPUs install one chunk.
 */
static struct lpae_tbl **lpae_kid_chunk(struct arm_lpae_io_pgtable *pt,
					struct lpae_tbl *tbl, unsigned int idx,
					gfp_t gfp)
{
	struct lpae_tbl ***cp = &tbl->kids[idx / LPAE_KIDS_PER_CHUNK];
	struct lpae_tbl **chunk = READ_ONCE(*cp), **old;
	size_t bytes;

	if (!chunk) {
		bytes = min_t(size_t, PAGE_SIZE,
			      lpae_nr_entries(pt, tbl->lvl) * sizeof(*chunk));
		chunk = kzalloc_node(bytes, gfp, lpae_node(pt));
		if (!chunk)
			return NULL;
		/* Fully ordered: the zeroed chunk before its pointer */
		old = cmpxchg(cp, NULL, chunk);
		if (old) {
			kfree(chunk);
			chunk = old;
		}
	}
	return &chunk[idx % LPAE_KIDS_PER_CHUNK];
}

/*
 * lpae_tbl_map() - hand a filled private table to the walker: mapping it
 * cleans every line once, so no sync of its entries is needed. On failure
 * the table stays private, for the caller to release.
 */
static int lpae_tbl_map(struct arm_lpae_io_pgtable *pt, struct lpae_tbl *tbl)
{
	size_t bytes = lpae_tbl_bytes(pt, tbl->lvl);

	if (pt->mem->map(pt, tbl, bytes))
		return -ENOMEM;
	if (!lpae_dma_usable(pt, tbl->dma, bytes)) {
		pt->mem->unmap(pt, tbl, bytes);
		return -ENOMEM;
	}
	return 0;
}

/* lpae_tbl_free() - free one mapped table the walker can no longer reach */
static void lpae_tbl_free(struct arm_lpae_io_pgtable *pt, struct lpae_tbl *tbl)
{
	pt->mem->unmap(pt, tbl, lpae_tbl_bytes(pt, tbl->lvl));
	lpae_tbl_release(pt, tbl);
}

/* --- The walker ---------------------------------------------------------- */

enum lpae_visit_kind {
	LPAE_VISIT_LEAF		= BIT(0),	/* entry without a child table */
	LPAE_VISIT_TABLE_PRE	= BIT(1),	/* entry with one, before it */
	LPAE_VISIT_TABLE_POST	= BIT(2),	/* ... and after it */
	LPAE_VISIT_RUN		= BIT(3),	/* covered entries at run_lvl */
};

/* Walk flag: settle tables being linked by others before going below */
#define LPAE_WALK_SETTLE	BIT(8)

/* Positive visitor results */
#define LPAE_WALK_STOP		1	/* finished: end the walk, no error */
#define LPAE_WALK_SKIP		2	/* TABLE_PRE: do not descend */
#define LPAE_WALK_AGAIN		3	/* entry changed under us: revisit it */

/**
 * struct lpae_visit - what a visitor is shown
 * @tbl:   table holding the entry
 * @child: the entry's child table, from the companion (never the descriptor)
 * @pte:   the descriptor, read once, before @child
 * @va:    walk position, inside the entry
 * @idx:   index of the entry (first of the run for LPAE_VISIT_RUN)
 * @nr:    entries covered (LPAE_VISIT_RUN), else 1
 * @lvl:   level of @tbl
 * @kind:  why the visitor is called
 */
struct lpae_visit {
	struct lpae_tbl		*tbl;
	struct lpae_tbl		*child;
	arm_lpae_iopte		pte;
	u64			va;
	unsigned int		idx;
	unsigned int		nr;
	int			lvl;
	enum lpae_visit_kind	kind;
};

/**
 * struct lpae_walk - one walk over [@va, @end)
 * @pt:      the page table
 * @cb:      the visitor; <0 aborts the walk, >0 is an LPAE_WALK_* code
 * @flags:   LPAE_VISIT_* kinds to call @cb for, and LPAE_WALK_SETTLE
 * @run_lvl: level at which covered entries go to @cb as one run, in which
 *           case the walk goes no deeper; LPAE_LEVELS for none
 * @va:      current position, in the table's input address space
 * @end:     end of the range
 * @arg:     the visitor's own state
 */
struct lpae_walk {
	struct arm_lpae_io_pgtable	*pt;
	int (*cb)(struct lpae_walk *w, const struct lpae_visit *v);
	unsigned int			flags;
	int				run_lvl;
	u64				va;
	u64				end;
	void				*arg;
};

static int lpae_walk_tbl(struct lpae_walk *w, struct lpae_tbl *tbl);

static bool lpae_is_last(const struct lpae_tbl *tbl)
{
	return tbl->lvl == LPAE_LAST_LVL;
}

/* The companion slot of entry @idx above the last level, if allocated */
static struct lpae_tbl **lpae_kid_slot(struct lpae_tbl *tbl, unsigned int idx)
{
	/* The address dependency orders the slot read after the chunk's */
	struct lpae_tbl **chunk = READ_ONCE(tbl->kids[idx / LPAE_KIDS_PER_CHUNK]);

	return chunk ? &chunk[idx % LPAE_KIDS_PER_CHUNK] : NULL;
}

/* Companion lookup in a table above the last level */
static struct lpae_tbl *lpae_kid_of(struct lpae_tbl *tbl, unsigned int idx)
{
	struct lpae_tbl **slot = lpae_kid_slot(tbl, idx);

	/* Acquire: pairs with lpae_claim(), the child is fully built */
	return slot ? smp_load_acquire(slot) : NULL;
}

/* Companion lookup for a table we own the range of */
static struct lpae_tbl *lpae_kid(struct lpae_tbl *tbl, unsigned int idx)
{
	return lpae_is_last(tbl) ? NULL : lpae_kid_of(tbl, idx);
}

/* Read @tbl's entry @idx: the descriptor, then its child */
static struct lpae_tbl *lpae_load(struct lpae_tbl *tbl, unsigned int idx,
				  arm_lpae_iopte *pte)
{
	*pte = READ_ONCE(tbl->ptes[idx]);
	/* Pairs with lpae_claim()'s last smp_wmb(): claimed, then linked */
	smp_rmb();
	return lpae_kid(tbl, idx);
}

/*
 * Claim @parent's slot @idx for the fully built, published @child. Only the
 * winner's table can be linked there; a loser frees its own table (see
 * lpae_chain_build()).
 *
 * Return: 0, -EEXIST if another table was claimed first, -ENOMEM.
 */
static int lpae_claim(struct arm_lpae_io_pgtable *pt, struct lpae_tbl *parent,
		      unsigned int idx, struct lpae_tbl *child, gfp_t gfp)
{
	struct lpae_tbl **slot = lpae_kid_chunk(pt, parent, idx, gfp);

	if (!slot)
		return -ENOMEM;
	smp_wmb();	/* @child's contents and companions before the pointer */
	if (cmpxchg_relaxed(slot, NULL, child))
		return -EEXIST;
	smp_wmb();	/* claim before any descriptor change at @idx */
	return 0;
}

/* Clear @tbl's companion slot @idx, which holds a child */
static void lpae_unclaim(struct lpae_tbl *tbl, unsigned int idx)
{
	WRITE_ONCE(*lpae_kid_slot(tbl, idx), NULL);
}

/*
 * Can a table claimed over @old still replace descriptor @cur? A block may
 * have been marked dirty by the IOMMU, or cleaned by read_and_clear_dirty,
 * since it was copied; anything else means another caller got there first.
 */
static bool lpae_may_replace(arm_lpae_iopte cur, arm_lpae_iopte old)
{
	if (!lpae_pte_valid(old))
		return !lpae_pte_valid(cur);
	return lpae_pte_valid(cur) && !((cur ^ old) & ~LPAE_PTE_AP_RDONLY);
}

static bool lpae_pte_dirty(arm_lpae_iopte pte)
{
	return (pte & (LPAE_PTE_AP_RDONLY | LPAE_PTE_DBM)) == LPAE_PTE_DBM;
}

static void lpae_mark_dirty(struct arm_lpae_io_pgtable *pt,
			    struct lpae_tbl *tbl, u64 va);

/*
 * Decide the fate of claim @child, once: the first to decide wins, whoever
 * it is. Fully ordered, so that a LIVE table's descriptor is published
 * before anyone sees it LIVE.
 *
 * Return: true if @child is LIVE.
 */
static bool lpae_decide(struct lpae_tbl *child, u32 fate)
{
	u32 was = cmpxchg(&child->state, LPAE_LINKING, fate);

	return (was == LPAE_LINKING ? fate : was) == LPAE_LIVE;
}

/*
 * We swapped in @new for @was late, after the claim it points to was LOST
 * (the descriptor went back to what the claim replaces, in between): put
 * @was back unless the descriptor changed again, and drop any walk cached
 * through the lost table.
 */
static void lpae_unlink_lost(struct arm_lpae_io_pgtable *pt,
			     struct lpae_tbl *parent, unsigned int idx,
			     arm_lpae_iopte new, arm_lpae_iopte was)
{
	if (try_cmpxchg64_relaxed(&parent->ptes[idx], &new, was)) {
		if (lpae_pte_valid(was))
			atomic_inc(&parent->leaves);
		lpae_publish(pt, parent, idx, 1);
	}
	io_pgtable_tlb_flush_all(&pt->iop);
}

/*
 * lpae_link_complete() - swap claimed @child in for the descriptor it
 * replaces at @parent's @idx, and make that visible to the walker. Whoever
 * finds the claim unfinished calls this: the owner or anyone walking by.
 * @va is an address the entry translates.
 *
 * A split is hitless: the block stays valid until one compare-and-exchange
 * turns it into the table, whose leaves translate exactly as the block did
 * but for the range being unmapped, so DMA to the rest of the block never
 * faults. Without break-before-make the SMMU may briefly hold the block and
 * a page of the table for one address; an SMMU without BBML2 is allowed a
 * TLB conflict abort there. 6.12 promised its callers the split, so it is
 * kept, and the window is closed at once by invalidating the block, but
 * this is why later kernels stopped splitting blocks on unmap.
 *
 * Return: true once the table is live, false once it is LOST: the
 * descriptor changed to something it may not replace (the owner then gives
 * its claim up).
 */
static bool lpae_link_complete(struct arm_lpae_io_pgtable *pt,
			       struct lpae_tbl *parent, unsigned int idx,
			       struct lpae_tbl *child, u64 va)
{
	arm_lpae_iopte *ptep = &parent->ptes[idx];
	arm_lpae_iopte new = lpae_table_pte(pt, child);
	/* @was: the descriptor we replaced, @new while it is not us */
	arm_lpae_iopte cur = READ_ONCE(*ptep), was = new;

	while (cur != new) {
		if (!lpae_may_replace(cur, child->old))
			return lpae_decide(child, LPAE_LOST);
		/* Dirty since the copy: so are the leaves that replace it */
		if (lpae_pte_valid(cur) && lpae_pte_dirty(cur) &&
		    !lpae_pte_dirty(child->old))
			lpae_mark_dirty(pt, child, va);
		dma_wmb();	/* @child's entries before the descriptor */
		if (try_cmpxchg64_relaxed(ptep, &cur, new)) {
			was = cur;
			if (lpae_pte_valid(was))
				atomic_dec(&parent->leaves);	/* the block */
			break;
		}
	}
	lpae_publish(pt, parent, idx, 1);
	/* A split block may still be in the TLB: gone before anyone unmaps */
	if (lpae_pte_valid(child->old))
		io_pgtable_tlb_flush_all(&pt->iop);
	if (lpae_decide(child, LPAE_LIVE))
		return true;
	if (was != new)
		lpae_unlink_lost(pt, parent, idx, new, was);
	return false;
}

/*
 * A table someone claimed must be visible to the walker before we report
 * work beneath it: link it ourselves if its owner has not yet. False if the
 * claim lost to another descriptor write, whose result then counts.
 */
static bool lpae_settle(struct arm_lpae_io_pgtable *pt, struct lpae_tbl *parent,
			unsigned int idx, struct lpae_tbl *child, u64 va)
{
	/* Acquire: pairs with lpae_decide() */
	u32 state = smp_load_acquire(&child->state);

	if (state != LPAE_LINKING)
		return state == LPAE_LIVE;
	return lpae_link_complete(pt, parent, idx, child, va);
}

/* Type bits that suit the level: a leaf where a leaf may be, or a table */
static bool lpae_leaf_ok(const struct arm_lpae_io_pgtable *pt,
			 arm_lpae_iopte pte, int lvl)
{
	unsigned int shift = lpae_shift(pt, lvl);

	if ((pte & LPAE_PTE_TYPE) != lpae_leaf_type(pt, lvl))
		return false;
	return lvl == LPAE_LAST_LVL ||
	       (shift < BITS_PER_LONG && pt->pgsize_lvl[shift] == lvl);
}

/*
 * A valid descriptor that is not a leaf of its level and has no child table
 * is corrupt (a TABLE-type entry with no companion, say): never follow,
 * split or report it. Said once, as it is no caller's fault.
 */
static bool lpae_corrupt(const struct arm_lpae_io_pgtable *pt,
			 arm_lpae_iopte pte, int lvl)
{
	if (!lpae_pte_valid(pte) || lpae_leaf_ok(pt, pte, lvl))
		return false;
	pr_err_once("corrupt descriptor %#llx at level %d ignored\n", pte, lvl);
	return true;
}

static int lpae_call(struct lpae_walk *w, struct lpae_visit *v,
		     enum lpae_visit_kind kind)
{
	if (!(w->flags & kind))
		return 0;
	v->kind = kind;
	return w->cb(w, v);
}

static int lpae_walk_entry(struct lpae_walk *w, struct lpae_tbl *tbl,
			   unsigned int idx)
{
	u64 mask = lpae_block_size(w->pt, tbl->lvl) - 1;
	struct lpae_visit v = {
		.tbl = tbl, .idx = idx, .nr = 1, .lvl = tbl->lvl, .va = w->va,
	};
	u64 next = (w->va | mask) + 1;
	int ret;

	do {
		v.child = lpae_load(tbl, idx, &v.pte);
		if (v.child && (w->flags & LPAE_WALK_SETTLE) &&
		    !lpae_settle(w->pt, tbl, idx, v.child, w->va)) {
			v.child = NULL;	/* lost: the descriptor counts */
			v.pte = READ_ONCE(tbl->ptes[idx]);
		}

		if (!v.child) {
			ret = !(w->flags & LPAE_VISIT_LEAF) ? 0 :
			      lpae_corrupt(w->pt, v.pte, v.lvl) ? -EFAULT :
			      lpae_call(w, &v, LPAE_VISIT_LEAF);
			continue;
		}
		ret = lpae_call(w, &v, LPAE_VISIT_TABLE_PRE);
		if (!ret)
			ret = lpae_walk_tbl(w, v.child);
		if (!ret)
			ret = lpae_call(w, &v, LPAE_VISIT_TABLE_POST);
	} while (ret == LPAE_WALK_AGAIN);

	w->va = next;
	return ret == LPAE_WALK_SKIP ? 0 : ret;
}

static int lpae_walk_run(struct lpae_walk *w, struct lpae_tbl *tbl,
			 unsigned int idx)
{
	unsigned int shift = lpae_shift(w->pt, tbl->lvl);
	u64 start = w->va >> shift << shift;
	struct lpae_visit v = {
		.tbl = tbl, .idx = idx, .lvl = tbl->lvl, .va = w->va,
		.kind = LPAE_VISIT_RUN,
	};

	v.nr = min_t(u64, lpae_nr_entries(w->pt, tbl->lvl) - idx,
		     (w->end - start + (1ULL << shift) - 1) >> shift);
	w->va = start + ((u64)v.nr << shift);
	return w->cb(w, &v);
}

/* lpae_walk_tbl() - visit the part of [w->va, w->end) that @tbl translates */
static int lpae_walk_tbl(struct lpae_walk *w, struct lpae_tbl *tbl)
{
	unsigned int nr = lpae_nr_entries(w->pt, tbl->lvl);
	unsigned int idx = lpae_index(w->pt, tbl->lvl, w->va);
	int ret = 0;

	if (tbl->lvl == w->run_lvl)
		return lpae_walk_run(w, tbl, idx);
	if (lpae_is_last(tbl) && !(w->flags & LPAE_VISIT_LEAF))
		return 0;	/* nothing asked for at the last level */

	for (; !ret && idx < nr && w->va < w->end; idx++)
		ret = lpae_walk_entry(w, tbl, idx);
	return ret;
}

/*
 * Fast path of map and unmap: the table at @lvl on the path of @va, when
 * every table above it is installed and live; else NULL, and the caller
 * takes the full walk (which grows, splits and settles).
 */
static __always_inline struct lpae_tbl *
lpae_fast_tbl(struct arm_lpae_io_pgtable *pt, u64 va, int lvl)
{
	struct lpae_tbl *tbl = pt->root;
	int l;

	for (l = pt->start_lvl; l < lvl; l++) {
		struct lpae_tbl *child = lpae_kid_of(tbl, lpae_index(pt, l, va));

		/* Acquire: pairs with lpae_decide() */
		if (!child || smp_load_acquire(&child->state) != LPAE_LIVE)
			return NULL;
		tbl = child;
	}
	return tbl;
}

/* Walk everything below @tbl, which translates part of the range of @va */
static int lpae_walk_below(struct arm_lpae_io_pgtable *pt, struct lpae_tbl *tbl,
			   u64 va, struct lpae_walk *w)
{
	u64 span = lpae_tbl_span(pt, tbl->lvl);

	w->pt = pt;
	w->run_lvl = LPAE_LEVELS;
	w->va = va & ~(span - 1);
	w->end = w->va + span;
	return lpae_walk_tbl(w, tbl);
}

static int lpae_free_visit(struct lpae_walk *w, const struct lpae_visit *v)
{
	lpae_tbl_free(w->pt, v->child);
	return 0;
}

/* Free @tbl and its subtree: no walker can reach them any more */
static void lpae_free_tree(struct arm_lpae_io_pgtable *pt, struct lpae_tbl *tbl,
			   u64 va)
{
	struct lpae_walk w = {
		.cb = lpae_free_visit, .flags = LPAE_VISIT_TABLE_POST,
	};

	lpae_walk_below(pt, tbl, va, &w);
	lpae_tbl_free(pt, tbl);
}

static int lpae_used_visit(struct lpae_walk *w, const struct lpae_visit *v)
{
	return atomic_read(&v->child->leaves) ? -EEXIST : 0;
}

/*
 * Does the subtree at @tbl hold no mapping at all? The leaf counts answer
 * without reading a last-level entry: O(tables), not O(leaves).
 */
static bool lpae_tree_is_empty(struct arm_lpae_io_pgtable *pt,
			       struct lpae_tbl *tbl, u64 va)
{
	struct lpae_walk w = {
		.cb = lpae_used_visit, .flags = LPAE_VISIT_TABLE_PRE,
	};

	return !atomic_read(&tbl->leaves) && !lpae_walk_below(pt, tbl, va, &w);
}

/* --- Updates ------------------------------------------------------------- */

static u64 lpae_ias_mask(const struct arm_lpae_io_pgtable *pt)
{
	return pt->ias_mask;
}

/* The iova the TLB callbacks expect for table address @va */
static unsigned long lpae_iova(const struct arm_lpae_io_pgtable *pt, u64 va)
{
	if (pt->iop.cfg.quirks & IO_PGTABLE_QUIRK_ARM_TTBR1)
		va |= ~lpae_ias_mask(pt);
	return va;
}

/*
 * The child table of @tbl's entry @idx, once it is live, for an update of
 * the range: NULL for a leaf, an empty entry or a claim that lost.
 */
static struct lpae_tbl *lpae_live_kid(struct arm_lpae_io_pgtable *pt,
				      struct lpae_tbl *tbl, unsigned int idx,
				      u64 va)
{
	struct lpae_tbl *child = lpae_kid(tbl, idx);

	if (child && !lpae_settle(pt, tbl, idx, child, va))
		return NULL;
	return child;
}

/*
 * Clear the present entries (leaves or tables) from @idx, up to @max or the
 * first empty one, in one pass; return how many, and in @tables whether any
 * pointed to a table.
 */
static unsigned int lpae_clear_present(struct arm_lpae_io_pgtable *pt,
				       struct lpae_tbl *tbl, unsigned int idx,
				       unsigned int max, u64 va, bool *tables)
{
	arm_lpae_iopte *ptep = &tbl->ptes[idx];
	u64 size = lpae_block_size(pt, tbl->lvl);
	unsigned int nr = 0, kids = 0;

	if (lpae_is_last(tbl)) {
		for (; nr < max && lpae_pte_valid(READ_ONCE(ptep[nr])); nr++)
			WRITE_ONCE(ptep[nr], 0);
		atomic_sub(nr, &tbl->leaves);
		return nr;
	}
	for (; nr < max; nr++, va += size) {
		bool table = lpae_live_kid(pt, tbl, idx + nr, va);

		if (!table && !lpae_pte_valid(READ_ONCE(ptep[nr])))
			break;
		kids += table;
		WRITE_ONCE(ptep[nr], 0);
	}
	*tables = kids;
	atomic_sub(nr - kids, &tbl->leaves);
	return nr;
}

/* Queue the invalidation of @nr leaves of @tbl's level from @va */
static void lpae_queue_leaves(struct arm_lpae_io_pgtable *pt,
			      struct lpae_tbl *tbl, unsigned int nr, u64 va,
			      struct iommu_iotlb_gather *gather)
{
	u64 size = lpae_block_size(pt, tbl->lvl);
	unsigned long iova = lpae_iova(pt, va);

	/* A flush queue invalidates everything before the IOVAs are reused */
	if (!gather || iommu_iotlb_gather_queued(gather))
		return;
	for (; nr; nr--, iova += size)
		io_pgtable_tlb_add_page(&pt->iop, gather, iova, size);
}

/* Free the child tables of @nr cleared entries, invalidated already */
static void lpae_free_kids(struct arm_lpae_io_pgtable *pt, struct lpae_tbl *tbl,
			   unsigned int idx, unsigned int nr, u64 va)
{
	u64 size = lpae_block_size(pt, tbl->lvl);
	unsigned int i;

	for (i = 0; i < nr; i++, va += size) {
		struct lpae_tbl *child = lpae_kid(tbl, idx + i);

		/* Undecided or LOST: not linked here, not ours to free */
		if (!child || READ_ONCE(child->state) != LPAE_LIVE)
			continue;
		lpae_unclaim(tbl, idx + i);
		lpae_free_tree(pt, child, va);
	}
}

/*
 * lpae_break() - the one place live entries are removed (break-before-make):
 * clear the present entries from @idx, at most @max, make that visible to
 * the walker, then invalidate what the IOMMU may have cached through each
 * one, and only then free the tables they pointed to. Unmapped leaves are
 * queued in @gather. A table takes its leaves and walks with it: the only
 * callback documented to cover both, synchronously, is tlb_flush_all (one
 * command, where tlb_flush_walk would cost size/granule of them), and it
 * covers the rest of the run too.
 *
 * Return: the number of entries removed.
 */
static unsigned int lpae_break(struct arm_lpae_io_pgtable *pt,
			       struct lpae_tbl *tbl, unsigned int idx,
			       unsigned int max, u64 va,
			       struct iommu_iotlb_gather *gather)
{
	bool tables = false;
	unsigned int nr = lpae_clear_present(pt, tbl, idx, max, va, &tables);

	lpae_publish(pt, tbl, idx, nr);
	if (!tables) {
		lpae_queue_leaves(pt, tbl, nr, va, gather);
		return nr;
	}
	io_pgtable_tlb_flush_all(&pt->iop);
	lpae_free_kids(pt, tbl, idx, nr, va);
	return nr;
}

/* Write @nr leaves from @idx mapping consecutive blocks from @pa */
static __always_inline void lpae_write_leaves(struct arm_lpae_io_pgtable *pt,
					      struct lpae_tbl *tbl,
					      unsigned int idx, unsigned int nr,
					      u64 pa, arm_lpae_iopte attrs)
{
	u64 size = lpae_block_size(pt, tbl->lvl);
	arm_lpae_iopte pte = attrs | lpae_leaf_type(pt, tbl->lvl);
	unsigned int i;

	atomic_add(nr, &tbl->leaves);
	/* Below 48 bits the OA field is the address: step it, skip encoding */
	if (!((pa + (u64)nr * size - 1) >> 48)) {
		for (pte |= pa, i = 0; i < nr; i++, pte += size)
			WRITE_ONCE(tbl->ptes[idx + i], pte);
		return;
	}
	for (i = 0; i < nr; i++, pa += size)
		WRITE_ONCE(tbl->ptes[idx + i], pte | lpae_pa_to_oa(pa));
}

/**
 * struct lpae_span - a validated run of same-size entries
 * @va:   table address of the first entry
 * @size: size of each
 * @nr:   number of entries, all in one table
 * @lvl:  their level
 */
struct lpae_span {
	u64		va;
	u64		size;
	unsigned int	nr;
	int		lvl;
};

/* Is the iova range [@iova, @iova + @len) inside the input address space? */
static bool lpae_iova_in_range(const struct arm_lpae_io_pgtable *pt, u64 iova,
			       u64 len)
{
	u64 last = iova + len - 1, hi = ~lpae_ias_mask(pt);

	if (!len || last < iova)
		return false;
	return (iova & hi) == pt->iova_hi && (last & hi) == pt->iova_hi;
}

/*
 * Check the arguments of map_pages/unmap_pages and cut @pgcount down to the
 * entries of one table, so the work of a call is a single run.
 */
static __always_inline int lpae_span_init(struct arm_lpae_io_pgtable *pt,
					  unsigned long iova, size_t pgsize,
					  size_t pgcount, struct lpae_span *s)
{
	unsigned int idx, room;

	s->lvl = lpae_size_to_lvl(pt, pgsize);
	if (lpae_misuse(pt, !pgcount || s->lvl < 0 || (iova & (pgsize - 1))))
		return -EINVAL;

	s->size = pgsize;
	s->va = iova & lpae_ias_mask(pt);
	/* Entries from @va to the end of its table (its 1 << bpl at a pgd) */
	idx = s->va >> lpae_shift(pt, s->lvl);
	room = (~idx & pt->run_mask[s->lvl]) + 1;
	s->nr = min_t(size_t, pgcount, room);

	if (lpae_misuse(pt, !lpae_iova_in_range(pt, iova, s->nr * s->size)))
		return -ERANGE;
	return 0;
}

/*
 * Build the private tables for @s below @v's level, each filled by @fill,
 * then mapped, and link them in place of @v's descriptor as it was read.
 * They are freed if another table was claimed there first, or kept until
 * the page table is freed if the descriptor changed (LPAE_LOST); either way
 * the walk then revisits the entry and goes with what it finds.
 *
 * Return: 0 once linked, LPAE_WALK_AGAIN, or -ENOMEM (all freed).
 */
static int lpae_chain_build(struct arm_lpae_io_pgtable *pt,
			    const struct lpae_visit *v,
			    const struct lpae_span *s, gfp_t gfp,
			    void (*fill)(struct arm_lpae_io_pgtable *pt,
					 struct lpae_tbl *tbl,
					 const struct lpae_visit *v,
					 const struct lpae_span *s))
{
	struct lpae_tbl *top = NULL, *tbl, **slot;
	int lvl, ret;

	for (lvl = s->lvl; lvl > v->lvl; lvl--) {
		unsigned int idx = lpae_index(pt, lvl, s->va);

		tbl = lpae_tbl_alloc(pt, lvl, gfp);
		if (!tbl)
			goto discard;
		if (top) {
			slot = lpae_kid_chunk(pt, tbl, idx, gfp);
			if (!slot)
				goto discard;
			*slot = top;
			tbl->ptes[idx] = lpae_table_pte(pt, top);
		}
		fill(pt, tbl, v, s);
		/* Filled first: mapping it is its only cache maintenance */
		if (lpae_tbl_map(pt, tbl))
			goto discard;
		top = tbl;
	}

	top->old = v->pte;
	top->state = LPAE_LINKING;
	ret = lpae_claim(pt, v->tbl, v->idx, top, gfp);
	if (ret) {
		lpae_free_tree(pt, top, s->va);	/* nobody saw it */
		return ret == -EEXIST ? LPAE_WALK_AGAIN : ret;
	}
	if (lpae_link_complete(pt, v->tbl, v->idx, top, s->va))
		return 0;
	/* Others may still hold it: freed with the page table */
	lpae_unclaim(v->tbl, v->idx);
	llist_add(&top->lost, &pt->lost);
	return LPAE_WALK_AGAIN;

discard:
	/* The chain so far, mapped, and the table that failed, if any */
	if (top)
		lpae_free_tree(pt, top, s->va);
	if (tbl)
		lpae_tbl_release(pt, tbl);
	return -ENOMEM;
}

/* Map or unmap @s through the full walk: it grows, splits and settles */
static int lpae_span_walk(struct arm_lpae_io_pgtable *pt,
			  const struct lpae_span *s,
			  int (*cb)(struct lpae_walk *w,
				    const struct lpae_visit *v), void *req)
{
	struct lpae_walk w = {
		.pt = pt, .cb = cb, .arg = req,
		.flags = LPAE_VISIT_LEAF | LPAE_VISIT_RUN | LPAE_WALK_SETTLE,
		.run_lvl = s->lvl, .va = s->va, .end = s->va + s->nr * s->size,
	};

	return lpae_walk_tbl(&w, pt->root);
}

struct lpae_map_req {
	struct lpae_span	span;
	u64			pa;
	arm_lpae_iopte		attrs;
	gfp_t			gfp;
};

/*
 * Map target: every entry must be empty, or a table without any mapping
 * beneath it (which the block then replaces).
 */
static __always_inline int lpae_check_vacant(struct arm_lpae_io_pgtable *pt,
					     struct lpae_tbl *tbl,
					     unsigned int idx, unsigned int nr,
					     u64 va, bool *has_tables)
{
	u64 size = lpae_block_size(pt, tbl->lvl);
	arm_lpae_iopte any = 0;
	unsigned int i;

	if (lpae_is_last(tbl)) {
		/* A last-level table: one test for the whole run */
		for (i = 0; i < nr; i++)
			any |= READ_ONCE(tbl->ptes[idx + i]);
		return lpae_pte_valid(any) ? -EEXIST : 0;
	}
	for (i = 0; i < nr; i++, va += size) {
		struct lpae_tbl *child = lpae_live_kid(pt, tbl, idx + i, va);

		if (child ? !lpae_tree_is_empty(pt, child, va) :
			    lpae_pte_valid(READ_ONCE(tbl->ptes[idx + i])))
			return -EEXIST;
		*has_tables |= !!child;
	}
	return 0;
}

/* Tear down the (empty) tables in a vacant run, one break per group */
static void lpae_drop_tables(struct arm_lpae_io_pgtable *pt,
			     struct lpae_tbl *tbl, unsigned int idx,
			     unsigned int nr, u64 va)
{
	u64 size = lpae_block_size(pt, tbl->lvl);
	unsigned int i = 0, first;

	while (i < nr) {
		if (!lpae_kid(tbl, idx + i)) {
			i++;
			continue;
		}
		for (first = i; i < nr && lpae_kid(tbl, idx + i); i++)
			;
		lpae_break(pt, tbl, idx + first, i - first, va + first * size,
			   NULL);
	}
}

/*
 * Above the last level, blocks go only where the descriptor is still empty,
 * each with one compare-and-exchange: a table linked there meanwhile wins,
 * and the blocks written so far are taken back.
 */
static int lpae_install_blocks(struct arm_lpae_io_pgtable *pt,
			       struct lpae_tbl *tbl, unsigned int idx,
			       unsigned int nr, u64 pa, arm_lpae_iopte attrs)
{
	u64 size = lpae_block_size(pt, tbl->lvl);
	arm_lpae_iopte *ptep = &tbl->ptes[idx];
	arm_lpae_iopte pte = attrs | lpae_leaf_type(pt, tbl->lvl);
	unsigned int i;

	for (i = 0; i < nr; i++, pa += size) {
		arm_lpae_iopte cur = READ_ONCE(ptep[i]);

		if (lpae_pte_valid(cur) ||
		    !try_cmpxchg64_relaxed(&ptep[i], &cur,
					   pte | lpae_pa_to_oa(pa)))
			goto undo;
	}
	atomic_add(nr, &tbl->leaves);
	return 0;

undo:
	nr = i;
	while (i--)
		WRITE_ONCE(ptep[i], 0);
	/* Never reported mapped, but a walker may have cached them */
	lpae_publish(pt, tbl, idx, nr);
	if (nr)
		io_pgtable_tlb_flush_all(&pt->iop);
	return -EEXIST;
}

/* Map visitor, at the target level in an existing table */
static __always_inline int lpae_map_run(struct arm_lpae_io_pgtable *pt,
					const struct lpae_map_req *req,
					struct lpae_tbl *tbl, unsigned int idx)
{
	const struct lpae_span *s = &req->span;
	bool has_tables = false;

	if (lpae_misuse(pt, lpae_check_vacant(pt, tbl, idx, s->nr, s->va,
					      &has_tables)))
		return -EEXIST;
	if (has_tables)
		lpae_drop_tables(pt, tbl, idx, s->nr, s->va);

	if (lpae_is_last(tbl))
		lpae_write_leaves(pt, tbl, idx, s->nr, req->pa, req->attrs);
	else if (lpae_misuse(pt, lpae_install_blocks(pt, tbl, idx, s->nr,
						     req->pa, req->attrs)))
		return -EEXIST;
	lpae_publish(pt, tbl, idx, s->nr);
	return LPAE_WALK_STOP;
}

/* Map chain filler: the leaves, in place, so one descriptor links them all */
static void lpae_map_fill(struct arm_lpae_io_pgtable *pt, struct lpae_tbl *tbl,
			  const struct lpae_visit *v, const struct lpae_span *s)
{
	const struct lpae_map_req *req =
		container_of_const(s, struct lpae_map_req, span);

	if (tbl->lvl == s->lvl)
		lpae_write_leaves(pt, tbl, lpae_index(pt, s->lvl, s->va), s->nr,
				  req->pa, req->attrs);
}

static int lpae_map_visit(struct lpae_walk *w, const struct lpae_visit *v)
{
	const struct lpae_map_req *req = w->arg;

	if (v->kind == LPAE_VISIT_RUN)
		return lpae_map_run(w->pt, req, v->tbl, v->idx);
	if (lpae_misuse(w->pt, lpae_pte_valid(v->pte)))
		return -EEXIST;	/* a larger block covers the range */
	/* An empty entry above the target level: build the tables below it */
	return lpae_chain_build(w->pt, v, &req->span, req->gfp,
				lpae_map_fill) ?: LPAE_WALK_STOP;
}

/**
 * arm_lpae_map_pages() - io_pgtable_ops.map_pages: map @pgcount pages
 * @ops:        the page table
 * @iova:       first input address, aligned to @pgsize
 * @paddr:      first output address, aligned to @pgsize
 * @pgsize:     page size, one of cfg->pgsize_bitmap
 * @pgcount:    number of pages
 * @iommu_prot: IOMMU_* permissions and memory type
 * @gfp:        allocation flags for new tables
 * @mapped:     incremented by the bytes mapped
 *
 * Maps at most up to the end of one last-level table; the caller repeats
 * for the rest. Nothing changes on failure.
 *
 * Context: Any context @gfp allows: it is used for new tables, and nothing
 * else sleeps. No lock needed: concurrent calls on disjoint ranges are safe.
 *
 * Return: 0, -EINVAL or -ERANGE for bad arguments, -EEXIST if any part of
 * the range is mapped already, -ENOMEM.
 */
static int arm_lpae_map_pages(struct io_pgtable_ops *ops, unsigned long iova,
			      phys_addr_t paddr, size_t pgsize, size_t pgcount,
			      int iommu_prot, gfp_t gfp, size_t *mapped)
{
	struct arm_lpae_io_pgtable *pt = lpae_from_ops(ops);
	struct lpae_map_req req = { .pa = paddr, .gfp = gfp };
	struct lpae_tbl *tbl;
	u64 len;
	int ret;

	ret = lpae_span_init(pt, iova, pgsize, pgcount, &req.span);
	if (ret)
		return ret;
	len = req.span.nr * req.span.size;
	if (lpae_misuse(pt, req.pa & (pgsize - 1)))
		return -EINVAL;
	if (lpae_misuse(pt, (req.pa + len - 1) >> pt->iop.cfg.oas))
		return -ERANGE;
	if (!(iommu_prot & (IOMMU_READ | IOMMU_WRITE)))
		return -EINVAL;

	req.attrs = pt->prot_attrs[iommu_prot & (LPAE_PROTS - 1)];
	tbl = lpae_fast_tbl(pt, req.span.va, req.span.lvl);
	if (tbl)
		ret = lpae_map_run(pt, &req, tbl,
				   lpae_index(pt, tbl->lvl, req.span.va));
	else
		ret = lpae_span_walk(pt, &req.span, lpae_map_visit, &req);
	/* Entries written before anything can start a walk for the iova */
	wmb();
	if (ret < 0)
		return ret;
	*mapped += len;
	return 0;
}

struct lpae_unmap_req {
	struct lpae_span		span;
	struct iommu_iotlb_gather	*gather;
	size_t				unmapped;
};

/*
 * Split chain filler: every page of block @v but the range being unmapped,
 * with the block's attributes and dirty state.
 */
static void lpae_split_fill(struct arm_lpae_io_pgtable *pt,
			    struct lpae_tbl *tbl, const struct lpae_visit *v,
			    const struct lpae_span *s)
{
	int lvl = tbl->lvl;
	u64 blk_mask = lpae_block_size(pt, v->lvl) - 1;
	u64 blk_pa = lpae_oa_to_pa(pt, v->pte);
	arm_lpae_iopte attrs = v->pte & LPAE_PTE_LEAF_ATTRS;
	unsigned int nr = lpae_nr_entries(pt, lvl);
	unsigned int hole = lpae_index(pt, lvl, s->va);
	unsigned int skip = lvl == s->lvl ? s->nr : 1;
	u64 size = lpae_block_size(pt, lvl);
	u64 pa = blk_pa + (s->va & blk_mask & ~(lpae_tbl_span(pt, lvl) - 1));

	lpae_write_leaves(pt, tbl, 0, hole, pa, attrs);
	lpae_write_leaves(pt, tbl, hole + skip, nr - hole - skip,
			  pa + (hole + skip) * size, attrs);
}

/* Unmap visitor, at the target level: remove the leading present entries */
static int lpae_unmap_run(struct arm_lpae_io_pgtable *pt,
			  struct lpae_unmap_req *req, struct lpae_tbl *tbl,
			  unsigned int idx)
{
	unsigned int nr = lpae_break(pt, tbl, idx, req->span.nr, req->span.va,
				     req->gather);

	req->unmapped = nr * req->span.size;
	return LPAE_WALK_STOP;
}

static int lpae_unmap_visit(struct lpae_walk *w, const struct lpae_visit *v)
{
	struct lpae_unmap_req *req = w->arg;
	int ret;

	if (v->kind == LPAE_VISIT_RUN)
		return lpae_unmap_run(w->pt, req, v->tbl, v->idx);
	if (!lpae_pte_valid(v->pte))
		return LPAE_WALK_STOP;	/* nothing mapped here */
	/* A block above the target level: swap in its split (hitless) */
	ret = lpae_chain_build(w->pt, v, &req->span, GFP_ATOMIC,
			       lpae_split_fill);
	if (ret)
		return ret < 0 ? LPAE_WALK_STOP : ret;	/* nothing unmapped */
	req->unmapped = req->span.nr * req->span.size;
	return LPAE_WALK_STOP;
}

/**
 * arm_lpae_unmap_pages() - io_pgtable_ops.unmap_pages: unmap @pgcount pages
 * @ops:     the page table
 * @iova:    first input address, aligned to @pgsize
 * @pgsize:  page size, one of cfg->pgsize_bitmap
 * @pgcount: number of pages
 * @gather:  where unmapped leaves are queued for TLB invalidation, or NULL
 *
 * Stops at the first hole and at the end of one last-level table. A larger
 * block is split, a table in the way is freed with everything beneath it.
 *
 * Context: Any context: never sleeps (a split allocates with GFP_ATOMIC).
 * No lock needed: concurrent calls on disjoint ranges are safe.
 *
 * Return: bytes unmapped.
 */
static size_t arm_lpae_unmap_pages(struct io_pgtable_ops *ops,
				   unsigned long iova, size_t pgsize,
				   size_t pgcount,
				   struct iommu_iotlb_gather *gather)
{
	struct arm_lpae_io_pgtable *pt = lpae_from_ops(ops);
	struct lpae_unmap_req req = { .gather = gather };
	struct lpae_tbl *tbl;

	if (lpae_span_init(pt, iova, pgsize, pgcount, &req.span))
		return 0;

	tbl = lpae_fast_tbl(pt, req.span.va, req.span.lvl);
	if (tbl)
		lpae_unmap_run(pt, &req, tbl,
			       lpae_index(pt, tbl->lvl, req.span.va));
	else
		lpae_span_walk(pt, &req.span, lpae_unmap_visit, &req);
	return req.unmapped;
}

/* --- Lookups ------------------------------------------------------------- */

/**
 * arm_lpae_iova_to_phys() - io_pgtable_ops.iova_to_phys
 * @ops:  the page table
 * @iova: input address
 *
 * Context: Any context, never sleeps. No lock needed: concurrent calls on
 * ranges without @iova are safe.
 *
 * Return: the output address @iova translates to, or 0 if none.
 */
static phys_addr_t arm_lpae_iova_to_phys(struct io_pgtable_ops *ops,
					 unsigned long iova)
{
	struct arm_lpae_io_pgtable *pt = lpae_from_ops(ops);
	struct lpae_tbl *tbl = pt->root, *child;
	arm_lpae_iopte pte;
	u64 va;

	if (!lpae_iova_in_range(pt, iova, 1))
		return 0;
	va = iova & lpae_ias_mask(pt);

	/* The walk of lpae_walk_entry(), one entry per level */
	for (;;) {
		child = lpae_load(tbl, lpae_index(pt, tbl->lvl, va), &pte);
		/* Until a claimed table is linked, the descriptor is in force */
		if (!child || (READ_ONCE(child->state) != LPAE_LIVE &&
			       pte != lpae_table_pte(pt, child)))
			break;
		tbl = child;
	}
	if (!lpae_pte_valid(pte) || lpae_corrupt(pt, pte, tbl->lvl))
		return 0;
	return lpae_oa_to_pa(pt, pte) |
	       (va & (lpae_block_size(pt, tbl->lvl) - 1));
}

/**
 * struct lpae_dirty_req - state of a read_and_clear_dirty walk
 * @dirty: where dirty ranges are recorded
 * @flags: IOMMU_DIRTY_* flags of the request
 * @start: table address the walk started at
 * @end:   and ends at
 * @tbl:   table of the entries cleaned but not yet published
 * @lo:    first of them
 * @hi:    one past the last
 */
struct lpae_dirty_req {
	struct iommu_dirty_bitmap	*dirty;
	unsigned long			flags;
	u64				start;
	u64				end;
	struct lpae_tbl			*tbl;
	unsigned int			lo;
	unsigned int			hi;
};

/* Publish the cleaned entries once per contiguous run */
static void lpae_dirty_flush(struct arm_lpae_io_pgtable *pt,
			     struct lpae_dirty_req *req)
{
	if (req->tbl)
		lpae_publish(pt, req->tbl, req->lo, req->hi - req->lo);
	req->tbl = NULL;
}

/* Write-protect @ptep again unless the IOMMU has just changed it */
static void lpae_make_clean(arm_lpae_iopte *ptep, arm_lpae_iopte old)
{
	try_cmpxchg64_relaxed(ptep, &old, old | LPAE_PTE_AP_RDONLY);
}

static int lpae_dirty_mark_visit(struct lpae_walk *w,
				 const struct lpae_visit *v)
{
	arm_lpae_iopte old = v->pte;

	/* Leaves only ever go clean to dirty here: racing helpers agree */
	if (lpae_pte_valid(old) && (old & LPAE_PTE_DBM) && !lpae_pte_dirty(old))
		try_cmpxchg64_relaxed(&v->tbl->ptes[v->idx], &old,
				      old & ~LPAE_PTE_AP_RDONLY);
	return 0;
}

/*
 * Mark every leaf of @tbl's (not yet linked) subtree dirty, for a block that
 * the IOMMU marked dirty while @tbl was built to replace it. Only with HD,
 * which needs a coherent walker: nothing to sync.
 */
static void lpae_mark_dirty(struct arm_lpae_io_pgtable *pt,
			    struct lpae_tbl *tbl, u64 va)
{
	struct lpae_walk w = {
		.cb = lpae_dirty_mark_visit, .flags = LPAE_VISIT_LEAF,
	};

	lpae_walk_below(pt, tbl, va, &w);
}

/*
 * Report the part of a dirty leaf inside the range; clean the leaf only if
 * it lies wholly inside, as a read must never clean what it does not report
 * (iommufd's bitmap drops what lies outside its range). A leaf partly
 * covered stays dirty, to be reported again.
 */
static int lpae_dirty_visit(struct lpae_walk *w, const struct lpae_visit *v)
{
	struct lpae_dirty_req *req = w->arg;
	u64 size = lpae_block_size(w->pt, v->lvl);
	u64 leaf = v->va & ~(size - 1);
	u64 start = max(leaf, req->start);
	u64 end = min(leaf + size, req->end);

	if (!lpae_pte_valid(v->pte) || !lpae_pte_dirty(v->pte))
		return 0;

	iommu_dirty_bitmap_record(req->dirty, lpae_iova(w->pt, start),
				  end - start);
	if ((req->flags & IOMMU_DIRTY_NO_CLEAR) || start != leaf ||
	    end != leaf + size)
		return 0;

	lpae_make_clean(&v->tbl->ptes[v->idx], v->pte);
	if (req->tbl != v->tbl || req->hi != v->idx) {
		lpae_dirty_flush(w->pt, req);
		req->tbl = v->tbl;
		req->lo = v->idx;
	}
	req->hi = v->idx + 1;
	return 0;
}

/**
 * arm_lpae_read_and_clear_dirty() - io_pgtable_ops.read_and_clear_dirty
 * @ops:   the page table (stage 1 with IO_PGTABLE_QUIRK_ARM_HD)
 * @iova:  start of the range
 * @size:  its size
 * @flags: IOMMU_DIRTY_NO_CLEAR to leave entries dirty
 * @dirty: where to record the dirty ranges
 *
 * Context: May sleep only in iommu_dirty_bitmap_record(), which may pin the
 * pages of @dirty's bitmap; allocates nothing. No lock needed: concurrent
 * calls on disjoint ranges are safe.
 *
 * Return: 0, or -EINVAL for a bad range or format.
 */
static int arm_lpae_read_and_clear_dirty(struct io_pgtable_ops *ops,
					 unsigned long iova, size_t size,
					 unsigned long flags,
					 struct iommu_dirty_bitmap *dirty)
{
	struct arm_lpae_io_pgtable *pt = lpae_from_ops(ops);
	struct lpae_dirty_req req = { .dirty = dirty, .flags = flags };
	struct lpae_walk w = {
		.pt = pt, .cb = lpae_dirty_visit, .arg = &req,
		.flags = LPAE_VISIT_LEAF | LPAE_WALK_SETTLE,
		.run_lvl = LPAE_LEVELS,
	};
	int ret;

	if (lpae_misuse(pt, !size || !lpae_iova_in_range(pt, iova, size)))
		return -EINVAL;
	if (pt->iop.fmt != ARM_64_LPAE_S1)
		return -EINVAL;

	req.start = iova & lpae_ias_mask(pt);
	req.end = req.start + size;
	w.va = req.start;
	w.end = req.end;
	ret = lpae_walk_tbl(&w, pt->root);
	lpae_dirty_flush(pt, &req);
	return ret;
}

/* --- Formats ------------------------------------------------------------- */

/*
 * Keep the page sizes of one granule: the CPU's if offered, else the largest
 * smaller one, else the smallest larger one.
 */
static void lpae_restrict_pgsizes(struct io_pgtable_cfg *cfg)
{
	unsigned long sizes = cfg->pgsize_bitmap, small = sizes & (PAGE_SIZE - 1);
	unsigned long granule = 0, allowed = 0;
	unsigned int max_bits = 48;

	if (sizes & PAGE_SIZE)
		granule = PAGE_SIZE;
	else if (small)
		granule = 1UL << __fls(small);
	else if (sizes)
		granule = 1UL << __ffs(sizes);

	switch (granule) {
	case SZ_4K:
		allowed = SZ_4K | SZ_2M | SZ_1G;
		break;
	case SZ_16K:
		allowed = SZ_16K | SZ_32M;
		break;
	case SZ_64K:
		max_bits = LPAE_MAX_ADDR_BITS;
		allowed = SZ_64K | SZ_512M;
		if (cfg->oas > 48)
			allowed |= (unsigned long)(1ULL << 42);	/* 4TB */
		break;
	}

	cfg->pgsize_bitmap &= allowed;
	cfg->ias = min(cfg->ias, max_bits);
	cfg->oas = min(cfg->oas, max_bits);
}

/* TCR.IPS / VTCR.PS encoding of @oas, or -EINVAL */
static int lpae_ps_field(unsigned int oas)
{
	static const u8 bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	int i;

	for (i = 0; i < ARRAY_SIZE(bits); i++)
		if (bits[i] == oas)
			return i;
	return -EINVAL;
}

/* TCR.TG0 (or TG1) encoding of the granule */
static unsigned int lpae_tg_field(const struct arm_lpae_io_pgtable *pt, bool tg1)
{
	switch (lpae_granule(pt)) {
	case SZ_16K:
		return tg1 ? ARM_LPAE_TCR_TG1_16K : ARM_LPAE_TCR_TG0_16K;
	case SZ_64K:
		return tg1 ? ARM_LPAE_TCR_TG1_64K : ARM_LPAE_TCR_TG0_64K;
	default:
		return tg1 ? ARM_LPAE_TCR_TG1_4K : ARM_LPAE_TCR_TG0_4K;
	}
}

static u64 lpae_pack_attrs(const u8 *attrs)
{
	u64 reg = 0;
	int i;

	for (i = 0; i < LPAE_MAIR_SLOTS; i++)
		reg |= (u64)attrs[i] << (8 * i);
	return reg;
}

static const struct io_pgtable_ops lpae_ops = {
	.map_pages		= arm_lpae_map_pages,
	.unmap_pages		= arm_lpae_unmap_pages,
	.iova_to_phys		= arm_lpae_iova_to_phys,
	.read_and_clear_dirty	= arm_lpae_read_and_clear_dirty,
};

/* Common set-up: page sizes and the level geometry; no table yet */
static struct arm_lpae_io_pgtable *
lpae_pgtable_new(struct io_pgtable_cfg *cfg, void *cookie,
		 enum io_pgtable_fmt fmt)
{
	struct arm_lpae_io_pgtable *pt;
	unsigned int pg_shift, va_bits, levels;

	lpae_restrict_pgsizes(cfg);
	if (!(cfg->pgsize_bitmap & (SZ_4K | SZ_16K | SZ_64K)))
		return NULL;

	pg_shift = __ffs(cfg->pgsize_bitmap);
	if (cfg->ias <= pg_shift)
		return NULL;

	pt = kzalloc(sizeof(*pt), GFP_KERNEL);
	if (!pt)
		return NULL;

	pt->bpl = pg_shift - LPAE_PTE_SHIFT;
	va_bits = cfg->ias - pg_shift;
	levels = DIV_ROUND_UP(va_bits, pt->bpl);
	pt->start_lvl = LPAE_LEVELS - levels;
	pt->pgd_bits = va_bits - pt->bpl * (levels - 1);

	/* io-pgtable.c sets these too, but only after we return */
	pt->iop.fmt = fmt;
	pt->iop.cookie = cookie;
	pt->iop.ops = lpae_ops;
	pt->mem = cfg->coherent_walk ? &lpae_mem_coherent : &lpae_mem_dma;
	return pt;
}

/*
 * A bounce slot is aligned to a page at best, and keeps only the address
 * bits of the device's min_align_mask: ask the DMA layer to keep those of
 * the largest table, so that every bounce copy is aligned to its size as
 * the walker needs. Where that cannot be had, or the DMA layer could not
 * bounce a table that large, refuse now rather than at random on a map.
 */
static int lpae_dma_align(struct arm_lpae_io_pgtable *pt)
{
	struct device *dev = pt->iop.cfg.iommu_dev;
	size_t bytes = max(lpae_tbl_bytes(pt, pt->start_lvl), lpae_granule(pt));
	unsigned int mask = bytes - 1;

	if (pt->iop.cfg.coherent_walk || bytes <= PAGE_SIZE ||
	    dma_max_mapping_size(dev) == SIZE_MAX)
		return 0;	/* no bouncing, or no alignment to ask for */
	if (!dev->dma_parms) {
		dev_err(dev, "cannot keep %zu-byte page tables aligned in bounce buffers: no DMA parameters\n",
			bytes);
		return -EINVAL;
	}
	dma_set_min_align_mask(dev, dma_get_min_align_mask(dev) | mask);
	if (bytes > dma_max_mapping_size(dev)) {
		dev_err(dev, "%zu-byte page tables cannot be bounced (at most %zu bytes)\n",
			bytes, dma_max_mapping_size(dev));
		return -EINVAL;
	}
	return 0;
}

/* Allocate the top table; on failure free @pt too */
static int lpae_pgtable_finish(struct arm_lpae_io_pgtable *pt,
			       struct io_pgtable_cfg *cfg)
{
	pt->iop.cfg = *cfg;
	lpae_init_lookups(pt);
	if (lpae_dma_align(pt)) {
		kfree(pt);
		return -EINVAL;
	}
	pt->root = lpae_tbl_alloc(pt, pt->start_lvl, GFP_KERNEL);
	if (pt->root && lpae_tbl_map(pt, pt->root)) {
		lpae_tbl_release(pt, pt->root);
		pt->root = NULL;
	}
	if (!pt->root) {
		kfree(pt);
		return -ENOMEM;
	}
	/* The empty table is visible before its address reaches a register */
	wmb();
	return 0;
}

/* Shareability and cacheability of the walker's table reads (TCR, VTCR) */
struct lpae_walk_attrs {
	u8	sh;
	u8	irgn;
	u8	orgn;
};

/*
 * A coherent walker reads the tables inner shareable and write-back; a
 * non-coherent one outer shareable and non-cacheable, unless the outer
 * write-back override asks for an outer cacheable walk.
 */
static struct lpae_walk_attrs lpae_walk_attrs(bool coherent, bool outer_wbwa)
{
	if (coherent)
		return (struct lpae_walk_attrs) {
			.sh = ARM_LPAE_TCR_SH_IS,
			.irgn = ARM_LPAE_TCR_RGN_WBWA,
			.orgn = ARM_LPAE_TCR_RGN_WBWA,
		};
	return (struct lpae_walk_attrs) {
		.sh = ARM_LPAE_TCR_SH_OS,
		.irgn = ARM_LPAE_TCR_RGN_NC,
		.orgn = outer_wbwa ? ARM_LPAE_TCR_RGN_WBWA : ARM_LPAE_TCR_RGN_NC,
	};
}

static struct io_pgtable *lpae_alloc_s1(struct io_pgtable_cfg *cfg,
					void *cookie, enum io_pgtable_fmt fmt)
{
	typeof(cfg->arm_lpae_s1_cfg.tcr) *tcr = &cfg->arm_lpae_s1_cfg.tcr;
	bool outer_wbwa = cfg->quirks & IO_PGTABLE_QUIRK_ARM_OUTER_WBWA;
	struct lpae_walk_attrs walk;
	struct arm_lpae_io_pgtable *pt;
	int ps;

	if (cfg->quirks & ~(IO_PGTABLE_QUIRK_ARM_NS |
			    IO_PGTABLE_QUIRK_ARM_TTBR1 |
			    IO_PGTABLE_QUIRK_ARM_OUTER_WBWA |
			    IO_PGTABLE_QUIRK_ARM_HD |
			    LPAE_QUIRKS_ANY_FORMAT))
		return NULL;
	/*
	 * A walker that sets dirty bits writes to the tables: the streaming
	 * mappings of a non-coherent one are for the device to read only
	 * (under SWIOTLB its writes would land in a bounce copy that the next
	 * sync overwrites).
	 */
	if ((cfg->quirks & IO_PGTABLE_QUIRK_ARM_HD) && !cfg->coherent_walk) {
		pr_err("dirty tracking (IO_PGTABLE_QUIRK_ARM_HD) needs a coherent walker\n");
		return NULL;
	}

	pt = lpae_pgtable_new(cfg, cookie, fmt);
	if (!pt)
		return NULL;

	ps = lpae_ps_field(cfg->oas);
	/* The outer attribute override only makes sense for a non-coherent walk */
	if (ps < 0 || (cfg->coherent_walk && outer_wbwa)) {
		kfree(pt);
		return NULL;
	}

	walk = lpae_walk_attrs(cfg->coherent_walk, outer_wbwa);
	tcr->sh = walk.sh;
	tcr->irgn = walk.irgn;
	tcr->orgn = walk.orgn;
	tcr->tg = lpae_tg_field(pt, cfg->quirks & IO_PGTABLE_QUIRK_ARM_TTBR1);
	tcr->ips = ps;
	tcr->tsz = 64 - cfg->ias;
	cfg->arm_lpae_s1_cfg.mair = lpae_pack_attrs(lpae_s1_mair_attrs);

	if (lpae_pgtable_finish(pt, cfg))
		return NULL;
	cfg->arm_lpae_s1_cfg.ttbr = pt->root->dma;
	return &pt->iop;
}

/*
 * May stage 2 start at pt->start_lvl? Without FEAT_LPA2, VTCR.SL0 offers
 * level 0 only to the 4K granule and, like level 1 at 64K, only with a PA
 * size of 44 bits or more; level 1 at 16K needs 42 bits.
 */
static bool lpae_s2_start_ok(const struct arm_lpae_io_pgtable *pt,
			     unsigned int oas)
{
	size_t granule = lpae_granule(pt);

	if (pt->start_lvl == 0)
		return granule == SZ_4K && oas >= 44;
	if (pt->start_lvl == 1 && granule != SZ_4K)
		return oas >= (granule == SZ_16K ? 42 : 44);
	return true;
}

/*
 * Concatenate up to 16 tables at the next level where the start level is
 * not allowed (mandatory: R_DXBSH, R_SRKBC), and, as 6.12 does, where a
 * small level 0 allows it (one walk step less).
 */
static int lpae_s2_concat(struct arm_lpae_io_pgtable *pt, unsigned int oas)
{
	bool optional = pt->start_lvl == 0;

	while (optional || !lpae_s2_start_ok(pt, oas)) {
		if ((1U << pt->pgd_bits) > LPAE_S2_MAX_CONCAT)
			return lpae_s2_start_ok(pt, oas) ? 0 : -EINVAL;
		pt->pgd_bits += pt->bpl;
		pt->start_lvl++;
		optional = false;
	}
	return 0;
}

static struct io_pgtable *lpae_alloc_s2(struct io_pgtable_cfg *cfg,
					void *cookie, enum io_pgtable_fmt fmt)
{
	typeof(cfg->arm_lpae_s2_cfg.vtcr) *vtcr = &cfg->arm_lpae_s2_cfg.vtcr;
	struct lpae_walk_attrs walk;
	struct arm_lpae_io_pgtable *pt;
	unsigned int sl;
	int ps;

	/* No table quirk applies at stage 2, not even NS */
	if (cfg->quirks & ~LPAE_QUIRKS_ANY_FORMAT)
		return NULL;

	pt = lpae_pgtable_new(cfg, cookie, fmt);
	if (!pt)
		return NULL;

	ps = lpae_ps_field(cfg->oas);
	if (ps < 0 || lpae_s2_concat(pt, cfg->oas)) {
		kfree(pt);
		return NULL;
	}

	walk = lpae_walk_attrs(cfg->coherent_walk, false);
	vtcr->sh = walk.sh;
	vtcr->irgn = walk.irgn;
	vtcr->orgn = walk.orgn;
	vtcr->tg = lpae_tg_field(pt, false);
	vtcr->ps = ps;
	vtcr->tsz = 64 - cfg->ias;
	/* SL0 counts down from the last level; 4K numbers it one further */
	sl = pt->start_lvl + (lpae_granule(pt) == SZ_4K);
	vtcr->sl = ~sl & 3;

	if (lpae_pgtable_finish(pt, cfg))
		return NULL;
	cfg->arm_lpae_s2_cfg.vttbr = pt->root->dma;
	return &pt->iop;
}

/**
 * arm_64_lpae_alloc_pgtable_s1() - io_pgtable_init_fns.alloc of ARM_64_LPAE_S1
 * @cfg:    the configuration, adjusted and completed with the register values
 * @cookie: for the TLB and allocator callbacks
 *
 * Context: May sleep (GFP_KERNEL); may raise cfg->iommu_dev's min_align_mask.
 * Return: the page table, or NULL.
 */
static struct io_pgtable *
arm_64_lpae_alloc_pgtable_s1(struct io_pgtable_cfg *cfg, void *cookie)
{
	return lpae_alloc_s1(cfg, cookie, ARM_64_LPAE_S1);
}

/**
 * arm_64_lpae_alloc_pgtable_s2() - io_pgtable_init_fns.alloc of ARM_64_LPAE_S2
 * @cfg:    the configuration, adjusted and completed with the register values
 * @cookie: for the TLB and allocator callbacks
 *
 * Context: May sleep (GFP_KERNEL); may raise cfg->iommu_dev's min_align_mask.
 * Return: the page table, or NULL.
 */
static struct io_pgtable *
arm_64_lpae_alloc_pgtable_s2(struct io_pgtable_cfg *cfg, void *cookie)
{
	return lpae_alloc_s2(cfg, cookie, ARM_64_LPAE_S2);
}

/**
 * arm_32_lpae_alloc_pgtable_s1() - io_pgtable_init_fns.alloc of ARM_32_LPAE_S1
 * @cfg:    the configuration, adjusted and completed with the register values
 * @cookie: for the TLB and allocator callbacks
 *
 * Context: May sleep (GFP_KERNEL); may raise cfg->iommu_dev's min_align_mask.
 * Return: the page table, or NULL.
 */
static struct io_pgtable *
arm_32_lpae_alloc_pgtable_s1(struct io_pgtable_cfg *cfg, void *cookie)
{
	if (cfg->ias > 32 || cfg->oas > 40)
		return NULL;
	cfg->pgsize_bitmap &= SZ_4K | SZ_2M | SZ_1G;
	return lpae_alloc_s1(cfg, cookie, ARM_32_LPAE_S1);
}

/**
 * arm_32_lpae_alloc_pgtable_s2() - io_pgtable_init_fns.alloc of ARM_32_LPAE_S2
 * @cfg:    the configuration, adjusted and completed with the register values
 * @cookie: for the TLB and allocator callbacks
 *
 * Context: May sleep (GFP_KERNEL); may raise cfg->iommu_dev's min_align_mask.
 * Return: the page table, or NULL.
 */
static struct io_pgtable *
arm_32_lpae_alloc_pgtable_s2(struct io_pgtable_cfg *cfg, void *cookie)
{
	if (cfg->ias > 40 || cfg->oas > 40)
		return NULL;
	cfg->pgsize_bitmap &= SZ_4K | SZ_2M | SZ_1G;
	return lpae_alloc_s2(cfg, cookie, ARM_32_LPAE_S2);
}

/**
 * arm_mali_lpae_alloc_pgtable() - io_pgtable_init_fns.alloc of ARM_MALI_LPAE
 * @cfg:    the configuration, adjusted and completed with the register values
 * @cookie: for the TLB and allocator callbacks
 *
 * Context: May sleep (GFP_KERNEL); may raise cfg->iommu_dev's min_align_mask.
 * Return: the page table, or NULL.
 */
static struct io_pgtable *
arm_mali_lpae_alloc_pgtable(struct io_pgtable_cfg *cfg, void *cookie)
{
	struct arm_lpae_io_pgtable *pt;

	if ((cfg->quirks & ~LPAE_QUIRKS_ANY_FORMAT) || cfg->ias > 48 ||
	    cfg->oas > 40)
		return NULL;
	cfg->pgsize_bitmap &= SZ_4K | SZ_2M | SZ_1G;

	pt = lpae_pgtable_new(cfg, cookie, ARM_MALI_LPAE);
	if (!pt)
		return NULL;

	/* Mali always walks four levels: a level 0 with a single entry */
	if (pt->start_lvl > 0) {
		pt->start_lvl = 0;
		pt->pgd_bits = 0;
	}
	cfg->arm_mali_lpae_cfg.memattr = lpae_pack_attrs(lpae_mali_memattrs);

	if (lpae_pgtable_finish(pt, cfg))
		return NULL;
	cfg->arm_mali_lpae_cfg.transtab = pt->root->dma |
					  LPAE_MALI_TRANSTAB_READ_INNER |
					  LPAE_MALI_TRANSTAB_ADRMODE_TABLE;
	if (cfg->coherent_walk)
		cfg->arm_mali_lpae_cfg.transtab |= LPAE_MALI_TRANSTAB_SHARE_OUTER;
	return &pt->iop;
}

/**
 * arm_lpae_free_pgtable() - io_pgtable_init_fns.free
 * @iop: the page table, with every table beneath it
 *
 * Context: Any context, never sleeps. Nothing may use @iop meanwhile or after.
 */
static void arm_lpae_free_pgtable(struct io_pgtable *iop)
{
	struct arm_lpae_io_pgtable *pt =
		container_of(iop, struct arm_lpae_io_pgtable, iop);
	struct lpae_tbl *tbl, *next;

	lpae_free_tree(pt, pt->root, 0);
	llist_for_each_entry_safe(tbl, next, llist_del_all(&pt->lost), lost)
		lpae_free_tree(pt, tbl, 0);
	kfree(pt);
}

struct io_pgtable_init_fns io_pgtable_arm_64_lpae_s1_init_fns = {
	.caps	= IO_PGTABLE_CAP_CUSTOM_ALLOCATOR,
	.alloc	= arm_64_lpae_alloc_pgtable_s1,
	.free	= arm_lpae_free_pgtable,
};

struct io_pgtable_init_fns io_pgtable_arm_64_lpae_s2_init_fns = {
	.caps	= IO_PGTABLE_CAP_CUSTOM_ALLOCATOR,
	.alloc	= arm_64_lpae_alloc_pgtable_s2,
	.free	= arm_lpae_free_pgtable,
};

struct io_pgtable_init_fns io_pgtable_arm_32_lpae_s1_init_fns = {
	.caps	= IO_PGTABLE_CAP_CUSTOM_ALLOCATOR,
	.alloc	= arm_32_lpae_alloc_pgtable_s1,
	.free	= arm_lpae_free_pgtable,
};

struct io_pgtable_init_fns io_pgtable_arm_32_lpae_s2_init_fns = {
	.caps	= IO_PGTABLE_CAP_CUSTOM_ALLOCATOR,
	.alloc	= arm_32_lpae_alloc_pgtable_s2,
	.free	= arm_lpae_free_pgtable,
};

struct io_pgtable_init_fns io_pgtable_arm_mali_lpae_init_fns = {
	.caps	= IO_PGTABLE_CAP_CUSTOM_ALLOCATOR,
	.alloc	= arm_mali_lpae_alloc_pgtable,
	.free	= arm_lpae_free_pgtable,
};
