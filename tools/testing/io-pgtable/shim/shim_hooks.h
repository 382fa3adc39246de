/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points from the shim headers into the harness model (model.c).
 * Everything the code under test does to memory, DMA and the allocator
 * passes through these.
 */
#ifndef _SHIM_HOOKS_H
#define _SHIM_HOOKS_H

#include <linux/types.h>

struct device;

void *shim_page_alloc(int nid, gfp_t gfp, int order);
void shim_page_free(void *va, int order);
void *shim_kmalloc(size_t size, gfp_t gfp, bool zero, bool kv);
void shim_kfree(const void *p, bool kv);
u64 shim_virt_to_phys(const void *va);
void *shim_phys_to_virt(u64 pa);
dma_addr_t shim_dma_map_single(struct device *dev, void *va, size_t size, int dir);
dma_addr_t shim_phys_to_dma(struct device *dev, phys_addr_t phys);
size_t shim_dma_max_mapping_size(struct device *dev);
void shim_dma_unmap_single(struct device *dev, dma_addr_t dma, size_t size, int dir);
void shim_dma_sync_for_device(struct device *dev, dma_addr_t dma, size_t size, int dir);
void shim_dma_sync_for_cpu(struct device *dev, dma_addr_t dma, size_t size, int dir);
int shim_dev_to_node(struct device *dev);

#endif /* _SHIM_HOOKS_H */
