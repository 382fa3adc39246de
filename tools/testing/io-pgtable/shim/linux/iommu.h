/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: the parts of linux/iommu.h that io-pgtable uses. */
#ifndef _SHIM_LINUX_IOMMU_H
#define _SHIM_LINUX_IOMMU_H

#include <linux/kernel.h>
#include <linux/types.h>

/* int constants, as the kernel's (1 << n) */
#define IOMMU_READ		0x01
#define IOMMU_WRITE		0x02
#define IOMMU_CACHE		0x04
#define IOMMU_NOEXEC		0x08
#define IOMMU_MMIO		0x10
#define IOMMU_PRIV		0x20

#define IOMMU_DIRTY_NO_CLEAR	0x01

struct iommu_iotlb_gather {
	unsigned long		start;
	unsigned long		end;
	size_t			pgsize;
	struct list_head	freelist;
	bool			queued;
};

struct iova_bitmap;

struct iommu_dirty_bitmap {
	struct iova_bitmap *bitmap;
	struct iommu_iotlb_gather *gather;
};

void shim_dirty_record(struct iommu_dirty_bitmap *dirty, unsigned long iova,
		       unsigned long length);

static inline bool iommu_iotlb_gather_queued(struct iommu_iotlb_gather *gather)
{
	return gather && gather->queued;
}

static inline void iommu_dirty_bitmap_record(struct iommu_dirty_bitmap *dirty,
					     unsigned long iova,
					     unsigned long length)
{
	shim_dirty_record(dirty, iova, length);
}

#endif /* _SHIM_LINUX_IOMMU_H */
