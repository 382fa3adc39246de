// SPDX-License-Identifier: GPL-2.0
/*
 * Reference table walker for the io-pgtable harness.
 *
 * Written from the Arm architecture's description of the long-descriptor
 * translation table format (VMSAv8-64, and the ARMv7 LPAE format it
 * extends) and from Mali's LPAE-mode descriptor encodings, not from any
 * implementation. Its only inputs are the registers the code under test
 * reports in io_pgtable_cfg (TTBR/TCR/MAIR, VTTBR/VTCR, TRANSTAB/MEMATTR)
 * and the table memory of the chosen view, reached through the model's
 * DMA mapping records.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

/* Descriptor fields (VMSAv8-64 stage 1 and stage 2, LPAE) */
#define D_VALID		BIT_ULL(0)
#define D_TYPE_MASK	0x3ULL
#define D_TYPE_BLOCK	0x1ULL
#define D_TYPE_TABLE	0x3ULL
#define D_ATTRINDX	GENMASK_ULL(4, 2)
#define D_S2_MEMATTR	GENMASK_ULL(5, 2)
#define D_NS		BIT_ULL(5)
#define D_AP1		BIT_ULL(6)	/* S1: EL0 access; S2/Mali: read */
#define D_AP2		BIT_ULL(7)	/* S1: read-only; S2/Mali: write */
#define D_SH		GENMASK_ULL(9, 8)
#define D_AF		BIT_ULL(10)
#define D_NG		BIT_ULL(11)
#define D_DBM		BIT_ULL(51)
#define D_PXN		BIT_ULL(53)
#define D_UXN		BIT_ULL(54)
#define T_PXNTABLE	BIT_ULL(59)
#define T_UXNTABLE	BIT_ULL(60)
#define T_APTABLE0	BIT_ULL(61)	/* no EL0 access below */
#define T_APTABLE1	BIT_ULL(62)	/* read-only below */
#define T_NSTABLE	BIT_ULL(63)
#define OA_HI		GENMASK_ULL(47, 12)

/* Mali (LPAE mode) */
#define MALI_ATE	0x1ULL
#define MALI_PTE	0x3ULL
#define MALI_NX		BIT_ULL(54)
#define MALI_ADRMODE	0x3ULL
#define MALI_ADRMODE_TABLE 0x3ULL

u64 walker_level_shift(const struct walker *w, int lvl)
{
	return w->gshift + (u64)(3 - lvl) * w->bpl;
}

u64 walker_table_entries(const struct walker *w, int lvl)
{
	return lvl == w->start_level ? w->root_entries : 1ULL << w->bpl;
}

u64 walker_root_base(const struct walker *w)
{
	return w->ttbr1 ? ~0ULL << w->ias : 0;
}

static int pa_bits_of(unsigned int ps)
{
	static const int bits[] = { 32, 36, 40, 42, 44, 48, 52 };

	return ps < ARRAY_SIZE(bits) ? bits[ps] : -1;
}

int walker_init(struct walker *w, enum io_pgtable_fmt fmt,
		const struct io_pgtable_cfg *cfg, char *err, size_t errlen)
{
	int tg, lvls, bits;
	u64 base;

	memset(w, 0, sizeof(*w));
	w->fmt = fmt;
	w->ttbr1 = cfg->quirks & IO_PGTABLE_QUIRK_ARM_TTBR1;
	w->hd = cfg->quirks & IO_PGTABLE_QUIRK_ARM_HD;
	w->ns_quirk = cfg->quirks & IO_PGTABLE_QUIRK_ARM_NS;

	if (fmt == ARM_MALI_LPAE) {
		u64 tt = cfg->arm_mali_lpae_cfg.transtab;

		w->mali = true;
		if ((tt & MALI_ADRMODE) != MALI_ADRMODE_TABLE) {
			snprintf(err, errlen, "TRANSTAB address mode %llu is not TABLE",
				 (unsigned long long)(tt & MALI_ADRMODE));
			return -1;
		}
		w->gshift = 12;
		w->bpl = 9;
		w->ias = 48;
		w->pa_bits = 40;
		w->start_level = 0;
		w->root = tt & GENMASK_ULL(47, 12);
		w->root_entries = 512;
		w->mair = cfg->arm_mali_lpae_cfg.memattr;
		return 0;
	}

	if (fmt == ARM_64_LPAE_S1 || fmt == ARM_32_LPAE_S1) {
		tg = cfg->arm_lpae_s1_cfg.tcr.tg;
		if (w->ttbr1)	/* TG1 encoding */
			w->gshift = tg == 1 ? 14 : tg == 2 ? 12 : tg == 3 ? 16 : 0;
		else		/* TG0 encoding */
			w->gshift = tg == 0 ? 12 : tg == 1 ? 16 : tg == 2 ? 14 : 0;
		w->ias = 64 - cfg->arm_lpae_s1_cfg.tcr.tsz;
		w->pa_bits = pa_bits_of(cfg->arm_lpae_s1_cfg.tcr.ips);
		base = cfg->arm_lpae_s1_cfg.ttbr;
		w->mair = cfg->arm_lpae_s1_cfg.mair;
	} else if (fmt == ARM_64_LPAE_S2 || fmt == ARM_32_LPAE_S2) {
		w->s2 = true;
		tg = cfg->arm_lpae_s2_cfg.vtcr.tg;
		w->gshift = tg == 0 ? 12 : tg == 1 ? 16 : tg == 2 ? 14 : 0;
		w->ias = 64 - cfg->arm_lpae_s2_cfg.vtcr.tsz;
		w->pa_bits = pa_bits_of(cfg->arm_lpae_s2_cfg.vtcr.ps);
		base = cfg->arm_lpae_s2_cfg.vttbr;
	} else {
		snprintf(err, errlen, "format %d is not an LPAE format", fmt);
		return -1;
	}
	if (!w->gshift) {
		snprintf(err, errlen, "reserved TG encoding %d", tg);
		return -1;
	}
	if (w->pa_bits < 0) {
		snprintf(err, errlen, "reserved (I)PS encoding");
		return -1;
	}
	w->bpl = w->gshift - 3;
	if (w->ias > (w->gshift == 16 ? 52 : 48) || w->ias < 16) {
		snprintf(err, errlen, "TxSZ gives an unsupported %d-bit input size", w->ias);
		return -1;
	}
	if ((fmt == ARM_32_LPAE_S1 && w->ias > 32) ||
	    ((fmt == ARM_32_LPAE_S1 || fmt == ARM_32_LPAE_S2) &&
	     (w->gshift != 12 || w->pa_bits > 40))) {
		snprintf(err, errlen, "configuration not expressible in the 32-bit LPAE format");
		return -1;
	}

	if (!w->s2) {
		/* Stage 1: the initial level follows from the input size. */
		lvls = DIV_ROUND_UP(w->ias - w->gshift, w->bpl);
		w->start_level = 4 - lvls;
	} else {
		/* Stage 2: VTCR.SL0 names the initial level. */
		unsigned int sl0 = cfg->arm_lpae_s2_cfg.vtcr.sl;

		if (w->gshift == 12)
			w->start_level = sl0 == 0 ? 2 : sl0 == 1 ? 1 : sl0 == 2 ? 0 : -1;
		else
			w->start_level = sl0 == 0 ? 3 : sl0 == 1 ? 2 : sl0 == 2 ? 1 :
					 (w->gshift == 14 ? 0 : -1);
		if (w->start_level < 0) {
			snprintf(err, errlen, "reserved SL0 encoding %u", sl0);
			return -1;
		}
	}
	if (w->start_level < 0 || w->start_level > 3) {
		snprintf(err, errlen, "no valid initial lookup level");
		return -1;
	}
	bits = w->ias - walker_level_shift(w, w->start_level);
	if (bits < 1 || bits > w->bpl + (w->s2 ? 4 : 0)) {
		snprintf(err, errlen,
			 "initial level %d cannot resolve a %d-bit input (%d index bits%s)",
			 w->start_level, w->ias, bits,
			 w->s2 ? ", at most 16 concatenated tables" : "");
		return -1;
	}
	w->root_entries = 1ULL << bits;

	/* Table base: BADDR, with PA[51:48] in bits [5:2] for 52-bit PAs. */
	w->root = base & GENMASK_ULL(47, 1);
	if (w->pa_bits == 52)
		w->root |= ((base >> 2) & 0xf) << 48;
	w->root &= ~1ULL;	/* CnP */
	if (base & 1) {
		snprintf(err, errlen, "CnP set in the table base register");
		return -1;
	}
	return 0;
}

/* Output address field of a descriptor (table, block or page). */
static u64 desc_oa(const struct walker *w, u64 d)
{
	u64 oa = d & GENMASK_ULL(47, w->gshift);

	if (w->gshift == 16 && w->pa_bits == 52)
		oa |= ((d >> 12) & 0xf) << 48;
	return oa;
}

/* Bits of the address field that must be zero for this descriptor. */
static u64 desc_res0(const struct walker *w, u64 d, u64 out_shift)
{
	u64 res0 = 0;

	if (w->gshift == 16 && w->pa_bits != 52)
		res0 |= GENMASK_ULL(15, 12);
	if (w->gshift == 14)
		res0 |= GENMASK_ULL(13, 12);
	if (out_shift > (u64)w->gshift)
		res0 |= GENMASK_ULL(out_shift - 1, w->gshift);
	return d & res0;
}

static bool block_allowed(const struct walker *w, int lvl)
{
	if (w->mali)
		return lvl >= 1;
	switch (w->gshift) {
	case 12:
		return lvl == 1 || lvl == 2;
	case 14:
		return lvl == 2;
	default:
		return lvl == 2 || (lvl == 1 && w->pa_bits == 52);
	}
}

bool walker_desc_is_table(const struct walker *w, u64 d, int lvl, u64 *next)
{
	if (lvl >= 3 || (d & D_TYPE_MASK) != D_TYPE_TABLE)
		return false;
	*next = w->mali ? d & GENMASK_ULL(47, 12) : desc_oa(w, d);
	return true;
}

/* Decode a leaf's permissions and attributes into @r. */
static void decode_leaf(const struct walker *w, u64 d, u64 tattr,
			struct wres *r)
{
	u64 sh = FIELD_GET(D_SH, d);

	r->sh = sh;
	if (w->mali) {
		u64 attr = (w->mair >> (8 * FIELD_GET(D_ATTRINDX, d))) & 0xff;

		r->r = d & D_AP1;
		r->w = d & D_AP2;
		r->xn_p = d & MALI_NX;
		r->xn_u = r->xn_p;
		r->el0 = true;
		r->memtype = attr == 0x8d ? MT_WB : attr == 0x88 ? MT_NC : MT_OTHER;
		return;
	}
	if (w->s2) {
		u64 ma = FIELD_GET(D_S2_MEMATTR, d);

		r->r = d & D_AP1;
		r->w = d & D_AP2;
		r->xn_p = d & D_UXN;	/* XN[1] set: no execution */
		r->xn_u = r->xn_p;
		r->el0 = true;
		if ((ma >> 2) == 0)
			r->memtype = MT_DEVICE;
		else if (ma == 0x5)
			r->memtype = MT_NC;
		else if (ma == 0xf)
			r->memtype = MT_WB;
		else
			r->memtype = MT_OTHER;
		return;
	}
	/* Stage 1 */
	{
		u64 attr = (w->mair >> (8 * FIELD_GET(D_ATTRINDX, d))) & 0xff;
		bool ro = (d & D_AP2) || (tattr & T_APTABLE1);

		r->r = true;
		r->dbm = w->hd && (d & D_DBM);
		r->w = !ro || (r->dbm && !(tattr & T_APTABLE1));
		r->dirty = !(d & D_AP2);
		r->el0 = (d & D_AP1) && !(tattr & T_APTABLE0);
		r->xn_u = (d & D_UXN) || (tattr & T_UXNTABLE);
		r->xn_p = (d & D_PXN) || (tattr & T_PXNTABLE);
		r->ns = (d & D_NS) && (tattr & T_NSTABLE);
		if ((attr & 0xf0) == 0)
			r->memtype = MT_DEVICE;
		else if (attr == 0x44)
			r->memtype = MT_NC;
		else if (attr == 0xff)
			r->memtype = MT_WB;
		else
			r->memtype = MT_OTHER;
	}
}

static bool input_ok(const struct walker *w, u64 iova)
{
	u64 top = w->ias >= 64 ? 0 : iova >> w->ias;

	if (w->ttbr1)
		return top == (~0ULL >> w->ias);
	return top == 0;
}

/*
 * Translate @iova. One lookup per level from the initial level; a table
 * descriptor's next-level address is read as the walker sees it (a DMA
 * address), resolved through the model's mapping records.
 */
void walker_walk(const struct walker *w, enum view v, u64 iova, struct wres *r)
{
	u64 table = w->root, tattr = w->mali ? 0 : T_NSTABLE;
	int lvl;
	const char *why;

	memset(r, 0, sizeof(*r));
	r->iova = iova;
	if (!input_ok(w, iova)) {
		r->fault = WF_TRANSLATION;
		snprintf(r->why, sizeof(r->why), "input address outside the %d-bit range", w->ias);
		return;
	}
	if (!w->s2 && !w->ns_quirk)
		tattr = T_NSTABLE;
	for (lvl = w->start_level; lvl <= 3; lvl++) {
		u64 shift = walker_level_shift(w, lvl);
		u64 n = walker_table_entries(w, lvl);
		u64 idx = (iova >> shift) & (n - 1), d, type;

		if (model_read_desc(v, table, n * 8, idx, &d, &why)) {
			r->fault = WF_BADTABLE;
			r->level = lvl;
			snprintf(r->why, sizeof(r->why), "level %d table %#llx: %s",
				 lvl, (unsigned long long)table, why);
			return;
		}
		r->level = lvl;
		r->table = table;
		r->idx = idx;
		r->desc = d;
		type = d & D_TYPE_MASK;
		if (!(d & D_VALID) || (w->mali && type != MALI_ATE && type != MALI_PTE)) {
			r->fault = WF_TRANSLATION;
			snprintf(r->why, sizeof(r->why), "invalid descriptor at level %d", lvl);
			return;
		}
		if (lvl < 3 && type == D_TYPE_TABLE) {
			u64 next;

			walker_desc_is_table(w, d, lvl, &next);
			if (!w->mali && desc_res0(w, d, 0)) {
				r->fault = WF_TRANSLATION;
				snprintf(r->why, sizeof(r->why),
					 "RES0 bits set in table descriptor");
				return;
			}
			if (next >> w->pa_bits) {
				r->fault = WF_ADDRSIZE;
				snprintf(r->why, sizeof(r->why),
					 "table address %#llx beyond %d-bit PA",
					 (unsigned long long)next, w->pa_bits);
				return;
			}
			if (!w->s2 && !w->mali) {
				u64 h = d & (T_PXNTABLE | T_UXNTABLE | T_APTABLE0 | T_APTABLE1);

				tattr |= h;
				if (!(d & T_NSTABLE) && w->ns_quirk)
					tattr &= ~T_NSTABLE;
			}
			table = next;
			continue;
		}
		/* leaf: a page at level 3 (type 3, or Mali ATE), a block above */
		if (lvl == 3 ? (w->mali ? type != MALI_ATE : type != D_TYPE_TABLE) :
		    (type != D_TYPE_BLOCK || !block_allowed(w, lvl))) {
			r->fault = WF_TRANSLATION;
			snprintf(r->why, sizeof(r->why),
				 "descriptor type %llu not allowed at level %d",
				 (unsigned long long)type, lvl);
			return;
		}
		if (!w->mali && desc_res0(w, d, shift)) {
			r->fault = WF_TRANSLATION;
			snprintf(r->why, sizeof(r->why),
				 "RES0 address bits set in level %d leaf %#llx", lvl,
				 (unsigned long long)d);
			return;
		}
		r->leaf_oa = w->mali ? d & GENMASK_ULL(47, shift) : desc_oa(w, d);
		if (r->leaf_oa >> w->pa_bits) {
			r->fault = WF_ADDRSIZE;
			snprintf(r->why, sizeof(r->why), "output address %#llx beyond %d-bit PA",
				 (unsigned long long)r->leaf_oa, w->pa_bits);
			return;
		}
		if (!w->mali && !(d & D_AF)) {
			r->fault = WF_ACCESS;
			snprintf(r->why, sizeof(r->why), "access flag clear");
			return;
		}
		r->size = 1ULL << shift;
		r->base = iova & ~(r->size - 1);
		r->oa = r->leaf_oa | (iova & (r->size - 1));
		if (!w->s2 && !w->mali && !w->ns_quirk)
			d |= D_NS;	/* NS is not checked without the quirk */
		decode_leaf(w, d, tattr, r);
		return;
	}
	r->fault = WF_TRANSLATION;
	snprintf(r->why, sizeof(r->why), "ran out of levels");
}

struct enum_state {
	const struct walker *w;
	enum view v;
	u64 first, last;
	walk_leaf_fn leaf;
	walk_table_fn table;
	void *arg;
	char *err;
	size_t errlen;
};

static int enum_table(struct enum_state *s, u64 table, int lvl, u64 base)
{
	const struct walker *w = s->w;
	u64 shift = walker_level_shift(w, lvl), n = walker_table_entries(w, lvl);
	u64 span = 1ULL << shift, i, i0 = 0, i1 = n - 1;
	const char *why;

	if (s->table)
		s->table(s->arg, table, lvl, base);
	if (s->first > base)
		i0 = (s->first - base) >> shift;
	if (s->last - base < n * span)
		i1 = (s->last - base) >> shift;
	if (s->last < base)
		return 0;
	for (i = i0; i <= i1 && i < n; i++) {
		u64 d, next, iova = base + i * span;

		if (model_read_desc(s->v, table, n * 8, i, &d, &why)) {
			snprintf(s->err, s->errlen, "level %d table %#llx: %s",
				 lvl, (unsigned long long)table, why);
			return -1;
		}
		if (!(d & D_VALID))
			continue;
		if (walker_desc_is_table(w, d, lvl, &next)) {
			if (enum_table(s, next, lvl + 1, iova))
				return -1;
			continue;
		}
		if (s->leaf) {
			struct wres r;

			walker_walk(w, s->v, iova, &r);
			if (r.fault == WF_BADTABLE) {
				snprintf(s->err, s->errlen, "%s", r.why);
				return -1;
			}
			s->leaf(s->arg, &r);
		}
	}
	return 0;
}

/*
 * Visit every table reachable from the root and every leaf whose input
 * range intersects [first, last].
 */
int walker_enum(const struct walker *w, enum view v, u64 first, u64 last,
		walk_leaf_fn leaf, walk_table_fn table, void *arg,
		char *err, size_t errlen)
{
	struct enum_state s = {
		.w = w, .v = v, .first = first, .last = last,
		.leaf = leaf, .table = table, .arg = arg,
		.err = err, .errlen = errlen,
	};
	u64 base = walker_root_base(w);

	if (first < base)
		s.first = base;
	return enum_table(&s, w->root, w->start_level, base);
}
