/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: GFP flags and the page allocator. */
#ifndef _SHIM_LINUX_GFP_H
#define _SHIM_LINUX_GFP_H

#include <linux/types.h>
#include <asm/page.h>

#define __GFP_DMA		0x01u
#define __GFP_HIGHMEM		0x02u
#define __GFP_DMA32		0x04u
#define __GFP_ZERO		0x100u
#define __GFP_NOWARN		0x200u
#define __GFP_NORETRY		0x400u
#define __GFP_NOFAIL		0x800u
#define __GFP_COMP		0x1000u
#define __GFP_ACCOUNT		0x2000u
#define __GFP_HIGH		0x4000u
#define __GFP_IO		0x8000u
#define __GFP_FS		0x10000u
#define __GFP_DIRECT_RECLAIM	0x20000u
#define __GFP_KSWAPD_RECLAIM	0x40000u
#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO		(__GFP_RECLAIM)
#define GFP_DMA			__GFP_DMA
#define GFP_DMA32		__GFP_DMA32

#define NUMA_NO_NODE		(-1)

#endif /* _SHIM_LINUX_GFP_H */
