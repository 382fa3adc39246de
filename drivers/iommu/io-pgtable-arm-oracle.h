/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test oracles for the ARM LPAE io-pgtable formats, written once for the
 * two hosts that check them: the KUnit suite (io-pgtable-arm-selftests.c)
 * and the userspace harness (tools/testing/io-pgtable), which includes this
 * file as radix-tree's harness includes lib/test_xarray.c.
 *
 * Written from the Arm architecture's long-descriptor format (VMSAv8-64
 * stage 1 and stage 2, the ARMv7 LPAE format it extends) and from Mali's
 * LPAE-mode encodings, never from an implementation:
 *  - lpae_geom_decode(): the walker's geometry from the registers the code
 *    reports in struct io_pgtable_cfg, and their agreement with the cfg;
 *  - lpae_desc_decode(), lpae_leaf_sem(): one descriptor, as the walker
 *    reads it; lpae_prot_sem(): what an IOMMU_* prot must read as;
 *  - lpae_walk(), lpae_enum(): a translation and a walk of every table,
 *    through a read callback (each host reaches table memory its own way);
 *  - struct lpae_extents: the expected mappings;
 *  - lpae_bad_cases[]: each bad-input rule, its arguments and its answer;
 *  - lpae_scribble_desc(): the corrupted descriptors, and their layout;
 *  - struct lpae_tlb_books: the TLB contract of an unmap call.
 *
 * Every function is static: only the two test hosts include this file.
 */
#ifndef _IO_PGTABLE_ARM_ORACLE_H
#define _IO_PGTABLE_ARM_ORACLE_H

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/io-pgtable.h>
#include <linux/iommu.h>
#include <linux/kernel.h>
#include <linux/sizes.h>
#include <linux/stdarg.h>
#include <linux/string.h>
#include <linux/types.h>

/* Descriptor fields (VMSAv8-64 stage 1 and stage 2, LPAE) */
#define LPAE_D_VALID		BIT_ULL(0)
#define LPAE_D_TYPE		GENMASK_ULL(1, 0)
#define LPAE_D_TYPE_BLOCK	1
#define LPAE_D_TYPE_TABLE	3	/* a page at level 3 */
#define LPAE_D_ATTRINDX		GENMASK_ULL(4, 2)
#define LPAE_D_S2_MEMATTR	GENMASK_ULL(5, 2)
#define LPAE_D_NS		BIT_ULL(5)
#define LPAE_D_AP1		BIT_ULL(6)	/* S1: EL0 access; S2, Mali: read */
#define LPAE_D_AP2		BIT_ULL(7)	/* S1: read-only; S2, Mali: write */
#define LPAE_D_SH		GENMASK_ULL(9, 8)
#define LPAE_D_AF		BIT_ULL(10)
#define LPAE_D_DBM		BIT_ULL(51)
#define LPAE_D_PXN		BIT_ULL(53)
#define LPAE_D_UXN		BIT_ULL(54)	/* S2 XN[1], Mali NX */
#define LPAE_T_PXN		BIT_ULL(59)
#define LPAE_T_UXN		BIT_ULL(60)
#define LPAE_T_AP0		BIT_ULL(61)	/* no EL0 access below */
#define LPAE_T_AP1		BIT_ULL(62)	/* read-only below */
#define LPAE_T_NS		BIT_ULL(63)
#define LPAE_MALI_ATE		1
#define LPAE_MALI_ADRMODE	GENMASK_ULL(1, 0)
#define LPAE_MALI_ADRMODE_TABLE	3
#define LPAE_MALI_SHARE_OUTER	BIT_ULL(4)

/**
 * struct lpae_geom - a walker's geometry, decoded from its registers
 * @fmt: the io-pgtable format
 * @s2: stage 2 (VTCR/VTTBR)
 * @mali: Mali LPAE mode (TRANSTAB/MEMATTR)
 * @ttbr1: the TTBR1 quirk: the upper half of the address space
 * @hd: hardware dirty state (IO_PGTABLE_QUIRK_ARM_HD)
 * @ns_quirk: IO_PGTABLE_QUIRK_ARM_NS
 * @gshift: log2 of the granule
 * @bpl: index bits per full table
 * @ias: input address bits the walker resolves
 * @pa_bits: output address bits
 * @start_level: the initial lookup level
 * @root: DMA address of the root table
 * @root_entries: entries of the root table (up to 16 tables concatenated)
 * @mair: the memory attributes of stage 1 and Mali
 */
struct lpae_geom {
	enum io_pgtable_fmt	fmt;
	bool			s2, mali, ttbr1, hd, ns_quirk;
	int			gshift, bpl, ias, pa_bits, start_level;
	u64			root, root_entries;
	u64			mair;
};

static inline u64 lpae_geom_level_shift(const struct lpae_geom *g, int lvl)
{
	return g->gshift + (u64)(3 - lvl) * g->bpl;
}

static inline u64 lpae_geom_entries(const struct lpae_geom *g, int lvl)
{
	return lvl == g->start_level ? g->root_entries : 1ULL << g->bpl;
}

/* The lowest input address: TTBR1 tables translate the top of the space */
static inline u64 lpae_geom_base(const struct lpae_geom *g)
{
	return g->ttbr1 ? ~0ULL << g->ias : 0;
}

static inline bool lpae_geom_input_ok(const struct lpae_geom *g, u64 iova)
{
	u64 top = g->ias >= 64 ? 0 : iova >> g->ias;

	return top == (g->ttbr1 ? ~0ULL >> g->ias : 0);
}

/* (V)TCR.(I)PS */
static int lpae_ps_bits(unsigned int ps)
{
	static const int bits[] = { 32, 36, 40, 42, 44, 48, 52 };

	return ps < ARRAY_SIZE(bits) ? bits[ps] : -1;
}

/* TCR.TG0 and VTCR.TG0: 0 4K, 1 64K, 2 16K; TCR.TG1: 1 16K, 2 4K, 3 64K */
static int lpae_tg_shift(unsigned int tg, bool tg1)
{
	static const int tg0[] = { 12, 16, 14, 0 }, tg1s[] = { 0, 14, 12, 16 };

	return tg1 ? tg1s[tg & 3] : tg0[tg & 3];
}

/* Stage 2's VTCR.SL0 counts down from level 2 (4K) or 3 (16K, 64K) */
static int lpae_s2_start_level(int gshift, unsigned int sl0)
{
	int lvl = (gshift == 12 ? 2 : 3) - (int)sl0;

	if (sl0 > 2 || (gshift == 16 && lvl < 1))
		return -1;
	return lvl;
}

static int lpae_geom_mali(struct lpae_geom *g, const struct io_pgtable_cfg *cfg,
			  char *err, size_t len)
{
	u64 tt = cfg->arm_mali_lpae_cfg.transtab;

	if (FIELD_GET(LPAE_MALI_ADRMODE, tt) != LPAE_MALI_ADRMODE_TABLE) {
		snprintf(err, len, "TRANSTAB %#llx: address mode is not TABLE", tt);
		return -EINVAL;
	}
	if (!!(tt & LPAE_MALI_SHARE_OUTER) != cfg->coherent_walk) {
		snprintf(err, len, "TRANSTAB %#llx: outer shareable walks %s a coherent walker",
			 tt, cfg->coherent_walk ? "missing for" : "without");
		return -EINVAL;
	}
	/* Four levels of 4K, 48 bits in, 40 out, whatever the cfg's IAS */
	g->mali = true;
	g->gshift = 12;
	g->bpl = 9;
	g->ias = 48;
	g->pa_bits = 40;
	g->root = tt & GENMASK_ULL(47, 12);
	g->root_entries = 512;
	g->mair = cfg->arm_mali_lpae_cfg.memattr;
	return 0;
}

/* Table walks: write-back cacheable and inner shareable when coherent */
static int lpae_geom_walk_attrs(const struct io_pgtable_cfg *cfg,
				unsigned int irgn, unsigned int orgn,
				unsigned int sh, char *err, size_t len)
{
	unsigned int rgn = cfg->coherent_walk ? 1 : 0;

	if (irgn == rgn && orgn == rgn && (!cfg->coherent_walk || sh == 3))
		return 0;
	snprintf(err, len, "walk attributes IRGN %u ORGN %u SH %u for a %scoherent walker",
		 irgn, orgn, sh, cfg->coherent_walk ? "" : "non-");
	return -EINVAL;
}

/* VMSAv8-64: the translation regime's registers, TCR or VTCR */
static int lpae_geom_vmsa(struct lpae_geom *g, const struct io_pgtable_cfg *cfg,
			  u64 *base, char *err, size_t len)
{
	const typeof(cfg->arm_lpae_s1_cfg.tcr) *c = &cfg->arm_lpae_s1_cfg.tcr;
	const typeof(cfg->arm_lpae_s2_cfg.vtcr) *v = &cfg->arm_lpae_s2_cfg.vtcr;
	bool s2 = g->s2;
	unsigned int tg = s2 ? v->tg : c->tg, tsz = s2 ? v->tsz : c->tsz;
	unsigned int ps = s2 ? v->ps : c->ips, irgn = s2 ? v->irgn : c->irgn;
	unsigned int orgn = s2 ? v->orgn : c->orgn, sh = s2 ? v->sh : c->sh;

	*base = s2 ? cfg->arm_lpae_s2_cfg.vttbr : cfg->arm_lpae_s1_cfg.ttbr;
	if (!s2)
		g->mair = cfg->arm_lpae_s1_cfg.mair;
	g->gshift = lpae_tg_shift(tg, g->ttbr1 && !g->s2);
	g->pa_bits = lpae_ps_bits(ps);
	g->ias = 64 - tsz;
	if (!g->gshift || g->pa_bits < 0) {
		snprintf(err, len, "reserved encoding: TG %u, (I)PS %u", tg, ps);
		return -EINVAL;
	}
	g->bpl = g->gshift - 3;
	if (g->ias > (g->gshift == 16 ? 52 : 48) || g->ias < 16) {
		snprintf(err, len, "TxSZ %u: an unsupported %d-bit input size", tsz, g->ias);
		return -EINVAL;
	}
	if ((g->fmt == ARM_32_LPAE_S1 && g->ias > 32) ||
	    ((g->fmt == ARM_32_LPAE_S1 || g->fmt == ARM_32_LPAE_S2) &&
	     (g->gshift != 12 || g->pa_bits > 40))) {
		snprintf(err, len, "not expressible in the 32-bit LPAE format");
		return -EINVAL;
	}
	if (g->ias != cfg->ias || g->pa_bits != cfg->oas) {
		snprintf(err, len, "registers give IAS %d OAS %d, the cfg %u %u",
			 g->ias, g->pa_bits, cfg->ias, cfg->oas);
		return -EINVAL;
	}
	if (g->s2)
		g->start_level = lpae_s2_start_level(g->gshift,
						     cfg->arm_lpae_s2_cfg.vtcr.sl);
	else	/* stage 1: the initial level follows from the input size */
		g->start_level = 4 - DIV_ROUND_UP(g->ias - g->gshift, g->bpl);
	return lpae_geom_walk_attrs(cfg, irgn, orgn, sh, err, len);
}

/* The root: its entries (stage 2 concatenates up to 16), its address */
static int lpae_geom_root(struct lpae_geom *g, u64 base, char *err, size_t len)
{
	int bits = g->ias - lpae_geom_level_shift(g, g->start_level);
	u64 bytes;

	if (bits < 1 || bits > g->bpl + (g->s2 ? 4 : 0)) {
		snprintf(err, len, "initial level %d cannot resolve a %d-bit input (%d index bits)",
			 g->start_level, g->ias, bits);
		return -EINVAL;
	}
	g->root_entries = 1ULL << bits;
	if (base & 1) {
		snprintf(err, len, "CnP set in the table base register");
		return -EINVAL;
	}
	/* BADDR; a 52-bit PA keeps PA[51:48] in bits [5:2] */
	g->root = base & GENMASK_ULL(47, 1);
	if (g->pa_bits == 52)
		g->root |= FIELD_GET(GENMASK_ULL(5, 2), base) << 48;
	bytes = max_t(u64, 64, g->root_entries * 8);
	if (g->root & (bytes - 1) & GENMASK_ULL(47, 0)) {
		snprintf(err, len, "root table @dma %#llx not aligned to its %llu bytes",
			 g->root, bytes);
		return -EINVAL;
	}
	return 0;
}

/**
 * lpae_geom_decode() - decode a walker's geometry from its registers
 * @g: the geometry
 * @fmt: the io-pgtable format
 * @cfg: the cfg alloc_io_pgtable_ops() filled in
 * @err: the reason, on failure
 * @len: size of @err
 *
 * Checks on the way that the registers agree with the cfg (IAS, OAS, the
 * granule of pgsize_bitmap, the walk attributes of coherent_walk).
 *
 * Return: 0, or -EINVAL with the reason in @err.
 */
static int lpae_geom_decode(struct lpae_geom *g, enum io_pgtable_fmt fmt,
			    const struct io_pgtable_cfg *cfg, char *err,
			    size_t len)
{
	u64 base = 0;
	int ret;

	memset(g, 0, sizeof(*g));
	g->fmt = fmt;
	g->s2 = fmt == ARM_64_LPAE_S2 || fmt == ARM_32_LPAE_S2;
	g->ttbr1 = cfg->quirks & IO_PGTABLE_QUIRK_ARM_TTBR1;
	g->hd = cfg->quirks & IO_PGTABLE_QUIRK_ARM_HD;
	g->ns_quirk = cfg->quirks & IO_PGTABLE_QUIRK_ARM_NS;
	if (fmt > ARM_64_LPAE_S2 && fmt != ARM_MALI_LPAE) {
		snprintf(err, len, "format %d is not LPAE", fmt);
		return -EINVAL;
	}
	ret = fmt == ARM_MALI_LPAE ? lpae_geom_mali(g, cfg, err, len) :
	      lpae_geom_vmsa(g, cfg, &base, err, len);
	if (ret)
		return ret;
	if (BIT_ULL(g->gshift) != (cfg->pgsize_bitmap & -cfg->pgsize_bitmap)) {
		snprintf(err, len, "granule %#llx, pgsize_bitmap %#lx",
			 BIT_ULL(g->gshift), cfg->pgsize_bitmap);
		return -EINVAL;
	}
	if (g->start_level < 0 || g->start_level > 3) {
		snprintf(err, len, "no valid initial lookup level");
		return -EINVAL;
	}
	return g->mali ? 0 : lpae_geom_root(g, base, err, len);
}

/* Faults of a translation, as the architecture names them */
enum lpae_fault {
	LPAE_WF_NONE,
	LPAE_WF_TRANSLATION,
	LPAE_WF_ACCESS,
	LPAE_WF_ADDRSIZE,
	LPAE_WF_BADTABLE,	/* the host could not read the table */
};

/* Memory types a leaf can read as */
enum lpae_memtype {
	LPAE_MT_DEVICE,
	LPAE_MT_NC,
	LPAE_MT_WB,
	LPAE_MT_OTHER,
};

/**
 * struct lpae_sem - what a translation means to the device
 * @fault: it does not translate
 * @r: reads
 * @w: writes (with DBM: once dirty)
 * @xn_u: no execution, unprivileged
 * @xn_p: no execution, privileged
 * @el0: unprivileged access
 * @ns: non-secure output
 * @dirty: writable and written (hardware dirty state)
 * @memtype: enum lpae_memtype
 * @sh: shareability
 */
struct lpae_sem {
	bool	fault, r, w, xn_u, xn_p, el0, ns, dirty;
	int	memtype, sh;
};

/**
 * struct lpae_wres - one translation by the reference walker
 * @fault: enum lpae_fault
 * @level: level of the last descriptor read
 * @iova: the input address
 * @oa: its output address
 * @base: input address of the leaf
 * @size: size of the leaf
 * @leaf_oa: output address of the leaf
 * @table: table of the last descriptor read
 * @idx: its index there
 * @desc: the descriptor
 * @link_table: table of the last table descriptor on the way, or 0
 * @link_idx: its index
 * @link_desc: that descriptor
 * @tattr: the hierarchical attributes of the table descriptors on the way
 * @sem: the leaf's meaning
 * @why: a fault's reason
 */
struct lpae_wres {
	int			fault, level;
	u64			iova, oa, base, size, leaf_oa;
	u64			table, idx, desc;
	u64			link_table, link_idx, link_desc;
	u64			tattr;
	struct lpae_sem		sem;
	char			why[128];
};

/* Output address field of a table, block or page descriptor */
static u64 lpae_desc_oa(const struct lpae_geom *g, u64 d, u64 shift)
{
	u64 oa = d & GENMASK_ULL(47, shift);

	if (!g->mali && g->gshift == 16 && g->pa_bits == 52)
		oa |= FIELD_GET(GENMASK_ULL(15, 12), d) << 48;
	return oa;
}

/* Address bits that must be zero in a descriptor whose output is 2^@shift */
static u64 lpae_desc_res0(const struct lpae_geom *g, u64 d, u64 shift)
{
	u64 res0 = 0;

	if (g->mali)
		return 0;
	if (g->gshift == 16 && g->pa_bits != 52)
		res0 |= GENMASK_ULL(15, 12);
	if (g->gshift == 14)
		res0 |= GENMASK_ULL(13, 12);
	if (shift > (u64)g->gshift)
		res0 |= GENMASK_ULL(shift - 1, g->gshift);
	return d & res0;
}

static bool lpae_block_allowed(const struct lpae_geom *g, int lvl)
{
	if (g->mali || g->gshift == 12)
		return lvl == 1 || lvl == 2;
	if (g->gshift == 14)
		return lvl == 2;
	return lvl == 2 || (lvl == 1 && g->pa_bits == 52);
}

/* The next-level table of a table descriptor at @lvl, or false */
static bool lpae_desc_is_table(const struct lpae_geom *g, u64 d, int lvl,
			       u64 *next)
{
	if (lvl >= 3 || FIELD_GET(LPAE_D_TYPE, d) != LPAE_D_TYPE_TABLE)
		return false;
	*next = lpae_desc_oa(g, d, g->gshift);
	return true;
}

/* A leaf's memory type: stage 2's MemAttr, else its MAIR or MEMATTR byte */
static enum lpae_memtype lpae_memtype_of(const struct lpae_geom *g, u64 d)
{
	u64 attr = (g->mair >> (8 * FIELD_GET(LPAE_D_ATTRINDX, d))) & 0xff;

	if (g->s2) {	/* MemAttr[3:2] 0: device; 0b0101 NC; 0b1111 WB */
		attr = FIELD_GET(LPAE_D_S2_MEMATTR, d);
		return !(attr >> 2) ? LPAE_MT_DEVICE : attr == 0x5 ? LPAE_MT_NC :
		       attr == 0xf ? LPAE_MT_WB : LPAE_MT_OTHER;
	}
	if (g->mali)	/* Mali: 0x88 implementation defined, 0x8d WB */
		return attr == 0x8d ? LPAE_MT_WB : attr == 0x88 ? LPAE_MT_NC :
		       LPAE_MT_OTHER;
	/* MAIR: device 0b0000xxxx; 0x44 NC; 0xff WB */
	return !(attr & 0xf0) ? LPAE_MT_DEVICE : attr == 0x44 ? LPAE_MT_NC :
	       attr == 0xff ? LPAE_MT_WB : LPAE_MT_OTHER;
}

/**
 * lpae_leaf_sem() - what a leaf descriptor means to the walker
 * @g: the geometry
 * @d: the leaf
 * @tattr: the hierarchical attributes of the tables above it
 * @s: the meaning
 */
static void lpae_leaf_sem(const struct lpae_geom *g, u64 d, u64 tattr,
			  struct lpae_sem *s)
{
	bool ro = (d & LPAE_D_AP2) || (tattr & LPAE_T_AP1);
	bool dbm = g->hd && (d & LPAE_D_DBM);

	memset(s, 0, sizeof(*s));
	s->sh = FIELD_GET(LPAE_D_SH, d);
	s->memtype = lpae_memtype_of(g, d);
	if (g->s2 || g->mali) {
		s->r = d & LPAE_D_AP1;
		s->w = d & LPAE_D_AP2;
		s->xn_p = d & LPAE_D_UXN;
		s->xn_u = s->xn_p;
		s->el0 = true;
	} else {
		s->r = true;	/* stage 1 cannot refuse reads */
		s->w = !ro || (dbm && !(tattr & LPAE_T_AP1));
		s->dirty = !(d & LPAE_D_AP2);
		s->el0 = (d & LPAE_D_AP1) && !(tattr & LPAE_T_AP0);
		s->xn_u = (d & LPAE_D_UXN) || (tattr & LPAE_T_UXN);
		s->xn_p = (d & LPAE_D_PXN) || (tattr & LPAE_T_PXN);
		s->ns = (!g->ns_quirk || (d & LPAE_D_NS)) && (tattr & LPAE_T_NS);
	}
	if (s->memtype == LPAE_MT_DEVICE && !g->mali)
		s->sh = 0;	/* device memory is outer shareable anyway */
	s->dirty = g->hd && s->w && s->dirty;
}

/**
 * lpae_prot_sem() - what a mapping of IOMMU_* @prot must read as
 * @g: the geometry
 * @prot: IOMMU_READ, _WRITE, _CACHE, _NOEXEC, _MMIO, _PRIV
 * @dirty: written since its dirty state was last cleared
 * @s: the meaning
 */
static void lpae_prot_sem(const struct lpae_geom *g, int prot, bool dirty,
			  struct lpae_sem *s)
{
	bool s1 = !g->s2 && !g->mali;

	memset(s, 0, sizeof(*s));
	/* stage 1 cannot express write-only: it reads as read-write */
	s->r = s1 || (prot & IOMMU_READ);
	s->w = prot & IOMMU_WRITE;
	s->el0 = !s1 || !(prot & IOMMU_PRIV);
	s->ns = s1;
	s->dirty = s1 && g->hd && s->w && dirty;
	s->xn_p = prot & IOMMU_NOEXEC;
	s->xn_u = s->xn_p;
	if (g->mali)
		s->memtype = (prot & IOMMU_CACHE) && !(prot & IOMMU_MMIO) ?
			     LPAE_MT_WB : LPAE_MT_NC;
	else if (prot & IOMMU_MMIO)
		s->memtype = LPAE_MT_DEVICE;
	else
		s->memtype = prot & IOMMU_CACHE ? LPAE_MT_WB : LPAE_MT_NC;
	if (g->mali)
		s->sh = 2;
	else if (s->memtype != LPAE_MT_DEVICE)
		s->sh = s->memtype == LPAE_MT_WB ? 3 : 2;
}

static void lpae_sem_str(const struct lpae_sem *s, char *buf, size_t len)
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

/*
 * Read entry @idx of the table at DMA address @table (@entries long) as
 * the walker sees it: 0, or non-zero with the reason in *@why.
 */
typedef int (*lpae_read_fn)(void *arg, u64 table, u64 entries, u64 idx,
			    u64 *desc, const char **why);

/* What a descriptor is to the walker */
enum lpae_desc_kind {
	LPAE_DESC_FAULT,	/* invalid or malformed: r->fault says which */
	LPAE_DESC_TABLE,
	LPAE_DESC_LEAF,
};

/* Record a fault in @r */
static __printf(3, 4) enum lpae_desc_kind
lpae_wfault(struct lpae_wres *r, int fault, const char *fmt, ...)
{
	va_list args;

	r->fault = fault;
	r->sem.fault = true;
	va_start(args, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, args);
	va_end(args);
	return LPAE_DESC_FAULT;
}

/*
 * The descriptor @d at @lvl, read at @r->iova: a fault (@r->fault, @r->why),
 * a table (its address in *@next) or a leaf (@r filled in).
 */
static enum lpae_desc_kind lpae_desc_decode(const struct lpae_geom *g, int lvl,
					    u64 d, struct lpae_wres *r, u64 *next)
{
	u64 type = FIELD_GET(LPAE_D_TYPE, d), shift = lpae_geom_level_shift(g, lvl);

	if (!(d & LPAE_D_VALID))
		return lpae_wfault(r, LPAE_WF_TRANSLATION, "invalid descriptor at level %d", lvl);
	if (lpae_desc_is_table(g, d, lvl, next)) {
		if (lpae_desc_res0(g, d, 0))
			return lpae_wfault(r, LPAE_WF_TRANSLATION,
					   "RES0 bits set in table descriptor");
		if (*next >> g->pa_bits)
			return lpae_wfault(r, LPAE_WF_ADDRSIZE,
					   "table address %#llx beyond %d-bit PA",
					   *next, g->pa_bits);
		return LPAE_DESC_TABLE;
	}
	/* a page at level 3 (0b11, Mali's ATE 0b01), a block above */
	if (lvl == 3 ? type != (g->mali ? LPAE_MALI_ATE : LPAE_D_TYPE_TABLE) :
	    !lpae_block_allowed(g, lvl))
		return lpae_wfault(r, LPAE_WF_TRANSLATION,
				   "descriptor type %llu not allowed at level %d", type, lvl);
	if (lpae_desc_res0(g, d, shift))
		return lpae_wfault(r, LPAE_WF_TRANSLATION,
				   "RES0 address bits set in level %d leaf %#llx", lvl, d);
	r->leaf_oa = lpae_desc_oa(g, d, shift);
	if (r->leaf_oa >> g->pa_bits)
		return lpae_wfault(r, LPAE_WF_ADDRSIZE, "output address %#llx beyond %d-bit PA",
				   r->leaf_oa, g->pa_bits);
	if (!g->mali && !(d & LPAE_D_AF))
		return lpae_wfault(r, LPAE_WF_ACCESS, "access flag clear");
	r->size = 1ULL << shift;
	r->base = r->iova & ~(r->size - 1);
	r->oa = r->leaf_oa | (r->iova & (r->size - 1));
	lpae_leaf_sem(g, d, r->tattr, &r->sem);
	return LPAE_DESC_LEAF;
}

/* The hierarchical attributes a stage-1 table descriptor passes down */
static u64 lpae_table_attrs(const struct lpae_geom *g, u64 tattr, u64 d)
{
	if (g->s2 || g->mali)
		return 0;
	tattr |= d & (LPAE_T_PXN | LPAE_T_UXN | LPAE_T_AP0 | LPAE_T_AP1);
	if (g->ns_quirk && !(d & LPAE_T_NS))
		tattr &= ~LPAE_T_NS;
	return tattr;
}

static u64 lpae_root_attrs(const struct lpae_geom *g)
{
	return g->s2 || g->mali ? 0 : LPAE_T_NS;
}

/* One lookup at (@r->table, @r->idx), level @lvl: as lpae_desc_decode() */
static enum lpae_desc_kind lpae_walk_step(const struct lpae_geom *g,
					  lpae_read_fn read, void *arg, int lvl,
					  struct lpae_wres *r, u64 *next)
{
	const char *why = "";

	r->level = lvl;
	if (read(arg, r->table, lpae_geom_entries(g, lvl), r->idx, &r->desc, &why))
		return lpae_wfault(r, LPAE_WF_BADTABLE, "level %d table %#llx: %s",
				   lvl, r->table, why);
	return lpae_desc_decode(g, lvl, r->desc, r, next);
}

/**
 * lpae_walk() - translate @iova as the walker would
 * @g: the geometry
 * @read: how this host reads table memory as the walker sees it
 * @arg: for @read
 * @iova: the input address
 * @r: the result: a leaf, or a fault with its reason
 *
 * One lookup per level from the initial level; a table descriptor's next
 * level is read at the DMA address it holds.
 */
static void lpae_walk(const struct lpae_geom *g, lpae_read_fn read, void *arg,
		      u64 iova, struct lpae_wres *r)
{
	u64 next = g->root;
	int lvl = g->start_level;

	memset(r, 0, sizeof(*r));
	r->iova = iova;
	r->tattr = lpae_root_attrs(g);
	if (!lpae_geom_input_ok(g, iova)) {
		lpae_wfault(r, LPAE_WF_TRANSLATION, "input address outside the %d-bit range",
			    g->ias);
		return;
	}
	for (;;) {
		r->table = next;
		r->idx = (iova >> lpae_geom_level_shift(g, lvl)) &
			 (lpae_geom_entries(g, lvl) - 1);
		if (lpae_walk_step(g, read, arg, lvl, r, &next) != LPAE_DESC_TABLE)
			return;
		r->link_table = r->table;
		r->link_idx = r->idx;
		r->link_desc = r->desc;
		r->tattr = lpae_table_attrs(g, r->tattr, r->desc);
		lvl++;
	}
}

/**
 * struct lpae_enum - a visit of every table and leaf the walker reaches
 * @g: the geometry
 * @read: as for lpae_walk()
 * @table: called for each table reached (the root: @via NULL); false:
 *         do not descend into it
 * @leaf: called for each valid leaf descriptor and each malformed one
 *        (@r->fault set); invalid descriptors are skipped
 * @arg: for the callbacks
 * @tables_only: read no entry of a last-level table
 * @first: the input range whose leaves are visited
 * @last: its last address
 */
struct lpae_enum {
	const struct lpae_geom	*g;
	lpae_read_fn		read;
	bool (*table)(void *arg, u64 table, int lvl, u64 base,
		      const struct lpae_wres *via);
	void (*leaf)(void *arg, const struct lpae_wres *r);
	void			*arg;
	bool			tables_only;
	u64			first, last;
};

static int lpae_enum_table(const struct lpae_enum *e, const struct lpae_wres *via,
			   u64 table, int lvl, u64 base)
{
	const struct lpae_geom *g = e->g;
	u64 shift = lpae_geom_level_shift(g, lvl), n = lpae_geom_entries(g, lvl);
	u64 i = 0, last = n - 1, next;
	struct lpae_wres r;

	if (e->table && !e->table(e->arg, table, lvl, base, via))
		return 0;
	if ((e->tables_only && lvl == 3) || e->last < base)
		return 0;
	if (e->first > base)
		i = (e->first - base) >> shift;
	if (e->last - base < (n << shift))
		last = (e->last - base) >> shift;
	for (; i <= last && i < n; i++) {
		memset(&r, 0, sizeof(r));
		r.iova = base + (i << shift);
		r.table = table;
		r.idx = i;
		r.tattr = via ? lpae_table_attrs(g, via->tattr, via->desc) :
			  lpae_root_attrs(g);
		switch (lpae_walk_step(g, e->read, e->arg, lvl, &r, &next)) {
		case LPAE_DESC_TABLE:
			if (lpae_enum_table(e, &r, next, lvl + 1, r.iova))
				return -EIO;
			break;
		case LPAE_DESC_FAULT:
			if (!(r.desc & LPAE_D_VALID) && r.fault != LPAE_WF_BADTABLE)
				break;
			fallthrough;
		case LPAE_DESC_LEAF:
			if (e->leaf)
				e->leaf(e->arg, &r);
			if (r.fault == LPAE_WF_BADTABLE)
				return -EIO;
			break;
		}
	}
	return 0;
}

/**
 * lpae_enum() - visit every table the walker reaches, and its leaves
 * @e: what to visit, and how
 *
 * Return: 0, or -EIO if a table could not be read (reported to @e->leaf).
 */
static int lpae_enum(const struct lpae_enum *e)
{
	struct lpae_enum s = *e;
	u64 base = lpae_geom_base(e->g);

	s.first = max(e->first, base);
	return lpae_enum_table(&s, NULL, e->g->root, e->g->start_level, base);
}

/**
 * struct lpae_ext - one expected mapping
 * @iova: its first input address
 * @size: its size
 * @pa: the output address of @iova
 * @prot: its IOMMU_* prot
 * @dirty: written since its dirty state was last cleared
 */
struct lpae_ext {
	u64	iova, size, pa;
	int	prot;
	bool	dirty;
};

/**
 * struct lpae_extents - the expected mappings, sorted, not overlapping
 * @e: the caller's storage
 * @n: entries in use
 * @cap: entries of @e (a removal may split one extent in two)
 */
struct lpae_extents {
	struct lpae_ext	*e;
	unsigned int	n, cap;
};

static struct lpae_ext *lpae_ext_find(const struct lpae_extents *x, u64 iova)
{
	unsigned int i;

	for (i = 0; i < x->n; i++)
		if (iova >= x->e[i].iova && iova - x->e[i].iova < x->e[i].size)
			return &x->e[i];
	return NULL;
}

static inline bool lpae_ext_overlaps(const struct lpae_extents *x, u64 iova,
				     u64 size)
{
	u64 last = iova + size - 1;
	unsigned int i;

	for (i = 0; i < x->n; i++)
		if (x->e[i].iova <= last && x->e[i].iova + x->e[i].size - 1 >= iova)
			return true;
	return false;
}

static int lpae_ext_insert(struct lpae_extents *x, unsigned int at,
			   const struct lpae_ext *e)
{
	if (x->n == x->cap)
		return -ENOSPC;
	memmove(&x->e[at + 1], &x->e[at], (x->n - at) * sizeof(*e));
	x->e[at] = *e;
	x->n++;
	return 0;
}

/* Split the extent holding @iova so that one starts at @iova */
static int lpae_ext_split(struct lpae_extents *x, u64 iova)
{
	struct lpae_ext *e = lpae_ext_find(x, iova), t;

	if (!e || e->iova == iova)
		return 0;
	t = *e;
	t.iova = iova;
	t.size -= iova - e->iova;
	t.pa += iova - e->iova;
	e->size = iova - e->iova;
	return lpae_ext_insert(x, e - x->e + 1, &t);
}

/* Make [@iova, @iova + @size) whole extents: 0, or -ENOSPC */
static int lpae_ext_isolate(struct lpae_extents *x, u64 iova, u64 size)
{
	return lpae_ext_split(x, iova) ?:
	       (iova + size ? lpae_ext_split(x, iova + size) : 0);
}

/**
 * lpae_ext_add() - expect a mapping where nothing is expected
 * @x: the expected mappings
 * @iova: first input address
 * @size: size (0: nothing)
 * @pa: output address of @iova
 * @prot: IOMMU_* prot
 * @dirty: dirty state
 *
 * Return: 0, or -ENOSPC.
 */
static int lpae_ext_add(struct lpae_extents *x, u64 iova, u64 size, u64 pa,
			int prot, bool dirty)
{
	struct lpae_ext e = {
		.iova = iova, .size = size, .pa = pa, .prot = prot, .dirty = dirty,
	};
	unsigned int i;

	if (!size)
		return 0;
	for (i = 0; i < x->n && x->e[i].iova < iova; i++)
		;
	return lpae_ext_insert(x, i, &e);
}

/**
 * lpae_ext_remove() - expect nothing in [@iova, @iova + @size)
 * @x: the expected mappings
 * @iova: first input address
 * @size: size (0: nothing)
 *
 * Return: 0, or -ENOSPC (splitting an extent needs one more).
 */
static int lpae_ext_remove(struct lpae_extents *x, u64 iova, u64 size)
{
	unsigned int i = 0;
	int ret;

	if (!size)
		return 0;
	ret = lpae_ext_isolate(x, iova, size);
	while (i < x->n) {
		if (x->e[i].iova >= iova && x->e[i].iova - iova < size) {
			memmove(&x->e[i], &x->e[i + 1], (x->n - i - 1) * sizeof(x->e[0]));
			x->n--;
		} else {
			i++;
		}
	}
	return ret;
}

/* Expect [@iova, @iova + @size) to read as @dirty */
static inline int lpae_ext_set_dirty(struct lpae_extents *x, u64 iova,
				     u64 size, bool dirty)
{
	int ret = lpae_ext_isolate(x, iova, size);
	unsigned int i;

	for (i = 0; i < x->n; i++)
		if (x->e[i].iova >= iova && x->e[i].iova - iova < size)
			x->e[i].dirty = dirty;
	return ret;
}

static u64 lpae_ext_bytes(const struct lpae_extents *x)
{
	u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < x->n; i++)
		bytes += x->e[i].size;
	return bytes;
}

/*
 * The bad-input rules. Each case runs on a fresh table holding the layout
 * of lpae_bad_setup[], in units of the granule g and the smallest block B:
 * X = first + 2B (a page at X+g, blocks at X+B and X+2B), F = X + 3B
 * (nothing mapped), T the end of the input range.
 */
enum lpae_bad_base {
	LPAE_AT_ZERO,
	LPAE_AT_F,
	LPAE_AT_X,
	LPAE_AT_T,
	LPAE_AT_END,	/* the top of the address space: T, TTBR1's 0 */
	LPAE_AT_X62,	/* X with bit 62 flipped */
	LPAE_AT_OAS,	/* 2^OAS */
};

/* @base + @halves * g/2 + @blocks * B */
struct lpae_bad_val {
	u8	base;
	s8	halves;
	s8	blocks;
};

#define LPAE_BAD_OVERFLOW	(-1)	/* pgcount: SIZE_MAX / g + 2 */

/**
 * struct lpae_bad_case - one bad-input rule: the call, and what it returns
 * @name: the rule
 * @input: the call, in the terms above
 * @unmap: unmap_pages() (else map_pages())
 * @no_gather: with a NULL gather
 * @iova: the call's iova
 * @pa: map's paddr
 * @size: pgsize
 * @count: pgcount, or LPAE_BAD_OVERFLOW
 * @prot: map's prot
 * @ret: map's return
 * @done: bytes mapped or unmapped
 * @keep: the tables must not change (else they hold what was done)
 */
struct lpae_bad_case {
	const char		*name, *input;
	bool			unmap, no_gather;
	struct lpae_bad_val	iova, pa, size;
	int			count, prot, ret;
	struct lpae_bad_val	done;
	bool			keep;
};

#define LPAE_RW			(IOMMU_READ | IOMMU_WRITE)
#define LPAE_G			{ LPAE_AT_ZERO, 2, 0 }
#define LPAE_B			{ LPAE_AT_ZERO, 0, 1 }
#define LPAE_AT(b, h, n)	{ LPAE_AT_##b, h, n }
#define LPAE_BAD_MAP(n, in, i, p, sz, cnt, pr, r, d, k)			\
	{ .name = n, .input = in, .iova = i, .pa = p, .size = sz,	\
	  .count = cnt, .prot = pr, .ret = r, .done = d, .keep = k }
#define LPAE_BAD_UNMAP(n, in, i, sz, cnt, d, k, nog)			\
	{ .name = n, .input = in, .unmap = true, .iova = i, .size = sz,	\
	  .count = cnt, .done = d, .keep = k, .no_gather = nog }

static const struct lpae_bad_case lpae_bad_cases[] = {
	LPAE_BAD_MAP("iova misaligned", "map(F+g/2, 0, g, 1)",
		     LPAE_AT(F, 1, 0), {}, LPAE_G, 1, LPAE_RW, -EINVAL, {}, true),
	LPAE_BAD_MAP("paddr misaligned", "map(F, g/2, g, 1)",
		     LPAE_AT(F, 0, 0), LPAE_AT(ZERO, 1, 0), LPAE_G, 1, LPAE_RW,
		     -EINVAL, {}, true),
	LPAE_BAD_MAP("iova not aligned to pgsize", "map(F+g, 0, B, 1)",
		     LPAE_AT(F, 2, 0), {}, LPAE_B, 1, LPAE_RW, -EINVAL, {}, true),
	LPAE_BAD_MAP("pgsize not in pgsize_bitmap", "map(F, 0, 2g, 1)",
		     LPAE_AT(F, 0, 0), {}, LPAE_AT(ZERO, 4, 0), 1, LPAE_RW,
		     -EINVAL, {}, true),
	LPAE_BAD_MAP("pgsize 0", "map(F, 0, 0, 1)",
		     LPAE_AT(F, 0, 0), {}, {}, 1, LPAE_RW, -EINVAL, {}, true),
	LPAE_BAD_MAP("pgsize of two sizes", "map(F, 0, g+B (two bits), 1)",
		     LPAE_AT(F, 0, 0), {}, LPAE_AT(ZERO, 2, 1), 1, LPAE_RW,
		     -EINVAL, {}, true),
	LPAE_BAD_MAP("pgcount 0", "map(F, 0, g, 0)",
		     LPAE_AT(F, 0, 0), {}, LPAE_G, 0, LPAE_RW, -EINVAL, {}, true),
	LPAE_BAD_MAP("pgcount*pgsize overflows", "map(F+B-2g, 0, g, SIZE_MAX/g+2)",
		     LPAE_AT(F, -4, 1), {}, LPAE_G, LPAE_BAD_OVERFLOW, LPAE_RW, 0,
		     LPAE_AT(ZERO, 4, 0), false),
	LPAE_BAD_MAP("run crossing the top of the IAS", "map(T-g, 0, g, 2)",
		     LPAE_AT(END, -2, 0), {}, LPAE_G, 2, LPAE_RW, 0, LPAE_G, false),
	LPAE_BAD_MAP("iova at the IAS", "map(T, 0, g, 1)",
		     LPAE_AT(T, 0, 0), {}, LPAE_G, 1, LPAE_RW, -ERANGE, {}, true),
	LPAE_BAD_MAP("iova beyond the IAS", "map(X^2^62, 0, g, 1)",
		     LPAE_AT(X62, 0, 0), {}, LPAE_G, 1, LPAE_RW, -ERANGE, {}, true),
	LPAE_BAD_MAP("paddr beyond the OAS", "map(F, 2^oas, g, 1)",
		     LPAE_AT(F, 0, 0), LPAE_AT(OAS, 0, 0), LPAE_G, 1, LPAE_RW,
		     -ERANGE, {}, true),
	LPAE_BAD_MAP("paddr run crossing the OAS", "map(F, 2^oas-g, g, 2)",
		     LPAE_AT(F, 0, 0), LPAE_AT(OAS, -2, 0), LPAE_G, 2, LPAE_RW,
		     -ERANGE, {}, true),
	LPAE_BAD_MAP("prot without read/write", "map(F, 0, g, 1, CACHE+NOEXEC)",
		     LPAE_AT(F, 0, 0), {}, LPAE_G, 1, IOMMU_CACHE | IOMMU_NOEXEC,
		     -EINVAL, {}, true),
	LPAE_BAD_MAP("prot 0", "map(F, 0, g, 1, 0)",
		     LPAE_AT(F, 0, 0), {}, LPAE_G, 1, 0, -EINVAL, {}, true),
	LPAE_BAD_MAP("map over a mapped page", "map(X+g, 0, g, 1)",
		     LPAE_AT(X, 2, 0), {}, LPAE_G, 1, LPAE_RW, -EEXIST, {}, true),
	LPAE_BAD_MAP("map a block over pages", "map(X, 0, B, 1)",
		     LPAE_AT(X, 0, 0), {}, LPAE_B, 1, LPAE_RW, -EEXIST, {}, true),
	LPAE_BAD_MAP("map a page inside a block", "map(X+B+g, 0, g, 1)",
		     LPAE_AT(X, 2, 1), {}, LPAE_G, 1, LPAE_RW, -EEXIST, {}, true),
	LPAE_BAD_MAP("map a block over the same block", "map(X+B, 5B, B, 1)",
		     LPAE_AT(X, 0, 1), LPAE_AT(ZERO, 0, 5), LPAE_B, 1,
		     LPAE_RW | IOMMU_CACHE, -EEXIST, {}, true),
	LPAE_BAD_MAP("map a run over a mapped page", "map(X, 0, g, 4)",
		     LPAE_AT(X, 0, 0), {}, LPAE_G, 4, LPAE_RW, -EEXIST, {}, true),
	LPAE_BAD_UNMAP("unmap of nothing, no table", "unmap(F, g, 1)",
		       LPAE_AT(F, 0, 0), LPAE_G, 1, {}, true, false),
	LPAE_BAD_UNMAP("unmap of nothing, in a table", "unmap(X+2g, g, 1)",
		       LPAE_AT(X, 4, 0), LPAE_G, 1, {}, true, false),
	LPAE_BAD_UNMAP("unmap iova misaligned", "unmap(X+g+g/2, g, 1)",
		       LPAE_AT(X, 3, 0), LPAE_G, 1, {}, true, false),
	LPAE_BAD_UNMAP("unmap pgsize not in pgsize_bitmap", "unmap(X, 2g, 1)",
		       LPAE_AT(X, 0, 0), LPAE_AT(ZERO, 4, 0), 1, {}, true, false),
	LPAE_BAD_UNMAP("unmap pgsize 0", "unmap(X+g, 0, 1)",
		       LPAE_AT(X, 2, 0), {}, 1, {}, true, false),
	LPAE_BAD_UNMAP("unmap pgcount 0", "unmap(X+g, g, 0)",
		       LPAE_AT(X, 2, 0), LPAE_G, 0, {}, true, false),
	LPAE_BAD_UNMAP("unmap iova at the IAS", "unmap(T, g, 1)",
		       LPAE_AT(T, 0, 0), LPAE_G, 1, {}, true, false),
	LPAE_BAD_UNMAP("unmap past a hole", "unmap(X+g, g, 3)",
		       LPAE_AT(X, 2, 0), LPAE_G, 3, LPAE_G, false, false),
	LPAE_BAD_UNMAP("NULL gather", "unmap(X+g, g, 1, NULL gather)",
		       LPAE_AT(X, 2, 0), LPAE_G, 1, LPAE_G, false, true),
	/* Last: it splits a block into a full table, slow to walk after */
	LPAE_BAD_UNMAP("unmap across a block boundary", "unmap(X+2B-g, g, 2)",
		       LPAE_AT(X, -2, 2), LPAE_G, 2, LPAE_G, false, false),
};

/**
 * struct lpae_bad_place - the terms of lpae_bad_cases[] on one table
 * @g: the granule
 * @B: the smallest block
 * @at: the value of each enum lpae_bad_base
 */
struct lpae_bad_place {
	u64	g, B;
	u64	at[LPAE_AT_OAS + 1];
};

/* The set-up every case starts from: iova, paddr, size, prot */
static const struct {
	struct lpae_bad_val	iova, pa, size;
	int			prot;
} lpae_bad_setup[] = {
	{ LPAE_AT(X, 2, 0), LPAE_AT(ZERO, 2, 4), LPAE_G, LPAE_RW },
	{ LPAE_AT(X, 0, 1), LPAE_AT(ZERO, 0, 5), LPAE_B, LPAE_RW | IOMMU_CACHE },
	{ LPAE_AT(X, 0, 2), LPAE_AT(ZERO, 0, 6), LPAE_B, IOMMU_READ },
};

/*
 * Place the cases on a table with granule @g, smallest block @B, inputs
 * [@first, @last] (TTBR1: @ttbr1) and @oas output bits: false if there is
 * no block, or no room.
 */
static bool lpae_bad_place(struct lpae_bad_place *pl, u64 g, u64 B, u64 first,
			   u64 last, bool ttbr1, unsigned int oas)
{
	u64 x = first + 2 * B;

	if (!B || x + 4 * B - 1 > last)
		return false;
	*pl = (struct lpae_bad_place) {
		.g = g, .B = B,
		.at = {
			[LPAE_AT_F] = x + 3 * B,
			[LPAE_AT_X] = x,
			[LPAE_AT_T] = ttbr1 ? first - g : last + 1,
			[LPAE_AT_END] = ttbr1 ? 0 : last + 1,
			[LPAE_AT_X62] = x ^ BIT_ULL(62),
			[LPAE_AT_OAS] = BIT_ULL(oas),
		},
	};
	return true;
}

static inline u64 lpae_bad_value(const struct lpae_bad_place *pl,
				 struct lpae_bad_val v)
{
	return pl->at[v.base] + v.halves * (s64)(pl->g / 2) + v.blocks * (s64)pl->B;
}

static inline size_t lpae_bad_count(const struct lpae_bad_place *pl,
				    const struct lpae_bad_case *c)
{
	/* size_t: no 64-bit division on 32-bit hosts */
	return c->count == LPAE_BAD_OVERFLOW ? SIZE_MAX / (size_t)pl->g + 2 :
	       c->count;
}

/*
 * The corrupted-descriptor cases: the last table descriptor on the path
 * to x+g is scribbled over in the walker's or the CPU's view; the code must
 * neither follow it (iova_to_phys(), a map of x+3g) nor free what it names.
 * Set-up: pages at x+g, x+2g and x+B+g, a block at x+2B.
 */
enum lpae_scribble {
	LPAE_SCR_DECOY,		/* a page that is not a table */
	LPAE_SCR_SIBLING,	/* another live table of ours */
	LPAE_SCR_CYCLE,		/* the table holding the descriptor */
	LPAE_SCR_OUTSIDE,	/* an address outside table memory */
	LPAE_SCR_BLOCK,		/* a block descriptor instead of a table */
	LPAE_SCR_ZERO,		/* invalid */
	LPAE_NR_SCRIBBLES,
};

static const char *const lpae_scribble_names[LPAE_NR_SCRIBBLES] = {
	"decoy", "sibling", "cycle", "outside", "block", "zero",
};

#define LPAE_SCRIBBLE_PAGES	3	/* mapped before; x+3g is mapped after */

/* The iova of page @i (0..3) of the layout from @x, and of the block (4) */
static inline u64 lpae_scribble_iova(u64 x, u64 g, u64 B, unsigned int i)
{
	const u64 at[] = { x + g, x + 2 * g, x + B + g, x + 3 * g, x + 2 * B };

	return at[i];
}

/**
 * lpae_scribble_desc() - the scribble @kind over table descriptor @old
 * @g: the geometry
 * @kind: what to write
 * @old: the descriptor
 * @decoy: a page that is not a table
 * @sibling: another table of ours
 * @self: the table holding @old
 * @outside: an address outside table memory
 *
 * Return: the descriptor to write in its place.
 */
static u64 lpae_scribble_desc(const struct lpae_geom *g, enum lpae_scribble kind,
			      u64 old, u64 decoy, u64 sibling, u64 self,
			      u64 outside)
{
	const u64 addr[] = {
		[LPAE_SCR_DECOY] = decoy, [LPAE_SCR_SIBLING] = sibling,
		[LPAE_SCR_CYCLE] = self, [LPAE_SCR_OUTSIDE] = outside,
	};
	u64 mask = GENMASK_ULL(47, g->gshift);

	if (kind == LPAE_SCR_BLOCK)
		return (old & ~LPAE_D_TYPE) | LPAE_D_TYPE_BLOCK;
	if (kind == LPAE_SCR_ZERO)
		return 0;
	return (old & ~mask) | (addr[kind] & mask);
}

/*
 * The TLB contract of one unmap call (iommu_flush_ops): a leaf of the
 * walker's view that the call removes is invalidated in that call, after it
 * left: by tlb_add_page() of its size with the caller's gather, or by
 * tlb_flush_all(); tlb_flush_walk() is for walk caches only.
 */

/**
 * struct lpae_tlb_leaf - a leaf of the walker's view, noted before a call
 * @iova: its first input address
 * @size: its size
 * @desc: its descriptor
 * @done: invalidated after it left
 */
struct lpae_tlb_leaf {
	u64	iova, size, desc;
	bool	done;
};

/**
 * struct lpae_tlb_books - the leaves one call may remove, and their fate
 * @l: the leaves, sorted (the caller's storage)
 * @n: leaves noted
 * @cap: room in @l
 * @gone: has leaf @l left the walker's view, or changed? (with @arg)
 * @arg: for @gone
 */
struct lpae_tlb_books {
	struct lpae_tlb_leaf	*l;
	unsigned int		n, cap;
	bool			(*gone)(void *arg, const struct lpae_tlb_leaf *l);
	void			*arg;
};

/* Note the leaf the walker found (an lpae_enum() leaf): 0, or -ENOSPC */
static int lpae_tlb_note(struct lpae_tlb_books *b, const struct lpae_wres *r)
{
	if (r->fault)
		return 0;
	if (b->n == b->cap)
		return -ENOSPC;
	b->l[b->n++] = (struct lpae_tlb_leaf) {
		.iova = r->base, .size = r->size, .desc = r->desc,
	};
	return 0;
}

/* The noted leaf holding @iova, or NULL */
static struct lpae_tlb_leaf *lpae_tlb_leaf_at(const struct lpae_tlb_books *b,
					      u64 iova)
{
	unsigned int lo = 0, hi = b->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		struct lpae_tlb_leaf *l = &b->l[mid];

		if (iova < l->iova)
			hi = mid;
		else if (iova - l->iova >= l->size)
			lo = mid + 1;
		else
			return l;
	}
	return NULL;
}

/* tlb_flush_all(): every noted leaf gone by now is invalidated */
static void lpae_tlb_flushed_all(struct lpae_tlb_books *b)
{
	unsigned int i;

	for (i = 0; i < b->n; i++)
		if (!b->l[i].done && b->gone(b->arg, &b->l[i]))
			b->l[i].done = true;
}

/* tlb_add_page() with the caller's gather: the leaf there, if that size */
static void lpae_tlb_page_added(struct lpae_tlb_books *b, u64 iova, u64 granule)
{
	struct lpae_tlb_leaf *l = lpae_tlb_leaf_at(b, iova);

	if (l && !l->done && l->size == granule && b->gone(b->arg, l))
		l->done = true;
}

/*
 * After the call: the next leaf from *@i on that left without an
 * invalidation after it, or NULL; *@gone counts the leaves that left.
 */
static const struct lpae_tlb_leaf *lpae_tlb_missed(struct lpae_tlb_books *b,
						   unsigned int *i,
						   unsigned long *gone)
{
	for (; *i < b->n; (*i)++) {
		const struct lpae_tlb_leaf *l = &b->l[*i];

		if (!l->done && !b->gone(b->arg, l))
			continue;	/* kept */
		(*gone)++;
		if (!l->done)
			return &b->l[(*i)++];
	}
	return NULL;
}

#endif /* _IO_PGTABLE_ARM_ORACLE_H */
