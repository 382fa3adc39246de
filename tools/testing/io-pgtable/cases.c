// SPDX-License-Identifier: GPL-2.0
/*
 * io-pgtable harness: directed cases.
 *
 *  - bad input: a table of input classes, each with the result it must give
 *    and the proof that the tables did not change (both views, byte for
 *    byte), over every configuration; the table in README is generated
 *    from these results and compared by "make check";
 *  - corrupted descriptors: a table descriptor is scribbled over in the
 *    device's view, or in the table memory itself, and the code must still
 *    unmap and free exactly its own tables without following the scribble.
 *
 * Cases that may crash the code under test (upstream follows descriptors)
 * run in a child process: see isolate().
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* ---- set-up shared with threads.c and main.c ---- */

/* The io_pgtable_cfg a configuration asks for, in walker mode @mode. */
struct io_pgtable_cfg tcfg_cfg(const struct tcfg *t, enum dma_mode mode)
{
	struct io_pgtable_cfg cfg = {
		.quirks = t->quirks,
		.pgsize_bitmap = t->pgsizes,
		.ias = t->ias,
		.oas = t->oas,
		.coherent_walk = mode == MODE_COHERENT,
		.tlb = &harness_flush_ops,
		.iommu_dev = &harness_dev,
	};

	if (t->custom) {
		cfg.alloc = model_custom_alloc;
		cfg.free = model_custom_free;
	}
	return cfg;
}

void ctx_open(struct runctx *c, const struct tcfg *t, enum dma_mode mode)
{
	ctx_open_at(c, t, mode, 0);
}

/* ... with a coherent walker's DMA addresses @delta below physical ones */
void ctx_open_at(struct runctx *c, const struct tcfg *t, enum dma_mode mode,
		 u64 delta)
{
	char err[256];

	shadow_clear(&c->sh);
	memset(c, 0, sizeof(*c));
	model_reset(mode, CTL_NONE, 0);
	M.coherent_delta = delta;
	c->fmt = t->fmt;
	c->cfg = tcfg_cfg(t, mode);
	c->ops = alloc_io_pgtable_ops(t->fmt, &c->cfg, c);
	if (!c->ops)
		model_fail(CAT_ALLOC, "alloc_io_pgtable_ops() failed");
	if (walker_init(&c->w, t->fmt, &c->cfg, err, sizeof(err)))
		model_fail(CAT_ALLOC, "registers reported in cfg: %s", err);
	M.w = &c->w;
	M.live = true;
	if (t->fmt == ARM_MALI_LPAE && c->cfg.ias < 48)
		c->w.ias = 48;
	c->in_first = lpae_geom_base(&c->w);
	c->in_last = c->w.ttbr1 ? ~0ULL : (1ULL << c->cfg.ias) - 1;
	model_publish_root();
}

/* Page size @i (0: granule) usable in the input range, or 0 */
u64 ctx_pgsize(const struct runctx *c, int i)
{
	u64 p = 1ULL << (c->w.gshift + i * c->w.bpl);

	if (i > 2 || !(c->cfg.pgsize_bitmap & p) ||
	    p - 1 > c->in_last - c->in_first)
		return 0;
	return p;
}

/* Unmap what the shadow holds, with page sizes chosen like iommu_unmap() */
void ctx_unmap_all(struct runctx *c)
{
	while (c->sh.n) {
		u64 iova = c->sh.e[0].iova, left = c->sh.e[0].size;
		struct iommu_iotlb_gather gather = { 0 };
		u64 pgsize, count, next;
		struct tlb_watch t;
		size_t n;
		int i;

		for (i = 2; i > 0; i--)
			if (ctx_pgsize(c, i) && !(iova & (ctx_pgsize(c, i) - 1)) &&
			    ctx_pgsize(c, i) <= left)
				break;
		pgsize = ctx_pgsize(c, i);
		count = left / pgsize;
		next = ctx_pgsize(c, i + 1);
		if (next)
			count = min_t(u64, count,
				      (next - (iova & (next - 1))) / pgsize);
		count = max_t(u64, count, 1);
		tlb_watch_begin(&t, c, iova, iova + pgsize * count - 1, &gather);
		n = c->ops->unmap_pages(c->ops, iova, pgsize, count, &gather);
		model_op_end();
		tlb_watch_end(&t, "unmap of everything");
		if (!n)
			model_fail(CAT_XLATE, "unmap of mapped %#llx (%#llx x %llu) returned 0",
				   (unsigned long long)iova,
				   (unsigned long long)pgsize,
				   (unsigned long long)count);
		shadow_remove(&c->sh, iova, n);
	}
}

void ctx_close(struct runctx *c)
{
	M.injected = false;
	free_io_pgtable_ops(c->ops);
	c->ops = NULL;
	model_check_leaks();
	shadow_clear(&c->sh);
}

/* ---- isolation: run @fn in a child process ---- */

static int iso_fd = -1;

static void iso_fail_hook(void)
{
	char buf[600];
	int n;

	n = snprintf(buf, sizeof(buf), "[%s] %s", cat_names[M.fail_cat],
		     M.fail_msg);
	if (write(iso_fd, buf, min_t(int, n, sizeof(buf) - 1)) < 0)
		_exit(100);
	_exit(1 + M.fail_cat);
}

/* Copy a failed child's stderr (sanitizer reports) to ours */
bool isolate_show_log;

static void show_log(FILE *log)
{
	char line[400];

	if (!isolate_show_log)
		return;
	rewind(log);
	while (fgets(line, sizeof(line), log))
		fputs(line, stderr);
}

/* What killed a child: the signal and the sanitizer's summary line */
static void crash_msg(FILE *log, int status, char *msg, size_t len)
{
	char line[400], found[400] = "";

	show_log(log);
	rewind(log);
	while (fgets(line, sizeof(line), log)) {
		line[strcspn(line, "\n")] = 0;
		if ((strstr(line, "ERROR: ") || strstr(line, "WARNING: ")) &&
		    !found[0])
			snprintf(found, sizeof(found), "%s", line);
		if (strstr(line, "SUMMARY: "))
			snprintf(found, sizeof(found), "%s", line);
	}
	if (WIFSIGNALED(status))
		snprintf(msg, len, "killed by signal %d%s%s%s", WTERMSIG(status),
			 WTERMSIG(status) == SIGALRM ? " (timed out)" : "",
			 found[0] ? ": " : "", found);
	else
		snprintf(msg, len, "exited with %d%s%s", WEXITSTATUS(status),
			 found[0] ? ": " : "", found);
}

/*
 * Run @fn(@arg) in a child with @timeout seconds to finish. Returns 0 if it
 * returned, else non-zero with what happened in @msg: the model failure, or
 * the signal and the sanitizer's summary line (its report goes to a scratch
 * file, not to the terminal).
 */
int isolate(void (*fn)(void *), void *arg, int timeout, char *msg, size_t len)
{
	FILE *log = tmpfile();
	int pfd[2], status, n;
	pid_t pid;

	msg[0] = 0;
	if (!log || pipe(pfd)) {
		snprintf(msg, len, "cannot run the case in a child: no pipe or scratch file");
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(msg, len, "fork failed");
		return -1;
	}
	if (!pid) {
		close(pfd[0]);
		iso_fd = pfd[1];
		M.fail_hook = iso_fail_hook;
		M.fail_jmp = NULL;
		dup2(fileno(log), 2);
		alarm(timeout);
		fn(arg);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], msg, len - 1);
	msg[n > 0 ? n : 0] = 0;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && !WEXITSTATUS(status)) {
		fclose(log);
		return 0;
	}
	if (!msg[0])
		crash_msg(log, status, msg, len);
	else
		show_log(log);
	fclose(log);
	return 1;
}

/*
 * Run cases [0, @n) of @fn in as few children as possible: a child runs
 * them in turn, each under its own setjmp(), and reports each; if it dies,
 * the case it was in gets the crash and a new child goes on from the next.
 * @msg[i] is empty for a case that passed. Returns the number that failed.
 */
int isolate_seq(void (*fn)(void *arg, int i), void *arg, int n, int timeout,
		char msg[][600])
{
	int start = 0, failed = 0, i;

	for (i = 0; i < n; i++)
		snprintf(msg[i], sizeof(msg[i]), "not run");
	while (start < n) {
		FILE *log = tmpfile(), *rp;
		int pfd[2], status, last = start - 1;
		char line[700];
		pid_t pid;

		if (!log || pipe(pfd))
			return n;
		fflush(stdout);
		fflush(stderr);
		pid = fork();
		if (pid < 0)
			return n;
		if (!pid) {
			FILE *wp;

			close(pfd[0]);
			wp = fdopen(pfd[1], "w");
			dup2(fileno(log), 2);
			alarm(timeout);
			M.fail_hook = NULL;
			for (i = start; i < n; i++) {
				jmp_buf jb;

				M.fail_jmp = &jb;
				if (!setjmp(jb)) {
					fn(arg, i);
					fprintf(wp, "%d\t\n", i);
				} else {
					M.live = false;
					fprintf(wp, "%d\t[%s] %s\n", i,
						cat_names[M.fail_cat], M.fail_msg);
				}
				fflush(wp);
			}
			_exit(0);
		}
		close(pfd[1]);
		rp = fdopen(pfd[0], "r");
		while (fgets(line, sizeof(line), rp)) {
			char *tab = strchr(line, '\t');

			line[strcspn(line, "\n")] = 0;
			i = atoi(line);
			if (!tab || i < start || i >= n)
				continue;
			snprintf(msg[i], sizeof(msg[i]), "%s", tab + 1);
			failed += !!msg[i][0];
			last = i;
		}
		fclose(rp);
		waitpid(pid, &status, 0);
		if (last + 1 < n && !(WIFEXITED(status) && !WEXITSTATUS(status))) {
			crash_msg(log, status, msg[last + 1], sizeof(msg[0]));
			failed++;
		}
		fclose(log);
		start = last + 2;
	}
	return failed;
}

/* ---- bad input ---- */

/*
 * Layout, per configuration: g is the granule, B the block one level up.
 * X is B-aligned in the input range, with the page X+g and the blocks X+B
 * and X+2B mapped; F = X+3B is unmapped; T is the first iova above the
 * input range (below it with TTBR1).
 */
struct bctx {
	struct runctx c;
	struct lpae_bad_place pl;
	u64 g, B;
};

/* the rules, their calls and answers: the oracle's lpae_bad_cases[] */
#define NR_BCLASSES	ARRAY_SIZE(lpae_bad_cases)
#define RW		LPAE_RW

static bool bad_verbose;
static char our_cells[NR_BCLASSES][400];
static char bad_expects[NR_BCLASSES][48];

static const char *errname(int ret)
{
	static char buf[16];

	switch (ret) {
	case 0: return "0";
	case -EINVAL: return "-EINVAL";
	case -ERANGE: return "-ERANGE";
	case -EEXIST: return "-EEXIST";
	case -ENOMEM: return "-ENOMEM";
	}
	snprintf(buf, sizeof(buf), "%d", ret);
	return buf;
}

/* An answer's size in the terms of the table: 0, g, B or a number of g */
static void val_str(struct lpae_bad_val v, char *buf, size_t len)
{
	if (!v.halves && !v.blocks)
		snprintf(buf, len, "0");
	else if (!v.halves && v.blocks == 1)
		snprintf(buf, len, "B");
	else if (v.halves == 2 && !v.blocks)
		snprintf(buf, len, "g");
	else
		snprintf(buf, len, "%dg", v.halves / 2);
}

/* What the README and the report expect of a case, from its values */
static const char *bad_expect(const struct lpae_bad_case *k)
{
	char *buf = bad_expects[k - lpae_bad_cases], sz[16];
	size_t len = sizeof(bad_expects[0]);

	val_str(k->done, sz, sizeof(sz));
	if (k->unmap)
		snprintf(buf, len, "%s", sz);
	else if (k->ret)
		snprintf(buf, len, "%s", errname(k->ret));
	else
		snprintf(buf, len, "0 mapped=%s", sz);
	snprintf(buf + strlen(buf), len - strlen(buf), ", %s",
		 k->keep ? "unchanged" : "state ok");
	return buf;
}

static void size_str(const struct bctx *b, u64 v, char *buf, size_t len)
{
	if (!v)
		snprintf(buf, len, "0");
	else if (v == b->B)
		snprintf(buf, len, "B");
	else if (v == b->g)
		snprintf(buf, len, "g");
	else if (!(v % b->g))
		snprintf(buf, len, "%llug", (unsigned long long)(v / b->g));
	else
		snprintf(buf, len, "%#llx", (unsigned long long)v);
}

static void b_map(struct bctx *b, u64 iova, u64 pa, u64 size, int prot)
{
	size_t mapped = 0;
	int ret;

	ret = b->c.ops->map_pages(b->c.ops, iova, pa, size, 1, prot, GFP_KERNEL,
				  &mapped);
	model_op_end();
	if (ret || mapped != size)
		model_fail(CAT_XLATE, "set-up map of %#llx returned %d",
			   (unsigned long long)iova, ret);
	shadow_add(&b->c.sh, iova, size, pa, prot, true);
}

/* One class on one configuration; the outcome in @tok */
static void bad_case(struct bctx *b, const struct lpae_bad_case *k, char *tok,
		     size_t len)
{
	struct runctx *c = &b->c;
	struct iommu_iotlb_gather gather = { 0 }, *gp = k->no_gather ? NULL : &gather;
	u64 iova = lpae_bad_value(&b->pl, k->iova), pa = lpae_bad_value(&b->pl, k->pa);
	u64 size = lpae_bad_value(&b->pl, k->size), count = lpae_bad_count(&b->pl, k);
	unsigned long warns, adds;
	struct model_snap *snap;
	struct tlb_watch tw;
	int prot = k->prot, ret = 0;
	size_t mapped = 0, n = 0;
	char err[300], sz[32];

	snap = model_snap_take();
	warns = M.st.warns;
	adds = M.st.add_page;
	if (!k->unmap) {
		tlb_watch_begin(&tw, c, 1, 0, NULL);
		ret = c->ops->map_pages(c->ops, iova, pa, size, count, prot,
					GFP_KERNEL, &mapped);
		model_op_end();
		tlb_watch_end(&tw, k->name);
		if (ret) {
			snprintf(tok, len, "%s", errname(ret));
		} else {
			size_str(b, mapped, sz, sizeof(sz));
			snprintf(tok, len, "0 mapped=%s", sz);
		}
		if (!ret && mapped)
			shadow_add(&c->sh, iova, mapped, pa, prot, true);
	} else {
		tlb_watch_begin(&tw, c, iova,
				count && size ? iova + size * count - 1 : iova, gp);
		n = c->ops->unmap_pages(c->ops, iova, size, count, gp);
		model_op_end();
		tlb_watch_end(&tw, k->name);
		size_str(b, n, sz, sizeof(sz));
		snprintf(tok, len, "%s", sz);
		shadow_remove(&c->sh, iova, n);
	}
	if (k->keep || ret || (k->unmap && !n)) {
		int d = model_snap_diff(snap, err, sizeof(err));

		snprintf(tok + strlen(tok), len - strlen(tok), ", %s",
			 d ? "CHANGED" : "unchanged");
		if (d && bad_verbose)
			fprintf(stderr, "    %s: %s\n", k->name, err);
	} else {
		/* the shadow says what must be there now */
		check_state(c, c->in_first, c->in_last, CAT_STRICT, k->name);
		snprintf(tok + strlen(tok), len - strlen(tok), ", state ok");
	}
	if (!gp && M.st.add_page != adds)
		snprintf(tok + strlen(tok), len - strlen(tok), ", add_page called");
	if (M.st.warns != warns)
		snprintf(tok + strlen(tok), len - strlen(tok), " +WARN");
	model_snap_free(snap);
}

static bool bad_setup(struct bctx *b, const struct tcfg *t)
{
	struct runctx *c = &b->c;
	unsigned int i;

	ctx_open(c, t, t->quirks & IO_PGTABLE_QUIRK_ARM_HD ? MODE_COHERENT :
					MODE_DIRECT);
	b->g = ctx_pgsize(c, 0);
	b->B = ctx_pgsize(c, 1);
	if (!lpae_bad_place(&b->pl, b->g, b->B, c->in_first, c->in_last,
			    c->w.ttbr1, c->cfg.oas))
		return false;
	for (i = 0; i < ARRAY_SIZE(lpae_bad_setup); i++)
		b_map(b, lpae_bad_value(&b->pl, lpae_bad_setup[i].iova),
		      lpae_bad_value(&b->pl, lpae_bad_setup[i].pa),
		      lpae_bad_value(&b->pl, lpae_bad_setup[i].size),
		      lpae_bad_setup[i].prot);
	return true;
}

struct tally {
	char tok[8][200];
	int n[8], nr;
};

static void tally_add(struct tally *t, const char *tok)
{
	int i;

	for (i = 0; i < t->nr; i++)
		if (!strcmp(t->tok[i], tok))
			break;
	if (i == t->nr) {
		if (t->nr == 8)
			i = 7;	/* lump the rest together */
		else
			snprintf(t->tok[t->nr++], sizeof(t->tok[0]), "%s", tok);
	}
	t->n[i]++;
}

/* "tok" if every configuration agrees, else "tok (n); tok (m)..." */
static void tally_cell(struct tally *t, int total, char *buf, size_t len)
{
	int i, j, order[8];

	buf[0] = 0;
	for (i = 0; i < t->nr; i++)
		order[i] = i;
	for (i = 0; i < t->nr; i++)
		for (j = i + 1; j < t->nr; j++)
			if (t->n[order[j]] > t->n[order[i]] ||
			    (t->n[order[j]] == t->n[order[i]] &&
			     strcmp(t->tok[order[j]], t->tok[order[i]]) < 0))
				swap(order[i], order[j]);
	if (t->nr == 1 && t->n[0] == total) {
		snprintf(buf, len, "%s", t->tok[0]);
		return;
	}
	for (i = 0; i < t->nr; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s (%d)",
			 i ? "; " : "", t->tok[order[i]], t->n[order[i]]);
}

/* @tok, without the informative " +WARN", is what @k expects */
static bool tok_ok(const struct lpae_bad_case *k, const char *tok)
{
	size_t n = strlen(bad_expect(k));

	return !strncmp(tok, bad_expect(k), n) &&
	       (!tok[n] || !strcmp(tok + n, " +WARN"));
}

/* One class on one configuration, from a fresh set-up; the outcome in @tok */
static void bad_one(const struct tcfg *t, const struct lpae_bad_case *cl, char *tok,
		    size_t len)
{
	static struct bctx b;
	jmp_buf jb;

	tok[0] = 0;
	M.fail_jmp = &jb;
	if (!setjmp(jb)) {
		if (bad_setup(&b, t)) {
			bad_case(&b, cl, tok, len);
			ctx_unmap_all(&b.c);
			ctx_close(&b.c);
		} else {
			snprintf(tok, len, "n/a");
		}
	} else {
		char *e = tok + strlen(tok);

		/* keep what the call returned, if it got that far */
		snprintf(e, len - (e - tok), "%sFAIL [%s]", tok[0] ? ", " : "",
			 cat_names[M.fail_cat]);
		if (bad_verbose)
			fprintf(stderr, "  bad input %s/%s%s: %s\n", t->name, cl->name,
				t->quirks & IO_PGTABLE_QUIRK_NO_WARN ? " (NO_WARN)" : "",
				M.fail_msg);
		M.live = false;
	}
	M.fail_jmp = NULL;
}

/*
 * With IO_PGTABLE_QUIRK_NO_WARN the class must give what it gave without
 * it, less the WARN (that it WARNs without the quirk is in the table).
 */
static bool bad_quiet_ok(const struct tcfg *t, const struct lpae_bad_case *cl,
			 const char *tok)
{
	struct tcfg q = *t;
	char want[200], got[200];
	char *w;

	q.quirks |= IO_PGTABLE_QUIRK_NO_WARN;
	snprintf(want, sizeof(want), "%s", tok);
	w = strstr(want, " +WARN");
	if (w)
		*w = 0;
	bad_one(&q, cl, got, sizeof(got));
	if (!strcmp(got, want))
		return true;
	if (bad_verbose)
		fprintf(stderr, "  bad input %s/%s with NO_WARN: %s, without it %s\n",
			t->name, cl->name, got, tok);
	return false;
}

/*
 * Every class on every configuration, without and with NO_WARN. Writes one
 * line per class to @out_file ("index<TAB>cell"), if given. Returns the
 * number of (class, configuration) cases whose outcome is not the expected
 * one, or differs with the quirk.
 */
int bad_input_run(const char *impl, const char *out_file, bool verbose,
		  struct bad_summary *sum)
{
	struct tally *tl = calloc(NR_BCLASSES, sizeof(*tl));
	FILE *f = NULL;
	unsigned int k;
	int ti, nfmt = 0, failed = 0;

	bad_verbose = verbose;
	memset(sum, 0, sizeof(*sum));
	for (ti = 0; ti < nr_tcfgs; ti++) {
		nfmt++;
		for (k = 0; k < NR_BCLASSES; k++) {
			const struct lpae_bad_case *cl = &lpae_bad_cases[k];
			char tok[200];

			bad_one(&tcfgs[ti], cl, tok, sizeof(tok));
			tally_add(&tl[k], tok);
			sum->cases++;
			if (!tok_ok(cl, tok)) {
				failed++;
				if (verbose)
					fprintf(stderr, "  bad input %s/%s: %s, expected %s\n",
						tcfgs[ti].name, cl->name, tok,
						bad_expect(cl));
			}
			sum->warned += !!strstr(tok, " +WARN");
			if (!bad_quiet_ok(&tcfgs[ti], cl, tok)) {
				sum->quiet_failed++;
				failed++;
			}
		}
	}
	sum->classes = NR_BCLASSES;
	sum->formats = nfmt;
	sum->failed = failed;
	if (out_file)
		f = fopen(out_file, "w");
	for (k = 0; k < NR_BCLASSES; k++) {
		tally_cell(&tl[k], nfmt, our_cells[k], sizeof(our_cells[k]));
		if (f)
			fprintf(f, "%u\t%s\n", k, our_cells[k]);
	}
	if (f)
		fclose(f);
	fprintf(stdout,
		"\nbad input (%s): %d classes x %d configurations, %d cases not as expected; %d WARNed, %d differ with NO_WARN\n",
		impl, sum->classes, sum->formats, failed, sum->warned,
		sum->quiet_failed);
	for (k = 0; k < NR_BCLASSES; k++)
		if (verbose || strcmp(our_cells[k], bad_expect(&lpae_bad_cases[k])))
			printf("  %-34s %s\n", lpae_bad_cases[k].name, our_cells[k]);
	free(tl);
	return failed;
}

#define README_BEGIN	"--- bad-input table: written by \"make readme-table\", compared by \"make check\" ---"
#define README_END	"--- end of bad-input table ---"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	if (fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/*
 * Build the README table from our cells (bad_input_run() has run) and
 * upstream's column file; compare it with README's (or write it there).
 */
int bad_input_readme(const char *upstream_file, const char *readme, bool write,
		     char *msg, size_t len)
{
	char up[NR_BCLASSES][400], *text, *b, *e, *table, line[600];
	size_t tlen = 0, cap = 65536;
	FILE *f;
	unsigned int k;
	int ret = 0;

	for (k = 0; k < NR_BCLASSES; k++)
		snprintf(up[k], sizeof(up[k]), "(not run)");
	f = upstream_file ? fopen(upstream_file, "r") : NULL;
	while (f && fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');

		line[strcspn(line, "\n")] = 0;
		k = atoi(line);
		if (tab && k < NR_BCLASSES)
			snprintf(up[k], sizeof(up[k]), "%s", tab + 1);
	}
	if (f)
		fclose(f);

	table = malloc(cap);
	tlen += snprintf(table + tlen, cap - tlen,
			 "%s\n| class | input | expected | ours | upstream 6.12 |\n|---|---|---|---|---|\n",
			 README_BEGIN);
	for (k = 0; k < NR_BCLASSES; k++)
		tlen += snprintf(table + tlen, cap - tlen, "| %s | %s | %s | %s | %s |\n",
				 lpae_bad_cases[k].name, lpae_bad_cases[k].input,
				 bad_expect(&lpae_bad_cases[k]), our_cells[k], up[k]);
	tlen += snprintf(table + tlen, cap - tlen, "%s\n", README_END);

	text = slurp(readme);
	b = text ? strstr(text, README_BEGIN) : NULL;
	e = b ? strstr(b, README_END) : NULL;
	if (!e) {
		snprintf(msg, len, "%s has no bad-input table markers", readme);
		ret = -1;
		goto out;
	}
	e += strlen(README_END) + 1;
	if ((size_t)(e - b) == tlen && !memcmp(b, table, tlen)) {
		snprintf(msg, len, "README bad-input table is up to date");
		goto out;
	}
	if (!write) {
		snprintf(msg, len,
			 "README bad-input table differs from the results: run \"make readme-table\"");
		ret = 1;
		goto out;
	}
	f = fopen(readme, "w");
	if (!f) {
		snprintf(msg, len, "cannot write %s", readme);
		ret = -1;
		goto out;
	}
	fwrite(text, 1, b - text, f);
	fwrite(table, 1, tlen, f);
	fputs(e, f);
	fclose(f);
	snprintf(msg, len, "README bad-input table written");
out:
	free(text);
	free(table);
	return ret;
}

/* ---- corrupted descriptors ---- */

struct corrupt_arg {
	const struct tcfg *t;
	enum dma_mode mode;
	enum lpae_scribble kind;
	enum view v;
};

struct tdesc {
	u64 table, idx, next;
	int lvl;
};

/* The last table descriptor on the path to @iova (CPU view) */
static bool deepest_table_desc(struct runctx *c, u64 iova, struct tdesc *d)
{
	u64 table = c->w.root, val, next;
	int lvl = c->w.start_level;
	const char *why;
	bool found = false;

	for (; lvl < 4; lvl++) {
		u64 entries = lpae_geom_entries(&c->w, lvl);
		u64 idx = (iova >> lpae_geom_level_shift(&c->w, lvl)) & (entries - 1);

		if (model_read_desc(VIEW_CPU, table, entries * 8, idx, &val, &why) ||
		    !lpae_desc_is_table(&c->w, val, lvl, &next))
			break;
		d->table = table;
		d->idx = idx;
		d->next = next;
		d->lvl = lvl;
		found = true;
		table = next;
	}
	return found;
}

static void corrupt_expect_pa(struct runctx *c, u64 iova, u64 want)
{
	u64 pa = c->ops->iova_to_phys(c->ops, iova);

	if (pa != want)
		model_fail(CAT_XLATE,
			   "iova_to_phys(%#llx) = %#llx under the scribbled descriptor, want %#llx",
			   (unsigned long long)iova, (unsigned long long)pa,
			   (unsigned long long)want);
}

static void corrupt_case(void *arg, int i)
{
	const struct corrupt_arg *a = (const struct corrupt_arg *)arg + i;
	static struct bctx b;
	struct runctx *c = &b.c;
	struct tdesc d, sib;
	u64 g, B, X, val, old, decoy;
	const char *why;
	size_t mapped = 0;
	unsigned int k;

	ctx_open(c, a->t, a->mode);
	g = ctx_pgsize(c, 0);
	B = ctx_pgsize(c, 1);
	X = c->in_first + 2 * B;
	b.c.opi = 0;
	for (k = 0; k < LPAE_SCRIBBLE_PAGES; k++)
		b_map(&b, lpae_scribble_iova(X, g, B, k), (0x100000 + k) * g, g, RW);
	b_map(&b, lpae_scribble_iova(X, g, B, 4), 4 * B, B, RW);
	if (!deepest_table_desc(c, X + g, &d) ||
	    !deepest_table_desc(c, X + B + g, &sib))
		model_fail(CAT_XLATE, "no table descriptor on the path of %#llx",
			   (unsigned long long)(X + g));
	model_read_desc(VIEW_CPU, d.table, lpae_geom_entries(&c->w, d.lvl) * 8,
			d.idx, &old, &why);
	decoy = model_unallocated_page() - (a->mode == MODE_OFFSET ? DMA_DELTA : 0);
	val = lpae_scribble_desc(&c->w, a->kind, old, decoy,
				 sib.next != d.next ? sib.next : c->w.root,
				 d.table, 0x1000);

	/* from here on, the model only keeps the books */
	M.no_reach = true;
	model_scribble(a->v, d.table, d.idx, val);

	/* the CPU's walk does not follow what it did not write */
	corrupt_expect_pa(c, X + g, 0x100000 * g);
	corrupt_expect_pa(c, X + 3 * g, 0);
	if (!c->ops->map_pages(c->ops, X + 3 * g, 0x100003 * g, g, 1, RW,
			       GFP_KERNEL, &mapped) && mapped)
		shadow_add(&c->sh, X + 3 * g, g, 0x100003 * g, RW, true);
	/* whatever unmap returns, everything goes */
	while (c->sh.n) {
		struct lpae_ext *e = &c->sh.e[0];
		u64 pg = e->size >= B && !(e->iova & (B - 1)) ? B : g;

		c->ops->unmap_pages(c->ops, e->iova, pg, e->size / pg, NULL);
		shadow_remove(&c->sh, e->iova, e->size);
	}
	c->ops->unmap_pages(c->ops, X, B, 1, NULL);
	ctx_close(c);
}

/* Every scribble on every configuration, walker mode and view */
int corrupt_run(bool verbose, struct corrupt_summary *sum, char *first, size_t len)
{
	static const enum dma_mode modes[] = { MODE_COHERENT, MODE_DIRECT, MODE_BOUNCE };
	static struct corrupt_arg a[1024];
	static char msg[1024][600];
	unsigned int mi;
	int ti, k, v, n = 0, i;

	memset(sum, 0, sizeof(*sum));
	first[0] = 0;
	for (ti = 0; ti < nr_tcfgs; ti++)
		for (mi = 0; mi < ARRAY_SIZE(modes); mi++)
			for (v = VIEW_DEV; v <= VIEW_CPU; v++)
				for (k = 0; k < LPAE_NR_SCRIBBLES; k++) {
					if ((tcfgs[ti].quirks & IO_PGTABLE_QUIRK_ARM_HD) &&
					    modes[mi] != MODE_COHERENT)
						continue;
					/* a coherent walker has one view */
					if (modes[mi] == MODE_COHERENT && v == VIEW_DEV)
						continue;
					a[n++] = (struct corrupt_arg) {
						&tcfgs[ti], modes[mi], k, v,
					};
				}
	isolate_seq(corrupt_case, a, n, 120, msg);
	for (i = 0; i < n; i++) {
		/* the format cannot use this walker */
		if (!strncmp(msg[i], "[alloc] alloc_io_pgtable_ops", 28))
			continue;
		sum->cases++;
		if (!msg[i][0])
			continue;
		sum->failed++;
		if (verbose)
			fprintf(stderr, "  corrupt %s/%s/%s-view/%s: %s\n",
				a[i].t->name, mode_names[a[i].mode],
				a[i].v == VIEW_DEV ? "device" : "cpu",
				lpae_scribble_names[a[i].kind], msg[i]);
		if (!first[0])
			snprintf(first, len, "%s/%s/%s view/%s: %s", a[i].t->name,
				 mode_names[a[i].mode],
				 a[i].v == VIEW_DEV ? "device" : "cpu",
				 lpae_scribble_names[a[i].kind], msg[i]);
	}
	return sum->failed;
}
