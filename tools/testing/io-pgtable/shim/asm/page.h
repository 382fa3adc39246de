/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: a 4K-page arm64 kernel's page constants and __pa/__va. */
#ifndef _SHIM_ASM_PAGE_H
#define _SHIM_ASM_PAGE_H

#include <linux/types.h>
#include <linux/bits.h>
#include <shim_hooks.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		BIT(PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x)		(((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define MAX_PAGE_ORDER		10

static inline int get_order(unsigned long size)
{
	if (size <= PAGE_SIZE)
		return 0;
	return 64 - __builtin_clzl((size - 1) >> PAGE_SHIFT);
}

#define virt_to_phys(va)	((phys_addr_t)shim_virt_to_phys((const void *)(va)))
#define phys_to_virt(pa)	shim_phys_to_virt((u64)(pa))
#define __pa(va)		virt_to_phys(va)
#define __va(pa)		phys_to_virt(pa)

#endif /* _SHIM_ASM_PAGE_H */
