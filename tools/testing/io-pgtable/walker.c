// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's view of the reference walker. The walker itself, with the
 * register decoder and the descriptor rules, is the oracle it shares with
 * the KUnit suite (drivers/iommu/io-pgtable-arm-oracle.h); this file only
 * tells it how to read table memory: through the model's DMA mapping
 * records, in the device's view or the CPU's.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

int walker_init(struct lpae_geom *w, enum io_pgtable_fmt fmt,
		const struct io_pgtable_cfg *cfg, char *err, size_t errlen)
{
	return lpae_geom_decode(w, fmt, cfg, err, errlen) ? -1 : 0;
}

static int read_view(void *arg, u64 table, u64 entries, u64 idx, u64 *desc,
		     const char **why)
{
	return model_read_desc(*(enum view *)arg, table, entries * 8, idx, desc, why);
}

void walker_walk(const struct lpae_geom *w, enum view v, u64 iova,
		 struct lpae_wres *r)
{
	lpae_walk(w, read_view, &v, iova, r);
}

struct enum_state {
	enum view v;
	walk_leaf_fn leaf;
	walk_table_fn table;
	void *arg;
	char *err;
	size_t errlen;
};

static int enum_read(void *arg, u64 table, u64 entries, u64 idx, u64 *desc,
		     const char **why)
{
	return read_view(&((struct enum_state *)arg)->v, table, entries, idx, desc, why);
}

static bool enum_table_cb(void *arg, u64 table, int lvl, u64 base,
			  const struct lpae_wres *via)
{
	struct enum_state *s = arg;

	if (s->table)
		s->table(s->arg, table, lvl, base);
	return true;
}

static void enum_leaf_cb(void *arg, const struct lpae_wres *r)
{
	struct enum_state *s = arg;

	if (r->fault == LPAE_WF_BADTABLE)
		snprintf(s->err, s->errlen, "%s", r->why);
	else if (s->leaf)
		s->leaf(s->arg, r);
}

/*
 * Visit every table reachable from the root and every leaf whose input
 * range intersects [first, last].
 */
int walker_enum(const struct lpae_geom *w, enum view v, u64 first, u64 last,
		walk_leaf_fn leaf, walk_table_fn table, void *arg,
		char *err, size_t errlen)
{
	struct enum_state s = {
		.v = v, .leaf = leaf, .table = table, .arg = arg,
		.err = err, .errlen = errlen,
	};
	struct lpae_enum e = {
		.g = w, .read = enum_read, .table = enum_table_cb,
		.leaf = enum_leaf_cb, .arg = &s, .first = first, .last = last,
	};

	return lpae_enum(&e) ? -1 : 0;
}
