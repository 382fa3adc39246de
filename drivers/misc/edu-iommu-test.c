// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-after-unmap test with QEMU's "edu" PCI device (1234:11e8).
 *
 * The edu device copies between RAM and a 4 KiB internal buffer by DMA, so
 * behind an IOMMU it can be told to read an IOVA after the driver unmapped
 * it. Each case maps a buffer, lets the device copy it (proving the mapping
 * works), unmaps it, rewrites the old pages and makes the device read the
 * stale IOVA again: the IOMMU must block that read, so the new data must not
 * reach the device. With page tables the walker reads through bounce copies
 * (swiotlb=force and a non-coherent SMMU), an unmap that was not synced to
 * the walker leaves the stale translation alive and the case fails.
 *
 * The cases run from late_initcall_sync, not from probe: each transfer takes
 * about 100 ms of virtual time, too long for the deferred-probe worker.
 *
 * With edu_iommu_test.inflight=1 the test runs DMA in flight during a split
 * instead: the device is attached to an unmanaged domain of its own, a
 * block (2M with 4K pages, 32M with 16K) is mapped with iommu_map(), and
 * while the device writes into pages of it in a loop a kthread unmaps one
 * page inside the block (splitting it), then maps and unmaps a neighbouring
 * block under the same upper table. Every transfer outside the unmapped page
 * must land, and one into the unmapped page after the unmap returned must
 * not: the split is hitless and the hole is real. Then as many splits run
 * with the device writing from inside each of the SMMU driver's TLB
 * callbacks (kprobes), the one place a break-before-make split shows.
 */
#define pr_fmt(fmt) "edu-iommu-test: " fmt

#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/pci.h>
#include <linux/sizes.h>

#define EDU_REG_IDENT		0x00
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_CMD_RUN		BIT(0)
#define EDU_CMD_TO_RAM		BIT(1)
#define EDU_BUF_ADDR		0x40000	/* device-side address of its buffer */
#define EDU_XFER		1024	/* a full 4 KiB transfer aborts QEMU 7.2 */
#define EDU_DMA_BITS		28	/* the device masks DMA addresses */

struct edu {
	struct pci_dev *pdev;
	void __iomem *regs;
};

static struct edu edu;

static bool inflight;
module_param(inflight, bool, 0444);
MODULE_PARM_DESC(inflight, "run the DMA-in-flight split test instead of the unmap cases");

static void edu_dma_start(u64 src, u64 dst, bool to_ram)
{
	writeq(src, edu.regs + EDU_REG_DMA_SRC);
	writeq(dst, edu.regs + EDU_REG_DMA_DST);
	writeq(EDU_XFER, edu.regs + EDU_REG_DMA_CNT);
	writeq(EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0),
	       edu.regs + EDU_REG_DMA_CMD);
}

static bool edu_dma_busy(void)
{
	return readq(edu.regs + EDU_REG_DMA_CMD) & EDU_CMD_RUN;
}

/* Run one transfer and wait for the device to finish it. */
static int edu_dma(u64 src, u64 dst, bool to_ram)
{
	unsigned long timeout = jiffies + 5 * HZ;

	edu_dma_start(src, dst, to_ram);
	while (edu_dma_busy()) {
		if (time_after(jiffies, timeout))
			return -ETIMEDOUT;
		msleep(20);
	}
	return 0;
}

/* The same, polling, for a caller that cannot sleep: 5 s at most. */
static int edu_dma_atomic(u64 src, u64 dst, bool to_ram)
{
	u64 deadline = ktime_get_ns() + 5 * NSEC_PER_SEC;

	edu_dma_start(src, dst, to_ram);
	while (edu_dma_busy()) {
		if (ktime_get_ns() > deadline)
			return -ETIMEDOUT;
		udelay(5);	/* each poll is an exit to QEMU */
	}
	return 0;
}

static void fill(void *buf, u64 seed)
{
	u64 *w = buf;
	int i;

	for (i = 0; i < EDU_XFER / 8; i++)
		w[i] = seed ^ (0x9e3779b97f4a7c15ull * (i + 1));
}

/* Number of words of @buf that hold what fill(@seed) wrote. */
static int matches(const void *buf, u64 seed)
{
	const u64 *w = buf;
	int i, n = 0;

	for (i = 0; i < EDU_XFER / 8; i++)
		n += w[i] == (seed ^ (0x9e3779b97f4a7c15ull * (i + 1)));
	return n;
}

/* Copy the device's buffer into @buf through the long-lived mapping @dma. */
static int edu_readback(void *buf, dma_addr_t dma)
{
	int ret;

	memset(buf, 0, EDU_XFER);
	dma_sync_single_for_device(&edu.pdev->dev, dma, EDU_XFER,
				   DMA_FROM_DEVICE);
	ret = edu_dma(EDU_BUF_ADDR, dma, true);
	dma_sync_single_for_cpu(&edu.pdev->dev, dma, EDU_XFER, DMA_FROM_DEVICE);
	return ret;
}

struct edu_case {
	const char *name;
	unsigned int order;	/* allocation order of the victim buffer */
	unsigned int skip;	/* pages skipped so the mapping is not a block */
	size_t len;		/* bytes mapped */
	size_t probe;		/* offset of the stale read inside the mapping */
};

static const struct edu_case edu_cases[] = {
	{ "4K page", 0, 0, SZ_4K, 0 },
	{ "2M block", 9, 0, SZ_2M, SZ_1M + SZ_4K },
	{ "2M of 4K pages, last-level table freed", 10, 1, SZ_2M, SZ_1M },
};

struct edu_bufs {
	void *scratch;		/* poison source, then readback target */
	dma_addr_t scratch_to_dev, scratch_from_dev;
	void *readback;
	dma_addr_t readback_dma;
};

static int edu_run_case(const struct edu_case *c, struct edu_bufs *b)
{
	struct device *dev = &edu.pdev->dev;
	struct page *pages;
	void *victim;
	dma_addr_t iova;
	int ret = -EIO, seen;

	pages = alloc_pages(GFP_KERNEL, c->order);
	if (!pages)
		return -ENOMEM;
	victim = page_address(pages) + c->skip * PAGE_SIZE;
	fill(victim + c->probe, 0xaaaa);
	iova = dma_map_single(dev, victim, c->len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, iova)) {
		ret = -ENOMEM;
		goto free;
	}

	/* The mapping works: the device copies the old data. */
	if (edu_dma(iova + c->probe, EDU_BUF_ADDR, false) ||
	    edu_readback(b->readback, b->readback_dma)) {
		dma_unmap_single(dev, iova, c->len, DMA_TO_DEVICE);
		pr_err("%s: transfer timed out\n", c->name);
		goto free;
	}
	seen = matches(b->readback, 0xaaaa);
	if (seen != EDU_XFER / 8) {
		dma_unmap_single(dev, iova, c->len, DMA_TO_DEVICE);
		pr_err("%s: FAIL: device read %d/%d words through its mapping\n",
		       c->name, seen, EDU_XFER / 8);
		goto free;
	}

	/* Poison the device buffer, unmap, rewrite, read the stale IOVA. */
	ret = edu_dma(b->scratch_to_dev, EDU_BUF_ADDR, false) ? -EIO : 0;
	dma_unmap_single(dev, iova, c->len, DMA_TO_DEVICE);
	if (ret)
		goto unmapped;
	ret = -EIO;
	fill(victim + c->probe, 0xbbbb);
	pr_info("%s: device reads IOVA %pad after unmap; the SMMU must fault\n",
		c->name, &iova);
	if (edu_dma(iova + c->probe, EDU_BUF_ADDR, false) ||
	    edu_readback(b->readback, b->readback_dma))
		goto unmapped;
	seen = matches(b->readback, 0xbbbb);
	if (seen) {
		pr_err("%s: FAIL: stale IOVA %pad still reaches the old pages (%d words of new data reached the device)\n",
		       c->name, &iova, seen);
		goto unmapped;
	}
	pr_info("%s: ok: stale DMA blocked (device buffer kept %d/%d poison words)\n",
		c->name, matches(b->readback, 0x5555), EDU_XFER / 8);
	ret = 0;
	goto free;
unmapped:
	if (ret)
		pr_err("%s: FAIL\n", c->name);
free:
	__free_pages(pages, c->order);
	return ret;
}

static int edu_setup_bufs(struct edu_bufs *b)
{
	struct device *dev = &edu.pdev->dev;

	b->scratch = (void *)__get_free_page(GFP_KERNEL);
	b->readback = (void *)__get_free_page(GFP_KERNEL);
	if (!b->scratch || !b->readback)
		return -ENOMEM;
	fill(b->scratch, 0x5555);
	b->scratch_to_dev = dma_map_single(dev, b->scratch, EDU_XFER,
					   DMA_TO_DEVICE);
	if (dma_mapping_error(dev, b->scratch_to_dev))
		return -ENOMEM;
	b->readback_dma = dma_map_single(dev, b->readback, EDU_XFER,
					 DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, b->readback_dma)) {
		dma_unmap_single(dev, b->scratch_to_dev, EDU_XFER,
				 DMA_TO_DEVICE);
		return -ENOMEM;
	}
	return 0;
}

/* The in-flight split test: see the comment at the top of the file. */
#define INFLIGHT_ROUNDS		4
#define INFLIGHT_DMAS		12	/* transfers per round, ~100 ms each */

struct inflight {
	struct iommu_domain *dom;
	unsigned long blk_iova, hole_iova;
	phys_addr_t other_phys;
	size_t blk;
	struct completion unmapped;
	size_t unmapped_len;
	unsigned int neighbour_cycles;
	int neighbour_err;
};

/* The second thread: split the block under the running DMA, then churn. */
static int inflight_thread(void *data)
{
	struct inflight *f = data;
	unsigned long nb = f->blk_iova + f->blk;	/* same upper table */

	msleep(100 + get_random_u32_below(400));
	f->unmapped_len = iommu_unmap(f->dom, f->hole_iova, PAGE_SIZE);
	complete(&f->unmapped);
	while (!kthread_should_stop()) {
		if (iommu_map(f->dom, nb, f->other_phys, f->blk,
			      IOMMU_READ | IOMMU_WRITE, GFP_KERNEL)) {
			f->neighbour_err++;
		} else if (iommu_unmap(f->dom, nb, f->blk) != f->blk) {
			f->neighbour_err++;
		}
		f->neighbour_cycles++;
		usleep_range(500, 2000);
	}
	return 0;
}

/* Let the device write its buffer at @iova; true if the data landed at @va. */
static bool inflight_write(unsigned long iova, void *va, u64 seed, bool *timeout)
{
	memset(va, 0, EDU_XFER);
	if (edu_dma(EDU_BUF_ADDR, iova, true)) {
		*timeout = true;
		return false;
	}
	return matches(va, seed) == EDU_XFER / 8;
}

/* Map the block and pick the page to unmap: its index, or -errno */
static long inflight_map_block(struct inflight *f, void *blk_va,
			       const char *what, int round)
{
	unsigned long hole = 1 + get_random_u32_below(f->blk / PAGE_SIZE - 2);
	int ret;

	f->hole_iova = f->blk_iova + hole * PAGE_SIZE;
	ret = iommu_map(f->dom, f->blk_iova, virt_to_phys(blk_va), f->blk,
			IOMMU_READ | IOMMU_WRITE, GFP_KERNEL);
	if (ret) {
		pr_err("%s %d: FAIL: iommu_map of the block: %d\n", what, round, ret);
		return ret;
	}
	return hole;
}

/* The unmap has returned: the hole must be closed to the device. */
static bool inflight_hole_blocked(struct inflight *f, void *blk_va,
				  unsigned long hole, bool *timeout)
{
	return !*timeout && !inflight_write(f->hole_iova + 512,
					    blk_va + hole * PAGE_SIZE + 512,
					    0xcccc, timeout) && !*timeout;
}

static void inflight_unmap_block(struct inflight *f, const char *what,
				 int round)
{
	if (iommu_unmap(f->dom, f->blk_iova, f->blk) != f->blk)
		pr_err("%s %d: unmap of the split block was short\n", what, round);
}

static int inflight_verdict(const char *what, int round, bool ok)
{
	if (!ok) {
		pr_err("%s %d: FAIL\n", what, round);
		return -EIO;
	}
	pr_info("%s %d: ok\n", what, round);
	return 0;
}

static int inflight_round(struct inflight *f, void *blk_va, int round)
{
	static const char what[] = "in-flight round";
	unsigned long npages = f->blk / PAGE_SIZE, pg;
	unsigned int i, landed = 0, lost = 0;
	struct task_struct *t;
	bool timeout = false, blocked;
	long hole;
	int err;

	hole = inflight_map_block(f, blk_va, what, round);
	if (hole < 0)
		return hole;
	init_completion(&f->unmapped);
	f->unmapped_len = 0;
	t = kthread_run(inflight_thread, f, "edu-inflight");
	if (IS_ERR(t)) {
		iommu_unmap(f->dom, f->blk_iova, f->blk);
		return PTR_ERR(t);
	}
	/* Pages next to the hole, the ends and the middle of the block, in turn. */
	for (i = 0; i < INFLIGHT_DMAS; i++) {
		static const long near[] = { -1, 1, 0, 0, 0, -2, 2 };
		long k = near[i % ARRAY_SIZE(near)];

		if (k)
			pg = hole + k;
		else
			pg = (i % 3 == 0) ? 0 : (i % 3 == 1) ? npages - 1 : npages / 2;
		if (pg >= npages || pg == hole)
			pg = hole ? hole - 1 : hole + 1;
		if (inflight_write(f->blk_iova + pg * PAGE_SIZE + 512,
				   blk_va + pg * PAGE_SIZE + 512, 0xcccc, &timeout))
			landed++;
		else
			lost++;
		if (timeout)
			break;
	}
	wait_for_completion(&f->unmapped);
	blocked = inflight_hole_blocked(f, blk_va, hole, &timeout);
	kthread_stop(t);
	inflight_unmap_block(f, what, round);
	pr_info("%s %d: hole page %ld of %lu, %zu bytes unmapped; %u/%u writes outside the hole landed; write into the hole after the unmap %s; neighbour block mapped and unmapped %u times (%d errors)%s\n",
		what, round, hole, npages, f->unmapped_len, landed, landed + lost,
		blocked ? "blocked" : "NOT blocked", f->neighbour_cycles,
		f->neighbour_err, timeout ? "; transfer timed out" : "");
	err = f->neighbour_err;
	f->neighbour_cycles = 0;
	f->neighbour_err = 0;
	return inflight_verdict(what, round, !timeout && !lost && blocked &&
				f->unmapped_len == PAGE_SIZE && !err);
}

/* INFLIGHT_ROUNDS rounds of @round, counted as they pass or fail */
static void inflight_rounds(int (*round)(struct inflight *, void *, int),
			    struct inflight *f, void *blk_va, int *pass,
			    int *fail)
{
	int i;

	for (i = 0; i < INFLIGHT_ROUNDS; i++) {
		if (round(f, blk_va, i))
			(*fail)++;
		else
			(*pass)++;
	}
}

/*
 * DMA at the split's TLB callbacks. The device writes beside a running
 * split in the rounds above, but the moment a break-before-make split leaves
 * the block out of the table is a few instructions wide, and ~100 ms
 * transfers almost never meet it. A kprobe on each of arm-smmu-v3's
 * iommu_flush_ops makes the device write next to the hole from inside the
 * unmap call, while the page table is halfway through the split: that DMA
 * faults if the block was broken before the table was made.
 */
static const char * const inflight_probe_syms[] = {
	"arm_smmu_tlb_inv_context",	/* tlb_flush_all */
	"arm_smmu_tlb_inv_walk",	/* tlb_flush_walk */
	"arm_smmu_tlb_inv_page_nosync",	/* tlb_add_page */
};

static struct {
	struct task_struct *task;	/* the task splitting, while armed */
	unsigned long iova;		/* where the device writes */
	void *va;			/* and where that lands */
	unsigned int hits, landed;
	bool timeout;
} tlb_probe;

/* Runs before each callback (with interrupts masked): DMA, polled. */
static int inflight_probe_hit(struct kprobe *kp, struct pt_regs *regs)
{
	if (READ_ONCE(tlb_probe.task) != current)
		return 0;
	tlb_probe.hits++;
	memset(tlb_probe.va, 0, EDU_XFER);
	if (edu_dma_atomic(EDU_BUF_ADDR, tlb_probe.iova, true))
		tlb_probe.timeout = true;
	else if (matches(tlb_probe.va, 0xcccc) == EDU_XFER / 8)
		tlb_probe.landed++;
	return 0;
}

static struct kprobe inflight_kprobes[ARRAY_SIZE(inflight_probe_syms)];
static struct kprobe *inflight_kprobe_ptrs[ARRAY_SIZE(inflight_probe_syms)];

static int inflight_probes_register(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(inflight_kprobes); i++) {
		inflight_kprobes[i] = (struct kprobe) {
			.symbol_name = inflight_probe_syms[i],
			.pre_handler = inflight_probe_hit,
		};
		inflight_kprobe_ptrs[i] = &inflight_kprobes[i];
	}
	return register_kprobes(inflight_kprobe_ptrs,
				ARRAY_SIZE(inflight_kprobe_ptrs));
}

/* One split with the probes armed; the hole must still be closed after it */
static int inflight_probe_round(struct inflight *f, void *blk_va, int round)
{
	static const char what[] = "in-flight probe round";
	bool timeout = false, blocked;
	unsigned long pg;
	size_t len;
	long hole;

	hole = inflight_map_block(f, blk_va, what, round);
	if (hole < 0)
		return hole;
	pg = round & 1 ? hole + 1 : hole - 1;
	tlb_probe.iova = f->blk_iova + pg * PAGE_SIZE + 512;
	tlb_probe.va = blk_va + pg * PAGE_SIZE + 512;
	tlb_probe.hits = 0;
	tlb_probe.landed = 0;
	tlb_probe.timeout = false;
	WRITE_ONCE(tlb_probe.task, current);
	len = iommu_unmap(f->dom, f->hole_iova, PAGE_SIZE);
	WRITE_ONCE(tlb_probe.task, NULL);
	blocked = inflight_hole_blocked(f, blk_va, hole, &timeout);
	inflight_unmap_block(f, what, round);
	timeout |= tlb_probe.timeout;
	pr_info("%s %d: hole page %ld of %lu, %zu bytes unmapped; %u/%u writes at the split's TLB callbacks landed; write into the hole after the unmap %s%s\n",
		what, round, hole, f->blk / PAGE_SIZE, len, tlb_probe.landed,
		tlb_probe.hits, blocked ? "blocked" : "NOT blocked",
		timeout ? "; transfer timed out" : "");
	return inflight_verdict(what, round, !timeout && blocked &&
				tlb_probe.landed == tlb_probe.hits &&
				len == PAGE_SIZE);
}

/* The probe rounds: a pass or a fail each, or one fail without kprobes */
static void inflight_probe_run(struct inflight *f, void *blk_va, int *pass,
			       int *fail)
{
	int ret = inflight_probes_register();

	if (ret) {
		pr_err("in-flight probe: FAIL: cannot probe arm-smmu-v3's TLB callbacks (%d; CONFIG_KPROBES?)\n",
		       ret);
		(*fail)++;
		return;
	}
	inflight_rounds(inflight_probe_round, f, blk_va, pass, fail);
	unregister_kprobes(inflight_kprobe_ptrs,
			   ARRAY_SIZE(inflight_kprobe_ptrs));
}

static void inflight_run(int *pass, int *fail)
{
	struct device *dev = &edu.pdev->dev;
	struct inflight f = { .blk = PAGE_SIZE << (PAGE_SHIFT - 3) };
	unsigned int order = get_order(f.blk);
	struct page *blk_pages = NULL, *other = NULL;
	void *src = NULL;
	unsigned long src_iova;
	int ret;

	if (f.blk > SZ_32M) {	/* 64K pages: a 512M block, beyond the edu's 28 bits */
		pr_info("in-flight: a %zu MiB block does not fit the device's DMA range: skipped\n",
			f.blk >> 20);
		return;
	}
	f.blk_iova = 2 * f.blk;
	src_iova = f.blk;
	blk_pages = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
	other = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
	src = (void *)__get_free_page(GFP_KERNEL);
	if (!blk_pages || !other || !src) {
		pr_err("in-flight: FAIL: cannot allocate two %zu MiB blocks\n", f.blk >> 20);
		(*fail)++;
		goto free;
	}
	f.other_phys = page_to_phys(other);
	f.dom = iommu_paging_domain_alloc(dev);
	if (IS_ERR(f.dom)) {
		pr_err("in-flight: FAIL: no paging domain: %ld\n", PTR_ERR(f.dom));
		f.dom = NULL;
		(*fail)++;
		goto free;
	}
	ret = iommu_attach_device(f.dom, dev);
	if (ret) {
		pr_err("in-flight: FAIL: cannot attach an unmanaged domain: %d\n", ret);
		(*fail)++;
		goto free_dom;
	}
	/* Load the device's buffer once: every later write carries it. */
	fill(src, 0xcccc);
	ret = iommu_map(f.dom, src_iova, virt_to_phys(src), PAGE_SIZE,
			IOMMU_READ, GFP_KERNEL);
	if (ret || edu_dma(src_iova, EDU_BUF_ADDR, false)) {
		pr_err("in-flight: FAIL: cannot load the device buffer (%d)\n", ret);
		(*fail)++;
		goto detach;
	}
	pr_info("in-flight: %zu KiB block at IOVA %#lx, %d rounds of %d writes\n",
		f.blk >> 10, f.blk_iova, INFLIGHT_ROUNDS, INFLIGHT_DMAS);
	inflight_rounds(inflight_round, &f, page_address(blk_pages), pass, fail);
	inflight_probe_run(&f, page_address(blk_pages), pass, fail);
	iommu_unmap(f.dom, src_iova, PAGE_SIZE);
detach:
	iommu_detach_device(f.dom, dev);
free_dom:
	iommu_domain_free(f.dom);
free:
	if (blk_pages)
		__free_pages(blk_pages, order);
	if (other)
		__free_pages(other, order);
	free_page((unsigned long)src);
}

static int __init edu_test_run(void)
{
	struct edu_bufs b = {};
	int i, pass = 0, fail = 0;

	if (!edu.pdev) {
		pr_info("no edu device: skipped\n");
		return 0;
	}
	if (inflight) {
		inflight_run(&pass, &fail);
		goto out;
	}
	if (edu_setup_bufs(&b)) {
		pr_err("cannot set up buffers\n");
		fail = ARRAY_SIZE(edu_cases);
		goto out;
	}
	/*
	 * The long-lived mappings exist before any victim is unmapped, so the
	 * IOVA allocator cannot hand a freed IOVA back to them.
	 */
	for (i = 0; i < ARRAY_SIZE(edu_cases); i++) {
		if (edu_run_case(&edu_cases[i], &b))
			fail++;
		else
			pass++;
	}
	dma_unmap_single(&edu.pdev->dev, b.scratch_to_dev, EDU_XFER,
			 DMA_TO_DEVICE);
	dma_unmap_single(&edu.pdev->dev, b.readback_dma, EDU_XFER,
			 DMA_FROM_DEVICE);
out:
	free_page((unsigned long)b.scratch);
	free_page((unsigned long)b.readback);
	pr_info("completed with %d PASS %d FAIL\n", pass, fail);
	return 0;
}
late_initcall_sync(edu_test_run);

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct iommu_domain *dom;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(0), "edu-iommu-test");
	if (ret)
		return ret;
	ret = dma_set_mask_and_coherent(&pdev->dev,
					DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret)
		return ret;
	pci_set_master(pdev);
	edu.regs = pcim_iomap_table(pdev)[0];
	if (readl(edu.regs + EDU_REG_IDENT) >> 16 != 0x0100)
		return -ENODEV;
	dom = iommu_get_domain_for_dev(&pdev->dev);
	dev_info(&pdev->dev, "edu device behind %s\n",
		 dom && (dom->type & __IOMMU_DOMAIN_PAGING) ?
		 "a translating IOMMU domain" : "no translating IOMMU");
	edu.pdev = pdev;
	return 0;
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

static struct pci_driver edu_driver = {
	.name = "edu-iommu-test",
	.id_table = edu_ids,
	.probe = edu_probe,
};
builtin_pci_driver(edu_driver);
