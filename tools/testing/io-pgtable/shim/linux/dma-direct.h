/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: phys_to_dma(), the address a device uses for memory it
 * reaches without a mapping (a coherent walker), offset or not.
 */
#ifndef _SHIM_LINUX_DMA_DIRECT_H
#define _SHIM_LINUX_DMA_DIRECT_H

#include <linux/types.h>
#include <shim_hooks.h>

static inline dma_addr_t phys_to_dma(struct device *dev, phys_addr_t phys)
{
	return shim_phys_to_dma(dev, phys);
}

#endif /* _SHIM_LINUX_DMA_DIRECT_H */
