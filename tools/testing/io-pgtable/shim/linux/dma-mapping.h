/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: the streaming DMA API. Mappings and syncs are the only
 * operations that move table memory from the CPU's view to the device's
 * view in the harness model.
 */
#ifndef _SHIM_LINUX_DMA_MAPPING_H
#define _SHIM_LINUX_DMA_MAPPING_H

#include <linux/kernel.h>
#include <linux/device.h>
#include <linux/mm.h>
#include <shim_hooks.h>

enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
	DMA_NONE = 3,
};

#define DMA_MAPPING_ERROR	(~(dma_addr_t)0)

static inline unsigned int dma_get_min_align_mask(struct device *dev)
{
	return dev->dma_parms ? dev->dma_parms->min_align_mask : 0;
}

static inline int dma_set_min_align_mask(struct device *dev,
					 unsigned int min_align_mask)
{
	if (!dev->dma_parms)
		return -EIO;
	dev->dma_parms->min_align_mask = min_align_mask;
	return 0;
}

static inline size_t dma_max_mapping_size(struct device *dev)
{
	return shim_dma_max_mapping_size(dev);
}

static inline dma_addr_t dma_map_single(struct device *dev, void *ptr,
					size_t size, enum dma_data_direction dir)
{
	return shim_dma_map_single(dev, ptr, size, dir);
}

static inline void dma_unmap_single(struct device *dev, dma_addr_t addr,
				    size_t size, enum dma_data_direction dir)
{
	shim_dma_unmap_single(dev, addr, size, dir);
}

static inline int dma_mapping_error(struct device *dev, dma_addr_t addr)
{
	return addr == DMA_MAPPING_ERROR ? -ENOMEM : 0;
}

static inline void dma_sync_single_for_device(struct device *dev,
					      dma_addr_t addr, size_t size,
					      enum dma_data_direction dir)
{
	shim_dma_sync_for_device(dev, addr, size, dir);
}

static inline void dma_sync_single_for_cpu(struct device *dev,
					   dma_addr_t addr, size_t size,
					   enum dma_data_direction dir)
{
	shim_dma_sync_for_cpu(dev, addr, size, dir);
}

#endif /* _SHIM_LINUX_DMA_MAPPING_H */
