/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim for drivers/iommu/iommu-pages.h: table pages come from the
 * model's simulated physical memory.
 */
#ifndef _SHIM_IOMMU_PAGES_H
#define _SHIM_IOMMU_PAGES_H

#include <linux/kernel.h>
#include <linux/gfp.h>
#include <linux/mm.h>

static inline void *iommu_alloc_pages_node(int nid, gfp_t gfp, int order)
{
	return shim_page_alloc(nid, gfp | __GFP_ZERO, order);
}

static inline void *iommu_alloc_pages(gfp_t gfp, int order)
{
	return iommu_alloc_pages_node(NUMA_NO_NODE, gfp, order);
}

static inline void *iommu_alloc_page_node(int nid, gfp_t gfp)
{
	return iommu_alloc_pages_node(nid, gfp, 0);
}

static inline void *iommu_alloc_page(gfp_t gfp)
{
	return iommu_alloc_pages_node(NUMA_NO_NODE, gfp, 0);
}

static inline void iommu_free_pages(void *virt, int order)
{
	if (!virt)
		return;
	shim_page_free(virt, order);
}

static inline void iommu_free_page(void *virt)
{
	iommu_free_pages(virt, 0);
}

#endif /* _SHIM_IOMMU_PAGES_H */
